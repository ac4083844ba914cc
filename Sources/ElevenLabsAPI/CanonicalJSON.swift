// The JSON the program writes: request bodies, WebSocket messages, cache keys, manifest lines,
// cache files and `--json` output, keys always sorted. Byte for byte what Foundation's JSONEncoder
// writes with `.sortedKeys` and the same `.withoutEscapingSlashes` and `.prettyPrinted` choices
// (CanonicalJSONTests compares the two over every field shape we send, every escape and thousands of
// generated strings and numbers), so cache keys and batch fingerprints made by earlier builds, which
// used JSONEncoder, still match. JSONReader is its reading half.
//
// Why not Foundation's: the program no longer links Foundation at all (bench/NOTES.md, "#29, round
// five"). Linked, its type metadata alone made 150 more pages for the dynamic loader to relocate at
// every start (0.35 ms, and resident), and the encoder's first use cost 0.25 ms of a sentence's
// start; this one's first use costs a few microseconds.

public enum CanonicalJSON {
    /// How the text is laid out. `.compact` is what requests and keys use.
    public struct Style: Sendable {
        /// Foundation's `.prettyPrinted`: two spaces of indent, `"key" : value`.
        public var pretty = false
        /// `/` as `\/`, as Foundation writes it without `.withoutEscapingSlashes`.
        public var escapeSlashes = false
        public init(pretty: Bool = false, escapeSlashes: Bool = false) { self.pretty = pretty; self.escapeSlashes = escapeSlashes }
        public static let compact = Style()
    }

    /// The value as JSON with sorted keys. Throws `EncodingError` for a non-finite number or a value
    /// that encodes nothing.
    public static func encode<T: Encodable>(_ value: T, style: Style = .compact) throws -> [UInt8] {
        let root = Slot()
        try Slot.fill(root, with: value, path: [])
        guard root.value != nil else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(T.self) encoded no value"))
        }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        root.write(into: &out, style: style, depth: 0)
        return out
    }

    /// The same, as a String.
    public static func text<T: Encodable>(_ value: T, style: Style = .compact) throws -> String {
        String(decoding: try encode(value, style: style), as: UTF8.self)
    }

    static func appendQuoted(_ s: String, to out: inout [UInt8], escapeSlashes: Bool = false) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "/") where escapeSlashes: out += [UInt8(ascii: "\\"), UInt8(ascii: "/")]
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A number as Foundation's encoder writes it: the shortest form that reads back the same, and
    /// no `.0` on whole numbers.
    static func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ v: F, path: [CodingKey]) throws -> [UInt8] {
        guard v.isFinite else {
            throw EncodingError.invalidValue(v, .init(codingPath: path, debugDescription: "\(v) is not a JSON number"))
        }
        var s = v.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        return Array(s.utf8)
    }
}

/// Where one value goes. A reference, so a container handed out earlier still fills the same place.
private final class Slot {
    enum Value {
        case literal([UInt8])      // already JSON: a number, true, false, null
        case string(String)        // quoted when written (escaping slashes or not)
        case object(ObjectBox)
        case array(ArrayBox)
    }
    var value: Value?

    final class ObjectBox { var fields: [String: Slot] = [:] }
    final class ArrayBox { var items: [Slot] = [] }

    var object: ObjectBox {
        if case .object(let box)? = value { return box }
        let box = ObjectBox(); value = .object(box); return box
    }
    var array: ArrayBox {
        if case .array(let box)? = value { return box }
        let box = ArrayBox(); value = .array(box); return box
    }

    /// Encodes `value` here. The common scalars are written directly; anything else encodes itself.
    static func fill<T: Encodable>(_ slot: Slot, with value: T, path: [CodingKey]) throws {
        if let s = value as? String { slot.value = .string(s); return }
        if let i = value as? Int { slot.value = .literal(Array(String(i).utf8)); return }
        if let b = value as? Bool { slot.value = .literal(Array((b ? "true" : "false").utf8)); return }
        if let d = value as? Double { slot.value = .literal(try CanonicalJSON.number(d, path: path)); return }
        try value.encode(to: TreeEncoder(slot, path))
    }

