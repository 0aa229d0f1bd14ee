/* awserr.h - an AWS error as operations raise it and the encoders write it:
 * `{"__type": "<type>", "message": "<message>"}` with an HTTP status. */
#ifndef KINESD_AWSERR_H
#define KINESD_AWSERR_H

#include "../common/buf.h"

typedef struct aws_error {
    int status;        /* 0 = no error; 400 for client errors, 500 for InternalFailure, ... */
    const char *type;  /* e.g. "ResourceNotFoundException" (static string) */
    kbuf message;
} aws_error;

void aws_error_init(aws_error *e);
void aws_error_free(aws_error *e);
/* Sets type/status and formats the message (replacing an earlier error). */
void aws_error_set(aws_error *e, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
