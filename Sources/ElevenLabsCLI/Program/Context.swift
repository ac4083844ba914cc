// Everything a command may touch outside itself: the standard streams (and whether they are terminals),
// the environment, and the terminal width. Injected so tests can run commands in-process.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI
import AudioPlayback
import ThreadSupport

/// Raised when the reader of stdout went away (EPIPE): the program stops quietly with status 0.
public struct OutputClosed: Error {}

/// One of the standard streams, shared by the main, transfer, playback and highlighting threads:
/// each write goes out whole, under the lock.
public final class OutputStream: Sendable {
    private let fd: Int32
    /// nil: write to `fd`; else everything written is kept here (tests).
    private let captured: Monitor<[UInt8]?>

    /// Writes to a file descriptor.
    public init(fd: Int32) { self.fd = fd; captured = Monitor(nil) }
    /// Collects everything written (tests).
    public init(capturing: Void) { fd = -1; captured = Monitor([]) }

    public var capturedText: String { captured.read { String(decoding: $0 ?? [], as: UTF8.self) } }
    public var capturedBytes: [UInt8] { captured.read { $0 ?? [] } }

    /// Where a write would land now, when the stream is a regular file that can be rewound (stdout
    /// redirected to a file): a WAV header written there can get its sizes at the end.
    public func seekableOffset() -> Int? {
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        let at = lseek(fd, 0, SEEK_CUR)
        return at >= 0 ? Int(at) : nil
    }

    /// Overwrites bytes at an offset of a regular file (see seekableOffset).
    public func patch(_ bytes: [UInt8], at offset: Int) throws {
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard n == bytes.count else { throw FileError(path: "standard output", reason: FileIO.errnoText()) }
    }

    public func write(_ s: String) throws {
        var s = s
        try s.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try captured.note { captured in
            if captured != nil { captured!.append(contentsOf: bytes); return }
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EPIPE { throw OutputClosed() }
                    throw FileError(path: fd == 1 ? "standard output" : "standard error", reason: FileIO.errnoText())
                }
                offset += n
            }
        }
    }
}

/// What one run learns as it goes and later steps need: where the key came from (for advice on a
/// refused key), warnings already given, whether a progress line is on screen (so an interrupted
/// run ends it). Per Context, not global, so runs in one process (tests) never see each other's.
/// (Monitors, whose pthread locks the thread sanitizer sees: a batch's workers set the key source
/// at once.)
public final class RunState: Sendable {
    let keySource = Monitor<String?>(nil)
    let warned = Monitor<Set<String>>([])
    let progressOnScreen = Monitor(false)
    /// What a progress line would say if the run ended now (done, left, credits spent): printed when
    /// Ctrl-C ends it, so an interrupted batch or long text still says where it stopped.
    let progressSummary = Monitor<String?>(nil)
    public init() {}
}

public final class Context: Sendable {
    public let stdout: OutputStream
    public let stderr: OutputStream
    public let stdinFD: Int32
    public let environment: [String: String]
    public let stdoutIsTerminal: Bool
    public let stderrIsTerminal: Bool
    public let stdinIsTerminal: Bool
    public let terminalWidth: Int
    /// When the program started (monotonic seconds), for time-to-first-sound.
    public let startTime: Double
    public let run = RunState()
    /// Opens the audio device a player writes to (ALSA; a memory sink in tests).
    public let makeSink: @Sendable (_ device: String) throws -> AudioSink
    /// Makes the API client for a session's configuration.
    public let makeClient: @Sendable (ClientConfiguration) -> ElevenLabsClient
    /// Whether a signal has asked the program to stop (Signals: a handler can only write a global,
    /// so the process's one flag is read through here).
    public let isInterrupted: @Sendable () -> Bool

    public init(stdout: OutputStream, stderr: OutputStream, stdinFD: Int32, environment: [String: String],
                stdoutIsTerminal: Bool, stderrIsTerminal: Bool, stdinIsTerminal: Bool, terminalWidth: Int = 80,
                startTime: Double = monotonicSeconds(),
                makeSink: @escaping @Sendable (String) throws -> AudioSink = { try ALSASink(device: $0) },
                makeClient: @escaping @Sendable (ClientConfiguration) -> ElevenLabsClient = { ElevenLabsClient($0) },
                isInterrupted: @escaping @Sendable () -> Bool = Signals.isPending) {
        self.startTime = startTime
        self.makeSink = makeSink
        self.makeClient = makeClient
        self.isInterrupted = isInterrupted
        self.stdout = stdout; self.stderr = stderr; self.stdinFD = stdinFD; self.environment = environment
        self.stdoutIsTerminal = stdoutIsTerminal; self.stderrIsTerminal = stderrIsTerminal
        self.stdinIsTerminal = stdinIsTerminal
        // Whatever the source, a width that arithmetic on it cannot overflow (Int.min - 1 traps).
        self.terminalWidth = min(max(terminalWidth, 10), 10_000)
    }

    /// The real process: file descriptors 0, 1 and 2 and the process environment.
    public static func process(startTime: Double = monotonicSeconds()) -> Context {
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            // Split on the byte: a Character search walks grapheme clusters, a tenth of a
            // millisecond for a usual environment, on the way to the first request.
            let s = String(cString: entry)
            if let eq = s.utf8.firstIndex(of: UInt8(ascii: "=")) { env[String(s[..<eq])] = String(s[s.utf8.index(after: eq)...]) }
            p += 1
        }
        var ws = winsize()
        let width = ioctl(1, UInt(TIOCGWINSZ), &ws) == 0 && ws.ws_col > 0 ? Int(ws.ws_col)
            : Int(env["COLUMNS"] ?? "").flatMap { (1...10_000).contains($0) ? $0 : nil } ?? 80 // any other value is not a width
        return Context(stdout: OutputStream(fd: 1), stderr: OutputStream(fd: 2), stdinFD: 0, environment: env,
                       stdoutIsTerminal: isatty(1) == 1, stderrIsTerminal: isatty(2) == 1,
                       stdinIsTerminal: isatty(0) == 1, terminalWidth: width, startTime: startTime)
    }

    /// Colour only for a terminal, and never when NO_COLOR is set (no-color.org).
    public var useColor: Bool { stdoutIsTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb" }

    public func out(_ s: String) throws { try stdout.write(s) }
    public func err(_ s: String) { try? stderr.write(s) }
}
