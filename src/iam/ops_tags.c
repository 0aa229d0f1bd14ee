/* ops_tags.c - the tags of users and roles (see ops.h): TagUser, UntagUser, ListUserTags and
 * TagRole, UntagRole, ListRoleTags, one handler over the holder kind (ops_holder), and the Tags
 * of CreateUser and CreateRole. A change is made on a draft copy of the tags, committed, then
 * published by swapping the tag arrays. */
#include <string.h>

#include "db.h"
#include "ops.h"

#define MAX_TAGS 50 /* TagsPerUser, TagsPerRole */

bool ops_tags_fit(op_call *call, const ops_holder *h, const iam_user *u, const kval *tags)
{
    size_t count = u ? u->n_tags : 0;
    for (size_t i = 0; tags && i < tags->u.list.n; i++) {
        const char *key = kv_str(&tags->u.list.items[i], "Key");
        bool known = false;
        for (size_t j = 0; u && j < u->n_tags && !known; j++)
            known = strcmp(u->tags[j].key, key) == 0;
        count += !known;
    }
    if (count <= MAX_TAGS)
        return true;
    call_fail(call, "LimitExceededException", "Cannot exceed quota for %s: %d", h->tags_quota,
              MAX_TAGS);
    return false;
}

void ops_apply_tags(iam_user *u, const kval *tags)
{
    for (size_t i = 0; tags && i < tags->u.list.n; i++)
        state_set_tag(u, kv_str(&tags->u.list.items[i], "Key"),
                      kv_str(&tags->u.list.items[i], "Value"));
}

/* A copy of u's tags to change before committing them. */
static iam_user *tag_draft(const iam_user *u)
{
    iam_user *draft = user_new(u->account, u->name, u->id, u->path, u->created_ms);
    draft->is_role = u->is_role; /* where its tags are stored */
    for (size_t i = 0; i < u->n_tags; i++)
        state_set_tag(draft, u->tags[i].key, u->tags[i].value);
    return draft;
}

/* Commits the draft's tags, then publishes them into u (swapping the tag arrays). */
static void commit_tags(op_call *call, iam_user *u, iam_user *draft)
{
    if (db_begin() == 0 && ops_commit(call, db_put_tags(draft))) {
        ops_publish_begin();
        iam_tag *tags = u->tags;
        size_t n = u->n_tags;
        u->tags = draft->tags, u->n_tags = draft->n_tags;
        draft->tags = tags, draft->n_tags = n;
        ops_publish_end();
        ops_write_empty(call);
    }
    state_remove_user(draft); /* never added: only freed */
}

static void tag(op_call *call, const ops_holder *h)
{
    iam_user *u = h->find(call, kv_str(call->input, h->name_key));
    const kval *tags = kv_get(call->input, "Tags");
    if (!u || !ops_tags_fit(call, h, u, tags))
        return;
    iam_user *draft = tag_draft(u);
    ops_apply_tags(draft, tags);
    commit_tags(call, u, draft);
}

static void untag(op_call *call, const ops_holder *h)
{
    iam_user *u = h->find(call, kv_str(call->input, h->name_key));
    const kval *keys = kv_get(call->input, "TagKeys");
    if (!u)
        return;
    iam_user *draft = tag_draft(u);
    for (size_t i = 0; keys && i < keys->u.list.n; i++)
        state_remove_tag(draft, keys->u.list.items[i].u.s.ptr);
    commit_tags(call, u, draft);
}

static void list_tags(op_call *call, const ops_holder *h)
{
    iam_user *u = h->find(call, kv_str(call->input, h->name_key));
    if (!u)
        return;
    enc_map_begin(call->out);
    ops_write_tags(call->out, u);
    ops_page_end(call, false, NULL);
    enc_map_end(call->out);
}

void op_tag_user(op_call *call)
{
    tag(call, &ops_users);
}

void op_untag_user(op_call *call)
{
    untag(call, &ops_users);
}

void op_list_user_tags(op_call *call)
{
    list_tags(call, &ops_users);
}

void op_tag_role(op_call *call)
{
    tag(call, &ops_roles);
}

void op_untag_role(op_call *call)
{
    untag(call, &ops_roles);
}

void op_list_role_tags(op_call *call)
{
    list_tags(call, &ops_roles);
}
