// Audio the sandbox serves, in every output_format's real encoding: MP3 as whole frames cycled from
// the embedded fixtures (no bit reservoir, so any run of frames decodes), PCM as signed 16-bit
// little-endian mono, WAV with a RIFF header, G.711 mu-law and A-law. Length follows the text,
// about 15 characters a second, and character timings are spread evenly over it.
import Foundation

struct AudioFormat: Equatable {
    enum Codec: String { case mp3, pcm, wav, ulaw, alaw, opus }
    let codec: Codec
    let sampleRate: Int
    let bitrate: Int?
    let name: String

    init?(_ name: String) {
        let parts = name.split(separator: "_")
        guard parts.count >= 2, let codec = Codec(rawValue: String(parts[0])), let rate = Int(parts[1]) else { return nil }
        self.codec = codec
        self.sampleRate = rate
        self.bitrate = parts.count > 2 ? Int(parts[2]) : nil
        self.name = name
    }

    var contentType: String {
        switch codec {
        case .mp3: return "audio/mpeg"
        case .pcm: return "audio/pcm"
        case .wav: return "audio/wav"
        case .ulaw: return "audio/basic"
        case .alaw: return "audio/x-alaw-basic"
        case .opus: return "audio/ogg"
        }
    }
}

struct SynthesizedAudio {
    var bytes: [UInt8]
    /// Offsets where a chunk may end without splitting an MP3 frame or a sample.
    var boundaries: [Int]
    var duration: Double
}

enum AudioSynth {
    static let charactersPerSecond = 15.0

    static func duration(forCharacters n: Int, speed: Double = 1.0) -> Double {
        max(0.3, Double(n) / charactersPerSecond / max(0.5, speed))
    }

    struct MP3Frames {
        let frames: [[UInt8]]
        let secondsPerFrame: Double
    }

    /// Frames of each fixture, split once at start-up.
    static let mp3Frames: [String: MP3Frames] = {
        var out: [String: MP3Frames] = [:]
        for (name, b64) in FixtureData.mp3 {
            guard let data = Data(base64Encoded: b64) else { continue }
            let frames = splitFrames([UInt8](data))
            let rate = AudioFormat(name)!.sampleRate
            let samples = rate >= 32000 ? 1152.0 : 576.0
            out[name] = MP3Frames(frames: frames.map { $0.bytes }, secondsPerFrame: samples / Double(rate))
        }
        return out
    }()

    static let opusFixture: [UInt8] = Array(Data(base64Encoded: FixtureData.opus) ?? Data())

    static func synthesize(_ format: AudioFormat, duration: Double) -> SynthesizedAudio {
        switch format.codec {
        case .mp3:
            let src = mp3Frames[format.name] ?? mp3Frames["mp3_44100_128"]!
            let count = max(1, Int((duration / src.secondsPerFrame).rounded(.up)))
            var bytes: [UInt8] = []
            var boundaries: [Int] = []
            for i in 0..<count {
                bytes += src.frames[i % src.frames.count]
                boundaries.append(bytes.count)
            }
            return SynthesizedAudio(bytes: bytes, boundaries: boundaries, duration: Double(count) * src.secondsPerFrame)
        case .pcm, .wav, .ulaw, .alaw:
            let samples = sweep(rate: format.sampleRate, count: Int((duration * Double(format.sampleRate)).rounded()))
            var bytes: [UInt8]
            var step = 2
            switch format.codec {
            case .ulaw: bytes = samples.map(muLaw); step = 1
            case .alaw: bytes = samples.map(aLaw); step = 1
            default:
                bytes = []
                bytes.reserveCapacity(samples.count * 2)
                for s in samples { bytes.append(UInt8(truncatingIfNeeded: s)); bytes.append(UInt8(truncatingIfNeeded: s >> 8)) }
            }
            var header: [UInt8] = []
            if format.codec == .wav { header = wavHeader(rate: format.sampleRate, dataBytes: bytes.count) }
            let all = header + bytes
            // Chunk boundaries every 10 ms of audio, never inside a sample.
            let stride = max(step, (format.sampleRate / 100) * step)
            let boundaries = Swift.stride(from: header.count + stride, to: all.count, by: stride).map { $0 } + [all.count]
            return SynthesizedAudio(bytes: all, boundaries: boundaries, duration: Double(samples.count) / Double(format.sampleRate))
        case .opus:
            // Real Opus in Ogg (the fixture, whatever the length asked): chunks end at Ogg pages.
            let bytes = opusFixture
            var boundaries: [Int] = []
            var i = 4
            while i + 4 <= bytes.count {
                if bytes[i] == 0x4F && bytes[i + 1] == 0x67 && bytes[i + 2] == 0x67 && bytes[i + 3] == 0x53 { boundaries.append(i) }
                i += 1
            }
            return SynthesizedAudio(bytes: bytes, boundaries: boundaries + [bytes.count], duration: 2.0)
        }
    }

