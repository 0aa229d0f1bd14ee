/* ops_contract.c - kinesd's contract operations (a kinesd extension, spec/kinesd/):
 * PutStreamContract, GetStreamContract, DeleteStreamContract. They run on the control thread: a
 * change is compiled first (a schema that does not compile changes nothing), then committed in one
 * meta.sqlite transaction, then published (contract.h). */
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
    if (!s)
        return;
    if (!s->contract) {
        aws_error_set(call->err, 400, "ResourceNotFoundException",
                      "Stream %s under account %s has no contract.", s->name, s->account);
        return;
    }
    if (commit_contract(s, NULL) != 0) {
        fail_internal(call->err);
        return;
    }
    contract_publish(s, NULL);
    write_empty(call->out);
}
