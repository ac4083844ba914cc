// Standard input for live speech, read on a thread of its own (a read may block for as long as the
// writer waits), and the pipe that wakes the live loop's poll when text or a signal arrives.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import ThreadSupport

/// Reads standard input on a thread of its own (a read may block for as long as the writer waits),
/// decoding UTF-8 across read boundaries, and says so on `wake` each time something arrives.
final class StdinReader: Sendable {
    private struct State {
        var pending = ""
        var eof = false
        var failure: Error?
        var lastInput = monotonicSeconds()
    }
    private let shared = Monitor(State())

    /// `prefix`: what was read ahead of this reader (TextInput.readAhead), delivered first.
    init(fd: Int32, prefix: [UInt8] = [], wake: @escaping @Sendable () -> Void) throws {
        let shared = self.shared
        let keep = TextSource.incompleteTail(prefix)
        let carried = Array(prefix.suffix(keep))
        if !prefix.isEmpty {
            guard !prefix.contains(0) else {
                throw CLIError("standard input looks like binary data (it contains NUL bytes), not text", exit: .input)
            }
            guard let text = String(validating: prefix.dropLast(keep), as: UTF8.self) else {
                throw CLIError("standard input is not valid UTF-8 text", exit: .input)
            }
            shared.note { $0.pending = text }
        }
        DetachedThread.startDetached {
            func end(_ failure: Error?) {
                shared.update { $0.failure = $0.failure ?? failure; $0.eof = true }
                wake()
            }
            var carry = carried
            var buf = [UInt8](repeating: 0, count: 16384)
            while true {
                let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    end(carry.isEmpty ? nil : CLIError("standard input is not valid UTF-8 text", exit: .input))
                    return
                }
                var bytes = carry + buf[0..<n]
                if bytes.contains(0) {
                    end(CLIError("standard input looks like binary data (it contains NUL bytes), not text", exit: .input))
                    return
                }
                // Keep an incomplete UTF-8 sequence at the end for the next read.
                let keep = TextSource.incompleteTail(bytes)
                carry = Array(bytes.suffix(keep))
                bytes.removeLast(keep)
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    end(CLIError("standard input is not valid UTF-8 text", exit: .input))
                    return
                }
                shared.update { $0.pending += text; $0.lastInput = monotonicSeconds() }
                wake()
            }
        }
    }

    /// What has arrived since the last call, whether input has ended, and when text last came.
    func take() throws -> (text: String, ended: Bool, lastInput: Double) {
        try shared.note { s in
            if let failure = s.failure { throw failure }
            defer { s.pending = "" }
            return (s.pending, s.eof, s.lastInput)
        }
    }
}

/// A pipe whose only purpose is to wake a poll (written by other threads, drained by the waiter).
final class WakePipe: Sendable {
    let readFD: Int32
    let writeFD: Int32
    init() throws {
        guard let (r, w) = nonBlockingPipe() else { throw CLIError("cannot create a pipe: \(FileIO.errnoText())", exit: .failure) }
        readFD = r; writeFD = w
    }
    deinit { close(readFD); close(writeFD) }
    func wake() { var b: UInt8 = 1; _ = write(writeFD, &b, 1) }
    func drain() { var buf = [UInt8](repeating: 0, count: 64); while read(readFD, &buf, buf.count) > 0 {} }
}
