// The signals that ask a program to stop (INT, TERM, HUP, QUIT, USR1, USR2, ALRM) become a flag that
// transfers and playback poll, so the program unwinds normally: partial files are removed, the sound
// stops at once, and the exit code is 128 + the signal's number. (PIPE is ignored: a closed reader
// is an EPIPE on write, which ends the program quietly.)
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

public enum Signals {
    /// The signal received, or 0. Written from the handler: atomics are async-signal-safe.
    static let received = Atomic<Int32>(0)

    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM]

    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { sig in Signals.received.store(sig, ordering: .relaxed) }
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

    public static var pending: Int32 { received.load(ordering: .relaxed) }
    public static let isPending: @Sendable () -> Bool = { received.load(ordering: .relaxed) != 0 }

    /// Stops the program if a signal arrived; call between steps.
    static func check() throws {
        let s = pending
        if s != 0 { throw Interrupted(signal: s) }
    }
}

/// The user (SIGINT) or the system (SIGTERM) asked the program to stop.
public struct Interrupted: Error {
    public let signal: Int32
}
