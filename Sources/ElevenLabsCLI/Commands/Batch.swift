// `speak --out-dir`: many texts to many files at the plan's full concurrency. An output is skipped
// only when it exists and manifest.jsonl says it was made from the same text, voice, model, settings
// and format (writes are atomic, so an existing file is complete); anything changed is converted
// again. The cost is checked against the credits left before anything is bought, 429s slow the pool
// down instead of failing items, and Ctrl-C stops cleanly.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import Documents
import ThreadSupport
import Synchronization

enum BatchCommand {
    struct Item {
        let input: String     // the file, or "file:line" for --each-line
        let text: String
        let output: String
        /// --captions FORMAT: the captions file beside the output.
        var captions: String? = nil
        /// SHA-256 of everything that decides the audio: an output made with another is stale.
        var fingerprint = ""
        /// The fingerprint as 0.3 and before wrote it (LegacyRecipe), still taken as done, so an
        /// upgrade never buys a finished batch again.
        var legacyFingerprint = ""
        /// Position in the input order (for printing paths in that order).
        var index = 0
        /// --dialogue: the script, and once voices are resolved, its plan.
        var script: DialogueScript? = nil
        var dialogue: DialoguePlan? = nil
        /// A document: its chapters (title and text as spoken), marked in the output as a single
        /// conversion marks them, and its title and author for the tags.
        var chapters: [(title: String, text: String)]? = nil
        var documentTitle: String? = nil
        var documentAuthor: String? = nil
        /// Characters to speak (a script's names are not spoken).
        var characters: Int { script?.characters ?? text.unicodeScalars.count } // code points, as billed
    }

    /// `--dry-run --json`: what would be converted and what it would cost.
    struct Plan: Encodable {
        struct Entry: Encodable { let input: String; let output: String; let characters: Int }
        let items: [Entry]
        let skipped: Int
        let characters: Int
        let credits: Int
        let credits_remaining: Int?
        let jobs: Int?
    }

    /// How 0.3 and before fingerprinted an item (what decides the audio besides the text, as given
    /// on the command line). Only read, to honour manifests they wrote: new ones hold `fingerprint`.
    struct LegacyRecipe: Encodable {
        let voice: String
        let model_id: String
        let voice_settings: VoiceSettings?
        let language_code: String?
        let seed: Int?
        let apply_text_normalization: String?
        let output_format: OutputFormat
        /// Absent without dictionaries, so manifests written before them still match.
        var pronunciation_dictionary_locators: [DictionaryLocator]? = nil
        /// --dialogue and its --cast values (absent otherwise, as above).
        var dialogue_cast: [String]? = nil
        var text = ""
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
        var fingerprint: String? = nil
        /// The captions file written beside the output (--captions FORMAT).
        var captions: String? = nil
    }

    /// The fingerprint of the last successful conversion of each output, from manifest.jsonl.
    static func readManifest(_ path: String) -> [String: String] {
        guard let bytes = try? FileIO.read(path, limit: 256 << 20) else { return [:] }
        struct Line: Decodable { let output: String; let status: String; let fingerprint: String? }
        var done: [String: String] = [:]
        for line in bytes.split(separator: 10) {
            guard let l = try? JSONReader.decode(Line.self, from: line), l.status == "ok" else { continue }
            done[l.output] = l.fingerprint ?? ""
        }
        return done
    }

    /// `--each-line`: clips this tool made for lines of the same inputs that are gone now (the
    /// manifest says it made them; the current lines no longer do). Left in place they would be
    /// played as part of the set (`ls clips/*.mp3 | xargs mpg123`).
    static func staleClips(_ manifestPath: String, items: [Item]) -> [(output: String, captions: String?)] {
        guard let bytes = try? FileIO.read(manifestPath, limit: 256 << 20) else { return [] }
        struct Line: Decodable { let input: String; let output: String; let status: String; let captions: String? }
        let sources = Set(items.compactMap { item in item.input.lastIndex(of: ":").map { String(item.input[..<$0]) } })
        let current = Set(items.map(\.output))
        var last: [String: Line] = [:]
        var order: [String] = []
        for raw in bytes.split(separator: 10) {
            guard let l = try? JSONReader.decode(Line.self, from: raw) else { continue }
            if last[l.output] == nil { order.append(l.output) }
            last[l.output] = l
        }
        return order.compactMap { output in
            guard let l = last[output], l.status == "ok", !current.contains(output), FileIO.exists(output),
                  let colon = l.input.lastIndex(of: ":"), sources.contains(String(l.input[..<colon])) else { return nil }
            return (output, l.captions)
        }
    }

