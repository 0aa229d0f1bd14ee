/* ops_policies.c - inline policies of users and roles, customer managed policies (one version,
 * v1) and their attachment to users and roles (see ops.h): each user operation has its role twin
 * (PutUserPolicy, PutRolePolicy, ...), one handler over the holder kind (ops_holder). A document is
 * compiled when it is stored: a malformed one is refused with MalformedPolicyDocument saying what
 * is wrong. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ops.h"

#define MAX_MANAGED_CHARS 6144 /* one managed policy */
#define MAX_ATTACHED 10        /* managed policies per user or role */

const ops_holder ops_users = {.name_key = "UserName",
                              .noun = "user",
                              .quota = "PoliciesPerUser",
                              .max_inline_chars = 2048,
                              .tags_quota = "TagsPerUser",
                              .find = ops_find_user};
const ops_holder ops_roles = {.name_key = "RoleName",
                              .noun = "role",
                              .quota = "PoliciesPerRole",
                              .max_inline_chars = 10240,
                              .tags_quota = "TagsPerRole",
                              .find = ops_find_role};

/* ---- inline policies ----------------------------------------------------------------------- */

static bool inline_fits(op_call *call, const ops_holder *h, const iam_user *u, const char *name,
                        const char *document)
{
    size_t total = ops_policy_chars(document);
    for (size_t i = 0; i < u->n_inlines; i++)
        if (strcmp(u->inlines[i].name, name) != 0)
            total += ops_policy_chars(u->inlines[i].document);
    if (total <= h->max_inline_chars)
        return true;
    call_fail(call, "LimitExceededException", "Maximum policy size of %zu bytes exceeded for %s %s",
              h->max_inline_chars, h->noun, u->name);
    return false;
}

static void put_inline(op_call *call, const ops_holder *h)
{
    iam_user *u = h->find(call, kv_str(call->input, h->name_key));
    const char *name = kv_str(call->input, "PolicyName");
    const char *document = kv_str(call->input, "PolicyDocument");
    policy *p = u ? ops_compile(call, document, POLICY_IDENTITY) : NULL;
    if (!p)
        return;
    if (!inline_fits(call, h, u, name, document) || db_begin() != 0 ||
        !ops_commit(call, db_put_inline(u, name, document))) {
        policy_free(p);
        return;
    }
    ops_publish_begin();
    state_put_inline(u, name, strdup(document), p);
    ops_publish_end();
    ops_write_empty(call);
}

static iam_inline *find_inline(op_call *call, const ops_holder *h, iam_user **u)
{
    const char *name = kv_str(call->input, "PolicyName");
    *u = h->find(call, kv_str(call->input, h->name_key));
    iam_inline *p = *u ? state_find_inline(*u, name) : NULL;
    if (*u && !p)
        call_fail(call, "NoSuchEntityException", "The %s policy with name %s cannot be found.",
                  h->noun, name);
    return p;
}

static void get_inline(op_call *call, const ops_holder *h)
{
    iam_user *u;
    iam_inline *p = find_inline(call, h, &u);
    if (!p)
        return;
    enc_map_begin(call->out);
    enc_key(call->out, h->name_key);
    enc_str(call->out, u->name);
    enc_key(call->out, "PolicyName");
    enc_str(call->out, p->name);
    enc_key(call->out, "PolicyDocument");
    ops_write_urlencoded(call->out, p->document);
    enc_map_end(call->out);
}

static void list_inline(op_call *call, const ops_holder *h)
{
    iam_user *u = h->find(call, kv_str(call->input, h->name_key));
    if (!u)
        return;
    enc_map_begin(call->out);
    enc_key(call->out, "PolicyNames");
    enc_list_begin(call->out);
    for (size_t i = 0; i < u->n_inlines; i++)
        enc_str(call->out, u->inlines[i].name);
    enc_list_end(call->out);
    ops_page_end(call, false, NULL);
    enc_map_end(call->out);
}

static void delete_inline(op_call *call, const ops_holder *h)
{
    iam_user *u;
    iam_inline *p = find_inline(call, h, &u);
    if (!p || db_begin() != 0 || !ops_commit(call, db_delete_inline(u, p->name)))
        return;
    ops_publish_begin();
    state_delete_inline(u, kv_str(call->input, "PolicyName"));
    ops_publish_end();
    ops_write_empty(call);
}

void op_put_user_policy(op_call *call)
{
    put_inline(call, &ops_users);
}

void op_get_user_policy(op_call *call)
{
    get_inline(call, &ops_users);
}

void op_list_user_policies(op_call *call)
{
    list_inline(call, &ops_users);
}

