/* datakey.h - the data keys of encrypted streams.
 *
 * StartStreamEncryption gives a stream a fresh data key: 32 random bytes under a random 64-bit
 * id. Its row in meta.sqlite holds it sealed under the master key (masterkey.h; the additional
 * data names the key and its stream, so a row cannot be moved to another), committed in the same
 * transaction as the stream's change; the store gets it (store_add_key) and seals every record
 * appended afterwards under it, until StopStreamEncryption (or another StartStreamEncryption with
 * another KeyId) moves the stream off it. The old keys stay, so older records stay readable,
 * until the stream is deleted. At start-up every key is unsealed into the store's keyring before
 * any log is read: a master key that does not open them stops kinesd with a clear reason. The
 * KMS KeyId a stream names is recorded and reported only: kinesd has no KMS, its master key
 * wraps every data key. */
#ifndef KINESD_DATAKEY_H
#define KINESD_DATAKEY_H

#include "../common/buf.h"
#include "../common/masterkey.h"
#include "../store/store.h"
#include "meta.h"

/* The master key the keys are sealed under (before registry_open; NULL: none, then a stream's
 * key refuses to load). */
void datakeys_init(const masterkey *mk);

/* Unseals every data key of meta.sqlite into the store's keyring. -1 when one does not open
 * (datakeys_failure says why). */
int datakeys_load(meta *m, store *st);
/* Why datakeys_load failed ("" when it did not). */
const char *datakeys_failure(void);

/* A fresh data key for a stream: its secret, and its row to commit. */
typedef struct data_key {
    uint64_t id;
    unsigned char secret[STORE_KEY_LEN];
    kbuf wrapped;     /* the row's sealed copy */
    data_key_row row; /* points into wrapped */
} data_key;

void datakey_make(uint64_t stream_uid, int64_t now_ms, data_key *out);
void datakey_free(data_key *k); /* wipes the secret */

#endif