    /// Removes stale clips (or, in a dry run, says which would go), and records that in the manifest.
    static func removeStaleClips(_ manifestPath: String, items: [Item], dryRun: Bool, _ context: Context) {
        let stale = staleClips(manifestPath, items: items)
        guard !stale.isEmpty else { return }
        let names = stale.prefix(3).map { Output.clean($0.output) }.joined(separator: ", ") + (stale.count > 3 ? ", ..." : "")
        if dryRun {
            context.err("elevenlabs: would remove \(stale.count) clip\(stale.count == 1 ? "" : "s") of lines no longer in the input: \(names)\n")
            return
        }
        let manifest = ManifestWriter(path: manifestPath)
        for clip in stale {
            unlink(clip.output)
            if let c = clip.captions { unlink(c) }
            manifest.append(ManifestLine(input: "", output: clip.output, voice_id: "", model_id: "", characters: 0, credits: nil,
                                         request_id: nil, status: "removed", error: nil))
        }
        context.err("elevenlabs: removed \(stale.count) clip\(stale.count == 1 ? "" : "s") of lines no longer in the input: \(names)\n")
    }

    static func run(_ inv: Invocation, _ context: Context, options: SpeakOptions) throws {
        let dir = inv.value(.outDir)!
        var st = stat()
        if stat(dir, &st) == 0 && st.st_mode & S_IFMT != S_IFDIR {
            throw CLIError("--out-dir \(dir) is not a directory", hint: "name a directory (it is created when missing)", exit: .input)
        }
        // DIR itself may be missing (it is made); a deeper missing path needs --create-dirs.
        try AtomicFile.checkDirectory(dir.hasSuffix("/") && dir.count > 1 ? String(dir.dropLast()) : dir, for: "into --out-dir \(dir)",
                                      createDirs: inv.flag(.createDirs))
        let items = try inputs(inv, context, options: options, dir: dir)
        let manifestPath = (dir.hasSuffix("/") ? String(dir.dropLast()) : dir) + "/manifest.jsonl"
        let made = readManifest(manifestPath)
        // Done means: the file is there and the manifest says it was made from exactly this.
        let isDone = { (item: Item) in
            FileIO.exists(item.output) && (made[item.output] == item.fingerprint || made[item.output] == item.legacyFingerprint)
                && (item.captions.map(FileIO.exists) ?? true)
        }
        var todo = inv.flag(.force) ? items : items.filter { !isDone($0) }
        let printer = inv.flag(.eachLine) ? OrderedPrinter(count: items.count, context: context) : nil
        if inv.flag(.eachLine) && (todo.isEmpty || inv.flag(.dryRun)) {
            removeStaleClips(manifestPath, items: items, dryRun: inv.flag(.dryRun), context)
        }
        if todo.isEmpty { try nothingToDo(items, printer: printer, inv, context); return }
        if !inv.flag(.dryRun) {
            try AtomicFile.makeDirectories(dir.hasSuffix("/") && dir.count > 1 ? String(dir.dropLast()) : dir, for: dir)
        }

        let setup = try prepare(&todo, options: options, inv, context)
        let characters = todo.reduce(0) { $0 + $1.characters }
        let estimate = try Spend.estimate(characters: characters, perCharacter: setup.model.credits_per_character)
        let remaining = setup.subscription.creditsRemaining
        let skipped = items.count - todo.count
        let summary = "\(todo.count) item\(todo.count == 1 ? "" : "s") (\(skipped) already done), \(Output.grouped(characters)) characters, about \(Output.grouped(estimate)) credits of \(Output.grouped(remaining)) left, \(setup.jobs) at a time"
        if inv.flag(.dryRun) {
            if inv.flag(.json) {
                try context.out(Output.json(Plan(items: todo.map { .init(input: $0.input, output: $0.output, characters: $0.characters) },
                                                 skipped: skipped, characters: characters, credits: estimate,
                                                 credits_remaining: remaining, jobs: setup.jobs)))
                return
            }
            try context.out("elevenlabs: would convert " + summary + "\n" + todo.map { "\($0.input) -> \($0.output)\n" }.joined())
            return
        }
        try Spend.check(estimate: estimate, remaining: remaining, what: "this batch", question: "convert \(summary)?", inv, context)

        // Paths of outputs already up to date are printed too, in their place in the input order.
        let todoIndexes = Set(todo.map(\.index))
        for item in items where !todoIndexes.contains(item.index) { printer?.finished(item.index, path: item.output) }
        let failed = try convert(todo, setup: setup, manifest: ManifestWriter(path: manifestPath), printer: printer, inv, context)
        // On a terminal a summary; in a script only errors speak (--quiet keeps the terminal quiet too).
        let ending = "elevenlabs: \(todo.count - failed.count) converted, \(failed.count) failed, \(skipped) skipped; manifest: \(manifestPath)"
        setup.progress.finish(ending)
        if !failed.isEmpty && !setup.progress.line.shown { context.err(ending + "\n") }
        if failed.isEmpty && inv.flag(.eachLine) { removeStaleClips(manifestPath, items: items, dryRun: false, context) }
        if let first = failed.first {
            throw CLIError("\(failed.count) of \(todo.count) item\(todo.count == 1 ? "" : "s") failed, the first (\(first.input)): \(first.message)",
                           hint: "run the same command again to retry just those", exit: first.exit)
        }
    }

