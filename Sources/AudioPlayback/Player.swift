// Live playback, as out123 does it: the network side queues the audio as it arrives (MP3, or PCM and
// G.711 as they are), and one thread of the player's own decodes it and writes it to the sink, so a
// slow device never stalls the download and a slow network only drains the queue. One queue, bounded
// in bytes, keeps memory flat however long the audio is; each MP3 stream (a request's answer) gets
// its own decoder. The device opens on the player's thread at once, overlapping whatever the caller
// does meanwhile (connecting to the API).
import ThreadSupport
#if canImport(Glibc)
import Glibc
#endif

public final class Player: Sendable {
    /// What the queued bytes are.
    public enum Input: Sendable, Equatable {
        case mp3
        /// Already PCM (or G.711) in this format: written as is.
        case pcm(PCMFormat)
    }

    private enum Item { case stream, bytes([UInt8]) }

    /// Everything the two threads share, in a Monitor.
    private struct State {
        var queue: [Item] = []
        var queuedBytes = 0
        var opened = false
        var ended = false
        var aborted = false
        var failure: AudioError?
        var firstWrite: Double?
        var decodedSeconds = 0.0
        /// Frames written, the device's delay when last asked, and when.
        var framesWritten = 0
        var delayFrames = 0
        var rate = 0
        var measuredAt = 0.0
        /// Someone follows what is heard (a highlighter): the device's delay is asked after each write.
        var tracksPosition = false
        /// Underruns the device reported (gaps heard), as of the last write.
        var underruns = 0
        /// Told once, when the first sound is written (a highlighter waits for it without polling).
        var onFirstSound: [@Sendable () -> Void] = []
    }

    /// The state both threads share. The player's thread holds this, not the player, so dropping the
    /// last reference to the player still stops and joins its thread.
    private typealias Shared = Monitor<State>

    private let shared = Shared(State())
    private let isInterrupted: @Sendable () -> Bool
    private let body: @Sendable () -> Void
    /// The player's thread once started (at creation, or on `start()` / first use when deferred).
    private let thread = Monitor<Joiner?>(nil)

    /// At most this much encoded audio waits in the queue (4 s of 128 kbps MP3); beyond it the
    /// network side waits, as `curl | mpg123` does through its 64 KiB pipe, and what follows waits in
    /// the socket's buffer (the kernel's memory, not ours) until there is room. It was 512 KiB: on a
    /// fast connection a long listen held that much the whole time (bench/NOTES.md, "#29, round four").
    public static let maxQueuedBytes = 64 << 10
    /// A network side that found the queue full waits until it has drained to this, and the player
    /// wakes it only then: one wake-up per 2 s of audio, not one per chunk taken.
    public static let resumeQueuedBytes = 32 << 10
    /// A device that takes audio faster than it plays it (ALSA's `null`, a `file` PCM) is this far
    /// ahead, by the clock, of what has been written: then a chunk that finds the player waiting
    /// does not wake it until the queue holds `resumeQueuedBytes`, and the player, waiting, wakes
    /// on its own by the time the device is within this much of running dry. A real device takes at
    /// most its buffer (ALSASink asks for 0.5 s) ahead, so this never holds there and every chunk
    /// still wakes a waiting player at once.
    public static let aheadForBatching = 2.0
    /// The device is written in slices this long, so an abort takes effect within one of them; as
    /// long as half of ALSASink's period, so a wake-up for more takes one or two writes, not five.
    static let sliceSeconds = 0.05

    /// `makeSink` runs on the player's thread (opening a device can take a while); `expected`, when
    /// the format is known ahead, configures it before the first audio arrives. With `deferStart`, the
    /// thread starts on `start()` or first use: on two cores, a device opening (loading libasound,
    /// parsing ALSA's configuration) that competes with the main thread before its request has left
    /// delays the request; started as the request goes, it overlaps the network wait instead.
    public init(input: Input, expected: PCMFormat? = nil, isInterrupted: @escaping @Sendable () -> Bool = { false },
                deferStart: Bool = false, makeSink: @escaping @Sendable () throws -> AudioSink) {
        self.isInterrupted = isInterrupted
        let shared = self.shared
        body = { Self.run(shared, input: input, expected: expected, isInterrupted: isInterrupted, makeSink: makeSink) }
        if !deferStart { start() }
    }

    /// Plays through the ALSA device named `device`.
    public convenience init(device: String, input: Input, expected: PCMFormat? = nil,
                            isInterrupted: @escaping @Sendable () -> Bool = { false }, deferStart: Bool = false) {
        self.init(input: input, expected: expected, isInterrupted: isInterrupted, deferStart: deferStart) { try ALSASink(device: device) }
    }

    /// Starts the player's thread (opening the device) unless it is running; idempotent.
    public func start() {
        thread.note { t in
            if t == nil {
                t = DetachedThread.start(body)
                Timeline.mark("player thread started")
            }
        }
    }

    private func join() { thread.read { $0 }?.join() }

    deinit { abort() }

