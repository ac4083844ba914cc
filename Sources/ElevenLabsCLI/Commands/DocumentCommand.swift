// `speak -f BOOK.md|.html|.epub`: a document to an audiobook. The document is read and prepared
// (Documents), priced chapter by chapter before anything is bought, then spoken chapter after
// chapter through the same jobs as any long text (so every part goes through the audio cache, and an
// interrupted book buys only what is missing). Into one MP3 file the chapters are marked with ID3
// CHAP frames whose times come from the audio actually written; with --split-chapters each chapter
// is its own file, tagged as a track, with an .m3u playlist.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import AudioPlayback
import Documents
import ThreadSupport

enum DocumentCommand {
    /// A chapter as it will be bought.
    struct PlannedChapter {
        let title: String
        let text: String
        let characters: Int
        let toBuy: Int
        let requests: Int
        let cached: Int
    }

    static func run(_ inv: Invocation, _ context: Context, options: SpeakOptions, player: inout Player?) throws {
        let document = try read(inv, context, options: options)
        let pipeline = try SpeechPipeline(inv, context, options: options)
        var request = options.request(voiceID: "")
        request.dictionaries = try pipeline.dictionaries(request.dictionaries)
        request.voiceID = try pipeline.voiceID()
        let characters = document.chapters.reduce(0) { $0 + $1.text.unicodeScalars.count }
        // The model's limit decides how each chapter is cut: always looked up for a document.
        let model = try pipeline.model(characters: characters, explicit: true)
        if let id = model?.model_id { request.modelID = id }
        let plan = try document.chapters.map { chapter -> PlannedChapter in
            let source = TextSource(text: chapter.text)
            let bought = try SpeakCommand.purchase(source, request: request, model: model, characters: source.characters,
                                                   session: pipeline.session, options: options, context: context)
            return PlannedChapter(title: chapter.title, text: chapter.text, characters: source.characters, toBuy: bought.characters,
                                  requests: bought.planned.count, cached: bought.planned.count - bought.toBuy.count)
        }
        let marksChapters = options.output != nil && options.output != "-" && !options.splitChapters && options.format.codec == .mp3
        if marksChapters && plan.count > ID3Tag.maxChapters {
            throw UsageError("the document has \(plan.count) chapters; one MP3 can mark at most \(ID3Tag.maxChapters)",
                             hint: "choose fewer with --chapter-level, or write one file per chapter with --split-chapters", command: "speak")
        }
        if inv.flag(.dryRun) {
            try dryRun(document, plan: plan, request: request, model: model, pipeline: pipeline, options: options, inv, context)
            return
        }
        let buying = plan.reduce(0) { $0 + $1.toBuy }
        try pipeline.checkSpend(characters: buying, model: model,
                                what: "this document (\(plan.count) chapter\(plan.count == 1 ? "" : "s"), \(Output.grouped(characters)) characters)") {
            "speak \(plan.count) chapters (\(Output.grouped(characters)) characters) for about \(Output.grouped($0)) credits of \(Output.grouped($1)) left?"
        }
        let marksWAV = options.format.codec == .wav || options.wrapWAV
        if !marksChapters && !marksWAV && !options.splitChapters && options.output != nil && options.output != "-" && !options.quiet {
            context.err("elevenlabs: note: chapters are marked in MP3 and WAV files; \(options.format) is written without them\n")
        }
        let artist = options.author ?? document.author ?? options.voice ?? VoiceResolver.defaultVoiceName
        var spoken = Spoken(pipeline: pipeline, request: request, model: model, options: options, context: context, total: characters)
        if options.splitChapters {
            try spoken.split(plan, document: document, artist: artist, player: player)
        } else {
            try spoken.whole(plan, document: document, artist: artist, marks: marksChapters, player: player)
        }
        try SpeechPipeline.report(spoken.metrics, options, context)
    }

    /// The document's bytes (bounded), read and prepared into chapters; errors name the file.
    static func read(_ inv: Invocation, _ context: Context, options: SpeakOptions) throws -> Document {
        let file = inv.value(.file)
        let origin = file == nil || file == "-" ? "standard input" : file!
        let format = options.document ?? .text
        let bytes: [UInt8]
        if let file, file != "-" {
            do { bytes = try FileIO.read(file, limit: format == .epub ? DocumentReader.archiveLimit : DocumentReader.textLimit) } catch let e as FileError {
                throw CLIError("cannot read \(e)", hint: "check the path given to --file", exit: .input)
            }
        } else {
            bytes = try TextInput.readAll(fd: context.stdinFD)
        }
        do {
            return try DocumentReader.read(bytes, format: format, preparation: options.preparation)
        } catch let e as DocumentError {
            throw CLIError("\(Output.clean(origin)): \(e.message)", hint: "--input-format names the kind of document when its extension does not", exit: .input)
        }
    }