    /// The items, each with its output, captions and fingerprint; dialogue scripts parsed and their
    /// casts checked, all before anything is sent.
    static func inputs(_ inv: Invocation, _ context: Context, options: SpeakOptions, dir: String) throws -> [Item] {
        let recipe = LegacyRecipe(voice: options.voice ?? VoiceResolver.defaultVoiceID, model_id: options.modelID,
                                  voice_settings: options.settings.isEmpty ? nil : options.settings, language_code: options.language,
                                  seed: options.seed, apply_text_normalization: options.textNormalization, output_format: options.format,
                                  pronunciation_dictionary_locators: options.dictionaries.isEmpty ? nil : options.dictionaries,
                                  dialogue_cast: options.dialogue ? inv.all(.cast) : nil)
        // The fingerprint's request: the voice as given (knowing it needs no lookup).
        let identified = options.request(voiceID: options.voice ?? VoiceResolver.defaultVoiceID)
        var items = try plan(inv, context, dir: dir, format: options.format, identified: identified,
                             cast: options.dialogue ? inv.all(.cast) : nil, recipe: recipe,
                             documents: options.dialogue ? nil : (options.inputFormat, options.preparation))
        if let kind = options.captionsPath {
            for i in items.indices { items[i].captions = String(items[i].output[..<items[i].output.lastIndex(of: ".")!]) + "." + kind }
        }
        if options.dialogue {
            // Every script is checked before anything is sent; a --cast must name a speaker of one of them.
            for i in items.indices { items[i].script = try DialogueScript.parse(items[i].text, origin: items[i].input) }
            let speakers = Set(items.flatMap { $0.script!.speakers.map { $0.lowercased() } })
            for c in try DialoguePlan.castOptions(inv.all(.cast)) where !speakers.contains(c.speaker.lowercased()) {
                throw UsageError("--cast \(Output.clean(c.speaker))=...: no script has a speaker '\(Output.clean(c.speaker))'", command: "speak")
            }
        }
        return items
    }

