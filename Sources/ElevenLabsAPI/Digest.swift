// SHA-256, for naming cache entries without ever writing the API key itself, and for checking what
// the audio cache holds. Short inputs (a request's identity, an account) are digested here in Swift:
// OpenSSL's first digest initialises its providers, 0.4 to 0.8 ms, and a cache key is needed before
// the request can leave. Audio, megabytes of it, goes through libcrypto (already loaded by libcurl),
// whose context is made only when the first bytes arrive, after the player has them.
import CCrypto
import ThreadSupport

public enum Digest {
    /// Up to `swiftLimit` bytes in Swift (no OpenSSL set-up before a sentence's request leaves);
    /// longer ones, such as a long text's part with the text before it, through libcrypto, about
    /// twenty times faster per byte once set up.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        if bytes.count <= swiftLimit { return hex(SHA256Small.digest(bytes)) }
        let stream = SHA256Stream()
        bytes.withUnsafeBytes { stream.update($0) }
        return stream.finishHex()
    }
    static let swiftLimit = 4096
    public static func sha256Hex(_ s: String) -> String { sha256Hex(Array(s.utf8)) }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// FIPS 180-4 SHA-256, one shot, for inputs of a few hundred bytes (tested against libcrypto's).
enum SHA256Small {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        // Padding: a 1 bit, zeros to 56 mod 64, then the length in bits, big-endian.
        var data = message
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        let bits = UInt64(message.count) &* 8
        for i in (0..<8).reversed() { data.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
        var w = [UInt32](repeating: 0, count: 64)
        // Unchecked buffers in the rounds: with array subscripts (bounds checks, and the static
        // table's lazy access) a 60,000-character text's part keys cost 21 million instructions.
        data.withUnsafeBufferPointer { d in
            k.withUnsafeBufferPointer { k in
                w.withUnsafeMutableBufferPointer { w in
                    for block in stride(from: 0, to: d.count, by: 64) {
                        for t in 0..<16 {
                            let i = block + t * 4
                            w[t] = UInt32(d[i]) << 24 | UInt32(d[i + 1]) << 16 | UInt32(d[i + 2]) << 8 | UInt32(d[i + 3])
                        }
                        for t in 16..<64 {
                            let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                            let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                        }
                        var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
                        for t in 0..<64 {
                            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                            let ch = (e & f) ^ (~e & g)
                            let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
                            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                            let maj = (a & b) ^ (a & c) ^ (b & c)
                            let t2 = s0 &+ maj
                            hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
                        }
                        h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
                        h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
                    }
                }
            }
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - UInt32($0) * 8)) } }
    }

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
}

/// SHA-256 over data that arrives in pieces (OpenSSL's EVP API), so a digest of any length needs no
/// more memory than one piece. The context is made at the first piece (or at the end), not when the
/// stream is: a cache entry's stream is made before its request leaves.
public final class SHA256Stream {
    private var ctx: OpaquePointer?

    public init() {}

    private static let prepared = Monitor(false)

    /// Has OpenSSL set SHA-256 up (its provider's one-time work: about 0.4 ms the first time, then
    /// nothing) on a thread of its own, once per process. Called as a request leaves, so that the
    /// first piece of audio, whose digest starts a cache entry, does not pay it on the thread that
    /// hands audio to the player: there it held the player back 0.9 ms (bench/NOTES.md, "#29, round four").
    public static func prepareInBackground() {
        let first = prepared.note { done -> Bool in defer { done = true }; return !done }
        guard first else { return }
        DetachedThread.startDetached {
            guard let c = EVP_MD_CTX_new() else { return } // the real use reports it
            _ = EVP_DigestInit_ex(c, EVP_sha256(), nil)
            EVP_MD_CTX_free(c)
        }
    }

    deinit { if let ctx { EVP_MD_CTX_free(ctx) } }

    private func context() -> OpaquePointer {
        if let ctx { return ctx }
        guard let c = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        // SHA-256 is always in libcrypto's default provider; without it nothing here could work.
        guard EVP_DigestInit_ex(c, EVP_sha256(), nil) == 1 else { fatalError("EVP_DigestInit_ex(SHA-256) failed") }
        ctx = c
        return c
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count > 0 { _ = EVP_DigestUpdate(context(), bytes.baseAddress, bytes.count) } // cannot fail once initialised
    }

    /// The digest in lower-case hex; the stream is spent afterwards.
    public func finishHex() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(context(), &digest, &length) // cannot fail once initialised
        return Digest.hex(digest.prefix(Int(length)))
    }
}
