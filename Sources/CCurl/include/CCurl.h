// libcurl for Swift: the library's header for its types and constants, and its functions under
// `ccurl_` names, called through a table that ccurl.c fills with dlopen/dlsym on first use.
//
// Why not link it: a program that links libcurl has ld.so load it and its ~30 libraries (OpenSSL,
// GnuTLS, Kerberos, LDAP, ...) before `main`: 3.5 ms on the build machine, every run. Loaded by
// CurlRuntime.warmUp on its own thread, that happens while `main` parses the command line, reads
// the text and encodes the request; `--help`, local errors and `--dry-run` never load it at all.
// (The .deb names libcurl4 in Depends itself, since dpkg-shlibdeps no longer sees it linked.)
//
// Every function loads the library first if nothing has (a thread-safe once), so no call can run
// before the table is filled; `ccurl_load` reports a library that cannot be loaded, and callers
// ask it before anything else (CurlRuntime.ready) so that becomes an error, not a crash.
// libcurl's variadic calls get one typed wrapper per argument type, which Swift can call.
#ifndef CCURL_H
#define CCURL_H
#include <curl/curl.h>

/* NULL once libcurl is loaded; otherwise why it could not be (the same text every call). */
const char *_Nullable ccurl_load(void);

/* ccurl_load, for a process that has no other thread yet (the top of main): GnuTLS, which libcurl's
 * tree brings in only for RTMP and LDAP (never used: transfers are limited to http and https), is
 * loaded without its implicit start-up, through GNUTLS_NO_IMPLICIT_INIT, GnuTLS's own switch:
 * 0.3 ms of ASN.1 parsing saved. The variable is set only for the load, and only when unset; a
 * process with other threads must not change its environment, so it uses ccurl_load. */
const char *_Nullable ccurl_load_before_threads(void);

/* curl_global_init, then a note (an atomic flag) that it has returned, for ccurl_await_initialised. */
CURLcode ccurl_global_init_announced(long flags);
/* Waits, spinning, at most max_seconds for ccurl_global_init_announced to have returned on another
 * thread: 1 once it has, 0 if not yet (or at once, when the process may use only one CPU). Waiting
 * for it in a futex costs the waker's wake-up: 0.1-0.3 ms on the build machine's virtual CPUs,
 * where a halted CPU is woken through the hypervisor, right before the first request. */
int ccurl_await_initialised(double max_seconds);
CURL *_Nullable ccurl_easy_init(void);
void ccurl_easy_cleanup(CURL *_Nonnull h);
void ccurl_easy_reset(CURL *_Nonnull h);
CURLcode ccurl_easy_perform(CURL *_Nonnull h);
CURLcode ccurl_easy_recv(CURL *_Nonnull h, void *_Nullable buffer, size_t length, size_t *_Nonnull received);
CURLcode ccurl_easy_send(CURL *_Nonnull h, const void *_Nullable buffer, size_t length, size_t *_Nonnull sent);
const char *_Nonnull ccurl_easy_strerror(CURLcode code);
void ccurl_free(void *_Nullable p);

struct curl_slist *_Nullable ccurl_slist_append(struct curl_slist *_Nullable list, const char *_Nonnull text);
void ccurl_slist_free_all(struct curl_slist *_Nullable list);

curl_mime *_Nullable ccurl_mime_init(CURL *_Nonnull h);
void ccurl_mime_free(curl_mime *_Nullable mime);
curl_mimepart *_Nullable ccurl_mime_addpart(curl_mime *_Nonnull mime);
CURLcode ccurl_mime_name(curl_mimepart *_Nullable part, const char *_Nullable name);
CURLcode ccurl_mime_data(curl_mimepart *_Nullable part, const char *_Nullable data, size_t size);
CURLcode ccurl_mime_filedata(curl_mimepart *_Nullable part, const char *_Nullable path);
CURLcode ccurl_mime_filename(curl_mimepart *_Nullable part, const char *_Nullable name);
CURLcode ccurl_mime_type(curl_mimepart *_Nullable part, const char *_Nullable type);

CURLU *_Nullable ccurl_url(void);
void ccurl_url_cleanup(CURLU *_Nullable url);
CURLUcode ccurl_url_set(CURLU *_Nonnull url, CURLUPart part, const char *_Nullable text, unsigned int flags);
CURLUcode ccurl_url_get(CURLU *_Nonnull url, CURLUPart part, char *_Nullable *_Nonnull text, unsigned int flags);

CURLcode ccurl_easy_setopt_long(CURL *_Nonnull h, CURLoption o, long v);
CURLcode ccurl_easy_setopt_off_t(CURL *_Nonnull h, CURLoption o, curl_off_t v);
CURLcode ccurl_easy_setopt_ptr(CURL *_Nonnull h, CURLoption o, void *_Nullable v);
CURLcode ccurl_easy_setopt_str(CURL *_Nonnull h, CURLoption o, const char *_Nullable v);
CURLcode ccurl_easy_setopt_slist(CURL *_Nonnull h, CURLoption o, struct curl_slist *_Nullable v);
CURLcode ccurl_easy_setopt_mime(CURL *_Nonnull h, CURLoption o, curl_mime *_Nullable v);
CURLcode ccurl_easy_setopt_writefn(CURL *_Nonnull h, CURLoption o, curl_write_callback _Nullable v);
CURLcode ccurl_easy_setopt_readfn(CURL *_Nonnull h, CURLoption o, curl_read_callback _Nullable v);
CURLcode ccurl_easy_setopt_xferinfofn(CURL *_Nonnull h, CURLoption o, curl_xferinfo_callback _Nullable v);

CURLcode ccurl_easy_getinfo_long(CURL *_Nonnull h, CURLINFO i, long *_Nonnull v);
CURLcode ccurl_easy_getinfo_double(CURL *_Nonnull h, CURLINFO i, double *_Nonnull v);
CURLcode ccurl_easy_getinfo_off_t(CURL *_Nonnull h, CURLINFO i, curl_off_t *_Nonnull v);
CURLcode ccurl_easy_getinfo_socket(CURL *_Nonnull h, CURLINFO i, curl_socket_t *_Nonnull v);

/* The loaded library's version data; NULL when it cannot be loaded. */
curl_version_info_data *_Nullable ccurl_version_info_now(void);

static inline size_t ccurl_zero_terminated(void) { return CURL_ZERO_TERMINATED; }
static inline size_t ccurl_readfunc_abort(void) { return CURL_READFUNC_ABORT; }

#endif
