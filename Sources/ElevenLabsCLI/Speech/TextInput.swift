// Where the text to speak comes from (arguments, -f FILE, or standard input) and the checks that
// refuse unusable text before anything is sent: empty, not UTF-8, or binary. A file or standard input
// is never held whole: it is checked and counted in one streaming pass (standard input spooled to an
// unlinked temporary file on the way), then read again in windows as it is cut into requests.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import ThreadSupport

enum TextInput {
    /// For batch inputs, which are held whole (each is one item): bounded so a runaway pipe cannot
    /// exhaust memory. Speak's own input has no such limit (see TextSource).
    static let maxBytes = 32 << 20

    /// The text for `speak`: from the arguments in memory, else from -f FILE or standard input.
    static func source(_ inv: Invocation, _ context: Context, readAhead: [UInt8]? = nil) throws -> TextSource {
        if let readAhead { return try TextSource(bytes: readAhead, origin: "standard input") }
        let file = inv.value(.file)
        if file != nil && !inv.operands.isEmpty {
            throw UsageError("give the text either as arguments or with --file, not both", command: "speak")
        }
        if let file, file != "-" {
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw CLIError("cannot read \(file): \(FileIO.errnoText())", hint: "check the path given to --file", exit: .input)
            }
            var st = stat()
            if fstat(fd, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR {
                close(fd)
                throw CLIError("cannot read \(file): it is a directory", hint: "check the path given to --file", exit: .input)
            }
            // A regular file is read twice in place; a pipe or device is spooled like standard input.
            return try TextSource(fd: fd, origin: file, owned: true, seekable: st.st_mode & S_IFMT == S_IFREG)
        }
        if file == "-" || inv.operands.isEmpty {
            return try TextSource(fd: context.stdinFD, origin: "standard input", owned: false, seekable: false)
        }
        return TextSource(text: try validate(Array(inv.operands.joined(separator: " ").utf8), origin: "the arguments"))
    }

    /// How long a pipe may take to end before it counts as slow (and is spoken live), and how much
    /// is held meanwhile: a fast pipe of more than this is priced on what was read, which is plenty
    /// to refuse what cannot be afforded.
    static let readAheadSeconds = 2.0
    static let readAheadBytes = 8 << 20

    /// Reads standard input until it ends, `readAheadSeconds` pass, or `readAheadBytes` are held.
    static func readAhead(_ fd: Int32) throws -> (bytes: [UInt8], ended: Bool) {
        let deadline = monotonicSeconds() + readAheadSeconds
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while out.count < readAheadBytes {
            try Signals.check()
            let left = deadline - monotonicSeconds()
            if left <= 0 { return (out, false) }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(min(250, max(1, left * 1000))))
            if ready < 0 && errno != EINTR {
                throw CLIError("cannot read standard input: \(FileIO.errnoText())", exit: .input)
            }
            guard ready > 0 else { continue }
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw CLIError("cannot read standard input: \(FileIO.errnoText())", exit: .input)
            }
            if n == 0 { return (out, true) }
            out += buf[0..<n]
        }
        return (out, false)
    }

    static func readAll(fd: Int32) throws -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            try Signals.check()
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot read standard input: \(FileIO.errnoText())", exit: .input)
            }
            if n == 0 { return out }
            out += buf[0..<n]
            if out.count > maxBytes {
                throw CLIError("standard input is larger than \(maxBytes >> 20) MiB", hint: "split the text into files", exit: .input)
            }
        }
    }

    static func validate(_ raw: [UInt8], origin: String) throws -> String {
        var bytes = raw[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.contains(0) {
            throw CLIError("\(origin) looks like a binary file (it contains NUL bytes), not text", hint: "give a plain text file", exit: .input)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CLIError("\(origin) is not valid UTF-8 text", hint: "convert it first, e.g. iconv -f LATIN1 -t UTF-8", exit: .input)
        }
        let trimmed = text.trimmingCharacters(in: " \t\r\n\u{0B}\u{0C}")
        guard SpeakableText.hasSpeech(trimmed) else { throw emptyText(origin, trimmed) }
        return trimmed
    }

    /// Text with nothing to say: empty, or only white space, format or control characters of any
    /// script, which the service would still bill.
    static func emptyText(_ origin: String, _ text: String) -> CLIError {
        text.isEmpty || text.unicodeScalars.allSatisfy({ $0.value < 0x80 })
            ? CLIError("the text from \(origin) is empty", hint: "there is nothing to speak", exit: .input)
            : CLIError("the text from \(origin) holds only invisible characters (white space, format or control characters)",
                       hint: "there is nothing to speak, and the service would bill every one", exit: .input)
    }
}

