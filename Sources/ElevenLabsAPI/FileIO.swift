// Small POSIX file helpers for the core: whole-file reads with errno-based messages, and the mode
// bits needed to warn about key files others can read. Kept here so no caller needs Foundation.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct FileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
}

public enum FileIO {
    public static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// `ownRegularFile`: for files this program keeps (its caches) in a directory someone else might
    /// tamper with: a link, a FIFO (which would block the open), a device or a file of another user
    /// is refused rather than read.
    public static func read(_ path: String, limit: Int = 64 << 20, ownRegularFile: Bool = false) throws -> [UInt8] {
        let flags = O_RDONLY | O_CLOEXEC | (ownRegularFile ? O_NOFOLLOW | O_NONBLOCK : 0)
        let fd = open(path, flags)
        guard fd >= 0 else { throw FileError(path: path, reason: errnoText()) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            throw FileError(path: path, reason: "is a directory")
        }
        if ownRegularFile && ((st.st_mode & S_IFMT) != S_IFREG || st.st_uid != geteuid()) {
            throw FileError(path: path, reason: "is not a regular file of this user")
        }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, reason: errnoText())
            }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
            if out.count > limit { throw FileError(path: path, reason: "larger than \(limit >> 20) MiB") }
        }
        return out
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// True when the group or others may read the file.
    public static func isWritableByOthers(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        return st.st_mode & (S_IWGRP | S_IWOTH) != 0
    }

    public static func isReadableByOthers(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        return st.st_mode & (S_IRGRP | S_IROTH) != 0
    }
}
