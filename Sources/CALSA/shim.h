// ALSA (libasound2) for Swift: the library's header, and a way to keep its messages off stderr.
#ifndef CALSA_SHIM_H
#define CALSA_SHIM_H
#include <alsa/asoundlib.h>

/* ALSA prints its own diagnostics to stderr (e.g. "cannot find card '0'") before returning an
 * error; the caller reports the error itself, once, with a hint. The handler type is variadic, which
 * Swift cannot implement, so the no-op handler lives here. */
static void calsa_ignore_error(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}
static inline void calsa_silence_library_errors(void) { snd_lib_error_set_handler(calsa_ignore_error); }
#endif
