/* encoder.c - response bodies in JSON 1.1 or CBOR, written straight into a kbuf (see encoder.h).
 *
 * JSON: strings escaped (control characters as \u00XX, UTF-8 passed through), blobs as base64,
 * timestamps as epoch seconds with three decimals. CBOR: maps and lists of indefinite length,
 * blobs as byte strings, timestamps as tag 1 over epoch milliseconds (what AWS's SDKs exchange in
 * CBOR 1.1) or, for Smithy RPC v2, over epoch seconds (an integer, or a double with the ms).
 * XML: every scalar is <key>text</key> (<member> inside a list), containers open and close the
 * element of their key. */
#include "encoder.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/base64.h"
#include "json_scan.h"

enum { CBOR_UINT = 0, CBOR_NEGINT = 1, CBOR_BYTES = 2, CBOR_TEXT = 3, CBOR_TAG = 6 };
#define CBOR_MAP_INDEF 0xbf
#define CBOR_LIST_INDEF 0x9f
#define CBOR_BREAK 0xff
#define CBOR_FALSE 0xf4
#define CBOR_TRUE 0xf5
#define CBOR_NULL 0xf6
#define CBOR_DOUBLE 0xfb

void enc_init(kenc *e, enc_format format, kbuf *out)
{
    e->format = format;
    e->out = out;
    e->depth = 0;
    memset(e->need_comma, 0, sizeof e->need_comma);
    e->in_list[0] = false;
    e->key[0] = '\0';
    e->epoch_seconds = false;
}

/* JSON: the comma before an element of a list or a key of a map. */
static void separate(kenc *e)
{
    if (e->format != ENC_JSON || e->depth == 0)
        return;
    if (e->need_comma[e->depth])
        kbuf_putc(e->out, ',');
    e->need_comma[e->depth] = true;
}

/* A CBOR item head: major type and argument, the argument in the fewest bytes. */
static void cbor_head(kbuf *out, int major, uint64_t n)
{
    static const unsigned char info_for_size[9] = {[1] = 24, [2] = 25, [4] = 26, [8] = 27};
    unsigned char b[9];
    int extra = n < 24 ? 0 : n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xffffffffu ? 4 : 8;
    b[0] = (unsigned char)(major << 5 | (extra ? info_for_size[extra] : (int)n));
    for (int i = 0; i < extra; i++)
        b[1 + i] = (unsigned char)(n >> (8 * (extra - 1 - i)));
    kbuf_append(out, b, (size_t)extra + 1);
}

static void cbor_int(kbuf *out, int64_t v)
{
    if (v >= 0)
        cbor_head(out, CBOR_UINT, (uint64_t)v);
    else
        cbor_head(out, CBOR_NEGINT, (uint64_t)(-(v + 1)));
}

/* ---- XML ----------------------------------------------------------------------------------- */

void enc_xml_escape(kbuf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *entity = s[i] == '&'    ? "&amp;"
                             : s[i] == '<'  ? "&lt;"
                             : s[i] == '>'  ? "&gt;"
                             : s[i] == '"'  ? "&quot;"
                             : s[i] == '\'' ? "&apos;"
                                            : NULL;
        if (!entity)
            continue;
        kbuf_append(out, s + run, i - run);
        kbuf_puts(out, entity);
        run = i + 1;
    }
    kbuf_append(out, s + run, n - run);
}

/* The element the next value is written as: its key, or "member" inside a list. */
static const char *xml_name(const kenc *e)
{
    return e->in_list[e->depth] ? "member" : e->key;
}

/* <name>text</name>, the text escaped. */
static void xml_scalar(kenc *e, const char *text, size_t n)
{
    const char *name = xml_name(e);
    kbuf_printf(e->out, "<%s>", name);
    enc_xml_escape(e->out, text, n);
    kbuf_printf(e->out, "</%s>", name);
}

static void xml_open(kenc *e, bool list)
{
    if (e->depth + 1 >= ENC_MAX_DEPTH)
        abort();
    const char *name = e->depth == 0 ? "" : xml_name(e);
    if (*name)
        kbuf_printf(e->out, "<%s>", name);
    e->depth++;
    snprintf(e->element[e->depth], ENC_XML_NAME_MAX, "%s", name);
    e->in_list[e->depth] = list;
}

