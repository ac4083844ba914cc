// OpenSSL's libcrypto (already loaded by libcurl): SHA-1 for the WebSocket handshake check and
// SHA-256 for content addressing. Only the digest headers are exposed.
#ifndef CCRYPTO_SHIM_H
#define CCRYPTO_SHIM_H
#include <openssl/sha.h>
#include <openssl/rand.h>
#endif
