// `speak --out-dir`: many texts to many files at the plan's full concurrency. Outputs already there
// are skipped (writes are atomic, so an existing file is complete), a manifest beside them records
// every item, the cost is checked against the credits left before anything is bought, 429s slow the
// pool down instead of failing items, and Ctrl-C stops cleanly.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import ThreadSupport

enum BatchCommand {
    struct Item {
        let input: String     // the file, or "file:line" for --each-line
        let text: String
        let output: String
    }

    struct ManifestLine: Encodable {
        let input: String
        let output: String
        let voice_id: String
        let model_id: String
        let characters: Int
        let credits: Int?
        let request_id: String?
        let status: String
        let error: String?
    }

    /// Above this many estimated credits, a terminal user is asked first.
    static let confirmAbove = 10_000

    static func run(_ inv: Invocation, _ context: Context, config: ConfigFile?, template: SpeakCommand.Body, format: String) throws {
        let dir = inv.value("out-dir")!
        var st = stat()
        guard stat(dir, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            throw CLIError("--out-dir \(dir) is not a directory", hint: "create it first (mkdir -p \(dir))", exit: .input)
        }
        if inv.value("output") != nil { throw UsageError("--out-dir and -o cannot be used together", command: "speak") }
        let items = try plan(inv, context, dir: dir, format: format)
        let todo = inv.flag("force") ? items : items.filter { !FileIO.exists($0.output) }
        let skipped = items.count - todo.count
        let manifest = ManifestWriter(path: dir + "/manifest.jsonl")
        if todo.isEmpty {
            // Everything is there: no request at all.
            if context.stderrIsTerminal && !inv.flag("quiet") {
                context.err("elevenlabs: all \(items.count) outputs exist; nothing to do (--force converts again)\n")
            }
            return
        }

        let session = try Session(inv, context, config: config)
        let voiceID = try SpeakCommand.resolveVoiceID(inv, context, config: config, session: session)
        var models = try session.models()
        if !models.contains(where: { $0.model_id == template.model_id }) { models = try session.models(refresh: true) }
        guard let model = models.first(where: { $0.model_id == template.model_id }) else {
            throw UsageError("unknown model '\(template.model_id)'", hint: "'elevenlabs models' lists them", command: "speak")
        }
        let characters = todo.reduce(0) { $0 + $1.text.count }
        let estimate = Int((Double(characters) * (model.credits_per_character ?? 1)).rounded(.up))
        let subscription = try session.client.subscription()
        let planJobs = (UserCommand.concurrency[subscription.tier.lowercased()] ?? 2) * (template.model_id.contains("flash") || template.model_id.contains("turbo") ? 2 : 1)
        let jobs = min(try inv.integer("jobs", in: 1...64) ?? planJobs, 64)

        let summary = "\(todo.count) item\(todo.count == 1 ? "" : "s") (\(skipped) already done), \(Output.grouped(characters)) characters, about \(Output.grouped(estimate)) credits of \(Output.grouped(subscription.creditsRemaining)) left, \(jobs) at a time"
        if inv.flag("dry-run") {
            try context.out("elevenlabs: would convert " + summary + "\n" + todo.map { "\($0.input) -> \($0.output)\n" }.joined())
            return
        }
        if estimate > subscription.creditsRemaining {
            throw CLIError("this batch needs about \(Output.grouped(estimate)) credits, but \(Output.grouped(subscription.creditsRemaining)) are left",
                           hint: "convert fewer inputs, use a cheaper model (-m eleven_flash_v2_5), or wait for the reset ('elevenlabs user')", exit: .quota)
        }
        if estimate > confirmAbove && !inv.flag("yes") && context.stdinIsTerminal && context.stderrIsTerminal {
            context.err("elevenlabs: convert \(summary)? [y/N] ")
            var line: [UInt8] = []
            var byte: UInt8 = 0
            while read(context.stdinFD, &byte, 1) == 1 && byte != 10 { line.append(byte) }
            guard ["y", "yes"].contains(String(decoding: line, as: UTF8.self).lowercased()) else {
                throw CLIError("nothing converted", exit: .failure)
            }
        }

        // The first item goes alone: its answer's maximum-concurrent-requests header says what the
        // plan really allows, and the pool opens up to that (never above --jobs or the plan).
        let pool = Pool(todo: todo, limit: jobs)
        let progress = Progress(total: todo.count, show: context.stderrIsTerminal && !inv.flag("quiet"), context: context)
        var joins: [() -> Void] = []
        for _ in 0..<jobs {
            // One client per worker: one curl handle, one kept-alive connection each.
            let worker = try Session(inv, context, config: config)
            worker.client.configurationRetryForBatch()
            joins.append(DetachedThread.start {
                work(pool: pool, session: worker, template: template, voiceID: voiceID, format: format, chunkLimit: model.max_characters,
                     manifest: manifest, progress: progress, eachLine: inv.flag("each-line"), context: context)
            })
        }
        while !pool.isDone {
            progress.draw()
            pool.waitForChange(seconds: 0.25)
        }
        joins.forEach { $0() }
        progress.finish()
        try Signals.check()
        let failed = pool.failures
        // On a terminal a summary; in a script only errors speak (--quiet keeps the terminal quiet too).
        if (context.stderrIsTerminal && !inv.flag("quiet")) || !failed.isEmpty {
            context.err("elevenlabs: \(todo.count - failed.count) converted, \(failed.count) failed, \(skipped) skipped; manifest: \(dir)/manifest.jsonl\n")
        }
        if let first = failed.first {
            throw CLIError("\(failed.count) of \(todo.count) item\(todo.count == 1 ? "" : "s") failed, the first (\(first.input)): \(first.message)",
                           hint: "run the same command again to retry just those", exit: first.exit)
        }
    }

