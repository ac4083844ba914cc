// The time-left estimate of every progress line (#31: it froze at "6m42s left" for over 6 s, and
// said "40s left" 5 s before the end): "?" until there is enough to go on, a smoothed rate, and a
// countdown between samples. On a clock the test drives, so it is exact and instant.
import Testing
@testable import ElevenLabsCLI

@Suite struct TimeLeftTests {
    @Test func unknownUntilThereIsEnoughToGoOn() {
        var t = TimeLeft(now: 100)
        #expect(t.text(total: 100, now: 100) == "? left")
        t.sample(done: 10, now: 101)
        #expect(t.text(total: 100, now: 101.5) == "? left") // one sample
        t.sample(done: 20, now: 102)
        #expect(t.text(total: 100, now: 102) == "8s left") // 10 a second, 80 to go
    }

    @Test func countsDownBetweenSamplesInsteadOfFreezing() {
        var t = TimeLeft(now: 0)
        for s in 1...4 { t.sample(done: s * 10, now: Double(s)) }
        #expect(t.text(total: 100, now: 4) == "6s left")
        #expect(t.text(total: 100, now: 6) == "4s left")
        #expect(t.text(total: 100, now: 20) == "0s left") // never below zero
    }

    /// A slow start (the first request's latency) does not keep the estimate long at the end.
    @Test func aSlowStartIsForgottenAsTheRateSettles() {
        var t = TimeLeft(now: 0)
        t.sample(done: 1, now: 10) // ten seconds for the first unit
        var now = 10.0
        for done in 2...90 { now += 0.1; t.sample(done: done, now: now) } // then ten a second
        // Ten units left at ten a second: about a second, not the 10 s × 10 a whole-run average gives.
        #expect(t.text(total: 100, now: now) == "1s left")
    }
}