    /// Everything is there: no request at all.
    static func nothingToDo(_ items: [Item], printer: OrderedPrinter?, _ inv: Invocation, _ context: Context) throws {
        if inv.flag(.dryRun) {
            if inv.flag(.json) { try context.out(Output.json(Plan(items: [], skipped: items.count, characters: 0, credits: 0, credits_remaining: nil, jobs: nil))); return }
            try context.out("elevenlabs: would convert nothing: all \(items.count) outputs are up to date (--force converts again)\n")
            return
        }
        for item in items { printer?.finished(item.index, path: item.output) }
        if context.stderrIsTerminal && !inv.flag(.quiet) {
            context.err("elevenlabs: all \(items.count) outputs are up to date; nothing to do (--force converts again)\n")
        }
    }

    /// What every item's request shares, and how many go at once.
    struct Setup {
        let pipeline: SpeechPipeline
        let template: SpeechRequest
        let model: CachedModel
        let subscription: Subscription
        let jobs: Int
        let cache: AudioCache?
        let progress: Progress
    }

    /// The account, voice, model and dictionaries (SpeechPipeline), each script's plan, the plan's
    /// concurrency.
    static func prepare(_ todo: inout [Item], options: SpeakOptions, _ inv: Invocation, _ context: Context) throws -> Setup {
        let pipeline = try SpeechPipeline(inv, context, options: options)
        var request = options.request(voiceID: try pipeline.voiceID())
        // Asked explicitly, the model is always looked up (a batch needs its limit and price).
        guard let model = try pipeline.model(characters: 0, explicit: true) else { throw CLIError("the model could not be looked up", exit: .failure) }
        request.dictionaries = try pipeline.dictionaries(request.dictionaries)
        request.modelID = model.model_id
        if options.dialogue {
            let castOptions = try DialoguePlan.castOptions(inv.all(.cast))
            for i in todo.indices {
                todo[i].dialogue = try DialoguePlan.make(todo[i].script!, origin: todo[i].input, castOptions: castOptions, model: model.model_id,
                                                         session: pipeline.session, notes: { if !options.quiet { context.err("elevenlabs: note: \($0)\n") } })
            }
        }
        let subscription = try pipeline.session.client.subscription()
        let planJobs = Resolve.concurrency(tier: subscription.tier, model: request.modelID)
        let jobs = min(try inv.integer(.jobs, in: 1...64) ?? planJobs, 64)
        return Setup(pipeline: pipeline, template: request, model: model, subscription: subscription, jobs: jobs,
                     cache: options.useCache ? try AudioCache(context: context, config: options.config) : nil,
                     progress: Progress(total: todo.count, line: ProgressLine(inv, context)))
    }

    /// The items converted by `setup.jobs` workers; the failures, in the order they happened.
    static func convert(_ todo: [Item], setup: Setup, manifest: ManifestWriter, printer: OrderedPrinter?,
                        _ inv: Invocation, _ context: Context) throws -> [(input: String, message: String, exit: ExitCode)] {
        // The first item goes alone: its answer's receipt says what the
        // plan really allows, and the pool opens up to that (never above --jobs or the plan).
        let pool = Pool(todo: todo, limit: setup.jobs)
        let (template, chunkLimit, cache, progress, config) = (setup.template, setup.model.max_characters, setup.cache, setup.progress, setup.pipeline.options.config)
        let voice = setup.pipeline.options.voice ?? VoiceResolver.defaultVoiceName
        var joins: [Joiner] = []
        for _ in 0..<setup.jobs {
            joins.append(DetachedThread.start { [pool, manifest, progress, printer] in
                // One client per worker, made on the worker's thread (a Session stays on one): one
                // curl handle, one kept-alive connection each. The same settings made the main
                // session already, so this fails only if the machine changed meanwhile; then the
                // worker reports each item it takes instead of leaving it undone.
                let worker: Session
                do { worker = try Session(inv, context, config: config) } catch {
                    let shown = ErrorPresentation(error)
                    while let item = pool.next() { pool.finished(item, error: (shown.message, shown.exit)) }
                    return
                }
                // Batches ride out longer storms of 429s: more retries and more total waiting, because
                // an item must not fail for a transient reason. A --retries given still wins.
                if inv.value(.retries) == nil { worker.client.updateRetry { $0.maxRetries = 10; $0.maxTotalWait = 300 } }
                work(pool: pool, session: worker, template: template, chunkLimit: chunkLimit,
                     cache: cache, manifest: manifest, progress: progress, printer: printer, context: context, voice: voice)
            })
        }
        // A progress line on screen is redrawn as its clock moves; otherwise nothing wakes but events.
        progress.draw()
        pool.waitUntilDone(every: 0.25, tick: progress.line.shown ? { progress.draw() } : nil)
        joins.forEach { $0.join() }
        try Signals.check()
        return pool.failures
    }

