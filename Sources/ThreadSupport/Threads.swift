// Dedicated OS threads, a monitor (state behind a mutex, with waits that are woken, not polled) and
// a monotonic clock, without Foundation, shared by the core, the audio layer and the CLI. Blocking
// calls (snd_pcm_writei, drain, curl transfers, pipe reads) must never run on the Swift concurrency
// pool: with 2 cores, two blocked tasks starve it.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A pthread mutex and condition variable on the monotonic clock (a wall-clock jump never stretches
/// or cuts a wait short).
public final class Condition: @unchecked Sendable { // the pthread objects are only used through their own API
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
        Wakeups.register(cond)
    }

    deinit {
        Wakeups.unregister(cond) // before the condition is destroyed: wakeAll never touches a dead one
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock(); defer { unlock() }
        return try body()
    }
    public func broadcast() { pthread_cond_broadcast(cond) }

    /// Waits (lock held) until woken: by a `broadcast`, or by `Wakeups.wakeAll` (a signal arrived).
    public func wait() { pthread_cond_wait(cond, mutex) }

    /// Waits (lock held) until woken or until the monotonic `deadline` (seconds) has passed.
    public func wait(until deadline: Double) {
        let whole = deadline.rounded(.down)
        var ts = timespec(tv_sec: Int(whole), tv_nsec: Int((deadline - whole) * 1e9))
        pthread_cond_timedwait(cond, mutex, &ts)
    }

    /// Waits (lock held) at most `seconds`.
    public func wait(seconds: Double) { wait(until: monotonicSeconds() + seconds) }
}

/// Every live Condition's pthread condition, so that one event (a signal) can wake every waiter to
/// look at it. Only the raw conditions are kept, never the objects: taking a reference to a
/// Condition whose last owner was just letting it go would run its deinit on the waking thread,
/// inside this registry's lock, which its unregister then takes again ("Recursive call to lock
/// Mutex", a crash seen once in about 37 interrupted batches).
public enum Wakeups {
    private final class Registry: @unchecked Sendable { // only touched with `all` locked
        var conditions: Set<UnsafeMutablePointer<pthread_cond_t>> = []
    }
    private static let all = Mutex(Registry())

    static func register(_ c: UnsafeMutablePointer<pthread_cond_t>) { all.withLock { _ = $0.conditions.insert(c) } }
    static func unregister(_ c: UnsafeMutablePointer<pthread_cond_t>) { all.withLock { _ = $0.conditions.remove(c) } }

    /// Wakes every waiter (each then checks what it waits for, and the signal flag). The mutexes are
    /// not taken (a waiter may hold one while it creates a Condition), so a waiter that was about to
    /// wait can miss one call: callers repeat it shortly after.
    public static func wakeAll() {
        all.withLock { registry in
            for c in registry.conditions { pthread_cond_broadcast(c) }
        }
    }
}

public enum DetachedThread {
    private final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ b: @escaping @Sendable () -> Void) { body = b }
    }

    private static func spawn(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
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
    public static func startDetached(_ body: @escaping @Sendable () -> Void) -> Bool {
        guard let thread = spawn(body) else { return false }
        pthread_detach(thread)
        return true
    }

    /// Starts `body` on a new joinable thread; the returned `Joiner` waits for it, once.
    public static func start(_ body: @escaping @Sendable () -> Void) -> Joiner {
        guard let thread = spawn(body) else { preconditionFailure("pthread_create failed: out of resources") }
        return Joiner(thread)
    }
}

/// Joins a thread exactly once, from whichever caller comes first.
public final class Joiner: Sendable {
    private let thread: Mutex<pthread_t?>
    init(_ t: pthread_t) { thread = Mutex(t) }
    public func join() {
        guard let t = thread.withLock({ state -> pthread_t? in defer { state = nil }; return state }) else { return }
        pthread_join(t, nil)
    }
}

/// Seconds on a clock that never jumps (the one clock of the whole program).
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

