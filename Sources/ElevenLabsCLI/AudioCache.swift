// The audio cache: audio already bought is kept under $XDG_CACHE_HOME/elevenlabs/audio, addressed
// by a SHA-256 of everything that decides it (voice, model, settings, format, language, seed,
// normalisation, the neighbouring text used for stitching, and the text), so asking again plays or
// writes it from disk with no request and no credits. Entries carry a digest of their content, so a
// damaged one is detected and fetched again; the least recently used go when the cache passes its
// cap (ELEVENLABS_CACHE_MAX_MB, default 512).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI

struct AudioCache {
    let directory: String?
    let maxBytes: Int
    /// An answer is held in memory until it is complete, then stored; a bigger one is not cached,
    /// so memory stays flat however long the audio (about 4 minutes of 128 kbps MP3 fit).
    static let maxEntryBytes = 4 << 20

    /// The largest cap ELEVENLABS_CACHE_MAX_MB may set (1 TiB).
    static let maxMB = 1_048_576

    init(context: Context) throws {
        var mb = 512.0
        if let raw = context.environment["ELEVENLABS_CACHE_MAX_MB"] {
            // inf, nan and 1e300 parse as numbers; none of them is a size.
            guard let v = Double(raw.trimmingCharacters(in: " ")), v.isFinite, (0...Double(Self.maxMB)).contains(v) else {
                throw UsageError("ELEVENLABS_CACHE_MAX_MB must be a number of MiB from 0 to \(Self.maxMB), not '\(Output.clean(raw))'",
                                 hint: "0 turns the audio cache off; the default is 512")
            }
            mb = v
        }
        maxBytes = Int(mb * 1_048_576)
        directory = Cache.root(context).map { $0 + "/audio" }
    }

    /// What decides a chunk's audio, in a fixed order; its SHA-256 names the entry.
    struct KeyMaterial: Encodable {
        /// The API's address: the sandbox's audio must never stand in for the service's.
        let server: String
        let voice_id: String
        let output_format: String
        let model_id: String
        let voice_settings: VoiceSettings?
        let language_code: String?
        let seed: Int?
        let apply_text_normalization: String?
        let previous_text: String?
        let next_text: String?
        /// Absent (not null) without dictionaries, so keys made before dictionaries existed still match.
        let pronunciation_dictionary_locators: [DictionaryLocator]?
        let text: String
    }

    static func key(_ m: KeyMaterial) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Digest.sha256Hex(Array((try? encoder.encode(m)) ?? Data(m.text.utf8)))
    }

    private func path(_ key: String) -> String? { directory.map { "\($0)/\(key).audio" } }

    /// The entry's audio and the request id it was bought with; nil when absent or damaged (a
    /// damaged entry is removed). A hit counts as a use for eviction.
    func lookup(_ key: String) -> (audio: [UInt8], requestID: String?)? {
        guard let p = path(key), let bytes = try? FileIO.read(p, limit: Self.maxEntryBytes + 4096, ownRegularFile: true) else { return nil }
        guard let nl = bytes.firstIndex(of: 10) else { unlink(p); return nil }
        let header = String(decoding: bytes[..<nl], as: UTF8.self).split(separator: " ").map(String.init)
        let audio = Array(bytes[(nl + 1)...])
        guard header.count == 4, header[0] == "elevenlabs-audio", header[1] == "1", Digest.sha256Hex(audio) == header[2], !audio.isEmpty else {
            unlink(p)
            return nil
        }
        utimes(p, nil)
        return (audio, header[3] == "-" ? nil : header[3])
    }

    /// Best effort: a cache that cannot be written only costs a request next time.
    func store(_ key: String, audio: [UInt8], requestID: String?) {
        guard maxBytes > 0, audio.count <= Self.maxEntryBytes, let dir = directory, let p = path(key), !audio.isEmpty,
              Cache.makeDirectories(dir) else { return }
        let header = "elevenlabs-audio 1 \(Digest.sha256Hex(audio)) \(requestID ?? "-")\n"
        try? AtomicFile.write(Array(header.utf8) + audio, to: p, mode: 0o600)
        evict()
    }

    struct Entry { let path: String; let bytes: Int; let used: Int }

    func entries() -> [Entry] {
        guard let dir = directory, let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out: [Entry] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".audio") else { continue }
            var st = stat()
            let p = "\(dir)/\(name)"
            if stat(p, &st) == 0 { out.append(Entry(path: p, bytes: Int(st.st_size), used: Int(st.st_mtim.tv_sec) * 1_000_000_000 + st.st_mtim.tv_nsec)) }
        }
        return out
    }

    /// Removes the least recently used entries until the cache fits its cap.
    func evict() {
        var all = entries().sorted { $0.used < $1.used }
        var total = all.reduce(0) { $0 + $1.bytes }
        while total > maxBytes, let oldest = all.first {
            unlink(oldest.path)
            total -= oldest.bytes
            all.removeFirst()
        }
    }

    func clear() -> (entries: Int, bytes: Int) {
        let all = entries()
        for e in all { unlink(e.path) }
        return (all.count, all.reduce(0) { $0 + $1.bytes })
    }
}
