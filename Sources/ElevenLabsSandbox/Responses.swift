// Building answers the way the real service shapes them: JSON with `content-type: application/json`,
// `{"detail":{"status","message"}}` application errors, FastAPI's 422 array, and streamed bodies
// with pacing and injected cuts and stalls.
import Foundation
import FlyingFox
import FlyingSocks

enum Reply {
    static func encode(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    static func json(_ status: Int, _ object: Any, headers: [String: String] = [:], malformed: Bool = false,
                     hostile: UInt64? = nil) -> HTTPResponse {
        var data = encode(hostile.map { HostileValues.mutate(object, seed: $0) } ?? object)
        if malformed { data = data.prefix(max(1, data.count / 2)) }
        var h = HTTPHeaders()
        h[HTTPHeader("content-type")] = "application/json"
        h[HTTPHeader("x-trace-id")] = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        h[HTTPHeader("x-region")] = "sandbox"
        for (k, v) in headers { h[HTTPHeader(k)] = v }
        return HTTPResponse(statusCode: statusCode(status), headers: h, body: data)
    }

    static func error(_ status: Int, _ code: String, _ message: String, headers: [String: String] = [:]) -> HTTPResponse {
        json(status, ["detail": ["status": code, "message": message]], headers: headers)
    }

    /// FastAPI/pydantic v2 validation error: `{"detail":[{"type","loc","msg","input"}]}`.
    static func validation(_ issues: [[String: Any]]) -> HTTPResponse {
        json(422, ["detail": issues])
    }

    static func issue(_ type: String, _ loc: [Any], _ msg: String, input: Any? = nil) -> [String: Any] {
        var d: [String: Any] = ["type": type, "loc": loc, "msg": msg]
        d["input"] = input ?? NSNull()
        return d
    }

    static func notFound() -> HTTPResponse { json(404, ["detail": "Not Found"]) }
    static func methodNotAllowed() -> HTTPResponse { json(405, ["detail": "Method Not Allowed"]) }

    static func gatewayPage() -> HTTPResponse {
        let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n"
        var h = HTTPHeaders()
        h[HTTPHeader("content-type")] = "text/html"
        return HTTPResponse(statusCode: statusCode(502), headers: h, body: Data(html.utf8))
    }

    static func statusCode(_ code: Int) -> HTTPStatusCode {
        let phrases = [200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                       405: "Method Not Allowed", 408: "Request Timeout", 422: "Unprocessable Entity",
                       429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
                       503: "Service Unavailable", 504: "Gateway Timeout"]
        return HTTPStatusCode(code, phrase: phrases[code] ?? "Status")
    }
}

/// A body sent in chunks that end on frame or sample boundaries, with the faults' pacing, cut and stall.
struct PacedBody: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8
    let bytes: [UInt8]
    let boundaries: [Int]
    let chunkSize: Int
    let delay: Double
    let cutAfter: Int?
    let stallAfter: Int?
    let token: InFlightToken?

    struct Cut: Error {}

    func makeAsyncIterator() -> Iterator { Iterator(body: self) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        let body: PacedBody
        var offset = 0
        var boundaryIndex = 0

        mutating func next() async throws -> UInt8? {
            guard let b = try await nextBuffer(suggested: 1)?.first else { return nil }
            return b
        }

        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
            if offset >= body.bytes.count { body.token?.release(); return nil }
            if let cut = body.cutAfter, offset >= cut { body.token?.release(); throw Cut() }
            if let stall = body.stallAfter, offset >= stall {
                body.token?.release()
                try await Task.sleep(nanoseconds: 3_600_000_000_000)
                throw Cut()
            }
            if offset > 0 && body.delay > 0 { try await Task.sleep(nanoseconds: UInt64(body.delay * 1e9)) }
            // The largest frame boundary within one chunk size, or the next one when a frame is bigger.
            let target = offset + Swift.max(1, body.chunkSize)
            var end: Int
            if body.boundaries.isEmpty {
                end = Swift.min(body.bytes.count, target)
            } else {
                while boundaryIndex < body.boundaries.count && body.boundaries[boundaryIndex] <= offset { boundaryIndex += 1 }
                var j = boundaryIndex
                end = -1
                while j < body.boundaries.count && body.boundaries[j] <= target { end = body.boundaries[j]; j += 1 }
                if end < 0 { end = j < body.boundaries.count ? body.boundaries[j] : body.bytes.count }
            }
            if let cut = body.cutAfter { end = Swift.min(end, Swift.max(cut, offset + 1)) }
            if let stall = body.stallAfter { end = Swift.min(end, Swift.max(stall, offset + 1)) }
            let chunk = Array(body.bytes[offset..<end])
            offset = end
            return chunk
        }
    }
}

/// multipart/form-data, parsed the way a server must: boundary from the content type, each part's
/// Content-Disposition name and filename, and its bytes untouched.
enum Multipart {
    static func boundary(from contentType: String?) -> String? {
        guard let ct = contentType, ct.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for param in ct.split(separator: ";").dropFirst() {
            let kv = param.trimmingCharacters(in: .whitespaces)
            if kv.lowercased().hasPrefix("boundary=") {
                var b = String(kv.dropFirst("boundary=".count))
                if b.hasPrefix("\""), b.hasSuffix("\""), b.count >= 2 { b = String(b.dropFirst().dropLast()) }
                return b
            }
        }
        return nil
    }

