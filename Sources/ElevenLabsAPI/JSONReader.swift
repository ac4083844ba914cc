// Reads JSON into Decodable values: the service's answers, WebSocket messages, cache files and
// manifests. The reading half of CanonicalJSON, for the same reason (the program does not link
// Foundation; bench/NOTES.md, "#29, round five"). It accepts and refuses what Foundation's
// JSONDecoder does (JSONReaderTests decodes the same texts with both, valid and broken), its
// leniencies included: a leading byte-order mark, a comma before a closing bracket, and the first of
// repeated keys winning. Everything from outside is bounded: nesting depth, and numbers only as
// they fit.

public enum JSONReader {
    /// Nesting deeper than this is refused (Foundation's limit too), so a hostile body cannot
    /// exhaust the stack.
    static let maxDepth = 512

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        let node = try parse(Array(bytes))
        return try T(from: TreeDecoder(node, at: nil))
    }

    /// One parsed JSON value. Numbers keep their text, so each is converted exactly as asked.
    enum Node {
        case null
        case bool(Bool)
        case number(String)
        case string(String)
        case array([Node])
        case object([String: Node])

        var kind: String {
            switch self {
            case .null: return "null"
            case .bool: return "a boolean"
            case .number: return "a number"
            case .string: return "a string"
            case .array: return "an array"
            case .object: return "an object"
            }
        }
    }

    static func parse(_ bytes: [UInt8]) throws -> Node {
        var p = Parser(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { p.at = 3 }
        p.skipSpace()
        let node = try p.value(depth: 0)
        p.skipSpace()
        guard p.at == bytes.count else { throw p.error("unexpected text after the JSON value") }
        return node
    }

    private struct Parser {
        let bytes: [UInt8]
        var at = 0

        func error(_ what: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON: \(what) at byte \(at)."))
        }

        mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
        }

        mutating func literal(_ word: StaticString, _ node: Node) throws -> Node {
            let n = word.utf8CodeUnitCount
            guard at + n <= bytes.count else { throw error("unknown literal") }
            for i in 0..<n where bytes[at + i] != word.utf8Start[i] { throw error("unknown literal") }
            at += n
            return node
        }

        mutating func value(depth: Int) throws -> Node {
            guard depth < JSONReader.maxDepth else { throw error("nesting deeper than \(JSONReader.maxDepth)") }
            guard at < bytes.count else { throw error("unexpected end") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var fields: [String: Node] = [:]
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(fields) }
                while true {
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw error("expected a key") }
                    let key = try string()
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw error("expected ':'") }
                    at += 1
                    skipSpace()
                    // The first of repeated keys wins, as in Foundation's decoder.
                    let v = try value(depth: depth + 1)
                    if fields[key] == nil { fields[key] = v }
                    if try ended(by: UInt8(ascii: "}")) { return .object(fields) }
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [Node] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    if try ended(by: UInt8(ascii: "]")) { return .array(items) }
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw error("unexpected character")
            }
        }

        /// After a member of an object or array: true when `close` ends it (a comma before it too, as
        /// Foundation allows), false when a comma says another member follows.
        mutating func ended(by close: UInt8) throws -> Bool {
            skipSpace()
            guard at < bytes.count else { throw error("unexpected end before '\(Character(Unicode.Scalar(close)))'") }
            if bytes[at] == close { at += 1; return true }
            guard bytes[at] == UInt8(ascii: ",") else { throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'") }
            at += 1
            skipSpace()
            if at < bytes.count, bytes[at] == close { at += 1; return true }
            return false
        }

        /// RFC 8259's grammar exactly: no leading zeros, no bare `.`, no `+`, digits after `e`.
        mutating func number() throws -> String {
            let start = at
            func digits() -> Int {
                let from = at
                while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") { at += 1 }
                return at - from
            }
            if bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard at < bytes.count else { throw error("a number without digits") }
            if bytes[at] == UInt8(ascii: "0") { at += 1 } else if digits() == 0 { throw error("a number without digits") }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                at += 1
                guard digits() > 0 else { throw error("no digits after '.'") }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                guard digits() > 0 else { throw error("no digits in an exponent") }
            }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        /// A string literal: valid UTF-8, no raw control characters, escapes as RFC 8259 has them
        /// (a \u surrogate only as half of a pair).
        mutating func string() throws -> String {
            at += 1  // the opening quote
            var out: [UInt8] = []
            var runStart = at
            var ascii = true
            while true {
                guard at < bytes.count else { throw error("unterminated string") }
                let b = bytes[at]
                if b == UInt8(ascii: "\"") { break }
                if b < 0x20 { throw error("a control character in a string") }
                if b >= 0x80 { ascii = false }
                if b != UInt8(ascii: "\\") { at += 1; continue }
                out += bytes[runStart..<at]
                at += 1
                guard at < bytes.count else { throw error("unterminated escape") }
                let e = bytes[at]
                at += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                            throw error("a lone surrogate")
                        }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("a lone surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw error("a lone surrogate")
                    }
                    guard let s = Unicode.Scalar(scalar) else { throw error("an invalid \\u escape") }
                    out += Array(String(s).utf8)
                default: throw error("an invalid escape")
                }
                runStart = at
            }
            // Most strings have no escape: made straight from the document's bytes (and one of up to 15
            // bytes, most keys and codes, then needs no allocation at all).
            // Raw bytes all ASCII are valid UTF-8 as they stand (escapes add only valid UTF-8);
            // anything else is validated (String's validating initialiser is generic over the
            // encoding: a thousand instructions for a two-letter code).
            let whole: String?
            if out.isEmpty {
                whole = bytes.withUnsafeBufferPointer {
                    let run = UnsafeBufferPointer(rebasing: $0[runStart..<at])
                    return ascii ? String(decoding: run, as: UTF8.self) : String(validating: run, as: UTF8.self)
                }
            } else {
                out += bytes[runStart..<at]
                whole = out.withUnsafeBufferPointer { ascii ? String(decoding: $0, as: UTF8.self) : String(validating: $0, as: UTF8.self) }
            }
            at += 1  // the closing quote
            guard let s = whole else { throw error("a string that is not UTF-8") }
            return s
        }

        mutating func hex4() throws -> UInt32 {
            guard at + 4 <= bytes.count else { throw error("a short \\u escape") }
            var v: UInt32 = 0
            for b in bytes[at..<at + 4] {
                let d: UInt8
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
                default: throw error("a bad hex digit")
                }
                v = v << 4 | UInt32(d)
            }
            at += 4
            return v
        }
    }
}

