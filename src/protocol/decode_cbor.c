/* decode_cbor.c - CBOR 1.1 request bodies (application/x-amz-cbor-1.1) to the same kval trees as
 * decode_json (see decode.h).
 *
 * Only libcbor's streaming decoder is used: cbor_load would allocate whatever sizes untrusted bytes
 * announce. Each decoded item arrives as an event; a stack of open containers says which shape the
 * next item must have and where it goes. Announced container sizes are never trusted for
 * allocation: arrays grow as items actually arrive, and a container announcing more items than
 * the body has bytes left is refused (so no count arithmetic can wrap). Text strings must be
 * well-formed UTF-8, each chunk on its own (RFC 8949, 3.2.3). Maps and arrays of definite and
 * indefinite length are read, strings may be chunked, blobs are byte strings, and a timestamp is an
 * integer (or float) of epoch milliseconds, usually under tag 1, as AWS's SDKs send it in CBOR 1.1,
 * or of epoch seconds in Smithy RPC v2 (tags are ignored: the shape says what an item means).
 * Unknown members are skipped whatever they hold; nulls are absent members. */
#include <cbor.h>
#include <math.h>
#include <string.h>

#include "../common/utf8.h"
#include "decode.h"
#include "decode_errors.h"

#define CBOR_MAX_DEPTH 64
#define INDEFINITE UINT64_MAX

typedef struct frame {
    const model_shape *shape; /* the container's shape; NULL while skipping an unknown member */
    kval *out;                /* the value being built; NULL while skipping */
    size_t cap;               /* room in out's arrays */
    uint64_t left;            /* items still due (a map entry is two); INDEFINITE until a break */
    bool is_map;
    bool want_key;
    const model_shape *value_shape; /* the pending map value's shape; NULL: skip it */
} frame;

typedef struct cdec {
    arena *a;
    aws_error *err;
    size_t body_len; /* every item takes at least one byte of it */
    const model_shape *root_shape;
    kval *root;
    frame stack[CBOR_MAX_DEPTH];
    int depth;
    int64_t ms_per_unit; /* of a timestamp on the wire: 1 (CBOR 1.1) or 1000 (RPC v2) */
    bool started, finished, failed;
    bool chunking, chunk_text;
    kbuf chunks;
} cdec;

static bool fail(cdec *d)
{
    if (!d->failed)
        decode_error(d->err, "");
    d->failed = true;
    return false;
}

static void mistyped(cdec *d, const model_shape *s, wire_kind got, const char *str, size_t len)
{
    if (!d->failed)
        decode_type_error(d->err, s, got, str, len);
    d->failed = true;
}

static frame *top(cdec *d)
{
    return d->depth ? &d->stack[d->depth - 1] : NULL;
}

static bool expecting_key(cdec *d)
{
    frame *f = top(d);
    return f && f->is_map && f->want_key;
}

/* A copy of n elements of `size` bytes in a new arena array of cap elements. */
static void *regrow(cdec *d, const void *old, size_t n, size_t cap, size_t size)
{
    void *p = arena_alloc(d->a, cap * size);
    if (n)
        memcpy(p, old, n * size);
    return p;
}

/* Room for cap entries in the arrays of f's value (cap at least its entries so far). */
static void reserve(cdec *d, frame *f, size_t cap)
{
    kval *v = f->out;
    size_t n = v->type == KV_LIST ? v->u.list.n : v->u.map.n;
    if (v->type == KV_LIST) {
        v->u.list.items = regrow(d, v->u.list.items, n, cap, sizeof(kval));
    } else {
        v->u.map.keys = regrow(d, v->u.map.keys, n, cap, sizeof(char *));
        v->u.map.vals = regrow(d, v->u.map.vals, n, cap, sizeof(kval));
    }
    f->cap = cap;
}

/* Room for one more entry in the arrays of f's value. */
static void grow(cdec *d, frame *f)
{
    size_t n = f->out->type == KV_LIST ? f->out->u.list.n : f->out->u.map.n;
    if (n >= f->cap)
        reserve(d, f, f->cap ? f->cap * 2 : 8);
}

/* The entries a container just opened (size items announced, or INDEFINITE) will likely hold,
 * bounded so that no count on the wire alone sizes an allocation: a structure's members; for a
 * list with a maximum length (PutRecords' 500 records), its announced items, at most that
 * maximum and at most the body's bytes (each item takes one); 0 (grow as they come) otherwise. */
static size_t expected_entries(const cdec *d, const model_shape *s, uint64_t size)
{
    if (s->type == SHAPE_STRUCTURE)
        return s->n_members;
    if (s->type != SHAPE_LIST || !s->has_max || s->max <= 0)
        return 0;
    uint64_t n = size < (uint64_t)s->max ? size : (uint64_t)s->max;
    return n < d->body_len ? (size_t)n : d->body_len;
}

