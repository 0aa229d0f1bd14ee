/* awserr.h - an AWS error as operations raise it and the encoders write it:
 * `{"__type": "<type>", "message": "<message>"}` with an HTTP status. */
#ifndef KINESD_AWSERR_H
#define KINESD_AWSERR_H

#include "../common/buf.h"

typedef struct aws_error {
    int status;       /* 0 = no error; 400 for client errors, 500 for InternalFailure, ... */
    const char *type; /* e.g. "ResourceNotFoundException" (static string) */
    kbuf message;
} aws_error;

void aws_error_init(aws_error *e);
void aws_error_free(aws_error *e);
/* Sets type/status and formats the message (replacing an earlier error). */
void aws_error_set(aws_error *e, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* How much of a client's value a message quotes. AWS quotes values whole as far as reports show (a
 * CloudFormation templateBody over 51,200 bytes in its length error,
 * aws-amplify/amplify-cli#14855); kinesd quotes whole every string the model allows (at most 2,048
 * characters) and a PutRecords list of a few hundred records too many (about 70 bytes each), and
 * cuts anything longer here, so that an 11 MB value is not sent back. */
#define AWS_QUOTE_MAX 65536

/* Appends s[0..n) to a message as it quotes a client's value: whole when it has at most
 * AWS_QUOTE_MAX bytes, else cut there (between two characters) and followed by "...". NULs are
 * kept: the message is length-counted. */
void aws_error_quote(kbuf *message, const char *s, size_t n);

#endif
