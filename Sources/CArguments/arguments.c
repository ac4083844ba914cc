// The program's arguments as glibc hands them over, in place of the Swift runtime's own search.
//
// `CommandLine.arguments` asks the runtime for argc and argv (`_swift_stdlib_getUnsafeArgvArgc`).
// On Linux the runtime's answer (CommandLine.cpp, in libswiftCore.a) is a global constructor that
// reads /proc/self/maps line by line with sscanf to find the stack, then walks back from `environ`.
// It runs before `main` in every process, whether or not the arguments are wanted, and the kernel
// writes a line for each of the ~200 mappings libcurl's libraries make: 0.16 to 0.30 ms here, and
// 470,000 instructions (bench/NOTES.md, "#29, round five"), on the path to the request.
//
// glibc calls each function in an executable's .init_array with argc, argv and envp, so a
// constructor here has them for nothing. This file defines both functions of that archive member;
// with them defined, the linker never pulls CommandLine.cpp.o out of libswiftCore.a, so its
// constructor is not linked in at all. Where the Swift runtime is a shared library (debug builds,
// tests), its own definitions are hidden inside it and these go unused.
#if defined(__linux__)
#include <stddef.h>

static char **startArgv;
static int startArgc;
static char **overrideArgv;
static int overrideArgc;

// Runs before `main` and before the executable's other constructors (a priority sorts it first
// in .init_array; the libraries' constructors, which run before the executable's, are C and never
// ask Swift for the arguments). Should anything ask earlier, it gets an empty list, not a crash.
__attribute__((constructor(101)))
static void el_keep_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc >= 0 && argv != NULL) { startArgc = argc; startArgv = argv; }
}

// The runtime's contract (CommandLine.cpp): an override, when set, wins; the answer is never
// NULL (an empty, NULL-terminated vector when nothing is known) and stays valid for the process.
__attribute__((swiftcall, visibility("hidden")))
char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
    static char *empty[] = { NULL };
    if (overrideArgv != NULL) { *outArgLen = overrideArgc; return overrideArgv; }
    if (startArgv != NULL) { *outArgLen = startArgc; return startArgv; }
    *outArgLen = 0;
    return empty;
}

__attribute__((swiftcall, visibility("hidden")))
void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc) {
    overrideArgv = argv;
    overrideArgc = argc;
}
#endif
