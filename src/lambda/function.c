/* function.c - the functions in memory: references, lookups and published changes (see
 * function.h). All functions sit in one array sorted by (account, region, name). */
#include "function.h"

#include "../core/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

pthread_rwlock_t lambda_lock = PTHREAD_RWLOCK_INITIALIZER;

static lambda_function **functions; /* sorted; changed under lambda_lock exclusively */
static int function_count;

/* --- references ----------------------------------------------------------------------------- */

fn_version *fn_version_new(void)
{
    fn_version *v = calloc(1, sizeof *v);
    if (!v)
        abort();
    atomic_init(&v->refs, 1);
    return v;
}

fn_version *fn_version_copy(const fn_version *v)
{
    fn_version *c = fn_version_new();
    *c = *v;
    atomic_init(&c->refs, 1);
    c->env_json = v->env_json ? strdup(v->env_json) : NULL;
    return c;
}

fn_version *fn_version_ref(fn_version *v)
{
    atomic_fetch_add(&v->refs, 1);
    return v;
}

void fn_version_unref(fn_version *v)
{
    if (v && atomic_fetch_sub(&v->refs, 1) == 1) {
        free(v->env_json);
        free(v);
    }
}

/* --- names ---------------------------------------------------------------------------------- */

static bool copy_part(char *out, size_t cap, const char *s, size_t n)
{
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:Q]" or "ACCOUNT:function:NAME[:Q]" or
 * "NAME[:Q]": the parts into out (account and region keep the caller's when absent). */
static bool split_name(const char *s, fn_ref *out)
{
    const char *parts[8];
    size_t lens[8];
    int n = 0;
    for (const char *p = s; n < 8; n++) {
        parts[n] = p;
        lens[n] = strcspn(p, ":");
        if (!p[lens[n]]) {
            n++;
            break;
        }
        p += lens[n] + 1;
    }
    int at = 0; /* index of the name */
    if (n >= 7 && lens[0] == 3 && strncmp(parts[0], "arn", 3) == 0) {
        if (!copy_part(out->region, sizeof out->region, parts[3], lens[3]) ||
            !copy_part(out->account, sizeof out->account, parts[4], lens[4]))
            return false;
        at = 6;
    } else if (n >= 3 && lens[1] == 8 && strncmp(parts[1], "function", 8) == 0) {
        if (!copy_part(out->account, sizeof out->account, parts[0], lens[0]))
            return false;
        at = 2;
    }
    if (n - at > 2 || !copy_part(out->name, sizeof out->name, parts[at], lens[at]))
        return false;
    if (n - at == 2 &&
        !copy_part(out->qualifier, sizeof out->qualifier, parts[at + 1], lens[at + 1]))
        return false;
    return true;
}

bool fn_ref_parse(const char *function_name, const char *qualifier, const char *account,
                  const char *region, fn_ref *out, aws_error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->account, sizeof out->account, "%s", account);
    snprintf(out->region, sizeof out->region, "%s", region);
    if (!split_name(function_name, out)) {
        aws_error_set(err, 400, "InvalidParameterValueException", "Invalid function name: %s",
                      function_name);
        return false;
    }
    if (qualifier && out->qualifier[0] && strcmp(qualifier, out->qualifier) != 0) {
        aws_error_set(err, 400, "InvalidParameterValueException",
                      "The derived qualifier from the function name does not match the specified "
                      "qualifier.");
        return false;
    }
    if (qualifier)
        snprintf(out->qualifier, sizeof out->qualifier, "%s", qualifier);
    return true;
}

/* --- lookups -------------------------------------------------------------------------------- */

static int compare_key(const char *account, const char *region, const char *name,
                       const lambda_function *fn)
{
    int c = strcmp(account, fn->account);
    if (!c)
        c = strcmp(region, fn->region);
    return c ? c : strcmp(name, fn->name);
}

/* The index of the function, or where it would be inserted (*found false). */
static int search(const char *account, const char *region, const char *name, bool *found)
{
    int lo = 0, hi = function_count;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        int c = compare_key(account, region, name, functions[mid]);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    *found = false;
    return lo;
}

static void not_found(const fn_ref *ref, aws_error *err)
{
    aws_error_set(err, 404, "ResourceNotFoundException",
                  "Function not found: arn:aws:lambda:%s:%s:function:%s%s%s", ref->region,
                  ref->account, ref->name, ref->qualifier[0] ? ":" : "", ref->qualifier);
}

lambda_function *fn_find(const fn_ref *ref, aws_error *err)
{
    bool found;
    int i = search(ref->account, ref->region, ref->name, &found);
    if (found)
        return functions[i];
    not_found(ref, err);
    return NULL;
}

