// ALSA (libasound2) for Swift: just the library's own header.
#ifndef CALSA_SHIM_H
#define CALSA_SHIM_H
#include <alsa/asoundlib.h>
#endif
