// The parser against the option table: every option form, and every error with its message.
import Testing
@testable import ElevenLabsCLI

private func run(_ args: [String]) throws -> Invocation {
    guard case .run(let inv) = try CommandLineParser.parse(args) else {
        Issue.record("expected a command for \(args)")
        return Invocation(command: "")
    }
    return inv
}

private func usageError(_ args: [String]) -> UsageError? {
    do { _ = try CommandLineParser.parse(args); return nil } catch let e as UsageError { return e } catch { return nil }
}

@Suite struct ParserTests {
    @Test func longOptionWithSeparateValue() throws {
        let inv = try run(["voices", "--search", "roger"])
        #expect(inv.command == "voices")
        #expect(inv.value(.search) == "roger")
    }

    @Test func longOptionWithEqualsValueKeepsLaterEquals() throws {
        let inv = try run(["voices", "--search=a=b"])
        #expect(inv.value(.search) == "a=b")
    }

    @Test func globalOptionsGoBeforeOrAfterTheCommand() throws {
        let before = try run(["--json", "models"])
        let after = try run(["models", "--json"])
        #expect(before.flag(.json) && after.flag(.json))
    }

    @Test func bundledShortFlagsAreSplit() throws {
        guard case .help(let topic) = try CommandLineParser.parse(["models", "-qh"]) else {
            Issue.record("-qh should ask for help"); return
        }
        #expect(topic == "models")
    }

    @Test func doubleDashEndsOptions() throws {
        let inv = try run(["voices", "show", "--", "--json"])
        #expect(inv.operands == ["show", "--json"])
        #expect(!inv.flag(.json))
    }

    @Test func singleDashIsAnOperand() throws {
        let inv = try run(["voices", "show", "-"])
        #expect(inv.operands == ["show", "-"])
    }

    @Test func repeatedOptionLastOneWins() throws {
        let inv = try run(["voices", "--search", "a", "--search", "b"])
        #expect(inv.value(.search) == "b")
        #expect(inv.all(.search) == ["b"])
    }

    @Test func choicesAreChecked() throws {
        #expect(try run(["voices", "--category", "cloned"]).value(.category) == "cloned")
        let e = usageError(["voices", "--category", "premad"])
        #expect(e?.message == "invalid value 'premad' for --category; did you mean 'premade'?")
        #expect(e?.hint?.contains("premade, cloned, generated, professional") == true)
    }

    @Test func unknownOptionSuggestsTheNearest() {
        #expect(usageError(["voices", "--serch", "x"])?.message == "unknown option --serch; did you mean --search?")
        #expect(usageError(["models", "--jsn"])?.message == "unknown option --jsn; did you mean --json?")
    }

    @Test func unknownShortOption() {
        #expect(usageError(["models", "-Z"])?.message == "unknown option -Z")
    }

    @Test func optionOfAnotherCommandSaysWhose() {
        #expect(usageError(["models", "--label", "x=y"])?.message == "--label is an option of 'clone', not of 'models'")
        #expect(usageError(["models", "--search", "x"])?.message == "--search is an option of 'voices' and 'history', not of 'models'")
    }

    @Test func missingValueIsAnError() {
        #expect(usageError(["voices", "--search"])?.message == "--search needs a value (TEXT)")
    }

    @Test func flagGivenAValueIsAnError() {
        #expect(usageError(["models", "--verbose=yes"])?.message == "--verbose takes no value")
    }

    /// `--json` takes a field list only when the next word is one (names of the command's fields,
    /// or `?`), so text and ids after it stay operands.
    @Test func jsonTakesAFieldListOnlyWhenTheNextWordIsOne() throws {
        func parsed(_ args: [String]) throws -> Invocation {
            guard case .run(let inv) = try CommandLineParser.parse(args) else { throw CLIError("not a run", exit: .usage) }
            return inv
        }
        #expect(try parsed(["voices", "--json", "name,voice_id"]).value(.json) == "name,voice_id")
        #expect(try parsed(["voices", "--json", "?"]).value(.json) == "?")
        #expect(try parsed(["voices", "--json=name"]).value(.json) == "name")
        #expect(try parsed(["voices", "--json", "name,voise_id"]).value(.json) == "name,voise_id") // a slip: refused by name
        let show = try parsed(["voices", "show", "--json", "Roger"])
        #expect(show.value(.json) == "" && show.operands == ["show", "Roger"])
        let plain = try parsed(["history", "--json", "show"])
        #expect(plain.value(.json) == "" && plain.operands == ["show"])
        let speak = try parsed(["speak", "--json", "name", "is what it is"])
        #expect(speak.value(.json) == "" && speak.operands == ["name", "is what it is"])
        #expect(throws: UsageError.self) { try JSONFields.selection(try parsed(["voices", "--json", "name,voise_id"])) }
        #expect(try JSONFields.selection(try parsed(["voices", "--json", "name,voice_id"])) == ["voice_id", "name"]) // table order
    }

    @Test func unknownCommandSuggestsTheNearest() {
        let e = usageError(["modles"])
        #expect(e?.message.hasPrefix("unknown command 'modles'; did you mean 'models'?") == true)
    }

    @Test func helpAndVersionAreNeverCommands() throws {
        guard case .help(nil) = try CommandLineParser.parse(["help"]) else { Issue.record("help"); return }
        guard case .help("voices") = try CommandLineParser.parse(["help", "voices"]) else { Issue.record("help voices"); return }
        guard case .version = try CommandLineParser.parse(["--version"]) else { Issue.record("--version"); return }
        guard case .version = try CommandLineParser.parse(["-V"]) else { Issue.record("-V"); return }
        #expect(usageError(["help", "nosuch"])?.message.hasPrefix("unknown command 'nosuch'") == true)
    }

    @Test func numbersAreRangeChecked() throws {
        let inv = try run(["models", "--connect-timeout", "abc"])
        #expect(throws: UsageError.self) { _ = try inv.double(.connectTimeout, in: 0.1...600) }
        let ok = try run(["models", "--connect-timeout", "2.5"])
        #expect(try ok.double(.connectTimeout, in: 0.1...600) == 2.5)
        let out = try run(["models", "--connect-timeout", "9999"])
        do { _ = try out.double(.connectTimeout, in: 0.1...600); Issue.record("no error") } catch let e as UsageError {
            #expect(e.message == "--connect-timeout must be from 0.1 to 600, not 9999")
        }
    }

    @Test func helpIsGeneratedFromTheTable() {
        let text = Help.text(for: nil)
        for option in OptionTable.options where option.isGlobal { #expect(text.contains("--\(option.long)")) }
        for command in OptionTable.commands { #expect(text.contains(command.name)) }
        for code in ExitCode.allCases { #expect(text.contains(code.meaning)) }
        let voices = Help.text(for: "voices")
        #expect(voices.contains("--search TEXT") && voices.contains("--category CATEGORY"))
    }

    @Test func helpEveryWayPeopleAskForIt() throws {
        guard case .help(nil) = try CommandLineParser.parse(["-?"]) else { Issue.record("-?"); return }
        guard case .help("speak") = try CommandLineParser.parse(["speak", "-?"]) else { Issue.record("speak -?"); return }
        guard case .help("voices") = try CommandLineParser.parse(["voices", "help"]) else { Issue.record("voices help"); return }
        guard case .help("history") = try CommandLineParser.parse(["history", "help"]) else { Issue.record("history help"); return }
        // An explicit speak speaks the word.
        guard case .run(let inv) = try CommandLineParser.parse(["speak", "help"]), inv.operands == ["help"] else { Issue.record("speak help"); return }
    }
}