    static func work(pool: Pool, session: Session, template: SpeechRequest, chunkLimit: Int?,
                     cache: AudioCache?, manifest: ManifestWriter, progress: Progress, printer: OrderedPrinter?, context: Context,
                     voice: String) {
        session.client.onRetry = { notice in
            // A busy server: one worker fewer until things calm down.
            if notice.reason.hasPrefix("429") { pool.slowDown() }
        }
        while let item = pool.next() {
            var out: AudioOutput?
            do {
                out = try AudioOutput(format: template.outputFormat, path: item.output, wrapWAV: false, player: nil, context: context)
                let metrics: SpeakCommand.Metrics
                if let plan = item.dialogue {
                    var job = DialogueJob(plan: plan, template: template, turnLimit: chunkLimit, session: session, context: context,
                                          cache: cache, captionsPath: item.captions, quiet: true)
                    try job.run(into: out!)
                    metrics = job.metrics
                } else if let chapters = item.chapters {
                    // A document: chapter after chapter, marked as a single conversion marks them.
                    var credits = 0
                    let tag = ID3Tag(title: item.documentTitle ?? chapters.first?.title, artist: item.documentAuthor ?? voice,
                                     album: item.documentTitle)
                    var job = try DocumentCommand.speakChapters(chapters, into: out!, tag: tag, captionsPath: item.captions, highlighter: nil,
                        makeJob: { i in
                            var job = SpeechJob(chunks: SpeechJob.ChunkPlan.fixed(TextChunker.requests(chapters[i].text, limit: chunkLimit))
                                                    .fitting(limit: chunkLimit, model: template.modelID),
                                                request: template, quickBody: nil, session: session, context: context, cache: cache, captionsPath: item.captions)
                            job.quiet = true
                            return job
                        },
                        after: { _, job in credits += job.metrics.credits ?? 0 })
                    job.metrics.credits = credits
                    metrics = job.metrics
                } else {
                    var job = SpeechJob(chunks: SpeechJob.ChunkPlan.fixed(TextChunker.requests(item.text, limit: chunkLimit)).fitting(limit: chunkLimit, model: template.modelID), request: template, quickBody: nil, session: session, context: context,
                                        cache: cache, captionsPath: item.captions)
                    try job.run(into: out!)
                    metrics = job.metrics
                }
                manifest.append(ManifestLine(input: item.input, output: item.output, voice_id: metrics.voice_id, model_id: template.modelID,
                                             characters: item.characters, credits: metrics.credits, request_id: metrics.request_id,
                                             status: "ok", error: nil, fingerprint: item.fingerprint, captions: item.captions))
                progress.done(characters: item.characters, credits: metrics.credits ?? 0)
                if let max = metrics.concurrency_limit { pool.learn(limit: max) }
                printer?.finished(item.index, path: item.output)
                pool.finished(item, error: nil)
            } catch {
                out?.discard()
                if Signals.pending != 0 { pool.finished(item, error: nil); continue }
                printer?.finished(item.index, path: nil)
                let shown = ErrorPresentation(error)
                let message = shown.message
                manifest.append(ManifestLine(input: item.input, output: item.output, voice_id: template.voiceID, model_id: template.modelID,
                                             characters: item.characters, credits: nil, request_id: nil, status: "failed", error: message))
                progress.line.clear()
                context.err("elevenlabs: \(Output.clean(item.input)): \(Output.clean(message))\n")
                pool.finished(item, error: (message, shown.exit))
            }
        }
    }

