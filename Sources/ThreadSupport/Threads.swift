// Dedicated OS threads, a monitor (state behind a mutex, with waits that are woken, not polled) and
// a monotonic clock, without Foundation, shared by the core, the audio layer and the CLI. Blocking
// calls (snd_pcm_writei, drain, curl transfers, pipe reads) must never run on the Swift concurrency
// pool: with 2 cores, two blocked tasks starve it.
#if canImport(Glibc)
import Glibc
import CSystem
#endif
import Synchronization

/// A pthread mutex and condition variable on the monotonic clock (a wall-clock jump never stretches
/// or cuts a wait short). Only Monitor holds one (it cannot be copied or shared on its own): code
/// outside this module shares state through Monitor.
struct Condition: ~Copyable {
    private let pair = Wakeups.Pair()

    init() { Wakeups.register(pair) }

    deinit { Wakeups.retire(pair) } // destroyed there, once no wakeAll is using it

    func lock() { pthread_mutex_lock(pair.mutex) }
    func unlock() { pthread_mutex_unlock(pair.mutex) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock(); defer { unlock() }
        return try body()
    }
    func broadcast() { pthread_cond_broadcast(pair.cond) }

    /// Waits (lock held) until woken: by a `broadcast`, or by `Wakeups.wakeAll` (a signal arrived).
    func wait() { pthread_cond_wait(pair.cond, pair.mutex) }

    /// Waits (lock held) until woken or until the monotonic `deadline` (seconds) has passed.
    func wait(until deadline: Double) {
        let whole = deadline.rounded(.down)
        var ts = timespec(tv_sec: Int(whole), tv_nsec: Int((deadline - whole) * 1e9))
        pthread_cond_timedwait(pair.cond, pair.mutex, &ts)
    }

}

/// What a `Monitor.wait` step decides, looking at the state with the lock held.
public enum WaitStep<T> {
    /// Stop waiting, with this result.
    case done(T)
    /// Stop waiting, with this result, and wake nobody: for a step whose change no other waiter is
    /// waiting for (a player taking audio while the network side has room), so a steady stream of
    /// them costs no wake-ups.
    case doneQuietly(T)
    /// Wait until the state changes (or a signal arrives).
    case wait
    /// Wait until the state changes, a signal arrives, or the monotonic clock reaches this time.
    case waitUntil(Double)
}

/// State shared between threads: every read and change goes through the lock, every change wakes
/// the waiters, and a wait is a loop over a step that looks at the state, so a wake-up is never
/// lost and nothing polls. The one audited `@unchecked Sendable` of the program's own code: `state`
/// is only touched inside `condition.withLock`.
public final class Monitor<State>: @unchecked Sendable {
    private let condition = Condition()
    private var state: State

    public init(_ state: State) { self.state = state }

    /// Changes (or reads) the state, then wakes every waiter to look at it.
    @discardableResult
    public func update<T>(_ body: (inout State) throws -> T) rethrows -> T {
        try condition.withLock {
            defer { condition.broadcast() }
            return try body(&state)
        }
    }

    /// Changes the state without waking anyone: for changes no waiter waits for (a position that
    /// is read when asked), so a steady stream of them costs no wake-ups.
    @discardableResult
    public func note<T>(_ body: (inout State) throws -> T) rethrows -> T {
        try condition.withLock { try body(&state) }
    }

    /// Reads the state; nobody is woken.
    public func read<T>(_ body: (State) throws -> T) rethrows -> T {
        try condition.withLock { try body(state) }
    }

    /// Runs `step` with the lock held, again after every change and every signal, until it is done.
    /// A step that changes the state wakes the other waiters.
    public func wait<T>(_ step: (inout State) throws -> WaitStep<T>) rethrows -> T {
        try condition.withLock {
            while true {
                switch try step(&state) {
                case .done(let result):
                    condition.broadcast()
                    return result
                case .doneQuietly(let result):
                    return result
                case .wait: condition.wait()
                case .waitUntil(let deadline): condition.wait(until: deadline)
                }
            }
        }
    }

    /// Waits until `ready` gives a result, or until the monotonic `deadline` (then nil).
    public func wait<T>(until deadline: Double? = nil, _ ready: (inout State) throws -> T?) rethrows -> T? {
        try wait { state -> WaitStep<T?> in
            if let result = try ready(&state) { return .done(result) }
            guard let deadline else { return .wait }
            return monotonicSeconds() >= deadline ? .done(nil) : .waitUntil(deadline)
        }
    }
}

