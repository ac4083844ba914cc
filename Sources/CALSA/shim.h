// ALSA (libasound2) for Swift: the library's header for its types and constants, and its functions
// through a table filled with dlopen/dlsym. The library loads on the player's thread while the
// request is in flight, so the dynamic loader's work for it is not paid before the request leaves,
// nor at all by commands that never play.
#ifndef CALSA_SHIM_H
#define CALSA_SHIM_H
#include <alsa/asoundlib.h>
#include <dlfcn.h>

#define CALSA_FUNCTIONS(X) \
    X(snd_strerror) \
    X(snd_device_name_hint) X(snd_device_name_get_hint) X(snd_device_name_free_hint) \
    X(snd_pcm_open) X(snd_pcm_close) X(snd_pcm_writei) X(snd_pcm_recover) X(snd_pcm_delay) \
    X(snd_pcm_drain) X(snd_pcm_drop) \
    X(snd_pcm_hw_params_malloc) X(snd_pcm_hw_params_free) X(snd_pcm_hw_params_any) X(snd_pcm_hw_params) \
    X(snd_pcm_hw_params_set_rate_resample) X(snd_pcm_hw_params_set_access) X(snd_pcm_hw_params_set_format) \
    X(snd_pcm_hw_params_set_channels) X(snd_pcm_hw_params_set_rate_near) \
    X(snd_pcm_hw_params_set_buffer_time_near) X(snd_pcm_hw_params_set_period_time_near) \
    X(snd_pcm_hw_params_get_buffer_size) X(snd_pcm_hw_params_get_period_size) \
    X(snd_pcm_sw_params_malloc) X(snd_pcm_sw_params_free) X(snd_pcm_sw_params_current) X(snd_pcm_sw_params) \
    X(snd_pcm_sw_params_set_start_threshold) X(snd_pcm_sw_params_set_avail_min)

/* Each field has exactly the type of the function it holds (typeof the header's declaration), so a
 * call through the table is checked like a direct call. The error-handler setter is not in it: its
 * argument is a variadic function type, which Swift cannot import; calsa_load sets it. */
typedef struct calsa_table {
#define CALSA_FIELD(name) __typeof__(name) * _Nonnull name;
    CALSA_FUNCTIONS(CALSA_FIELD)
#undef CALSA_FIELD
} calsa_table;

/* ALSA prints its own diagnostics to stderr (e.g. "cannot find card '0'") before returning an
 * error; the caller reports the error itself, once, with a hint. The handler type is variadic, which
 * Swift cannot implement, so the no-op handler lives here, set as the library loads. */
static void calsa_ignore_error(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}

/* Fills the table once; NULL on failure, with *error naming what was missing. Only one Swift file
 * calls it (ALSASink.swift), so its static table exists once. */
static inline const calsa_table *_Nullable calsa_load(const char *_Nullable *_Nonnull error) {
    static calsa_table table;
    void *h = dlopen("libasound.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!h) { *error = dlerror(); return 0; }
#define CALSA_SYMBOL(name) if (!(*(void **)&table.name = dlsym(h, #name))) { *error = #name; return 0; }
    CALSA_FUNCTIONS(CALSA_SYMBOL)
#undef CALSA_SYMBOL
    __typeof__(snd_lib_error_set_handler) *set_handler =
        (__typeof__(snd_lib_error_set_handler) *)dlsym(h, "snd_lib_error_set_handler");
    if (set_handler) set_handler(calsa_ignore_error);
    return &table;
}
#endif
