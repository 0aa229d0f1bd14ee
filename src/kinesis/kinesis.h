/* kinesis.h - the Kinesis Data Streams service, as kinesd/main.c wires it to the core.
 *
 * kinesis_open loads the registry (meta.sqlite and every shard log) from the store's data
 * directory; kinesis_service is then registered with the core (service.h), which runs its
 * operations and its tick. kinesis_close runs after the core stopped the service. */
#ifndef KINESD_KINESIS_H
#define KINESD_KINESIS_H

#include "../core/service.h"
#include "../store/store.h"

extern service kinesis_service;

int kinesis_open(store *st); /* -1 on error (logged) */
void kinesis_close(void);

/* The operation table entry of a Kinesis operation by name (tests call handlers directly). */
const op_entry *kinesis_find_op(const char *name);

#endif
