/* masterkey.h - the server's master key, and sealing secrets under it (AES-256-GCM).
 *
 * The key is 32 random bytes in <data-dir>/master.key (mode 0600, created on first use) or in a
 * file the operator names (--master-key-file). Whatever kinesd keeps secret at rest - access key
 * secrets, session tokens, stream data keys - is sealed with it: a random 12-byte nonce, the
 * ciphertext and a 16-byte tag, so a wrong key or a changed byte is detected, never decrypted to
 * garbage. */
#ifndef KINESD_MASTERKEY_H
#define KINESD_MASTERKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define MASTERKEY_LEN 32
#define SEAL_OVERHEAD 28 /* nonce (12) + tag (16) */

typedef struct masterkey {
    unsigned char key[MASTERKEY_LEN]; /* the AES-256 key */
} masterkey;

/* Loads the key from `path`, creating it (random, 0600) when absent and `create` is set. -1 with
 * a one-line reason in why when it cannot be read, created, or is not exactly 32 bytes. */
int masterkey_load(masterkey *mk, const char *path, bool create, char *why, size_t why_len);

/* Appends nonce | AES-256-GCM(plain) | tag to out. `aad` (may be NULL) is authenticated, not
 * stored: opening needs the same. */
void masterkey_seal(const masterkey *mk, const void *plain, size_t len, const char *aad, kbuf *out);

/* Appends the plaintext of a sealed box to out; false when it was not sealed under this key
 * with this aad (or was changed). */
bool masterkey_open(const masterkey *mk, const void *sealed, size_t len, const char *aad,
                    kbuf *out);

/* Fills out with n random bytes from the CSPRNG (aborts if it fails). */
void masterkey_random(void *out, size_t n);

#endif
