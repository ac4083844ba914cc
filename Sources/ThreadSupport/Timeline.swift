// Named moments of one run, on the monotonic clock: `speak --metrics` reports them as the breakdown
// of what happens between `main` and the request (and on the player's thread meanwhile), which is
// what bench/run.py prints per step. Marking costs one clock read and one append under a lock.
#if canImport(Glibc)
import Glibc
#endif

public enum Timeline {
    public struct Mark: Sendable {
        public let step: String
        public let at: Double
        public let thread: String
    }

    private static let store: Monitor<[Mark]> = {
        var marks: [Mark] = []
        marks.reserveCapacity(32)
        return Monitor(marks)
    }()

    /// Only the start of a run is of interest; a long text or a batch makes many requests.
    static let capacity = 64

    /// Notes that `step` has just finished (or finished `at`), on the thread `thread` names.
    public static func mark(_ step: String, at: Double? = nil, thread: String = "main") {
        let when = at ?? monotonicSeconds()
        store.note { marks in if marks.count < capacity { marks.append(Mark(step: step, at: when, thread: thread)) } }
    }

    /// Every mark so far, in the order they were made.
    public static var marks: [Mark] { store.read { $0 } }
}
