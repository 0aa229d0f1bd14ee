/* ops_consumers.c - enhanced fan-out consumers: RegisterStreamConsumer, DescribeStreamConsumer,
 * ListStreamConsumers, DeregisterStreamConsumer, and DeleteStream's consumer rule.
 *
 * Consumers are kept by consumer.c; this file reads the requests, finds the stream and the
 * consumer they name, checks AWS's limits and writes the Consumer structures. Tags given to
 * RegisterStreamConsumer are kept with the consumer (ListTagsForResource shows them). */
#include "ops_consumers.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "consumer.h"
#include "next_token.h"
#include "ops.h"
#include "ops_tags.h"
#include "ops_util.h"
#include "registry_edit.h"
#include "stream_arn.h"

#define LIST_CONSUMERS_MAX_RESULTS 100 /* the default, and the most one page holds */

/* ---- output -------------------------------------------------------------------------------- */

/* The Consumer structure; ConsumerDescription is the same plus StreamARN. */
static void write_consumer(kenc *e, const consumer *c, bool with_stream_arn)
{
    enc_map_begin(e);
    enc_key(e, "ConsumerName");
    enc_str(e, c->name);
    enc_key(e, "ConsumerARN");
    enc_str(e, c->arn);
    enc_key(e, "ConsumerStatus");
    enc_str(e, consumer_status_name(c->status));
    enc_key(e, "ConsumerCreationTimestamp");
    enc_timestamp_ms(e, c->created_ms);
    if (with_stream_arn) {
        enc_key(e, "StreamARN");
        enc_str(e, c->stream_arn);
    }
    enc_map_end(e);
}

/* ---- finding the stream and the consumer --------------------------------------------------- */

static stream *stream_of_input(op_call *call)
{
    const char *arn = kv_str(call->input, "StreamARN");
    return registry_resolve_arn(arn ? arn : "", call->account, call->region, call->err);
}

static void fail_consumer_not_found(op_call *call, const char *name, const char *stream_name)
{
    aws_error_set(call->err, 400, "ResourceNotFoundException",
                  "Consumer %s under stream %s and account %s not found.", name, stream_name,
                  call->account);
}

consumer *consumer_of_arn(op_call *call, const char *arn, stream **sp)
{
    stream_arn parts;
    if (stream_arn_parse(arn, &parts) &&
        !stream_arn_require_account(&parts, arn, call->account, call->err))
        return NULL;
    consumer *c = consumer_find_arn(arn);
    stream *s = c ? registry_find_uid(c->stream_uid) : NULL;
    if (!s || strcmp(s->account, call->account) != 0 || strcmp(s->region, call->region) != 0) {
        aws_error_set(call->err, 400, "ResourceNotFoundException", "Consumer %s not found.", arn);
        return NULL;
    }
    *sp = s;
    return c;
}

/* The consumer a ConsumerARN names; the other members, when given, must agree with it. */
static consumer *consumer_by_arn(op_call *call, const char *arn)
{
    stream *s;
    consumer *c = consumer_of_arn(call, arn, &s);
    if (!c)
        return NULL;
    const char *name = kv_str(call->input, "ConsumerName");
    const char *stream_arn = kv_str(call->input, "StreamARN");
    if ((name && strcmp(name, c->name) != 0) ||
        (stream_arn && strcmp(stream_arn, c->stream_arn) != 0)) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "ConsumerARN %s does not match the given StreamARN and ConsumerName.", arn);
        return NULL;
    }
    return c;
}

/* The consumer named by ConsumerARN, or by StreamARN and ConsumerName; NULL with err set. */
static consumer *resolve_consumer(op_call *call)
{
    const char *arn = kv_str(call->input, "ConsumerARN");
    if (arn)
        return consumer_by_arn(call, arn);
    const char *name = kv_str(call->input, "ConsumerName");
    if (!name || !kv_str(call->input, "StreamARN")) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "Either ConsumerARN or both ConsumerName and StreamARN must be provided.");
        return NULL;
    }
    stream *s = stream_of_input(call);
    if (!s)
        return NULL;
    consumer *c = consumer_find(s->uid, name);
    if (!c)
        fail_consumer_not_found(call, name, s->name);
    return c;
}

/* ---- RegisterStreamConsumer ---------------------------------------------------------------- */

static int consumers_creating(uint64_t stream_uid)
{
    int creating = 0;
    for (size_t i = 0; i < consumers_of(stream_uid); i++)
        creating += consumer_at(stream_uid, i)->status == CONSUMER_CREATING;
    return creating;
}

/* LimitExceededException when the stream cannot take one more consumer now; false when raised. */
static bool require_consumer_room(const stream *s, aws_error *err)
{
    if (consumers_of(s->uid) >= CONSUMERS_PER_STREAM)
        aws_error_set(err, 400, "LimitExceededException",
                      "Stream %s under account %s already has the maximum number of %d "
                      "consumers registered.",
                      s->name, s->account, CONSUMERS_PER_STREAM);
    else if (consumers_creating(s->uid) >= CONSUMERS_CREATING_MAX)
        aws_error_set(err, 400, "LimitExceededException",
                      "Stream %s under account %s already has %d consumers in CREATING status; "
                      "try again when one of them is ACTIVE.",
                      s->name, s->account, CONSUMERS_CREATING_MAX);
    return err->status == 0;
}

