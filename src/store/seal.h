/* seal.h - sealed runs: records of a shard log encrypted at rest with AES-256-GCM (the frame
 * layout is frame.h's), and the store's keyring.
 *
 * A run of records appended together is sealed as one frame (or as several when it has more than
 * FRAME_SEALED_MAX_COUNT records): one nonce, one GCM pass and one tag for the whole run, so
 * sealing costs one cipher pass over the run's bytes and no allocation. Each log seals under its
 * own subkey, HMAC-SHA256(store key, "kinesd shard log " + the log's relpath), and each run's
 * nonce is 4 random bytes and the run's first offset: offsets never repeat within a log (in
 * durability `sync`; a reissued offset after a lost unsynced tail gets fresh random bytes), so a
 * nonce is never reused under a subkey, whatever the number of runs. */
#ifndef KINESD_SEAL_H
#define KINESD_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "frame.h"
#include "shardlog.h"
#include "store.h"

/* ---- the keyring: the store's keys, by id ---- */

typedef struct keyring keyring;

keyring *keyring_new(void);
void keyring_free(keyring *kr);
const store_key *keyring_add(keyring *kr, uint64_t id, const unsigned char *secret);
const store_key *keyring_find(keyring *kr, uint64_t id); /* NULL when unknown */

/* ---- a cipher context bound to one store key and one log ---- */

typedef struct seal_ctx {
    uint64_t key_id; /* the store key its subkey was derived from; 0: none yet */
    bool encrypt;    /* set up for sealing (else opening) */
    void *evp;       /* EVP_CIPHER_CTX with the subkey set */
} seal_ctx;

void seal_ctx_free(seal_ctx *c);

/* ---- sealing ---- */

/* How many of recs[0..n) go into the next sealed frame: as many as fit its count and FRAME_MAX. */
size_t seal_chunk(const log_record_in *recs, size_t n);
/* The size of the sealed frame of recs[0..n) (n from seal_chunk). */
size_t seal_frame_size(const log_record_in *recs, size_t n);
/* Writes the sealed frame of recs[0..n) (seal_frame_size bytes) at dst, sealed under key for the
 * log at relpath; c caches the log's subkey between runs. */
void seal_encode(seal_ctx *c, const store_key *key, const char *relpath, char *dst, uint64_t offset,
                 int64_t arrival_ms, const log_record_in *recs, size_t n);

/* ---- opening ---- */

typedef enum {
    SEAL_OPENED,      /* *plain holds the run's records */
    SEAL_UNKNOWN_KEY, /* the run names a key the keyring does not hold */
    SEAL_BAD_TAG,     /* the run does not authenticate: changed bytes, or another key */
} seal_result;

/* Decrypts the sealed frame f (its bytes at raw) of the log at relpath into plain (replacing
 * what it held). */
seal_result seal_open(seal_ctx *c, keyring *keys, const char *relpath, const char *raw,
                      const frame_view *f, kbuf *plain);

/* The next record of an opened run: *p walks the plaintext up to end. False at the end or when
 * the plaintext does not hold a whole record (never the case for a run that authenticated). */
bool seal_next(const char **p, const char *end, log_record *rec);

/* The key id a sealed frame names. */
uint64_t seal_key_id(const frame_view *f);

#endif
