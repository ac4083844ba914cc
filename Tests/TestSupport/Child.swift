// A child process for the tests, started with posix_spawn. Foundation's Process.run on Linux reads
// /proc/self/fd with a 256-byte copy of each directory entry and now and then reads past glibc's
// buffer and crashes (swift-corelibs-foundation PR #5472; it took a whole suite run down here).
// The subset of Process the tests use, the same way: pipes' child ends closed in the parent, every
// other descriptor closed in the child, signals at their defaults, a process group of its own.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
private let closeFromAction: CloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: CloseFrom.self) }

public final class Child: @unchecked Sendable { // the tests set it up on one thread, then only read
    public var executableURL: URL?
    public var arguments: [String] = []
    /// nil: this process's environment.
    public var environment: [String: String]?
    /// A Pipe or a FileHandle; nil inherits ours.
    public var standardInput: Any?
    public var standardOutput: Any?
    public var standardError: Any?
    public private(set) var processIdentifier: Int32 = 0

    private let lock = NSLock()
    private var waitStatus: Int32?

    public init() {}

    public func run() throws {
        guard let path = executableURL?.path else { throw POSIXError(.ENOENT) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentCloses: [FileHandle] = []
        for (target, stream, childReads) in [(Int32(0), standardInput, true), (1, standardOutput, false), (2, standardError, false)] {
            if let pipe = stream as? Pipe {
                let end = childReads ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                posix_spawn_file_actions_adddup2(&actions, end.fileDescriptor, target)
                parentCloses.append(end)
            } else if let handle = stream as? FileHandle {
                posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target)
            }
        }
        // Other tests' pipes must not leak into this child (their readers would wait for it).
        // (glibc 2.34+ has closefrom for spawns; Swift's Glibc module does not declare it.)
        guard let closefrom = closeFromAction else { throw POSIXError(.ENOSYS) }
        _ = closefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let env = environment ?? ProcessInfo.processInfo.environment
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        processIdentifier = pid
        // The child's ends belong to the child now: a reader sees EOF when the child ends.
        for end in parentCloses { try? end.close() }
    }

    /// Reaps the child if it has ended; one waitpid at a time, so two threads asking never race.
    private func poll() -> Int32? {
        lock.lock(); defer { lock.unlock() }
        if let waitStatus { return waitStatus }
        var status: Int32 = 0
        let r = waitpid(processIdentifier, &status, WNOHANG)
        if r == processIdentifier { waitStatus = status }
        else if r < 0 && errno == ECHILD { waitStatus = 0 }
        return waitStatus
    }

    public var isRunning: Bool { processIdentifier != 0 && poll() == nil }

    public func waitUntilExit() {
        guard processIdentifier != 0 else { return }
        while poll() == nil { usleep(2000) }
    }

    /// The exit code, or 256 plus the number of the signal that ended it: a value no exit code can
    /// be, so a crash (SIGILL from a Swift trap is 4, SIGTRAP 5) never passes for an exit status
    /// a test allows (Foundation's Process reports the bare signal number).
    public var terminationStatus: Int32 {
        guard let status = poll() else { return 0 }
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 256 + status & 0x7F
    }

    public func terminate() {
        if processIdentifier != 0 && poll() == nil { kill(processIdentifier, SIGTERM) }
    }
}
