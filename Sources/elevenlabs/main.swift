// The elevenlabs executable: everything lives in ElevenLabsCLI so tests can run it in-process.
#if canImport(Glibc)
import Glibc
#endif
import AudioPlayback
import ThreadSupport
import ElevenLabsCLI
import ElevenLabsAPI

let started = monotonicSeconds()
CLI.reopenClosedStandardStreams()
// libcurl's initialisation (OpenSSL's) runs while the command line is parsed and the device opened.
CurlRuntime.warmUp()
// A closed pipe must surface as EPIPE on write (handled as a quiet stop), not kill the process.
signal(SIGPIPE, SIG_IGN)
Signals.install()
let status = CLI.main(Array(CommandLine.arguments.dropFirst()), context: .process(startTime: started))
// Exiting while OpenSSL initialises on the warm-up thread would run its exit handlers under it.
CurlRuntime.waitForWarmUp()
exit(status.rawValue)