    static func parse(_ body: Data, boundary: String) -> [RecordedRequest.Part]? {
        let bytes = [UInt8](body)
        let delimiter = Array("--\(boundary)".utf8)
        var positions: [Int] = []
        var i = 0
        while i + delimiter.count <= bytes.count {
            if bytes[i] == delimiter[0] && Array(bytes[i..<(i + delimiter.count)]) == delimiter {
                positions.append(i); i += delimiter.count
            } else { i += 1 }
        }
        guard positions.count >= 2 else { return nil }
        var parts: [RecordedRequest.Part] = []
        for (a, b) in zip(positions, positions.dropFirst()) {
            var start = a + delimiter.count
            guard start + 2 <= bytes.count, bytes[start] == 13, bytes[start + 1] == 10 else { continue }
            start += 2
            var end = b
            if end >= 2 && bytes[end - 2] == 13 && bytes[end - 1] == 10 { end -= 2 }
            guard let sep = find([13, 10, 13, 10], in: bytes, from: start, to: end) else { return nil }
            let head = String(decoding: bytes[start..<sep], as: UTF8.self)
            var name: String?, filename: String?, type: String?
            for line in head.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    name = param("name", in: line)
                    filename = param("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    type = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            guard let n = name else { return nil }
            parts.append(.init(name: n, filename: filename, contentType: type, body: Data(bytes[(sep + 4)..<end])))
        }
        return parts
    }

    private static func param(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";") {
            let kv = piece.trimmingCharacters(in: .whitespaces)
            if kv.hasPrefix("\(key)=") {
                var v = String(kv.dropFirst(key.count + 1))
                if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
                return v
            }
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], from: Int, to: Int) -> Int? {
        var i = from
        while i + needle.count <= to {
            if hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}

/// Extreme and malicious values for a server's JSON, chosen by a seed: every number may become
/// Int.max, Int.min, a date far past year 9999, or ±1e300; every string may become an escape
/// sequence, empty, very long, or a line break. Keys and the document's shape stay, so a client
/// decodes it and has to cope with the values.
enum HostileValues {
    private static let counter = Counter()
    final class Counter: @unchecked Sendable { // `n` is only touched with `lock` held
        private let lock = NSLock()
        private var n: UInt64 = 0
        func next() -> UInt64 { lock.lock(); defer { lock.unlock() }; n &+= 1; return n }
    }

    static let strings: [String] = ["\u{1B}]2;TITLE\u{07}\u{1B}[2J", "", String(repeating: "A", count: 20_000), "line\r\nbreak",
                                    "\u{9B}31m", "..", "\u{202E}reversed", "\u{0}nul"]

    static func integer(_ i: UInt64) -> Int {
        let all = [Int.max, Int.min, -Int.max, 0, -1, 67_768_036_191_676_799, 4_294_967_296, 1]
        return all[Int(i % UInt64(all.count))]
    }
    static func double(_ i: UInt64) -> Double {
        let all = [1e300, -1e300, 0, -1, 1e-300, Double.greatestFiniteMagnitude, 9.2e18]
        return all[Int(i % UInt64(all.count))]
    }

    /// A with-timestamps line from a hostile server: its timings and segments mutated, its audio
    /// left whole, so the client's handling of the numbers is what gets tried.
    static func timedLine(_ line: [String: Any], seed: UInt64?) -> [String: Any] {
        guard let seed else { return line }
        var rest = line
        let audio = rest.removeValue(forKey: "audio_base64")
        var out = mutate(rest, seed: seed) as? [String: Any] ?? rest
        out["audio_base64"] = audio
        return out
    }

    static func mutate(_ object: Any, seed: UInt64) -> Any {
        var rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ counter.next())
        // Some seeds change most values, others a few, so documents still decode and get rendered.
        let oneIn = 2 + seed % 7
        return walk(object, &rng, oneIn: oneIn)
    }

    private static func walk(_ value: Any, _ rng: inout SplitMix64, oneIn: UInt64) -> Any {
        switch value {
        case let d as [String: Any]: return d.mapValues { walk($0, &rng, oneIn: oneIn) }
        case let a as [Any]: return a.map { walk($0, &rng, oneIn: oneIn) }
        case is Bool: return value
        case is Int, is Int64, is UInt64:
            return rng.next() % oneIn == 0 ? integer(rng.next()) : value
        case is Double, is Float:
            return rng.next() % oneIn == 0 ? double(rng.next()) : value
        case is String:
            return rng.next() % oneIn == 0 ? strings[Int(rng.next() % UInt64(strings.count))] : value
        default: return value
        }
    }
}

/// A small seeded generator (SplitMix64), so generated data repeats; the tests use it too.
public struct SplitMix64 {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    /// A number in 0..<n.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
