// Where decoded audio goes: ALSA in the program, a memory sink in tests (the out123 idea: one
// interface in front of the output, so the player does not care which). A sink is used by one
// thread only, the player's.

import ThreadSupport

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
    /// Times the device ran dry (an underrun) and was restarted, so far.
    var underruns: Int { get }
}

extension AudioSink {
    public var underruns: Int { 0 }
}

/// Keeps everything written, in order, with the formats it came in: what a device would have played.
/// Written by the player's thread and read by a test's, so what it keeps is in a Monitor.
public final class MemorySink: AudioSink, Sendable {
    private struct Kept {
        var pcm: [UInt8] = []
        var formats: [PCMFormat] = []
        var drained = false
        var dropped = false
    }
    private let kept = Monitor(Kept())

    public var pcm: [UInt8] { kept.read { $0.pcm } }
    public var formats: [PCMFormat] { kept.read { $0.formats } }
    public var drained: Bool { kept.read { $0.drained } }
    public var dropped: Bool { kept.read { $0.dropped } }

    public init() {}
    public func configure(_ format: PCMFormat) throws { kept.note { if $0.formats.last != format { $0.formats.append(format) } } }
    public func write(_ bytes: UnsafeRawBufferPointer) throws { kept.note { $0.pcm.append(contentsOf: bytes) } }
    public func delayFrames() -> Int { 0 }
    public func drain() { kept.note { $0.drained = true } }
    public func drop() { kept.note { $0.dropped = true } }
    public func close() {}
}

/// A C library's message text (nil reads as "unknown error").
func cText(_ p: UnsafePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "unknown error" }