    func write(into out: inout [UInt8], style: CanonicalJSON.Style, depth: Int) {
        // Foundation's pretty layout: a line per member, two spaces per level, and a container's
        // closing bracket on a line of its own even when it is empty ("[\n\n]").
        func newline(_ level: Int) {
            guard style.pretty else { return }
            out.append(10)
            out += repeatElement(UInt8(ascii: " "), count: 2 * level)
        }
        switch value {
        case .literal(let bytes)?: out += bytes
        case .string(let s)?: CanonicalJSON.appendQuoted(s, to: &out, escapeSlashes: style.escapeSlashes)
        case .object(let box)?:
            out.append(UInt8(ascii: "{"))
            if style.pretty { out.append(10) }
            // Sorted by the keys' Unicode scalars, as Foundation's `.sortedKeys` does.
            let keys = box.fields.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")); if style.pretty { out.append(10) } }
                if style.pretty { out += repeatElement(UInt8(ascii: " "), count: 2 * (depth + 1)) }
                CanonicalJSON.appendQuoted(key, to: &out, escapeSlashes: style.escapeSlashes)
                out += style.pretty ? Array(" : ".utf8) : [UInt8(ascii: ":")]
                box.fields[key]!.write(into: &out, style: style, depth: depth + 1)
            }
            newline(depth)
            out.append(UInt8(ascii: "}"))
        case .array(let box)?:
            out.append(UInt8(ascii: "["))
            if style.pretty { out.append(10) }
            for (i, item) in box.items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")); if style.pretty { out.append(10) } }
                if style.pretty { out += repeatElement(UInt8(ascii: " "), count: 2 * (depth + 1)) }
                item.write(into: &out, style: style, depth: depth + 1)
            }
            newline(depth)
            out.append(UInt8(ascii: "]"))
        // A nested value that wrote nothing is an empty object, as in Foundation's encoder (at the
        // top, both refuse it).
        case nil:
            out.append(UInt8(ascii: "{"))
            if style.pretty { out.append(10) }
            newline(depth)
            out.append(UInt8(ascii: "}"))
        }
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "Index \(index)" }
    var intValue: Int? { index }
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { index = intValue }
}

private struct SuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { guard stringValue == "super" else { return nil } }
    init?(intValue: Int) { nil }
}

private struct TreeEncoder: Encoder {
    let slot: Slot
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    init(_ slot: Slot, _ path: [CodingKey]) { self.slot = slot; codingPath = path }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Keyed<Key>(box: slot.object, codingPath: codingPath))
    }
    func unkeyedContainer() -> UnkeyedEncodingContainer { Unkeyed(box: slot.array, codingPath: codingPath) }
    func singleValueContainer() -> SingleValueEncodingContainer { Single(slot: slot, codingPath: codingPath) }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: Slot.ObjectBox
    let codingPath: [CodingKey]

    private func place(_ key: CodingKey) -> Slot {
        let slot = Slot(); box.fields[key.stringValue] = slot; return slot
    }
    mutating func encodeNil(forKey key: Key) throws { place(key).value = .literal(Array("null".utf8)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try Slot.fill(place(key), with: value, path: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(Keyed<NestedKey>(box: place(key).object, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        Unkeyed(box: place(key).array, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> Encoder { TreeEncoder(place(SuperKey()), codingPath + [SuperKey()]) }
    mutating func superEncoder(forKey key: Key) -> Encoder { TreeEncoder(place(key), codingPath + [key]) }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let box: Slot.ArrayBox
    let codingPath: [CodingKey]
    var count: Int { box.items.count }

    private func place() -> (Slot, [CodingKey]) {
        let slot = Slot(); let path = codingPath + [IndexKey(box.items.count)]
        box.items.append(slot); return (slot, path)
    }
    mutating func encodeNil() throws { place().0.value = .literal(Array("null".utf8)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let (slot, path) = place()
        try Slot.fill(slot, with: value, path: path)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let (slot, path) = place()
        return KeyedEncodingContainer(Keyed<NestedKey>(box: slot.object, codingPath: path))
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let (slot, path) = place()
        return Unkeyed(box: slot.array, codingPath: path)
    }
    mutating func superEncoder() -> Encoder {
        let (slot, path) = place()
        return TreeEncoder(slot, path)
    }
}

private struct Single: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [CodingKey]

    mutating func encodeNil() throws { slot.value = .literal(Array("null".utf8)) }
    mutating func encode(_ value: Bool) throws { slot.value = .literal(Array((value ? "true" : "false").utf8)) }
    mutating func encode(_ value: String) throws { slot.value = .string(value) }
    mutating func encode(_ value: Double) throws { slot.value = .literal(try CanonicalJSON.number(value, path: codingPath)) }
    mutating func encode(_ value: Float) throws { slot.value = .literal(try CanonicalJSON.number(value, path: codingPath)) }
    mutating func encode(_ value: Int) throws { slot.value = .literal(Array(String(value).utf8)) }
    mutating func encode(_ value: Int8) throws { slot.value = .literal(Array(String(value).utf8)) }
    mutating func encode(_ value: Int16) throws { slot.value = .literal(Array(String(value).utf8)) }
    mutating func encode(_ value: Int32) throws { slot.value = .literal(Array(String(value).utf8)) }
    mutating func encode(_ value: Int64) throws { slot.value = .literal(Array(String(value).utf8)) }
    mutating func encode(_ value: UInt) throws { slot.value = .literal(Array(String(value).utf8)) }
    mutating func encode(_ value: UInt8) throws { slot.value = .literal(Array(String(value).utf8)) }
    mutating func encode(_ value: UInt16) throws { slot.value = .literal(Array(String(value).utf8)) }
    mutating func encode(_ value: UInt32) throws { slot.value = .literal(Array(String(value).utf8)) }
    mutating func encode(_ value: UInt64) throws { slot.value = .literal(Array(String(value).utf8)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try Slot.fill(slot, with: value, path: codingPath) }
}
