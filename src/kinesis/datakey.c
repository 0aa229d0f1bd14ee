/* datakey.c - making, sealing and loading the data keys of encrypted streams (see datakey.h). */
#include "datakey.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "../common/log.h"

static const masterkey *master;
static char failure[512];

void datakeys_init(const masterkey *mk)
{
    master = mk;
    failure[0] = '\0';
}

const char *datakeys_failure(void)
{
    return failure;
}

/* The additional data a key is sealed with: its id and its stream's uid. */
static void seal_label(uint64_t id, uint64_t stream_uid, char out[96])
{
    snprintf(out, 96, "kinesd data key %" PRIu64 " of stream %" PRIu64, id, stream_uid);
}

static int load_one(const data_key_row *k, void *arg)
{
    store *st = arg;
    char label[96];
    seal_label(k->id, k->stream_uid, label);
    kbuf secret = KBUF_INIT;
    bool ok = master && masterkey_open(master, k->wrapped, k->wrapped_len, label, &secret) &&
              secret.len == STORE_KEY_LEN;
    if (ok)
        store_add_key(st, k->id, (const unsigned char *)secret.data);
    else
        snprintf(failure, sizeof failure,
                 "the master key does not open the data key %" PRIu64
                 " of encrypted stream %" PRIu64
                 " in meta.sqlite (it was sealed under another key; give the right one with "
                 "--master-key-file)",
                 k->id, k->stream_uid);
    OPENSSL_cleanse(secret.data, secret.len);
    kbuf_free(&secret);
    return ok ? 0 : -1;
}

int datakeys_load(meta *m, store *st)
{
    failure[0] = '\0';
    int rc = meta_data_keys_each(m, load_one, st);
    if (rc != 0 && failure[0])
        log_error("%s", failure);
    return rc;
}

void datakey_make(uint64_t stream_uid, int64_t now_ms, data_key *out)
{
    do {
        masterkey_random(&out->id, sizeof out->id);
        out->id &= INT64_MAX; /* reads well as SQLite's signed integer */
    } while (out->id == 0);
    masterkey_random(out->secret, sizeof out->secret);
    char label[96];
    seal_label(out->id, stream_uid, label);
    kbuf_init(&out->wrapped);
    masterkey_seal(master, out->secret, sizeof out->secret, label, &out->wrapped);
    out->row = (data_key_row){out->id, stream_uid, now_ms, out->wrapped.data, out->wrapped.len};
}

void datakey_free(data_key *k)
{
    OPENSSL_cleanse(k->secret, sizeof k->secret);
    kbuf_free(&k->wrapped);
}