void op_delete_user_policy(op_call *call)
{
    delete_inline(call, &ops_users);
}

void op_put_role_policy(op_call *call)
{
    put_inline(call, &ops_roles);
}

void op_get_role_policy(op_call *call)
{
    get_inline(call, &ops_roles);
}

void op_list_role_policies(op_call *call)
{
    list_inline(call, &ops_roles);
}

void op_delete_role_policy(op_call *call)
{
    delete_inline(call, &ops_roles);
}

/* ---- managed policies ---------------------------------------------------------------------- */

static void write_policy(kenc *e, const iam_managed *m, bool with_description)
{
    enc_map_begin(e);
    enc_key(e, "PolicyName");
    enc_str(e, m->name);
    enc_key(e, "PolicyId");
    enc_str(e, m->id);
    enc_key(e, "Arn");
    enc_str(e, m->arn);
    enc_key(e, "Path");
    enc_str(e, m->path);
    enc_key(e, "DefaultVersionId");
    enc_str(e, "v1");
    enc_key(e, "AttachmentCount");
    enc_int(e, m->attachments);
    enc_key(e, "PermissionsBoundaryUsageCount");
    enc_int(e, 0);
    enc_key(e, "IsAttachable");
    enc_bool(e, true);
    if (with_description && m->description) {
        enc_key(e, "Description");
        enc_str(e, m->description);
    }
    enc_key(e, "CreateDate");
    enc_timestamp_ms(e, m->created_ms);
    enc_key(e, "UpdateDate");
    enc_timestamp_ms(e, m->created_ms);
    enc_map_end(e);
}

static void answer_policy(op_call *call, const iam_managed *m, bool with_description)
{
    enc_map_begin(call->out);
    enc_key(call->out, "Policy");
    write_policy(call->out, m, with_description);
    enc_map_end(call->out);
}

void op_create_policy(op_call *call)
{
    const char *name = kv_str(call->input, "PolicyName");
    const char *document = kv_str(call->input, "PolicyDocument");
    const char *path = kv_str(call->input, "Path");
    if (state_managed(call->account, name)) {
        call_fail(call, "EntityAlreadyExistsException",
                  "A policy called %s already exists. Duplicate names are not allowed.", name);
        return;
    }
    policy *p = ops_compile(call, document, POLICY_IDENTITY);
    if (!p)
        return;
    if (ops_policy_chars(document) > MAX_MANAGED_CHARS) {
        call_fail(call, "LimitExceededException", "Cannot exceed quota for PolicySize: %d",
                  MAX_MANAGED_CHARS);
        policy_free(p);
        return;
    }
    char id[IAM_ID_LEN + 1];
    state_random_id(id, "ANPA", IAM_ID_LEN - 4, false);
    iam_managed *m =
        managed_new(call->account, name, id, path ? path : "/", kv_str(call->input, "Description"),
                    strdup(document), p, call->now_ms);
    if (db_begin() != 0 || !ops_commit(call, db_put_managed(m))) {
        state_remove_managed(m); /* never added: only freed */
        return;
    }
    ops_publish_begin();
    state_add_managed(m);
    ops_publish_end();
    answer_policy(call, m, false);
}

/* The managed policy PolicyArn names in the caller's account; NULL with NoSuchEntity. */
static iam_managed *find_managed(op_call *call)
{
    const char *arn = kv_str(call->input, "PolicyArn");
    iam_managed *m = state_managed_arn(arn);
    if (!m || strcmp(m->account, call->account) != 0) {
        call_fail(call, "NoSuchEntityException", "Policy %s does not exist or is not attachable.",
                  arn);
        return NULL;
    }
    return m;
}

void op_get_policy(op_call *call)
{
    iam_managed *m = find_managed(call);
    if (m)
        answer_policy(call, m, true);
}

void op_get_policy_version(op_call *call)
{
    iam_managed *m = find_managed(call);
    const char *version = kv_str(call->input, "VersionId");
    if (!m)
        return;
    if (strcmp(version, "v1") != 0) {
        call_fail(call, "NoSuchEntityException",
                  "Policy %s version %s does not exist or is not attachable.", m->arn, version);
        return;
    }
    enc_map_begin(call->out);
    enc_key(call->out, "PolicyVersion");
    enc_map_begin(call->out);
    enc_key(call->out, "Document");
    ops_write_urlencoded(call->out, m->document);
    enc_key(call->out, "VersionId");
    enc_str(call->out, "v1");
    enc_key(call->out, "IsDefaultVersion");
    enc_bool(call->out, true);
    enc_key(call->out, "CreateDate");
    enc_timestamp_ms(call->out, m->created_ms);
    enc_map_end(call->out);
    enc_map_end(call->out);
}

