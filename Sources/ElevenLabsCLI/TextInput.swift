// Where the text to speak comes from (arguments, -f FILE, or standard input) and the checks that
// refuse unusable text before anything is sent: empty, not UTF-8, or binary.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI

enum TextInput {
    /// Bounded so a runaway pipe cannot exhaust memory; longer inputs belong in files split by chapter.
    static let maxBytes = 32 << 20

    static func read(_ inv: Invocation, _ context: Context) throws -> (text: String, origin: String) {
        let file = inv.value("file")
        if file != nil && !inv.operands.isEmpty {
            throw UsageError("give the text either as arguments or with --file, not both", command: "speak")
        }
        let bytes: [UInt8], origin: String
        if let file, file != "-" {
            do { bytes = try FileIO.read(file, limit: maxBytes) } catch let e as FileError {
                throw CLIError("cannot read \(e)", hint: "check the path given to --file", exit: .input)
            }
            origin = file
        } else if file == "-" || inv.operands.isEmpty {
            bytes = try readAll(fd: context.stdinFD)
            origin = "standard input"
        } else {
            return (try validate(Array(inv.operands.joined(separator: " ").utf8), origin: "the arguments"), "the arguments")
        }
        return (try validate(bytes, origin: origin), origin)
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
        guard !trimmed.isEmpty else {
            throw CLIError("the text from \(origin) is empty", hint: "there is nothing to speak", exit: .input)
        }
        return trimmed
    }
}
