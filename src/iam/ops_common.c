/* ops_common.c - what the IAM operations share: the user or role a call names, committing and
 * publishing a change, paging, and writing entities (see ops.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../auth/uri.h"
#include "../core/service.h"
#include "db.h"
#include "ops.h"

#define DEFAULT_PAGE 100

const char *ops_user_name(const op_call *call)
{
    const char *name = kv_str(call->input, "UserName");
    return name ? name : call->who->root ? NULL : call->who->user_name;
}

/* p, or NULL with NoSuchEntity about the `noun` named `name` when p is NULL. */
static iam_user *found(op_call *call, iam_user *p, const char *noun, const char *name)
{
    if (!p)
        call_fail(call, "NoSuchEntityException", "The %s with name %s cannot be found.", noun,
                  name ? name : "");
    return p;
}

iam_user *ops_find_user(op_call *call, const char *name)
{
    if (name && !*name && call->who->role_arn[0]) { /* no UserName, called by a role session */
        aws_error_set(call->err, 400, "ValidationError",
                      "Must specify userName when calling with non-User credentials");
        return NULL;
    }
    return found(call, name ? state_user(call->account, name) : NULL, "user", name);
}

iam_user *ops_find_role(op_call *call, const char *name)
{
    return found(call, name ? state_role(call->account, name) : NULL, "role", name);
}

iam_user *ops_any_case(iam_user **(*of)(const char *account, size_t *n), const char *account,
                       const char *name)
{
    size_t n;
    iam_user **all = of(account, &n), *found = NULL;
    for (size_t i = 0; i < n && !found; i++)
        if (strcasecmp(all[i]->name, name) == 0)
            found = all[i];
    free(all);
    return found;
}

const char *ops_policies_conflict(const iam_user *u)
{
    if (u->n_inlines)
        return "Cannot delete entity, must delete policies first.";
    if (u->n_attached)
        return "Cannot delete entity, must detach all policies first.";
    return NULL;
}

void ops_delete_holder(op_call *call, iam_user *u, const char *conflict)
{
    if (conflict) {
        call_fail(call, "DeleteConflictException", "%s", conflict);
        return;
    }
    if (db_begin() != 0 || !ops_commit(call, u->is_role ? db_delete_role(u) : db_delete_user(u)))
        return;
    ops_publish_begin();
    if (u->is_role)
        state_remove_role(u);
    else
        state_remove_user(u);
    ops_publish_end();
    ops_write_empty(call);
}

const char *ops_holder_name(const void *item)
{
    return ((const iam_user *)item)->name;
}

bool ops_holder_in_path(const op_call *call, const void *item)
{
    const char *prefix = kv_str(call->input, "PathPrefix");
    return !prefix || strncmp(((const iam_user *)item)->path, prefix, strlen(prefix)) == 0;
}

size_t ops_policy_chars(const char *text)
{
    size_t n = 0;
    for (; *text; text++)
        n += !isspace((unsigned char)*text);
    return n;
}

policy *ops_compile(op_call *call, const char *document, policy_kind kind)
{
    kbuf why = KBUF_INIT;
    policy *p = policy_parse(document, kind, &why);
    if (!p)
        call_fail(call, "MalformedPolicyDocumentException", "%s", why.data);
    kbuf_free(&why);
    return p;
}

bool ops_commit(op_call *call, int rc)
{
    if (rc == 0 && db_commit() == 0)
        return true;
    if (rc != 0)
        db_rollback();
    call_fail(call, "ServiceFailureException",
              "The request processing has failed because of an unknown error, exception or "
              "failure.");
    return false;
}

void ops_publish_begin(void)
{
    pthread_rwlock_wrlock(&iam_lock);
}

void ops_publish_end(void)
{
    pthread_rwlock_unlock(&iam_lock);
    service_access_changed();
}

void ops_write_page(op_call *call, const ops_lister *l, void *const *items, size_t n)
{
    const char *marker = kv_str(call->input, "Marker"), *last = NULL;
    int64_t max;
    size_t at = 0, written = 0,
           limit = kv_int(call->input, "MaxItems", &max) && max > 0 ? (size_t)max : DEFAULT_PAGE;
    while (marker && at < n && strcmp(l->name_of(items[at]), marker) <= 0)
        at++;
    enc_map_begin(call->out);
    enc_key(call->out, l->list_key);
    enc_list_begin(call->out);
    for (; at < n && written < limit; at++) {
        if (!l->include(call, items[at]))
            continue;
        l->write(call->out, items[at]);
        last = l->name_of(items[at]);
        written++;
    }
    enc_list_end(call->out);
    ops_page_end(call, at < n, last);
    enc_map_end(call->out);
}

void ops_page_end(op_call *call, bool truncated, const char *last)
{
    enc_key(call->out, "IsTruncated");
    enc_bool(call->out, truncated);
    if (truncated && last) {
        enc_key(call->out, "Marker");
        enc_str(call->out, last);
    }
}

void ops_write_tags(kenc *e, const iam_user *u)
{
    enc_key(e, "Tags");
    enc_list_begin(e);
    for (size_t i = 0; i < u->n_tags; i++) {
        enc_map_begin(e);
        enc_key(e, "Key");
        enc_str(e, u->tags[i].key);
        enc_key(e, "Value");
        enc_str(e, u->tags[i].value);
        enc_map_end(e);
    }
    enc_list_end(e);
}

void ops_write_user(kenc *e, const iam_user *u, bool with_tags)
{
    enc_map_begin(e);
    enc_key(e, "Path");
    enc_str(e, u->path);
    enc_key(e, "UserName");
    enc_str(e, u->name);
    enc_key(e, "UserId");
    enc_str(e, u->id);
    enc_key(e, "Arn");
    enc_str(e, u->arn);
    enc_key(e, "CreateDate");
    enc_timestamp_ms(e, u->created_ms);
    if (with_tags && u->n_tags)
        ops_write_tags(e, u);
    enc_map_end(e);
}

void ops_write_urlencoded(kenc *e, const char *document)
{
    kbuf text = KBUF_INIT;
    uri_encode(&text, document, strlen(document), false);
    enc_strn(e, text.data ? text.data : "", text.len);
    kbuf_free(&text);
}

void ops_write_empty(op_call *call)
{
    enc_map_begin(call->out);
    enc_map_end(call->out);
}
