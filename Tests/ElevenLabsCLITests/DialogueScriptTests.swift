// The dialogue script format in-process: turns and their continuation lines, comments and cast
// lines, speakers matched without regard to case, and each mistake with its line number.
import Testing
import ElevenLabsAPI
@testable import ElevenLabsCLI

@Suite struct DialogueScriptTests {
    @Test func turnsContinuationsCommentsAndTheCast() throws {
        let text = """
            # Episode 1
            # cast: Alice=Sarah, BOB = Roger ,Dr. O'Neil-2=George

            Alice: Hello, Bob.
            How are you?

            BOB: Fine: thanks.
            alice: Good.
            Dr. O'Neil-2:   [laughs] Me too.
            """
        let s = try DialogueScript.parse(text, origin: "ep.txt")
        #expect(s.turns.map(\.speaker) == ["Alice", "BOB", "Alice", "Dr. O'Neil-2"])
        #expect(s.turns.map(\.text) == ["Hello, Bob. How are you?", "Fine: thanks.", "Good.", "[laughs] Me too."])
        #expect(s.turns.map(\.line) == [4, 7, 8, 9])
        #expect(s.speakers == ["Alice", "BOB", "Dr. O'Neil-2"])
        #expect(s.cast.map { "\($0.speaker)=\($0.voice)" } == ["Alice=Sarah", "BOB=Roger", "Dr. O'Neil-2=George"])
        #expect(s.characters == "Hello, Bob. How are you?Fine: thanks.Good.[laughs] Me too.".unicodeScalars.count)
    }

    @Test func windowsLineEndingsAndABOMFreeTextParseTheSame() throws {
        let unix = try DialogueScript.parse("A: one\ntwo\n\nB: three\n", origin: "x")
        let dos = try DialogueScript.parse("A: one\r\ntwo\r\n\r\nB: three\r\n", origin: "x")
        #expect(unix == dos)
        #expect(dos.turns.map(\.text) == ["one two", "three"])
    }

    @Test func aNameAndColonStartATurnAnywhereButLaterColonsAndLongPrefixesAreText() throws {
        let s = try DialogueScript.parse("A: The time is 10:30.\nNote that this: is still A, since 'Note that this' is a name.\n", origin: "x")
        // A name may hold spaces, so the second line starts a turn by "Note that this".
        #expect(s.speakers == ["A", "Note that this"])
        let t = try DialogueScript.parse("A: Read this, then: go.\n", origin: "x")
        #expect(t.turns.count == 1 && t.turns[0].text == "Read this, then: go.")
        let long = try DialogueScript.parse("A: x\n" + String(repeating: "y", count: 41) + ": z\n", origin: "x")
        #expect(long.turns.count == 1)
    }

    @Test func mistakesNameTheirLine() {
        func message(_ text: String) -> String {
            do { _ = try DialogueScript.parse(text, origin: "s.txt"); return "" } catch let e as CLIError { return e.message } catch { return "\(error)" }
        }
        #expect(message("no speaker here\nA: hi") == "s.txt, line 1: this line has no speaker")
        #expect(message("A: hi\n\nB:   \n") == "s.txt, line 3: B says nothing")
        #expect(message("# cast: A=\nA: hi") == "s.txt, line 1: 'A=' is not NAME=VOICE")
        #expect(message("# cast: 1A=Roger\nA: hi") == "s.txt, line 1: '1A=Roger' is not NAME=VOICE")
        #expect(message("\n\n# nothing\n") == "s.txt has no turns")
    }
}

/// Timings that come without voice segments still say whose line each character is: by its place
/// among the inputs' characters, across the answer's pieces.
@Suite struct DialogueSegmentsTests {
    @Test func charactersMapToTheirInputsAcrossPieces() {
        // Inputs "Hi." (3) and "Yes!" (4): the answer's two pieces split inside the second input.
        let first = CharacterTimings(characters: ["H", "i", ".", "Y"], starts: [0, 0.1, 0.2, 0.3], ends: [0.1, 0.2, 0.3, 0.4])
        let second = CharacterTimings(characters: ["e", "s", "!"], starts: [0.4, 0.5, 0.6], ends: [0.5, 0.6, 0.7])
        let a = DialogueJob.segments(for: first, from: 0, inputLengths: [3, 4])
        #expect(a.map(\.inputIndex) == [0, 1] && a.map(\.start) == [0, 0.3] && a.map(\.end) == [0.3, 0.4])
        let b = DialogueJob.segments(for: second, from: 4, inputLengths: [3, 4])
        #expect(b.map(\.inputIndex) == [1] && b.first?.end == 0.7)
        // More characters than the inputs hold stay with the last input; no inputs, no crash.
        #expect(DialogueJob.segments(for: second, from: 100, inputLengths: [3, 4]).map(\.inputIndex) == [1])
        #expect(DialogueJob.segments(for: second, from: 0, inputLengths: []).map(\.inputIndex) == [0])
    }
}
