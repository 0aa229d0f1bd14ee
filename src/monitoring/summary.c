/* summary.c - sample summaries and the log-linear histogram (see summary.h).
 *
 * A positive value v = m * 2^e (frexp, m in [0.5, 1)) lies in octave e - 1 - HIST_MIN_EXP, and in
 * sub-bucket floor((2m - 1) * HIST_SUB) of it. The encoded form is a run of 10-byte entries:
 * bucket (2 bytes, big-endian) and count (an IEEE double, big-endian). */
#include "summary.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ENTRY_BYTES 10

void acc_add(stat_acc *a, double v, double count)
{
    if (a->count == 0 || v < a->min)
        a->min = v;
    if (a->count == 0 || v > a->max)
        a->max = v;
    a->count += count;
    a->sum += v * count;
    a->last = v;
}

void acc_merge(stat_acc *into, const stat_acc *from)
{
    if (from->count == 0)
        return;
    if (into->count == 0 || from->min < into->min)
        into->min = from->min;
    if (into->count == 0 || from->max > into->max)
        into->max = from->max;
    into->count += from->count;
    into->sum += from->sum;
    into->last = from->last;
}

int hist_bucket(double v)
{
    if (!(v > 0))
        return 0; /* zero, negative, NaN */
    int e;
    double m = frexp(v, &e);
    int octave = e - 1 - HIST_MIN_EXP;
    if (octave < 0)
        return 1;
    if (octave >= HIST_OCTAVES)
        return HIST_BUCKETS - 1;
    int sub = (int)((2 * m - 1) * HIST_SUB);
    return 1 + octave * HIST_SUB + (sub < HIST_SUB ? sub : HIST_SUB - 1);
}

int hist_octave_bucket(int o)
{
    return 1 + o * HIST_SUB;
}

double hist_bucket_low(int b)
{
    if (b <= 0)
        return -INFINITY;
    int octave = (b - 1) / HIST_SUB, sub = (b - 1) % HIST_SUB;
    return ldexp(1.0 + (double)sub / HIST_SUB, HIST_MIN_EXP + octave);
}

double hist_bucket_high(int b)
{
    if (b <= 0)
        return 0;
    int octave = (b - 1) / HIST_SUB, sub = (b - 1) % HIST_SUB;
    return ldexp(1.0 + (double)(sub + 1) / HIST_SUB, HIST_MIN_EXP + octave);
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

double hist_percentile(const double *counts, double total, double p, double min, double max)
{
    double rank = total * p / 100.0, seen = 0;
    for (int b = 0; b < HIST_BUCKETS; b++) {
        if (counts[b] <= 0 || seen + counts[b] < rank) {
            seen += counts[b] > 0 ? counts[b] : 0;
            continue;
        }
        if (b == 0)
            return clamp(0, min, max);
        double lo = hist_bucket_low(b), hi = hist_bucket_high(b);
        return clamp(lo + (hi - lo) * (rank - seen) / counts[b], min, max);
    }
    return max;
}

void hist_encode(const double *counts, kbuf *out)
{
    for (int b = 0; b < HIST_BUCKETS; b++) {
        if (counts[b] == 0)
            continue;
        unsigned char e[ENTRY_BYTES];
        uint64_t bits;
        memcpy(&bits, &counts[b], sizeof bits);
        e[0] = (unsigned char)(b >> 8);
        e[1] = (unsigned char)b;
        for (int i = 0; i < 8; i++)
            e[2 + i] = (unsigned char)(bits >> (56 - 8 * i));
        kbuf_append(out, e, sizeof e);
    }
}

bool hist_decode_add(const void *bytes, size_t len, double *counts, double *added)
{
    const unsigned char *p = bytes;
    if (len % ENTRY_BYTES)
        return false;
    for (size_t at = 0; at < len; at += ENTRY_BYTES) {
        int b = p[at] << 8 | p[at + 1];
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++)
            bits = bits << 8 | p[at + 2 + i];
        double count;
        memcpy(&count, &bits, sizeof count);
        if (b >= HIST_BUCKETS || !isfinite(count))
            return false;
        counts[b] += count;
        if (added)
            *added += count;
    }
    return true;
}

double *hist_new(void)
{
    double *h = calloc(HIST_BUCKETS, sizeof *h);
    if (!h)
        abort();
    return h;
}
