// The XDG cache: voice and model lists per account, so a named voice or a model id costs no extra
// round trip on later runs. Entries expire, are refreshed on a miss, are written atomically and
// privately, and are named by a hash of the base URL and key (the key itself is never stored).
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI

struct CachedModel: Codable {
    var model_id: String
    var name: String?
    var max_characters: Int?
    var credits_per_character: Double?
    /// The language codes it speaks (absent in entries cached before 0.4: refetched when needed).
    var languages: [String]? = nil
}

struct CacheEntry<T: Codable>: Codable {
    var fetched_at: Int
    var items: [T]
}

struct Cache {
    static let maxAge = 24 * 3600
    let directory: String?
    private let server: String
    private let apiKey: String

    init(context: Context, baseURL: String, apiKey: String) {
        directory = Cache.root(context)
        server = baseURL
        self.apiKey = apiKey
    }

    /// Which account an entry belongs to, without the key in the file name. Hashed only when an entry
    /// is read or written: the first SHA-256 initialises OpenSSL's providers (most of a millisecond),
    /// which a speak with a voice id or the default voice never needs before its request.
    var account: String { String(Digest.sha256Hex(server + "\n" + apiKey).prefix(16)) }

    /// `$XDG_CACHE_HOME/elevenlabs`, else `~/.cache/elevenlabs`; nil when that directory exists but
    /// is not safely ours (see `trusted`), with a warning once.
    static func root(_ context: Context) -> String? {
        let env = context.environment
        let dir: String
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") { dir = xdg + "/elevenlabs" }
        else if let home = env["HOME"], !home.isEmpty { dir = home + "/.cache/elevenlabs" }
        else { return nil }
        for d in [dir, dir + "/audio"] {
            if let problem = untrusted(d) {
                Output.warnOnce("not using the cache in \(d): \(problem)", context: context)
                return nil
            }
        }
        return dir
    }

    /// Why a cache directory cannot be trusted, or nil: what is read from it is played to the user
    /// and counted as bought, so it must be a real directory of this user that no one else can write.
    /// (A directory that does not exist yet is created private.)
    static func untrusted(_ dir: String) -> String? {
        var st = stat()
        guard lstat(dir, &st) == 0 else { return nil }
        if st.st_mode & S_IFMT != S_IFDIR { return "it is not a directory" }
        if st.st_uid != geteuid() { return "it belongs to another user" }
        if st.st_mode & (S_IWGRP | S_IWOTH) != 0 { return "others can write to it (chmod 700 \(dir) makes it usable)" }
        return nil
    }

    private func path(_ kind: String) -> String? { directory.map { "\($0)/\(kind)-\(account).json" } }

    func load<T: Codable>(_ kind: String, as: T.Type) -> [T]? {
        guard let p = path(kind), let bytes = try? FileIO.read(p, limit: 16 << 20, ownRegularFile: true),
              let entry = try? JSONReader.decode(CacheEntry<T>.self, from: bytes) else { return nil }
        let now = Int(time(nil))
        guard now - entry.fetched_at < Self.maxAge, entry.fetched_at <= now else { return nil }
        return entry.items
    }

    /// Best effort: a cache that cannot be written only costs a request next time.
    func store<T: Codable>(_ kind: String, _ items: [T]) {
        guard let dir = directory, let p = path(kind),
              let data = try? CanonicalJSON.encode(CacheEntry(fetched_at: Int(time(nil)), items: items)) else { return }
        guard Cache.makeDirectories(dir) else { return }
        try? AtomicFile.write(data, to: p, mode: 0o600)
    }

    /// mkdir -p with private (0700) folders.
    static func makeDirectories(_ dir: String) -> Bool {
        var built = ""
        for part in dir.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o700) != 0 && errno != EEXIST { return false }
        }
        return true
    }
}
