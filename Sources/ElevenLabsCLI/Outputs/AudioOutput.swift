// Where the audio of one command goes, written once for speak, live input and history: a file
// (atomically, in a WAV header when PCM is wrapped), standard output, and/or the player, fed as the
// bytes arrive. Several requests' answers (the parts of a long text) make one continuous stream and
// one file: each part starts a new MP3 stream for the player, and a whole-file WAV answer after the
// first loses its header, the first one's sizes patched at the end.
import AudioPlayback
import ElevenLabsAPI

final class AudioOutput {
    let format: OutputFormat
    private let file: AtomicFile?
    private let toStdout: Bool
    let player: Player?
    private let context: Context
    /// PCM the API sends raw, wrapped here in a RIFF header (`-o x.wav` with a pcm_* format).
    private let wrapWAV: Bool
    /// The API's own WAV (`wav_*`): one header per answer.
    private let serverWAV: Bool
    private var skipHeader = 0
    private var parts = 0
    /// Standard output redirected to a regular file: where our output began in it, so a WAV header
    /// written there gets its real sizes at the end (sox and players then see no early end).
    private let stdoutStart: Int?
    private var stdoutBytes = 0
    /// Audio bytes written (after any header handling).
    private(set) var bytes = 0
    /// Audio bought during this run went whole into the audio cache: should the device fail, that
    /// audio is not lost, and the error says so.
    var boughtIntoCache = false

    /// `path` "-" is standard output; nil writes no file.
    init(format: OutputFormat, path: String?, wrapWAV: Bool, player: Player?, context: Context) throws {
        self.format = format
        self.player = player
        self.context = context
        self.wrapWAV = wrapWAV
        serverWAV = format.isWholeFile
        toStdout = path == "-"
        stdoutStart = toStdout && (wrapWAV || format.isWholeFile) ? context.stdout.seekableOffset() : nil
        if let path, path != "-" { file = try AtomicFile(path: path) } else { file = nil }
        if wrapWAV, let file {
            try AudioFormats.wavHeader(sampleRate: format.sampleRate, dataBytes: nil).withUnsafeBytes { try file.write($0) }
        }
    }

    /// Nothing downstream can be rewound (standard output, a FIFO): headers must say "until the end".
    private var unpatchable: Bool { toStdout || file?.isStream == true }

    /// The start of a request's answer.
    func beginPart() throws {
        player?.beginStream()
        if serverWAV {
            // Later parts lose their header (the file keeps the first, patched at the end); where
            // nothing can be patched, the first header is replaced by one that says "until the end".
            skipHeader = parts > 0 || unpatchable ? 44 : 0
            if parts == 0 && unpatchable {
                try AudioFormats.wavHeader(sampleRate: format.sampleRate, dataBytes: nil).withUnsafeBytes { try emit($0, play: false) }
            }
        }
        parts += 1
    }

    /// Set to measure the MP3 written frame by frame (an audiobook's chapter times); off otherwise,
    /// so plain speaking pays nothing for it.
    var measuresMP3 = false
    private var meter = MP3Length()

    /// Seconds of audio written so far: counted from MP3 frames when measured, else from the format.
    var writtenSeconds: Double {
        if measuresMP3 { return meter.seconds }
        // The API's WAV: 16-bit mono PCM after the one 44-byte header kept.
        if serverWAV { return Double(max(0, bytes - 44)) / Double(2 * format.sampleRate) }
        if case .direct(let direct) = AudioFormats.playback(format) { return direct.seconds(ofBytes: bytes) }
        return 0
    }

    /// Bytes for the file alone, before any audio (an ID3 tag): never played, never on stdout.
    func writeFileHeader(_ header: [UInt8]) throws {
        guard let file else { return }
        try header.withUnsafeBytes { try file.write($0) }
    }

    /// Replaces bytes written by `writeFileHeader` (the same length), before the file is finished.
    func patchFileHeader(_ header: [UInt8]) throws {
        try file?.patch(header, at: 0)
    }

    /// True when the output is a regular file whose start can be patched (not stdout, not a FIFO).
    var isPatchableFile: Bool { file != nil && file?.isStream == false }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        var data = chunk
        if skipHeader > 0 {
            let n = min(skipHeader, data.count)
            skipHeader -= n
            data = UnsafeRawBufferPointer(rebasing: data[n...])
            if data.isEmpty { return }
        }
        if measuresMP3 { meter.add(data) }
        bytes += data.count
        try emit(data, play: true)
    }

    private func emit(_ data: UnsafeRawBufferPointer, play: Bool) throws {
        if let file { try file.write(data) }
        if toStdout { try context.stdout.write(data); stdoutBytes += data.count }
        if play { try player?.enqueue(data) }
    }

    /// Chunks to follow a WAV file's audio (an audiobook's chapter marks), counted in its RIFF size.
    var wavTrailer: [UInt8] = []

    /// True when the output is a WAV file (from the API or wrapped here) that can be patched.
    var isPatchableWAV: Bool { (wrapWAV || serverWAV) && isPatchableFile }

    /// Everything arrived: the sound plays to its end, the file gets its final header and appears.
    func finish() throws {
        try player?.finish()
        try Signals.check()
        if let file {
            let dataBytes = file.bytesWritten - 44
            if !wavTrailer.isEmpty && isPatchableWAV {
                try wavTrailer.withUnsafeBytes { try file.write($0) }
                try file.patch(AudioFormats.wavHeader(sampleRate: format.sampleRate, dataBytes: dataBytes, trailing: wavTrailer.count), at: 0)
            } else if wrapWAV || (serverWAV && parts > 1) {
                try file.patch(AudioFormats.wavHeader(sampleRate: format.sampleRate, dataBytes: dataBytes), at: 0)
            }
            try file.commit()
        }
        if let start = stdoutStart, serverWAV || wrapWAV, stdoutBytes >= 44 {
            try context.stdout.patch(AudioFormats.wavHeader(sampleRate: format.sampleRate, dataBytes: stdoutBytes - 44), at: start)
        }
    }

    /// Stops the sound and removes the file's temporary copy.
    func discard() {
        player?.abort()
        file?.discard()
    }

    /// The audio's length, from the player when it decoded it, else from the format and size.
    func seconds() -> Double? {
        if let player, player.decodedSeconds > 0 { return player.decodedSeconds }
        if case .direct(let direct) = AudioFormats.playback(format) { return direct.seconds(ofBytes: bytes) }
        if serverWAV || wrapWAV { return format.seconds(bytes: max(0, bytes - (serverWAV ? 44 : 0))) }
        return format.codec == .mp3 ? format.seconds(bytes: bytes) : nil // constant bit rate
    }
}