    /// `--dry-run`: each chapter with its prepared text (as it will be sent), its size and cost, then
    /// the total; JSON with --json. Nothing is bought and nothing is written.
    static func dryRun(_ document: Document, plan: [PlannedChapter], request: SpeechRequest, model: CachedModel?, pipeline: SpeechPipeline,
                       options: SpeakOptions, _ inv: Invocation, _ context: Context) throws {
        let per = model?.credits_per_character
        let remaining = try pipeline.session.client.subscription().creditsRemaining
        let total = try Spend.estimate(characters: plan.reduce(0) { $0 + $1.toBuy }, perCharacter: per)
        let characters = plan.reduce(0) { $0 + $1.characters }
        let files = options.splitChapters ? chapterFiles(plan.map(\.title), output: options.output ?? "", format: options.format).files : []
        if options.json {
            struct Doc: Encodable {
                struct Chapter: Encodable { let title: String; let characters: Int; let requests: Int; let cached_requests: Int; let credits: Int; let file: String?; let text: String }
                let title: String?; let author: String?; let voice_id: String; let model_id: String
                let chapters: [Chapter]; let characters: Int; let credits: Int; let credits_remaining: Int
            }
            let chapters = try plan.enumerated().map { i, c in
                Doc.Chapter(title: c.title, characters: c.characters, requests: c.requests, cached_requests: c.cached,
                            credits: try Spend.estimate(characters: c.toBuy, perCharacter: per), file: files.isEmpty ? nil : files[i], text: c.text)
            }
            try context.out(Output.json(Doc(title: document.title, author: document.author, voice_id: request.voiceID, model_id: request.modelID,
                                            chapters: chapters, characters: characters, credits: total, credits_remaining: remaining)))
            return
        }
        var s = ""
        for (i, c) in plan.enumerated() {
            let credits = try Spend.estimate(characters: c.toBuy, perCharacter: per)
            s += "== \(i + 1). \(Output.clean(c.title)): \(Output.grouped(c.characters)) characters, \(c.requests) request\(c.requests == 1 ? "" : "s")"
            s += (c.cached > 0 ? " (\(c.cached) cached)" : "") + ", about \(Output.grouped(credits)) credits"
            s += (files.isEmpty ? "" : " -> \(files[i])") + "\n" + Output.cleanLines(c.text) + "\n\n"
        }
        s += "elevenlabs: would speak \(document.title.map { "'\(Output.clean($0))' in " } ?? "")\(plan.count) chapter\(plan.count == 1 ? "" : "s"), "
        let voice = SpeakCommand.voiceShown(options, id: request.voiceID)
        s += "\(Output.grouped(characters)) characters, with \(Output.clean(voice)) and \(request.modelID): about \(Output.grouped(total)) credits of \(Output.grouped(remaining)) left\n"
        try context.out(s + SpeakCommand.PlannedAudio(options).line)
    }

    /// `--split-chapters`: the folder named after -o's file (`book.mp3` → `book/`), one
    /// `NN - Title.EXT` per chapter in it, and the playlist `book/book.m3u`.
    static func chapterFiles(_ titles: [String], output: String, format: OutputFormat) -> (folder: String, files: [String], playlist: String) {
        let name = output.split(separator: "/").last.map(String.init) ?? output
        let stem = name.contains(".") ? String(name[..<name.lastIndex(of: ".")!]) : name
        let parent = output.contains("/") ? String(output[..<output.lastIndex(of: "/")!]) : ""
        let folder = (parent.isEmpty ? "" : parent + "/") + stem
        let width = max(2, String(titles.count).count)
        let ext = name.contains(".") ? String(name[name.index(after: name.lastIndex(of: ".")!)...]) : format.fileExtension
        let files = titles.enumerated().map { i, t in
            let n = String(i + 1)
            return "\(folder)/\(String(repeating: "0", count: width - n.count))\(n) - \(safeName(t)).\(ext)"
        }
        return (folder, files, "\(folder)/\(safeName(stem)).m3u")
    }

