/* store_check.c - offline scrub of a shard log (see store_check.h). */
#include "store_check.h"

#include <string.h>

#include "common/buf.h"
#include "recovery.h"

int store_check_log(const char *data_dir, const char *relpath, FILE *out, log_check *result)
{
    memset(result, 0, sizeof *result);
    kbuf dir = KBUF_INIT;
    kbuf_printf(&dir, "%s/%s", data_dir, relpath);
    survey sv;
    int rc = survey_run(&sv, dir.data, true);
    if (rc < 0) {
        fprintf(out, "%s: cannot be read\n", dir.data);
    } else {
        result->horizon = sv.state.horizon;
        result->end = sv.next_offset;
        result->segments = sv.n;
        result->damaged = sv.ndamage;
        for (size_t i = 0; i < sv.ndamage && i < SURVEY_MAX_DAMAGE; i++) {
            kbuf line = KBUF_INIT;
            survey_describe(&sv, i, &line);
            fprintf(out, "DAMAGE %s\n", line.data);
            kbuf_free(&line);
        }
        if (sv.tail < sv.n && (sv.segs[sv.tail].scan.garbage || sv.tail + 1 < sv.n)) {
            result->torn_tail = 1;
            fprintf(out, "torn tail %s: unsynced bytes after offset %llu (start-up cuts them)\n",
                    sv.segs[sv.tail].seg->path,
                    (unsigned long long)sv.segs[sv.tail].seg->end_offset);
        }
    }
    survey_free(&sv);
    kbuf_free(&dir);
    return rc;
}
