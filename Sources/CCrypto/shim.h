// OpenSSL's libcrypto (already loaded by libcurl): SHA-1 for the WebSocket handshake check, SHA-256
// for content addressing, and the EVP digest API for SHA-256 computed as data streams past.
#ifndef CCRYPTO_SHIM_H
#define CCRYPTO_SHIM_H
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <openssl/evp.h>
#endif
