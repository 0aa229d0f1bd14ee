/* prometheus.c - GET /metrics: every metric with samples since kinesd started, in Prometheus'
 * text exposition format (version 0.0.4), from the totals the collector keeps (so up to a second
 * behind).
 *
 * Names: "kinesd_" (AWS/Kinesis and kinesd's own), "kinesd_<service>_" (another AWS/<Service>)
 * or "kinesd_custom_" (PutMetricData's namespaces, which also become a `namespace` label), then
 * the metric name in snake case ("PutRecords.Latency" -> put_records_latency), in base units:
 * times in seconds (milliseconds and microseconds are converted, "_seconds" replacing a unit
 * word at the end of the name), "_bytes" after byte counts; counters end in "_total".
 * Dimensions are labels, snake case without a trailing "_name" (StreamName -> stream, ShardId ->
 * shard_id), after `account` and `region` for metrics an account owns.
 *
 * Counters show the sum of their samples, gauges their latest sample, histograms their samples'
 * distribution as cumulative buckets at powers of two (from the lowest to the highest one used;
 * exact, since the registry's buckets split at every power of two), _sum and _count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "monitoring.h"
#include "scrape_auth.h"
#include "series.h"

typedef struct family_member {
    char *family; /* the metric family's name (malloc'd) */
    double scale; /* from the metric's unit to the base unit */
    series *s;    /* the metric */
} family_member;