    static func work(pool: Pool, session: Session, template: SpeakCommand.Body, voiceID: String, format: String, chunkLimit: Int?,
                     manifest: ManifestWriter, progress: Progress, eachLine: Bool, context: Context) {
        session.client.onRetry = { notice in
            // A busy server: one worker fewer until things calm down.
            if notice.reason.hasPrefix("429") { pool.slowDown() }
        }
        while let item = pool.next() {
            let chunks = chunkLimit.map { item.text.count > $0 ? TextChunker.split(item.text, limit: $0) : [item.text] } ?? [item.text]
            var job = SpeakCommand.Job(chunks: chunks, template: template, quickBody: nil, voiceID: voiceID, format: format,
                                       output: item.output, wrapWAV: false, player: nil, session: session, context: context, quiet: true,
                                       cache: session.invocation.flag("no-cache") ? nil : AudioCache(environment: context.environment))
            do {
                try job.run()
                manifest.append(ManifestLine(input: item.input, output: item.output, voice_id: voiceID, model_id: template.model_id,
                                             characters: item.text.count, credits: job.metrics.credits, request_id: job.metrics.request_id,
                                             status: "ok", error: nil))
                progress.done(characters: item.text.count, credits: job.metrics.credits ?? 0)
                if let max = job.metrics.concurrency_limit { pool.learn(limit: max) }
                if eachLine { try? context.out(item.output + "\n") }
                pool.finished(item, error: nil)
            } catch {
                if Signals.pending != 0 { pool.finished(item, error: nil); continue }
                let message: String
                switch error {
                case let e as APIError: message = e.description
                case let e as CLIError: message = e.message
                default: message = "\(error)"
                }
                manifest.append(ManifestLine(input: item.input, output: item.output, voice_id: voiceID, model_id: template.model_id,
                                             characters: item.text.count, credits: nil, request_id: nil, status: "failed", error: message))
                context.err((progress.show ? "\r\u{1B}[K" : "") + "elevenlabs: \(item.input): \(message)\n")
                pool.finished(item, error: (message, ExitCode.of(error)))
            }
        }
    }

    /// The inputs and their outputs: one per file, or one per non-empty line with --each-line.
    static func plan(_ inv: Invocation, _ context: Context, dir: String, format: String) throws -> [Item] {
        var sources = inv.all("file") + inv.operands
        if sources.isEmpty { sources = ["-"] }
        let ext = AudioFormats.fileExtension(format)
        var used: Set<String> = []
        func outputPath(_ stem: String) -> String {
            var name = stem.isEmpty ? "input" : stem
            var n = 2
            while used.contains(name) { name = "\(stem)-\(n)"; n += 1 }
            used.insert(name)
            return "\(dir.hasSuffix("/") ? String(dir.dropLast()) : dir)/\(name).\(ext)"
        }
        var items: [Item] = []
        for source in sources {
            let text: String
            if source == "-" {
                text = try TextInput.validate(try TextInput.readAll(fd: context.stdinFD), origin: "standard input")
            } else {
                let bytes: [UInt8]
                do { bytes = try FileIO.read(source, limit: TextInput.maxBytes) } catch let e as FileError {
                    throw CLIError("cannot read \(e)", hint: "check the input paths", exit: .input)
                }
                text = try TextInput.validate(bytes, origin: source)
            }
            let base = source == "-" ? "" : String(source.split(separator: "/").last ?? "")
            let stem = base.contains(".") ? String(base[..<base.lastIndex(of: ".")!]) : base
            if inv.flag("each-line") {
                let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
                let width = max(4, String(lines.count).count)
                for (i, line) in lines.enumerated() {
                    let number = String(repeating: "0", count: width - String(i + 1).count) + String(i + 1)
                    items.append(Item(input: "\(source == "-" ? "stdin" : source):\(i + 1)", text: line,
                                      output: outputPath(stem.isEmpty ? number : "\(stem)-\(number)")))
                }
            } else {
                items.append(Item(input: source == "-" ? "stdin" : source, text: text, output: outputPath(stem)))
            }
        }
        return items
    }
}

