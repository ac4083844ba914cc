// Output formats: the API's `output_format` names, what a file extension asks for, what can be
// played without another program, and the RIFF header written when PCM is saved as .wav.
import AudioPlayback

enum AudioFormats {
    /// Every REST output_format (CONTRACT.md §8); the streaming endpoint takes all but wav_*.
    static let all: [String] = [
        "mp3_22050_32", "mp3_24000_48", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128",
        "mp3_44100_192", "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_32000", "pcm_44100",
        "pcm_48000", "ulaw_8000", "alaw_8000", "opus_48000_32", "opus_48000_64", "opus_48000_96",
        "opus_48000_128", "opus_48000_192", "wav_8000", "wav_16000", "wav_22050", "wav_24000",
        "wav_32000", "wav_44100", "wav_48000",
    ]
    /// Every plan may use it (contract §8).
    static let safeDefault = "mp3_44100_128"
    /// How long `bytes` of this format play (MP3 at its constant bit rate).
    static func seconds(bytes: Int, format: String) -> Double {
        let parts = format.split(separator: "_")
        switch codec(format) {
        case "mp3": return Double(bytes * 8) / Double((Int(parts.last ?? "") ?? 128) * 1000)
        case "pcm": return Double(bytes) / Double(2 * sampleRate(format))
        case "ulaw", "alaw": return Double(bytes) / Double(sampleRate(format))
        default: return 0
        }
    }

    /// The file extension for a format (batch outputs are named from it).
    static func fileExtension(_ format: String) -> String {
        switch codec(format) {
        case "pcm": return "pcm"
        case "wav": return "wav"
        case "ulaw": return "ulaw"
        case "alaw": return "alaw"
        case "opus": return "opus"
        default: return "mp3"
        }
    }

    /// What `.wav` streams as: PCM every plan has (44.1 kHz needs Pro), wrapped in a RIFF header here.
    static let wavStreamFormat = "pcm_24000"

    static func codec(_ format: String) -> String { String(format.prefix { $0 != "_" }) }
    static func sampleRate(_ format: String) -> Int {
        Int(format.split(separator: "_").dropFirst().first ?? "") ?? 44100
    }

    /// The format a file name asks for, or nil for an extension this tool does not know.
    static func forExtension(_ path: String) -> String? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "mp3": return safeDefault
        case "wav": return wavStreamFormat
        case "pcm", "raw": return "pcm_24000"
        case "ulaw", "mulaw", "ul": return "ulaw_8000"
        case "alaw", "al": return "alaw_8000"
        case "opus", "ogg": return "opus_48000_128"
        default: return nil
        }
    }

    /// How to hand this format's bytes to ALSA, or nil when it cannot be played directly.
    static func playback(_ format: String) -> PCMFormat?? {
        switch codec(format) {
        case "mp3": return .some(nil) // decoded by mpg123 first
        case "pcm": return PCMFormat(sampleRate: sampleRate(format), channels: 1)
        case "ulaw": return PCMFormat(sampleRate: 8000, channels: 1, encoding: .muLaw)
        case "alaw": return PCMFormat(sampleRate: 8000, channels: 1, encoding: .aLaw)
        default: return nil
        }
    }

    /// The PCM that playing this format hands to ALSA: MP3 decodes to 16-bit mono at its sample rate.
    static func decodedFormat(_ format: String) -> PCMFormat? {
        switch playback(format) {
        case .some(.some(let direct)): return direct
        case .some(.none): return PCMFormat(sampleRate: sampleRate(format), channels: 1)
        case .none: return nil
        }
    }

    /// A 44-byte RIFF/WAVE header for 16-bit mono PCM. `dataBytes` nil writes the maximum sizes,
    /// which players read as "until the end" (for streams whose length is not known yet).
    static func wavHeader(sampleRate: Int, channels: Int = 1, dataBytes: Int?) -> [UInt8] {
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        // RIFF sizes are 32-bit: audio past 4 GiB gets the streaming header ("until the end of the
        // file", which players and sox honour) rather than a size that wrapped around.
        let size = dataBytes.flatMap { (0...(0xFFFF_FFFF - 36)).contains($0) ? $0 : nil }
        return Array("RIFF".utf8) + le32(size.map { 36 + $0 } ?? 0xFFFF_FFFF) + Array("WAVE".utf8)
            + Array("fmt ".utf8) + le32(16) + le16(1) + le16(channels) + le32(sampleRate) + le32(sampleRate * 2 * channels)
            + le16(2 * channels) + le16(16)
            + Array("data".utf8) + le32(size ?? 0xFFFF_FFFF)
    }

    /// The plan a format needs (contract §8: "MP3 with 192kbps bitrate requires ... Creator tier or
    /// above. PCM and WAV formats with 44.1kHz sample rate requires ... Pro tier or above"; 48 kHz
    /// is taken to need Pro as well, UNCONFIRMED), or nil when every plan has it.
    static func planNeeded(_ format: String) -> String? {
        if format == "mp3_44100_192" { return "creator" }
        if (format.hasPrefix("pcm_") || format.hasPrefix("wav_")) && sampleRate(format) >= 44100 { return "pro" }
        return nil
    }

    static let tierOrder = ["free", "starter", "creator", "pro", "scale", "business"]

    static func allowed(_ format: String, tier: String) -> Bool {
        guard let needs = planNeeded(format) else { return true }
        let have = tierOrder.firstIndex(of: tier.lowercased()) ?? tierOrder.count // an unknown plan: above those listed
        return have >= (tierOrder.firstIndex(of: needs) ?? 0)
    }

    /// A few words on what the format is.
    static func describe(_ format: String) -> String {
        let parts = format.split(separator: "_")
        let rate = parts.count > 1 ? "\(Double(parts[1]).map { Output.decimal($0 / 1000) } ?? String(parts[1])) kHz" : ""
        switch codec(format) {
        case "mp3": return "MP3 \(rate) \(parts.count > 2 ? "\(parts[2]) kbps" : "")"
        case "pcm": return "raw 16-bit PCM \(rate)"
        case "wav": return "WAV \(rate) (whole files only)"
        case "ulaw": return "G.711 mu-law 8 kHz"
        case "alaw": return "G.711 A-law 8 kHz"
        case "opus": return "Opus \(parts.count > 2 ? "\(parts[2]) kbps" : "")"
        default: return format
        }
    }
}
