// The audio cache: audio already bought is kept under $XDG_CACHE_HOME/elevenlabs/audio, addressed
// by a SHA-256 of everything that decides it (voice, model, settings, format, language, seed,
// normalisation, the neighbouring text used for stitching, and the text), so asking again plays or
// writes it from disk with no request and no credits. Entries carry a digest of their key and their
// content, so a damaged entry, or one moved under another entry's name (text A would play B's
// audio), is detected and fetched again; the least recently used go when the cache passes its
// cap (ELEVENLABS_CACHE_MAX_MB, default 512).
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI

struct AudioCache {
    let directory: String?
    let maxBytes: Int
    /// The largest cap ELEVENLABS_CACHE_MAX_MB may set (1 TiB).
    static let maxMB = 1_048_576

    /// The cap comes from ELEVENLABS_CACHE_MAX_MB, else `cache_max_mb` in the config file, else 512.
    init(context: Context, config: ConfigFile?) throws {
        var mb = 512.0
        let fromEnvironment = context.environment["ELEVENLABS_CACHE_MAX_MB"]
        if let raw = fromEnvironment ?? config?["cache_max_mb"] {
            let source = fromEnvironment != nil ? "ELEVENLABS_CACHE_MAX_MB" : "cache_max_mb (\(config!.source(of: "cache_max_mb")))"
            guard let v = Self.megabytes(raw) else {
                throw UsageError("\(source) must be a number of MiB from 0 to \(Self.maxMB), not '\(Output.clean(raw))'",
                                 hint: "0 turns the audio cache off; the default is 512")
            }
            mb = v
        }
        maxBytes = Int(mb * 1_048_576)
        directory = Cache.root(context).map { $0 + "/audio" }
    }

    /// A cap in MiB, or nil: inf, nan and 1e300 parse as numbers, but none of them is a size.
    static func megabytes(_ raw: String) -> Double? {
        guard let v = Double(raw.trimmingCharacters(in: " ")), v.isFinite, (0...Double(maxMB)).contains(v) else { return nil }
        return v
    }

    /// A request's two possible entries: its audio alone, and its audio with timings (which can
    /// stand in for the audio alone).
    struct Keys { let plain: String; let timed: String }

    /// The entries' names for a request: the SHA-256 of its identity (RequestIdentity, made from the
    /// body it sends) with the API's address, so the sandbox's audio never stands in for the
    /// service's. `timings` is absent (not false) for audio alone, so the keys of entries made
    /// before timings were cached still match.
    static func keys(_ identity: RequestIdentity, server: String) throws -> Keys {
        let plain = identity.adding(["server": .string(server)])
        return Keys(plain: try plain.digest(), timed: try plain.adding(["timings": .bool(true)]).digest())
    }

    private func path(_ key: String) -> String? { directory.map { "\($0)/\(key).audio" } }

    /// Entries are written as the audio arrives, so any length is cached with memory flat. Format 3:
    /// a header of exactly `headerBytes` bytes (`elevenlabs-audio 3 DIGEST LENGTH REQUEST-ID`, padded
    /// with spaces, ending in a newline), patched in place once the audio is complete, then the audio.
    /// DIGEST is the SHA-256 of the entry's key, a newline and the audio, so the entry proves which
    /// request it answers. Formats 1 and 2 (a digest of the audio alone) cannot, and are fetched again.
    static let headerBytes = 192

    /// A cached answer, checked whole (digest and length) before anything is played or written: a
    /// damaged entry is removed and bought again, never half-played. The file stays open, so a
    /// writer replacing the entry meanwhile (a new file renamed over it) cannot change what is read.
    final class Hit {
        let requestID: String?
        private let fd: Int32
        private let offset: Int
        private let length: Int

        fileprivate init(fd: Int32, offset: Int, length: Int, requestID: String?) {
            self.fd = fd; self.offset = offset; self.length = length; self.requestID = requestID
        }
        deinit { if fd >= 0 { close(fd) } }

