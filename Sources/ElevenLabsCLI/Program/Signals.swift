// The signals that ask a program to stop (INT, TERM, HUP, QUIT, USR1, USR2, ALRM) become a flag that
// transfers and playback look at, so the program unwinds normally: partial files are removed, the
// sound stops at once, and the exit code is 128 + the signal's number. (PIPE is ignored: a closed
// reader is an EPIPE on write, which ends the program quietly.) Waiting threads are woken at once: the
// handler writes to a pipe, and a watcher thread wakes every wait and every registered poll.
// This is the one state that stays global, not in the Context: a signal belongs to the process,
// and its handler may only store to static atomics. Transfers and players read it through
// `Context.isInterrupted`; the checks between steps read it here.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import ThreadSupport

public enum Signals {
    /// The signal received, or 0. Written from the handler: atomics are async-signal-safe.
    static let received = Atomic<Int32>(0)
    /// The handler's pipe to the watcher (write() is async-signal-safe).
    private static let pipeWrite = Atomic<Int32>(-1)
    private static let wakers = Monitor<[@Sendable () -> Void]>([])

    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM]

    public static func install() {
        if let (readEnd, writeEnd) = nonBlockingPipe() {
            pipeWrite.store(writeEnd, ordering: .relaxed)
            DetachedThread.startDetached { watch(readEnd) }
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { sig in
            Signals.received.store(sig, ordering: .relaxed)
            var byte = UInt8(truncatingIfNeeded: sig)
            _ = write(Signals.pipeWrite.load(ordering: .relaxed), &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        var set = sigset_t()
        sigemptyset(&set)
        for s in handled {
            sigaction(s, &action, nil)
            sigaddset(&set, s)
        }
        // A parent may have left them blocked (the mask survives exec); unblock so Ctrl-C works.
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Runs `wake` when a signal arrives (for waits on file descriptors, which no condition reaches).
    static func onSignal(_ wake: @escaping @Sendable () -> Void) { wakers.note { $0.append(wake) } }

    private static func watch(_ fd: Int32) {
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, -1) >= 0 || errno == EINTR else { return }
            var buf = [UInt8](repeating: 0, count: 16)
            guard read(fd, &buf, buf.count) > 0 else { continue }
            // Once is enough: wakeAll takes each waiter's lock first, so none can be between its
            // look at the flag and its wait, and the fd wakers leave a byte that stays readable.
            Wakeups.wakeAll()
            for wake in wakers.read({ $0 }) { wake() }
        }
    }

    public static var pending: Int32 { received.load(ordering: .relaxed) }
    public static let isPending: @Sendable () -> Bool = { received.load(ordering: .relaxed) != 0 }

    /// Stops the program if a signal arrived; call between steps.
    static func check() throws {
        let s = pending
        if s != 0 { throw Interrupted(signal: s) }
    }
}

/// A signal asked the program to stop.
public struct Interrupted: Error {
    public let signal: Int32
}

/// A pipe with both ends close-on-exec and non-blocking.
func nonBlockingPipe() -> (read: Int32, write: Int32)? {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { return nil }
    for fd in fds {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }
    return (fds[0], fds[1])
}