fn_version *fn_version_of(const lambda_function *fn, const char *qualifier)
{
    if (!qualifier || !qualifier[0] || strcmp(qualifier, FN_LATEST) == 0)
        return fn->latest;
    for (int i = 0; i < fn->n_versions; i++)
        if (strcmp(fn->versions[i]->version, qualifier) == 0)
            return fn->versions[i];
    return NULL;
}

fn_version *fn_find_version(const fn_ref *ref, lambda_function **out, aws_error *err)
{
    lambda_function *fn = fn_find(ref, err);
    fn_version *v = fn ? fn_version_of(fn, ref->qualifier) : NULL;
    if (fn && !v)
        not_found(ref, err);
    if (out)
        *out = fn;
    return v;
}

const fn_invoke_config *fn_invoke_config_of(const lambda_function *fn, const char *qualifier)
{
    const char *q = qualifier && qualifier[0] ? qualifier : FN_LATEST;
    for (int i = 0; i < fn->n_invoke_cfgs; i++)
        if (strcmp(fn->invoke_cfgs[i].qualifier, q) == 0)
            return &fn->invoke_cfgs[i];
    return NULL;
}

int fn_limit(const lambda_function *fn)
{
    return fn->reserved >= 0 ? fn->reserved : kinesd_cfg.lambda_concurrency;
}

int fn_count(void)
{
    return function_count;
}

lambda_function *fn_at(int i)
{
    return functions[i];
}

/* --- changes -------------------------------------------------------------------------------- */

void fn_insert(lambda_function *fn)
{
    bool found;
    int at = search(fn->account, fn->region, fn->name, &found);
    lambda_function **grown = malloc((size_t)(function_count + 1) * sizeof *grown);
    if (!grown)
        abort();
    for (int i = 0; i < function_count; i++)
        grown[i < at ? i : i + 1] = functions[i];
    grown[at] = fn;
    pthread_rwlock_wrlock(&lambda_lock);
    lambda_function **old = functions;
    functions = grown;
    function_count++;
    pthread_rwlock_unlock(&lambda_lock);
    free(old);
}

void fn_free(lambda_function *fn)
{
    if (!fn)
        return;
    fn_version_unref(fn->latest);
    for (int i = 0; i < fn->n_versions; i++)
        fn_version_unref(fn->versions[i]);
    free(fn->versions);
    free(fn->invoke_cfgs);
    free(fn);
}

void fn_remove(lambda_function *fn)
{
    bool found;
    int at = search(fn->account, fn->region, fn->name, &found);
    if (!found)
        return;
    pthread_rwlock_wrlock(&lambda_lock);
    memmove(functions + at, functions + at + 1,
            (size_t)(function_count - at - 1) * sizeof *functions);
    function_count--;
    pthread_rwlock_unlock(&lambda_lock);
    fn_free(fn);
}

void fn_set_latest(lambda_function *fn, fn_version *v)
{
    pthread_rwlock_wrlock(&lambda_lock);
    fn_version *old = fn->latest;
    fn->latest = v;
    pthread_rwlock_unlock(&lambda_lock);
    fn_version_unref(old);
}

void fn_add_version(lambda_function *fn, fn_version *v)
{
    fn_version **grown = malloc((size_t)(fn->n_versions + 1) * sizeof *grown);
    if (!grown)
        abort();
    for (int i = 0; i < fn->n_versions; i++)
        grown[i] = fn->versions[i];
    grown[fn->n_versions] = v;
    pthread_rwlock_wrlock(&lambda_lock);
    fn_version **old = fn->versions;
    fn->versions = grown;
    fn->n_versions++;
    pthread_rwlock_unlock(&lambda_lock);
    free(old);
}

void fn_transitions(int64_t now_ms)
{
    for (int i = 0; i < function_count; i++) {
        fn_version *v = functions[i]->latest;
        if (!v->transition_at_ms || v->transition_at_ms > now_ms)
            continue;
        pthread_rwlock_wrlock(&lambda_lock);
        if (v->state == FN_PENDING)
            v->state = FN_ACTIVE;
        v->update_in_progress = false;
        v->transition_at_ms = 0;
        pthread_rwlock_unlock(&lambda_lock);
    }
}

void fn_qualified_arn(const fn_version *v, char *out, size_t len)
{
    snprintf(out, len, "%s:%s", v->arn, v->version);
}

void fn_format_time(int64_t ms, char out[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03d+0000", (int)(ms % 1000));
}
