// libcurl loaded with dlopen on first use, and the `ccurl_` functions that call it (see CCurl.h for
// why it is not linked). The table's fields have exactly the types of libcurl's own declarations
// (__typeof__), so every call through it is checked against <curl/curl.h> by the compiler.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif
#include "CCurl.h"
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__APPLE__)
#define CCURL_LIBRARY "libcurl.4.dylib"
#else
#define CCURL_LIBRARY "libcurl.so.4"
#endif

#define CCURL_FUNCTIONS(X) \
    X(curl_global_init) X(curl_easy_init) X(curl_easy_cleanup) X(curl_easy_reset) X(curl_easy_perform) \
    X(curl_easy_recv) X(curl_easy_send) X(curl_easy_strerror) X(curl_easy_setopt) X(curl_easy_getinfo) \
    X(curl_free) X(curl_slist_append) X(curl_slist_free_all) \
    X(curl_mime_init) X(curl_mime_free) X(curl_mime_addpart) X(curl_mime_name) X(curl_mime_data) \
    X(curl_mime_filedata) X(curl_mime_filename) X(curl_mime_type) \
    X(curl_url) X(curl_url_cleanup) X(curl_url_set) X(curl_url_get) X(curl_version_info)

static struct {
#define CCURL_FIELD(name) __typeof__(name) *name;
    CCURL_FUNCTIONS(CCURL_FIELD)
#undef CCURL_FIELD
} table;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *loadError;
static char loadErrorText[512];

