// libmpg123 for Swift. The library is called directly; the only addition is a version string,
// which mpg123 exposes at run time only from API version 48 on.
#ifndef CMPG123_SHIM_H
#define CMPG123_SHIM_H
#include <mpg123.h>

static inline const char *cmpg123_version(void) {
#if MPG123_API_VERSION >= 48
    return mpg123_distversion(0, 0, 0);
#else
#define CMPG123_STR2(x) #x
#define CMPG123_STR(x) CMPG123_STR2(x)
    return "API " CMPG123_STR(MPG123_API_VERSION);
#endif
}
#endif
