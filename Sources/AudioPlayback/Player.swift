// Live playback: PCM blocks are queued by the network side and written to ALSA by a thread of its
// own, so a slow device never stalls the download and a slow network only drains the queue. The
// queue is bounded, which keeps memory flat however long the audio is.
public final class Player: @unchecked Sendable {
    private let sink: ALSASink
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

    /// Opens the device now, so a bad device fails before any request is made (and no credit spent).
    public init(device: String, isInterrupted: @escaping @Sendable () -> Bool = { false }) throws {
        sink = try ALSASink(device: device)
        self.isInterrupted = isInterrupted
        join = DetachedThread.start { [unowned self] in self.run() }
    }

    deinit { abort() }

    /// Queues PCM; blocks while the queue is full. Throws when the device has failed.
    public func play(_ format: PCMFormat, _ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        try cond.withLock {
            while failure == nil && !aborted && queuedBytes > 0
                    && format.seconds(ofBytes: queuedBytes) > Self.maxQueuedSeconds {
                cond.wait(seconds: 0.05)
            }
            if let failure { throw failure }
            queue.append((format, Array(bytes)))
            queuedBytes += bytes.count
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
