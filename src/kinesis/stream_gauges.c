/* stream_gauges.c - bytes on disk and segment files per stream (see stream_gauges.h): a walk of
 * <data-dir>/streams/<uid>/<shard>/ for every stream, stat()ing each file. */
#include "stream_gauges.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "../monitoring/metrics.h"
#include "registry_internal.h"

typedef struct disk_use {
    double bytes;    /* allocated on disk */
    double segments; /* .log files */
} disk_use;

static bool is_segment(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".log") == 0;
}

/* Adds the files under dir (and one level of directories below it: the shards). */
static void measure(const char *dir, int depth, disk_use *use)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        kbuf path = KBUF_INIT;
        kbuf_printf(&path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path.data, &st) == 0 && S_ISDIR(st.st_mode) && depth > 0) {
            measure(path.data, depth - 1, use);
        } else if (S_ISREG(st.st_mode)) {
            use->bytes += (double)st.st_blocks * 512;
            use->segments += is_segment(e->d_name);
        }
        kbuf_free(&path);
    }
    closedir(d);
}

static void measure_stream(const stream *s, disk_use *all)
{
    disk_use use = {0, 0};
    kbuf dir = KBUF_INIT;
    stream_dir_path(s->uid, NULL, &dir);
    measure(dir.data, 1, &use);
    kbuf_free(&dir);
    metric_dim dim = {"StreamName", s->name};
    metric_scope scope = {s->account, s->region, "kinesd", &dim, 1};
    metric_sample samples[] = {{"StreamDiskBytes", METRIC_GAUGE, use.bytes, UNIT_BYTES},
                               {"StreamSegments", METRIC_GAUGE, use.segments, UNIT_COUNT}};
    metric_add_all(&scope, samples, 2);
    all->bytes += use.bytes;
    all->segments += use.segments;
}

void stream_gauges_tick(int64_t now_ms)
{
    static int64_t next_ms;
    if (!metrics_enabled() || now_ms < next_ms)
        return;
    next_ms = now_ms + STREAM_GAUGES_PERIOD_MS;
    disk_use all = {0, 0};
    for (size_t i = 0; i < registry_stream_count(); i++)
        measure_stream(registry_stream_at(i), &all);
    metric_scope kinesd = {NULL, NULL, "kinesd", NULL, 0};
    metric_add(&kinesd, "OpenSegments", METRIC_GAUGE, all.segments, UNIT_COUNT);
}
