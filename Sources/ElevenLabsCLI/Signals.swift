// SIGINT and SIGTERM become a flag that transfers and playback poll, so the program unwinds
// normally: partial files are removed, the sound stops at once, and the exit code says which signal.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

public enum Signals {
    /// The signal received, or 0. Written from the handler: atomics are async-signal-safe.
    static let received = Atomic<Int32>(0)

    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { sig in Signals.received.store(sig, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        // A parent may have left them blocked (the mask survives exec); unblock so Ctrl-C works.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
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