/// A text checked and counted without being held whole (see the file's header).
final class TextSource {
    let origin: String
    /// Unicode scalars, white space included: the basis of the cost estimate and of the decision
    /// whether the text needs more than one request.
    let characters: Int
    private let text: String?
    private var fd: Int32 = -1
    private var owned = false
    private var start: off_t = 0

    init(text: String) {
        self.text = text
        origin = "the arguments"
        characters = text.unicodeScalars.count
    }

    /// Bytes already read (a pipe read ahead to its end), checked and counted as a file would be.
    convenience init(bytes: [UInt8], origin: String) throws {
        let spool = try Self.temporaryFile()
        do { try bytes.withUnsafeBytes { try Self.spoolAll($0, to: spool, origin: origin) } } catch { close(spool); throw error }
        guard lseek(spool, 0, SEEK_SET) == 0 else {
            close(spool)
            throw CLIError("cannot read back \(origin): \(FileIO.errnoText())", exit: .input)
        }
        try self.init(fd: spool, origin: origin, owned: true, seekable: true)
    }

    init(fd input: Int32, origin: String, owned: Bool, seekable: Bool) throws {
        self.origin = origin
        text = nil
        var spool: Int32 = -1
        if !seekable {
            spool = try Self.temporaryFile()
        }
        defer { if owned && !seekable { close(input) } }
        do {
            let scan = try Self.scan(input, copyTo: spool, origin: origin)
            characters = scan.characters
            start = scan.bomLength
            if seekable {
                fd = input
                self.owned = owned
            } else {
                fd = spool
                self.owned = true
            }
        } catch {
            if spool >= 0 { close(spool) }
            if owned && seekable { close(input) }
            throw error
        }
    }

    deinit { if owned && fd >= 0 { close(fd) } }

