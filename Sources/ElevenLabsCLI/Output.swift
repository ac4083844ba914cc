// How results are shown: aligned tables sized to the terminal for people, stable JSON for scripts,
// and the `elevenlabs: ` prefix with an optional hint line for every message on stderr.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import AudioPlayback

enum Output {
    /// Left-aligned columns. On a terminal the widest column is cut with "…" to fit the width;
    /// into a pipe nothing is cut (scripts wanting structure should use --json).
    static func table(_ header: [String], _ rows: [[String]], context: Context) -> String {
        guard !rows.isEmpty else { return "" }
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        if context.stdoutIsTerminal {
            let total = widths.reduce(0, +) + 2 * (widths.count - 1)
            if total > context.terminalWidth, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }) {
                widths[widest] = max(header[widest].count, widths[widest] - (total - context.terminalWidth), 8)
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

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    static func grouped(_ n: Int) -> String {
        let digits = Array(String(abs(n)))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func decimal(_ d: Double) -> String {
        if d == d.rounded() { return String(Int(d)) }
        var s = String(d)
        if s.count > 6 { s = String(s.prefix(6)) }
        return s
    }

    /// `YYYY-MM-DD HH:MM` in UTC for a unix time.
    static func dateTime(_ unix: Int) -> String {
        var t = time_t(unix)
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(date(unix)) \(pad(tm.tm_hour)):\(pad(tm.tm_min))"
    }

    /// `YYYY-MM-DD` in UTC for a unix time.
    static func date(_ unix: Int) -> String {
        var t = time_t(unix)
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(tm.tm_year + 1900)-\(pad(tm.tm_mon + 1))-\(pad(tm.tm_mday))"
    }

    static func report(_ error: Error, context: Context) {
        var lines: [String] = []
        var hint: String? = nil
        switch error {
        case let e as UsageError:
            lines.append(e.message)
            hint = e.hint
            let cmd = e.command.map { "elevenlabs \($0) --help" } ?? "elevenlabs --help"
            context.err(format(lines, hint: hint) + "elevenlabs: try '\(cmd)' for more information\n")
            return
        case let e as CLIError: lines.append(e.message); hint = e.hint
        case let e as ConfigurationError: lines.append(e.message); hint = e.hint
        case let e as APIError:
            var m = e.message
            m += e.code.map { " (HTTP \(e.httpStatus), \($0))" } ?? " (HTTP \(e.httpStatus))"
            lines.append(m)
            hint = e.hint
        case let e as StreamInputError:
            lines.append("\(e)")
            // The same advice as for the REST code of the same name.
            hint = APIError(httpStatus: 0, code: e.code, message: e.message).hint
        case let e as CurlError:
            lines.append("network error: \(e.message)")
            hint = timeoutHint(e.timeout) ?? "check your connection, proxy settings (https_proxy) and --base-url"
        case let e as AudioStreamBroken:
            let detail = (e.underlying as? CurlError)?.message ?? "\(e.underlying)"
            lines.append("the audio stream broke off: \(detail); it was not requested again, since it may have been charged")
            hint = "run the command again: no file was left half-written, and parts that arrived whole come from the audio cache, free" +
                ((e.underlying as? CurlError).flatMap { timeoutHint($0.timeout) }.map { "; \($0)" } ?? "")
        case let e as FileError: lines.append("\(e)")
        case let e as AudioError: lines.append(e.message); hint = e.hint
        case let e as ResponseFormatError: lines.append("\(e)")
        default: lines.append("\(error)")
        }
        context.err(format(lines, hint: hint))
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
        var s = lines.map { "elevenlabs: \($0)\n" }.joined()
        if let hint { s += "elevenlabs: hint: \(hint)\n" }
        return s
    }
}
