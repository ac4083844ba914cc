// The list of devices that have played here (DeviceProof), in-process: a device is proven only by
// playing, forgotten when it cannot be opened, and any change to what its opening depends on (the
// ALSA configuration, the sound server's address) makes it unproven again. A damaged list proves nothing.
import Testing
import Foundation
@testable import ElevenLabsCLI

@Suite struct DeviceProofTests {
    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("deviceproof-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    func context(_ extra: [String: String] = [:]) -> Context {
        Context(stdout: OutputStream(capturing: ()), stderr: OutputStream(capturing: ()), stdinFD: open("/dev/null", O_RDONLY),
                environment: ["HOME": dir.path, "XDG_CACHE_HOME": dir.appendingPathComponent("cache").path].merging(extra) { $1 },
                stdoutIsTerminal: false, stderrIsTerminal: false, stdinIsTerminal: false)
    }

    @Test func onlyPlayingProvesADevice() throws {
        let ctx = context()
        #expect(!DeviceProof.proven(device: "default", ctx))
        DeviceProof.record(device: "default", played: false, failedToOpen: false, ctx)   // stopped before a sound
        #expect(!DeviceProof.proven(device: "default", ctx))
        DeviceProof.record(device: "default", played: true, failedToOpen: false, ctx)
        #expect(DeviceProof.proven(device: "default", ctx))
        #expect(!DeviceProof.proven(device: "null", ctx))
        let path = try #require(DeviceProof.path(ctx))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        // Could not be opened: forgotten, so the next run waits for the device before buying.
        DeviceProof.record(device: "default", played: false, failedToOpen: true, ctx)
        #expect(!DeviceProof.proven(device: "default", ctx))
    }

    @Test func aChangedSetUpIsUnproven() throws {
        DeviceProof.record(device: "default", played: true, failedToOpen: false, context())
        #expect(DeviceProof.proven(device: "default", context()))
        #expect(!DeviceProof.proven(device: "default", context(["PULSE_SERVER": "unix:/elsewhere"])))
        // A new ~/.asoundrc.
        try Data("pcm.!default null\n".utf8).write(to: dir.appendingPathComponent(".asoundrc"))
        #expect(!DeviceProof.proven(device: "default", context()))
    }

    @Test func theListIsBoundedAndADamagedOneProvesNothing() throws {
        let ctx = context()
        for i in 0..<40 { DeviceProof.record(device: "hw:\(i)", played: true, failedToOpen: false, ctx) }
        let path = try #require(DeviceProof.path(ctx))
        #expect(DeviceProof.entries(path).count == DeviceProof.maxEntries)
        #expect(DeviceProof.proven(device: "hw:39", ctx) && !DeviceProof.proven(device: "hw:0", ctx))
        // Junk, a huge line, binary: ignored, never a crash.
        try Data(("not a fingerprint\n" + String(repeating: "f", count: 100_000) + "\n\u{0}\u{ff}").utf8).write(to: URL(fileURLWithPath: path))
        #expect(DeviceProof.entries(path).isEmpty)
        #expect(!DeviceProof.proven(device: "hw:39", ctx))
        // A folder where the list should be: nothing is proven, and recording gives up quietly.
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        DeviceProof.record(device: "hw:1", played: true, failedToOpen: false, ctx)
        #expect(!DeviceProof.proven(device: "hw:1", ctx))
    }

    @Test func aChangedFileNamedByALSAConfigPathIsUnproven() throws {
        let conf = dir.appendingPathComponent("alsa.conf")
        try Data("pcm.x null\n".utf8).write(to: conf)
        let ctx = context(["ALSA_CONFIG_PATH": conf.path])
        DeviceProof.record(device: "x", played: true, failedToOpen: false, ctx)
        #expect(DeviceProof.proven(device: "x", ctx))
        try Data("pcm.x { type hw card 9 }\n".utf8).write(to: conf)
        #expect(!DeviceProof.proven(device: "x", ctx))
    }
}
