/* logstate.h - a shard log's state file, <shard dir>/state: what recovery must know that the
 * segments themselves cannot tell.
 *
 *   horizon     the first offset still stored (retention moved it): a missing first segment is
 *               told from one that retention deleted
 *   synced_end  every offset below it was fdatasynced before this value was written: damage
 *               below it is corruption, never a torn write (see shardlog.c). A lower bound: the
 *               storage thread writes it after each sync, and syncs the file itself lazily.
 *   gaps        offset ranges that recovery skipped (a torn tail with intact frames after a hole,
 *               a quarantined segment): a break in the chain of segments there is expected
 *
 * The file holds two 512-byte slots written alternately, each with a sequence number and a
 * CRC-32C; the valid slot with the higher sequence number is the state, so a torn write of one
 * slot leaves the previous state readable. */
#ifndef KINESD_LOGSTATE_H
#define KINESD_LOGSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGSTATE_MAX_GAPS 24

typedef struct log_gap {
    uint64_t from, to; /* offsets [from, to) were never stored or were quarantined */
} log_gap;

typedef struct logstate {
    uint64_t horizon;    /* first offset still stored */
    uint64_t synced_end; /* offsets below were fdatasynced */
    size_t ngaps;        /* gaps[0 .. ngaps), sorted, disjoint */
    log_gap gaps[LOGSTATE_MAX_GAPS + 1]; /* one spare while adding */
    uint64_t seq; /* of the slot last read or written */
    int fd;       /* the open state file, -1 until the first write */
} logstate;

typedef enum {
    LOGSTATE_ABSENT,  /* no state file (a new shard, or a data directory older than it) */
    LOGSTATE_LOADED,  /* *out holds the state */
    LOGSTATE_DAMAGED, /* a state file with no valid slot */
} logstate_load;

/* Reads <dir>/state into *out (initialised to an empty state whatever the result). Reads only. */
logstate_load logstate_read(const char *dir, logstate *out);

/* Writes *s into the next slot of <dir>/state and fdatasyncs it when `sync`. The first write
 * creates the file (always synced: written under a temporary name, then renamed). -1 on error
 * (logged). */
int logstate_write(logstate *s, const char *dir, bool sync);
/* fdatasyncs the state file (after writes made without sync). */
int logstate_sync(logstate *s);
void logstate_close(logstate *s);

/* True when [from, to) lies inside a recorded gap. */
bool logstate_has_gap(const logstate *s, uint64_t from, uint64_t to);
/* Records [from, to) as a gap, merged with the gaps it touches; a full table merges the two
 * closest gaps. */
void logstate_add_gap(logstate *s, uint64_t from, uint64_t to);
/* Forgets the gaps below the horizon. */
void logstate_drop_gaps_below(logstate *s, uint64_t horizon);

#endif
