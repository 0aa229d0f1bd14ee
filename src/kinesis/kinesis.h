/* kinesis.h - the Kinesis Data Streams service, as kinesd/main.c wires it to the core.
 *
 * kinesis_open loads the registry (meta.sqlite, the data keys of encrypted streams, unsealed with
 * the master key, and every shard log) from the store's data directory; kinesis_service is then
 * registered with the core (service.h), which runs its operations and its tick. kinesis_close runs
 * after the core stopped the service. */
#ifndef KINESD_KINESIS_H
#define KINESD_KINESIS_H

#include "../common/masterkey.h"
#include "../core/service.h"
#include "../store/store.h"

extern service kinesis_service;

/* -1 on error (logged); why then says why when it is the master key (else ""). */
int kinesis_open(store *st, const masterkey *master, char *why, size_t why_len);
void kinesis_close(void);

/* The operation table entry of a Kinesis operation by name (tests call handlers directly). */
const op_entry *kinesis_find_op(const char *name);

#endif