// MARK: - Decoder

private struct JSONKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
    init(intValue: Int) { stringValue = "Index \(intValue)"; self.intValue = intValue }
    static let superKey = JSONKey(stringValue: "super")
}

/// Where a value sits in the document, as a chain from its container: Foundation's `[CodingKey]`
/// is built from it only when something asks (an error, or a type that reads `codingPath`). Building
/// that array for every value decoded was most of the cost of reading a list (a cached model list
/// of 1.4 KB took a million instructions, on the way to the first request).
private final class PathLink {
    let parent: PathLink?
    let key: CodingKey
    init(_ parent: PathLink?, _ key: CodingKey) { self.parent = parent; self.key = key }

    static func keys(_ link: PathLink?) -> [CodingKey] {
        var keys: [CodingKey] = []
        var at = link
        while let l = at { keys.append(l.key); at = l.parent }
        return keys.reversed()
    }
}

private func mismatch<T>(_ type: T.Type, _ node: JSONReader.Node, _ path: [CodingKey]) -> DecodingError {
    .typeMismatch(type, .init(codingPath: path, debugDescription: "Expected to decode \(type) but found \(node.kind) instead."))
}

/// The scalar conversions every container shares, as Foundation's decoder makes them: a number into
/// an integer type only when it is exactly one that fits, into a floating type when finite.
private enum Scalars {
    static func bool(_ node: JSONReader.Node, _ path: @autoclosure () -> [CodingKey]) throws -> Bool {
        guard case .bool(let b) = node else { throw mismatch(Bool.self, node, path()) }
        return b
    }
    static func string(_ node: JSONReader.Node, _ path: @autoclosure () -> [CodingKey]) throws -> String {
        guard case .string(let s) = node else { throw mismatch(String.self, node, path()) }
        return s
    }
    static func floating<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type, _ node: JSONReader.Node,
                                                                            _ path: @autoclosure () -> [CodingKey]) throws -> F {
        guard case .number(let text) = node else { throw mismatch(type, node, path()) }
        // Too large is infinite; too small rounds to zero though digits were given: neither fits.
        let mantissa = text.utf8.prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
        guard let v = F(text), v.isFinite, v != 0 || !mantissa.contains(where: { $0 > UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "Parsed JSON number <\(text)> does not fit in \(type)."))
        }
        return v
    }
    static func integer<I: FixedWidthInteger>(_ type: I.Type, _ node: JSONReader.Node, _ path: @autoclosure () -> [CodingKey]) throws -> I {
        guard case .number(let text) = node else { throw mismatch(type, node, path()) }
        if let v = I(text) { return v }
        // 1.0 or 1e3: an integer written another way; the digits must still be exact.
        if let d = Double(text), d.isFinite, d == d.rounded(), abs(d) < 9_007_199_254_740_992, let v = I(exactly: d) { return v }
        throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "Parsed JSON number <\(text)> does not fit in \(type)."))
    }

    /// `link` is where the value sits (its container's link and its own key).
    static func decode<T: Decodable>(_ type: T.Type, _ node: JSONReader.Node, _ link: @autoclosure () -> PathLink?) throws -> T {
        // The common scalars directly; anything else decodes itself from a decoder for this node.
        if type == String.self { return try string(node, PathLink.keys(link())) as! T }
        if type == Int.self { return try integer(Int.self, node, PathLink.keys(link())) as! T }
        if type == Double.self { return try floating(Double.self, node, PathLink.keys(link())) as! T }
        if type == Bool.self { return try bool(node, PathLink.keys(link())) as! T }
        return try T(from: TreeDecoder(node, at: link()))
    }
}

