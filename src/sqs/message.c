/* message.c - checking, encoding and appending messages (see message.h).
 *
 * The size SQS limits is the body's bytes plus, for each message attribute, its name, type and
 * value bytes. The characters it allows are XML's: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to
 * #xFFFD | #x10000 to #x10FFFF. */
#include "message.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/uuid.h"

#define MAX_MESSAGE_ATTRS 10
#define MAX_ATTR_NAME 256
#define BATCH_APPEND_MAX 16 /* more than a batch holds */

static const char bad_chars[] = "Invalid characters found. Valid unicode characters are #x9 | #xA "
                                "| #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF";

static bool problem(message_problem *why, sqs_error_kind kind, const char *fmt, const char *a,
                    const char *b)
{
    why->kind = kind;
    snprintf(why->text, sizeof why->text, fmt, a, b);
    return false;
}

/* Decodes the UTF-8 code point at p (n bytes left) into *cp; its length, 0 when malformed. */
static size_t utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
    size_t len = p[0] < 0x80             ? 1
                 : (p[0] & 0xE0) == 0xC0 ? 2
                 : (p[0] & 0xF0) == 0xE0 ? 3
                 : (p[0] & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (!len || len > n)
        return 0;
    uint32_t v = len == 1 ? p[0] : p[0] & (0x3F >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3F);
    }
    *cp = v;
    return len;
}

static bool valid_chars(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t len = utf8_next(p + i, n - i, &c);
        if (!len || (c < 0x20 && c != 9 && c != 10 && c != 13) || (c >= 0xD800 && c < 0xE000) ||
            c == 0xFFFE || c == 0xFFFF || c > 0x10FFFF)
            return false;
        i += len;
    }
    return true;
}

static bool valid_attr_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > MAX_ATTR_NAME || name[0] == '.' || name[n - 1] == '.' || strstr(name, "..") ||
        !strncasecmp(name, "AWS.", 4) || !strncasecmp(name, "Amazon.", 7))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)name[i]) || strchr("_-.", name[i])))
            return false;
    return true;
}

static bool type_is(const char *type, const char *base)
{
    size_t n = strlen(base);
    return !strncmp(type, base, n) && (type[n] == '\0' || type[n] == '.');
}

static bool is_number(const char *s)
{
    char *end;
    if (!*s)
        return false;
    strtod(s, &end);
    return *end == '\0';
}

/* Checks one attribute; adds its bytes to *size. */
static bool check_attr(const char *name, const kval *v, size_t *size, message_problem *why)
{
    const char *type = kv_str(v, "DataType");
    const kval *str = kv_get(v, "StringValue"), *bin = kv_get(v, "BinaryValue");
    if (!valid_attr_name(name))
        return problem(why, SQS_INVALID_PARAMETER_VALUE,
                       "Message (user) attribute name '%s' is invalid.%s", name, "");
    if (!type || !*type)
        return problem(why, SQS_INVALID_PARAMETER_VALUE,
                       "The message attribute '%s' must contain a non-empty message attribute "
                       "type.%s",
                       name, "");
    bool binary = type_is(type, "Binary");
    if (!binary && !type_is(type, "String") && !type_is(type, "Number"))
        return problem(why, SQS_INVALID_PARAMETER_VALUE,
                       "The type of message (user) attribute '%s' is invalid. You must use only "
                       "the following supported type prefixes: Binary, Number, String.%s",
                       name, "");
    const kval *value = binary ? bin : str;
    if (!value || (binary ? bin->u.s.len == 0 : str->u.s.len == 0))
        return problem(why, SQS_INVALID_PARAMETER_VALUE,
                       "The message attribute '%s' must contain a non-empty message attribute "
                       "value for message attribute type '%s'.",
                       name,
                       binary                    ? "Binary"
                       : type_is(type, "Number") ? "Number"
                                                 : "String");
    if ((binary && str) || (!binary && bin))
        return problem(why, SQS_INVALID_PARAMETER_VALUE,
                       "The message attribute '%s' with type '%s' must use field '%s'.", name,
                       binary ? "Binary" : "String");
    if (!binary && !valid_chars(str->u.s.ptr, str->u.s.len))
        return problem(why, SQS_INVALID_PARAMETER_VALUE,
                       "The message attribute '%s' contains invalid characters.%s", name, "");
    if (type_is(type, "Number") && !is_number(str->u.s.ptr))
        return problem(why, SQS_INVALID_PARAMETER_VALUE,
                       "Can't cast the value of message (user) attribute '%s' to a number.%s", name,
                       "");
    *size += strlen(name) + strlen(type) + value->u.s.len;
    return true;
}

