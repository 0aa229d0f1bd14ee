/* caller.h - who is calling: the SigV4 Authorization header read, and the caller it names.
 *
 * Every AWS request carries an Authorization header (or presigned query parameters) whose
 * credential scope names an access key, a date, a region and a service. caller_scope reads it and
 * answers a missing or malformed one as AWS does (MissingAuthenticationTokenException,
 * IncompleteSignatureException; InvalidSignatureException for a region without the shape of an
 * AWS region). Who the key belongs to is the authenticator's business:
 *
 *   open mode (the default on loopback): any well-formed signature is believed; the account is the
 *     access key when that is a 12-digit number (a common convention of local AWS emulators), else
 *     000000000000, and the caller is that account's root.
 *   verify mode: an authenticator registered by the identity service (src/iam) checks the
 *     signature and names the user, and an authorizer evaluates policies (core_auth_hooks). */
#ifndef KINESD_CALLER_H
#define KINESD_CALLER_H

#include <stdbool.h>

#include "../net/http.h"
#include "../protocol/awserr.h"

#define DEFAULT_ACCOUNT "000000000000"

/* The parts of a SigV4 credential scope: AKID/DATE/REGION/SERVICE/aws4_request. */
typedef struct auth_scope {
    char access_key[129]; /* "AKIDEXAMPLE" */
    char date[9];         /* "20250101" */
    char region[32];      /* "us-east-1" */
    char service[32];     /* "kinesis", "iam", "sts", "sqs", "lambda", "monitoring" */
    bool presigned;       /* the signature is in the query string (X-Amz-Signature) */
} auth_scope;

typedef struct caller {
    char account[16];      /* "000000000000" */
    char region[32];       /* from the credential scope */
    char access_key[129];  /* the key that signed the request */
    char arn[256];         /* arn:aws:iam::ACCOUNT:root, :user/NAME, :assumed-role/R/S */
    char user_name[129];   /* "" for the root */
    char user_id[129];     /* AIDA... for users, the account for the root, AROA...:SESSION */
    char role_arn[256];    /* a role session's role (arn:aws:iam::ACCOUNT:role/PATHNAME); "" */
    bool root;             /* the account's root: allowed everything in its account */
    bool session;          /* signed with temporary credentials (X-Amz-Security-Token) */
    const void *principal; /* the authorizer's handle on the caller's own policies (a session's
                              session policies, in the request's arena); NULL: none */
    char source_ip[48];    /* the client's address (aws:SourceIp) */
    bool secure_transport; /* the request came over TLS (aws:SecureTransport) */
} caller;

/* Reads the credential scope of req (Authorization header or presigned query); false with
 * MissingAuthenticationTokenException / IncompleteSignatureException / InvalidSignatureException
 * in err. */
bool caller_scope(const http_request *req, auth_scope *scope, aws_error *err);

/* The open-mode caller of a scope: the account's root, as described above. */
void caller_open(const auth_scope *scope, caller *out);

#endif
