// The moving parts of a batch (`speak --out-dir`): the pool of workers and its concurrency limit,
// the manifest written as items finish, the progress line, and the paths printed in input order.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import ThreadSupport

/// --each-line prints each output's path in input order as soon as it and every earlier one are
/// settled, so `| xargs -n1 mpg123` plays in order while later items are still converting.
final class OrderedPrinter: Sendable {
    /// Per item: nil while pending, .some(nil) failed, .some(path) done; and the next one to print.
    private let state: Monitor<(settled: [String??], next: Int)>
    private let context: Context

    init(count: Int, context: Context) {
        state = Monitor((Array(repeating: nil, count: count), 0))
        self.context = context
    }

    /// `path` nil: the item failed (its error was reported), nothing to print for it.
    func finished(_ index: Int, path: String?) {
        state.note { s in
            s.settled[index] = .some(path)
            while s.next < s.settled.count, let entry = s.settled[s.next] {
                if let path = entry { try? context.out(path + "\n") }
                s.next += 1
            }
        }
    }
}

/// The work queue and the concurrency limit, which 429 answers lower and successes raise again
/// (never above the starting limit). Workers wait here for a free slot, woken when one frees up.
final class Pool: Sendable {
    private struct State {
        var queue: [BatchCommand.Item]
        var active = 0
        var limit = 1
        var ceiling: Int
        var successesSinceSlowdown = 0
        var failed: [(input: String, message: String, exit: ExitCode)] = []
        var learned = false
        var done: Bool { (queue.isEmpty || Signals.isPending()) && active == 0 }
    }
    private let state: Monitor<State>

    init(todo: [BatchCommand.Item], limit: Int) {
        state = Monitor(State(queue: todo, ceiling: limit))
    }

    var failures: [(input: String, message: String, exit: ExitCode)] { state.read { $0.failed } }

    /// The plan's limit as the server reports it; until then one request at a time.
    func learn(limit server: Int) {
        state.update { s in
            if !s.learned { s.learned = true; s.ceiling = min(s.ceiling, max(1, server)); s.limit = s.ceiling }
            else if server < s.ceiling { s.ceiling = max(1, server); s.limit = min(s.limit, s.ceiling) }
        }
    }

    /// Waits until every item is done (or a signal stopped the batch). `tick`, when given, runs every
    /// `every` seconds meanwhile (a progress line with a clock); without it the wait sleeps until an
    /// item finishes or a signal arrives.
    func waitUntilDone(every: Double, tick: (() -> Void)?) {
        while true {
            let deadline = monotonicSeconds() + every
            let done = state.wait { s -> WaitStep<Bool> in
                if s.done { return .done(true) }
                guard tick != nil else { return .wait }
                return monotonicSeconds() >= deadline ? .done(false) : .waitUntil(deadline)
            }
            if done { return }
            tick?()
        }
    }

    func next() -> BatchCommand.Item? {
        state.wait { s in
            if s.queue.isEmpty || Signals.isPending() { return .done(nil) }
            if s.active >= s.limit { return .wait }
            s.active += 1
            return .done(s.queue.removeFirst())
        }
    }

    func finished(_ item: BatchCommand.Item, error: (String, ExitCode)?) {
        state.update { s in
            s.active -= 1
            // Without the header (an error first), the pool still opens once something has finished.
            if !s.learned { s.learned = true; s.limit = s.ceiling }
            if let error { s.failed.append((item.input, error.0, error.1)) } else {
                s.successesSinceSlowdown += 1
                if s.limit < s.ceiling && s.successesSinceSlowdown >= s.limit * 2 { s.limit += 1; s.successesSinceSlowdown = 0 }
            }
        }
    }

    func slowDown() {
        state.note { s in
            s.limit = max(1, s.limit - 1)
            s.successesSinceSlowdown = 0
        }
    }
}

/// manifest.jsonl beside the outputs: one JSON line per item, appended as items finish.
final class ManifestWriter: Sendable {
    private let path: String
    /// One writer at a time, so lines never interleave; the state is the lines written (not Void: a
    /// zero-sized state shares its address with the lock, which the thread sanitizer reports).
    private let lock = Monitor(0)
    init(path: String) { self.path = path }

    func append(_ line: BatchCommand.ManifestLine) {
        guard let data = try? CanonicalJSON.encode(line) else { return }
        lock.note { written in
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return }
            let bytes = Array(data) + [10]
            if bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count { written += 1 }
            close(fd)
        }
    }
}

/// Items done of total, characters, credits, rate and time left, on one progress line.
final class Progress: Sendable {
    let line: ProgressLine
    private let total: Int
    private let counts = Monitor((done: 0, characters: 0, credits: 0, left: TimeLeft()))
    private let started = monotonicSeconds()

    init(total: Int, line: ProgressLine) {
        self.total = total; self.line = line
        line.interruptedSummary("0 of \(total) files done, \(total) left, 0 credits spent")
    }

    func done(characters c: Int, credits k: Int) {
        let (d, spent) = counts.note { s in
            s.done += 1; s.characters += c; s.credits += k
            s.left.sample(done: s.done)
            return (s.done, s.credits)
        }
        line.interruptedSummary("\(d) of \(total) files done, \(total - d) left (a rerun converts only those), \(Output.grouped(spent)) credits spent")
    }

    func draw() {
        guard line.shown else { return }
        let (d, c, k, left) = counts.read { ($0.done, $0.characters, $0.credits, $0.left.text(total: total)) }
        let elapsed = monotonicSeconds() - started
        let rate = elapsed > 0 ? Double(d) / elapsed : 0
        line.draw("\(d)/\(total) files, \(Output.grouped(c)) chars, \(Output.grouped(k)) credits, \(Output.decimal((rate * 10).rounded() / 10)) files/s, \(left)")
    }

    func finish(_ summary: String) { line.finish(summary) }
}