        /// Hands the audio over in pieces of at most 64 KiB.
        func stream(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var at = 0
            while at < length {
                let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, min($0.count, length - at), off_t(offset + at)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw CLIError("the audio cache entry could not be read (\(FileIO.errnoText()))", exit: .failure) }
                try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                at += n
            }
        }
    }

    /// The entry for `key`, verified; nil when absent, not ours, or damaged (then removed). A hit
    /// counts as a use for eviction.
    /// Whether an entry exists that can answer the request (not checked: for estimates, where a
    /// damaged entry costs one refetch).
    func has(_ keys: Keys, timed: Bool) -> Bool {
        func exists(_ key: String) -> Bool { path(key).map(FileIO.exists) ?? false }
        return exists(keys.timed) || (!timed && exists(keys.plain))
    }

    func lookup(_ key: String) -> Hit? {
        guard let p = path(key) else { return nil }
        // Without following links or blocking (a FIFO planted in the cache must not hang us), and only
        // a regular file of this user.
        let fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == geteuid() else { close(fd); return nil }
        let size = Int(st.st_size)
        func damaged() -> Hit? { close(fd); unlink(p); return nil }
        var head = [UInt8](repeating: 0, count: min(size, Self.headerBytes))
        guard head.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, $0.count, 0) }) == head.count, let nl = head.firstIndex(of: 10) else { return damaged() }
        let fields = String(decoding: head[..<nl], as: UTF8.self).split(separator: " ").map(String.init)
        guard fields.count == 5, fields[0] == "elevenlabs-audio", fields[1] == "3",
              nl == Self.headerBytes - 1, Int(fields[3]) == size - Self.headerBytes else { return damaged() }
        let (offset, digest, requestID) = (Self.headerBytes, fields[2], fields[4])
        let length = size - offset
        guard length > 0 else { return damaged() }
        // First pass: the digest of the key and everything, before a byte is used.
        let hash = SHA256Stream()
        Array((key + "\n").utf8).withUnsafeBytes { hash.update($0) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var at = 0
        while at < length {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, min($0.count, length - at), off_t(offset + at)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return damaged() }
            buffer.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            at += n
        }
        guard hash.finishHex() == digest else { return damaged() }
        utimes(p, nil)
        return Hit(fd: fd, offset: offset, length: length, requestID: requestID == "-" ? nil : requestID)
    }

    /// Writes one entry as its audio arrives: into a private temporary file in the cache directory,
    /// digested on the way, renamed into place only when complete. Any failure (a full disk, an
    /// entry larger than the whole cache, a broken stream) leaves no entry. Several runs writing the
    /// same entry each use their own file; the last complete one to be renamed wins, and a reader
    /// never sees a partial one.
    final class Writer {
        private var fd: Int32
        private let temp: String
        private let final: String
        private let cap: Int
        private let hash = SHA256Stream()
        private var length = 0
        private let cache: AudioCache

        fileprivate init?(cache: AudioCache, directory: String, final: String, key: String, cap: Int) {
            temp = "\(directory)/.\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).tmp"
            fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { return nil }
            self.final = final; self.cap = cap; self.cache = cache
            let placeholder = [UInt8](repeating: 0x20, count: AudioCache.headerBytes)
            guard writeAll(placeholder) else { discard(); return nil }
            // The entry answers this key only: the digest starts with it, at the first audio (not
            // here, before the request has left: the digest's set-up is OpenSSL's first use).
            keyLine = Array((key + "\n").utf8)
        }

        /// The key's line, until the digest is started with it.
        private var keyLine: [UInt8]?

        private func startDigest() {
            if let line = keyLine { line.withUnsafeBytes { hash.update($0) }; keyLine = nil }
        }

        deinit { discard() }

        private func writeAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return true
        }
        private func writeAll(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { writeAll($0) } }

        /// Appends audio; on any failure the entry is given up (playing and the file go on).
        func write(_ bytes: [UInt8]) { bytes.withUnsafeBytes { write($0) } }

        func write(_ chunk: UnsafeRawBufferPointer) {
            guard fd >= 0 else { return }
            length += chunk.count
            guard length <= cap, writeAll(chunk) else { discard(); return }
            startDigest()
            hash.update(chunk)
        }

        /// The audio is complete: the header is written and the entry put in place.
        @discardableResult
        func commit(requestID: String?) -> Bool {
            guard fd >= 0, length > 0 else { discard(); return false }
            // Only a plain id goes into the header (it is read back split on spaces).
            let id = requestID.flatMap { (try? pathID($0)) } ?? "-"
            startDigest()
            var header = Array("elevenlabs-audio 3 \(hash.finishHex()) \(length) \(id)".utf8)
            guard header.count < AudioCache.headerBytes else { discard(); return false }
            header += [UInt8](repeating: 0x20, count: AudioCache.headerBytes - 1 - header.count) + [10]
            let wrote = header.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            guard wrote == header.count, close(fd) == 0 else { discard(); return false }
            fd = -1
            if rename(temp, final) != 0 { unlink(temp); return false }
            cache.evict()
            return true
        }

        /// Gives the entry up: nothing is left behind.
        func discard() {
            if fd >= 0 { close(fd); fd = -1; unlink(temp) }
        }
    }

    /// A writer for `key`'s entry; nil when the cache is off or cannot be written (best effort: a
    /// cache that cannot be written only costs a request next time).
    func writer(for key: String) -> Writer? {
        guard maxBytes > 0, let dir = directory, let p = path(key), Cache.makeDirectories(dir) else { return nil }
        return Writer(cache: self, directory: dir, final: p, key: key, cap: maxBytes)
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

    /// Removes the least recently used entries until the cache fits its cap, and temporary files a
    /// crashed run left (older than an hour).
    func evict() {
        if let dir = directory, let d = opendir(dir) {
            let now = Int(time(nil))
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard name.hasPrefix("."), name.hasSuffix(".tmp") else { continue }
                var st = stat()
                let p = "\(dir)/\(name)"
                if lstat(p, &st) == 0, now - Int(st.st_mtim.tv_sec) > 3600 { unlink(p) }
            }
            closedir(d)
        }
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