/* An item is complete: count it in its container and close every container it completes. */
static void item_done(cdec *d)
{
    for (;;) {
        frame *f = top(d);
        if (!f) {
            d->finished = true;
            return;
        }
        if (f->left != INDEFINITE)
            f->left--;
        if (f->is_map)
            f->want_key = !f->want_key;
        if (f->left != 0)
            return;
        d->depth--; /* a definite container is full: it is itself a completed item */
    }
}

/* Where the next value goes and which shape it must have; *slot and *shape are NULL when the value
 * is to be skipped. False when no value may come here. */
static bool next_slot(cdec *d, kval **slot, const model_shape **shape)
{
    frame *f = top(d);
    *slot = NULL;
    *shape = NULL;
    if (d->finished)
        return fail(d); /* bytes after the body's one item */
    if (!f) {
        d->started = true;
        *slot = d->root;
        *shape = d->root_shape;
        return true;
    }
    if (!f->shape)
        return true;
    if (f->is_map) {
        if (f->value_shape) {
            *slot = &f->out->u.map.vals[f->out->u.map.n - 1];
            *shape = f->value_shape;
        }
        return true;
    }
    grow(d, f);
    *slot = &f->out->u.list.items[f->out->u.list.n++];
    *shape = f->shape->member;
    return true;
}

/* A map key (text) for the open map or structure. */
static void on_key(cdec *d, const char *key, size_t len)
{
    frame *f = top(d);
    f->value_shape = NULL;
    if (f->shape) {
        const model_shape *vs = NULL;
        const char *stored = NULL;
        if (f->shape->type == SHAPE_STRUCTURE) {
            const model_member *m = shape_find_member(f->shape, key, len);
            if (m)
                vs = m->shape, stored = m->name;
        } else {
            vs = f->shape->value;
            stored = arena_strndup(d->a, key, len);
        }
        if (vs) {
            grow(d, f);
            f->out->u.map.keys[f->out->u.map.n++] = stored;
            f->value_shape = vs;
        }
    }
    item_done(d);
}

/* ---- scalars ---- */

/* Prepares for an item other than a string: true with its slot and shape when it is to be stored
 * (or skipped: NULL shape), false when decoding stopped or the item was the key of a skipped map.
 */
static bool begin_item(cdec *d, kval **slot, const model_shape **shape)
{
    if (d->failed)
        return false;
    if (expecting_key(d)) {
        if (top(d)->shape)
            return fail(d); /* member names are text */
        item_done(d);
        return false;
    }
    return next_slot(d, slot, shape);
}

static void store_int(cdec *d, bool negative, uint64_t raw)
{
    kval *slot;
    const model_shape *s;
    if (!begin_item(d, &slot, &s))
        return;
    int64_t v = negative ? (raw > INT64_MAX ? INT64_MIN : -1 - (int64_t)raw)
                         : (raw > INT64_MAX ? INT64_MAX : (int64_t)raw);
    if (!s) {
        /* skipped */
    } else if (s->type == SHAPE_INTEGER || s->type == SHAPE_LONG) {
        slot->type = KV_INT, slot->u.i = decode_integer_in_range(s, v);
    } else if (s->type == SHAPE_TIMESTAMP) {
        slot->type = KV_TIMESTAMP;
        slot->u.i = v > INT64_MAX / d->ms_per_unit   ? INT64_MAX
                    : v < INT64_MIN / d->ms_per_unit ? INT64_MIN
                                                     : v * d->ms_per_unit;
    } else if (s->type == SHAPE_DOUBLE) {
        slot->type = KV_DOUBLE, slot->u.d = (double)v;
    } else {
        mistyped(d, s, WIRE_NUMBER, NULL, 0);
        return;
    }
    item_done(d);
}

static void store_double(cdec *d, double v)
{
    kval *slot;
    const model_shape *s;
    if (!begin_item(d, &slot, &s))
        return;
    bool integral = isfinite(v) && v < 9.2e18 && v > -9.2e18;
    if (s && s->type == SHAPE_TIMESTAMP) {
        v *= (double)d->ms_per_unit;
        integral = integral && v < 9.2e18 && v > -9.2e18;
    }
    if (!s) {
        /* skipped */
    } else if (s->type == SHAPE_DOUBLE) {
        slot->type = KV_DOUBLE, slot->u.d = v;
    } else if (!integral &&
               (s->type == SHAPE_INTEGER || s->type == SHAPE_LONG || s->type == SHAPE_TIMESTAMP)) {
        fail(d);
        return;
    } else if (s->type == SHAPE_INTEGER || s->type == SHAPE_LONG) {
        /* truncated toward zero, as AWS does */
        slot->type = KV_INT, slot->u.i = decode_integer_in_range(s, (int64_t)v);
    } else if (s->type == SHAPE_TIMESTAMP) {
        slot->type = KV_TIMESTAMP, slot->u.i = (int64_t)(v >= 0 ? v + 0.5 : v - 0.5);
    } else {
        mistyped(d, s, WIRE_NUMBER, NULL, 0);
        return;
    }
    item_done(d);
}

