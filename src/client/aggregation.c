/* aggregation.c - KPL aggregated records: a hand-written protobuf encoder and decoder for the
 * three messages of the format, framed by the magic and an MD5 trailer (see kines/aggregation.h).
 *
 * Aggregates written here share one partition key table entry per distinct key, in order of first
 * appearance; explicit hash keys likewise. */
#include "kines/aggregation.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/oom.h"

enum { WIRE_VARINT = 0, WIRE_BYTES = 2 };

/* ---- encoding ------------------------------------------------------------------------------- */

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static void put_varint(kbuf *b, uint64_t v)
{
    while (v >= 0x80) {
        kbuf_putc(b, (char)(v | 0x80));
        v >>= 7;
    }
    kbuf_putc(b, (char)v);
}

static void put_bytes_field(kbuf *b, int field, const void *p, size_t n)
{
    put_varint(b, (uint64_t)field << 3 | WIRE_BYTES);
    put_varint(b, n);
    kbuf_append(b, p, n);
}

static void put_varint_field(kbuf *b, int field, uint64_t v)
{
    put_varint(b, (uint64_t)field << 3 | WIRE_VARINT);
    put_varint(b, v);
}

/* The index of s in the string table (appending it when new). */
static size_t table_index(const char **table, size_t *count, const char *s)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp(table[i], s) == 0)
            return i;
    table[*count] = s;
    return (*count)++;
}

static size_t record_message_len(const kines_put_entry *r, size_t key_index, long hash_index)
{
    size_t n = 1 + varint_len(key_index) + 1 + varint_len(r->len) + r->len;
    if (hash_index >= 0)
        n += 1 + varint_len((uint64_t)hash_index);
    return n;
}

static void encode_protobuf(const kines_put_entry *records, size_t count, kbuf *b)
{
    const char **keys = calloc(count + 1, sizeof *keys),
               **hashes = calloc(count + 1, sizeof *hashes);
    size_t *key_index = calloc(count + 1, sizeof *key_index);
    long *hash_index = calloc(count + 1, sizeof *hash_index);
    size_t key_count = 0, hash_count = 0;
    if (!keys || !hashes || !key_index || !hash_index) {
        oom_failed();
        kbuf_mark_failed(b);
        count = 0; /* nothing is encoded: the caller sees the failure */
    }
    for (size_t i = 0; i < count; i++) {
        key_index[i] = table_index(keys, &key_count, records[i].partition_key);
        hash_index[i] = records[i].explicit_hash_key
                            ? (long)table_index(hashes, &hash_count, records[i].explicit_hash_key)
                            : -1;
    }
    for (size_t i = 0; i < key_count; i++)
        put_bytes_field(b, 1, keys[i], strlen(keys[i]));
    for (size_t i = 0; i < hash_count; i++)
        put_bytes_field(b, 2, hashes[i], strlen(hashes[i]));
    for (size_t i = 0; i < count; i++) {
        const kines_put_entry *r = &records[i];
        put_varint(b, 3 << 3 | WIRE_BYTES);
        put_varint(b, record_message_len(r, key_index[i], hash_index[i]));
        put_varint_field(b, 1, key_index[i]);
        if (hash_index[i] >= 0)
            put_varint_field(b, 2, (uint64_t)hash_index[i]);
        put_bytes_field(b, 3, r->data, r->len);
    }
    free(keys);
    free(hashes);
    free(key_index);
    free(hash_index);
}

static void md5(const void *p, size_t n, unsigned char out[KINES_AGG_MD5_LEN])
{
    unsigned int len = 0;
    EVP_Digest(p, n, out, &len, EVP_md5(), NULL);
}

void kines_agg_encode(const kines_put_entry *records, size_t count, unsigned char **out,
                      size_t *out_len)
{
    kbuf b = KBUF_INIT;
    kbuf_append(&b, KINES_AGG_MAGIC, KINES_AGG_MAGIC_LEN);
    encode_protobuf(records, count, &b);
    unsigned char digest[KINES_AGG_MD5_LEN];
    if (!kbuf_failed(&b))
        md5(b.data + KINES_AGG_MAGIC_LEN, b.len - KINES_AGG_MAGIC_LEN, digest);
    kbuf_append(&b, digest, sizeof digest);
    *out_len = kbuf_failed(&b) ? 0 : b.len;
    *out = (unsigned char *)kbuf_detach(&b);
}

/* ---- decoding ------------------------------------------------------------------------------- */

typedef struct reader {
    const unsigned char *p, *end;
} reader;

