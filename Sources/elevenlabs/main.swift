// The elevenlabs executable: everything lives in ElevenLabsCLI so tests can run it in-process.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsCLI

// A closed pipe must surface as EPIPE on write (handled as a quiet stop), not kill the process.
signal(SIGPIPE, SIG_IGN)
exit(CLI.main(Array(CommandLine.arguments.dropFirst()), context: .process()).rawValue)
