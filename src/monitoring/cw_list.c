/* cw_list.c - ListMetrics: the metrics the caller may read that had a sample in the last two
 * weeks (RecentlyActive PT3H: three hours), filtered by namespace, metric name and dimensions (a
 * metric matches a DimensionFilter that names one of its dimensions, and, when the filter has a
 * Value, with that value), ordered by namespace, name and dimensions, 500 to a page.
 *
 * NextToken is the base64 of the last listed metric's sort key; a token that is not one kinesd
 * gave is InvalidParameterValue. */
#include <stdlib.h>
#include <string.h>

#include "../common/base64.h"
#include "cw_ops.h"

#define PAGE_SIZE 500
#define RECENT_MS (14LL * 86400 * 1000)
#define RECENT_3H_MS (3LL * 3600 * 1000)

typedef struct listed {
    series *s; /* the metric */
    char *key; /* namespace, name, then each dimension's name and value, separated by \x1f */
} listed;

static char *sort_key(arena *a, const series *s)
{
    kbuf k = KBUF_INIT;
    kbuf_printf(&k, "%s\x1f%s", s->ns, s->name);
    for (int i = 0; i < s->n_dims; i++)
        kbuf_printf(&k, "\x1f%s\x1f%s", s->dims[i].name, s->dims[i].value);
    char *copy = arena_strndup(a, k.data, k.len);
    kbuf_free(&k);
    return copy;
}

static bool has_dimension(const series *s, const kval *filter)
{
    const char *name = kv_str(filter, "Name"), *value = kv_str(filter, "Value");
    for (int i = 0; i < s->n_dims; i++)
        if (strcmp(s->dims[i].name, name) == 0 && (!value || strcmp(s->dims[i].value, value) == 0))
            return true;
    return false;
}

static bool wanted(const op_call *call, const series *s, int64_t since_ms)
{
    const char *ns = kv_str(call->input, "Namespace"), *name = kv_str(call->input, "MetricName");
    const kval *filters = kv_get(call->input, "Dimensions");
    if (!cw_visible(call, s) || s->last_ms < since_ms || (ns && strcmp(ns, s->ns) != 0) ||
        (name && strcmp(name, s->name) != 0))
        return false;
    for (size_t i = 0; filters && i < filters->u.list.n; i++)
        if (!has_dimension(s, &filters->u.list.items[i]))
            return false;
    return true;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const listed *)a)->key, ((const listed *)b)->key);
}

/* The metrics to list, sorted; *n their count. */
static listed *matching(op_call *call, size_t *n)
{
    const char *recent = kv_str(call->input, "RecentlyActive");
    int64_t since = call->now_ms - (recent ? RECENT_3H_MS : RECENT_MS);
    size_t cap = 64;
    listed *all = malloc(cap * sizeof *all);
    *n = 0;
    for (series *s = series_newest(); all && s; s = s->older) {
        if (!wanted(call, s, since))
            continue;
        if (*n == cap && !(all = realloc(all, (cap *= 2) * sizeof *all)))
            break;
        all[(*n)++] = (listed){s, sort_key(call->arena, s)};
    }
    if (!all)
        abort();
    qsort(all, *n, sizeof *all, by_key);
    return all;
}

/* The index of the first metric after the token; false when the token is not kinesd's. */
static bool page_start(op_call *call, const listed *all, size_t n, size_t *first)
{
    const char *token = kv_str(call->input, "NextToken");
    *first = 0;
    if (!token)
        return true;
    size_t len = strlen(token), key_len;
    char *key = arena_alloc(call->arena, len + 1);
    if (!base64_decode(token, len, (unsigned char *)key, &key_len) ||
        !memchr(key, '\x1f', key_len)) {
        cw_error(call, CW_INVALID_PARAMETER_VALUE, "The parameter NextToken is invalid.");
        return false;
    }
    key[key_len] = '\0';
    while (*first < n && strcmp(all[*first].key, key) <= 0)
        (*first)++;
    return true;
}

static void write_page(op_call *call, const listed *all, size_t n, size_t first)
{
    kenc *out = call->out;
    size_t end = n - first > PAGE_SIZE ? first + PAGE_SIZE : n;
    enc_map_begin(out);
    enc_key(out, "Metrics");
    enc_list_begin(out);
    for (size_t i = first; i < end; i++)
        cw_write_metric(out, all[i].s);
    enc_list_end(out);
    if (end < n) {
        const char *key = all[end - 1].key;
        char *token = arena_alloc(call->arena, base64_encoded_len(strlen(key)) + 1);
        base64_encode(key, strlen(key), token);
        enc_key(out, "NextToken");
        enc_str(out, token);
    }
    enc_map_end(out);
}

void cw_list_metrics(op_call *call)
{
    if (!cw_validate(call))
        return;
    size_t n, first;
    listed *all = matching(call, &n);
    if (page_start(call, all, n, &first))
        write_page(call, all, n, first);
    free(all);
}