    /// The whole text, trimmed (for texts that go in one request).
    func wholeText() throws -> String {
        if let text { return text }
        var bytes: [UInt8] = []
        var offset = start
        var block = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try readBlock(&block, at: offset)
            if n == 0 { break }
            bytes += block[0..<n]
            offset += off_t(n)
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " \t\r\n\u{0B}\u{0C}")
    }

    /// The requests' texts, cut as `TextChunker.split` cuts, from a window of the text.
    func chunker(limit: Int) -> StreamingChunker {
        if let text {
            var done = false
            return StreamingChunker(limit: limit) { defer { done = true }; return done ? nil : text }
        }
        var offset = start
        var carry: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 16)
        return StreamingChunker(limit: limit) { [self] in
            let n = try readBlock(&block, at: offset)
            if n == 0 { return carry.isEmpty ? nil : String(decoding: carry, as: UTF8.self) }
            offset += off_t(n)
            var bytes = carry + block[0..<n]
            let keep = Self.incompleteTail(bytes)
            carry = Array(bytes.suffix(keep))
            bytes.removeLast(keep)
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private func readBlock(_ block: inout [UInt8], at offset: off_t) throws -> Int {
        while true {
            let n = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n >= 0 { return n }
            if errno == EINTR { try Signals.check(); continue }
            throw CLIError("cannot read \(origin): \(FileIO.errnoText())", exit: .input)
        }
    }

    /// One pass over the input: no NUL bytes, valid UTF-8, not only white space; the count of
    /// scalars; each block copied to `copyTo` when it is a spool.
    private static func scan(_ fd: Int32, copyTo spool: Int32, origin: String) throws -> (characters: Int, bomLength: off_t) {
        var block = [UInt8](repeating: 0, count: 1 << 16)
        var carry: [UInt8] = []
        var characters = 0
        var sawText = false
        var sawInvisible = false
        var first = true
        var bom: off_t = 0
        while true {
            try Signals.check()
            let n = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot read \(origin): \(FileIO.errnoText())", exit: .input)
            }
            if n == 0 { break }
            if spool >= 0 { try block.withUnsafeBytes { try Self.spoolAll(UnsafeRawBufferPointer(rebasing: $0[0..<n]), to: spool, origin: origin) } }
            var bytes = carry + block[0..<n]
            if first {
                first = false
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3); bom = 3 }
            }
            if bytes.contains(0) {
                throw CLIError("\(origin) looks like a binary file (it contains NUL bytes), not text", hint: "give a plain text file", exit: .input)
            }
            let keep = incompleteTail(bytes)
            carry = Array(bytes.suffix(keep))
            bytes.removeLast(keep)
            guard String(validating: bytes, as: UTF8.self) != nil else {
                throw CLIError("\(origin) is not valid UTF-8 text", hint: "convert it first, e.g. iconv -f LATIN1 -t UTF-8", exit: .input)
            }
            for b in bytes where b & 0xC0 != 0x80 { characters += 1 }
            if !sawText {
                sawText = SpeakableText.hasSpeech(String(decoding: bytes, as: UTF8.self).unicodeScalars)
                if !sawText && bytes.contains(where: { $0 >= 0x80 }) { sawInvisible = true }
            }
        }
        guard carry.isEmpty else {
            throw CLIError("\(origin) is not valid UTF-8 text (it ends inside a character)", hint: "convert it first, e.g. iconv -f LATIN1 -t UTF-8", exit: .input)
        }
        guard sawText else { throw TextInput.emptyText(origin, sawInvisible ? "\u{200B}" : "") }
        return (characters, bom)
    }

    /// Writes all of `bytes` to the spool file (a full disk is the error, with its fix).
    private static func spoolAll(_ bytes: UnsafeRawBufferPointer, to spool: Int32, origin: String) throws {
        var written = 0
        while written < bytes.count {
            let w = Glibc.write(spool, bytes.baseAddress! + written, bytes.count - written)
            if w < 0 && errno == EINTR { continue }
            guard w > 0 else {
                throw CLIError("cannot keep \(origin) in a temporary file: \(FileIO.errnoText())",
                               hint: "free some space in $TMPDIR (or /tmp)", exit: .input)
            }
            written += w
        }
    }

    /// How many bytes at the end start a UTF-8 sequence that the block does not finish.
    static func incompleteTail(_ bytes: [UInt8]) -> Int {
        var i = bytes.count - 1
        var seen = 0
        while i >= 0 && seen < 4 {
            let b = bytes[i]
            seen += 1
            if b & 0xC0 != 0x80 {
                let length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                return length > seen ? seen : 0
            }
            i -= 1
        }
        return 0
    }

    /// An unlinked file in $TMPDIR (or /tmp), private to this process.
    private static func temporaryFile() throws -> Int32 {
        let dir = ProcessEnvironment.value("TMPDIR").flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        var template = Array("\(dir)/.elevenlabs-text.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) } // mode 0600
        guard made >= 0 else {
            throw CLIError("cannot make a temporary file in \(dir): \(FileIO.errnoText())", hint: "set TMPDIR to a writable directory", exit: .input)
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) } // gone from the directory at once
        _ = fcntl(made, F_SETFD, FD_CLOEXEC)
        return made
    }
}

/// The process's environment, for the few places that have no Context (a temporary directory).
enum ProcessEnvironment {
    static func value(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
