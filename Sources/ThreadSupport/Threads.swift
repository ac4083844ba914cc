// Dedicated OS threads, a condition variable and a monotonic clock, without Foundation, shared by
// the core and the audio layer. Blocking calls (snd_pcm_writei,
// drain, curl transfers) must never run on the Swift concurrency pool: with 2 cores, two blocked
// tasks starve it.
#if canImport(Glibc)
import Glibc
#endif

public final class Condition: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    public init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
    }
    deinit {
        pthread_cond_destroy(&cond)
        pthread_mutex_destroy(&mutex)
    }
    public func lock() { pthread_mutex_lock(&mutex) }
    public func unlock() { pthread_mutex_unlock(&mutex) }
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock(); defer { unlock() }
        return try body()
    }
    public func broadcast() { pthread_cond_broadcast(&cond) }
    /// Waits (lock held) at most `seconds`, so callers can also poll for interrupts.
    public func wait(seconds: Double) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var ns = Int(now.tv_nsec) + Int(seconds * 1e9)
        var deadline = timespec(tv_sec: now.tv_sec + ns / 1_000_000_000, tv_nsec: 0)
        ns %= 1_000_000_000
        deadline.tv_nsec = ns
        pthread_cond_timedwait(&cond, &mutex, &deadline)
    }
}

public enum DetachedThread {
    private final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }

    private static func spawn(_ body: @escaping () -> Void) -> pthread_t? {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = pthread_create(&thread, nil, { arg in
            Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue().body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return nil
        }
        return thread
    }

    /// Starts `body` on a thread nobody waits for.
    @discardableResult
    public static func startDetached(_ body: @escaping () -> Void) -> Bool {
        guard let thread = spawn(body) else { return false }
        pthread_detach(thread)
        return true
    }

    /// Starts `body` on a new joinable thread and returns a join function.
    public static func start(_ body: @escaping () -> Void) -> () -> Void {
        guard let thread = spawn(body) else { preconditionFailure("pthread_create failed: out of resources") }
        return { pthread_join(thread, nil) }
    }
}

/// Seconds on a clock that never jumps.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
