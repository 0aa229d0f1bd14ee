/* seal.c - sealing and opening runs of records, and the keyring (see seal.h). */
#include "seal.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/masterkey.h"
#include "le.h"

#define NONCE_LEN 12
#define RECORD_HEAD 6 /* u16 key_len, u32 data_len */
#define AAD_LEN 26    /* offset, arrival, count, key id: bytes 8-33 of the frame */

/* ---- keyring ------------------------------------------------------------------------------- */

struct keyring {
    pthread_mutex_t mu;
    store_key **keys; /* each allocated once: the pointers handed out stay valid */
    size_t n, cap;
};

keyring *keyring_new(void)
{
    keyring *kr = calloc(1, sizeof *kr);
    if (!kr)
        abort();
    pthread_mutex_init(&kr->mu, NULL);
    return kr;
}

void keyring_free(keyring *kr)
{
    if (!kr)
        return;
    for (size_t i = 0; i < kr->n; i++) {
        OPENSSL_cleanse(kr->keys[i]->secret, STORE_KEY_LEN);
        free(kr->keys[i]);
    }
    free(kr->keys);
    pthread_mutex_destroy(&kr->mu);
    free(kr);
}

static store_key *find_locked(keyring *kr, uint64_t id)
{
    for (size_t i = 0; i < kr->n; i++)
        if (kr->keys[i]->id == id)
            return kr->keys[i];
    return NULL;
}

const store_key *keyring_add(keyring *kr, uint64_t id, const unsigned char *secret)
{
    pthread_mutex_lock(&kr->mu);
    store_key *k = find_locked(kr, id);
    if (!k) {
        if (kr->n == kr->cap) {
            kr->cap = kr->cap ? kr->cap * 2 : 8;
            kr->keys = realloc(kr->keys, kr->cap * sizeof *kr->keys);
        }
        k = malloc(sizeof *k);
        if (!kr->keys || !k)
            abort();
        k->id = id;
        memcpy(k->secret, secret, STORE_KEY_LEN);
        kr->keys[kr->n++] = k;
    }
    pthread_mutex_unlock(&kr->mu);
    return k;
}

const store_key *keyring_find(keyring *kr, uint64_t id)
{
    pthread_mutex_lock(&kr->mu);
    const store_key *k = find_locked(kr, id);
    pthread_mutex_unlock(&kr->mu);
    return k;
}

/* ---- the cipher context -------------------------------------------------------------------- */

void seal_ctx_free(seal_ctx *c)
{
    EVP_CIPHER_CTX_free(c->evp);
    *c = (seal_ctx){0};
}

/* Binds c to the log's subkey of key, for sealing or opening (kept while they stay the same). */
static void seal_ctx_bind(seal_ctx *c, const store_key *key, const char *relpath, bool encrypt)
{
    if (c->evp && c->key_id == key->id && c->encrypt == encrypt)
        return;
    static const char label[] = "kinesd shard log ";
    unsigned char msg[4200], subkey[32];
    size_t label_len = sizeof label - 1, path_len = strnlen(relpath, sizeof msg - label_len);
    memcpy(msg, label, label_len);
    memcpy(msg + label_len, relpath, path_len);
    unsigned int sub_len = 0;
    if (!c->evp)
        c->evp = EVP_CIPHER_CTX_new();
    if (!c->evp ||
        !HMAC(EVP_sha256(), key->secret, STORE_KEY_LEN, msg, label_len + path_len, subkey,
              &sub_len) ||
        !EVP_CipherInit_ex(c->evp, EVP_aes_256_gcm(), NULL, subkey, NULL, encrypt))
        abort();
    OPENSSL_cleanse(subkey, sizeof subkey);
    c->key_id = key->id;
    c->encrypt = encrypt;
}

/* ---- sealing ------------------------------------------------------------------------------- */

static size_t record_bytes(const log_record_in *r)
{
    return RECORD_HEAD + r->partition_key_len + r->data_len;
}

size_t seal_chunk(const log_record_in *recs, size_t n)
{
    size_t room = FRAME_MAX - FRAME_SEALED_HEADER - FRAME_SEALED_TAG, used = 0, i = 0;
    for (; i < n && i < FRAME_SEALED_MAX_COUNT; i++) {
        size_t bytes = record_bytes(&recs[i]);
        if (i && bytes > room - used)
            break;
        used += bytes;
    }
    return i;
}

size_t seal_frame_size(const log_record_in *recs, size_t n)
{
    size_t size = FRAME_SEALED_HEADER + FRAME_SEALED_TAG;
    for (size_t i = 0; i < n; i++)
        size += record_bytes(&recs[i]);
    return size;
}