/// Every live Condition, so that one event (a signal) can wake every waiter to look at it. A wake
/// takes each condition's mutex before broadcasting, so a waiter between its look at the signal flag
/// and its wait cannot miss it. The registry's own lock is never held while a condition's mutex is
/// taken (a thread holding one may be creating a Condition, which registers), and a condition retired
/// while a wake is using it is destroyed only after that wake.
public enum Wakeups {
    final class Pair: Hashable, @unchecked Sendable { // a C wrapper: raw pthread objects, only used through their own API, destroyed once, by the registry
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        init() {
            pthread_mutex_init(mutex, nil)
            var attr = pthread_condattr_t()
            pthread_condattr_init(&attr)
            pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
            pthread_cond_init(cond, &attr)
            pthread_condattr_destroy(&attr)
        }
        func destroy() {
            pthread_cond_destroy(cond)
            pthread_mutex_destroy(mutex)
            cond.deallocate()
            mutex.deallocate()
        }
        static func == (a: Pair, b: Pair) -> Bool { a === b }
        func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }
    }

    private struct Registry {
        var live: Set<Pair> = []
        /// Wakes in progress, and conditions retired meanwhile (destroyed when the last wake ends).
        var waking = 0
        var retired: [Pair] = []
    }
    /// The registry behind a pthread mutex, not Synchronization.Mutex: a signal's wake-up runs on
    /// the signal thread while batches register conditions on the main thread, and the thread
    /// sanitizer models pthread locks but not Mutex's futex hand-off (it reported that as a race).
    private final class Locked: @unchecked Sendable { // a C wrapper: the state is touched only under `lock`
        private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private var state = Registry()
        init() { pthread_mutex_init(lock, nil) }
        func withLock<T>(_ body: (inout Registry) -> T) -> T {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            return body(&state)
        }
    }
    private static let registry = Locked()

    static func register(_ p: Pair) { registry.withLock { _ = $0.live.insert(p) } }

    static func retire(_ p: Pair) {
        let now = registry.withLock { r -> Bool in
            r.live.remove(p)
            if r.waking > 0 { r.retired.append(p); return false }
            return true
        }
        if now { p.destroy() }
    }

    /// Wakes every waiter (each then checks what it waits for, and the signal flag).
    public static func wakeAll() {
        let pairs = registry.withLock { r -> [Pair] in r.waking += 1; return Array(r.live) }
        for p in pairs {
            pthread_mutex_lock(p.mutex)
            pthread_mutex_unlock(p.mutex)
            pthread_cond_broadcast(p.cond)
        }
        let done = registry.withLock { r -> [Pair] in
            r.waking -= 1
            guard r.waking == 0 else { return [] }
            defer { r.retired = [] }
            return r.retired
        }
        for p in done { p.destroy() }
    }
}

public enum DetachedThread {
    private final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ b: @escaping @Sendable () -> Void) { body = b }
    }

    private static func spawn(elsewhere: Bool = false, _ body: @escaping @Sendable () -> Void) -> pthread_t? {
        var thread = pthread_t()
        var attr = pthread_attr_t()
        guard pthread_attr_init(&attr) == 0 else { return nil }
        defer { pthread_attr_destroy(&attr) }
        // Only a hint: left unset (one CPU, or an answer it cannot use), the thread starts as usual.
        #if canImport(Glibc)
        if elsewhere { _ = el_thread_attr_elsewhere(&attr) }
        #endif
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = pthread_create(&thread, &attr, { arg in
            Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue().body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return nil
        }
        return thread
    }

    /// Starts `body` on a thread nobody waits for. With `elsewhere`, on another CPU than the
    /// caller's, when there is one: for work meant to run while the caller goes on (see
    /// `el_thread_attr_elsewhere`), not for work the caller is about to wait for.
    @discardableResult
    public static func startDetached(elsewhere: Bool = false, _ body: @escaping @Sendable () -> Void) -> Bool {
        guard let thread = spawn(elsewhere: elsewhere, body) else { return false }
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
    private let thread: Monitor<pthread_t?>
    init(_ t: pthread_t) { thread = Monitor(t) }
    public func join() {
        guard let t = thread.note({ state -> pthread_t? in defer { state = nil }; return state }) else { return }
        pthread_join(t, nil)
    }
}

/// Seconds on a clock that never jumps (the one clock of the whole program).
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

