/* value.h - the protocol-neutral form of a decoded request.
 *
 * The JSON 1.1 and CBOR decoders both turn a request body into a tree of kval, typed by the service
 * model (a blob is already decoded bytes, a timestamp is already epoch milliseconds), so operations
 * never see the wire format. All memory of a tree belongs to the request's arena. */
#ifndef KINESD_VALUE_H
#define KINESD_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    KV_NULL = 0,
    KV_BOOL,
    KV_INT,       /* model "integer" and "long" */
    KV_DOUBLE,    /* model "double" / "float" */
    KV_STRING,    /* model "string" (NUL-terminated; len excludes the NUL) */
    KV_BLOB,      /* model "blob": decoded bytes */
    KV_TIMESTAMP, /* model "timestamp": epoch milliseconds in u.i */
    KV_LIST,
    KV_MAP, /* model "structure" and "map" */
} kv_type;

typedef struct kval kval;

struct kval {
    kv_type type;
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            const char *ptr;
            size_t len;
        } s;
        struct {
            kval *items;
            size_t n;
        } list;
        struct {
            const char **keys;
            kval *vals;
            size_t n;
        } map;
    } u;
};

/* Member lookup on a KV_MAP; NULL when the map is NULL, not a map, or lacks the key. */
const kval *kv_get(const kval *map, const char *key);
/* The string member, or NULL when absent or not a string. */
const char *kv_str(const kval *map, const char *key);
/* The integer member into *out; false when absent or not an integer. */
bool kv_int(const kval *map, const char *key, int64_t *out);
/* The boolean member, or dflt when absent. */
bool kv_bool(const kval *map, const char *key, bool dflt);
/* Whether two trees hold the same values, map entries in the same order (the JSON readers'
 * differential checks). */
bool kv_equal(const kval *a, const kval *b);

#endif
