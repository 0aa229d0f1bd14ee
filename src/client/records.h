/* records.h - record limits shared by the calls and the producer. */
#ifndef KINES_CLIENT_RECORDS_H
#define KINES_CLIENT_RECORDS_H

#include <stddef.h>

#include "kines/kines.h"

/* Rejects what Kinesis would reject (key of 1..256 characters, data + key within 1 MiB) with
 * KINES_ERR_INVALID naming record `index`; returns 0 or -1. */
int record_check(const kines_put_entry *e, size_t index, kines_error *err);

#endif
