/* ops_tags.c - tags of streams and consumers: AddTagsToStream, RemoveTagsFromStream,
 * ListTagsForStream, and their ARN-addressed twins TagResource, UntagResource,
 * ListTagsForResource, which also take a consumer's ARN (as on AWS); and the check of the tags
 * RegisterStreamConsumer is given.
 *
 * Tags live only in meta.sqlite (nothing on the data path needs them), so every operation here
 * runs on the control thread, which alone uses the database; after each change the resource's
 * tags are published for the authorizer (access.h: aws:ResourceTag). */
#include "ops_tags.h"

#include <ctype.h>
#include <string.h>

#include "access.h"
#include "ops.h"
#include "registry_edit.h"

#define MAX_TAGS_PER_RESOURCE 50
#define LIST_TAGS_MAX_LIMIT 50

/* AWS's tag alphabet: Unicode letters, digits, the space and _ . / = + - % @ : (bytes of
 * multi-byte UTF-8 characters are taken as letters). AWS refuses tabs and line breaks. */
static bool tag_char_ok(unsigned char c)
{
    return c >= 0x80 || isalnum(c) || c == ' ' || strchr("_./=+-%@:", c);
}

static const char *kind_of(const resource_ref *r)
{
    return r->c ? "consumer" : "stream";
}

static const char *name_of(const resource_ref *r)
{
    return r->c ? r->c->name : r->s->name;
}

/* InvalidArgumentException when a tag text has characters AWS refuses; false when raised. */
static bool tag_text_ok(const char *text, const char *kind, const char *name, const char *account,
                        const char *verb, aws_error *err)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (!tag_char_ok(*p)) {
            aws_error_set(err, 400, "InvalidArgumentException",
                          "Some tags contain invalid characters. Valid characters: Unicode "
                          "letters, digits, white space, _ . / = + - %% @ :.");
            return false;
        }
    if (strchr(text, '%')) {
        aws_error_set(err, 400, "InvalidArgumentException",
                      "Failed to %s %s %s under account %s because some tags contained "
                      "illegal characters. The allowed characters are Unicode letters, "
                      "white-spaces, '_',',','/','=','+','-','@',':'.",
                      verb, kind, name, account);
        return false;
    }
    return true;
}

static const char *tag_value(const kval *v)
{
    return v->type == KV_STRING ? v->u.s.ptr : "";
}

static tag_owner owner_of(const resource_ref *r)
{
    return (tag_owner){r->s->uid, r->c ? r->c->arn : NULL};
}

/* ---- finding the resource ------------------------------------------------------------------ */

typedef void (*tag_action)(op_call *call, const resource_ref *r);

/* The stream of StreamName / StreamARN (the ...Stream operations). */
static void run_on_stream(op_call *call, tag_action action)
{
    resource_ref r = {registry_resolve(call->input, call->account, call->region, call->err), NULL,
                      NULL};
    if (r.s) {
        r.arn = r.s->arn;
        action(call, &r);
    }
}

/* The stream or consumer of ResourceARN (the ...Resource operations). */
static void run_on_resource(op_call *call, tag_action action)
{
    resource_ref r;
    if (resolve_resource_arn(call, &r))
        action(call, &r);
}

/* Answers a tag change: empty when it was stored (and published for the authorizer), else
 * InternalFailure. */
static void answer_write(op_call *call, const resource_ref *r, bool stored)
{
    if (stored) {
        access_refresh(r->s, r->c);
        write_empty(call->out);
    } else {
        fail_internal(call->err);
    }
}

/* ---- adding -------------------------------------------------------------------------------- */

bool tags_valid(const kval *tags, const char *kind, const char *name, const char *account,
                aws_error *err)
{
    for (size_t i = 0; i < tags->u.map.n; i++)
        if (!tag_text_ok(tags->u.map.keys[i], kind, name, account, "add tags to", err) ||
            !tag_text_ok(tag_value(&tags->u.map.vals[i]), kind, name, account, "add tags to", err))
            return false;
    return true;
}

/* How many tags the resource would have with these added; -1 on error. */
static int tag_count_after(meta *m, const tag_owner *o, const kval *tags)
{
    int count = meta_tag_count(m, o);
    for (size_t i = 0; count >= 0 && i < tags->u.map.n; i++) {
        int exists = meta_tag_exists(m, o, tags->u.map.keys[i]);
        count = exists < 0 ? -1 : count + !exists;
    }
    return count;
}

