// `elevenlabs speak`: text to sound or to a file. Everything local is checked before the first
// request (text, options, output path, audio device), the voice name costs no round trip once
// cached, and audio is played or written as it arrives. Files appear only when complete.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport

enum SpeakCommand {
    /// The request body of the text-to-speech endpoints; unset fields are omitted.
    struct Body: Encodable {
        let text: String
        let model_id: String
        let voice_settings: VoiceSettings?
        let language_code: String?
        let seed: Int?
        let apply_text_normalization: String?
    }

    /// say's default speaking rate; `-r WPM` scales the API's speed from it.
    static let sayDefaultWPM = 175.0
    static let speedRange = 0.7...1.2
    static let defaultModel = "eleven_multilingual_v2"
    /// The smallest per-request limit of any current model: shorter texts need no model lookup.
    static let smallestModelLimit = 3_000

    struct Metrics: Encodable {
        var voice_id = ""
        var model_id = ""
        var output_format = ""
        var first_byte_ms: Int?
        var first_sound_ms: Int?
        var audio_seconds: Double?
        var real_time_factor: Double?
        var bytes = 0
        var credits: Int?
        var request_id: String?
    }

    static func run(_ inv: Invocation, _ context: Context) throws {
        if inv.value("voice") == "?" { try VoicesCommand.list(inv, context); return }
        if inv.value("device") == "?" { try listDevices(context); return }

        // 1. Everything that can be checked locally, so bad input never costs a request.
        let config = try Session.loadConfig(inv, context)
        let settings = try voiceSettings(inv)
        let language = try languageCode(inv)
        let seed = try inv.integer("seed", in: 0...4_294_967_295)
        let input = try TextInput.read(inv, context)
        let output = inv.value("output")
        let explicitFormat = inv.value("format") ?? config?["format"]
        if let f = explicitFormat, !AudioFormats.all.contains(f) {
            let near = nearest(f, in: AudioFormats.all).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown format '\(f)'\(near)", hint: "'elevenlabs speak --help' lists the formats", command: "speak")
        }
        var format: String
        var wrapWAV = false
        if let output, output != "-" {
            let byExtension = AudioFormats.forExtension(output)
            guard explicitFormat != nil || byExtension != nil else {
                throw UsageError("cannot tell the audio format from the name '\(output)'",
                                 hint: "use .mp3, .wav, .pcm, .ulaw, .alaw or .opus, or name the format with --format", command: "speak")
            }
            format = explicitFormat ?? byExtension!
            wrapWAV = explicitFormat == nil && output.lowercased().hasSuffix(".wav")
            // A directory that cannot take the file fails now, not after the audio was paid for.
            try AtomicFile(path: output).discard()
        } else {
            if output == "-" && context.stdoutIsTerminal {
                throw UsageError("refusing to write audio to a terminal", hint: "redirect it (-o - > file.mp3) or pipe it to a player", command: "speak")
            }
            format = explicitFormat ?? AudioFormats.safeDefault
        }
        let play = output == nil || inv.flag("play")
        if play && AudioFormats.playback(format) == nil {
            throw UsageError("\(format) cannot be played directly", hint: "play mp3_*, pcm_*, ulaw_8000 or alaw_8000, or write it to a file with -o", command: "speak")
        }
        if format.hasPrefix("wav_") && inv.flag("play") {
            throw UsageError("--play cannot be used with a wav_* format", hint: "write .wav to play it as it arrives", command: "speak")
        }

        // 2. The device opens on the player's thread while the request connects; the request body is
        // held back until it is open, so a bad device still costs nothing (see HTTPRequest.beforeBody).
        let device = inv.value("device") ?? context.environment["ELEVENLABS_DEVICE"] ?? config?["device"] ?? "default"
        let player = play ? Player(device: device, expected: AudioFormats.decodedFormat(format), isInterrupted: Signals.isPending) : nil
        defer { player?.abort() }

        // 3. The request body, encoded while libcurl initialises (CurlRuntime.warmUp), then the account:
        // key, voice and model.
        let modelID = inv.value("model") ?? context.environment["ELEVENLABS_MODEL"] ?? config?["model"] ?? defaultModel
        let body = try ElevenLabsClient.jsonBody(Body(
            text: input.text, model_id: modelID, voice_settings: settings.isEmpty ? nil : settings,
            language_code: language, seed: seed, apply_text_normalization: inv.value("text-normalization")))
        let session = try Session(inv, context, config: config)
        let voiceInput = inv.value("voice") ?? context.environment["ELEVENLABS_VOICE"] ?? config?["voice"]
        let voiceID: String
        if let voiceInput {
            voiceID = VoiceResolver.looksLikeID(voiceInput) ? voiceInput : try session.voiceResolver.resolve(voiceInput).voice_id
        } else {
            voiceID = VoiceResolver.defaultVoiceID
        }
        try checkModel(modelID, explicit: inv.value("model") != nil, characters: input.text.count, session: session)

        // 4. The request, played and/or written as it arrives.
        var metrics = Metrics(voice_id: voiceID, model_id: modelID)
        var attemptFormat = format
        var refetched = false
        while true {
            do {
                metrics = try transfer(body: body, voiceID: voiceID, format: attemptFormat, output: output, wrapWAV: wrapWAV,
                                       player: player, session: session, context: context, metrics: metrics,
                                       measureAudio: inv.flag("metrics"))
                break
            } catch let e as AudioStreamBroken where !play && output != "-" && !refetched {
                // Only a file was being written, and it was discarded: fetch the audio again into a
                // clean one rather than fail. (Playing or stdout cannot take the audio back.)
                refetched = true
                if !inv.flag("quiet") {
                    let detail = (e.underlying as? CurlError)?.message ?? "\(e.underlying)"
                    context.err("elevenlabs: the audio stream broke off (\(detail)); fetching it again into a clean file\n")
                }
            } catch let e as APIError where e.code == "output_format_not_allowed" && output == nil && attemptFormat != AudioFormats.safeDefault {
                // Only playing: any format sounds the same to the listener, so fall back to one every plan has.
                if !inv.flag("quiet") {
                    context.err("elevenlabs: \(attemptFormat) is not included in your plan; playing \(AudioFormats.safeDefault) instead\n")
                }
                attemptFormat = AudioFormats.safeDefault
            }
        }
        if inv.flag("metrics") { try report(metrics, json: inv.flag("json"), context: context) }
    }

