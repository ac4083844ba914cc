// Markup against the model (#20 part 3): breaks become v3 pause tags and back, audio tags and
// phonemes that a model would read aloud are reported, long breaks are flagged, and text without
// markup is never touched.
import Testing
@testable import ElevenLabsAPI

@Suite struct MarkupTests {
    @Test func breaksBecomeV3PauseTagsByLength() {
        let r = Markup.adapt(#"One <break time="0.5s"/> two <break time='1.5s' /> three <break time="2500ms"/> four."#, model: "eleven_v3")
        #expect(r.text == "One [short pause] two [pause] three [long pause] four.")
        #expect(r.notes == [.breaksConverted(model: "eleven_v3", count: 3)])
    }

    @Test func v3PauseTagsBecomeBreaksElsewhereAndOtherAudioTagsAreReported() {
        let r = Markup.adapt("Wait [pause] now [short pause] go [laughs] and [whispers] again [1].", model: "eleven_multilingual_v2")
        #expect(r.text == #"Wait <break time="1s"/> now <break time="0.5s"/> go [laughs] and [whispers] again [1]."#)
        // Citations such as [1] are not taken for tags.
        #expect(r.notes == [.pauseTagsConverted(model: "eleven_multilingual_v2", count: 2),
                            .audioTagsSpoken(model: "eleven_multilingual_v2", tags: ["[laughs]", "[whispers]"])])
    }

    @Test func phonemesAreReportedWhereTheModelCannotTakeThem() {
        let text = #"Say <phoneme alphabet="ipa" ph="ˈtɒməs">Tomás</phoneme>."#
        let flash = Markup.adapt(text, model: "eleven_flash_v2")
        #expect(flash.text == text && flash.notes.isEmpty)
        let multi = Markup.adapt(text, model: "eleven_multilingual_v2")
        #expect(multi.text == text)
        #expect(multi.notes == [.phonemesUnsupported(model: "eleven_multilingual_v2")])
    }

    @Test func longBreaksAreFlaggedAndPlainTextIsUntouched() {
        let long = Markup.adapt(#"A <break time="5s"/> B"#, model: "eleven_flash_v2_5")
        #expect(long.text == #"A <break time="5s"/> B"# && long.notes == [.breaksTooLong(count: 1)])
        let plain = "Nothing to see here, a < b and c > d, [citation needed] is a tag-like phrase."
        for model in ["eleven_v3", "eleven_multilingual_v2"] {
            #expect(Markup.adapt(plain, model: model).text == plain)
        }
    }
}
