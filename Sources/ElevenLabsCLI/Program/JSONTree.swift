// Any JSON value, read back from what the encoder wrote, so a listing can print its objects' fields
// in its table's order (CanonicalJSON only sorts them) and print a selection of them. It prints as
// CanonicalJSON's pretty form does (two spaces, `"key" : value`), so output looks the same either way.
import ElevenLabsAPI
enum JSONTree: Decodable {
    case null, bool(Bool), int(Int64), uint(UInt64), double(Double), string(String)
    case array([JSONTree])
    case object([String: JSONTree])
    /// An object whose fields print in this order.
    case ordered([(String, JSONTree)])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int64.self) { self = .int(v) }
        else if let v = try? c.decode(UInt64.self) { self = .uint(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONTree].self) { self = .array(v) }
        else { self = .object(try c.decode([String: JSONTree].self)) }
    }

    func text(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        // Numbers and strings exactly as `Output.json` writes them (CanonicalJSON), so a selection of
        // fields prints its values as the whole object does.
        case .double(let d): return (try? CanonicalJSON.text(d)) ?? "null"
        case .string(let s): return Self.quoted(s)
        case .array(let items):
            guard !items.isEmpty else { return "[]" }
            return "[\n" + items.map { inner + $0.text(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let fields):
            return JSONTree.ordered(fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).text(indent: indent)
        case .ordered(let fields):
            guard !fields.isEmpty else { return "{}" }
            return "{\n" + fields.map { inner + Self.quoted($0.0) + " : " + $0.1.text(indent: inner) }.joined(separator: ",\n") + "\n\(indent)}"
        }
    }

    static func quoted(_ s: String) -> String { (try? CanonicalJSON.text(s)) ?? "\"\"" }
}
