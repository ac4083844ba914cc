// Decodes MP3 as it arrives, with libmpg123's feed API: bytes in any split (one byte, a partial
// frame, many frames), signed 16-bit PCM out at the stream's own rate and channel count.
import CMPG123

/// libmpg123, loaded on first use (see CMPG123/shim.h): on the player's thread, while the request is in flight.
enum MPG123Library {
    private static let loaded: Result<cmpg123_table, AudioError> = {
        var error: UnsafePointer<CChar>? = nil
        guard let table = cmpg123_load(&error) else {
            let why = error.map { String(cString: $0) } ?? "unknown error"
            return .failure(AudioError(.decode, "cannot load libmpg123.so.0 (\(why)); install libmpg123-0"))
        }
        return .success(table.pointee)
    }()

    static func load() throws -> cmpg123_table { try loaded.get() }
}

public final class MP3Decoder {
    private let lib: cmpg123_table
    private let handle: OpaquePointer
    public private(set) var format: PCMFormat?
    private var output = [UInt8](repeating: 0, count: 1 << 16)
    /// The first read asks for one MPEG-1 Layer III stereo frame of 16-bit PCM (1,152 samples x 2
    /// channels x 2 bytes), so the first frame reaches the device without waiting for the rest of
    /// its network chunk (a dozen frames) to be decoded; later reads take whole chunks, which costs
    /// less CPU per minute of audio.
    private var firstRead = true
    static let oneFrame = 1152 * 2 * 2

    public init() throws {
        lib = try MPG123Library.load()
        var err: Int32 = 0
        guard let h = lib.mpg123_new(nil, &err) else {
            throw AudioError(.decode, "cannot start the MP3 decoder: \(cText(lib.mpg123_plain_strerror(err)))")
        }
        handle = h
        // No chatter on stderr; decoding problems surface as errors instead.
        _ = lib.mpg123_param2(h, Int32(MPG123_ADD_FLAGS.rawValue), Int(MPG123_QUIET.rawValue), 0)
        // Only 16-bit output, at whatever rate and channel count the stream has: no resampling.
        var rates: UnsafePointer<Int>? = nil
        var count = 0
        lib.mpg123_rates(&rates, &count)
        var formats = lib.mpg123_format_none(h) == MPG123_OK.rawValue
        for i in 0..<count where formats {
            formats = lib.mpg123_format(h, rates![i], Int32(MPG123_MONO.rawValue | MPG123_STEREO.rawValue), Int32(MPG123_ENC_SIGNED_16.rawValue)) == MPG123_OK.rawValue
        }
        guard formats, count > 0 else {
            lib.mpg123_delete(h)
            throw AudioError(.decode, "cannot set the MP3 decoder's output to 16-bit samples")
        }
        guard lib.mpg123_open_feed(h) == MPG123_OK.rawValue else {
            lib.mpg123_delete(h)
            throw AudioError(.decode, "cannot open the MP3 decoder's feed")
        }
    }

    deinit {
        _ = lib.mpg123_close(handle) // a feed has nothing to flush; the handle is deleted next
        lib.mpg123_delete(handle)
    }

    /// Feeds bytes and hands every complete frame's PCM to `onPCM`. The format is known from the
    /// first frame on (`format`); a later change is reported through the same callback's argument.
    /// - SeeAlso: mpg123_feed, mpg123_read, mpg123_getformat
    public func feed(_ bytes: UnsafeRawBufferPointer, _ onPCM: (PCMFormat, UnsafeRawBufferPointer) throws -> Void) throws {
        if bytes.count > 0 {
            let rc = lib.mpg123_feed(handle, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count)
            guard rc == MPG123_OK.rawValue else { throw decodeError(rc) }
        }
        try drain(onPCM)
    }

    private func drain(_ onPCM: (PCMFormat, UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            var done = 0
            let size = firstRead ? Self.oneFrame : output.count
            let rc = output.withUnsafeMutableBytes { buf in
                lib.mpg123_read(handle, buf.baseAddress!.assumingMemoryBound(to: UInt8.self), size, &done)
            }
            if done > 0 { firstRead = false }
            if rc == MPG123_NEW_FORMAT.rawValue {
                var rate = 0
                var channels: Int32 = 0
                var encoding: Int32 = 0
                // A format that cannot be read, or is out of range, is a broken stream, not a guess.
                guard lib.mpg123_getformat(handle, &rate, &channels, &encoding) == MPG123_OK.rawValue,
                      (8000...192_000).contains(rate), (1...2).contains(channels) else {
                    throw AudioError(.decode, "the MP3 stream announced a format that cannot be read")
                }
                format = PCMFormat(sampleRate: rate, channels: Int(channels))
            }
            if done > 0, let format {
                try output.withUnsafeBytes { try onPCM(format, UnsafeRawBufferPointer(rebasing: $0[0..<done])) }
            }
            switch rc {
            case MPG123_OK.rawValue, MPG123_NEW_FORMAT.rawValue: continue
            case MPG123_NEED_MORE.rawValue, MPG123_DONE.rawValue: return
            default: throw decodeError(rc)
            }
        }
    }

    private func decodeError(_ rc: Int32) -> AudioError {
        let text = rc == MPG123_ERR.rawValue ? cText(lib.mpg123_strerror(handle)) : cText(lib.mpg123_plain_strerror(rc))
        return AudioError(.decode, "the audio could not be decoded as MP3: \(text)")
    }
}