    /// Blocks until the device is open; throws its error when it cannot be opened.
    public func waitUntilReady() throws {
        start()
        let isInterrupted = self.isInterrupted
        let failure = shared.wait { s -> WaitStep<AudioError?> in
            s.opened || s.failure != nil || s.aborted || isInterrupted() ? .done(s.failure) : .wait
        }
        if let failure { throw failure }
    }

    /// Starts a new MP3 stream: what follows is decoded from a clean start (a new request's answer).
    public func beginStream() {
        shared.update { $0.queue.append(.stream) }
    }

    /// Queues bytes in any split; blocks while the queue is full. Throws when the device has failed.
    public func enqueue(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        start()
        let block = Array(bytes) // the one copy between the network and the player's thread
        let isInterrupted = self.isInterrupted
        var waited = false
        var starved = false
        let failure = shared.wait { s -> WaitStep<AudioError?> in
            if let failure = s.failure { return .done(failure) }
            if !s.aborted && !isInterrupted() && s.queuedBytes > (waited ? Self.resumeQueuedBytes : Self.maxQueuedBytes) {
                waited = true
                return .wait
            }
            s.queue.append(.bytes(block))
            s.queuedBytes += block.count
            // Far ahead of the listener (a device faster than real time), the player waits for a
            // batch: one wake-up per 32 KiB rather than one per network chunk.
            if s.queuedBytes < Self.resumeQueuedBytes, let due = Self.batchDue(s), monotonicSeconds() < due {
                return .doneQuietly(nil)
            }
            starved = s.queuedBytes == block.count && s.opened
            return .done(nil)
        }
        if let failure { throw failure }
        // The player was waiting for this. Woken, it is often queued on this thread's CPU, behind
        // the network side's next work (the cache's write and digest, the next chunks): 0.4 to 1 ms
        // before the first audio was decoded. Yielding lets it go first; on another CPU it costs a
        // system call (bench/NOTES.md, "#29, round four").
        if starved { sched_yield() }
    }

    /// Throws when playing has failed (so a transfer can stop early).
    public func checkHealthy() throws { if let f = failure { throw f } }

    /// Why playing failed, if it has.
    public var failure: AudioError? { shared.read { $0.failure } }

    /// Ends the stream and waits until the device has played it all (drain: the last word is heard).
    public func finish() throws {
        start()
        shared.update { $0.ended = true }
        join()
        if let failure = shared.read({ $0.failure }) { throw failure }
    }

    /// Stops at once: what is queued or buffered in the device is dropped.
    public func abort() {
        shared.update { $0.aborted = true }
        join()
    }

    /// Monotonic time of the first PCM handed to the device (time to first sound), if any.
    public var firstWrite: Double? { shared.read { $0.firstWrite } }

    /// Runs `told` (on the player's thread) when the first sound is written, or now if it has been.
    public func whenSounding(_ told: @escaping @Sendable () -> Void) {
        let now = shared.update { s -> Bool in
            if s.firstWrite != nil { return true }
            s.onFirstSound.append(told)
            return false
        }
        if now { told() }
    }

    /// Times the device ran dry and was restarted (each a gap the listener heard), so far.
    public var underruns: Int { shared.read { $0.underruns } }

    /// Seconds of audio decoded (or taken as PCM) so far.
    public var decodedSeconds: Double { shared.read { $0.decodedSeconds } }

    /// From now on, the device's delay is asked after each write, so `heardSeconds` follows the
    /// sound. Off by default: on a sound server, each asking is a round of locks and wake-ups in the
    /// client library, and plain playback has no use for the answer.
    public func trackPosition() { shared.update { $0.tracksPosition = true } }

    /// Seconds of audio heard so far: what was written less what the device still holds (its own
    /// delay, as it last reported it), moved on by the time since then; -1 before the first sound.
    /// Follows the sound only once `trackPosition()` has been called.
    public var heardSeconds: Double {
        shared.read { s in
            guard s.firstWrite != nil, s.rate > 0 else { return -1 }
            let written = Double(s.framesWritten) / Double(s.rate)
            let atMeasure = Double(s.framesWritten - s.delayFrames) / Double(s.rate)
            return min(written, atMeasure + (monotonicSeconds() - s.measuredAt))
        }
    }

    /// When a player holding back for a batch must take what is queued: the device, started at the
    /// first write and playing in real time since, is then `aheadForBatching` from running dry. Nil
    /// before the first write (the first audio is never held back). In seconds written, not frames,
    /// so a stream whose rate changes is still timed right; a late start or an underrun only makes
    /// the device run dry later than this.
    private static func batchDue(_ s: State) -> Double? {
        guard let first = s.firstWrite else { return nil }
        return first + s.decodedSeconds - aheadForBatching
    }

    // MARK: The player's thread

    private static func fail(_ shared: Shared, _ error: Error) {
        shared.update { $0.failure = $0.failure ?? ((error as? AudioError) ?? AudioError(.deviceFailed, "\(error)")) }
    }

