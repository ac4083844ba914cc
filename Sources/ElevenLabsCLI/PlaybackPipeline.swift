// Long texts are spoken as a sequence of requests that must sound like one: each chunk's audio is
// handed, as it arrives, from the transfer (main thread) to a playing thread that decodes it and
// feeds one continuous ALSA stream. The next chunk is fetched while the current one plays, but no
// further ahead, so memory stays flat however long the text is.
import AudioPlayback
import ThreadSupport

/// One chunk's audio bytes, in arrival order. At most `maxBuffered` bytes wait here: beyond that the
/// transfer itself waits (TCP holds the rest), as `curl | mpg123` does through its pipe, so memory
/// stays flat even for a chunk of many minutes.
final class ChunkFeed: @unchecked Sendable {
    static let maxBuffered = 512 << 10 // about 30 s of 128 kbps MP3
    private let cond = Condition()
    private var blocks: [[UInt8]] = []
    private var buffered = 0
    private var finished = false

    func append(_ bytes: UnsafeRawBufferPointer, stop: () -> Bool) {
        cond.withLock {
            while buffered > Self.maxBuffered && !finished && !stop() { cond.wait(seconds: 0.05) }
            blocks.append(Array(bytes))
            buffered += bytes.count
            cond.broadcast()
        }
    }

    func finish() { cond.withLock { finished = true; cond.broadcast() } }

    /// The next block, waiting for it; nil once the chunk is complete (or `stop()` says so).
    func next(stop: () -> Bool) -> [UInt8]? {
        cond.withLock {
            while blocks.isEmpty && !finished && !stop() { cond.wait(seconds: 0.05) }
            guard !blocks.isEmpty else { return nil }
            let block = blocks.removeFirst()
            buffered -= block.count
            cond.broadcast()
            return block
        }
    }
}

final class PlaybackPipeline: @unchecked Sendable {
    private let player: Player
    /// nil for MP3 (decoded here), else the PCM format the bytes already are.
    private let direct: PCMFormat?
    private let cond = Condition()
    private var feeds: [ChunkFeed] = []
    private var consuming = -1
    private var closed = false
    private var failure: Error?
    private var join: (() -> Void)?
    private(set) var decodedSeconds = 0.0

    init(player: Player, direct: PCMFormat?) {
        self.player = player
        self.direct = direct
        join = DetachedThread.start { [unowned self] in self.run() }
    }

    /// A feed for the next chunk. Waits until the previous chunk has begun to play: the look-ahead is
    /// one chunk. Throws when playing has failed.
    func nextFeed() throws -> ChunkFeed {
        try cond.withLock {
            while failure == nil && consuming < feeds.count - 1 && !Signals.isPending() { cond.wait(seconds: 0.05) }
            if let failure { throw failure }
            let feed = ChunkFeed()
            feeds.append(feed)
            cond.broadcast()
            return feed
        }
    }

    func checkHealthy() throws { if let f = cond.withLock({ failure }) { throw f } }

    /// True once playing has failed or was stopped: a waiting transfer should give up.
    var isStopped: Bool { cond.withLock { failure != nil } || Signals.isPending() }

    /// No more chunks: waits until everything was decoded and handed to the player.
    func finish() throws {
        cond.withLock { closed = true; cond.broadcast() }
        join?()
        join = nil
        if let failure { throw failure }
    }

    func abort() {
        cond.withLock { closed = true; failure = failure ?? Interrupted(signal: 0); cond.broadcast() }
        feeds.forEach { $0.finish() }
        join?()
        join = nil
    }

    private func run() {
        var index = 0
        while true {
            var feed: ChunkFeed?
            cond.withLock {
                while index >= feeds.count && !closed && failure == nil { cond.wait(seconds: 0.05) }
                if failure == nil && index < feeds.count {
                    feed = feeds[index]
                    consuming = index
                    cond.broadcast()
                }
            }
            guard let feed else { return }
            do {
                // Each chunk is its own MP3 stream: a fresh decoder starts it cleanly.
                let decoder = direct == nil ? try MP3Decoder() : nil
                while let block = feed.next(stop: { self.cond.withLock { self.failure != nil } }) {
                    if let decoder {
                        try block.withUnsafeBytes { bytes in
                            try decoder.feed(bytes) { format, pcm in
                                decodedSeconds += format.seconds(ofBytes: pcm.count)
                                try player.play(format, pcm)
                            }
                        }
                    } else if let direct {
                        try block.withUnsafeBytes { try player.play(direct, $0) }
                        decodedSeconds += direct.seconds(ofBytes: block.count)
                    }
                }
            } catch {
                cond.withLock { failure = failure ?? error; cond.broadcast() }
                return
            }
            index += 1
        }
    }
}
