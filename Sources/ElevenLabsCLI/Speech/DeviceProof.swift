// Which audio devices have played on this machine, as it is configured now: a small list in the
// cache folder. A request's body normally waits until the device is open, so a device that cannot
// play (a misspelt name, no sound card, no sound server) buys nothing. Opening takes 3-10 ms
// (ALSA's configuration, and on a desktop libpulse and a connection to the sound server), which
// on a fast network is most of a request's own overhead. A device that played here before, with
// the same ALSA configuration and sound-server settings, is opened while the request is answered
// instead; should it fail all the same, the audio already bought still goes into the audio cache,
// so the same command plays it later at no cost. So the list is used only when the audio cache is.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI

enum DeviceProof {
    /// The list: `$XDG_CACHE_HOME/elevenlabs/devices`, one fingerprint per line.
    static func path(_ context: Context) -> String? { Cache.root(context).map { $0 + "/devices" } }

    /// At most this many devices are remembered (the newest kept); the file is read only this far.
    static let maxEntries = 16
    static let maxBytes = 4096

    /// ALSA's and the sound servers' own variables: not the program's settings, only what can
    /// change which device a name opens.
    static let watched = ["ALSA_CONFIG_PATH", "ALSA_CARD", "ALSA_PCM_CARD", "ALSA_PCM_DEVICE", "PULSE_SERVER", "PULSE_SINK",
                          "PIPEWIRE_REMOTE", "XDG_RUNTIME_DIR"]

    /// What a device's opening depends on: its name, the environment variables ALSA and the sound
    /// servers read, and the size and time of every ALSA configuration file or folder. Any change
    /// (a new ~/.asoundrc, a plugin installed, another server) makes a new fingerprint, unproven.
    static func fingerprint(device: String, _ context: Context) -> String {
        let env = context.environment
        var text = "device=\(device)\n"
        for name in watched {
            text += "\(name)=\(env[name] ?? "")\n"
        }
        let home = env["HOME"] ?? ""
        let config = env["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.config"
        // ALSA_CONFIG_PATH (the first of the variables above) names the files read instead of
        // alsa.conf, several split on ':'; their sizes and times count too.
        let named = (env[watched[0]] ?? "").split(separator: ":").prefix(8).map(String.init)
        let files = ["/usr/share/alsa/alsa.conf", "/usr/share/alsa/alsa.conf.d", "/etc/asound.conf", "/etc/alsa/conf.d",
                     home + "/.asoundrc", config + "/alsa/asoundrc"] + named
        // Each file by its place in the list, not its path: a file that is missing is the same
        // absence wherever HOME or XDG_CONFIG_HOME point.
        for (place, file) in files.enumerated() {
            var st = stat()
            if stat(file, &st) == 0 {
                text += "\(place) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(st.st_ino)\n"
            } else {
                text += "\(place) -\n"
            }
        }
        // Digest's SHA-256 runs in Swift, so reading the list costs no OpenSSL set-up.
        return String(Digest.sha256Hex(text).prefix(16))
    }

    /// The fingerprints listed, newest last; anything that is not one is ignored.
    static func entries(_ path: String) -> [String] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: maxBytes)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, maxBytes) }
        guard n > 0 else { return [] }
        return String(decoding: bytes[..<n], as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { $0.count == 16 && $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } }
            .suffix(maxEntries)
    }

    /// Whether `device` has played here, as things are configured now.
    static func proven(device: String, _ context: Context) -> Bool {
        guard let path = path(context) else { return false }
        return entries(path).contains(fingerprint(device: device, context))
    }

    /// After a run: a device that played is remembered; one that could not be opened or configured
    /// is forgotten (the next run waits for it again before buying). Best effort: a cache that cannot
    /// be written only means the next run waits.
    static func record(device: String, played: Bool, failedToOpen: Bool, _ context: Context) {
        guard played || failedToOpen, let path = path(context), let dir = Cache.root(context) else { return }
        let print = fingerprint(device: device, context)
        let before = entries(path)
        var after = before.filter { $0 != print }
        if played { after.append(print) }
        after = Array(after.suffix(maxEntries))
        guard after != before, Cache.makeDirectories(dir) else { return }
        try? AtomicFile.write(Array((after.map { $0 + "\n" }.joined()).utf8), to: path, mode: 0o600)
    }
}
