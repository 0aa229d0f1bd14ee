/* ops_roles.c - IAM roles (see ops.h): CreateRole, GetRole, ListRoles, DeleteRole, UpdateRole,
 * UpdateAssumeRolePolicy (their tags: ops_tags.c). A role's trust policy (AssumeRolePolicyDocument)
 * is compiled when it is stored: a malformed one is refused with MalformedPolicyDocument; its
 * policies are handled with the users' (ops_policies.c). */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ops.h"

#define DEFAULT_MAX_SESSION_S 3600
#define MAX_TRUST_CHARS 2048 /* ACLSizePerRole */

/* The trust policy of the input (AssumeRolePolicyDocument / PolicyDocument) compiled; NULL with
 * MalformedPolicyDocument or LimitExceeded set. */
static policy *compile_trust(op_call *call, const char *document)
{
    if (ops_policy_chars(document) <= MAX_TRUST_CHARS)
        return ops_compile(call, document, POLICY_TRUST);
    call_fail(call, "LimitExceededException", "Cannot exceed quota for ACLSizePerRole: %d",
              MAX_TRUST_CHARS);
    return NULL;
}

static void write_role(kenc *e, const iam_user *r)
{
    enc_map_begin(e);
    enc_key(e, "Path");
    enc_str(e, r->path);
    enc_key(e, "RoleName");
    enc_str(e, r->name);
    enc_key(e, "RoleId");
    enc_str(e, r->id);
    enc_key(e, "Arn");
    enc_str(e, r->arn);
    enc_key(e, "CreateDate");
    enc_timestamp_ms(e, r->created_ms);
    enc_key(e, "AssumeRolePolicyDocument");
    ops_write_urlencoded(e, r->trust_document);
    if (r->description) {
        enc_key(e, "Description");
        enc_str(e, r->description);
    }
    enc_key(e, "MaxSessionDuration");
    enc_int(e, r->max_session_s);
    if (r->n_tags)
        ops_write_tags(e, r);
    enc_map_end(e);
}

static void answer_role(op_call *call, const iam_user *r)
{
    enc_map_begin(call->out);
    enc_key(call->out, "Role");
    write_role(call->out, r);
    enc_map_end(call->out);
}

void op_create_role(op_call *call)
{
    const char *name = kv_str(call->input, "RoleName"), *path = kv_str(call->input, "Path");
    const char *document = kv_str(call->input, "AssumeRolePolicyDocument");
    int64_t max_session_s = DEFAULT_MAX_SESSION_S;
    kv_int(call->input, "MaxSessionDuration", &max_session_s);
    if (ops_any_case(state_roles_of, call->account, name)) {
        call_fail(call, "EntityAlreadyExistsException", "Role with name %s already exists.", name);
        return;
    }
    const kval *tags = kv_get(call->input, "Tags");
    policy *trust =
        ops_tags_fit(call, &ops_roles, NULL, tags) ? compile_trust(call, document) : NULL;
    if (!trust)
        return;
    char id[IAM_ID_LEN + 1];
    state_random_id(id, "AROA", IAM_ID_LEN - 4, false);
    iam_user *r =
        role_new(call->account, name, id, path ? path : "/", kv_str(call->input, "Description"),
                 strdup(document), trust, (int)max_session_s, call->now_ms);
    ops_apply_tags(r, tags);
    if (db_begin() != 0 || !ops_commit(call, db_put_role(r) || db_put_tags(r))) {
        state_remove_role(r); /* never added: only freed */
        return;
    }
    ops_publish_begin();
    state_add_role(r);
    ops_publish_end();
    answer_role(call, r);
}

void op_get_role(op_call *call)
{
    iam_user *r = ops_find_role(call, kv_str(call->input, "RoleName"));
    if (r)
        answer_role(call, r);
}

static void write_listed_role(kenc *e, const void *item)
{
    write_role(e, item);
}

void op_list_roles(op_call *call)
{
    static const ops_lister roles = {"Roles", ops_holder_name, ops_holder_in_path,
                                     write_listed_role};
    size_t n;
    iam_user **all = state_roles_of(call->account, &n);
    ops_write_page(call, &roles, (void *const *)all, n);
    free(all);
}

void op_delete_role(op_call *call)
{
    iam_user *r = ops_find_role(call, kv_str(call->input, "RoleName"));
    if (r)
        ops_delete_holder(call, r, ops_policies_conflict(r));
}

/* Commits r as it would be with the given description and session limit (stored as they are
 * when committed), then publishes them. */
static bool commit_settings(op_call *call, iam_user *r, const char *description, int max_session_s)
{
    iam_user draft = *r;
    draft.description = (char *)description;
    draft.max_session_s = max_session_s;
    if (db_begin() != 0 || !ops_commit(call, db_put_role(&draft)))
        return false;
    ops_publish_begin();
    if (description != r->description) {
        free(r->description);
        r->description = strdup(description);
    }
    r->max_session_s = max_session_s;
    ops_publish_end();
    return true;
}

void op_update_role(op_call *call)
{
    iam_user *r = ops_find_role(call, kv_str(call->input, "RoleName"));
    if (!r)
        return;
    const char *description = kv_str(call->input, "Description");
    int64_t max_session_s = r->max_session_s;
    kv_int(call->input, "MaxSessionDuration", &max_session_s);
    if (commit_settings(call, r, description ? description : r->description, (int)max_session_s))
        ops_write_empty(call);
}

void op_update_assume_role_policy(op_call *call)
{
    iam_user *r = ops_find_role(call, kv_str(call->input, "RoleName"));
    const char *document = kv_str(call->input, "PolicyDocument");
    policy *trust = r ? compile_trust(call, document) : NULL;
    if (!trust)
        return;
    iam_user draft = *r;
    draft.trust_document = (char *)document;
    if (db_begin() != 0 || !ops_commit(call, db_put_role(&draft))) {
        policy_free(trust);
        return;
    }
    ops_publish_begin();
    state_set_trust(r, strdup(document), trust);
    ops_publish_end();
    ops_write_empty(call);
}
