// Plays PCM through ALSA: opens a named PCM (`default`, `null`, `plughw:1`, `file:FILE=...`, a
// PipeWire or PulseAudio device through their ALSA plugins), writes with underrun recovery, and
// either drains (the last word is never clipped) or drops (Ctrl-C stops the sound at once).
import CALSA
import ThreadSupport
#if canImport(Glibc)
import Glibc
#endif

/// libasound, loaded on first use (see CALSA/shim.h): once per process, on whichever thread plays first.
enum ALSALibrary {
    private static let loaded: Result<calsa_table, AudioError> = {
        var error: UnsafePointer<CChar>? = nil
        guard let table = calsa_load(&error) else {
            let why = error.map { String(cString: $0) } ?? "unknown error"
            return .failure(AudioError(.deviceUnavailable, "cannot load ALSA's library libasound.so.2 (\(why)); install libasound2"))
        }
        return .success(table.pointee)
    }()

    static func load() throws -> calsa_table { try loaded.get() }
}

public final class ALSASink: AudioSink {
    private let lib: calsa_table
    private var pcm: OpaquePointer?
    public let device: String
    public private(set) var format: PCMFormat?
    /// Underruns recovered from (`-EPIPE` from a write: the audio came too late and the device ran
    /// dry, heard as a gap). Counted so a benchmark or `--metrics` can show them.
    public private(set) var underruns = 0
    /// The start threshold and the buffer, in frames, as configured.
    private var startFrames: snd_pcm_uframes_t = 0
    private var bufferFrames: snd_pcm_uframes_t = 0

    /// - SeeAlso: snd_pcm_open
    public init(device: String) throws {
        self.device = device
        lib = try ALSALibrary.load()
        Timeline.mark("libasound loaded", thread: "player")
        var p: OpaquePointer?
        let rc = lib.snd_pcm_open(&p, device, SND_PCM_STREAM_PLAYBACK, 0)
        guard rc >= 0, let p else {
            throw AudioError(.deviceUnavailable, "cannot open the audio device '\(device)': \(cText(lib.snd_strerror(rc)))", device: device)
        }
        pcm = p
    }

    deinit { close() }

    /// The device buffer: room for network jitter. It adds no delay to the first sound, since
    /// playback starts at the preload, not when the buffer is full; a longer one only means that
    /// more has been written ahead once the download runs ahead of the listener.
    public static let bufferSeconds = 0.5
    /// Playback starts once this much audio is buffered (mpg123 waits for half its 0.2 s buffer),
    /// whatever the period. Short, so the first word comes quickly; network jitter after that is
    /// absorbed by the buffer and the player's queue, and an underrun is recovered rather than fatal.
    public static let preloadSeconds = 0.06
    /// The period sets how often the device (or, through ALSA's pulse plugin, the sound server and
    /// its client library) wakes the player for more: 10 ms periods cost three times mpg123's
    /// wake-ups and system calls over a long listen, for nothing heard. It does not delay the first
    /// sound, which waits only for the preload. (bench/NOTES.md, #29.)
    public static let periodSeconds = 0.1

