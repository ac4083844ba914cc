// One line of progress on stderr, redrawn in place: cut to the terminal's width (so it never wraps
// and leaves pieces behind), cleared to the end of the line on each redraw, and replaced at the end
// by a one-line summary. Shown on a terminal (not with --quiet), or anywhere with --progress.
import ThreadSupport

final class ProgressLine: Sendable {
    let shown: Bool
    private let context: Context
    private let drawn = Monitor(false)

    private let quiet: Bool

    init(_ inv: Invocation, _ context: Context) {
        shown = inv.flag(.progress) || (context.stderrIsTerminal && !inv.flag(.quiet))
        quiet = inv.flag(.quiet)
        self.context = context
    }

    func draw(_ text: String) {
        guard shown else { return }
        let width = max(20, context.terminalWidth - 1)
        let line = text.count > width ? String(text.prefix(width - 1)) + "…" : text
        drawn.note { $0 = true }
        // Some progress line is on the screen now (RunState): a run that ends by a signal (Ctrl-C)
        // ends it with a newline, so the shell's prompt does not land on it.
        context.run.progressOnScreen.note { $0 = true }
        context.err("\r" + line + "\u{1B}[K")
    }

    /// Clears the line (before an error message, or at the end).
    func clear() {
        guard shown, drawn.note({ d in defer { d = false }; return d }) else { return }
        context.run.progressOnScreen.note { $0 = false }
        context.err("\r\u{1B}[K")
    }

    /// Replaces the line with a summary.
    func finish(_ summary: String?) {
        context.run.progressSummary.note { $0 = nil }
        clear()
        if shown, let summary { context.err(summary + "\n") }
    }

    /// What to say if the run is interrupted now (see RunState.progressSummary); set as work is done,
    /// whether or not the line is shown.
    func interruptedSummary(_ text: String) { if !quiet { context.run.progressSummary.note { $0 = text } } }

    /// "1m05s", "42s".
    static func duration(_ seconds: Double) -> String {
        // A rate near zero gives any size: past a year it is "?" (and Int(1e300) would trap).
        guard seconds.isFinite, seconds >= 0, seconds < 365 * 86400 else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(format2(s % 60))s" : "\(s)s"
    }

    private static func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

/// Time left from the measured rate, as people expect it to behave: "?" until there is enough to go
/// on (two samples and two seconds), the rate smoothed so one slow or fast part does not swing it,
/// and counting down between samples instead of freezing on the last figure. One for every progress
/// line (batches, long texts, dialogue).
struct TimeLeft {
    private let started: Double
    private var last: (time: Double, done: Double)?
    private var rate: Double?
    private var samples = 0
    /// The share of the newest interval in the smoothed rate.
    private let weight = 0.3

    /// `now`: a clock in seconds (tests pass their own).
    init(now: Double = monotonicSeconds()) { started = now }

    /// Records that `done` units are done at `now`.
    mutating func sample(done: Int, now: Double = monotonicSeconds()) {
        let from = last ?? (started, 0)
        let dt = now - from.time, dd = Double(done) - from.done
        if dt > 0, dd > 0 {
            let r = dd / dt
            rate = rate.map { $0 + weight * (r - $0) } ?? r
            samples += 1
            last = (now, Double(done))
        } else if last == nil {
            last = (now, Double(done))
        }
    }

    /// "1m05s left", or "? left" while the rate is not known well enough.
    func text(total: Int, now: Double = monotonicSeconds()) -> String {
        guard let rate, rate > 0, let last, samples >= 2, now - started >= 2 else { return "? left" }
        let atSample = (Double(total) - last.done) / rate
        return ProgressLine.duration(max(0, atSample - (now - last.time))) + " left"
    }
}
