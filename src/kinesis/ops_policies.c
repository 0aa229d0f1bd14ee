/* ops_policies.c - resource policies of streams and consumers: PutResourcePolicy,
 * GetResourcePolicy, DeleteResourcePolicy.
 *
 * kinesd stores a policy document as given (it must be a JSON object) and hands it back; in
 * verify mode the authorizer evaluates it (access.h keeps it in memory for the loop threads): a
 * consumer's policy decides who may SubscribeToShard through it. A policy belongs to its stream
 * or consumer, filed under the resource's own ARN, however the request spelled the ARN's
 * partition; a consumer's goes with it when it is deregistered. Policies live only in
 * meta.sqlite, so these operations run on the control thread. */
#include <json-c/json.h>
#include <string.h>

#include "access.h"
#include "ops.h"
#include "ops_util.h"
#include "registry_edit.h"

static bool is_json_object(const char *text)
{
    json_tokener *tok = json_tokener_new();
    json_object *doc = json_tokener_parse_ex(tok, text, (int)strlen(text));
    bool ok = doc && json_tokener_get_error(tok) == json_tokener_success &&
              (size_t)json_tokener_get_parse_end(tok) == strlen(text) &&
              json_object_is_type(doc, json_type_object);
    json_object_put(doc);
    json_tokener_free(tok);
    return ok;
}

/* The resource of ResourceARN, whose policy may change now: a consumer must be ACTIVE (as on
 * AWS). False with err set. */
static bool changeable_resource(op_call *call, resource_ref *r)
{
    if (!resolve_resource_arn(call, r))
        return false;
    if (!r->c || r->c->status == CONSUMER_ACTIVE)
        return true;
    aws_error_set(call->err, 400, "ResourceInUseException",
                  "Consumer %s with creation timestamp %lld under stream %s and account %s is not "
                  "in ACTIVE status.",
                  r->c->name, (long long)(r->c->created_ms / 1000), r->s->name, r->s->account);
    return false;
}

void op_put_resource_policy(op_call *call)
{
    resource_ref r;
    const char *policy = kv_str(call->input, "Policy");
    if (!changeable_resource(call, &r) || !policy)
        return;
    if (!is_json_object(policy)) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "The policy document is not a valid JSON object.");
        return;
    }
    if (meta_policy_put(registry_meta(), r.s->uid, r.arn, policy)) {
        fail_internal(call->err);
        return;
    }
    access_refresh(r.s, r.c);
    write_empty(call->out);
}

/* A resource without a policy has the empty one. */
void op_get_resource_policy(op_call *call)
{
    kbuf policy = KBUF_INIT;
    resource_ref r;
    int found =
        resolve_resource_arn(call, &r) ? meta_policy_get(registry_meta(), r.arn, &policy) : 0;
    if (found < 0)
        fail_internal(call->err);
    if (call->err->status == 0) {
        enc_map_begin(call->out);
        enc_key(call->out, "Policy");
        enc_str(call->out, found ? policy.data : "{}");
        enc_map_end(call->out);
    }
    kbuf_free(&policy);
}

void op_delete_resource_policy(op_call *call)
{
    resource_ref r;
    kbuf policy = KBUF_INIT;
    int found =
        changeable_resource(call, &r) ? meta_policy_get(registry_meta(), r.arn, &policy) : -2;
    kbuf_free(&policy);
    if (found == 0)
        aws_error_set(call->err, 400, "ResourceNotFoundException",
                      "No resource policy found for resource %s.",
                      kv_str(call->input, "ResourceARN"));
    else if (found == -1 || (found == 1 && meta_policy_delete(registry_meta(), r.arn) != 0))
        fail_internal(call->err);
    else if (found == 1) {
        access_refresh(r.s, r.c);
        write_empty(call->out);
    }
}