static void open_container(kenc *e, char json, unsigned char cbor)
{
    if (e->format == ENC_XML) {
        xml_open(e, json == '[');
        return;
    }
    separate(e);
    if (e->format == ENC_JSON)
        kbuf_putc(e->out, json);
    else
        kbuf_putc(e->out, (char)cbor);
    if (e->depth + 1 >= ENC_MAX_DEPTH)
        abort(); /* a programming error: no Kinesis output nests this deep */
    e->need_comma[++e->depth] = false;
}

static void close_container(kenc *e, char json)
{
    if (e->format == ENC_XML) {
        if (e->element[e->depth][0])
            kbuf_printf(e->out, "</%s>", e->element[e->depth]);
        e->depth--;
        return;
    }
    e->depth--;
    kbuf_putc(e->out, e->format == ENC_JSON ? json : (char)CBOR_BREAK);
}

void enc_map_begin(kenc *e)
{
    open_container(e, '{', CBOR_MAP_INDEF);
}

void enc_map_end(kenc *e)
{
    close_container(e, '}');
}

void enc_list_begin(kenc *e)
{
    open_container(e, '[', CBOR_LIST_INDEF);
}

void enc_list_end(kenc *e)
{
    close_container(e, ']');
}

/* 1 for bytes JSON must escape: control characters, '"' and '\\'. */
static const unsigned char json_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

static void json_escaped_char(kbuf *out, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
    switch (c) {
    case '"':
        kbuf_puts(out, "\\\"");
        break;
    case '\\':
        kbuf_puts(out, "\\\\");
        break;
    case '\n':
        kbuf_puts(out, "\\n");
        break;
    case '\r':
        kbuf_puts(out, "\\r");
        break;
    case '\t':
        kbuf_puts(out, "\\t");
        break;
    default:
        kbuf_append(out, esc, 6);
    }
}

/* s quoted, the bytes JSON must escape escaped; runs of plain text found 16 bytes at a time. */
static void json_string(kbuf *out, const char *s, size_t n)
{
    const char *p = s, *end = s + n, *run = s;
    kbuf_reserve(out, n + 2);
    kbuf_putc(out, '"');
    while ((p = json_skip_plain(p, end)) < end) {
        unsigned char c = (unsigned char)*p++;
        if (!json_escape[c])
            continue; /* UTF-8 goes out as it is */
        kbuf_append(out, run, (size_t)(p - 1 - run));
        json_escaped_char(out, c);
        run = p;
    }
    kbuf_append(out, run, (size_t)(end - run));
    kbuf_putc(out, '"');
}

void enc_key(kenc *e, const char *key)
{
    if (e->format == ENC_XML) {
        snprintf(e->key, sizeof e->key, "%s", key);
        return;
    }
    if (e->format == ENC_JSON) {
        separate(e);
        json_string(e->out, key, strlen(key));
        kbuf_putc(e->out, ':');
        e->need_comma[e->depth] = false; /* the value that follows takes no comma */
    } else {
        enc_str(e, key);
    }
}

void enc_strn(kenc *e, const char *s, size_t n)
{
    if (e->format == ENC_XML) {
        xml_scalar(e, s, n);
        return;
    }
    separate(e);
    if (e->format == ENC_JSON) {
        json_string(e->out, s, n);
    } else {
        cbor_head(e->out, CBOR_TEXT, n);
        kbuf_append(e->out, s, n);
    }
}

void enc_str(kenc *e, const char *s)
{
    enc_strn(e, s, strlen(s));
}

/* Decimal digits of v, two a step, without printf (GetRecords writes thousands of numbers per
 * response). */
static void put_u64(kbuf *out, uint64_t v)
{
    static const char pairs[] = /* "00" to "99" */
        "00010203040506070809101112131415161718192021222324"
        "25262728293031323334353637383940414243444546474849"
        "50515253545556575859606162636465666768697071727374"
        "75767778798081828384858687888990919293949596979899";
    char digits[20];
    size_t n = 0;
    for (; v >= 100; v /= 100) {
        n += 2;
        memcpy(digits + sizeof digits - n, pairs + 2 * (v % 100), 2);
    }
    if (v >= 10) {
        n += 2;
        memcpy(digits + sizeof digits - n, pairs + 2 * v, 2);
    } else {
        digits[sizeof digits - ++n] = (char)('0' + v);
    }
    kbuf_append(out, digits + sizeof digits - n, n);
}

