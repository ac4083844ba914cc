// Files are never half-written: bytes go to a hidden temporary file in the target's directory,
// which is renamed over the target only once complete, and removed on any failure or interrupt.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI

final class AtomicFile {
    let path: String
    private(set) var tempPath: String
    private var fd: Int32
    private var committed = false
    private(set) var bytesWritten = 0

    init(path: String) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(dir.isEmpty ? "/" : dir)/.\(name).XXXXXX.part".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 5) }
        guard fd >= 0 else {
            throw CLIError("cannot write \(path): \(FileIO.errnoText())", hint: "check that the directory exists and is writable", exit: .input)
        }
        self.fd = fd
        tempPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
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

    /// Drops everything after `length` bytes (a chunk that must be fetched again).
    func truncate(to length: Int) throws {
        guard ftruncate(fd, off_t(length)) == 0, lseek(fd, off_t(length), SEEK_SET) >= 0 else {
            throw CLIError("cannot write \(path): \(FileIO.errnoText())", exit: .input)
        }
        bytesWritten = length
    }

    /// Overwrites bytes at an offset (the WAV header's sizes, once the length is known).
    func patch(_ bytes: [UInt8], at offset: Int) throws {
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard n == bytes.count else { throw CLIError("cannot write \(path): \(FileIO.errnoText())", exit: .input) }
    }

    /// Flushes to disk, gives the file the usual permissions, and renames it into place.
    func commit(mode: mode_t? = nil) throws {
        guard !committed else { return }
        guard fsync(fd) == 0 else { throw CLIError("cannot write \(path): \(FileIO.errnoText())", exit: .input) }
        let umaskValue = umask(0); umask(umaskValue)
        fchmod(fd, mode ?? (0o666 & ~umaskValue))
        close(fd)
        fd = -1
        guard rename(tempPath, path) == 0 else {
            let reason = FileIO.errnoText()
            unlink(tempPath)
            throw CLIError("cannot write \(path): \(reason)", exit: .input)
        }
        committed = true
    }

    func discard() {
        guard !committed else { return }
        if fd >= 0 { close(fd); fd = -1 }
        unlink(tempPath)
        committed = true
    }

    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let f = try AtomicFile(path: path)
        try bytes.withUnsafeBytes { try f.write($0) }
        try f.commit(mode: mode)
    }
}
