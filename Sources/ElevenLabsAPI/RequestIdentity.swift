// What decides a request's audio, made from the very body the request sends plus what travels
// beside it (the voice in the path, the format in the query). The audio cache's keys and a batch
// item's fingerprint are digests of it, so a field added to a body decides them as well: the
// identity can never disagree with what was sent.

public struct RequestIdentity: Encodable, Sendable {
    /// Encodes the body's fields into the identity's own JSON object (nil: the identity is only its
    /// `beside` fields).
    private let body: (@Sendable (Encoder) throws -> Void)?
    public private(set) var beside: [String: JSONValue]

    public init<B: Encodable & Sendable>(body: B?, beside: [String: JSONValue?]) {
        if let body {
            self.body = { @Sendable encoder in try body.encode(to: encoder) }
        } else {
            self.body = nil
        }
        self.beside = beside.compactMapValues { $0 }
    }

    /// An identity of fields alone.
    public init(beside: [String: JSONValue?]) {
        body = nil
        self.beside = beside.compactMapValues { $0 }
    }

    /// The same identity with more fields (a cache adds the server and whether timings came along).
    public func adding(_ more: [String: JSONValue?]) -> RequestIdentity {
        var copy = self
        copy.beside.merge(more.compactMapValues { $0 }) { $1 }
        return copy
    }

    private struct Key: CodingKey {
        var stringValue: String
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    /// One JSON object: the body's fields and the ones beside them, side by side.
    public func encode(to encoder: Encoder) throws {
        try body?(encoder)
        var c = encoder.container(keyedBy: Key.self)
        for (k, v) in beside { try c.encode(v, forKey: Key(k)) }
    }

    /// The canonical form: sorted keys, slashes as they are.
    public func json() throws -> [UInt8] { try CanonicalJSON.encode(self) }

    /// The SHA-256 of the canonical form, in hex.
    public func digest() throws -> String { Digest.sha256Hex(try json()) }
}
