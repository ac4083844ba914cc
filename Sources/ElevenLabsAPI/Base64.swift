// Base64 (RFC 4648, the standard alphabet, padded) for the WebSocket handshake's key and the audio
// that the timed and WebSocket answers carry as text. Decoding is as strict as Foundation's
// `Data(base64Encoded:)`, which it replaces (the program does not link Foundation): the length a
// multiple of four, padding only at the end, nothing outside the alphabet; else nil.

public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    /// Each byte's value in the alphabet, 0xFF for a byte outside it.
    private static let values: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = input.count - i
        if rest > 0 {
            let n = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)],
                    rest == 2 ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="), UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(bytes: $0) }
    }

    static func decode(bytes input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard input.count % 4 == 0 else { return nil }
        if input.isEmpty { return [] }
        var padding = 0
        if input[input.count - 1] == UInt8(ascii: "=") { padding += 1 }
        if input[input.count - 2] == UInt8(ascii: "=") { padding += 1 }
        guard padding == 0 || input[input.count - 1] == UInt8(ascii: "=") else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(input.count / 4 * 3 - padding)
        let table = values
        var i = 0
        while i < input.count {
            let last = i + 4 == input.count
            let a = table[Int(input[i])], b = table[Int(input[i + 1])]
            let c = last && padding == 2 ? 0 : table[Int(input[i + 2])]
            let d = last && padding >= 1 ? 0 : table[Int(input[i + 3])]
            guard a < 64, b < 64, c < 64, d < 64 else { return nil }
            let n = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            out.append(UInt8(n >> 16 & 0xFF))
            if !(last && padding == 2) { out.append(UInt8(n >> 8 & 0xFF)) }
            if !(last && padding >= 1) { out.append(UInt8(n & 0xFF)) }
            i += 4
        }
        return out
    }
}
