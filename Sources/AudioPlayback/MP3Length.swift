// The exact length of an MP3 stream from its frame headers alone (no decoding): each MPEG audio
// Layer III frame says its size and holds 1152 samples (MPEG-1) or 576 (MPEG-2 and 2.5). Bytes may
// arrive in any split; anything that is not a frame is skipped, as a decoder would resynchronise.
public struct MP3Length: Sendable {
    public private(set) var seconds = 0.0
    private var pending: [UInt8] = []

    public init() {}

    static let bitrates: [[Int]] = [
        [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0],  // MPEG-1 Layer III
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0],      // MPEG-2/2.5 Layer III
    ]
    static let rates: [[Int]] = [[44100, 48000, 32000], [22050, 24000, 16000], [11025, 12000, 8000]]

    /// (frame bytes, samples, sample rate) of a Layer III header at `i`, or nil.
    static func frame(_ b: [UInt8], _ i: Int) -> (size: Int, samples: Int, rate: Int)? {
        guard b[i] == 0xFF, b[i + 1] & 0xE0 == 0xE0 else { return nil }
        let version = (b[i + 1] >> 3) & 3          // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
        let layer = (b[i + 1] >> 1) & 3            // 1: Layer III
        let bitrateIndex = Int(b[i + 2] >> 4), rateIndex = Int((b[i + 2] >> 2) & 3), padding = Int((b[i + 2] >> 1) & 1)
        guard version != 1, layer == 1, bitrateIndex != 0, bitrateIndex != 15, rateIndex != 3 else { return nil }
        let mpeg1 = version == 3
        let kbps = bitrates[mpeg1 ? 0 : 1][bitrateIndex]
        let rate = rates[mpeg1 ? 0 : version == 2 ? 1 : 2][rateIndex]
        let samples = mpeg1 ? 1152 : 576
        return ((samples / 8) * kbps * 1000 / rate + padding, samples, rate)
    }

    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        pending.append(contentsOf: bytes)
        var i = 0
        while i + 4 <= pending.count {
            guard let f = Self.frame(pending, i) else { i += 1; continue }
            guard i + f.size <= pending.count else { break } // the rest of the frame is still to come
            seconds += Double(f.samples) / Double(f.rate)
            i += f.size
        }
        pending.removeFirst(i)
    }
}
