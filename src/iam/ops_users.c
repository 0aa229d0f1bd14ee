/* ops_users.c - IAM users (see ops.h; their tags: ops_tags.c). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "ops.h"

void op_create_user(op_call *call)
{
    const char *name = kv_str(call->input, "UserName"), *path = kv_str(call->input, "Path");
    const kval *tags = kv_get(call->input, "Tags");
    if (ops_any_case(state_users_of, call->account, name)) {
        call_fail(call, "EntityAlreadyExistsException", "User with name %s already exists.", name);
        return;
    }
    if (!ops_tags_fit(call, &ops_users, NULL, tags))
        return;
    char id[IAM_ID_LEN + 1];
    state_random_id(id, "AIDA", IAM_ID_LEN - 4, false);
    iam_user *u = user_new(call->account, name, id, path ? path : "/", call->now_ms);
    ops_apply_tags(u, tags);
    if (db_begin() != 0 || !ops_commit(call, db_put_user(u) || db_put_tags(u))) {
        state_remove_user(u); /* never added: only freed */
        return;
    }
    ops_publish_begin();
    state_add_user(u);
    ops_publish_end();
    enc_map_begin(call->out);
    enc_key(call->out, "User");
    ops_write_user(call->out, u, true);
    enc_map_end(call->out);
}

/* GetUser without a name, called by the root: the account itself. */
static void write_root(op_call *call)
{
    enc_map_begin(call->out);
    enc_key(call->out, "User");
    enc_map_begin(call->out);
    enc_key(call->out, "UserId");
    enc_str(call->out, call->who->account);
    enc_key(call->out, "Arn");
    enc_str(call->out, call->who->arn);
    enc_key(call->out, "CreateDate");
    iam_account *a = state_account(call->who->account);
    enc_timestamp_ms(call->out, a ? a->created_ms : 0);
    enc_map_end(call->out);
    enc_map_end(call->out);
}

void op_get_user(op_call *call)
{
    const char *name = ops_user_name(call);
    if (!name) {
        write_root(call);
        return;
    }
    iam_user *u = ops_find_user(call, name);
    if (!u)
        return;
    enc_map_begin(call->out);
    enc_key(call->out, "User");
    ops_write_user(call->out, u, true);
    enc_map_end(call->out);
}

static void write_listed_user(kenc *e, const void *item)
{
    ops_write_user(e, item, false);
}

void op_list_users(op_call *call)
{
    static const ops_lister users = {"Users", ops_holder_name, ops_holder_in_path,
                                     write_listed_user};
    size_t n;
    iam_user **all = state_users_of(call->account, &n);
    ops_write_page(call, &users, (void *const *)all, n);
    free(all);
}

/* Why the user cannot be deleted yet, or NULL. */
static const char *delete_conflict(const iam_user *u)
{
    iam_key *keys[IAM_MAX_KEYS_PER_USER];
    if (state_user_keys(u->account, u->name, keys, IAM_MAX_KEYS_PER_USER))
        return "Cannot delete entity, must delete access keys first.";
    return ops_policies_conflict(u);
}

void op_delete_user(op_call *call)
{
    iam_user *u = ops_find_user(call, kv_str(call->input, "UserName"));
    if (u)
        ops_delete_holder(call, u, delete_conflict(u));
}