    /// Speaks chapters one after another into `out` and marks them: an MP3 file gets `tag` before
    /// its audio (chapters timed from the audio written, patched in before the file appears), a WAV
    /// file its cue points, captions a break at each chapter and `x.chapters.vtt` beside `x.vtt`.
    /// `makeJob` gives each chapter's job; `after` is told each one done. Completes the output and
    /// returns the last job (its metrics are the whole output's). Shared by a document and a batch.
    static func speakChapters(_ chapters: [(title: String, text: String)], into out: AudioOutput, tag: ID3Tag?,
                              captionsPath: String?, highlighter: Highlighter?,
                              makeJob: (Int) throws -> SpeechJob, after: (Int, SpeechJob) -> Void) throws -> SpeechJob {
        let started = monotonicSeconds()
        var tag = tag
        tag?.chapters = chapters.map { .init(title: $0.title, startMS: 0, endMS: 0) }
        let tagged = tag != nil && out.isPatchableFile && out.format.codec == .mp3
        out.measuresMP3 = out.format.codec == .mp3
        if tagged, let tag { try out.writeFileHeader(tag.bytes) }
        var times: [(title: String, start: Double, end: Double)] = []
        var captions = Captions()
        var offset = 0.0
        var notes: Set<MarkupNote> = []
        var last: SpeechJob? = nil
        for (i, chapter) in chapters.enumerated() {
            try Signals.check()
            let start = out.writtenSeconds
            // No caption cue runs from one chapter into the next.
            captions.breakCues(at: offset)
            var job = try makeJob(i)
            try job.speak(into: out, captions: &captions, offset: &offset, notes: &notes, highlighter: highlighter)
            times.append((chapter.title, start, out.writtenSeconds))
            tag?.chapters[i].startMS = milliseconds(start)
            tag?.chapters[i].endMS = milliseconds(out.writtenSeconds)
            after(i, job)
            last = job
        }
        if tagged, let tag { try out.patchFileHeader(tag.bytes) }
        if out.isPatchableWAV {
            out.wavTrailer = AudioFormats.wavCues(times.map { ($0.title, Int(($0.start * Double(out.format.sampleRate)).rounded())) })
        }
        guard var job = last else { throw CLIError("the document holds no chapters", exit: .input) }
        try job.complete(out, captions: captions, started: started, highlighter: highlighter)
        // `--captions book.vtt` also gets `book.chapters.vtt`, the chapters as WebVTT has them.
        if let path = captionsPath, Captions.format(for: path) == .vtt {
            try AtomicFile.write(Array(Captions.vttChapters(times).utf8), to: chaptersVTT(path))
        }
        return job
    }

    static func milliseconds(_ seconds: Double) -> UInt32 { UInt32(min(Double(UInt32.max), max(0, (seconds * 1000).rounded()))) }

    /// `book.vtt` → `book.chapters.vtt`.
    static func chaptersVTT(_ captions: String) -> String {
        String(captions.dropLast(4)) + ".chapters.vtt"
    }