static void load(void) {
    // RTLD_LOCAL: nothing else in the process resolves symbols against libcurl's tree.
    void *h = dlopen(CCURL_LIBRARY, RTLD_LAZY | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(loadErrorText, sizeof loadErrorText, "%s", why ? why : CCURL_LIBRARY " could not be loaded");
        loadError = loadErrorText;
        return;
    }
#define CCURL_SYMBOL(name) \
    if (!(*(void **)&table.name = dlsym(h, #name))) { \
        snprintf(loadErrorText, sizeof loadErrorText, CCURL_LIBRARY " has no %s (libcurl 7.62 or later is needed)", #name); \
        loadError = loadErrorText; \
        return; \
    }
    CCURL_FUNCTIONS(CCURL_SYMBOL)
#undef CCURL_SYMBOL
}

const char *ccurl_load(void) {
    pthread_once(&once, load);
    return loadError;
}

const char *ccurl_load_before_threads(void) {
    static const char name[] = "GNUTLS_NO_IMPLICIT_INIT";
    int set = getenv(name) == NULL;
    if (set && setenv(name, "1", 1) != 0) set = 0;
    const char *error = ccurl_load();
    if (set) (void)unsetenv(name);
    return error;
}

// Every call goes through here. Callers have asked ccurl_load first and stopped on its error, so
// a missing library reaching this point is a bug: it stops with the reason rather than jumping
// through an empty table.
// (libcurl's header makes curl_easy_setopt and curl_easy_getinfo type-checking macros: their calls
// below put the name in parentheses so the macro is not expanded around a table field.)
static inline __typeof__(table) *T(void) {
    if (ccurl_load()) {
        fprintf(stderr, "elevenlabs: libcurl is needed and could not be loaded: %s\n", loadError);
        abort();
    }
    return &table;
}

// Set by whichever thread ran curl_global_init, once it has returned.
static int initialised;

CURLcode ccurl_global_init_announced(long flags) {
    CURLcode rc = T()->curl_global_init(flags);
    __atomic_store_n(&initialised, 1, __ATOMIC_RELEASE);
    return rc;
}

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int ccurl_await_initialised(double max_seconds) {
    if (__atomic_load_n(&initialised, __ATOMIC_ACQUIRE)) return 1;
    // Spinning only helps when the initialising thread has a CPU of its own: on one CPU it would
    // only delay it.
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2) return 0;
    double end = seconds_now() + max_seconds;
    for (;;) {
        for (int i = 0; i < 256; i++) {
            if (__atomic_load_n(&initialised, __ATOMIC_ACQUIRE)) return 1;
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#elif defined(__aarch64__)
            __asm__ __volatile__("yield");
#endif
        }
        if (seconds_now() >= end) return __atomic_load_n(&initialised, __ATOMIC_ACQUIRE);
    }
}
CURL *ccurl_easy_init(void) { return T()->curl_easy_init(); }
void ccurl_easy_cleanup(CURL *h) { T()->curl_easy_cleanup(h); }
void ccurl_easy_reset(CURL *h) { T()->curl_easy_reset(h); }
CURLcode ccurl_easy_perform(CURL *h) { return T()->curl_easy_perform(h); }
CURLcode ccurl_easy_recv(CURL *h, void *buffer, size_t length, size_t *received) { return T()->curl_easy_recv(h, buffer, length, received); }
CURLcode ccurl_easy_send(CURL *h, const void *buffer, size_t length, size_t *sent) { return T()->curl_easy_send(h, buffer, length, sent); }
const char *ccurl_easy_strerror(CURLcode code) { return T()->curl_easy_strerror(code); }
void ccurl_free(void *p) { T()->curl_free(p); }

struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *text) { return T()->curl_slist_append(list, text); }
void ccurl_slist_free_all(struct curl_slist *list) { T()->curl_slist_free_all(list); }

curl_mime *ccurl_mime_init(CURL *h) { return T()->curl_mime_init(h); }
void ccurl_mime_free(curl_mime *mime) { T()->curl_mime_free(mime); }
curl_mimepart *ccurl_mime_addpart(curl_mime *mime) { return T()->curl_mime_addpart(mime); }
CURLcode ccurl_mime_name(curl_mimepart *part, const char *name) { return T()->curl_mime_name(part, name); }
CURLcode ccurl_mime_data(curl_mimepart *part, const char *data, size_t size) { return T()->curl_mime_data(part, data, size); }
CURLcode ccurl_mime_filedata(curl_mimepart *part, const char *path) { return T()->curl_mime_filedata(part, path); }
CURLcode ccurl_mime_filename(curl_mimepart *part, const char *name) { return T()->curl_mime_filename(part, name); }
CURLcode ccurl_mime_type(curl_mimepart *part, const char *type) { return T()->curl_mime_type(part, type); }

CURLU *ccurl_url(void) { return T()->curl_url(); }
void ccurl_url_cleanup(CURLU *url) { T()->curl_url_cleanup(url); }
CURLUcode ccurl_url_set(CURLU *url, CURLUPart part, const char *text, unsigned int flags) { return T()->curl_url_set(url, part, text, flags); }
CURLUcode ccurl_url_get(CURLU *url, CURLUPart part, char **text, unsigned int flags) { return T()->curl_url_get(url, part, text, flags); }

CURLcode ccurl_easy_setopt_long(CURL *h, CURLoption o, long v) { return (T()->curl_easy_setopt)(h, o, v); }
CURLcode ccurl_easy_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return (T()->curl_easy_setopt)(h, o, v); }
CURLcode ccurl_easy_setopt_ptr(CURL *h, CURLoption o, void *v) { return (T()->curl_easy_setopt)(h, o, v); }
CURLcode ccurl_easy_setopt_str(CURL *h, CURLoption o, const char *v) { return (T()->curl_easy_setopt)(h, o, v); }
CURLcode ccurl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return (T()->curl_easy_setopt)(h, o, v); }
CURLcode ccurl_easy_setopt_mime(CURL *h, CURLoption o, curl_mime *v) { return (T()->curl_easy_setopt)(h, o, v); }
CURLcode ccurl_easy_setopt_writefn(CURL *h, CURLoption o, curl_write_callback v) { return (T()->curl_easy_setopt)(h, o, v); }
CURLcode ccurl_easy_setopt_readfn(CURL *h, CURLoption o, curl_read_callback v) { return (T()->curl_easy_setopt)(h, o, v); }
CURLcode ccurl_easy_setopt_xferinfofn(CURL *h, CURLoption o, curl_xferinfo_callback v) { return (T()->curl_easy_setopt)(h, o, v); }

CURLcode ccurl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return (T()->curl_easy_getinfo)(h, i, v); }
CURLcode ccurl_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return (T()->curl_easy_getinfo)(h, i, v); }
CURLcode ccurl_easy_getinfo_off_t(CURL *h, CURLINFO i, curl_off_t *v) { return (T()->curl_easy_getinfo)(h, i, v); }
CURLcode ccurl_easy_getinfo_socket(CURL *h, CURLINFO i, curl_socket_t *v) { return (T()->curl_easy_getinfo)(h, i, v); }

curl_version_info_data *ccurl_version_info_now(void) {
    return ccurl_load() ? NULL : table.curl_version_info(CURLVERSION_NOW);
}