/// The work queue and the concurrency limit, which 429 answers lower and successes raise again
/// (never above the starting limit).
final class Pool: @unchecked Sendable {
    private let cond = Condition()
    private var queue: [BatchCommand.Item]
    private var active = 0
    private var limit: Int
    private var ceiling: Int
    private var successesSinceSlowdown = 0
    private(set) var failures: [(input: String, message: String, exit: ExitCode)] = []

    private var learned = false

    init(todo: [BatchCommand.Item], limit: Int) {
        queue = todo
        self.limit = 1
        ceiling = limit
    }

    /// The plan's limit as the server reports it; until then one request at a time.
    func learn(limit server: Int) {
        cond.withLock {
            if !learned { learned = true; ceiling = min(ceiling, max(1, server)); limit = ceiling }
            else if server < ceiling { ceiling = max(1, server); limit = min(limit, ceiling) }
            cond.broadcast()
        }
    }

    var isDone: Bool { cond.withLock { (queue.isEmpty || Signals.isPending()) && active == 0 } }

    func waitForChange(seconds: Double) { cond.withLock { cond.wait(seconds: seconds) } }

    func next() -> BatchCommand.Item? {
        cond.withLock {
            while !queue.isEmpty && active >= limit && !Signals.isPending() { cond.wait(seconds: 0.05) }
            if queue.isEmpty || Signals.isPending() { return nil }
            active += 1
            return queue.removeFirst()
        }
    }

    func finished(_ item: BatchCommand.Item, error: (String, ExitCode)?) {
        cond.withLock {
            active -= 1
            // Without the header (an error first), the pool still opens once something has finished.
            if !learned { learned = true; limit = ceiling }
            if let error { failures.append((item.input, error.0, error.1)) } else {
                successesSinceSlowdown += 1
                if limit < ceiling && successesSinceSlowdown >= limit * 2 { limit += 1; successesSinceSlowdown = 0 }
            }
            cond.broadcast()
        }
    }

    func slowDown() {
        cond.withLock {
            limit = max(1, limit - 1)
            successesSinceSlowdown = 0
        }
    }
}

/// manifest.jsonl beside the outputs: one JSON line per item, appended as items finish.
final class ManifestWriter: @unchecked Sendable {
    private let path: String
    private let cond = Condition()
    init(path: String) { self.path = path }

    func append(_ line: BatchCommand.ManifestLine) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(line) else { return }
        cond.withLock {
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return }
            let bytes = Array(data) + [10]
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
    }
}

/// Items done of total, characters, credits, rate and time left, redrawn on one stderr line.
final class Progress: @unchecked Sendable {
    let show: Bool
    private let total: Int
    private let context: Context
    private let cond = Condition()
    private var done = 0, characters = 0, credits = 0
    private let started = monotonicSeconds()

    init(total: Int, show: Bool, context: Context) { self.total = total; self.show = show; self.context = context }

    func done(characters c: Int, credits k: Int) { cond.withLock { done += 1; characters += c; credits += k } }

    func draw() {
        guard show else { return }
        let (d, c, k) = cond.withLock { (done, characters, credits) }
        let elapsed = monotonicSeconds() - started
        let rate = elapsed > 0 ? Double(d) / elapsed : 0
        let eta = rate > 0 ? Int(Double(total - d) / rate) : 0
        context.err("\r\u{1B}[Kelevenlabs: \(d)/\(total) done, \(Output.grouped(c)) characters, \(Output.grouped(k)) credits, \(Output.decimal((rate * 10).rounded() / 10))/s, about \(eta / 60)m\(eta % 60)s left")
    }

    func finish() { if show { draw(); context.err("\n") } }
}
