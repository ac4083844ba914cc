// The Swift SHA-256 used for short inputs (cache keys, account names) against FIPS 180-4's examples
// and against libcrypto's, at every length around the padding's edges and on random bytes: a wrong
// digest would silently make every cached entry unreachable.
import Testing
@testable import ElevenLabsAPI

@Suite struct DigestTests {
    func libcrypto(_ bytes: [UInt8]) -> String {
        let s = SHA256Stream()
        bytes.withUnsafeBytes { s.update($0) }
        return s.finishHex()
    }

    @Test func knownAnswers() {
        #expect(Digest.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func agreesWithLibcrypto() {
        var generator = SystemRandomNumberGenerator()
        // Either side of Digest.swiftLimit, where long inputs go to libcrypto: the Swift rounds are
        // checked at every length on their own as well.
        for length in Array(0...130) + [255, 256, 1000, 4095, 4096, 4097, 70_001] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let theirs = libcrypto(bytes)
            #expect(Digest.sha256Hex(bytes) == theirs, "length \(length)")
            #expect(Digest.hex(SHA256Small.digest(bytes)) == theirs, "Swift rounds, length \(length)")
        }
    }

    @Test func anUnusedStreamStillDigestsNothing() {
        #expect(SHA256Stream().finishHex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