/* The Tags the new consumer is given must be AWS's tag characters, at most 50 of them. */
static bool consumer_tags_ok(op_call *call, const char *name, const char *account)
{
    const kval *tags = kv_get(call->input, "Tags");
    return !tags || tags->type != KV_MAP ||
           (tags_valid(tags, "consumer", name, account, call->err) &&
            tags_within_limit((int)tags->u.map.n, "consumer", name, account, call->err));
}

void op_register_consumer(op_call *call)
{
    stream *s = stream_of_input(call);
    const char *name = kv_str(call->input, "ConsumerName");
    if (!s || !name)
        return;
    if ((s->status == STREAM_CREATING || s->status == STREAM_DELETING) &&
        !require_active(s, call->err))
        return;
    if (consumer_find(s->uid, name)) {
        aws_error_set(call->err, 400, "ResourceInUseException",
                      "Consumer %s under stream %s and account %s already exists.", name, s->name,
                      s->account);
        return;
    }
    if (!require_consumer_room(s, call->err) || !consumer_tags_ok(call, name, s->account))
        return;
    consumer *c =
        consumer_register(s->uid, s->arn, name, kv_get(call->input, "Tags"), call->now_ms);
    if (!c) {
        fail_internal(call->err);
        return;
    }
    enc_map_begin(call->out);
    enc_key(call->out, "Consumer");
    write_consumer(call->out, c, false);
    enc_map_end(call->out);
}

/* ---- DescribeStreamConsumer ---------------------------------------------------------------- */

void op_describe_consumer(op_call *call)
{
    const consumer *c = resolve_consumer(call);
    if (c) {
        enc_map_begin(call->out);
        enc_key(call->out, "ConsumerDescription");
        write_consumer(call->out, c, true);
        enc_map_end(call->out);
    }
}

/* ---- ListStreamConsumers ------------------------------------------------------------------- */

/* The stream's consumers start after the one a NextToken names ("<stream uid>/<name>"); NULL
 * with err set when the token is bad or belongs to another stream. */
static const char *token_start(op_call *call, const stream *s, const char *token)
{
    const char *payload = next_token_read(call->arena, token, call->now_ms, call->err);
    if (!payload)
        return NULL;
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "%" PRIu64 "/", s->uid);
    if (strncmp(payload, prefix, strlen(prefix)) != 0) {
        aws_error_set(call->err, 400, "InvalidArgumentException", "Invalid NextToken: %s", token);
        return NULL;
    }
    return payload + strlen(prefix);
}

/* Where the listing starts: a consumer name to list after ("" for the first). NULL with err set
 * on a bad NextToken, a NextToken given with StreamCreationTimestamp, or a creation time that
 * is not the stream's (the stream of that time is gone). */
static const char *list_start(op_call *call, const stream *s)
{
    const char *token = kv_str(call->input, "NextToken");
    const kval *created = kv_get(call->input, "StreamCreationTimestamp");
    if (token && created) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "NextToken and StreamCreationTimestamp cannot be provided together.");
        return NULL;
    }
    if (token)
        return token_start(call, s, token);
    if (created && created->type == KV_TIMESTAMP && created->u.i / 1000 != s->created_ms / 1000) {
        aws_error_set(call->err, 400, "ResourceNotFoundException",
                      "Stream %s under account %s not found.", s->name, s->account);
        return NULL;
    }
    return "";
}

void op_list_consumers(op_call *call)
{
    const stream *s = stream_of_input(call);
    const char *after = s ? list_start(call, s) : NULL;
    if (!after)
        return;
    size_t limit = (size_t)page_limit(call->input, "MaxResults", LIST_CONSUMERS_MAX_RESULTS);
    size_t first = consumer_after(s->uid, after), total = consumers_of(s->uid);
    size_t end = total - first > limit ? first + limit : total;
    kenc *e = call->out;
    enc_map_begin(e);
    enc_key(e, "Consumers");
    enc_list_begin(e);
    for (size_t i = first; i < end; i++)
        write_consumer(e, consumer_at(s->uid, i), false);
    enc_list_end(e);
    if (end < total) {
        char payload[160];
        snprintf(payload, sizeof(payload), "%" PRIu64 "/%s", s->uid,
                 consumer_at(s->uid, end - 1)->name);
        enc_key(e, "NextToken");
        enc_str(e, next_token_make(call->arena, call->now_ms, payload));
    }
    enc_map_end(e);
}

/* ---- DeregisterStreamConsumer -------------------------------------------------------------- */

void op_deregister_consumer(op_call *call)
{
    consumer *c = resolve_consumer(call);
    if (!c)
        return;
    if (c->status == CONSUMER_DELETING) {
        const stream *s = registry_find_uid(c->stream_uid);
        fail_consumer_not_found(call, c->name, s ? s->name : "");
        return;
    }
    if (consumer_start_deleting(c) != 0) {
        fail_internal(call->err);
        return;
    }
    write_empty(call->out);
}

/* ---- DeleteStream's rule ------------------------------------------------------------------- */

bool consumers_allow_stream_delete(op_call *call, const stream *s)
{
    if (consumers_of(s->uid) == 0 || kv_bool(call->input, "EnforceConsumerDeletion", false))
        return true;
    aws_error_set(call->err, 400, "ResourceInUseException",
                  "DeleteStream can't delete %s because there are consumers associated with this "
                  "data stream. To delete %s anyway, set the EnforceConsumerDeletion parameter to "
                  "true to force the deletion of all the consumers that are associated with it.",
                  s->arn, s->name);
    return false;
}