static bool get_varint(reader *r, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && r->p < r->end; shift += 7) {
        unsigned char c = *r->p++;
        *v |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

/* Reads one field header and, for length-delimited fields, its bytes into *sub. */
static bool get_field(reader *r, int *field, int *wire, uint64_t *value, reader *sub)
{
    uint64_t tag;
    if (!get_varint(r, &tag))
        return false;
    *field = (int)(tag >> 3);
    *wire = (int)(tag & 7);
    if (*wire == WIRE_VARINT)
        return get_varint(r, value);
    if (*wire != WIRE_BYTES || !get_varint(r, value) || *value > (uint64_t)(r->end - r->p))
        return false;
    sub->p = r->p;
    sub->end = r->p + *value;
    r->p += *value;
    return true;
}

typedef struct table {
    reader *items;
    size_t count, cap;
} table;

/* False when memory is out (libkines). */
static bool table_push(table *t, reader item)
{
    if (t->count == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        reader *grown = realloc(t->items, cap * sizeof *t->items);
        if (!grown) {
            oom_failed();
            return false;
        }
        t->items = grown;
        t->cap = cap;
    }
    t->items[t->count++] = item;
    return true;
}

/* Decodes a Record message into out, resolving its table indexes. */
static bool decode_record(reader msg, const table *keys, const table *hashes,
                          kines_user_record *out)
{
    uint64_t key_index = UINT64_MAX, hash_index = UINT64_MAX, v;
    bool have_data = false;
    reader sub;
    int field, wire;
    memset(out, 0, sizeof *out);
    while (msg.p < msg.end) {
        if (!get_field(&msg, &field, &wire, &v, &sub))
            return false;
        if (field == 1 && wire == WIRE_VARINT)
            key_index = v;
        else if (field == 2 && wire == WIRE_VARINT)
            hash_index = v;
        else if (field == 3 && wire == WIRE_BYTES) {
            out->data = sub.p;
            out->len = (size_t)(sub.end - sub.p);
            have_data = true;
        }
    }
    if (!have_data || key_index >= keys->count)
        return false;
    out->partition_key = (const char *)keys->items[key_index].p;
    out->partition_key_len = (size_t)(keys->items[key_index].end - keys->items[key_index].p);
    if (hash_index != UINT64_MAX) {
        if (hash_index >= hashes->count)
            return false;
        out->explicit_hash_key = (const char *)hashes->items[hash_index].p;
        out->explicit_hash_key_len =
            (size_t)(hashes->items[hash_index].end - hashes->items[hash_index].p);
    }
    return true;
}

bool kines_agg_is_aggregated(const unsigned char *data, size_t len)
{
    if (len < KINES_AGG_MAGIC_LEN + KINES_AGG_MD5_LEN ||
        memcmp(data, KINES_AGG_MAGIC, KINES_AGG_MAGIC_LEN) != 0)
        return false;
    unsigned char digest[KINES_AGG_MD5_LEN];
    md5(data + KINES_AGG_MAGIC_LEN, len - KINES_AGG_MAGIC_LEN - KINES_AGG_MD5_LEN, digest);
    return memcmp(digest, data + len - KINES_AGG_MD5_LEN, KINES_AGG_MD5_LEN) == 0;
}

long kines_agg_decode(const unsigned char *data, size_t len, kines_user_record **records)
{
    *records = NULL;
    if (!kines_agg_is_aggregated(data, len))
        return -1;
    reader r = {data + KINES_AGG_MAGIC_LEN, data + len - KINES_AGG_MD5_LEN}, sub;
    table keys = {0}, hashes = {0}, messages = {0};
    bool ok = true, memory = true;
    while (ok && memory && r.p < r.end) {
        int field, wire;
        uint64_t v;
        ok = get_field(&r, &field, &wire, &v, &sub);
        if (!ok || wire != WIRE_BYTES)
            continue;
        if (field == 1)
            memory = table_push(&keys, sub);
        else if (field == 2)
            memory = table_push(&hashes, sub);
        else if (field == 3)
            memory = table_push(&messages, sub);
    }
    kines_user_record *out = memory ? calloc(messages.count + 1, sizeof *out) : NULL;
    if (memory && !out) {
        oom_failed();
        memory = false;
    }
    for (size_t i = 0; ok && memory && i < messages.count; i++)
        ok = decode_record(messages.items[i], &keys, &hashes, &out[i]);
    long n = !memory ? KINES_AGG_NO_MEMORY : ok ? (long)messages.count : -1;
    free(keys.items);
    free(hashes.items);
    free(messages.items);
    if (n < 0)
        free(out);
    else
        *records = out;
    return n;
}
