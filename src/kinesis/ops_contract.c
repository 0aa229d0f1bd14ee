/* ops_contract.c - kinesd's contract operations (a kinesd extension, spec/kinesd/):
 * PutStreamContract, GetStreamContract, DeleteStreamContract, CheckStreamContract. The changes run
 * on the control thread: a change is compiled first (a schema that does not compile changes
 * nothing), then committed in one meta.sqlite transaction, then published (contract.h). The reads
 * (Get, Check) run on the loop threads on the published contract. */
#include <string.h>

#include "contract.h"
#include "ops.h"
#include "ops_util.h"
#include "registry_edit.h"

/* The stream the input names, if it is ACTIVE; else NULL with the error set. */
static stream *contract_stream(op_call *call)
{
    stream *s = registry_resolve(call->input, call->account, call->region, call->err);
    return s && require_active(s, call->err) ? s : NULL;
}

/* ResourceNotFoundException unless s has a contract; false when raised. */
static bool require_contract(const stream *s, aws_error *err)
{
    if (s->contract)
        return true;
    aws_error_set(err, 400, "ResourceNotFoundException",
                  "Stream %s under account %s has no contract.", s->name, s->account);
    return false;
}

static int commit_contract(const stream *s, const stream_contract *c)
{
    meta *m = registry_meta();
    if (meta_begin(m) != 0)
        return -1;
    if (!c)
        return meta_end(m, meta_delete_contract(m, s->uid));
    contract_row row = {s->uid, c->text, c->assert_format, c->updated_ms};
    return meta_end(m, meta_put_contract(m, &row));
}

void op_put_stream_contract(op_call *call)
{
    stream *s = contract_stream(call);
    const kval *text = kv_get(call->input, "Schema");
    if (!s)
        return;
    char why[512];
    stream_contract *c =
        contract_compile(text->u.s.ptr, text->u.s.len, kv_bool(call->input, "AssertFormat", false),
                         call->now_ms, why, sizeof why);
    if (!c) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "The contract is not a usable JSON Schema: %s", why);
        return;
    }
    if (commit_contract(s, c) != 0) {
        contract_free(c);
        fail_internal(call->err);
        return;
    }
    contract_publish(s, c);
    write_empty(call->out);
}

/* A stream without a contract answers {}. */
void op_get_stream_contract(op_call *call)
{
    stream *s = registry_resolve(call->input, call->account, call->region, call->err);
    if (!s)
        return;
    const stream_contract *c = s->contract;
    enc_map_begin(call->out);
    if (c) {
        enc_key(call->out, "Schema");
        enc_str(call->out, c->text);
        enc_key(call->out, "AssertFormat");
        enc_bool(call->out, c->assert_format);
        enc_key(call->out, "LastUpdatedTimestamp");
        enc_timestamp_ms(call->out, c->updated_ms);
    }
    enc_map_end(call->out);
}

void op_delete_stream_contract(op_call *call)
{
    stream *s = contract_stream(call);
    if (!s || !require_contract(s, call->err))
        return;
    if (commit_contract(s, NULL) != 0) {
        fail_internal(call->err);
        return;
    }
    contract_publish(s, NULL);
    write_empty(call->out);
}

static void write_check_result(kenc *out, const char *refusal)
{
    enc_map_begin(out);
    enc_key(out, "Admitted");
    enc_bool(out, refusal == NULL);
    if (refusal) {
        enc_key(out, "ErrorMessage");
        enc_str(out, refusal);
    }
    enc_map_end(out);
}

/* Each record's Data checked as a put would check it, storing and counting nothing: the contract's
 * LastUpdatedTimestamp (which contract answered) and one result per record, in order. */
void op_check_stream_contract(op_call *call)
{
    stream *s = registry_resolve(call->input, call->account, call->region, call->err);
    if (!s || !require_contract(s, call->err))
        return;
    const kval *records = kv_get(call->input, "Records");
    enc_map_begin(call->out);
    enc_key(call->out, "LastUpdatedTimestamp");
    enc_timestamp_ms(call->out, s->contract->updated_ms);
    enc_key(call->out, "Results");
    enc_list_begin(call->out);
    for (size_t i = 0; i < records->u.list.n; i++)
        write_check_result(call->out, contract_refusal(call, s, &records->u.list.items[i]));
    enc_list_end(call->out);
    enc_map_end(call->out);
}
