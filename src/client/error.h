/* error.h - filling a kines_error (which callers may pass as NULL). */
#ifndef KINES_CLIENT_ERROR_H
#define KINES_CLIENT_ERROR_H

#include "common/buf.h"
#include "kines/kines.h"

/* Sets status and a printf-formatted message; returns -1 so callers can `return kines_fail(...)`.
 */
int kines_fail(kines_error *err, kines_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void kines_error_clear(kines_error *err);
/* Out of memory: notes it (oom.h) and fails with KINES_ERR_MEMORY; returns -1. kines_fail also
 * turns any error into KINES_ERR_MEMORY when an allocation failed on this thread before it. */
int kines_out_of_memory(kines_error *err);
/* rc, or KINES_ERR_MEMORY (-1) when an allocation failed on this thread since the last check. */
int kines_check_memory(kines_error *err, int rc);

/* Fills err from a non-200 answer: the AWS error body (JSON {"__type", "message"}, or a query
 * protocol's XML <Error><Code>, <Message>) when there is one, else the HTTP status. Returns -1. */
int kines_fail_from_response(kines_error *err, int http_status, const kbuf *body);

#endif
