// Live playback: PCM blocks are queued by the network side and written to ALSA by a thread of its
// own, so a slow device never stalls the download and a slow network only drains the queue. The
// queue is bounded, which keeps memory flat however long the audio is.
import ThreadSupport

public final class Player: @unchecked Sendable {
    private let device: String
    private let expected: PCMFormat?
    private var sink: ALSASink?
    private var opened = false
    private let cond = Condition()
    private var queue: [(PCMFormat, [UInt8])] = []
    private var queuedBytes = 0
    private var ended = false
    private var aborted = false
    private var failure: AudioError?
    private var join: (() -> Void)?
    private let isInterrupted: @Sendable () -> Bool

    /// Monotonic time of the first PCM handed to ALSA (time to first sound), when there was any.
    public private(set) var firstWrite: Double?
    public private(set) var bytesPlayed = 0
    public private(set) var secondsPlayed = 0.0

    /// Queue at most this much audio ahead of the device (seconds); the network waits beyond it.
    static let maxQueuedSeconds = 4.0
    /// ALSA is written in slices this long, so an abort takes effect within one of them.
    static let sliceSeconds = 0.02

    /// Starts the player thread, which opens the device at once; `waitUntilReady` reports the outcome.
    /// Opening (parsing ALSA's configuration, starting a sound server's client) thus overlaps whatever
    /// the caller does meanwhile, such as connecting to the API.
    /// `expected`, when the caller knows the format ahead (it does from the requested output_format),
    /// configures the device before the first audio arrives: one less step before the first sound.
    public init(device: String, expected: PCMFormat? = nil, isInterrupted: @escaping @Sendable () -> Bool = { false }) {
        self.device = device
        self.expected = expected
        self.isInterrupted = isInterrupted
        join = DetachedThread.start { [unowned self] in self.run() }
    }

    /// Blocks until the device is open; throws its error when it cannot be opened.
    public func waitUntilReady() throws {
        try cond.withLock {
            while !opened && failure == nil { cond.wait(seconds: 0.05) }
            if let failure { throw failure }
        }
    }

    deinit { abort() }

    /// Bytes of a frame split across two network chunks, kept until the rest arrives: raw PCM comes
    /// in whatever pieces TCP delivers, and ALSA takes whole frames only.
    private var partial: [UInt8] = []

    /// Queues PCM given in any split; blocks while the queue is full. Throws when the device has failed.
    public func play(_ format: PCMFormat, _ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        var block = partial + Array(bytes)
        let whole = block.count / format.bytesPerFrame * format.bytesPerFrame
        partial = Array(block[whole...])
        block.removeLast(block.count - whole)
        guard !block.isEmpty else { return }
        try cond.withLock {
            while failure == nil && !aborted && queuedBytes > 0
                    && format.seconds(ofBytes: queuedBytes) > Self.maxQueuedSeconds {
                cond.wait(seconds: 0.05)
            }
            if let failure { throw failure }
            queue.append((format, block))
            queuedBytes += block.count
            cond.broadcast()
        }
    }

    /// Ends the stream and waits until the device has played it all (drain: the last word is heard).
    public func finish() throws {
        cond.withLock { ended = true; cond.broadcast() }
        join?()
        join = nil
        if let failure { throw failure }
    }

    /// Stops at once: what is queued or buffered in the device is dropped.
    public func abort() {
        cond.withLock { aborted = true; cond.broadcast() }
        join?()
        join = nil
    }

    private func run() {
        let sink: ALSASink
        do {
            sink = try ALSASink(device: device)
            if let expected { try sink.configure(expected) }
        } catch {
            cond.withLock {
                failure = (error as? AudioError) ?? AudioError("\(error)")
                cond.broadcast()
            }
            return
        }
        cond.withLock { self.sink = sink; opened = true; cond.broadcast() }
        while true {
            var block: (PCMFormat, [UInt8])?
            var stop = false
            cond.withLock {
                while queue.isEmpty && !ended && !aborted {
                    cond.wait(seconds: 0.05)
                    if isInterrupted() { aborted = true }
                }
                if aborted { stop = true; return }
                if queue.isEmpty { stop = true; return } // ended, all written
                block = queue.removeFirst()
            }
            if stop { break }
            guard let (format, bytes) = block else { continue }
            do {
                try sink.configure(format)
                let slice = max(format.bytesPerFrame, Int(Double(format.sampleRate) * Self.sliceSeconds) * format.bytesPerFrame)
                var offset = 0
                while offset < bytes.count {
                    if cond.withLock({ aborted }) || isInterrupted() { break }
                    let end = min(bytes.count, offset + slice)
                    if firstWrite == nil { firstWrite = monotonicSeconds() }
                    try bytes[offset..<end].withUnsafeBytes { try sink.write($0) }
                    offset = end
                }
                cond.withLock {
                    queuedBytes -= bytes.count
                    bytesPlayed += offset
                    secondsPlayed += format.seconds(ofBytes: offset)
                    cond.broadcast()
                }
            } catch {
                cond.withLock {
                    failure = (error as? AudioError) ?? AudioError("\(error)")
                    cond.broadcast()
                }
                break
            }
        }
        if cond.withLock({ aborted || failure != nil }) || isInterrupted() { sink.drop() } else { sink.drain() }
        sink.close()
    }
}
