// The audio layer on its own, with real MP3 (the sandbox's sox+lame fixtures) and the real ALSA
// path into a `file` PCM: decoding is independent of how the bytes are split, and what the player
// hands to ALSA is exactly what it was given, however the network split it.
import Testing
import Foundation
import AudioPlayback
import ThreadSupport
@testable import ElevenLabsSandbox
import TestSupport

private func fixture(_ name: String = "mp3_44100_128") throws -> [UInt8] {
    let base64 = try #require(FixtureData.mp3[name])
    return [UInt8](try #require(Data(base64Encoded: base64)))
}

private func decode(_ mp3: [UInt8], pieces: Int) throws -> (PCMFormat?, [UInt8]) {
    let decoder = try MP3Decoder()
    var pcm: [UInt8] = []
    var format: PCMFormat?
    var offset = 0
    while offset < mp3.count {
        let end = min(mp3.count, offset + pieces)
        try mp3[offset..<end].withUnsafeBytes { chunk in
            try decoder.feed(chunk) { f, samples in format = f; pcm += samples }
        }
        offset = end
    }
    return (format, pcm)
}

@Suite struct AudioPlaybackTests {
    @Test(arguments: ["mp3_44100_128", "mp3_22050_32", "mp3_24000_48"])
    func decodingDoesNotDependOnHowBytesArrive(_ name: String) throws {
        let mp3 = try fixture(name)
        let whole = try decode(mp3, pieces: mp3.count)
        let oneByte = try decode(mp3, pieces: 1)
        let odd = try decode(mp3, pieces: 777)
        #expect(whole.0 == PCMFormat(sampleRate: Int(name.split(separator: "_")[1])!, channels: 1))
        expectSameBytes(oneByte.1, whole.1, "fed one byte at a time")
        expectSameBytes(odd.1, whole.1, "fed 777 bytes at a time")
        let seconds = whole.0!.seconds(ofBytes: whole.1.count)
        #expect(abs(seconds - 1.0) < 0.08) // one second, plus the encoder's delay and padding
    }

    @Test func noiseDecodesToNothingAndTheDecoderResyncsOnTheAudioAfterIt() throws {
        let noise = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        let alone = try decode(noise, pieces: 512)
        #expect(alone.1.isEmpty)
        // The same noise in front of a real stream costs at most the frame it hides.
        let mp3 = try fixture()
        let clean = try decode(mp3, pieces: 512)
        let after = try decode(noise + mp3, pieces: 512)
        #expect(after.0 == clean.0)
        #expect(after.1.count <= clean.1.count && after.1.count >= clean.1.count - 2 * 1152 * 2,
                "\(after.1.count) bytes of PCM after the noise, \(clean.1.count) without it")
    }

    // The player's calls block (they wait on its thread), so they run on a thread of their own:
    // never on the concurrency pool the tests run on.
    @Test func thePlayerHandsALSAExactlyWhatItWasGivenInAnySplit() async throws {
        let dir = try temporaryDirectory()
        let captured = dir.appendingPathComponent("out.raw")
        let format = PCMFormat(sampleRate: 16000, channels: 1)
        let samples = (0..<48_001).map { UInt8(truncatingIfNeeded: $0 &* 31) } // an odd byte count
        let seconds = try await onThread { () -> Double in
            let player = Player(device: "file:FILE=\(captured.path)", input: .pcm(format), expected: format)
            try player.waitUntilReady()
            var offset = 0
            var size = 1
            while offset < samples.count {
                let end = min(samples.count, offset + size)
                try samples[offset..<end].withUnsafeBytes { try player.enqueue($0) }
                offset = end
                size = size % 997 + 3 // odd sizes split frames across calls
            }
            try player.finish()
            return player.decodedSeconds
        }
        try expectSameBytes(Data(contentsOf: captured), Data(samples.prefix(48_000)), "the PCM that reached ALSA")
        #expect(abs(seconds - 1.5) < 0.001)
    }

    @Test func aMissingDeviceIsAnErrorNamingTheDevice() async throws {
        let error = try await onThread { () -> AudioError? in
            let player = Player(device: "no_such_device_anywhere", input: .mp3)
            do { try player.waitUntilReady(); return nil } catch let e as AudioError { return e }
        }
        #expect(error?.message.hasPrefix("cannot open the audio device 'no_such_device_anywhere'") == true, "\(String(describing: error))")
        #expect(error?.kind == .deviceUnavailable)
    }

    @Test func thePlayerDecodesOnItsOwnThreadAndEachStreamStartsClean() async throws {
        let mp3 = try fixture()
        let reference = try decode(mp3, pieces: mp3.count)
        let sink = MemorySink()
        let seconds = try await onThread { () -> Double in
            let player = Player(input: .mp3, makeSink: { sink })
            try player.waitUntilReady()
            // Two answers, each its own stream, fed in awkward pieces.
            for _ in 0..<2 {
                player.beginStream()
                var offset = 0
                while offset < mp3.count {
                    let end = min(mp3.count, offset + 313)
                    try mp3[offset..<end].withUnsafeBytes { try player.enqueue($0) }
                    offset = end
                }
            }
            try player.finish()
            return player.decodedSeconds
        }
        #expect(sink.drained && !sink.dropped)
        #expect(sink.formats == [reference.0!])
        expectSameBytes(sink.pcm, reference.1 + reference.1, "two streams played back to back")
        #expect(abs(seconds - 2 * reference.0!.seconds(ofBytes: reference.1.count)) < 0.001)
    }

    /// An abort stops at once: of three seconds queued (all the queue holds of this MP3), a device
    /// that plays in real time gets no more than what was written before the abort and the slice in
    /// progress; what is queued and what the device holds are dropped, never drained. (A player that
    /// finished the queue, or drained, would hand the sink all three seconds.)
    @Test func anAbortedPlayerDropsWhatIsQueued() async throws {
        let mp3 = try fixture()
        let (format, once) = try decode(mp3, pieces: mp3.count)
        let sink = PacedSink()
        let (written, heard) = try await onThread { () -> (Int, Double) in
            let player = Player(input: .mp3, makeSink: { sink })
            try player.waitUntilReady()
            #expect(3 * mp3.count <= Player.maxQueuedBytes)
            for _ in 0..<3 {
                player.beginStream()
                try mp3.withUnsafeBytes { try player.enqueue($0) }
            }
            sink.waitForFirstWrite()
            let before = sink.pcm.count
            player.abort()
            return (sink.pcm.count - before, player.heardSeconds)
        }
        let rate = try #require(format).sampleRate, slice = Int(Double(rate) * 0.02) * 2
        #expect(sink.dropped && !sink.drained)
        // At most the slice being written when the abort came, and one more on its heels.
        #expect(written <= 2 * slice, "\(written) bytes written after the abort (a slice is \(slice))")
        #expect(sink.pcm.count < once.count * 2, "\(sink.pcm.count) of \(once.count * 3) bytes reached the device")
        #expect(heard < 2)
    }

    /// Blocks larger than the whole queue (a cache replay reads 64 KiB at a time; nothing stops a
    /// caller from handing more) still go in, one at a time, and play whole and in order: the bound
    /// holds the network side back, it never refuses or splits what it is given.
    @Test func blocksLargerThanTheQueueStillPlayWhole() async throws {
        let format = PCMFormat(sampleRate: 16000, channels: 1)
        let big = Player.maxQueuedBytes * 4
        let blocks = [big, 3, big + 2, 1, Player.resumeQueuedBytes + 1].enumerated().map { i, n in
            (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }
        }
        let sink = MemorySink()
        let done = Monitor(false)
        let player = Player(input: .pcm(format), expected: format, makeSink: { sink })
        let feeder = DetachedThread.start {
            do {
                try player.waitUntilReady()
                for block in blocks { try block.withUnsafeBytes { try player.enqueue($0) } }
                try player.finish()
            } catch {
                Issue.record("the feeder failed: \(error)")
            }
            done.update { $0 = true }
        }
        // A queue that never lets a big block in would hang here: give up after 10 s, and free the feeder.
        let finished = try await onThread { done.wait(until: monotonicSeconds() + 10) { $0 ? true : nil } ?? false }
        if !finished { player.abort() }
        try await onThread { feeder.join() }
        #expect(finished, "the blocks were still not all queued after 10 s")
        let all = blocks.flatMap { $0 }
        expectSameBytes(sink.pcm, Array(all.prefix(all.count / 2 * 2)), "every block played, in order")
    }

    /// The queue is bounded: while the device takes nothing, the network side blocks once about
    /// `maxQueuedBytes` wait (as curl blocks on a full pipe), and it goes on once the device plays
    /// again, with every byte played in order. (Before, half a megabyte could wait: a long listen
    /// held it the whole time.)
    @Test func aFullQueueHoldsTheNetworkSideUntilTheDeviceTakesMore() async throws {
        let format = PCMFormat(sampleRate: 16000, channels: 1)
        let block = 4096
        let bound = 64 << 10 // what curl | mpg123 holds in its pipe
        let total = 4 * bound
        let samples = (0..<total).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let sink = GatedSink()
        let accepted = Monitor(0)
        // Blocking calls run on threads of their own, never on the concurrency pool.
        let held = try await onThread { () -> Int in
            let player = Player(input: .pcm(format), expected: format, makeSink: { sink })
            let feeder = DetachedThread.start {
                do {
                    try player.waitUntilReady()
                    for offset in stride(from: 0, to: total, by: block) {
                        try samples[offset..<offset + block].withUnsafeBytes { try player.enqueue($0) }
                        accepted.update { $0 += block }
                    }
                    try player.finish()
                } catch {
                    Issue.record("the feeder failed: \(error)")
                }
            }
            // The device holds its first write; the feeder has ample time to fill the queue and block.
            sink.waitForFirstWrite()
            usleep(300_000)
            let held = accepted.read { $0 }
            sink.open()
            // A network side never woken once the queue drained would wait for ever: 10 s, then abort.
            if accepted.wait(until: monotonicSeconds() + 10, { $0 == total ? true : nil }) == nil { player.abort() }
            feeder.join()
            return held
        }
        // Queued, plus the block the player took and is writing, plus one taken into the decoder.
        #expect(held <= bound + 3 * block, "\(held) bytes accepted while the device took nothing")
        #expect(held >= min(bound, Player.maxQueuedBytes) / 2, "\(held) bytes accepted: the queue never filled")
        #expect(accepted.read { $0 } == total, "\(accepted.read { $0 }) of \(total) bytes accepted once the device played again")
        expectSameBytes(sink.pcm, samples, "everything played, in order")
        #expect(sink.drained)
    }

    /// A device that takes audio faster than it plays it (ALSA's null, a file) lets the player run
    /// far ahead; then a chunk that finds it waiting does not wake it until the queue holds a batch,
    /// and the player still takes what waits by the time the device would be 2 s from running dry.
    @Test func aDeviceAheadOfTheListenerIsFedInBatchesAndNothingWaitsPastItsTime() async throws {
        let format = PCMFormat(sampleRate: 16000, channels: 1) // 32,000 bytes a second
        let block = 4096
        let ahead = 4 * 32000 // four seconds, written at once: due 2 s after the first write
        let batch = Player.resumeQueuedBytes
        let samples = (0..<(ahead + block + batch + 2 * block)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let sink = MemorySink()
        @Sendable func written(_ n: Int, within seconds: Double) -> Bool {
            let end = monotonicSeconds() + seconds
            while monotonicSeconds() < end { if sink.pcm.count >= n { return true }; usleep(2000) }
            return sink.pcm.count >= n
        }
        let (held, takenAfter, due, batchTaken) = try await onThread { () throws -> (Int?, Double, Double, Bool) in
            let player = Player(input: .pcm(format), expected: format, makeSink: { sink })
            try player.waitUntilReady()
            var at = 0
            func feed(_ n: Int) throws {
                try samples[at..<at + n].withUnsafeBytes { try player.enqueue($0) }
                at += n
            }
            for _ in 0..<(ahead / block) { try feed(block) }
            try feed(ahead % block)
            #expect(written(ahead, within: 5), "the first four seconds were played")
            let due = player.firstWrite! + 4 - Player.aheadForBatching
            let sent = monotonicSeconds()
            try feed(block)
            usleep(100_000)
            // Held back only while the device is well ahead: a machine that stalled the test past
            // the due time has nothing to show here.
            let held: Int? = monotonicSeconds() < due - 0.2 ? sink.pcm.count : nil
            let taken = written(ahead + block, within: max(0, due - monotonicSeconds()) + 3) ? monotonicSeconds() : .infinity
            // A batch wakes the player at once.
            for _ in 0..<(batch / block) { try feed(block) }
            let batchTaken = written(ahead + block + batch, within: 1)
            try feed(samples.count - at)
            try player.finish()
            return (held, taken - sent, due - sent, batchTaken)
        }
        if let held { #expect(held == ahead, "a lone chunk was taken at once (\(held - ahead) bytes) though the device was far ahead") }
        #expect(takenAfter >= due - 0.05 && takenAfter.isFinite, "taken \(takenAfter) s after it came; due \(due) s")
        #expect(batchTaken, "a full batch waited")
        expectSameBytes(sink.pcm, samples, "everything played, in order")
        #expect(sink.drained)
    }
}

/// A device whose first write blocks until the test opens it; after that it takes everything at once.
private final class GatedSink: AudioSink, Sendable {
    private struct State { var pcm: [UInt8] = []; var open = false; var writing = false; var drained = false }
    private let state = Monitor(State())
    var pcm: [UInt8] { state.read { $0.pcm } }
    var drained: Bool { state.read { $0.drained } }
    func waitForFirstWrite() { _ = state.wait { $0.writing ? true : nil } }
    func open() { state.update { $0.open = true } }
    func configure(_ format: PCMFormat) throws {}
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        state.update { $0.writing = true }
        _ = state.wait { $0.open ? true : nil }
        state.update { $0.pcm.append(contentsOf: bytes) }
    }
    func delayFrames() -> Int { 0 }
    func drain() { state.update { $0.drained = true } }
    func drop() {}
    func close() {}
}

/// A device that plays in real time: each write takes as long as its audio lasts.
private final class PacedSink: AudioSink, Sendable {
    private struct State { var pcm: [UInt8] = []; var rate = 0; var drained = false; var dropped = false }
    private let state = Monitor(State())
    var pcm: [UInt8] { state.read { $0.pcm } }
    var drained: Bool { state.read { $0.drained } }
    var dropped: Bool { state.read { $0.dropped } }
    func waitForFirstWrite() { _ = state.wait { $0.pcm.isEmpty ? nil : true } }
    func configure(_ format: PCMFormat) throws { state.update { $0.rate = format.sampleRate } }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        let rate = state.read { $0.rate }
        state.update { $0.pcm.append(contentsOf: bytes) }
        usleep(UInt32(Double(bytes.count) / Double(max(1, rate) * 2) * 1_000_000))
    }
    func delayFrames() -> Int { 0 }
    func drain() { state.update { $0.drained = true } }
    func drop() { state.update { $0.dropped = true } }
    func close() {}
}