/* Lays the records out in plain text at p (encrypted in place afterwards). */
static void write_records(char *p, const log_record_in *recs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const log_record_in *r = &recs[i];
        le_put16(p, (uint16_t)r->partition_key_len);
        le_put32(p + 2, (uint32_t)r->data_len);
        memcpy(p + RECORD_HEAD, r->partition_key, r->partition_key_len);
        if (r->data_len)
            memcpy(p + RECORD_HEAD + r->partition_key_len, r->data, r->data_len);
        p += record_bytes(r);
    }
}

void seal_encode(seal_ctx *c, const store_key *key, const char *relpath, char *dst, uint64_t offset,
                 int64_t arrival_ms, const log_record_in *recs, size_t n)
{
    size_t len = seal_frame_size(recs, n);
    size_t body = len - FRAME_SEALED_HEADER - FRAME_SEALED_TAG;
    le_put32(dst, (uint32_t)len | FRAME_FORMAT2 | FRAME_SEALED);
    le_put64(dst + 8, offset);
    le_put64(dst + 16, (uint64_t)arrival_ms);
    le_put16(dst + 24, (uint16_t)n);
    le_put64(dst + FRAME_HEADER, key->id);
    unsigned char *nonce = (unsigned char *)dst + FRAME_HEADER + 8;
    masterkey_random(nonce, 4);
    le_put64((char *)nonce + 4, offset);
    unsigned char *text = (unsigned char *)dst + FRAME_SEALED_HEADER;
    write_records((char *)text, recs, n);
    seal_ctx_bind(c, key, relpath, true);
    int out = 0;
    if (!EVP_EncryptInit_ex(c->evp, NULL, NULL, NULL, nonce) ||
        !EVP_EncryptUpdate(c->evp, NULL, &out, (unsigned char *)dst + 8, AAD_LEN) ||
        !EVP_EncryptUpdate(c->evp, text, &out, text, (int)body) ||
        !EVP_EncryptFinal_ex(c->evp, text + body, &out) ||
        !EVP_CIPHER_CTX_ctrl(c->evp, EVP_CTRL_GCM_GET_TAG, FRAME_SEALED_TAG, text + body))
        abort();
    frame_put_crc(dst, len);
}

/* ---- opening ------------------------------------------------------------------------------- */

uint64_t seal_key_id(const frame_view *f)
{
    return le_get64((const char *)f->data);
}

seal_result seal_open(seal_ctx *c, keyring *keys, const char *relpath, const char *raw,
                      const frame_view *f, kbuf *plain)
{
    const store_key *key = keyring_find(keys, seal_key_id(f));
    if (!key)
        return SEAL_UNKNOWN_KEY;
    seal_ctx_bind(c, key, relpath, false);
    const unsigned char *nonce = (const unsigned char *)raw + FRAME_HEADER + 8;
    const unsigned char *text = (const unsigned char *)raw + FRAME_SEALED_HEADER;
    size_t body = f->len - FRAME_SEALED_HEADER - FRAME_SEALED_TAG;
    unsigned char tag[FRAME_SEALED_TAG];
    memcpy(tag, text + body, sizeof tag);
    kbuf_reset(plain);
    kbuf_reserve(plain, body + 16);
    int out = 0;
    bool ok = EVP_DecryptInit_ex(c->evp, NULL, NULL, NULL, nonce) &&
              EVP_DecryptUpdate(c->evp, NULL, &out, (const unsigned char *)raw + 8, AAD_LEN) &&
              EVP_DecryptUpdate(c->evp, (unsigned char *)plain->data, &out, text, (int)body) &&
              EVP_CIPHER_CTX_ctrl(c->evp, EVP_CTRL_GCM_SET_TAG, FRAME_SEALED_TAG, tag) &&
              EVP_DecryptFinal_ex(c->evp, (unsigned char *)plain->data + body, &out);
    if (!ok)
        return SEAL_BAD_TAG;
    plain->len = body;
    return SEAL_OPENED;
}

bool seal_next(const char **p, const char *end, log_record *rec)
{
    if (end - *p < RECORD_HEAD)
        return false;
    size_t key_len = le_get16(*p), data_len = le_get32(*p + 2);
    if ((size_t)(end - *p) - RECORD_HEAD < key_len ||
        (size_t)(end - *p) - RECORD_HEAD - key_len < data_len)
        return false;
    rec->partition_key = *p + RECORD_HEAD;
    rec->partition_key_len = key_len;
    rec->data = *p + RECORD_HEAD + key_len;
    rec->data_len = data_len;
    rec->sealed = true;
    *p += RECORD_HEAD + key_len + data_len;
    return true;
}
