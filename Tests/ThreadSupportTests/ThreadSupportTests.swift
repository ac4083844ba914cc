// The thread primitives on their own: where a thread meant to overlap its creator runs, and how a
// monitor's quiet step leaves a waiter asleep.
import Testing
import Glibc
import CSystem
import ThreadSupport
import TestSupport

@Suite struct ThreadSupportTests {
    /// A thread made "elsewhere" may not run on the CPU its creator was on (left to the scheduler, it
    /// was queued there and ran only once the creator blocked). With one CPU allowed, nothing is
    /// asked and the thread runs as usual.
    @Test func aThreadMadeElsewhereRunsOnAnotherCPU() async throws {
        let allowed = el_allowed_cpu_count()
        let (left, ran) = try await onThread { () -> (Int32, Int32) in
            var attr = pthread_attr_t()
            guard pthread_attr_init(&attr) == 0 else { return (-2, -2) }
            defer { pthread_attr_destroy(&attr) }
            let left = el_thread_attr_elsewhere(&attr)
            let where_ = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
            defer { where_.deallocate() }
            where_.pointee = -3
            var thread = pthread_t()
            guard pthread_create(&thread, &attr, { arg in
                arg!.assumingMemoryBound(to: Int32.self).pointee = el_current_cpu()
                return nil
            }, where_) == 0 else { return (left, -4) }
            pthread_join(thread, nil)
            return (left, where_.pointee)
        }
        if allowed >= 2 {
            #expect(left >= 0, "no CPU left out though \(allowed) are allowed")
            #expect(ran >= 0 && ran != left, "the thread ran on CPU \(ran), the one left out was \(left)")
        } else {
            #expect(left == -1, "a CPU left out with \(allowed) allowed")
            #expect(ran >= 0)
        }
    }

    /// A quiet step ends its own wait without waking the others: a waiter stays asleep through it
    /// and wakes at the next ordinary change. (Were it woken, it would see the count it waits for.)
    @Test func aQuietStepWakesNobody() async throws {
        let state = Monitor(0)
        let seen = Monitor<[Int]>([])
        let waiter = DetachedThread.start {
            // Records every value it is woken to look at, until it sees 3.
            state.wait { n -> WaitStep<Void> in
                seen.update { $0.append(n) }
                return n >= 3 ? .done(()) : .wait
            }
        }
        // Let the waiter make its first look and go to sleep.
        let looked = try await onThread { seen.wait(until: monotonicSeconds() + 5) { $0.isEmpty ? nil : true } }
        #expect(looked == true)
        _ = try await onThread { usleep(50_000) }
        // Quiet steps: the count reaches 2, and nobody is told.
        for _ in 0..<2 { state.wait { n -> WaitStep<Void> in n += 1; return .doneQuietly(()) } }
        _ = try await onThread { usleep(100_000) }
        #expect(seen.read { $0 } == [0], "the waiter looked at \(seen.read { $0 }) after quiet steps")
        // An ordinary change wakes it, and it sees all three.
        state.update { $0 += 1 }
        try await onThread { waiter.join() }
        #expect(seen.read { $0 } == [0, 3])
    }
}
