/* sigv4.h - AWS Signature Version 4: signing requests (clients, bench); the pieces the verifier
 * (sigv4_verify.h) rebuilds a request's signature from.
 *
 * Header-based signing of an HTTP request: builds the canonical request, the string to sign and the
 * signature exactly as AWS specifies, so that the suite in tests/data/sigv4 passes. */
#ifndef KINESD_SIGV4_H
#define KINESD_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"

typedef struct sigv4_header {
    const char *name;
    const char *value;
} sigv4_header;

typedef struct sigv4_credentials {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL when none */
} sigv4_credentials;

typedef struct sigv4_request {
    const char *method;          /* "POST" */
    const char *path;            /* "/" (raw, as sent) */
    const char *query;           /* "" or "a=b&c=d" (raw, as sent, without '?') */
    const sigv4_header *headers; /* as they will be sent; must include Host */
    size_t header_count;
    const void *payload;
    size_t payload_len;
} sigv4_request;

/* Signs req for region/service at amz_date ("20150830T123600Z"). Writes the value of the
 * Authorization header to `authorization`; the caller sends X-Amz-Date: amz_date (and
 * X-Amz-Security-Token when the credentials have a session token) as headers that were part of
 * req->headers. Optional debug outputs (NULL to skip): canonical request and string to sign. */
void sigv4_sign(const sigv4_request *req, const sigv4_credentials *creds, const char *region,
                const char *service, const char *amz_date, kbuf *authorization,
                kbuf *canonical_request, kbuf *string_to_sign);

/* The canonical request of req into out and its signed header list ("host;x-amz-date") into
 * signed_names. payload_hash is the hex SHA-256 to sign; NULL hashes req->payload. */
void sigv4_canonical_request(const sigv4_request *req, const char *payload_hash, kbuf *out,
                             kbuf *signed_names);
/* "AWS4-HMAC-SHA256\nAMZ_DATE\nDATE/REGION/SERVICE/aws4_request\nHEX(SHA256(canonical))". */
void sigv4_string_to_sign(const kbuf *canonical, const char *amz_date, const char *region,
                          const char *service, kbuf *out);
/* The hex signature of string_to_sign; the signing key is cached per thread for a few (secret,
 * date, region, service). False when memory was out (libkines): hex is then no signature. With
 * sigv4_sign, a signature given up for want of memory leaves `authorization` kbuf_failed. */
bool sigv4_signature(const char *secret, const char *amz_date, const char *region,
                     const char *service, const kbuf *string_to_sign, char hex[65]);
/* The hex SHA-256 of a payload. */
void sigv4_payload_hash(const void *payload, size_t len, char hex[65]);

/* Formats the current UTC time as "YYYYMMDDTHHMMSSZ" into out[17]. */
void sigv4_amz_date_now(char out[17]);

#endif
