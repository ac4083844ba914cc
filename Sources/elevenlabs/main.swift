// The elevenlabs executable: everything lives in ElevenLabsCLI so tests can run it in-process.
#if canImport(Glibc)
import Glibc
#endif
import AudioPlayback
import ThreadSupport
import ElevenLabsCLI
import ElevenLabsAPI
#if canImport(Glibc)
import CSystem
#endif

let started = monotonicSeconds()
// ld.so has applied the executable's relocation table (900 KiB, resident since it was read) and
// never reads it again: its pages go back now, before the libraries that playing loads add theirs,
// so a long listen's peak holds none of it. Failure only leaves them resident.
#if canImport(Glibc)
_ = el_release_relocation_table()
#endif
// Two malloc arenas: glibc gives each new thread that allocates while another does an arena of its
// own (64 MiB of address space, and its pages resident), and this program's later threads (the
// network side, the player) allocate little, seldom at once, so they share. But libcurl's start-up
// on the warm-up thread (OpenSSL's: thousands of allocations) runs beside main's parsing: sharing
// main's one arena, the two threads queued on its lock, and the first request left 0.15-0.3 ms
// later than with an arena each (bench/NOTES.md, "#29, round six").
#if canImport(Glibc)
_ = el_limit_malloc_arenas(2)
#endif
CLI.reopenClosedStandardStreams()
let arguments = Array(CommandLine.arguments.dropFirst())
// libcurl is loaded here, while the process has one thread, and its initialisation (OpenSSL's) then
// runs while the command line is parsed and the device opened; help and version never touch the
// network, so they load none of it (3 ms of libraries and over a millisecond of OpenSSL).
if CLI.mayUseNetwork(arguments) {
    CurlRuntime.warmUp(beforeThreads: true)
    Timeline.mark("warm-up thread started")
}
// A closed pipe must surface as EPIPE on write (handled as a quiet stop), not kill the process.
signal(SIGPIPE, SIG_IGN)
Signals.install()
Timeline.mark("signal handlers installed")
let status = CLI.main(arguments, context: .process(startTime: started))
// Everything the command wrote has gone out: standard output and error are written unbuffered, files
// are closed or committed by the command. What `exit` would still do is run every library's exit
// handlers and destructors (OpenSSL freeing its tables, libcurl's, ALSA's, PulseAudio's, and the
// finalisers of some 60 libraries), about a millisecond of CPU for nothing the kernel does not undo
// itself; and exiting while OpenSSL initialises on the warm-up thread would run those handlers under
// it. `_exit` ends the process at once. (Any stdio a library buffered is flushed first.)
fflush(nil)
_exit(status.rawValue)