bool message_check(const sqs_queue *q, const char *body, size_t len, const kval *attrs,
                   int64_t delay_s, message_problem *why)
{
    char text[64];
    if (delay_s > SQS_MAX_DELAY_S || delay_s < -1) {
        snprintf(text, sizeof text, "%lld", (long long)delay_s);
        return problem(why, SQS_INVALID_PARAMETER_VALUE,
                       "Value %s for parameter DelaySeconds is invalid. Reason: DelaySeconds must "
                       "be >= 0 and <= 900.%s",
                       text, "");
    }
    if (!valid_chars(body, len))
        return problem(why, SQS_INVALID_MESSAGE_CONTENTS, "%s%s", bad_chars, "");
    size_t size = len, n = attrs ? attrs->u.map.n : 0;
    if (n > MAX_MESSAGE_ATTRS) {
        snprintf(text, sizeof text, "%zu", n);
        return problem(why, SQS_INVALID_PARAMETER_VALUE,
                       "Number of message attributes [%s] exceeds the allowed maximum [10].%s",
                       text, "");
    }
    for (size_t i = 0; i < n; i++)
        if (!check_attr(attrs->u.map.keys[i], &attrs->u.map.vals[i], &size, why))
            return false;
    if (size > (size_t)q->attrs.max_message_size) {
        snprintf(text, sizeof text, "%d", q->attrs.max_message_size);
        return problem(why, SQS_INVALID_PARAMETER_VALUE,
                       "One or more parameters are invalid. Reason: Message must be shorter than "
                       "%s bytes.%s",
                       text, "");
    }
    return true;
}

/* ---- building ------------------------------------------------------------------------------- */

static void md5(const void *p, size_t n, unsigned char out[16])
{
    EVP_Digest(p, n, out, NULL, EVP_md5(), NULL);
}

/* Appends the attributes' encoding, sorted by name, to out. */
static void encode_attrs(kbuf *out, const kval *attrs)
{
    size_t n = attrs->u.map.n, order[MAX_MESSAGE_ATTRS];
    for (size_t i = 0; i < n && i < MAX_MESSAGE_ATTRS; i++)
        order[i] = i;
    n = n < MAX_MESSAGE_ATTRS ? n : MAX_MESSAGE_ATTRS;
    /* insertion sort: at most ten, and qsort's comparator cannot see the map */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i;
             j > 0 && strcmp(attrs->u.map.keys[order[j - 1]], attrs->u.map.keys[order[j]]) > 0;
             j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (size_t k = 0; k < n; k++) {
        const char *name = attrs->u.map.keys[order[k]];
        const kval *v = &attrs->u.map.vals[order[k]];
        const char *type = kv_str(v, "DataType");
        bool binary = type_is(type, "Binary");
        const kval *value = kv_get(v, binary ? "BinaryValue" : "StringValue");
        record_attr_encode(out, name, strlen(name), type, strlen(type), binary, value->u.s.ptr,
                           value->u.s.len);
    }
}

void message_build(message_out *m, const char *body, size_t len, const kval *attrs,
                   uint32_t delay_s, const char *sender_id, int64_t now_ms)
{
    memset(m, 0, sizeof *m);
    uuid_v4(m->h.message_id);
    m->h.sent_ms = now_ms;
    m->h.delay_s = delay_s;
    m->h.body_len = (uint32_t)len;
    md5(body, len, m->h.body_md5);
    m->h.sender_id = sender_id;
    m->h.sender_id_len = strlen(sender_id);
    kbuf_append(&m->data, body, len);
    if (attrs && attrs->u.map.n) {
        encode_attrs(&m->data, attrs);
        md5(m->data.data + len, m->data.len - len, m->h.attrs_md5);
        record_md5_hex(m->h.attrs_md5, m->attrs_md5);
    }
    record_md5_hex(m->h.body_md5, m->body_md5);
    record_header_encode(&m->h, &m->key);
}

void message_free(message_out *m)
{
    kbuf_free(&m->key);
    kbuf_free(&m->data);
}

bool message_append(sqs_queue *q, const message_out *const *msgs, size_t n, int64_t now_ms,
                    uint64_t *ticket, uint64_t *first)
{
    log_record_in recs[BATCH_APPEND_MAX] = {{0}};
    if (n > BATCH_APPEND_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        recs[i] = (log_record_in){msgs[i]->key.data, msgs[i]->key.len, msgs[i]->data.data,
                                  msgs[i]->data.len};
    int64_t arrival;
    uint64_t t = 0;
    if (shardlog_append(q->messages, recs, n, now_ms, first, &arrival, &t) != 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        const msg_header *h = &msgs[i]->h;
        int64_t visible_at = h->delay_s ? arrival + (int64_t)h->delay_s * 1000 : 0;
        msgindex_add(&q->index, h->sent_ms, visible_at, h->receive_count, h->first_receive_ms);
    }
    if (t > *ticket)
        *ticket = t;
    return true;
}
