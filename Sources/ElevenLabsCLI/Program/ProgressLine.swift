// One line of progress on stderr, redrawn in place: cut to the terminal's width (so it never wraps
// and leaves pieces behind), cleared to the end of the line on each redraw, and replaced at the end
// by a one-line summary. Shown on a terminal (not with --quiet), or anywhere with --progress.
import Synchronization

final class ProgressLine: Sendable {
    let shown: Bool
    private let context: Context
    private let drawn = Mutex(false)

    init(_ inv: Invocation, _ context: Context) {
        shown = inv.flag(.progress) || (context.stderrIsTerminal && !inv.flag(.quiet))
        self.context = context
    }

    func draw(_ text: String) {
        guard shown else { return }
        let width = max(20, context.terminalWidth - 1)
        let line = text.count > width ? String(text.prefix(width - 1)) + "…" : text
        drawn.withLock { $0 = true }
        // Some progress line is on the screen now (RunState): a run that ends by a signal (Ctrl-C)
        // ends it with a newline, so the shell's prompt does not land on it.
        context.run.progressOnScreen.note { $0 = true }
        context.err("\r" + line + "\u{1B}[K")
    }

    /// Clears the line (before an error message, or at the end).
    func clear() {
        guard shown, drawn.withLock({ d in defer { d = false }; return d }) else { return }
        context.run.progressOnScreen.note { $0 = false }
        context.err("\r\u{1B}[K")
    }

    /// Replaces the line with a summary.
    func finish(_ summary: String?) {
        clear()
        if shown, let summary { context.err(summary + "\n") }
    }

    /// "1m05s", "42s".
    static func duration(_ seconds: Double) -> String {
        // A rate near zero gives any size: past a year it is "?" (and Int(1e300) would trap).
        guard seconds.isFinite, seconds >= 0, seconds < 365 * 86400 else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(format2(s % 60))s" : "\(s)s"
    }

    private static func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
