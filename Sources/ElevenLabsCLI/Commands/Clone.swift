// `elevenlabs clone`: instant voice cloning from your own recordings, and editing a cloned voice.
// Samples are checked locally (present, readable, non-empty, audio by their first bytes) before
// anything is uploaded; the upload shows progress on a terminal.
import ElevenLabsAPI
import ThreadSupport

enum CloneCommand {
    /// What the service accepts per sample; bigger files are refused before uploading.
    static let maxSampleBytes = 50 << 20

    static func run(_ inv: Invocation, _ context: Context) throws {
        if inv.operands.first == "edit" { try edit(inv, context); return }
        guard inv.operands.count >= 2 else {
            throw UsageError("'clone' needs a name and at least one sample file", hint: "elevenlabs clone NAME FILE...", command: "clone")
        }
        if inv.value(.name) != nil { throw UsageError("--name is for 'clone edit'; the new voice's name is the first argument", command: "clone") }
        let name = inv.operands[0]
        let samples = try inv.operands.dropFirst().map(checkSample)
        let labels = try parseLabels(inv)
        let session = try Session(inv, context)
        try session.voiceResolver.refuseDuplicate(name, allowed: inv.flag(.allowDuplicate))
        showUploadProgress(session, context)
        let added = try session.client.addVoice(name: name, samples: samples, labels: labels, description: inv.value(.description),
                                                removeBackgroundNoise: inv.flag(.removeBackgroundNoise))
        // The voice list changed: forget the cached one so the new name resolves at once.
        session.cache.store("voices", [VoiceRef]())
        if session.json {
            struct Out: Encodable { let voice_id: String; let name: String; let requires_verification: Bool }
            try context.out(Output.json(Out(voice_id: added.voiceID, name: name, requires_verification: added.requiresVerification)))
            return
        }
        try context.out(added.voiceID + "\n")
        if !inv.flag(.quiet) {
            context.err("elevenlabs: created voice '\(Output.clean(name))' from \(samples.count) sample\(samples.count == 1 ? "" : "s")"
                        + (added.requiresVerification ? "; it needs verification in the ElevenLabs dashboard before use" : "") + "\n")
        }
    }

    static func edit(_ inv: Invocation, _ context: Context) throws {
        guard inv.operands.count >= 2 else {
            throw UsageError("'clone edit' needs the voice's name or id", hint: "elevenlabs clone edit NAME|ID [--name NEW] [FILE...]", command: "clone")
        }
        let samples = try inv.operands.dropFirst(2).map(checkSample)
        let labels = try parseLabels(inv)
        let session = try Session(inv, context)
        let voice = try session.voiceResolver.resolveExact(inv.operands[1], action: "edit")
        try VoiceResolver.refusePremade(voice, "edited")
        if let renamed = inv.value(.name) {
            try session.voiceResolver.refuseDuplicate(renamed, allowed: inv.flag(.allowDuplicate), except: voice.voice_id)
        }
        if !samples.isEmpty { showUploadProgress(session, context) }
        let full = try session.client.voice(id: voice.voice_id)
        try session.client.editVoice(id: voice.voice_id, name: inv.value(.name) ?? full.name, samples: samples,
                                     labels: labels ?? full.labels, description: inv.value(.description) ?? full.description,
                                     removeBackgroundNoise: inv.flag(.removeBackgroundNoise))
        session.cache.store("voices", [VoiceRef]())
        if session.json {
            struct Out: Encodable { let voice_id: String; let status: String }
            try context.out(Output.json(Out(voice_id: voice.voice_id, status: "ok")))
        } else if !inv.flag(.quiet) {
            context.err("elevenlabs: updated voice '\(Output.clean(inv.value(.name) ?? full.name))' (\(voice.voice_id))\n")
        }
    }

    /// On a terminal, a one-line progress display while the samples upload.
    static func showUploadProgress(_ session: Session, _ context: Context) {
        guard context.stderrIsTerminal, !session.invocation.flag(.quiet) else { return }
        let last = Monitor(-1)
        session.setUploadProgress { sent, total in
            let percent = Int(sent * 100 / max(1, total))
            guard last.note({ p in defer { p = percent }; return p != percent }) else { return }
            let mb = { (n: Int64) in Output.decimal((Double(n) / 1e5).rounded() / 10) }
            context.err("\relevenlabs: uploading \(percent)% (\(mb(sent)) of \(mb(total)) MB)" + (sent >= total ? "\n" : ""))
        }
    }

    static func parseLabels(_ inv: Invocation) throws -> [String: String]? {
        let raw = inv.all(.label)
        guard !raw.isEmpty else { return nil }
        var labels: [String: String] = [:]
        for item in raw {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw UsageError("--label needs KEY=VALUE, not '\(item)'", hint: "e.g. --label accent=irish", command: "clone")
            }
            labels[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return labels
    }

    /// A sample must exist, be readable, not be empty or huge, and look like audio. It is read once,
    /// whole, and those bytes are what is uploaded.
    static func checkSample(_ path: String) throws -> ElevenLabsClient.Sample {
        let head: [UInt8]
        do { head = try FileIO.read(path, limit: maxSampleBytes) } catch let e as FileError {
            throw CLIError("cannot use the sample \(e)", hint: "give readable audio files (MP3, WAV, FLAC, OGG, M4A)", exit: .input)
        }
        guard !head.isEmpty else { throw CLIError("the sample \(path) is empty", exit: .input) }
        guard let type = audioType(head) else {
            throw CLIError("the sample \(path) does not look like audio", hint: "give MP3, WAV, FLAC, OGG, M4A or WebM recordings", exit: .input)
        }
        let filename = path.split(separator: "/").last.map(String.init) ?? path
        return ElevenLabsClient.Sample(path: path, filename: filename, contentType: type, bytes: head)
    }

    /// The audio container, told by its first bytes (not its name).
    static func audioType(_ b: [UInt8]) -> String? {
        func starts(_ s: String, at offset: Int = 0) -> Bool {
            let m = Array(s.utf8)
            return b.count >= offset + m.count && Array(b[offset..<(offset + m.count)]) == m
        }
        if starts("ID3") || (b.count > 1 && b[0] == 0xFF && b[1] & 0xE0 == 0xE0 && b[1] & 0x06 != 0) { return "audio/mpeg" }
        if starts("RIFF") && starts("WAVE", at: 8) { return "audio/wav" }
        if starts("fLaC") { return "audio/flac" }
        if starts("OggS") { return "audio/ogg" }
        if starts("ftyp", at: 4) { return "audio/mp4" }
        if b.count > 3 && b[0] == 0x1A && b[1] == 0x45 && b[2] == 0xDF && b[3] == 0xA3 { return "audio/webm" }
        if b.count > 1 && b[0] == 0xFF && (b[1] & 0xF6) == 0xF0 { return "audio/aac" }
        return nil
    }
}