    // MARK: The transfer

    final class Sinks {
        var file: AtomicFile?
        var decoder: MP3Decoder?
        var decodedSeconds = 0.0
    }

    static func transfer(body: HTTPRequest.Body, voiceID: String, format: String, output: String?, wrapWAV: Bool, player: Player?,
                         session: Session, context: Context, metrics: Metrics, measureAudio: Bool) throws -> Metrics {
        var metrics = metrics
        metrics.output_format = format
        let sinks = Sinks()
        defer { sinks.file?.discard() }
        if let output, output != "-" {
            sinks.file = try AtomicFile(path: output)
            if wrapWAV { try AudioFormats.wavHeader(sampleRate: AudioFormats.sampleRate(format), dataBytes: nil).withUnsafeBytes { try sinks.file!.write($0) } }
        }
        let isMP3 = AudioFormats.codec(format) == "mp3"
        if isMP3 && (player != nil || measureAudio) { sinks.decoder = try MP3Decoder() }
        let direct = AudioFormats.playback(format) ?? nil

        let path = "/v1/text-to-speech/\(percentEncode(voiceID))" + (format.hasPrefix("wav_") ? "" : "/stream")
        let started = monotonicSeconds()
        let head = try session.client.streamAudio(
            path: path, query: [("output_format", format)], body: body,
            beforeBody: { try player?.waitUntilReady() },
            onHead: { _ in metrics.first_byte_ms = Int((monotonicSeconds() - started) * 1000) },
            onAudio: { chunk in
                try Signals.check()
                metrics.bytes += chunk.count
                if let file = sinks.file { try file.write(chunk) }
                if output == "-" { try context.stdout.write(chunk) }
                if let decoder = sinks.decoder {
                    try decoder.feed(chunk) { pcm, samples in
                        sinks.decodedSeconds += pcm.seconds(ofBytes: samples.count)
                        try player?.play(pcm, samples)
                    }
                } else if let direct {
                    try player?.play(direct, chunk)
                }
            })
        let transferSeconds = monotonicSeconds() - started
        metrics.request_id = head.value(for: "request-id")
        metrics.credits = head.value(for: "character-cost").flatMap { Int($0) }
        guard metrics.bytes > 0 else {
            throw CLIError("the server sent no audio", hint: "try again; if it persists, try another --format", exit: .failure)
        }

        try player?.finish()
        try Signals.check()
        if let file = sinks.file {
            if wrapWAV {
                try file.patch(AudioFormats.wavHeader(sampleRate: AudioFormats.sampleRate(format), dataBytes: file.bytesWritten - 44), at: 0)
            }
            try file.commit()
        }

        if let first = player?.firstWrite { metrics.first_sound_ms = Int((first - context.startTime) * 1000) }
        if let decoded = sinks.decoder.map({ _ in sinks.decodedSeconds }) {
            metrics.audio_seconds = decoded
        } else if let direct {
            metrics.audio_seconds = direct.seconds(ofBytes: metrics.bytes)
        } else if format.hasPrefix("wav_") {
            metrics.audio_seconds = Double(max(0, metrics.bytes - 44)) / Double(2 * AudioFormats.sampleRate(format))
        }
        if let seconds = metrics.audio_seconds, seconds > 0 {
            metrics.audio_seconds = (seconds * 1000).rounded() / 1000
            metrics.real_time_factor = (transferSeconds / seconds * 1000).rounded() / 1000
        }
        return metrics
    }