bool tags_within_limit(int count, const char *kind, const char *name, const char *account,
                       aws_error *err)
{
    if (count <= MAX_TAGS_PER_RESOURCE)
        return true;
    aws_error_set(err, 400, "InvalidArgumentException",
                  "Failed to add tags to %s %s under account %s because a given %s cannot have "
                  "more than %d tags associated with it.",
                  kind, name, account, kind, MAX_TAGS_PER_RESOURCE);
    return false;
}

/* Runs put (or delete when values is NULL) for every key in one transaction. */
static int write_tags(meta *m, const tag_owner *o, const char **keys, const kval *values, size_t n)
{
    if (meta_begin(m) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = values ? meta_tag_put(m, o, keys[i], tag_value(&values[i]))
                    : meta_tag_delete(m, o, keys[i]);
    return meta_end(m, rc);
}

static void add_tags(op_call *call, const resource_ref *r)
{
    const kval *tags = kv_get(call->input, "Tags");
    if (!tags || tags->type != KV_MAP ||
        !tags_valid(tags, kind_of(r), name_of(r), r->s->account, call->err))
        return;
    tag_owner o = owner_of(r);
    int count = tag_count_after(registry_meta(), &o, tags);
    if (!tags_within_limit(count, kind_of(r), name_of(r), r->s->account, call->err))
        return;
    answer_write(call, r,
                 count >= 0 && write_tags(registry_meta(), &o, tags->u.map.keys, tags->u.map.vals,
                                          tags->u.map.n) == 0);
}

void op_add_tags(op_call *call)
{
    run_on_stream(call, add_tags);
}

void op_tag_resource(op_call *call)
{
    run_on_resource(call, add_tags);
}

/* ---- removing ------------------------------------------------------------------------------ */

static void remove_tags(op_call *call, const resource_ref *r)
{
    const kval *keys = kv_get(call->input, "TagKeys");
    if (!keys || keys->type != KV_LIST)
        return;
    size_t n = keys->u.list.n;
    const char **names = arena_alloc(call->arena, (n + 1) * sizeof(*names));
    for (size_t i = 0; i < n; i++) {
        names[i] = tag_value(&keys->u.list.items[i]);
        if (!tag_text_ok(names[i], kind_of(r), name_of(r), r->s->account, "remove tags from",
                         call->err))
            return;
    }
    tag_owner o = owner_of(r);
    answer_write(call, r, write_tags(registry_meta(), &o, names, NULL, n) == 0);
}

void op_remove_tags(op_call *call)
{
    run_on_stream(call, remove_tags);
}

void op_untag_resource(op_call *call)
{
    run_on_resource(call, remove_tags);
}

/* ---- listing ------------------------------------------------------------------------------- */

typedef struct tag_page {
    kenc *e;
    int64_t left; /* tags still to write */
    bool more;
} tag_page;

static bool write_tag(const char *key, const char *value, void *arg)
{
    tag_page *page = arg;
    if (page->left == 0) {
        page->more = true;
        return false;
    }
    enc_map_begin(page->e);
    enc_key(page->e, "Key");
    enc_str(page->e, key);
    enc_key(page->e, "Value");
    enc_str(page->e, value);
    enc_map_end(page->e);
    page->left--;
    return true;
}

/* Writes "Tags": [...] from after_key on, at most page->left of them. */
static void write_tag_list(op_call *call, const resource_ref *r, const char *after_key,
                           tag_page *page)
{
    tag_owner o = owner_of(r);
    enc_key(page->e, "Tags");
    enc_list_begin(page->e);
    if (meta_tags_each(registry_meta(), &o, after_key, write_tag, page) != 0)
        fail_internal(call->err);
    enc_list_end(page->e);
}

static void list_tags(op_call *call, const resource_ref *r)
{
    tag_page page = {call->out, page_limit(call->input, "Limit", LIST_TAGS_MAX_LIMIT), false};
    enc_map_begin(page.e);
    write_tag_list(call, r, kv_str(call->input, "ExclusiveStartTagKey"), &page);
    enc_key(page.e, "HasMoreTags");
    enc_bool(page.e, page.more);
    enc_map_end(page.e);
}

static void list_resource_tags(op_call *call, const resource_ref *r)
{
    tag_page page = {call->out, MAX_TAGS_PER_RESOURCE, false};
    enc_map_begin(page.e);
    write_tag_list(call, r, NULL, &page);
    enc_map_end(page.e);
}

void op_list_tags(op_call *call)
{
    run_on_stream(call, list_tags);
}

void op_list_resource_tags(op_call *call)
{
    run_on_resource(call, list_resource_tags);
}
