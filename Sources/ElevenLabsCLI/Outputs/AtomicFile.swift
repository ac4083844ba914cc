// Output files behave like the shell's `>`, without its half-written files: a regular file (new, or
// existing, or reached through a symlink, which stays a link) is written to a hidden temporary file
// beside its target and renamed over it only once complete, keeping an existing file's mode and
// owner; a FIFO or character device is written directly, as a stream. `check` proves a path usable
// before any audio is bought, and changes nothing on disk (a dry run creates no directory).
//
// Links are followed as the kernel follows them for `>` with `fs.protected_symlinks` on: a link in a
// sticky world-writable directory (/tmp) is followed only when it belongs to us or to the directory's
// owner, so another user's planted link can never make us overwrite a file of ours. The final target
// is opened with O_NOFOLLOW, so a link swapped in after the check is refused rather than followed.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI

final class AtomicFile {
    /// The path as the user gave it (for messages).
    let path: String
    /// Where the bytes really go: `path` with symlinks followed.
    let target: String
    /// True for FIFOs and character devices: written in place, never renamed, never rewound.
    let isStream: Bool
    private(set) var tempPath: String?
    private var fd: Int32
    private var committed = false
    private(set) var bytesWritten = 0
    /// An existing regular file's mode and owner, given back to the replacement.
    private var previous: (mode: mode_t, uid: uid_t, gid: gid_t)?
    /// An explicit mode (private cache files), set whatever the umask.
    private let mode: mode_t?

