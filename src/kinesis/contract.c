/* contract.c - per-stream contracts: compiling, loading at start-up, publishing, and checking
 * records against them (see contract.h). */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../monitoring/metrics.h"
#include "registry_edit.h"

#define REFUSAL_MAX 1024 /* bytes of one record's refusal: its errors, then "..." */

static char *xstrndup(const char *s, size_t n)
{
    char *d = strndup(s, n);
    if (!d)
        abort();
    return d;
}

static stream_contract *contract_new(const char *text, size_t len, bool assert_format,
                                     int64_t updated_ms)
{
    stream_contract *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->text = xstrndup(text, len);
    c->assert_format = assert_format;
    c->updated_ms = updated_ms;
    return c;
}

/* The validator of `text`; NULL with the compiler's message in `why`. Only text is compiled: no
 * schema directory, no mappings, so a $ref can reach nothing but the document itself. */
static kines_schema *compile_schema(const char *text, size_t len, bool assert_format, char *why,
                                    size_t why_len)
{
    kines_schema_options opts = {.assert_format = assert_format};
    kines_error err = {0};
    kines_schema *schema = kines_schema_compile(text, len, &opts, &err);
    if (!schema)
        snprintf(why, why_len, "%s", err.message);
    return schema;
}

stream_contract *contract_compile(const char *text, size_t len, bool assert_format,
                                  int64_t updated_ms, char *why, size_t why_len)
{
    kines_schema *schema = compile_schema(text, len, assert_format, why, why_len);
    if (!schema)
        return NULL;
    stream_contract *c = contract_new(text, len, assert_format, updated_ms);
    c->schema = schema;
    return c;
}

void contract_free(stream_contract *c)
{
    if (!c)
        return;
    kines_schema_free(c->schema);
    free(c->text);
    free(c->broken);
    free(c);
}

void contract_publish(stream *s, stream_contract *c)
{
    stream_contract *old = s->contract;
    pthread_rwlock_wrlock(&registry_lock);
    s->contract = c;
    pthread_rwlock_unlock(&registry_lock);
    contract_free(old);
}

/* ---- start-up ----------------------------------------------------------------------------- */

static int load_one(const contract_row *r, void *arg)
{
    (void)arg;
    stream *s = registry_find_uid(r->stream_uid);
    if (!s)
        return 0; /* its stream's deletion is being finished */
    char why[512];
    size_t len = strlen(r->schema);
    kines_schema *schema = compile_schema(r->schema, len, r->assert_format, why, sizeof why);
    stream_contract *c = contract_new(r->schema, len, r->assert_format, r->updated_ms);
    c->schema = schema;
    if (!schema) {
        log_error("stream %s: its contract no longer compiles (%s): every record is refused "
                  "until the contract is set again or removed",
                  s->name, why);
        c->broken = xstrndup(why, strlen(why));
    }
    s->contract = c;
    return 0;
}

int contracts_load(void)
{
    return meta_contracts_each(registry_meta(), load_one, NULL) == 0 ? 0 : -1;
}

/* ---- checking records ----------------------------------------------------------------------- */

/* "Record does not match the contract of stream NAME: " + the errors, cut to REFUSAL_MAX. */
static const char *refusal_text(op_call *call, const stream *s, const kines_schema_result *r,
                                const char *broken)
{
    char *text = arena_alloc(call->arena, REFUSAL_MAX);
    int n =
        snprintf(text, REFUSAL_MAX, "Record does not match the contract of stream %s: ", s->name);
    if (n < 0 || n >= REFUSAL_MAX)
        return text;
    if (broken)
        snprintf(text + n, REFUSAL_MAX - (size_t)n, "the contract does not compile (%s)", broken);
    else
        kines_schema_result_format(r, "; ", text + n, REFUSAL_MAX - (size_t)n);
    return text;
}

const char *contract_refusal(op_call *call, const stream *s, const kval *record)
{
    const stream_contract *c = s->contract;
    if (!c)
        return NULL;
    if (!c->schema)
        return refusal_text(call, s, NULL, c->broken);
    const kval *data = kv_get(record, "Data");
    kines_schema_result result;
    if (kines_schema_validate(c->schema, data->u.s.ptr, data->u.s.len, &result)) {
        kines_schema_result_free(&result);
        return NULL;
    }
    const char *text = refusal_text(call, s, &result, NULL);
    kines_schema_result_free(&result);
    return text;
}

void contract_count(const stream *s, size_t refused)
{
    if (!s->contract || !metrics_enabled())
        return;
    metric_dim dim = {"StreamName", s->name};
    metric_scope scope = {s->account, s->region, "AWS/Kinesis", &dim, 1};
    metric_add(&scope, "ContractRejectedRecords", METRIC_COUNTER, (double)refused, UNIT_COUNT);
}

bool contract_admits(op_call *call, const stream *s, const kval *record)
{
    const char *refusal = contract_refusal(call, s, record);
    contract_count(s, refusal ? 1 : 0);
    if (refusal)
        aws_error_set(call->err, 400, "InvalidArgumentException", "%s", refusal);
    return refusal == NULL;
}