    private static func run(_ shared: Shared, input: Input, expected: PCMFormat?, isInterrupted: @Sendable () -> Bool,
                            makeSink: @escaping @Sendable () throws -> AudioSink) {
        // Opening the device (loading libasound, parsing ALSA's configuration, loading libmpg123)
        // overlaps the request; on two cores it must not take much CPU from the TLS handshake or the
        // main thread's preparation, and the CPU is idle while the network is waited for. So it runs
        // on a helper thread at a lower priority (nice 10): an unprivileged thread can lower its own
        // priority but never raise it again, and playback itself must keep the normal one.
        let opened = Monitor<Result<(AudioSink, MP3Decoder?), Error>?>(nil) // written by the helper, read after the join
        DetachedThread.start {
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10) // on Linux: this thread only
            let result = Result<(AudioSink, MP3Decoder?), Error> {
                let sink = try makeSink()
                Timeline.mark("device open", thread: "player")
                if let expected { try sink.configure(expected) }
                Timeline.mark("device configured", thread: "player")
                // The decoder (and libmpg123) is ready before the first audio arrives, not after it.
                let decoder: MP3Decoder? = input == .mp3 ? try MP3Decoder() : nil
                return (sink, decoder)
            }
            opened.update { $0 = result }
        }.join()
        let sink: AudioSink
        var decoder: MP3Decoder?
        do {
            (sink, decoder) = try opened.read { $0! }.get()
        } catch {
            fail(shared, error)
            return
        }
        Timeline.mark("device opened, decoder ready", thread: "player")
        shared.update { $0.opened = true }
        var decoderFed = false
        var partial: [UInt8] = [] // PCM bytes of a frame split across two network chunks
        var stopped = false
        while !stopped {
            let next: Item? = shared.wait { s in
                if s.aborted || isInterrupted() { return .done(nil) }
                if !s.queue.isEmpty {
                    let item = s.queue.removeFirst()
                    if case .bytes(let b) = item { s.queuedBytes -= b.count }
                    // Only a queue drained to the resume mark can end the network side's wait.
                    return s.queuedBytes <= Self.resumeQueuedBytes ? .done(item) : .doneQuietly(item)
                }
                if s.ended { return .done(nil) }
                // Chunks may arrive without waking it (see enqueue): it wakes by the due time.
                if let due = Self.batchDue(s), monotonicSeconds() < due { return .waitUntil(due) }
                return .wait
            }
            guard let item = next else { break }
            do {
                switch item {
                case .stream:
                    if decoderFed { decoder = nil; decoderFed = false }
                    partial = []
                case .bytes(let bytes):
                    switch input {
                    case .mp3:
                        if decoder == nil { decoder = try MP3Decoder() }
                        if !decoderFed { Timeline.mark("first audio taken from the queue", thread: "player") }
                        decoderFed = true
                        try bytes.withUnsafeBytes { b in
                            try decoder!.feed(b) { format, pcm in
                                if !(try write(shared, format, pcm, to: sink, isInterrupted: isInterrupted)) { stopped = true }
                            }
                        }
                    case .pcm(let format):
                        // The network splits anywhere; the device takes whole frames only.
                        var block = partial + bytes
                        let whole = block.count / format.bytesPerFrame * format.bytesPerFrame
                        partial = Array(block[whole...])
                        block.removeLast(block.count - whole)
                        if !block.isEmpty,
                           !(try block.withUnsafeBytes { try write(shared, format, $0, to: sink, isInterrupted: isInterrupted) }) {
                            stopped = true
                        }
                    }
                }
            } catch {
                fail(shared, error)
                break
            }
        }
        let drop = shared.read { $0.aborted || $0.failure != nil }
        if drop || isInterrupted() { sink.drop() } else { sink.drain() }
        sink.close()
    }

    /// Writes PCM in slices, returning false when stopped midway.
    private static func write(_ shared: Shared, _ format: PCMFormat, _ pcm: UnsafeRawBufferPointer, to sink: AudioSink,
                              isInterrupted: @Sendable () -> Bool) throws -> Bool {
        try sink.configure(format)
        let slice = max(format.bytesPerFrame, Int(Double(format.sampleRate) * sliceSeconds) * format.bytesPerFrame)
        var offset = 0
        while offset < pcm.count {
            let (aborted, tracking) = shared.read { ($0.aborted, $0.tracksPosition) }
            if aborted || isInterrupted() { return false }
            let end = min(pcm.count, offset + slice)
            let started = monotonicSeconds()
            try sink.write(UnsafeRawBufferPointer(rebasing: pcm[offset..<end]))
            let delay = tracking ? sink.delayFrames() : 0
            let underruns = sink.underruns
            let frames = (end - offset) / format.bytesPerFrame
            let told = shared.note { s -> [@Sendable () -> Void] in
                var told: [@Sendable () -> Void] = []
                if s.firstWrite == nil {
                    s.firstWrite = started
                    Timeline.mark("first PCM written", thread: "player")
                    told = s.onFirstSound
                    s.onFirstSound = []
                }
                s.framesWritten += frames
                s.rate = format.sampleRate
                s.underruns = underruns
                if tracking {
                    s.delayFrames = delay
                    s.measuredAt = monotonicSeconds()
                }
                s.decodedSeconds += format.seconds(ofBytes: end - offset)
                return told
            }
            for t in told { t() }
            offset = end
        }
        return true
    }
}