    /// Fails, before anything is bought, when `path` cannot take a file: a directory, a block
    /// device, a directory that cannot be created, or one that is not writable.
    /// `createDirs` (--create-dirs): any missing directories may be made; without it only the last
    /// level may be missing (see `checkDirectory`).
    static func check(_ path: String, createDirs: Bool = false) throws {
        let target = try resolve(path)
        var st = stat()
        if lstat(target, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                throw CLIError("cannot write \(path): it is a directory", hint: "give a file name inside it, or --out-dir \(path) for one file per input", exit: .usage)
            case S_IFIFO, S_IFCHR:
                guard access(target, W_OK) == 0 else { throw CLIError("cannot write \(path): \(FileIO.errnoText())", exit: .input) }
                return
            case S_IFREG: break
            default:
                throw CLIError("cannot write \(path): it is not a regular file, a FIFO or a character device", exit: .input)
            }
        }
        // The directory, or the nearest one that exists when it is still to be made (only when the
        // audio is really written: a dry run leaves the disk as it was).
        let dir = try checkDirectory(directory(of: target), for: path, createDirs: createDirs)
        guard access(dir, W_OK) == 0 else {
            throw CLIError("cannot write \(path): the directory \(dir) is not writable (\(FileIO.errnoText()))", exit: .input)
        }
    }

    /// `mode`: a private file of this program's own (a cache entry) with exactly this mode: it never
    /// follows a link nor writes into a FIFO or device found in its place, but replaces it.
    init(path: String, mode: mode_t? = nil) throws {
        self.path = path
        self.mode = mode
        target = mode == nil ? try Self.resolve(path) : path
        var st = stat()
        let exists = mode == nil ? lstat(target, &st) == 0 : false
        let type = st.st_mode & S_IFMT
        if exists && (type == S_IFIFO || type == S_IFCHR) {
            isStream = true
            fd = open(target, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { throw CLIError("cannot write \(path): \(FileIO.errnoText())", exit: .input) }
            return
        }
        if exists && type == S_IFLNK {
            // resolve() ended at a name that was not a link a moment ago.
            throw CLIError("cannot write \(path): the file was replaced by a symbolic link while it was being opened", exit: .input)
        }
        isStream = false
        if exists && type == S_IFDIR {
            throw CLIError("cannot write \(path): it is a directory", hint: "give a file name inside it", exit: .usage)
        }
        if exists && type == S_IFREG { previous = (st.st_mode & 0o7777, st.st_uid, st.st_gid) }
        let dir = Self.directory(of: target)
        try Self.makeDirectories(dir, for: path)
        let name = target.split(separator: "/").last.map(String.init) ?? target
        var rng = SystemRandomNumberGenerator()
        var opened: Int32 = -1
        var temp = ""
        for _ in 0..<16 {
            temp = "\(dir)/.\(name).\(String(rng.next() & 0xFFFF_FFFF_FFFF, radix: 36)).part"
            // The umask applies to a new file as the shell's `>` would apply it; explicit modes
            // (private cache entries) start private and stay so.
            opened = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode ?? 0o666)
            if opened >= 0 || errno != EEXIST { break }
        }
        guard opened >= 0 else {
            throw CLIError("cannot write \(path): \(FileIO.errnoText())", hint: "check that the directory is writable", exit: .input)
        }
        fd = opened
        tempPath = temp
    }

    deinit { discard() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot write \(path): \(FileIO.errnoText())", hint: errno == ENOSPC ? "free some disk space" : nil, exit: .input)
            }
            offset += n
        }
        bytesWritten += bytes.count
    }

    /// Overwrites bytes at an offset (the WAV header's sizes, once the length is known). A stream
    /// cannot be rewound: it keeps the header it began with, which says "until the end".
    func patch(_ bytes: [UInt8], at offset: Int) throws {
        guard !isStream else { return }
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard n == bytes.count else { throw CLIError("cannot write \(path): \(FileIO.errnoText())", exit: .input) }
    }

    /// Flushes to disk and renames the file into place (a stream is just closed).
    func commit() throws {
        guard !committed else { return }
        if isStream {
            close(fd); fd = -1
            committed = true
            return
        }
        guard fsync(fd) == 0 else { throw CLIError("cannot write \(path): \(FileIO.errnoText())", exit: .input) }
        if let mode {
            fchmod(fd, mode)
        } else if let previous {
            // The replaced file's owner (possible as root) and mode, as writing into it would keep them.
            _ = fchown(fd, previous.uid, previous.gid)
            fchmod(fd, previous.mode)
        }
        close(fd)
        fd = -1
        guard let tempPath, rename(tempPath, target) == 0 else {
            let reason = FileIO.errnoText()
            if let tempPath { unlink(tempPath) }
            throw CLIError("cannot write \(path): \(reason)", exit: .input)
        }
        committed = true
    }

    func discard() {
        guard !committed else { return }
        if fd >= 0 { close(fd); fd = -1 }
        if let tempPath { unlink(tempPath) }
        committed = true
    }

    static func write(_ bytes: [UInt8], to path: String, mode: mode_t? = nil) throws {
        let f = try AtomicFile(path: path, mode: mode)
        try bytes.withUnsafeBytes { try f.write($0) }
        try f.commit()
    }

    // MARK: Paths

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    /// Follows symlinks to the file they name (which may not exist yet), as `>` does, and refuses
    /// where the kernel's protected_symlinks would (see the file's header).
    static func resolve(_ path: String) throws -> String {
        var current = path
        for _ in 0..<40 {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, Int(PATH_MAX))
            guard n >= 0 else { return current } // not a link (or not there): this is the file
            var linkStat = stat(), dir = stat()
            let parent = directory(of: current)
            if lstat(current, &linkStat) == 0 && stat(parent, &dir) == 0
                && dir.st_mode & S_ISVTX != 0 && dir.st_mode & S_IWOTH != 0
                && linkStat.st_uid != geteuid() && linkStat.st_uid != dir.st_uid {
                throw CLIError("cannot write \(path): it is a symbolic link of another user's (uid \(linkStat.st_uid)) in the shared directory \(parent)",
                               hint: "another user may have planted it; remove it or write elsewhere (the shell's > refuses it too)", exit: .input)
            }
            let link = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : directory(of: current) + "/" + link
        }
        throw CLIError("cannot write \(path): too many levels of symbolic links", exit: .input)
    }

    /// The rule every output shares (-o, --captions, --out-dir, history save and download): a missing
    /// last level is made when the output is written (`-o new/x.mp3`, `--out-dir new`); a deeper
    /// missing path is more likely a typo than a wish, and is refused unless --create-dirs asks for
    /// it (as curl's flag does). Nothing is made here. Returns the nearest directory that exists.
    @discardableResult
    static func checkDirectory(_ wanted: String, for path: String, createDirs: Bool) throws -> String {
        var dir = wanted
        var missing: [String] = []
        while true {
            var d = stat()
            if stat(dir, &d) == 0 {
                guard d.st_mode & S_IFMT == S_IFDIR else { throw CLIError("cannot write \(path): \(dir) is not a directory", exit: .input) }
                break
            }
            guard errno == ENOENT, directory(of: dir) != dir else {
                throw CLIError("cannot write \(path): \(dir): \(FileIO.errnoText())", exit: .input)
            }
            missing.append(dir)
            dir = directory(of: dir)
        }
        if missing.count > 1 && !createDirs {
            throw CLIError("cannot write \(path): \(missing[0]) does not exist, nor does \(missing[1])",
                           hint: "add --create-dirs to make the missing directories (or mkdir -p \(missing[0]))", exit: .input)
        }
        return dir
    }

    /// `mkdir -p` for an output's directory (the umask decides the modes).
    static func makeDirectories(_ dir: String, for path: String) throws {
        var st = stat()
        if stat(dir, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                throw CLIError("cannot write \(path): \(dir) is not a directory", exit: .input)
            }
            return
        }
        let parent = directory(of: dir)
        if parent != dir { try makeDirectories(parent, for: path) }
        guard mkdir(dir, 0o777) == 0 || errno == EEXIST else {
            throw CLIError("cannot write \(path): cannot create the directory \(dir) (\(FileIO.errnoText()))", exit: .input)
        }
    }
}