private struct TreeDecoder: Decoder {
    let node: JSONReader.Node
    let link: PathLink?
    var codingPath: [CodingKey] { PathLink.keys(link) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    init(_ node: JSONReader.Node, at link: PathLink?) { self.node = node; self.link = link }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let fields) = node else { throw mismatch([String: Any].self, node, codingPath) }
        return KeyedDecodingContainer(Keyed<Key>(fields: fields, link: link))
    }
    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let items) = node else { throw mismatch([Any].self, node, codingPath) }
        return Unkeyed(items: items, link: link)
    }
    func singleValueContainer() throws -> SingleValueDecodingContainer { Single(node: node, link: link) }
}

private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let fields: [String: JSONReader.Node]
    let link: PathLink?
    var codingPath: [CodingKey] { PathLink.keys(link) }

    var allKeys: [Key] { fields.keys.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { fields[key.stringValue] != nil }

    private func node(_ key: Key) throws -> JSONReader.Node {
        guard let n = fields[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return n
    }
    private func present<T>(_ type: T.Type, _ key: Key) throws -> JSONReader.Node {
        let n = try node(key)
        if case .null = n {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [key], debugDescription: "Expected \(type) value but found null instead."))
        }
        return n
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try node(key) { return true }
        return false
    }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Scalars.bool(present(type, key), codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Scalars.string(present(type, key), codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Scalars.floating(type, present(type, key), codingPath + [key]) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try Scalars.floating(type, present(type, key), codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Scalars.integer(type, present(type, key), codingPath + [key]) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Scalars.integer(type, present(type, key), codingPath + [key]) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Scalars.integer(type, present(type, key), codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Scalars.integer(type, present(type, key), codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Scalars.integer(type, present(type, key), codingPath + [key]) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Scalars.integer(type, present(type, key), codingPath + [key]) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Scalars.integer(type, present(type, key), codingPath + [key]) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try Scalars.integer(type, present(type, key), codingPath + [key]) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try Scalars.integer(type, present(type, key), codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Scalars.integer(type, present(type, key), codingPath + [key]) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        // A null reaches the type's own init(from:) (Optional's decodes it as nil).
        try Scalars.decode(type, node(key), PathLink(link, key))
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try TreeDecoder(node(key), at: PathLink(link, key)).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try TreeDecoder(node(key), at: PathLink(link, key)).unkeyedContainer()
    }
    func superDecoder() throws -> Decoder { TreeDecoder(fields["super"] ?? .null, at: PathLink(link, JSONKey.superKey)) }
    func superDecoder(forKey key: Key) throws -> Decoder { TreeDecoder(fields[key.stringValue] ?? .null, at: PathLink(link, key)) }
}

private struct Unkeyed: UnkeyedDecodingContainer {
    let items: [JSONReader.Node]
    let link: PathLink?
    var codingPath: [CodingKey] { PathLink.keys(link) }
    var currentIndex = 0
    init(items: [JSONReader.Node], link: PathLink?) { self.items = items; self.link = link }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }
    private var hereLink: PathLink { PathLink(link, JSONKey(intValue: currentIndex)) }
    private var here: [CodingKey] { PathLink.keys(hereLink) }

    private mutating func next<T>(_ type: T.Type) throws -> JSONReader.Node {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: here, debugDescription: "Unkeyed container is at end."))
        }
        return items[currentIndex]
    }
    private mutating func take<T>(_ type: T.Type, _ convert: (JSONReader.Node, @autoclosure () -> [CodingKey]) throws -> T) throws -> T {
        let n = try next(type)
        if case .null = n, !(type is any ExpressibleByNilLiteral.Type) {
            throw DecodingError.valueNotFound(type, .init(codingPath: here, debugDescription: "Expected \(type) but found null instead."))
        }
        let v = try convert(n, here)
        currentIndex += 1
        return v
    }

    mutating func decodeNil() throws -> Bool {
        if case .null = try next(Any?.self) { currentIndex += 1; return true }
        return false
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try take(type) { try Scalars.bool($0, $1()) } }
    mutating func decode(_ type: String.Type) throws -> String { try take(type) { try Scalars.string($0, $1()) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try take(type) { try Scalars.floating(type, $0, $1()) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try take(type) { try Scalars.floating(type, $0, $1()) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try take(type) { try Scalars.integer(type, $0, $1()) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try take(type) { try Scalars.integer(type, $0, $1()) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try take(type) { try Scalars.integer(type, $0, $1()) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try take(type) { try Scalars.integer(type, $0, $1()) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try take(type) { try Scalars.integer(type, $0, $1()) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try take(type) { try Scalars.integer(type, $0, $1()) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try take(type) { try Scalars.integer(type, $0, $1()) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try take(type) { try Scalars.integer(type, $0, $1()) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try take(type) { try Scalars.integer(type, $0, $1()) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try take(type) { try Scalars.integer(type, $0, $1()) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let n = try next(type)
        let v = try Scalars.decode(type, n, hereLink)
        currentIndex += 1
        return v
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let c = try TreeDecoder(next(KeyedDecodingContainer<NestedKey>.self), at: hereLink).container(keyedBy: type)
        currentIndex += 1
        return c
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let c = try TreeDecoder(next(UnkeyedDecodingContainer.self), at: hereLink).unkeyedContainer()
        currentIndex += 1
        return c
    }
    mutating func superDecoder() throws -> Decoder {
        let d = TreeDecoder(try next(Decoder.self), at: hereLink)
        currentIndex += 1
        return d
    }
}

private struct Single: SingleValueDecodingContainer {
    let node: JSONReader.Node
    let link: PathLink?
    var codingPath: [CodingKey] { PathLink.keys(link) }

    func decodeNil() -> Bool { if case .null = node { return true }; return false }
    private func present<T>(_ type: T.Type) throws -> JSONReader.Node {
        if case .null = node {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "Expected \(type) value but found null instead."))
        }
        return node
    }
    func decode(_ type: Bool.Type) throws -> Bool { try Scalars.bool(present(type), codingPath) }
    func decode(_ type: String.Type) throws -> String { try Scalars.string(present(type), codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Scalars.floating(type, present(type), codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try Scalars.floating(type, present(type), codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try Scalars.integer(type, present(type), codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Scalars.integer(type, present(type), codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Scalars.integer(type, present(type), codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Scalars.integer(type, present(type), codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Scalars.integer(type, present(type), codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Scalars.integer(type, present(type), codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Scalars.integer(type, present(type), codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Scalars.integer(type, present(type), codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Scalars.integer(type, present(type), codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Scalars.integer(type, present(type), codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try Scalars.decode(type, node, link) }
}