static void store_bool(cdec *d, bool v)
{
    kval *slot;
    const model_shape *s;
    if (!begin_item(d, &slot, &s))
        return;
    if (s && s->type != SHAPE_BOOLEAN) {
        mistyped(d, s, WIRE_BOOL, NULL, 0);
        return;
    }
    if (s)
        slot->type = KV_BOOL, slot->u.b = v;
    item_done(d);
}

static void store_null(cdec *d)
{
    kval *slot;
    const model_shape *s;
    if (!begin_item(d, &slot, &s))
        return;
    frame *f = top(d);
    if (!f) {
        fail(d); /* the body itself must be a map */
        return;
    }
    if (f->is_map && s)
        f->out->u.map.n--; /* a null member is an absent one; a null list item stays KV_NULL */
    item_done(d);
}

/* A whole string: a key, a string or a blob. */
static void store_string(cdec *d, const char *p, size_t len, bool text)
{
    kval *slot;
    const model_shape *s;
    if (d->failed)
        return;
    if (expecting_key(d)) {
        if (text || !top(d)->shape)
            on_key(d, p, len);
        else
            fail(d);
        return;
    }
    if (!next_slot(d, &slot, &s))
        return;
    if (!s) {
        /* skipped */
    } else if (text && s->type == SHAPE_STRING) {
        slot->type = KV_STRING;
        slot->u.s.ptr = arena_strndup(d->a, p, len);
        slot->u.s.len = len;
    } else if (!text && s->type == SHAPE_BLOB) {
        char *bytes = arena_alloc(d->a, len + 1);
        memcpy(bytes, p, len);
        slot->type = KV_BLOB;
        slot->u.s.ptr = bytes;
        slot->u.s.len = len;
    } else {
        mistyped(d, s, WIRE_STRING, text ? p : "", text ? len : 0);
        return;
    }
    item_done(d);
}

/* ---- containers ---- */

static void open_container(cdec *d, bool is_map, uint64_t size)
{
    kval *slot;
    const model_shape *s;
    if (expecting_key(d) && !d->failed) {
        fail(d); /* a container as a map key */
        return;
    }
    if (!begin_item(d, &slot, &s))
        return;
    if (d->depth == CBOR_MAX_DEPTH) {
        fail(d);
        return;
    }
    bool fits = is_map ? s && (s->type == SHAPE_STRUCTURE || s->type == SHAPE_MAP)
                       : s && s->type == SHAPE_LIST;
    if (s && !fits) {
        mistyped(d, s, is_map ? WIRE_MAP : WIRE_LIST, NULL, 0);
        return;
    }
    frame *f = &d->stack[d->depth++];
    *f = (frame){.shape = s, .out = slot, .left = size, .is_map = is_map, .want_key = true};
    if (slot) {
        slot->type = is_map ? KV_MAP : KV_LIST;
        size_t expected = size ? expected_entries(d, s, size) : 0;
        if (expected)
            reserve(d, f, expected);
    }
    if (size == 0) { /* an empty definite container is complete at once */
        d->depth--;
        item_done(d);
    }
}

static void on_break(cdec *d)
{
    frame *f = top(d);
    if (d->failed)
        return;
    if (d->chunking) {
        d->chunking = false;
        store_string(d, d->chunks.data ? d->chunks.data : "", d->chunks.len, d->chunk_text);
        kbuf_reset(&d->chunks);
        return;
    }
    if (!f || f->left != INDEFINITE || (f->is_map && !f->want_key)) {
        fail(d);
        return;
    }
    d->depth--;
    item_done(d);
}

/* ---- libcbor callbacks ---- */

static void cb_uint8(void *c, uint8_t v)
{
    store_int(c, false, v);
}
static void cb_uint16(void *c, uint16_t v)
{
    store_int(c, false, v);
}
static void cb_uint32(void *c, uint32_t v)
{
    store_int(c, false, v);
}
static void cb_uint64(void *c, uint64_t v)
{
    store_int(c, false, v);
}
static void cb_negint8(void *c, uint8_t v)
{
    store_int(c, true, v);
}
static void cb_negint16(void *c, uint16_t v)
{
    store_int(c, true, v);
}
static void cb_negint32(void *c, uint32_t v)
{
    store_int(c, true, v);
}
static void cb_negint64(void *c, uint64_t v)
{
    store_int(c, true, v);
}
static void cb_float(void *c, float v)
{
    store_double(c, v);
}
static void cb_double(void *c, double v)
{
    store_double(c, v);
}
static void cb_bool(void *c, bool v)
{
    store_bool(c, v);
}
static void cb_null(void *c)
{
    store_null(c);
}

