// speak's options checked in-process, through a Context (no binary, no network, no device): the
// layers of configuration, the format from the output's name, and each refusal with its message.
import Testing
import Foundation
@testable import ElevenLabsCLI
import ElevenLabsAPI

private func context(env: [String: String] = [:], stdoutIsTerminal: Bool = false, stderrIsTerminal: Bool = false) -> Context {
    Context(stdout: OutputStream(capturing: ()), stderr: OutputStream(capturing: ()), stdinFD: open("/dev/null", O_RDONLY),
            environment: ["XDG_CONFIG_HOME": "/nonexistent-\(UUID().uuidString)"].merging(env) { $1 },
            stdoutIsTerminal: stdoutIsTerminal, stderrIsTerminal: stderrIsTerminal, stdinIsTerminal: false)
}

private func options(_ args: [String], _ ctx: Context = context()) throws -> SpeakOptions {
    guard case .run(let inv) = try CommandLineParser.parse(args) else { throw UsageError("not a run") }
    return try SpeakOptions.parse(inv, ctx)
}

private func refusal(_ args: [String], _ ctx: Context = context()) -> String? {
    do { _ = try options(args, ctx); return nil } catch let e as UsageError { return e.message } catch { return "\(error)" }
}

@Suite struct SpeakOptionsTests {
    @Test func anOptionWinsOverTheEnvironmentWhichWinsOverTheDefault() throws {
        let env = ["ELEVENLABS_VOICE": "Sarah", "ELEVENLABS_MODEL": "eleven_flash_v2_5", "ELEVENLABS_DEVICE": "null"]
        let fromEnv = try options(["speak", "hi"], context(env: env))
        #expect(fromEnv.voice == "Sarah" && fromEnv.modelID == "eleven_flash_v2_5" && !fromEnv.modelExplicit && fromEnv.device == "null")
        let fromOptions = try options(["speak", "-v", "Roger", "-m", "eleven_v3", "--device", "default", "hi"], context(env: env))
        #expect(fromOptions.voice == "Roger" && fromOptions.modelID == "eleven_v3" && fromOptions.modelExplicit && fromOptions.device == "default")
        let defaults = try options(["speak", "hi"])
        #expect(defaults.voice == nil && defaults.modelID == Resolve.defaultModel && defaults.device == "default")
        #expect(defaults.format.name == "mp3_44100_128" && defaults.play && defaults.output == nil && defaults.mode == .text)
    }

    @Test func theOutputsNameSetsTheFormat() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("opts-\(UUID().uuidString)").path
        let wav = try options(["speak", "-o", dir + "/a.wav", "hi"])
        #expect(wav.format == OutputFormat.wavStream && wav.wrapWAV && !wav.play)
        let pcm = try options(["speak", "-o", dir + "/a.raw", "--play", "hi"])
        #expect(pcm.format.name == "pcm_24000" && !pcm.wrapWAV && pcm.play)
        let explicit = try options(["speak", "-o", dir + "/a.wav", "--format", "wav_44100", "hi"])
        #expect(explicit.format.name == "wav_44100" && !explicit.wrapWAV)
        let request = try options(["speak", "--stability", "0.3", "--captions", dir + "/c.srt", "hi"]).request(voiceID: "JBFqnCBsd6RMkjVDRZzb")
        #expect(request.withTimestamps && request.settings?.stability == 0.3 && request.outputFormat.name == "mp3_44100_128")
    }

    @Test func everyLocalMistakeIsRefusedWithItsReason() {
        #expect(refusal(["speak", "-o", "/tmp/x.aiff", "hi"]) == "'.aiff' is not an audio format this tool writes")
        #expect(refusal(["speak", "-o", "/tmp/out/", "hi"]) == "'/tmp/out/' names a directory")
        #expect(refusal(["speak", "--format", "pcm_16000", "-o", "/tmp/x.mp3", "hi"]) == "--format pcm_16000 does not match the name 'x.mp3'")
        #expect(refusal(["speak", "--format", "mp3_44100_12", "hi"]) == "invalid value 'mp3_44100_12' for --format; did you mean 'mp3_44100_32'?")
        #expect(refusal(["speak", "--rate", "fast", "hi"]) == "--rate needs words per minute as a number, not 'fast'")
        #expect(refusal(["speak", "--speed", "2", "hi"]) == "--speed must be from 0.7 to 1.2, not 2")
        #expect(refusal(["speak", "--live", "hi"]) == "--live speaks standard input; give no text arguments and no file")
        #expect(refusal(["speak", "--captions", "/tmp/c.txt", "hi"]) == "cannot tell the captions format from '/tmp/c.txt'")
        #expect(refusal(["speak", "--format", "opus_48000_64", "hi"]) == "opus_48000_64 cannot be played directly")
        #expect(refusal(["speak", "-o", "-", "hi"], context(stdoutIsTerminal: true)) == "refusing to write audio to a terminal")
        #expect(refusal(["speak", "-f", "a", "-f", "b"]) == "several inputs (or --each-line) need --out-dir DIR")
        #expect(refusal(["speak", "--language", "EN", "hi"]) == "--language needs an ISO 639-1 code such as en, de or ja, not 'EN'")
    }

    @Test func outDirMakesABatch() throws {
        let batch = try options(["speak", "--out-dir", "/tmp/somewhere", "--format", "pcm_16000", "a.txt"])
        #expect(batch.mode == .batch && batch.format.name == "pcm_16000")
    }

    @Test func sayHabitsWork() throws {
        let ctx = context()
        let o = try options(["-i", "-a", "null", "-r", "400", "-m", "flash", "hi", "there"], ctx)
        #expect(!o.highlight && o.device == "null" && o.settings.speed == 1.2 && o.modelID == "eleven_flash_v2_5")
        let said = ctx.stderr.capturedText
        #expect(said.contains("--rate 400 is beyond what the voices do (123 to 210 words per minute); using 210"), "\(said)")
        #expect(said.contains("--highlight needs a terminal to show the text on; speaking without it"), "\(said)")
        #expect(try options(["-r", "60", "hi", "there"], context()).settings.speed == 0.7)
        let bare = FileManager.default.temporaryDirectory.appendingPathComponent("noext-\(UUID().uuidString)").path
        let noExtension = context()
        let mp3 = try options(["speak", "-o", bare, "hi"], noExtension)
        #expect(mp3.format.name == "mp3_44100_128" && noExtension.stderr.capturedText.contains("has no extension; writing MP3"))
        let pcmWAV = try options(["speak", "--format", "pcm_16000", "-o", bare + ".wav", "hi"])
        #expect(pcmWAV.format.name == "pcm_16000" && pcmWAV.wrapWAV)
        // A number is text, not an option: the error says how to speak it.
        do { _ = try CommandLineParser.parse(["-5", "degrees"]); Issue.record("parsed") } catch let e as UsageError {
            #expect(e.hint?.contains("put -- before it: elevenlabs -- -5") == true, "\(e.hint ?? "")")
        }
    }
}

/// The time left on a progress line: minutes and two-digit seconds; nonsense rates show "?".
@Test func progressDurationsReadAsMinutesAndSeconds() {
    #expect(ProgressLine.duration(42) == "42s")
    #expect(ProgressLine.duration(65) == "1m05s")
    #expect(ProgressLine.duration(3600) == "60m00s")
    #expect(ProgressLine.duration(.infinity) == "?" && ProgressLine.duration(.nan) == "?" && ProgressLine.duration(-1) == "?")
    #expect(ProgressLine.duration(1e300) == "?")
}
