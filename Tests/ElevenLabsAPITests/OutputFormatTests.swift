// OutputFormat: the API's format names parsed into a type, and what follows from each.
import Testing
import Foundation
import ElevenLabsAPI

@Suite struct OutputFormatTests {
    @Test func everyNameOfTheContractParsesAndSpellsItselfBack() throws {
        #expect(OutputFormat.all.count == 28)
        #expect(Set(OutputFormat.all.map(\.name)).count == 28)
        for f in OutputFormat.all { #expect(OutputFormat(f.name) == f, "\(f.name)") }
        for bad in ["", "mp3", "mp3_44100", "mp3_44100_127", "pcm_12345", "wav", "MP3_44100_128", "opus_48000"] {
            #expect(OutputFormat(bad) == nil, "\(bad)")
        }
        let f = try #require(OutputFormat("mp3_22050_32"))
        #expect(f.codec == .mp3 && f.sampleRate == 22050 && f.kbps == 32)
        // JSON spells it as the API does, and refuses what is not a format.
        #expect(String(decoding: try JSONEncoder().encode([f]), as: UTF8.self) == #"["mp3_22050_32"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([OutputFormat].self, from: Data(#"["mp3_1_2"]"#.utf8)) }
    }

    @Test func whatEachFormatImplies() throws {
        let wav = try #require(OutputFormat("wav_44100")), pcm = try #require(OutputFormat("pcm_16000"))
        let opus = try #require(OutputFormat("opus_48000_64")), ulaw = try #require(OutputFormat("ulaw_8000"))
        #expect(wav.isWholeFile && !pcm.isWholeFile && pcm.isRawPCM)
        #expect(!wav.carriesTimings && !opus.carriesTimings && pcm.carriesTimings && ulaw.carriesTimings)
        #expect(OutputFormat.safeDefault.seconds(bytes: 16_000) == 1)
        #expect(pcm.seconds(bytes: 32_000) == 1 && ulaw.seconds(bytes: 8_000) == 1)
        #expect(wav.planNeeded == "pro" && OutputFormat("mp3_44100_192")?.planNeeded == "creator" && pcm.planNeeded == nil)
        #expect(!wav.allowed(onTier: "creator") && wav.allowed(onTier: "Pro") && wav.allowed(onTier: "some-new-plan"))
    }

    @Test func fileNamesAskForFormats() {
        #expect(OutputFormat.forFile("a/b.MP3") == .safeDefault)
        #expect(OutputFormat.forFile("x.wav") == .wavStream && OutputFormat.forFile("x.raw")?.isRawPCM == true)
        #expect(OutputFormat.forFile("x.ogg")?.codec == .opus && OutputFormat.forFile("x.al")?.codec == .alaw)
        #expect(OutputFormat.forFile("noext") == nil && OutputFormat.forFile("dir.d/noext") == nil && OutputFormat.forFile("x.flac") == nil)
        // A .wav holds the service's wav_* or PCM wrapped here; an .mp3 holds only MP3.
        #expect(OutputFormat("wav_16000")!.fits(fileOf: .wavStream) && OutputFormat("pcm_16000")!.fits(fileOf: .wavStream))
        #expect(!OutputFormat("wav_16000")!.fits(fileOf: .safeDefault) && OutputFormat("mp3_22050_32")!.fits(fileOf: .safeDefault))
    }
}