static void put_i64(kbuf *out, int64_t v)
{
    if (v < 0)
        kbuf_putc(out, '-');
    put_u64(out, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

void enc_int(kenc *e, int64_t v)
{
    if (e->format == ENC_XML) {
        char text[24];
        xml_scalar(e, text, (size_t)snprintf(text, sizeof text, "%lld", (long long)v));
        return;
    }
    separate(e);
    if (e->format == ENC_JSON)
        put_i64(e->out, v);
    else
        cbor_int(e->out, v);
}

void enc_bool(kenc *e, bool v)
{
    if (e->format == ENC_XML) {
        xml_scalar(e, v ? "true" : "false", v ? 4 : 5);
        return;
    }
    separate(e);
    if (e->format == ENC_JSON)
        kbuf_puts(e->out, v ? "true" : "false");
    else
        kbuf_putc(e->out, (char)(v ? CBOR_TRUE : CBOR_FALSE));
}

void enc_null(kenc *e)
{
    if (e->format == ENC_XML)
        return; /* an absent element */
    separate(e);
    if (e->format == ENC_JSON)
        kbuf_puts(e->out, "null");
    else
        kbuf_putc(e->out, (char)CBOR_NULL);
}

static void cbor_double(kbuf *out, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    kbuf_putc(out, (char)CBOR_DOUBLE);
    for (int i = 7; i >= 0; i--)
        kbuf_putc(out, (char)(bits >> (8 * i)));
}

void enc_double(kenc *e, double v)
{
    separate(e);
    if (e->format != ENC_CBOR) {
        char text[32];
        if (!isfinite(v)) {
            if (e->format == ENC_JSON)
                kbuf_puts(e->out, "null");
            return;
        }
        snprintf(text, sizeof text, "%.15g", v); /* the shortest form that reads back exactly */
        if (strtod(text, NULL) != v)
            snprintf(text, sizeof text, "%.17g", v);
        if (e->format == ENC_XML)
            xml_scalar(e, text, strlen(text));
        else
            kbuf_puts(e->out, text);
        return;
    }
    cbor_double(e->out, v);
}

void enc_blob(kenc *e, const void *p, size_t n)
{
    if (e->format == ENC_XML) {
        kbuf text = KBUF_INIT;
        kbuf_reserve(&text, base64_encoded_len(n));
        base64_encode(p, n, text.data);
        xml_scalar(e, text.data, base64_encoded_len(n));
        kbuf_free(&text);
        return;
    }
    separate(e);
    if (e->format == ENC_CBOR) {
        cbor_head(e->out, CBOR_BYTES, n);
        kbuf_append(e->out, p, n);
        return;
    }
    size_t len = base64_encoded_len(n);
    kbuf *out = e->out;
    kbuf_reserve(out, len + 2);
    out->data[out->len++] = '"';
    base64_encode(p, n, out->data + out->len);
    out->len += len;
    out->data[out->len++] = '"';
    out->data[out->len] = '\0';
}

void enc_timestamp_ms(kenc *e, int64_t epoch_ms)
{
    if (e->format == ENC_XML) {
        time_t t = (time_t)(epoch_ms / 1000);
        struct tm tm;
        char text[32];
        gmtime_r(&t, &tm);
        xml_scalar(e, text, strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm));
        return;
    }
    separate(e);
    if (e->format == ENC_CBOR) {
        cbor_head(e->out, CBOR_TAG, 1);
        if (!e->epoch_seconds)
            cbor_int(e->out, epoch_ms);
        else if (epoch_ms % 1000 == 0)
            cbor_int(e->out, epoch_ms / 1000);
        else
            cbor_double(e->out, (double)epoch_ms / 1000.0);
        return;
    }
    uint64_t abs_ms = epoch_ms < 0 ? (uint64_t)0 - (uint64_t)epoch_ms : (uint64_t)epoch_ms;
    unsigned ms = (unsigned)(abs_ms % 1000);
    char frac[4] = {'.', (char)('0' + ms / 100), (char)('0' + ms / 10 % 10), (char)('0' + ms % 10)};
    if (epoch_ms < 0)
        kbuf_putc(e->out, '-');
    put_u64(e->out, abs_ms / 1000);
    kbuf_append(e->out, frac, sizeof frac);
}

void enc_error(enc_format format, kbuf *out, const char *type, const char *message,
               size_t message_len)
{
    kenc e;
    enc_init(&e, format, out);
    enc_map_begin(&e);
    enc_key(&e, "__type");
    enc_str(&e, type);
    if (message_len) {
        /* AWS spells the key "Message" in its SerializationException bodies */
        enc_key(&e, strcmp(type, "SerializationException") == 0 ? "Message" : "message");
        enc_strn(&e, message, message_len);
    }
    enc_map_end(&e);
}
