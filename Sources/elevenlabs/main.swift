// The elevenlabs executable: everything lives in ElevenLabsCLI so tests can run it in-process.
#if canImport(Glibc)
import Glibc
#endif
import AudioPlayback
import ElevenLabsCLI

let started = monotonicSeconds()
// A closed pipe must surface as EPIPE on write (handled as a quiet stop), not kill the process.
signal(SIGPIPE, SIG_IGN)
Signals.install()
exit(CLI.main(Array(CommandLine.arguments.dropFirst()), context: .process(startTime: started)).rawValue)