static void snake_case(kbuf *out, const char *name)
{
    for (size_t i = 0; name[i]; i++) {
        char c = name[i], prev = i ? name[i - 1] : 0, next = name[i + 1];
        bool upper = c >= 'A' && c <= 'Z',
             alnum = upper || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        bool word_start = upper && i &&
                          ((prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9') ||
                           (prev >= 'A' && prev <= 'Z' && next >= 'a' && next <= 'z'));
        bool after_sep = out->len && out->data[out->len - 1] == '_';
        if ((word_start || !alnum) && out->len && !after_sep)
            kbuf_putc(out, '_');
        if (alnum)
            kbuf_putc(out, upper ? (char)(c - 'A' + 'a') : c);
    }
}

static bool ends_with(const kbuf *b, const char *suffix)
{
    size_t n = strlen(suffix);
    return b->len >= n && memcmp(b->data + b->len - n, suffix, n) == 0;
}

static void strip(kbuf *b, const char *suffix)
{
    if (ends_with(b, suffix)) {
        b->len -= strlen(suffix);
        b->data[b->len] = '\0';
    }
}

static void name_prefix(kbuf *out, const char *ns)
{
    kbuf_puts(out, "kinesd_");
    if (strcmp(ns, "AWS/Kinesis") == 0 || strcmp(ns, MONITORING_NAMESPACE) == 0)
        return;
    if (strncmp(ns, "AWS/", 4) == 0) {
        snake_case(out, ns + 4);
        kbuf_putc(out, '_');
        return;
    }
    kbuf_puts(out, "custom_");
}

/* The family name of s, and the factor that converts its samples to the base unit. */
static char *family_name(const series *s, double *scale)
{
    kbuf name = KBUF_INIT;
    name_prefix(&name, s->ns);
    snake_case(&name, s->name);
    *scale = 1;
    if (s->unit == UNIT_MILLISECONDS || s->unit == UNIT_MICROSECONDS || s->unit == UNIT_SECONDS) {
        strip(&name, s->unit == UNIT_MILLISECONDS   ? "_milliseconds"
                     : s->unit == UNIT_MICROSECONDS ? "_microseconds"
                                                    : "_seconds");
        *scale = s->unit == UNIT_MILLISECONDS ? 1e-3 : s->unit == UNIT_MICROSECONDS ? 1e-6 : 1;
        kbuf_puts(&name, "_seconds");
    } else if (s->unit == UNIT_BYTES && !ends_with(&name, "_bytes")) {
        kbuf_puts(&name, "_bytes");
    }
    if (s->kind == METRIC_COUNTER)
        kbuf_puts(&name, "_total");
    return kbuf_detach(&name);
}

static int by_family(const void *a, const void *b)
{
    const family_member *x = a, *y = b;
    int c = strcmp(x->family, y->family);
    return c ? c : (x->s < y->s ? -1 : x->s > y->s);
}

/* ---- writing ------------------------------------------------------------------------------ */

/* The shortest text that reads back as v. */
static void format_number(char *out, size_t len, double v)
{
    if (isnan(v) || isinf(v)) {
        snprintf(out, len, "%s", isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
        return;
    }
    snprintf(out, len, "%.15g", v);
    if (strtod(out, NULL) != v)
        snprintf(out, len, "%.17g", v);
}

static void put_number(kbuf *out, double v)
{
    char text[40];
    format_number(text, sizeof text, v);
    kbuf_puts(out, text);
}

static void put_escaped(kbuf *out, const char *s, bool quotes)
{
    for (; *s; s++) {
        if (*s == '\\' || (quotes && *s == '"'))
            kbuf_printf(out, "\\%c", *s);
        else if (*s == '\n')
            kbuf_puts(out, "\\n");
        else
            kbuf_putc(out, *s);
    }
}

static void put_label(kbuf *out, bool *first, const char *name, const char *value)
{
    kbuf_printf(out, "%s%s=\"", *first ? "{" : ",", name);
    put_escaped(out, value, true);
    kbuf_putc(out, '"');
    *first = false;
}

/* {account="...",region="...",namespace="...",stream="...",le="..."} (le may be NULL). */
static void put_labels(kbuf *out, const series *s, const char *le)
{
    bool first = true;
    if (*s->account) {
        put_label(out, &first, "account", s->account);
        put_label(out, &first, "region", s->region);
    }
    if (strcmp(s->ns, MONITORING_NAMESPACE) != 0 && strncmp(s->ns, "AWS/", 4) != 0)
        put_label(out, &first, "namespace", s->ns);
    for (int i = 0; i < s->n_dims; i++) {
        kbuf label = KBUF_INIT;
        snake_case(&label, s->dims[i].name);
        strip(&label, "_name");
        if (!label.len || (label.data[0] >= '0' && label.data[0] <= '9') ||
            strcmp(label.data, "le") == 0 || strcmp(label.data, "account") == 0 ||
            strcmp(label.data, "region") == 0 || strcmp(label.data, "namespace") == 0) {
            kbuf_reset(&label);
            kbuf_puts(&label, "dim_");
            snake_case(&label, s->dims[i].name);
        }
        put_label(out, &first, label.data, s->dims[i].value);
        kbuf_free(&label);
    }
    if (le)
        put_label(out, &first, "le", le);
    if (!first)
        kbuf_putc(out, '}');
}

static void put_sample(kbuf *out, const char *family, const char *suffix, const series *s,
                       const char *le, double v)
{
    kbuf_printf(out, "%s%s", family, suffix);
    put_labels(out, s, le);
    kbuf_putc(out, ' ');
    put_number(out, v);
    kbuf_putc(out, '\n');
}

static void put_histogram(kbuf *out, const family_member *m)
{
    const series *s = m->s;
    const double *h = s->total_hist;
    int lo = HIST_OCTAVES, hi = -1;
    for (int b = 1; h && b < HIST_BUCKETS; b++) {
        if (h[b] > 0) {
            int o = (b - 1) / HIST_SUB;
            lo = o < lo ? o : lo;
            hi = o;
        }
    }
    double cumulative = h ? h[0] : 0;
    int b = 1;
    for (int o = lo; o <= hi; o++) {
        for (; b < hist_octave_bucket(o + 1); b++)
            cumulative += h[b];
        char le[40];
        format_number(le, sizeof le, hist_bucket_low(hist_octave_bucket(o + 1)) * m->scale);
        put_sample(out, m->family, "_bucket", s, le, cumulative);
    }
    put_sample(out, m->family, "_bucket", s, "+Inf", s->total.count);
    put_sample(out, m->family, "_sum", s, NULL, s->total.sum * m->scale);
    put_sample(out, m->family, "_count", s, NULL, s->total.count);
}

static const char *const type_names[] = {
    [METRIC_COUNTER] = "counter", [METRIC_GAUGE] = "gauge", [METRIC_HISTOGRAM] = "histogram"};

static void put_family_head(kbuf *out, const family_member *m)
{
    kbuf_printf(out, "# HELP %s ", m->family);
    put_escaped(out, m->s->ns, false);
    kbuf_putc(out, ' ');
    put_escaped(out, m->s->name, false);
    kbuf_printf(out, " (%s)\n# TYPE %s %s\n", metric_unit_name(m->s->unit), m->family,
                type_names[m->s->kind]);
}

static void put_member(kbuf *out, const family_member *m)
{
    if (m->s->kind == METRIC_HISTOGRAM)
        put_histogram(out, m);
    else
        put_sample(out, m->family, "", m->s, NULL,
                   (m->s->kind == METRIC_COUNTER ? m->s->total.sum : m->s->total.last) * m->scale);
}

/* The metrics with samples, sorted by family. Caller holds series_export_lock shared. */
static family_member *members(size_t *n)
{
    size_t cap = 64;
    family_member *all = malloc(cap * sizeof *all);
    *n = 0;
    for (series *s = series_newest(); all && s; s = s->older) {
        if (s->total.count <= 0)
            continue;
        if (*n == cap && !(all = realloc(all, (cap *= 2) * sizeof *all)))
            break;
        all[*n].s = s;
        all[*n].family = family_name(s, &all[*n].scale);
        (*n)++;
    }
    if (!all)
        abort();
    qsort(all, *n, sizeof *all, by_family);
    return all;
}

void prometheus_write(kbuf *out)
{
    pthread_rwlock_rdlock(&series_export_lock);
    size_t n;
    family_member *all = members(&n);
    for (size_t i = 0; i < n; i++) {
        bool new_family = i == 0 || strcmp(all[i].family, all[i - 1].family) != 0;
        if (new_family)
            put_family_head(out, &all[i]);
        if (new_family || all[i].s->kind == all[i - 1].s->kind)
            put_member(out, &all[i]);
    }
    pthread_rwlock_unlock(&series_export_lock);
    for (size_t i = 0; i < n; i++)
        free(all[i].family);
    free(all);
}

void prometheus_serve(http_exchange *ex, const http_request *req, const caller *who)
{
    (void)who;
    static const char *const text[] = {"Content-Type: text/plain; version=0.0.4; charset=utf-8",
                                       NULL};
    size_t path_len = strcspn(req->url, "?");
    if (path_len != strlen(MONITORING_METRICS_PATH)) {
        http_respond(ex, 404, text, "not found\n", 10);
        return;
    }
    if (!scrape_auth_admit(ex, req))
        return;
    kbuf body = KBUF_INIT;
    prometheus_write(&body);
    http_respond(ex, 200, text, body.data ? body.data : "", body.len);
    kbuf_free(&body);
}
