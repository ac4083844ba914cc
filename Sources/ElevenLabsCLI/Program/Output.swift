// How results are shown: aligned tables sized to the terminal for people, stable JSON for scripts,
// and the `elevenlabs: ` prefix with an optional hint line for every message on stderr.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import Synchronization
import AudioPlayback
import ThreadSupport

enum Output {
    /// How a table column gives way when the terminal is too narrow.
    enum Column {
        /// Ids, dates and numbers: never cut (people copy them, and a cut one is wrong, not short).
        case fixed
        /// Names and short labels: cut only when the free text has given all it can.
        case name
        /// Free text (history text, descriptions, label lists, languages): gives way first.
        case text
    }

    /// Left-aligned columns. On a terminal, columns are cut with "…" to fit the width: free text
    /// first, then names, each time the widest of them, never below its heading (or 8); fixed
    /// columns never. Into a pipe nothing is cut (scripts wanting structure should use --json).
    /// `kinds` defaults to the first column fixed and the rest names.
    static func table(_ header: [String], _ rows: [[String]], kinds: [Column]? = nil, context: Context) -> String {
        guard !rows.isEmpty else { return "" }
        let kinds = kinds ?? [.fixed] + Array(repeating: .name, count: max(0, header.count - 1))
        let rows = rows.map { $0.map { clean($0) } } // cells come from the server
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        if context.stdoutIsTerminal {
            var total = widths.reduce(0, +) + 2 * (widths.count - 1)
            // Shrink, a step at a time, the widest column of the first kind that can still give,
            // until the table fits (or nothing more can give: then the terminal wraps, whole ids).
            let floor = { (i: Int) in max(header[i].count, 8) }
            for kind in [Column.text, .name] {
                while total > context.terminalWidth {
                    guard let widest = widths.indices.filter({ kinds[$0] == kind && widths[$0] > floor($0) })
                            .max(by: { widths[$0] < widths[$1] }) else { break }
                    widths[widest] -= 1
                    total -= 1
                }
            }
        }
        func line(_ cells: [String], bold: Bool = false) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() {
                var c = cell
                if c.count > widths[i] { c = String(c.prefix(widths[i] - 1)) + "…" }
                parts.append(i == cells.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count))
            }
            let text = parts.joined(separator: "  ")
            return bold && context.useColor ? "\u{1B}[1m\(text)\u{1B}[0m" : text
        }
        return ([line(header, bold: true)] + rows.map { line($0) }).joined(separator: "\n") + "\n"
    }

    /// Text from a server (names, descriptions, history text, error messages, labels) made safe for a
    /// terminal: every control character (C0, DEL, C1, so ESC and with it every escape sequence) and
    /// bidirectional override becomes a visible U+FFFD; tabs, line and paragraph breaks become spaces.
    /// JSON output needs none of this: the encoder escapes control characters itself.
    static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var changed = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D, 0x2028, 0x2029: out.append(" "); changed = true
            // Bidirectional overrides and isolates can make text display as something else.
            case 0x00...0x1F, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: out.append("\u{FFFD}"); changed = true
            default: out.append(scalar)
            }
        }
        return changed ? String(out) : text
    }

    /// The same for several lines of output, keeping the line breaks that separate them.
    static func cleanLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { clean(String($0)) }.joined(separator: "\n")
    }

    /// A warning said once per run, however many times its cause is met.
    static func warnOnce(_ message: String, context: Context) {
        let first = context.run.warned.note { $0.insert(message).inserted }
        if first { context.err("elevenlabs: warning: \(message)\n") }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let text = try CanonicalJSON.text(value, style: .init(pretty: true))
        // An empty list is `[]`, as jq and every other tool print it (the encoder's is "[\n\n]").
        return (text.filter { !$0.isWhitespace } == "[]" ? "[]" : text) + "\n"
    }

    /// JSON whose objects (the value itself, or each one of a list) print the fields in `order` first,
    /// in that order, then the rest by name; with `only`, just those fields. Nested objects keep
    /// their keys sorted, as `json` prints them.
    static func json<T: Encodable>(_ value: T, order: [String], only: [String]?) throws -> String {
        let tree = try JSONReader.decode(JSONTree.self, from: try CanonicalJSON.encode(value))
        func shaped(_ node: JSONTree) -> JSONTree {
            guard case .object(let fields) = node else { return node }
            let keys = only ?? (order.filter { fields[$0] != nil } + fields.keys.filter { !order.contains($0) }.sorted())
            return .ordered(keys.compactMap { k in fields[k].map { (k, $0) } })
        }
        switch tree {
        case .array(let items): return JSONTree.array(items.map(shaped)).text() + "\n"
        default: return shaped(tree).text() + "\n"
        }
    }

    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n.magnitude)) // abs(Int.min) would trap
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A size as people read it: `912 bytes`, `8.4 MiB`, `512 MiB` (binary units, one decimal below 10).
    static func size(_ bytes: Int) -> String {
        guard bytes >= 1024 else { return "\(bytes) byte\(bytes == 1 ? "" : "s")" }
        var value = Double(bytes)
        var unit = 0
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        repeat { value /= 1024; unit += 1 } while value >= 1024 && unit < units.count
        let shown = value < 10 && value != value.rounded() ? String(Double(Int(value * 10)) / 10) : String(Int(value))
        return "\(shown) \(units[unit - 1])"
    }

    static func decimal(_ d: Double) -> String {
        guard d.isFinite, d.magnitude < 1e15 else { return "\(d)" } // no Int conversion of 1e300
        if d == d.rounded() { return String(Int(d)) }
        var s = String(d)
        if s.count > 6 { s = String(s.prefix(6)) }
        return s
    }

    /// Unix times a calendar can show (years 1970 to 9999); others come from a broken server.
    static let dateRange = 0...253_402_300_799

    /// `YYYY-MM-DD HH:MM` in UTC for a unix time, or "unknown" when out of range.
    static func dateTime(_ unix: Int) -> String {
        guard let tm = utc(unix) else { return "unknown" }
        func pad(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(date(unix)) \(pad(tm.tm_hour)):\(pad(tm.tm_min))"
    }

    /// `YYYY-MM-DD` in UTC for a unix time, or "unknown" when out of range.
    static func date(_ unix: Int) -> String {
        guard let tm = utc(unix) else { return "unknown" }
        func pad(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(Int(tm.tm_year) + 1900)-\(pad(tm.tm_mon + 1))-\(pad(tm.tm_mday))"
    }

    private static func utc(_ unix: Int) -> tm? {
        guard dateRange.contains(unix) else { return nil }
        var t = time_t(unix)
        var out = tm()
        return gmtime_r(&t, &out) == nil ? nil : out
    }

    static func report(_ error: Error, context: Context) {
        let shown = ErrorPresentation(error, keySource: context.run.keySource.read { $0 })
        var text = format([shown.message], hint: shown.hint)
        if let usage = shown.usage {
            // A usage error points to the help of the command it was about.
            text += "elevenlabs: try '\(usage.map { "elevenlabs \($0) --help" } ?? "elevenlabs --help")' for more information\n"
        }
        context.err(text)
    }

    /// Each time limit has its own option, and the advice names it.
    static func timeoutHint(_ timeout: CurlError.Timeout?) -> String? {
        switch timeout {
        case .connect?: return "no connection in time; raise --connect-timeout if the network is slow"
        case .firstByte?: return "the server had not begun to answer in time; raise --first-byte-timeout (whole-file answers come only when generated)"
        case .stall?: return "the answer stopped; raise --stall-timeout if the network is slow"
        case nil: return nil
        }
    }

    static func format(_ lines: [String], hint: String?) -> String {
        // Error messages often carry the server's words: never let them drive the terminal.
        var s = lines.map { "elevenlabs: \(clean($0))\n" }.joined()
        if let hint { s += "elevenlabs: hint: \(clean(hint))\n" }
        return s
    }
}