    /// A title as a file name: letters of every script kept; what a file name cannot hold (a slash,
    /// control characters, a leading dot) dropped; at most 80 characters.
    static func safeName(_ title: String) -> String {
        var out = ""
        for c in title {
            if c == "/" || c == "\\" || c.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value) }) {
                out += " "
            } else {
                out.append(c)
            }
        }
        var name = out.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        while name.hasPrefix(".") { name.removeFirst() }
        if name.count > 80 { name = String(name.prefix(80)) }
        return name.isEmpty ? "Chapter" : name
    }

    /// Speaking the chapters: the jobs, the outputs, the progress and what they cost.
    struct Spoken {
        let pipeline: SpeechPipeline
        let request: SpeechRequest
        let model: CachedModel?
        let options: SpeakOptions
        let context: Context
        let total: Int
        var metrics = SpeakCommand.Metrics()
        private var done = 0
        private var timeLeft = TimeLeft()

        init(pipeline: SpeechPipeline, request: SpeechRequest, model: CachedModel?, options: SpeakOptions, context: Context, total: Int) {
            self.pipeline = pipeline; self.request = request; self.model = model; self.options = options; self.context = context; self.total = total
            metrics = SpeakCommand.Metrics(voice_id: request.voiceID, model_id: request.modelID, output_format: request.outputFormat.name)
        }

        func job(_ chapter: PlannedChapter, captions: String?) throws -> SpeechJob {
            let source = TextSource(text: chapter.text)
            let chunks: SpeechJob.ChunkPlan
            if let limit = model?.max_characters, source.characters > limit {
                chunks = SpeechJob.ChunkPlan { let chunker = source.chunker(limit: limit); return chunker.next }.fitting(limit: limit, model: request.modelID)
            } else {
                chunks = SpeechJob.ChunkPlan.fixed([chapter.text]).fitting(limit: model?.max_characters, model: request.modelID)
            }
            var job = SpeechJob(chunks: chunks, request: request, quickBody: nil, session: pipeline.session, context: context,
                                cache: options.useCache ? try AudioCache(context: context, config: options.config) : nil, captionsPath: captions)
            job.quiet = options.quiet
            return job
        }

        mutating func count(_ job: SpeechJob, chapter: PlannedChapter, index: Int, of count: Int, progress: ProgressLine) {
            metrics.credits = (metrics.credits ?? 0) + (job.metrics.credits ?? 0)
            if let id = job.metrics.request_id { metrics.request_id = id }
            done += chapter.characters
            timeLeft.sample(done: done)
            progress.interruptedSummary("\(index + 1) of \(count) chapters done, \(Output.grouped(metrics.credits ?? 0)) credits spent"
                                        + (options.useCache ? "; what was bought is cached, so a rerun buys only the rest" : ""))
            progress.draw("chapter \(index + 1)/\(count) done, \(min(100, done * 100 / max(1, total)))% of \(Output.grouped(total)) chars, \(timeLeft.text(total: total))")
        }

        /// Every chapter into one output: an MP3 file gets its tag (chapters with their times) first,
        /// patched with the real times before the file appears; a WAV its cue points.
        mutating func whole(_ plan: [PlannedChapter], document: Document, artist: String, marks: Bool, player: Player?) throws {
            let out = try pipeline.output(format: options.format, player: player)
            let progress = ProgressLine(pipeline.inv, context)
            let highlighter = pipeline.highlighter(player)
            let tag = marks ? ID3Tag(title: document.title ?? plan.first?.title, artist: artist, album: document.title, cover: options.cover) : nil
            let spokenBefore = self
            var counted = self
            try SpeechPipeline.transfer(into: out, highlighter: highlighter, progress: progress) {
                let job = try DocumentCommand.speakChapters(plan.map { ($0.title, $0.text) }, into: out, tag: tag,
                                                            captionsPath: options.captionsPath, highlighter: highlighter,
                                                            makeJob: { try spokenBefore.job(plan[$0], captions: options.captionsPath) },
                                                            after: { i, job in counted.count(job, chapter: plan[i], index: i, of: plan.count, progress: progress) })
                counted.metrics.bytes = job.metrics.bytes
                counted.metrics.audio_seconds = job.metrics.audio_seconds
                counted.metrics.first_sound_ms = job.metrics.first_sound_ms
            }
            self = counted
            progress.finish("elevenlabs: \(plan.count) chapter\(plan.count == 1 ? "" : "s"), \(Output.grouped(total)) characters, \(Output.grouped(metrics.credits ?? 0)) credits")
        }

        /// `--split-chapters`: a file per chapter, each tagged as a track of the album, then the
        /// playlist; each file appears whole as its chapter completes.
        mutating func split(_ plan: [PlannedChapter], document: Document, artist: String, player: Player?) throws {
            let names = DocumentCommand.chapterFiles(plan.map(\.title), output: options.output ?? "", format: options.format)
            let progress = ProgressLine(pipeline.inv, context)
            var entries: [(seconds: Double, title: String, file: String)] = []
            for (i, chapter) in plan.enumerated() {
                try Signals.check()
                let out = try AudioOutput(format: options.format, path: names.files[i], wrapWAV: options.wrapWAV, player: nil, context: context)
                if options.format.codec == .mp3 {
                    let tag = ID3Tag(title: chapter.title, artist: artist, album: document.title ?? plan.first?.title,
                                     track: "\(i + 1)/\(plan.count)", cover: options.cover)
                    try out.writeFileHeader(tag.bytes)
                    out.measuresMP3 = true
                }
                var job = try job(chapter, captions: nil)
                try SpeechPipeline.transfer(into: out, highlighter: nil, progress: progress) { try job.run(into: out) }
                entries.append((out.writtenSeconds, chapter.title, names.files[i]))
                count(job, chapter: chapter, index: i, of: plan.count, progress: progress)
                metrics.bytes += job.metrics.bytes
                if !options.quiet { progress.clear(); context.err("elevenlabs: wrote \(names.files[i])\n") }
            }
            // Extended M3U: each track's length and title, then its name relative to the playlist.
            var m3u = "#EXTM3U\n"
            if let title = document.title { m3u += "#PLAYLIST:\(DocumentCommand.safeName(title))\n" }
            for e in entries {
                let file = e.file.split(separator: "/").last.map(String.init) ?? e.file
                m3u += "#EXTINF:\(Int(e.seconds.rounded())),\(DocumentCommand.safeName(e.title))\n\(file)\n"
            }
            try AtomicFile.write(Array(m3u.utf8), to: names.playlist)
            progress.finish("elevenlabs: \(plan.count) chapter files and \(names.playlist), \(Output.grouped(metrics.credits ?? 0)) credits")
        }
    }
}
