// The RIFF header written for .wav output: exact sizes while they fit in 32 bits, and the streaming
// header ("until the end of the file") past 4 GiB, never a size that wrapped around.
import Testing
@testable import ElevenLabsCLI

@Suite struct WAVHeaderTests {
    func le32(_ h: [UInt8], _ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(h[at + $1]) << (8 * $1) } }

    @Test func sizesAreExactWhileTheyFit() {
        let h = AudioFormats.wavHeader(sampleRate: 24000, dataBytes: 48_000)
        #expect(h.count == 44)
        #expect(le32(h, 4) == 36 + 48_000 && le32(h, 40) == 48_000 && le32(h, 24) == 24000)
        let edge = AudioFormats.wavHeader(sampleRate: 24000, dataBytes: 0xFFFF_FFFF - 36)
        #expect(le32(edge, 4) == 0xFFFF_FFFF && le32(edge, 40) == 0xFFFF_FFFF - 36)
    }

    @Test func audioPastFourGiBGetsTheStreamingHeader() {
        // 4.8 GB once claimed 504,891,904 bytes (the size modulo 2^32).
        for bytes in [4_800_000_000, 0xFFFF_FFFF - 35, Int.max, -1] {
            let h = AudioFormats.wavHeader(sampleRate: 24000, dataBytes: bytes)
            #expect(le32(h, 4) == 0xFFFF_FFFF && le32(h, 40) == 0xFFFF_FFFF, "\(bytes)")
        }
    }
}
