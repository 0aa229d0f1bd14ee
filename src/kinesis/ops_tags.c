/* ops_tags.c - stream tags: AddTagsToStream, RemoveTagsFromStream, ListTagsForStream, and their
 * newer ARN-addressed twins TagResource, UntagResource, ListTagsForResource.
 *
 * Tags live only in meta.sqlite (nothing on the data path needs them), so every operation here
 * runs on the control thread, which alone uses the database. Consumers have no tags yet. */
#include <ctype.h>
#include <string.h>

#include "access.h"
#include "ops.h"
#include "ops_util.h"
#include "registry_edit.h"

#define MAX_TAGS_PER_STREAM 50
#define LIST_TAGS_MAX_LIMIT 50

/* AWS's tag alphabet: Unicode letters, digits, the space and _ . / = + - % @ : (bytes of
 * multi-byte UTF-8 characters are taken as letters). AWS refuses tabs and line breaks. */
static bool tag_char_ok(unsigned char c)
{
    return c >= 0x80 || isalnum(c) || c == ' ' || strchr("_./=+-%@:", c);
}

/* InvalidArgumentException when a tag text has characters AWS refuses; false when raised. */
static bool tag_text_ok(const char *text, const stream *s, const char *verb, aws_error *err)
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
                      "Failed to %s stream %s under account %s because some tags contained "
                      "illegal characters. The allowed characters are Unicode letters, "
                      "white-spaces, '_',',','/','=','+','-','@',':'.",
                      verb, s->name, s->account);
        return false;
    }
    return true;
}

static const char *tag_value(const kval *v)
{
    return v->type == KV_STRING ? v->u.s.ptr : "";
}

/* ---- finding the stream ------------------------------------------------------------------- */

typedef stream *(*find_fn)(op_call *call);
typedef void (*tag_action)(op_call *call, stream *s);

static stream *named_stream(op_call *call)
{
    return registry_resolve(call->input, call->account, call->region, call->err);
}

static void run_on(op_call *call, find_fn find, tag_action action)
{
    stream *s = find(call);
    if (s)
        action(call, s);
}

/* Answers a tag change of s: empty when it was stored (and published for the authorizer), else
 * InternalFailure. */
static void answer_write(op_call *call, const stream *s, bool stored)
{
    if (stored) {
        access_refresh(s);
        write_empty(call->out);
    } else {
        fail_internal(call->err);
    }
}

/* ---- adding -------------------------------------------------------------------------------- */

static bool tags_valid(const kval *tags, const stream *s, aws_error *err)
{
    for (size_t i = 0; i < tags->u.map.n; i++)
        if (!tag_text_ok(tags->u.map.keys[i], s, "add tags to", err) ||
            !tag_text_ok(tag_value(&tags->u.map.vals[i]), s, "add tags to", err))
            return false;
    return true;
}

/* How many tags the stream would have with these added; -1 on error. */
static int tag_count_after(meta *m, uint64_t uid, const kval *tags)
{
    int count = meta_tag_count(m, uid);
    for (size_t i = 0; count >= 0 && i < tags->u.map.n; i++) {
        int exists = meta_tag_exists(m, uid, tags->u.map.keys[i]);
        count = exists < 0 ? -1 : count + !exists;
    }
    return count;
}

/* Runs put (or delete when values is NULL) for every key in one transaction. */
static int write_tags(meta *m, uint64_t uid, const char **keys, const kval *values, size_t n)
{
    int rc = meta_begin(m);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = values ? meta_tag_put(m, uid, keys[i], tag_value(&values[i]))
                    : meta_tag_delete(m, uid, keys[i]);
    if (rc == 0)
        rc = meta_commit(m);
    if (rc != 0)
        meta_rollback(m);
    return rc;
}

static int stream_tags_put(uint64_t uid, const kval *tags)
{
    return write_tags(registry_meta(), uid, tags->u.map.keys, tags->u.map.vals, tags->u.map.n);
}

static void add_tags(op_call *call, stream *s)
{
    const kval *tags = kv_get(call->input, "Tags");
    if (!tags || tags->type != KV_MAP || !tags_valid(tags, s, call->err))
        return;
    int count = tag_count_after(registry_meta(), s->uid, tags);
    if (count > MAX_TAGS_PER_STREAM) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "Failed to add tags to stream %s under account %s because a given stream "
                      "cannot have more than %d tags associated with it.",
                      s->name, s->account, MAX_TAGS_PER_STREAM);
        return;
    }
    answer_write(call, s, count >= 0 && stream_tags_put(s->uid, tags) == 0);
}

void op_add_tags(op_call *call)
{
    run_on(call, named_stream, add_tags);
}

void op_tag_resource(op_call *call)
{
    run_on(call, resolve_resource_arn, add_tags);
}

/* ---- removing ------------------------------------------------------------------------------ */

static void remove_tags(op_call *call, stream *s)
{
    const kval *keys = kv_get(call->input, "TagKeys");
    if (!keys || keys->type != KV_LIST)
        return;
    size_t n = keys->u.list.n;
    const char **names = arena_alloc(call->arena, (n + 1) * sizeof(*names));
    for (size_t i = 0; i < n; i++) {
        names[i] = tag_value(&keys->u.list.items[i]);
        if (!tag_text_ok(names[i], s, "remove tags from", call->err))
            return;
    }
    answer_write(call, s, write_tags(registry_meta(), s->uid, names, NULL, n) == 0);
}

void op_remove_tags(op_call *call)
{
    run_on(call, named_stream, remove_tags);
}

void op_untag_resource(op_call *call)
{
    run_on(call, resolve_resource_arn, remove_tags);
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
static void write_tag_list(op_call *call, const stream *s, const char *after_key, tag_page *page)
{
    enc_key(page->e, "Tags");
    enc_list_begin(page->e);
    if (meta_tags_each(registry_meta(), s->uid, after_key, write_tag, page) != 0)
        fail_internal(call->err);
    enc_list_end(page->e);
}

static void list_tags(op_call *call, stream *s)
{
    tag_page page = {call->out, page_limit(call->input, "Limit", LIST_TAGS_MAX_LIMIT), false};
    enc_map_begin(page.e);
    write_tag_list(call, s, kv_str(call->input, "ExclusiveStartTagKey"), &page);
    enc_key(page.e, "HasMoreTags");
    enc_bool(page.e, page.more);
    enc_map_end(page.e);
}

static void list_resource_tags(op_call *call, stream *s)
{
    tag_page page = {call->out, MAX_TAGS_PER_STREAM, false};
    enc_map_begin(page.e);
    write_tag_list(call, s, NULL, &page);
    enc_map_end(page.e);
}

void op_list_tags(op_call *call)
{
    run_on(call, named_stream, list_tags);
}

void op_list_resource_tags(op_call *call)
{
    run_on(call, resolve_resource_arn, list_resource_tags);
}
