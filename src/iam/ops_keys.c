/* ops_keys.c - access keys: 20-character AKIA ids, 40-character secrets from the CSPRNG, at
 * most two per user (or root), the secret shown once, at creation (see ops.h). */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ops.h"

/* The owner the call's keys belong to: a user of the account (NULL *user_out for the root).
 * False with NoSuchEntity when the named user does not exist. */
static bool key_owner(op_call *call, iam_user **user_out)
{
    const char *name = ops_user_name(call);
    *user_out = name ? ops_find_user(call, name) : NULL;
    return !name || *user_out;
}

static void write_key(kenc *e, const iam_key *k, bool with_secret)
{
    enc_map_begin(e);
    if (k->user) {
        enc_key(e, "UserName");
        enc_str(e, k->user);
    }
    enc_key(e, "AccessKeyId");
    enc_str(e, k->id);
    enc_key(e, "Status");
    enc_str(e, k->active ? "Active" : "Inactive");
    if (with_secret) {
        enc_key(e, "SecretAccessKey");
        enc_str(e, k->secret);
    }
    enc_key(e, "CreateDate");
    enc_timestamp_ms(e, k->created_ms);
    enc_map_end(e);
}

void op_create_access_key(op_call *call)
{
    iam_user *u;
    if (!key_owner(call, &u))
        return;
    iam_key *existing[IAM_MAX_KEYS_PER_USER];
    if (state_user_keys(call->account, u ? u->name : NULL, existing, IAM_MAX_KEYS_PER_USER) >=
        IAM_MAX_KEYS_PER_USER) {
        call_fail(call, "LimitExceededException", "Cannot exceed quota for AccessKeysPerUser: %d",
                  IAM_MAX_KEYS_PER_USER);
        return;
    }
    iam_key *k = key_new(call->account, u ? u->name : NULL, call->now_ms);
    if (db_begin() != 0 || !ops_commit(call, db_put_key(k))) {
        state_remove_key(k); /* never added: only freed */
        return;
    }
    ops_publish_begin();
    state_add_key(k);
    ops_publish_end();
    enc_map_begin(call->out);
    enc_key(call->out, "AccessKey");
    write_key(call->out, k, true);
    enc_map_end(call->out);
}

void op_list_access_keys(op_call *call)
{
    iam_user *u;
    if (!key_owner(call, &u))
        return;
    iam_key *keys[IAM_MAX_KEYS_PER_USER + 1];
    size_t n = state_user_keys(call->account, u ? u->name : NULL, keys, IAM_MAX_KEYS_PER_USER + 1);
    enc_map_begin(call->out);
    enc_key(call->out, "AccessKeyMetadata");
    enc_list_begin(call->out);
    for (size_t i = 0; i < n; i++)
        write_key(call->out, keys[i], false);
    enc_list_end(call->out);
    ops_page_end(call, false, NULL);
    enc_map_end(call->out);
}

/* The key AccessKeyId names among the owner's keys; NULL with NoSuchEntity. */
static iam_key *owned_key(op_call *call)
{
    iam_user *u;
    if (!key_owner(call, &u))
        return NULL;
    const char *id = kv_str(call->input, "AccessKeyId");
    iam_key *k = state_key(id);
    bool owned = k && strcmp(k->account, call->account) == 0 &&
                 (u ? k->user && strcmp(k->user, u->name) == 0 : !k->user);
    if (!owned)
        call_fail(call, "NoSuchEntityException", "The Access Key with id %s cannot be found.", id);
    return owned ? k : NULL;
}

void op_update_access_key(op_call *call)
{
    iam_key *k = owned_key(call);
    if (!k)
        return;
    iam_key draft = *k;
    draft.active = strcmp(kv_str(call->input, "Status"), "Active") == 0;
    if (db_begin() != 0 || !ops_commit(call, db_put_key(&draft)))
        return;
    ops_publish_begin();
    k->active = draft.active;
    ops_publish_end();
    enc_map_begin(call->out);
    enc_map_end(call->out);
}

void op_delete_access_key(op_call *call)
{
    iam_key *k = owned_key(call);
    if (!k || db_begin() != 0 || !ops_commit(call, db_delete_key(k)))
        return;
    ops_publish_begin();
    state_remove_key(k);
    ops_publish_end();
    enc_map_begin(call->out);
    enc_map_end(call->out);
}

void op_get_access_key_last_used(op_call *call)
{
    const char *id = kv_str(call->input, "AccessKeyId");
    iam_key *k = state_key(id);
    if (!k || strcmp(k->account, call->account) != 0) {
        call_fail(call, "NoSuchEntityException", "The Access Key with id %s cannot be found.", id);
        return;
    }
    int64_t used = __atomic_load_n(&k->last_used_ms, __ATOMIC_RELAXED);
    const char *service = __atomic_load_n(&k->last_service, __ATOMIC_RELAXED);
    const char *region = __atomic_load_n(&k->last_region, __ATOMIC_RELAXED);
    enc_map_begin(call->out);
    if (k->user) {
        enc_key(call->out, "UserName");
        enc_str(call->out, k->user);
    }
    enc_key(call->out, "AccessKeyLastUsed");
    enc_map_begin(call->out);
    if (used) {
        enc_key(call->out, "LastUsedDate");
        enc_timestamp_ms(call->out, used);
    }
    enc_key(call->out, "ServiceName");
    enc_str(call->out, service ? service : "N/A");
    enc_key(call->out, "Region");
    enc_str(call->out, region ? region : "N/A");
    enc_map_end(call->out);
    enc_map_end(call->out);
}
