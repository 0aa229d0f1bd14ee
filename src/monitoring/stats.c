/* stats.c - statistics by name and their values (see stats.h). */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

static const char *const basic_names[] = {
    [STAT_SAMPLE_COUNT] = "SampleCount", [STAT_AVERAGE] = "Average", [STAT_SUM] = "Sum",
    [STAT_MINIMUM] = "Minimum",          [STAT_MAXIMUM] = "Maximum",
};

/* "p99", "p99.9", "p0.01": digits, then at most two decimals, then nothing. */
static bool parse_percentile(const char *name, double *p)
{
    if (name[0] != 'p')
        return false;
    const char *at = name + 1;
    size_t whole = strspn(at, "0123456789"), decimals = 0;
    if (whole == 0 || whole > 3)
        return false;
    if (at[whole] == '.') {
        decimals = strspn(at + whole + 1, "0123456789");
        if (decimals == 0 || decimals > 2)
            return false;
    }
    if (at[whole + (decimals ? decimals + 1 : 0)] != '\0')
        return false;
    *p = strtod(at, NULL);
    return *p > 0 && *p <= 100;
}

bool stat_parse(const char *name, bool extended, stat_spec *out)
{
    for (int k = STAT_SAMPLE_COUNT; k <= STAT_MAXIMUM; k++) {
        if (strcmp(name, basic_names[k]) == 0) {
            *out = (stat_spec){(stat_kind)k, 0};
            return true;
        }
    }
    out->kind = STAT_PERCENTILE;
    return extended && parse_percentile(name, &out->p);
}

bool stat_value(const stat_spec *spec, const stat_acc *acc, const double *hist, bool whole,
                double *out)
{
    if (acc->count <= 0)
        return false;
    switch (spec->kind) {
    case STAT_SAMPLE_COUNT:
        *out = acc->count;
        return true;
    case STAT_AVERAGE:
        *out = acc->sum / acc->count;
        return true;
    case STAT_SUM:
        *out = acc->sum;
        return true;
    case STAT_MINIMUM:
        *out = acc->min;
        return true;
    case STAT_MAXIMUM:
        *out = acc->max;
        return true;
    case STAT_PERCENTILE:
        if (!whole || !hist)
            return false;
        *out = hist_percentile(hist, acc->count, spec->p, acc->min, acc->max);
        return true;
    }
    return false;
}
