/* encoder.h - writes a response body without knowing its wire format.
 *
 * Operations describe their output as nested maps and lists of typed scalars; the encoder turns
 * that into JSON 1.1 (blobs as base64, timestamps as epoch seconds with milliseconds), CBOR
 * (blobs as byte strings, timestamps as tag 1) or the query protocols' XML (each key an element,
 * each list item a <member> element, timestamps in ISO 8601, blobs as base64; the top-level map
 * writes no element: the reply wraps it in <OperationResult>). Keys are emitted in the order
 * written. */
#ifndef KINESD_ENCODER_H
#define KINESD_ENCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"

typedef enum { ENC_JSON, ENC_CBOR, ENC_XML } enc_format;

#define ENC_MAX_DEPTH 16
#define ENC_XML_NAME_MAX 64

typedef struct kenc {
    enc_format format;
    kbuf *out; /* appended to, not owned */
    int depth;
    bool need_comma[ENC_MAX_DEPTH]; /* JSON: an element was already written at this depth */
    bool in_list[ENC_MAX_DEPTH];    /* XML: the container at this depth is a list */
    char element[ENC_MAX_DEPTH][ENC_XML_NAME_MAX]; /* XML: the element each depth closes */
    char key[ENC_XML_NAME_MAX];                    /* XML: the key the next value is under */
    bool epoch_seconds; /* CBOR: timestamps in epoch seconds (Smithy RPC v2); false: ms (AWS's
                           CBOR 1.1). enc_init clears it; set it after. */
} kenc;

void enc_init(kenc *e, enc_format format, kbuf *out);

void enc_map_begin(kenc *e);
void enc_map_end(kenc *e);
void enc_list_begin(kenc *e);
void enc_list_end(kenc *e);
void enc_key(kenc *e, const char *key); /* inside a map, before each value */

void enc_str(kenc *e, const char *s);
void enc_strn(kenc *e, const char *s, size_t n);
void enc_int(kenc *e, int64_t v);
void enc_bool(kenc *e, bool v);
void enc_double(kenc *e, double v);
void enc_blob(kenc *e, const void *p, size_t n);
void enc_timestamp_ms(kenc *e, int64_t epoch_ms);
void enc_null(kenc *e);

/* Appends s[0..n) with XML's five special characters escaped. */
void enc_xml_escape(kbuf *out, const char *s, size_t n);

/* The error body {"__type":..., "message":...} in the given format (JSON or CBOR); no message
 * when message_len is 0. The message is length-counted (a validation message may quote a NUL). */
void enc_error(enc_format format, kbuf *out, const char *type, const char *message,
               size_t message_len);

#endif