/* A string or one chunk of it. Text must be UTF-8: AWS's CBOR readers (Jackson) refuse malformed
 * text, and a JSON reader could not read it back. */
static void chunk(cdec *d, cbor_data p, size_t len, bool text)
{
    if (text && !utf8_valid((const char *)p, len))
        fail(d);
    else if (!d->chunking)
        store_string(d, (const char *)p, len, text);
    else if (d->chunk_text != text)
        fail(d);
    else
        kbuf_append(&d->chunks, p, len);
}

static void cb_bytes(void *c, cbor_data p, size_t len)
{
    chunk(c, p, len, false);
}
static void cb_text(void *c, cbor_data p, size_t len)
{
    chunk(c, p, len, true);
}

static void start_chunks(cdec *d, bool text)
{
    if (d->chunking) {
        fail(d); /* chunks must be definite strings */
        return;
    }
    d->chunking = true;
    d->chunk_text = text;
}

static void cb_bytes_start(void *c)
{
    start_chunks(c, false);
}
static void cb_text_start(void *c)
{
    start_chunks(c, true);
}
/* A definite container of n items (a map entry is two) that the rest of the body cannot hold is
 * refused before any count is stored: a count of 2^64 - 1 would otherwise read as INDEFINITE,
 * and a map of 2^63 entries would count 2^64 = 0 items. */
static void open_definite(cdec *d, bool is_map, uint64_t n)
{
    uint64_t room = is_map ? d->body_len / 2 : d->body_len;
    if (n > room) {
        fail(d);
        return;
    }
    open_container(d, is_map, is_map ? n * 2 : n);
}

static void cb_array(void *c, size_t n)
{
    open_definite(c, false, n);
}
static void cb_indef_array(void *c)
{
    open_container(c, false, INDEFINITE);
}
static void cb_map(void *c, size_t n)
{
    open_definite(c, true, n);
}
static void cb_indef_map(void *c)
{
    open_container(c, true, INDEFINITE);
}
static void cb_tag(void *c, uint64_t tag)
{
    (void)c, (void)tag; /* the shape, not the tag, says what the next item means */
}
static void cb_undefined(void *c)
{
    fail(c);
}
static void cb_break(void *c)
{
    on_break(c);
}

static const struct cbor_callbacks callbacks = {
    .uint8 = cb_uint8,
    .uint16 = cb_uint16,
    .uint32 = cb_uint32,
    .uint64 = cb_uint64,
    .negint8 = cb_negint8,
    .negint16 = cb_negint16,
    .negint32 = cb_negint32,
    .negint64 = cb_negint64,
    .byte_string_start = cb_bytes_start,
    .byte_string = cb_bytes,
    .string_start = cb_text_start,
    .string = cb_text,
    .indef_array_start = cb_indef_array,
    .array_start = cb_array,
    .indef_map_start = cb_indef_map,
    .map_start = cb_map,
    .tag = cb_tag,
    .float2 = cb_float,
    .float4 = cb_float,
    .float8 = cb_double,
    .undefined = cb_undefined,
    .null = cb_null,
    .boolean = cb_bool,
    .indef_break = cb_break,
};

static kval *decode_body(const model_op *op, const void *body, size_t len, int64_t ms_per_unit,
                         arena *a, aws_error *err)
{
    static const model_shape no_input = {.name = "", .type = SHAPE_STRUCTURE};
    cdec d = {.a = a, .err = err, .body_len = len, .ms_per_unit = ms_per_unit};
    d.root_shape = model_op_input(op) ? model_op_input(op) : &no_input;
    d.root = arena_alloc(a, sizeof *d.root);
    d.root->type = KV_MAP;
    if (len == 0)
        return d.root;
    const unsigned char *p = body;
    size_t at = 0;
    while (at < len && !d.failed) {
        struct cbor_decoder_result r = cbor_stream_decode(p + at, len - at, &callbacks, &d);
        if (r.status != CBOR_DECODER_FINISHED || r.read == 0)
            fail(&d);
        at += r.read;
    }
    if (!d.failed && (!d.finished || d.chunking))
        fail(&d);
    kbuf_free(&d.chunks);
    return d.failed ? NULL : d.root;
}

kval *decode_cbor(const model_op *op, const void *body, size_t len, arena *a, aws_error *err)
{
    return decode_body(op, body, len, 1, a, err);
}

kval *decode_cbor_rpcv2(const model_op *op, const void *body, size_t len, arena *a, aws_error *err)
{
    return decode_body(op, body, len, 1000, a, err);
}
