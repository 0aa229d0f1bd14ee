/* schema_json.h - the JSON tree the schema module validates: a strict RFC 8259 parser into one
 * flat array of nodes in document order (no allocation per value), and the comparisons JSON
 * Schema needs (equality by value, integers by draft, lengths in code points). */
#ifndef KINES_CLIENT_SCHEMA_JSON_H
#define KINES_CLIENT_SCHEMA_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum jkind { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } jkind;

/* One value. An array's items and an object's members follow it in the array of nodes: the first
 * at this + 1, each next one `span` nodes after the previous; an object member is its key (a
 * string node) followed by its value. */
typedef struct jval {
    uint8_t kind;     /* jkind */
    bool lexical_int; /* number: written without fraction or exponent */
    uint32_t len;     /* string: bytes (UTF-8); number: text bytes; array: items; object: members */
    uint32_t span;    /* nodes in this value, itself included */
    const char *text; /* string: its UTF-8 bytes (not NUL-terminated); number: its text */
    double num;       /* number: its value */
} jval;

#define JDOC_MAX_DEPTH 256 /* deeper nesting is refused */

typedef struct jdoc {
    jval *nodes;    /* nodes[0] is the document's value */
    size_t count;   /* nodes used */
    size_t cap;     /* nodes available */
    bool own_nodes; /* nodes was allocated by the parser (else the caller's buffer) */
    char *decoded;  /* strings with escapes, decoded (allocated on the first one) */
    size_t decoded_len;
    char error[96]; /* why the text is not JSON */
} jdoc;

/* Parses len bytes of text (which must outlive the document). initial (may be NULL) is a buffer of
 * initial_cap nodes to use before allocating. Returns 0, or -1 with d->error set. Free with
 * jdoc_free either way. */
int jdoc_parse(jdoc *d, const char *text, size_t len, jval *initial, size_t initial_cap);
void jdoc_free(jdoc *d);

static inline const jval *jval_next(const jval *v)
{
    return v + v->span;
}

/* An object's member named key (n bytes), or NULL. */
const jval *jval_member(const jval *obj, const char *key, size_t n);
/* Whether v is the string s. */
bool jval_str_is(const jval *v, const char *s);

bool jval_equal(const jval *a, const jval *b);
/* Draft 4 counts only numbers written without fraction or exponent as integers; later drafts any
 * number with a zero fraction (1.0). */
bool jval_is_integer(const jval *v, bool lexical);
size_t utf8_code_points(const char *s, size_t n);
/* A hash that equal values share (objects: independent of member order). */
uint64_t jval_hash(const jval *v);
/* Whether the numbers of a and m satisfy "a is a multiple of m" (exactly for decimal text). */
bool jval_multiple_of(const jval *a, const jval *m);

#endif