    /// Sets the hardware and software parameters; called again only when the stream's format changes.
    /// - SeeAlso: snd_pcm_hw_params, snd_pcm_sw_params_set_start_threshold
    public func configure(_ f: PCMFormat) throws {
        guard f != format, let pcm else { return }
        // A format change: what is buffered plays out first (a failed drain only means it is lost).
        if format != nil { _ = lib.snd_pcm_drain(pcm) }
        let alsaFormat: snd_pcm_format_t
        switch f.encoding {
        case .s16le: alsaFormat = SND_PCM_FORMAT_S16_LE
        case .muLaw: alsaFormat = SND_PCM_FORMAT_MU_LAW
        case .aLaw: alsaFormat = SND_PCM_FORMAT_A_LAW
        }
        func fail(_ what: String, _ rc: Int32) -> AudioError {
            AudioError(.formatRejected, "the audio device '\(device)' does not accept \(f) (\(what): \(cText(lib.snd_strerror(rc))))", device: device)
        }
        var hw: OpaquePointer?
        guard lib.snd_pcm_hw_params_malloc(&hw) == 0, hw != nil else { throw fail("out of memory", -ENOMEM) }
        defer { lib.snd_pcm_hw_params_free(hw) }
        var rc = lib.snd_pcm_hw_params_any(pcm, hw)
        if rc >= 0 { rc = lib.snd_pcm_hw_params_set_rate_resample(pcm, hw, 1) }
        if rc >= 0 { rc = lib.snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED) }
        if rc >= 0 { rc = lib.snd_pcm_hw_params_set_format(pcm, hw, alsaFormat) }
        if rc >= 0 { rc = lib.snd_pcm_hw_params_set_channels(pcm, hw, UInt32(f.channels)) }
        var rate = UInt32(f.sampleRate)
        if rc >= 0 { rc = lib.snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, nil) }
        guard rc >= 0 else { throw fail("format", rc) }
        guard Int(rate) == f.sampleRate else { throw fail("rate \(f.sampleRate) Hz", -EINVAL) }
        var buffer = UInt32(Self.bufferSeconds * 1e6)
        var period = UInt32(Self.periodSeconds * 1e6)
        // Near values are best effort: devices have their own granularity.
        _ = lib.snd_pcm_hw_params_set_buffer_time_near(pcm, hw, &buffer, nil)
        _ = lib.snd_pcm_hw_params_set_period_time_near(pcm, hw, &period, nil)
        rc = lib.snd_pcm_hw_params(pcm, hw)
        guard rc >= 0 else { throw fail("hardware parameters", rc) }

        var bufferFrames: snd_pcm_uframes_t = 0
        var periodFrames: snd_pcm_uframes_t = 0
        rc = lib.snd_pcm_hw_params_get_buffer_size(hw, &bufferFrames)
        if rc >= 0 { rc = lib.snd_pcm_hw_params_get_period_size(hw, &periodFrames, nil) }
        guard rc >= 0, bufferFrames > 0, periodFrames > 0 else { throw fail("buffer size", rc < 0 ? rc : -EINVAL) }
        var sw: OpaquePointer?
        guard lib.snd_pcm_sw_params_malloc(&sw) == 0, sw != nil else { throw fail("out of memory", -ENOMEM) }
        defer { lib.snd_pcm_sw_params_free(sw) }
        let preload = min(bufferFrames, max(1, snd_pcm_uframes_t(Self.preloadSeconds * Double(f.sampleRate))))
        rc = lib.snd_pcm_sw_params_current(pcm, sw)
        if rc >= 0 { rc = lib.snd_pcm_sw_params_set_start_threshold(pcm, sw, preload) }
        if rc >= 0 { rc = lib.snd_pcm_sw_params_set_avail_min(pcm, sw, periodFrames) }
        if rc >= 0 { rc = lib.snd_pcm_sw_params(pcm, sw) }
        guard rc >= 0 else { throw fail("software parameters", rc) }
        format = f
        startFrames = preload
        self.bufferFrames = bufferFrames
    }

    /// Writes whole frames, recovering from underruns (a late network) and suspends.
    /// - SeeAlso: snd_pcm_writei, snd_pcm_recover
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let pcm, let format else { throw AudioError(.deviceFailed, "the audio device is not configured", device: device) }
        let frameBytes = format.bytesPerFrame
        var offset = 0
        let total = bytes.count / frameBytes * frameBytes
        while offset < total {
            let frames = (total - offset) / frameBytes
            let n = lib.snd_pcm_writei(pcm, bytes.baseAddress! + offset, snd_pcm_uframes_t(frames))
            if n < 0 {
                let recovered = lib.snd_pcm_recover(pcm, Int32(n), 1)
                if recovered < 0 {
                    throw AudioError(.deviceFailed, "writing to the audio device '\(device)' failed: \(cText(lib.snd_strerror(Int32(n))))", device: device)
                }
                if n == -snd_pcm_sframes_t(EPIPE) {
                    // The audio comes slower than it plays: restarting at the same short threshold
                    // would only run dry again a moment later (a stutter of many small gaps).
                    // Each underrun doubles what is gathered before playing on, up to
                    // maxRestartSeconds: fewer, longer pauses rather than a crackle.
                    underruns += 1
                    raiseStartThreshold()
                }
                continue
            }
            offset += Int(n) * frameBytes
        }
    }

    /// The most an underrun raises the start threshold to. On a server that sends at about real
    /// time, 60 ms restarts gave 78 underruns in an 8 s sentence (a crackle of tiny gaps); doubling
    /// up to 0.4 s gave 6, but 0.35 s more silence in all; up to 0.2 s, 10 (bench/NOTES.md, #29).
    static let maxRestartSeconds = 0.2

    /// After an underrun: the start threshold doubled, up to maxRestartSeconds (and the buffer's 80 %). Best
    /// effort: a device that refuses keeps the threshold it had.
    private func raiseStartThreshold() {
        guard let pcm, let format, bufferFrames > 0 else { return }
        let cap = min(bufferFrames * 4 / 5, snd_pcm_uframes_t(Self.maxRestartSeconds * Double(format.sampleRate)))
        let next = min(cap, startFrames * 2)
        guard next > startFrames else { return }
        var sw: OpaquePointer?
        guard lib.snd_pcm_sw_params_malloc(&sw) == 0, sw != nil else { return }
        defer { lib.snd_pcm_sw_params_free(sw) }
        guard lib.snd_pcm_sw_params_current(pcm, sw) >= 0, lib.snd_pcm_sw_params_set_start_threshold(pcm, sw, next) >= 0,
              lib.snd_pcm_sw_params(pcm, sw) >= 0 else { return }
        startFrames = next
    }

    /// Frames written but not yet heard (0 when the device cannot tell).
    /// - SeeAlso: snd_pcm_delay
    public func delayFrames() -> Int {
        guard let pcm else { return 0 }
        var delay: snd_pcm_sframes_t = 0
        return lib.snd_pcm_delay(pcm, &delay) == 0 ? max(0, Int(delay)) : 0
    }

    /// Plays what is buffered to the end, then stops. A stream shorter than the buffer has not
    /// started yet; draining starts it.
    /// - SeeAlso: snd_pcm_drain
    public func drain() {
        guard let pcm, format != nil else { return }
        // Best effort at the end of playback: a device that fails here has nothing left to give.
        _ = lib.snd_pcm_drain(pcm)
    }

    /// Stops at once, discarding what is buffered.
    /// - SeeAlso: snd_pcm_drop
    public func drop() {
        guard let pcm else { return }
        _ = lib.snd_pcm_drop(pcm) // stopping: nothing to do if the device already stopped
    }

    public func close() {
        if let pcm { _ = lib.snd_pcm_close(pcm) } // the handle is gone either way
        pcm = nil
    }

    /// The playback devices ALSA knows (name and description), for listing them.
    /// - SeeAlso: snd_device_name_hint
    public static func devices() -> [(name: String, description: String)] {
        guard let lib = try? ALSALibrary.load() else { return [] }
        var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        guard lib.snd_device_name_hint(-1, "pcm", &hints) >= 0, let hints else { return [] }
        defer { _ = lib.snd_device_name_free_hint(hints) } // freeing a list cannot fail in a way that matters here
        var out: [(String, String)] = []
        var i = 0
        while let hint = hints[i] {
            i += 1
            func get(_ id: String) -> String? {
                guard let c = lib.snd_device_name_get_hint(hint, id) else { return nil }
                defer { free(c) }
                return String(cString: c)
            }
            if let io = get("IOID"), io != "Output" { continue }
            guard let name = get("NAME") else { continue }
            let desc = (get("DESC") ?? "").split(whereSeparator: \.isNewline).joined(separator: ", ")
            out.append((name, desc))
        }
        return out
    }
}
