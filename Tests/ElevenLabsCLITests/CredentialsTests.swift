// The API key's sources in their documented order, the config file format, and the base URL rule.
import Testing
import Foundation
import ElevenLabsAPI
@testable import ElevenLabsCLI

private func write(_ dir: URL, _ name: String, _ text: String, mode: Int = 0o600) throws -> String {
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    return url.path
}

@Suite struct CredentialsTests {
    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    @Test func orderIsOptionThenEnvironmentThenEnvironmentFileThenConfig() throws {
        let optionFile = try write(dir, "opt", "sk_from_option_file\n")
        let envFile = try write(dir, "envfile", "sk_from_env_file")
        let config = try ConfigFile.parse("api_key = sk_from_config\n", path: try write(dir, "config", "api_key = sk_from_config\n"))
        let env = ["ELEVENLABS_API_KEY": "sk_from_env", "ELEVENLABS_API_KEY_FILE": envFile]

        var r = try Credentials.resolve(keyFileOption: optionFile, environment: env, config: config)
        #expect(r.key == "sk_from_option_file" && r.source == .keyFileOption(optionFile))
        r = try Credentials.resolve(keyFileOption: nil, environment: env, config: config)
        #expect(r.key == "sk_from_env" && r.source == .environment)
        r = try Credentials.resolve(keyFileOption: nil, environment: ["ELEVENLABS_API_KEY_FILE": envFile], config: config)
        #expect(r.key == "sk_from_env_file" && r.source == .environmentKeyFile(envFile))
        r = try Credentials.resolve(keyFileOption: nil, environment: [:], config: config)
        #expect(r.key == "sk_from_config" && r.source == .configFile(config.path))
    }

    @Test func configMayNameAKeyFile() throws {
        let keyFile = try write(dir, "k", "sk_in_file\n")
        let config = try ConfigFile.parse("api_key_file = \(keyFile)\n", path: "/x/config")
        let r = try Credentials.resolve(keyFileOption: nil, environment: [:], config: config)
        #expect(r.key == "sk_in_file" && r.source == .configKeyFile(keyFile))
    }

    @Test func missingKeyNamesEveryWayToGiveOne() {
        do {
            _ = try Credentials.resolve(keyFileOption: nil, environment: [:], config: nil)
            Issue.record("expected an error")
        } catch let e as ConfigurationError {
            #expect(e.message == "no API key found")
            #expect(e.category == .credentials)
            for way in ["ELEVENLABS_API_KEY", "--api-key-file", "ELEVENLABS_API_KEY_FILE", "config file"] {
                #expect(e.hint?.contains(way) == true)
            }
        } catch { Issue.record("wrong error \(error)") }
    }

    @Test func unusableSourcesAreErrorsNotFallThroughs() throws {
        #expect(throws: ConfigurationError.self) {
            _ = try Credentials.resolve(keyFileOption: nil, environment: ["ELEVENLABS_API_KEY": "  "], config: nil)
        }
        #expect(throws: ConfigurationError.self) {
            _ = try Credentials.resolve(keyFileOption: dir.appendingPathComponent("absent").path, environment: ["ELEVENLABS_API_KEY": "sk_x"], config: nil)
        }
        let twoLines = try write(dir, "two", "sk_a\nsk_b\n")
        #expect(throws: ConfigurationError.self) {
            _ = try Credentials.resolve(keyFileOption: twoLines, environment: [:], config: nil)
        }
    }

    @Test func configFileFormat() throws {
        let c = try ConfigFile.parse("# comment\n\nvoice = Roger\nmodel='eleven_flash_v2_5'\n  format = \"mp3_44100_128\"  \n", path: "/c")
        #expect(c["voice"] == "Roger")
        #expect(c["model"] == "eleven_flash_v2_5")
        #expect(c["format"] == "mp3_44100_128")
        // A typo is ignored with a warning naming the line (it must not stop every command).
        let typo = try ConfigFile.parse("vioce = Roger\n", path: "/c")
        #expect(typo["vioce"] == nil && typo.ignored.map(\.message) == ["/c:1: unknown setting 'vioce'; did you mean 'voice'?; ignored"])
        do { _ = try ConfigFile.parse("voice Roger\n", path: "/c"); Issue.record("no error") } catch let e as ConfigurationError {
            #expect(e.message == "/c:1: expected a setting as 'name = value'")
        }
    }

    @Test func configReadableByOthersIsFlagged() throws {
        let open = try write(dir, "open", "api_key = sk_secret_key_1234\n", mode: 0o644)
        let closed = try write(dir, "closed", "api_key = sk_secret_key_1234\n", mode: 0o600)
        #expect(try ConfigFile.load(path: open)?.isExposed == true)
        #expect(try ConfigFile.load(path: closed)?.isExposed == false)
        #expect(try ConfigFile.load(path: dir.appendingPathComponent("none").path) == nil)
    }

    @Test func baseURLMustBeHTTPSUnlessLoopback() throws {
        #expect(try ClientConfiguration.validateBaseURL("https://api.eu.residency.elevenlabs.io/") == "https://api.eu.residency.elevenlabs.io")
        #expect(try ClientConfiguration.validateBaseURL("http://127.0.0.1:8787") == "http://127.0.0.1:8787")
        #expect(try ClientConfiguration.validateBaseURL("http://localhost:1") == "http://localhost:1")
        #expect(try ClientConfiguration.validateBaseURL("http://[::1]:8787") == "http://[::1]:8787")
        #expect(throws: ConfigurationError.self) { _ = try ClientConfiguration.validateBaseURL("http://api.elevenlabs.io") }
        #expect(throws: ConfigurationError.self) { _ = try ClientConfiguration.validateBaseURL("ftp://x") }
        #expect(throws: ConfigurationError.self) { _ = try ClientConfiguration.validateBaseURL("api.elevenlabs.io") }
    }
}
