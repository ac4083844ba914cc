// Where decoded audio goes: ALSA in the program, a memory sink in tests (the out123 idea: one
// interface in front of the output, so the player does not care which). A sink is used by one
// thread only, the player's.

public protocol AudioSink: AnyObject {
    /// Sets the format of what follows; called again only when it changes.
    func configure(_ format: PCMFormat) throws
    /// Writes whole frames, blocking while the device is full.
    func write(_ pcm: UnsafeRawBufferPointer) throws
    /// Frames written but not yet heard.
    func delayFrames() -> Int
    /// Plays what is buffered to the end.
    func drain()
    /// Stops at once, discarding what is buffered.
    func drop()
    func close()
}

/// Keeps everything written, in order, with the formats it came in: what a device would have played.
public final class MemorySink: AudioSink, @unchecked Sendable { // used by the player's thread, read after it ended
    public private(set) var pcm: [UInt8] = []
    public private(set) var formats: [PCMFormat] = []
    public private(set) var drained = false
    public private(set) var dropped = false

    public init() {}
    public func configure(_ format: PCMFormat) throws { if formats.last != format { formats.append(format) } }
    public func write(_ bytes: UnsafeRawBufferPointer) throws { pcm.append(contentsOf: bytes) }
    public func delayFrames() -> Int { 0 }
    public func drain() { drained = true }
    public func drop() { dropped = true }
    public func close() {}
}

/// A C library's message text (nil reads as "unknown error").
func cText(_ p: UnsafePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "unknown error" }
