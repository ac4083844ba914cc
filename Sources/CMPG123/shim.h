// libmpg123 for Swift: the library's header for its types and constants, and its functions through a
// table filled with dlopen/dlsym, so the library loads on the player's thread (while the request is
// in flight) instead of at program start.
#ifndef CMPG123_SHIM_H
#define CMPG123_SHIM_H
#include <mpg123.h>
#include <dlfcn.h>

#define CMPG123_FUNCTIONS(X) \
    X(mpg123_new) X(mpg123_delete) X(mpg123_param2) X(mpg123_format_none) X(mpg123_rates) X(mpg123_format) \
    X(mpg123_open_feed) X(mpg123_close) X(mpg123_feed) X(mpg123_read) X(mpg123_getformat) \
    X(mpg123_strerror) X(mpg123_plain_strerror)

/* Each field has exactly the type of the function it holds, so calls through it are type-checked. */
typedef struct cmpg123_table {
#define CMPG123_FIELD(name) __typeof__(name) * _Nonnull name;
    CMPG123_FUNCTIONS(CMPG123_FIELD)
#undef CMPG123_FIELD
} cmpg123_table;

/* Fills the table once; NULL on failure, with *error naming what was missing. Only one Swift file
 * calls it (MP3Decoder.swift), so its static table exists once. */
static inline const cmpg123_table *_Nullable cmpg123_load(const char *_Nullable *_Nonnull error) {
    static cmpg123_table table;
    void *h = dlopen("libmpg123.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) { *error = dlerror(); return 0; }
#define CMPG123_SYMBOL(name) if (!(*(void **)&table.name = dlsym(h, #name))) { *error = #name; return 0; }
    CMPG123_FUNCTIONS(CMPG123_SYMBOL)
#undef CMPG123_SYMBOL
    return &table;
}

/* The API version built against, for version reports: reading the loaded library's own would load it. */
#define CMPG123_STR2(x) #x
#define CMPG123_STR(x) CMPG123_STR2(x)
static inline const char *_Nonnull cmpg123_header_version(void) { return "API " CMPG123_STR(MPG123_API_VERSION); }
#endif
