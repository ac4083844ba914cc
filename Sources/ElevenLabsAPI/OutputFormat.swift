// The API's output formats as a type: codec, sample rate and bit rate parsed once from the
// `output_format` name (CONTRACT.md §8), with what follows from them (the file extension, whether the
// service sends it as a stream, which plan it needs). Code asks the type, never the name's prefix.

public struct OutputFormat: Hashable, Sendable, CustomStringConvertible, Codable {
    public enum Codec: String, Sendable, CaseIterable {
        case mp3, pcm, wav, ulaw, alaw, opus
    }

    public let codec: Codec
    /// Samples per second.
    public let sampleRate: Int
    /// Kilobits per second, for the compressed codecs (MP3, Opus).
    public let kbps: Int?

    /// The name the API takes (`mp3_44100_128`).
    public var name: String { kbps.map { "\(codec.rawValue)_\(sampleRate)_\($0)" } ?? "\(codec.rawValue)_\(sampleRate)" }
    public var description: String { name }

    /// Parses an `output_format` name; nil for anything that is not one of the API's formats.
    public init?(_ name: String) {
        guard let known = OutputFormat.all.first(where: { $0.name == name }) else { return nil }
        self = known
    }

    private init(_ codec: Codec, _ rate: Int, _ kbps: Int? = nil) { self.codec = codec; sampleRate = rate; self.kbps = kbps }

    /// Every REST output_format (CONTRACT.md §8); the streaming endpoint takes all but wav_*.
    public static let all: [OutputFormat] =
        [(22050, 32), (24000, 48), (44100, 32), (44100, 64), (44100, 96), (44100, 128), (44100, 192)].map { OutputFormat(.mp3, $0.0, $0.1) }
        + [8000, 16000, 22050, 24000, 32000, 44100, 48000].map { OutputFormat(.pcm, $0) }
        + [OutputFormat(.ulaw, 8000), OutputFormat(.alaw, 8000)]
        + [32, 64, 96, 128, 192].map { OutputFormat(.opus, 48000, $0) }
        + [8000, 16000, 22050, 24000, 32000, 44100, 48000].map { OutputFormat(.wav, $0) }

    /// Every plan may use it (contract §8).
    public static let safeDefault = OutputFormat(.mp3, 44100, 128)
    /// What `.wav` streams as: PCM every plan has (44.1 kHz needs Pro), wrapped in a RIFF header by the client.
    public static let wavStream = OutputFormat(.pcm, 24000)

    /// The service sends wav_* only as a whole file (with its own header), never as a stream.
    public var isWholeFile: Bool { codec == .wav }
    /// Raw 16-bit mono PCM, as pcm_* is.
    public var isRawPCM: Bool { codec == .pcm }
    /// Whether the service's character timings can be matched to the audio as it streams.
    public var carriesTimings: Bool { codec != .wav && codec != .opus }

    /// The file extension this format is saved under.
    public var fileExtension: String { codec.rawValue }

    /// How long `bytes` of this format play (MP3 and Opus at their constant bit rate; a wav_* file's
    /// 44-byte header is the caller's to leave out).
    public func seconds(bytes: Int) -> Double {
        switch codec {
        case .mp3, .opus: return Double(bytes * 8) / Double((kbps ?? 128) * 1000)
        case .pcm, .wav: return Double(bytes) / Double(2 * sampleRate)
        case .ulaw, .alaw: return Double(bytes) / Double(sampleRate)
        }
    }

    /// The format a file name asks for, or nil for an extension this tool does not know.
    public static func forFile(_ path: String) -> OutputFormat? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "mp3": return safeDefault
        case "wav": return wavStream
        case "pcm", "raw": return OutputFormat(.pcm, 24000)
        case "ulaw", "mulaw", "ul": return OutputFormat(.ulaw, 8000)
        case "alaw", "al": return OutputFormat(.alaw, 8000)
        case "opus", "ogg": return OutputFormat(.opus, 48000, 128)
        default: return nil
        }
    }

    /// Whether a file named for `other` can hold this format: the same codec, or PCM that goes into
    /// a `.wav` as the service's own wav_* would.
    public func fits(fileOf other: OutputFormat) -> Bool {
        codec == other.codec || (other == OutputFormat.wavStream && codec == .wav)
    }

    /// The plan a format needs (contract §8: "MP3 with 192kbps bitrate requires ... Creator tier or
    /// above. PCM and WAV formats with 44.1kHz sample rate requires ... Pro tier or above"; 48 kHz
    /// is taken to need Pro as well, UNCONFIRMED), or nil when every plan has it.
    public var planNeeded: String? {
        if codec == .mp3 && kbps == 192 { return "creator" }
        if (codec == .pcm || codec == .wav) && sampleRate >= 44100 { return "pro" }
        return nil
    }

    public static let tierOrder = ["free", "starter", "creator", "pro", "scale", "business"]

    public func allowed(onTier tier: String) -> Bool {
        guard let needs = planNeeded else { return true }
        let have = Self.tierOrder.firstIndex(of: tier.lowercased()) ?? Self.tierOrder.count // an unknown plan: above those listed
        return have >= (Self.tierOrder.firstIndex(of: needs) ?? 0)
    }

    /// Encoded as its name, as the API and every JSON this tool writes spell it.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let name = try c.decode(String.self)
        guard let known = OutputFormat(name) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an output format: \(name)")
        }
        self = known
    }
}