    /// A 220-660 Hz sweep repeating every second: audible, and never constant, so tests comparing PCM
    /// catch dropped or repeated blocks.
    static func sweep(rate: Int, count: Int) -> [Int16] {
        var out = [Int16](repeating: 0, count: count)
        var phase = 0.0
        for i in 0..<count {
            let t = Double(i % rate) / Double(rate)
            let f = 220.0 + 440.0 * t
            phase += 2 * Double.pi * f / Double(rate)
            out[i] = Int16(12000 * sin(phase))
        }
        return out
    }

    static func wavHeader(rate: Int, dataBytes: Int) -> [UInt8] {
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        return Array("RIFF".utf8) + le32(36 + dataBytes) + Array("WAVE".utf8)
            + Array("fmt ".utf8) + le32(16) + le16(1) + le16(1) + le32(rate) + le32(rate * 2) + le16(2) + le16(16)
            + Array("data".utf8) + le32(dataBytes)
    }

    /// G.711 mu-law (ITU-T G.711, with the usual bias of 0x84).
    static func muLaw(_ sample: Int16) -> UInt8 {
        var s = Int(sample)
        let sign = s < 0 ? 0x80 : 0
        if s < 0 { s = -s }
        s = min(s, 32635) + 0x84
        var exponent = 7
        var mask = 0x4000
        while exponent > 0 && s & mask == 0 { exponent -= 1; mask >>= 1 }
        let mantissa = (s >> (exponent + 3)) & 0x0F
        return UInt8(~(sign | (exponent << 4) | mantissa) & 0xFF)
    }

    /// G.711 A-law.
    static func aLaw(_ sample: Int16) -> UInt8 {
        var s = Int(sample) >> 3
        let sign = s >= 0 ? 0x80 : 0
        if s < 0 { s = -s - 1 }
        var out: Int
        if s < 32 {
            out = s >> 1
        } else {
            var exponent = 1
            var v = s >> 5
            while v > 1 && exponent < 7 { v >>= 1; exponent += 1 }
            out = (exponent << 4) | ((s >> exponent) & 0x0F)
        }
        return UInt8((out | sign) ^ 0x55)
    }

    struct Frame { let bytes: [UInt8] }

    /// Splits an MPEG audio layer III stream into frames using the header's bit rate and sample rate.
    static func splitFrames(_ data: [UInt8]) -> [Frame] {
        let v1Rates = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
        let v2Rates = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
        let sampleRates = [3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]]
        var frames: [Frame] = []
        var i = 0
        while i + 4 <= data.count {
            guard data[i] == 0xFF, data[i + 1] & 0xE0 == 0xE0 else { i += 1; continue }
            let version = Int(data[i + 1] >> 3) & 3
            let bitrateIndex = Int(data[i + 2] >> 4)
            let rateIndex = Int(data[i + 2] >> 2) & 3
            let padding = Int(data[i + 2] >> 1) & 1
            guard version != 1, bitrateIndex > 0, bitrateIndex < 15, rateIndex < 3,
                  let rate = sampleRates[version]?[rateIndex] else { i += 1; continue }
            let kbps = (version == 3 ? v1Rates : v2Rates)[bitrateIndex]
            let length = (version == 3 ? 144 : 72) * kbps * 1000 / rate + padding
            guard length > 4, i + length <= data.count else { break }
            frames.append(Frame(bytes: Array(data[i..<(i + length)])))
            i += length
        }
        return frames
    }

    /// Character timings spread evenly over the audio (seconds), as the with-timestamps endpoints give.
    static func alignment(for text: String, duration: Double, offset: Double = 0) -> [String: Any] {
        let chars = text.map { String($0) }
        let step = chars.isEmpty ? 0 : duration / Double(chars.count)
        let starts = chars.indices.map { offset + Double($0) * step }
        let ends = chars.indices.map { offset + Double($0 + 1) * step }
        return ["characters": chars,
                "character_start_times_seconds": starts.map(round3),
                "character_end_times_seconds": ends.map(round3)]
    }

    static func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
}