    // MARK: Checks

    static func voiceSettings(_ inv: Invocation) throws -> VoiceSettings {
        var s = VoiceSettings()
        s.stability = try inv.double("stability", in: 0...1)
        s.similarityBoost = try inv.double("similarity-boost", in: 0...1)
        s.style = try inv.double("style", in: 0...1)
        if inv.flag("speaker-boost") && inv.flag("no-speaker-boost") {
            throw UsageError("--speaker-boost and --no-speaker-boost contradict each other", command: "speak")
        }
        if inv.flag("speaker-boost") { s.useSpeakerBoost = true }
        if inv.flag("no-speaker-boost") { s.useSpeakerBoost = false }
        s.speed = try inv.double("speed", in: speedRange)
        if let rate = try inv.double("rate", in: 1...10_000) {
            guard s.speed == nil else { throw UsageError("give either --rate or --speed, not both", command: "speak") }
            let speed = rate / sayDefaultWPM
            let lo = Int((speedRange.lowerBound * sayDefaultWPM).rounded(.up)), hi = Int((speedRange.upperBound * sayDefaultWPM).rounded(.down))
            guard speedRange.contains(speed) else {
                throw UsageError("--rate \(Output.decimal(rate)) is outside what the voices can do", hint: "use \(lo) to \(hi) words per minute (\(Int(sayDefaultWPM)) is normal)", command: "speak")
            }
            s.speed = (speed * 100).rounded() / 100
        }
        return s
    }

    static func languageCode(_ inv: Invocation) throws -> String? {
        guard let code = inv.value("language") else { return nil }
        guard (2...3).contains(code.count), code.allSatisfy({ $0.isASCII && $0.isLowercase }) else {
            throw UsageError("--language needs an ISO 639-1 code such as en, de or ja, not '\(code)'", command: "speak")
        }
        return code
    }

    /// An unknown model is refused before any text is sent. The default model with a short text needs
    /// no check at all, which keeps the common case free of extra round trips.
    static func checkModel(_ id: String, explicit: Bool, characters: Int, session: Session) throws {
        if !explicit && id == defaultModel && characters <= smallestModelLimit { return }
        var models = try session.models()
        if !models.contains(where: { $0.model_id == id }) { models = try session.models(refresh: true) }
        guard let model = models.first(where: { $0.model_id == id }) else {
            let near = nearest(id, in: models.map(\.model_id), maxDistance: 6).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown model '\(id)'\(near)", hint: "'elevenlabs models' lists them", command: "speak")
        }
        if let limit = model.max_characters, characters > limit {
            throw CLIError("the text is \(Output.grouped(characters)) characters, but \(id) takes at most \(Output.grouped(limit)) per request",
                           hint: "split the text, or use a model with a higher limit ('elevenlabs models')", exit: .input)
        }
    }

    static func listDevices(_ context: Context) throws {
        let devices = ALSASink.devices()
        if devices.isEmpty { context.err("elevenlabs: ALSA lists no playback devices\n"); return }
        try context.out(Output.table(["DEVICE", "DESCRIPTION"], devices.map { [$0.name, $0.description] }, context: context))
    }

    static func report(_ m: Metrics, json: Bool, context: Context) throws {
        if json { context.err(try Output.json(m)); return }
        var parts: [String] = []
        if let v = m.first_byte_ms { parts.append("first byte \(v) ms") }
        if let v = m.first_sound_ms { parts.append("first sound \(v) ms") }
        if let v = m.audio_seconds { parts.append("\(Output.decimal(v)) s of audio") }
        if let v = m.real_time_factor { parts.append("real-time factor \(Output.decimal(v))") }
        parts.append("\(Output.grouped(m.bytes)) bytes")
        if let v = m.credits { parts.append("\(v) credits") }
        if let v = m.request_id { parts.append("request \(v)") }
        context.err("elevenlabs: " + parts.joined(separator: ", ") + "\n")
    }
}
