// SHA-256 from OpenSSL's libcrypto (already loaded by libcurl), for naming cache entries without
// ever writing the API key itself.
import CCrypto

public enum Digest {
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = SHA256(bytes, bytes.count, &digest)
        let hex = Array("0123456789abcdef")
        return String(digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }
    public static func sha256Hex(_ s: String) -> String { sha256Hex(Array(s.utf8)) }
}
