/* progress.h - the progress line `kinesctl put` draws on a terminal: a bar when the input size is
 * known (a file on stdin), else a running count; records, acknowledgements and throughput. */
#ifndef KCLI_PROGRESS_H
#define KCLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct progress {
    bool enabled;
    int64_t started_ns, drawn_ns;
    uint64_t total_bytes; /* 0 when unknown */
} progress;

void progress_start(progress *p, bool enabled, uint64_t total_bytes);
/* Redraws at most every 100 ms (or always when final). */
void progress_update(progress *p, uint64_t read_bytes, uint64_t sent, uint64_t acked, bool final);
void progress_end(progress *p);

#endif
