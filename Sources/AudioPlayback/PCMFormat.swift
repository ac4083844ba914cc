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

/// A failure of the audio layer. `kind` says what failed, so the program using it can give advice in
/// its own terms; the message says what happened, in the library's words.
public struct AudioError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The device could not be opened (no sound card, no such PCM, busy).
        case deviceUnavailable
        /// The device refused the stream's sample format, rate or channels.
        case formatRejected
        /// Writing to the device failed mid-stream.
        case deviceFailed
        /// The bytes were not decodable audio.
        case decode
    }
    public let kind: Kind
    public let device: String?
    public let message: String
    public init(_ kind: Kind, _ message: String, device: String? = nil) {
        self.kind = kind; self.message = message; self.device = device
    }
    public var description: String { message }
}
