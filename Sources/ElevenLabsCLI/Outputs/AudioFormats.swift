// How the CLI treats the core's OutputFormat: what can be played without another program (and how
// its bytes reach ALSA), a few words on each format, and the RIFF header written when PCM is saved as .wav.
import AudioPlayback
import ElevenLabsAPI

enum AudioFormats {
    /// Every format's name, for the option table's choices and completions.
    static let names: [String] = OutputFormat.all.map(\.name)

    /// How a format's bytes reach ALSA.
    enum Playback: Equatable {
        /// Decoded by mpg123 first.
        case decodeMP3
        /// Handed to the device as they are (PCM and G.711).
        case direct(PCMFormat)
    }

    /// How to play this format, or nil when it cannot be played directly (wav_* and Opus).
    static func playback(_ format: OutputFormat) -> Playback? {
        switch format.codec {
        case .mp3: return .decodeMP3
        case .pcm: return .direct(PCMFormat(sampleRate: format.sampleRate, channels: 1))
        case .ulaw: return .direct(PCMFormat(sampleRate: 8000, channels: 1, encoding: .muLaw))
        case .alaw: return .direct(PCMFormat(sampleRate: 8000, channels: 1, encoding: .aLaw))
        case .wav, .opus: return nil
        }
    }

    /// The PCM that playing this format hands to ALSA: MP3 decodes to 16-bit mono at its sample rate.
    static func decodedFormat(_ format: OutputFormat) -> PCMFormat? {
        switch playback(format) {
        case .direct(let direct): return direct
        case .decodeMP3: return PCMFormat(sampleRate: format.sampleRate, channels: 1)
        case nil: return nil
        }
    }

    /// A 44-byte RIFF/WAVE header for 16-bit mono PCM. `dataBytes` nil writes the maximum sizes,
    /// which players read as "until the end" (for streams whose length is not known yet).
    /// `trailing`: bytes of chunks after the audio (an audiobook's `cue ` and `LIST`), counted in
    /// the RIFF size.
    static func wavHeader(sampleRate: Int, channels: Int = 1, dataBytes: Int?, trailing: Int = 0) -> [UInt8] {
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        // RIFF sizes are 32-bit: audio past 4 GiB gets the streaming header ("until the end of the
        // file", which players and sox honour) rather than a size that wrapped around.
        let size = dataBytes.flatMap { (0...(0xFFFF_FFFF - 36 - trailing)).contains($0) ? $0 : nil }
        return Array("RIFF".utf8) + le32(size.map { 36 + $0 + trailing } ?? 0xFFFF_FFFF) + Array("WAVE".utf8)
            + Array("fmt ".utf8) + le32(16) + le16(1) + le16(channels) + le32(sampleRate) + le32(sampleRate * 2 * channels)
            + le16(2 * channels) + le16(16)
            + Array("data".utf8) + le32(size ?? 0xFFFF_FFFF)
    }

    /// A few words on what the format is.
    static func describe(_ format: OutputFormat) -> String {
        let rate = "\(Output.decimal(Double(format.sampleRate) / 1000)) kHz"
        switch format.codec {
        case .mp3: return "MP3 \(rate) \(format.kbps.map { "\($0) kbps" } ?? "")"
        case .pcm: return "raw 16-bit PCM \(rate)"
        case .wav: return "WAV \(rate) (whole files only)"
        case .ulaw: return "G.711 mu-law 8 kHz"
        case .alaw: return "G.711 A-law 8 kHz"
        case .opus: return "Opus \(format.kbps.map { "\($0) kbps" } ?? "")"
        }
    }

    /// A WAV's chapter marks, after its audio: a `cue ` chunk with a point at each chapter's first
    /// sample frame, and a `LIST` `adtl` chunk with each point's label (its title), as sound editors
    /// and players that show markers read them. Chunks are padded to even sizes.
    static func wavCues(_ marks: [(title: String, frame: Int)]) -> [UInt8] {
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        var cue = le32(marks.count)
        for (i, m) in marks.enumerated() {
            // id, position, "data", chunk start, block start, sample offset
            cue += le32(i + 1) + le32(m.frame) + Array("data".utf8) + le32(0) + le32(0) + le32(m.frame)
        }
        var adtl = Array("adtl".utf8)
        for (i, m) in marks.enumerated() {
            var text = Array(m.title.utf8) + [0]
            let size = 4 + text.count
            if text.count % 2 == 1 { text.append(0) }
            adtl += Array("labl".utf8) + le32(size) + le32(i + 1) + text
        }
        return Array("cue ".utf8) + le32(cue.count) + cue + Array("LIST".utf8) + le32(adtl.count) + adtl
    }
}
