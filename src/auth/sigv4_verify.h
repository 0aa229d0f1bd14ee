/* sigv4_verify.h - checking a request's AWS Signature Version 4, as the server side of sigv4.h.
 *
 * A request carries its claim in the Authorization header ("AWS4-HMAC-SHA256 Credential=AKID/
 * DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=HEX") or, presigned, in its
 * query string (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
 * X-Amz-SignedHeaders, X-Amz-Signature, X-Amz-Security-Token). sigv4_claim_read reads either;
 * sigv4_verify rebuilds the canonical request exactly as the signer builds it - the path
 * normalised as AWS does for every service but S3, only the signed headers, the query without
 * X-Amz-Signature (and, when that does not match, without X-Amz-Security-Token too: some
 * clients add the token after signing), the payload's SHA-256 - and compares signatures in
 * constant time. Who owns
 * the key and whether the date is fresh are the caller's business. */
#ifndef KINESD_SIGV4_VERIFY_H
#define KINESD_SIGV4_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "sigv4.h"

/* The request as received. */
typedef struct sigv4_incoming {
    const char *method;          /* "POST" */
    const char *url;             /* raw path and query, as sent ("/?Action=...") */
    const sigv4_header *headers; /* every header as received (names in any case) */
    size_t header_count;
    const void *body;
    size_t body_len;
    bool path_as_sent; /* S3's rule: the path is signed as sent, not normalised */
} sigv4_incoming;

/* What the request says about its signature. */
typedef struct sigv4_claim {
    char access_key[129];      /* the credential scope's key id */
    char date[9];              /* its date, "20150830" */
    char region[32];           /* its region */
    char service[32];          /* its service ("kinesis", "iam", "sts") */
    char amz_date[17];         /* X-Amz-Date (or Date converted), "20150830T123600Z" */
    char signed_headers[512];  /* "host;x-amz-date" */
    char signature[65];        /* lower-case hex */
    const char *session_token; /* X-Amz-Security-Token; NULL when none */
    int64_t expires_s;         /* presigned: X-Amz-Expires; 0 for a header signature */
    bool presigned;            /* the claim is in the query string */
} sigv4_claim;

typedef enum {
    SIGV4_OK,
    SIGV4_MALFORMED,        /* no claim, or one the verifier cannot read */
    SIGV4_HOST_NOT_SIGNED,  /* 'host' is not among the signed headers */
    SIGV4_PAYLOAD_MISMATCH, /* X-Amz-Content-Sha256 is not the body's SHA-256 */
    SIGV4_MISMATCH,         /* the signature is not the one the secret gives */
} sigv4_result;

/* Reads the claim of a request (Authorization header, else the presigned query); SIGV4_OK, or
 * SIGV4_MALFORMED. The session token points into the request (header) or into `scratch`. */
sigv4_result sigv4_claim_read(const sigv4_incoming *req, sigv4_claim *claim, kbuf *scratch);

/* Whether the claim's signature is what `secret` gives for this request. */
sigv4_result sigv4_verify(const sigv4_incoming *req, const sigv4_claim *claim, const char *secret);

/* Seconds since the epoch of an amz_date ("20150830T123600Z"); -1 when malformed. */
int64_t sigv4_amz_date_seconds(const char *amz_date);
/* Formats epoch seconds as an amz_date into out[17]. */
void sigv4_amz_date_format(int64_t seconds, char out[17]);

#endif