    /// The inputs and their outputs: one per file, or one per non-empty line with --each-line.
    static func plan(_ inv: Invocation, _ context: Context, dir: String, format: OutputFormat, identified: SpeechRequest,
                     cast: [String]?, recipe: LegacyRecipe, documents: (format: DocumentFormat?, preparation: Preparation)? = nil) throws -> [Item] {
        var sources = inv.all(.file) + inv.operands
        if sources.isEmpty { sources = ["-"] }
        let ext = format.fileExtension
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
            var docRead: Document? = nil
            if source == "-" {
                text = try TextInput.validate(try TextInput.readAll(fd: context.stdinFD), origin: "standard input")
            } else if let documents, let document = documents.format ?? DocumentFormat.forPath(source), document != .text {
                // A document converts as it speaks on its own: prepared, its chapters one after another.
                let bytes: [UInt8]
                do { bytes = try FileIO.read(source, limit: document == .epub ? DocumentReader.archiveLimit : DocumentReader.textLimit) } catch let e as FileError {
                    throw CLIError("cannot read \(e)", hint: "check the input paths", exit: .input)
                }
                do {
                    let read = try DocumentReader.read(bytes, format: document, preparation: documents.preparation)
                    text = read.chapters.map(\.text).joined(separator: "\n\n")
                    docRead = read
                } catch let e as DocumentError {
                    throw CLIError("\(Output.clean(source)): \(e.message)", hint: "--input-format names the kind of document when its extension does not", exit: .input)
                }
            } else {
                let bytes: [UInt8]
                do { bytes = try FileIO.read(source, limit: TextInput.maxBytes) } catch let e as FileError {
                    throw CLIError("cannot read \(e)", hint: "check the input paths", exit: .input)
                }
                text = try TextInput.validate(bytes, origin: source)
            }
            let base = source == "-" ? "" : String(source.split(separator: "/").last ?? "")
            let stem = base.contains(".") ? String(base[..<base.lastIndex(of: ".")!]) : base
            if inv.flag(.eachLine) {
                let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: " \t") }.filter { SpeakableText.hasSpeech($0) } // a line of only invisible characters would be billed as silence
                let width = max(4, String(lines.count).count)
                for (i, line) in lines.enumerated() {
                    let number = String(repeating: "0", count: width - String(i + 1).count) + String(i + 1)
                    items.append(Item(input: "\(source == "-" ? "stdin" : source):\(i + 1)", text: line,
                                      output: outputPath(stem.isEmpty ? number : "\(stem)-\(number)")))
                }
            } else {
                var item = Item(input: source == "-" ? "stdin" : source, text: text, output: outputPath(stem))
                if let docRead {
                    item.chapters = docRead.chapters.map { ($0.title, $0.text) }
                    item.documentTitle = docRead.title
                    item.documentAuthor = docRead.author
                }
                items.append(item)
            }
        }
        // Two inputs never share an output (names are made unique above), and each output's
        // fingerprint is the identity of the request its text makes (with a dialogue's cast).
        // The fingerprint of earlier builds: sorted keys with slashes escaped, as JSONEncoder wrote it.
        let legacy = CanonicalJSON.Style(escapeSlashes: true)
        for i in items.indices {
            var request = identified
            request.text = items[i].text
            items[i].index = i
            // A document's chapter titles are in its tags: retitled, it is converted again.
            items[i].fingerprint = try request.identity(previousText: nil)
                .adding(["dialogue_cast": cast.map { .array($0.map(JSONValue.string)) },
                         "chapters": items[i].chapters.map { .array($0.map { .string($0.title) }) }]).digest()
            var r = recipe
            r.text = items[i].text
            items[i].legacyFingerprint = Digest.sha256Hex((try? CanonicalJSON.encode(r, style: legacy)) ?? Array(items[i].text.utf8))
        }
        return items
    }
}
