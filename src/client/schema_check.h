/* schema_check.h - the schema check the producer and event dispatch share: valid, or
 * KINES_ERR_INVALID with every error in the message. */
#ifndef KINES_CLIENT_SCHEMA_CHECK_H
#define KINES_CLIENT_SCHEMA_CHECK_H

#include "kines/schema.h"

/* 0 when data (len bytes) is valid against s (or s is NULL); else -1 with err saying
 * "WHAT does not match the schema: ERRORS". */
int schema_check(const kines_schema *s, const void *data, size_t len, const char *what,
                 kines_error *err);

#endif
