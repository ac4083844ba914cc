// The shape of decoded audio handed to a sink. Only the encodings ElevenLabs produces are needed:
// signed 16-bit little-endian (MP3 decoded, pcm_*), and G.711 mu-law and A-law, which ALSA plays as is.
public struct PCMFormat: Sendable, Equatable, CustomStringConvertible {
    public enum Encoding: Sendable, Equatable { case s16le, muLaw, aLaw }
    public var sampleRate: Int
    public var channels: Int
    public var encoding: Encoding

    public init(sampleRate: Int, channels: Int, encoding: Encoding = .s16le) {
        self.sampleRate = sampleRate; self.channels = channels; self.encoding = encoding
    }

    public var bytesPerFrame: Int { channels * (encoding == .s16le ? 2 : 1) }
    public func seconds(ofBytes n: Int) -> Double { Double(n) / Double(bytesPerFrame * sampleRate) }

    public var description: String {
        let enc: String
        switch encoding { case .s16le: enc = "s16le"; case .muLaw: enc = "mu-law"; case .aLaw: enc = "A-law" }
        return "\(sampleRate) Hz \(channels == 1 ? "mono" : "\(channels) channels") \(enc)"
    }
}

public struct AudioError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let hint: String?
    public init(_ message: String, hint: String? = nil) { self.message = message; self.hint = hint }
    public var description: String { message }
}