static bool listed(const op_call *call, const void *item)
{
    const iam_managed *m = item;
    const char *scope = kv_str(call->input, "Scope"), *prefix = kv_str(call->input, "PathPrefix");
    if (scope && strcmp(scope, "AWS") == 0) /* kinesd has no AWS managed policies */
        return false;
    if (kv_bool(call->input, "OnlyAttached", false) && m->attachments == 0)
        return false;
    return !prefix || strncmp(m->path, prefix, strlen(prefix)) == 0;
}

static const char *policy_name_of(const void *item)
{
    return ((const iam_managed *)item)->name;
}

static void write_listed_policy(kenc *e, const void *item)
{
    write_policy(e, item, false);
}

void op_list_policies(op_call *call)
{
    static const ops_lister policies = {"Policies", policy_name_of, listed, write_listed_policy};
    size_t n;
    iam_managed **all = state_managed_of(call->account, &n);
    ops_write_page(call, &policies, (void *const *)all, n);
    free(all);
}

void op_delete_policy(op_call *call)
{
    iam_managed *m = find_managed(call);
    if (!m)
        return;
    if (m->attachments) {
        call_fail(call, "DeleteConflictException", "Cannot delete a policy attached to entities.");
        return;
    }
    if (db_begin() != 0 || !ops_commit(call, db_delete_managed(m)))
        return;
    ops_publish_begin();
    state_remove_managed(m);
    ops_publish_end();
    ops_write_empty(call);
}

static bool is_attached(const iam_user *u, const iam_managed *m)
{
    for (size_t i = 0; i < u->n_attached; i++)
        if (u->attached[i] == m)
            return true;
    return false;
}

static void attach(op_call *call, const ops_holder *h)
{
    iam_user *u = h->find(call, kv_str(call->input, h->name_key));
    iam_managed *m = u ? find_managed(call) : NULL;
    if (!m)
        return;
    if (is_attached(u, m)) {
        ops_write_empty(call);
        return;
    }
    if (u->n_attached >= MAX_ATTACHED) {
        call_fail(call, "LimitExceededException", "Cannot exceed quota for %s: %d", h->quota,
                  MAX_ATTACHED);
        return;
    }
    if (db_begin() != 0 || !ops_commit(call, db_attach(u, m)))
        return;
    ops_publish_begin();
    state_attach(u, m);
    ops_publish_end();
    ops_write_empty(call);
}

static void detach(op_call *call, const ops_holder *h)
{
    iam_user *u = h->find(call, kv_str(call->input, h->name_key));
    const char *arn = kv_str(call->input, "PolicyArn");
    iam_managed *m = u ? state_managed_arn(arn) : NULL;
    if (!u)
        return;
    if (!m || !is_attached(u, m)) {
        call_fail(call, "NoSuchEntityException", "Policy %s was not found.", arn);
        return;
    }
    if (db_begin() != 0 || !ops_commit(call, db_detach(u, m)))
        return;
    ops_publish_begin();
    state_detach(u, m);
    ops_publish_end();
    ops_write_empty(call);
}

static void list_attached(op_call *call, const ops_holder *h)
{
    iam_user *u = h->find(call, kv_str(call->input, h->name_key));
    const char *prefix = kv_str(call->input, "PathPrefix");
    if (!u)
        return;
    enc_map_begin(call->out);
    enc_key(call->out, "AttachedPolicies");
    enc_list_begin(call->out);
    for (size_t i = 0; i < u->n_attached; i++) {
        const iam_managed *m = u->attached[i];
        if (prefix && strncmp(m->path, prefix, strlen(prefix)) != 0)
            continue;
        enc_map_begin(call->out);
        enc_key(call->out, "PolicyName");
        enc_str(call->out, m->name);
        enc_key(call->out, "PolicyArn");
        enc_str(call->out, m->arn);
        enc_map_end(call->out);
    }
    enc_list_end(call->out);
    ops_page_end(call, false, NULL);
    enc_map_end(call->out);
}

void op_attach_user_policy(op_call *call)
{
    attach(call, &ops_users);
}

void op_detach_user_policy(op_call *call)
{
    detach(call, &ops_users);
}

void op_list_attached_user_policies(op_call *call)
{
    list_attached(call, &ops_users);
}

void op_attach_role_policy(op_call *call)
{
    attach(call, &ops_roles);
}

void op_detach_role_policy(op_call *call)
{
    detach(call, &ops_roles);
}

void op_list_attached_role_policies(op_call *call)
{
    list_attached(call, &ops_roles);
}
