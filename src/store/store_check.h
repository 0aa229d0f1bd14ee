/* store_check.h - the store's half of `kinesd check`: an offline scrub of one shard log.
 *
 * Reads every frame of every segment (CRC and consecutive offsets), checks that segments chain
 * on (or across a gap the state file records) from the trim horizon, that sealed segments match
 * their .idx, and that nothing synced is missing, without changing anything. The same survey as
 * start-up recovery, plus the segments start-up trusts to their .idx. */
#ifndef KINESD_STORE_CHECK_H
#define KINESD_STORE_CHECK_H

#include <stdint.h>
#include <stdio.h>

typedef struct log_check {
    uint64_t horizon; /* first offset stored */
    uint64_t end;     /* offset after the last record (where appends would continue) */
    size_t segments;  /* segment files */
    size_t damaged;   /* damaged files or lost ranges (each printed) */
    int torn_tail;    /* 1 when the log ends in a torn tail start-up would cut */
} log_check;

/* Checks <data_dir>/<relpath>, printing one line per problem to out. -1 when the directory
 * cannot be read (printed). */
int store_check_log(const char *data_dir, const char *relpath, FILE *out, log_check *result);

#endif
