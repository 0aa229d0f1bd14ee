/* recovery.h - the survey of a shard log directory, shared by recovery (recovery.c, which then
 * applies it) and the offline check (store_check.c, which only reports it). Not for other
 * modules. */
#ifndef KINESD_RECOVERY_H
#define KINESD_RECOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "logstate.h"
#include "segment.h"

#define SURVEY_MAX_DAMAGE 32

typedef enum {
    DAMAGE_CORRUPT, /* a segment with a bad frame below the synced end, or unlike its .idx */
    DAMAGE_MISSING, /* offsets no segment holds and no gap explains */
    DAMAGE_OVERLAP, /* a segment starting inside the one before it */
    DAMAGE_STATE,   /* the state file is unreadable */
} damage_kind;

typedef struct damage {
    damage_kind kind;
    size_t seg;        /* the segment concerned (index into survey.segs) */
    uint64_t from, to; /* the offsets lost */
    const char *why;   /* for the report */
} damage;

typedef struct found_seg {
    segment *seg;             /* opened; index loaded from .idx or rebuilt by the scan */
    index_load idx;           /* what its .idx gave */
    bool scanned;             /* scan holds the scan's findings */
    segment_scan_result scan; /* what lies past its last good frame */
    bool dropped;             /* recovery moved it away or deleted it (empty) */
    bool quarantined;         /* recovery moved it to quarantine and kept its intact prefix */
} found_seg;

typedef struct survey {
    const char *dir;
    bool scan_sealed; /* also scan the segments a valid .idx describes (the offline check) */
    logstate state;
    logstate_load state_load;
    found_seg *segs; /* by first offset */
    size_t n;
    size_t first; /* segs[0 .. first) lie wholly below the trim horizon (retention's leftovers) */
    size_t tail;  /* the segment the log ends in: later ones are torn leftovers (n: none) */
    damage damage[SURVEY_MAX_DAMAGE];
    size_t ndamage;       /* may exceed SURVEY_MAX_DAMAGE (the rest are only counted) */
    uint64_t next_offset; /* above every offset found or synced */
} survey;

/* Surveys the shard log in dir, reading only. -1 on an I/O error (logged). */
int survey_run(survey *sv, const char *dir, bool scan_sealed);
void survey_free(survey *sv);
/* Appends a line describing damage i to out. */
void survey_describe(const survey *sv, size_t i, kbuf *out);

#endif
