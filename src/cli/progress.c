/* progress.c - the put progress line on stderr (see progress.h). */
#include "progress.h"

#include <stdio.h>

#include "common/clock.h"

#define BAR_WIDTH 30
#define REDRAW_NS 100000000

void progress_start(progress *p, bool enabled, uint64_t total_bytes)
{
    p->enabled = enabled;
    p->started_ns = clock_mono_ns();
    p->drawn_ns = 0;
    p->total_bytes = total_bytes;
}

void progress_update(progress *p, uint64_t read_bytes, uint64_t sent, uint64_t acked, bool final)
{
    int64_t now = clock_mono_ns();
    if (!p->enabled || (!final && now - p->drawn_ns < REDRAW_NS))
        return;
    p->drawn_ns = now;
    double seconds = (double)(now - p->started_ns) / 1e9;
    double rate = seconds > 0 ? (double)acked / seconds : 0;
    fputc('\r', stderr);
    if (p->total_bytes) {
        int filled = (int)(BAR_WIDTH * (read_bytes > p->total_bytes
                                            ? 1.0
                                            : (double)read_bytes / (double)p->total_bytes));
        fputc('[', stderr);
        for (int i = 0; i < BAR_WIDTH; i++)
            fputc(i < filled ? '#' : '.', stderr);
        fputs("] ", stderr);
    }
    fprintf(stderr, "%llu read, %llu acknowledged, %.0f records/s \033[K", (unsigned long long)sent,
            (unsigned long long)acked, rate);
    fflush(stderr);
}

void progress_end(progress *p)
{
    if (p->enabled)
        fputc('\n', stderr);
}
