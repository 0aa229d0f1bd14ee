/* ops_records.c - the checks and messages the record operations share (see records.h). The
 * operations themselves live in ops_put.c, ops_shard_iterator.c and ops_get_records.c. */
#include <stdio.h>
#include <string.h>

#include "records.h"

bool records_stream_usable(const stream *s)
{
    return s->status == STREAM_ACTIVE || s->status == STREAM_UPDATING;
}

/* AWS answers a stream that is still CREATING or already DELETING as if it did not exist. */
stream *records_stream(op_call *call)
{
    stream *s = registry_resolve(call->input, call->account, call->region, call->err);
    if (s && !records_stream_usable(s)) {
        aws_error_set(call->err, 400, "ResourceNotFoundException",
                      "Stream %s under account %s not found.", s->name, s->account);
        return NULL;
    }
    return s;
}

bool records_hash_key(const kval *record, u128 *out, aws_error *err)
{
    const kval *explicit_key = kv_get(record, "ExplicitHashKey");
    if (explicit_key && explicit_key->type == KV_STRING) {
        if (u128_parse(explicit_key->u.s.ptr, explicit_key->u.s.len, out))
            return true;
        aws_error_set(
            err, 400, "InvalidArgumentException",
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            "Specified value was %s",
            explicit_key->u.s.ptr);
        return false;
    }
    const kval *key = kv_get(record, "PartitionKey");
    *out = u128_md5(key->u.s.ptr, key->u.s.len);
    return true;
}

#define MAX_LISTED_VIOLATIONS 10 /* AWS lists at most this many in one ValidationException */

bool records_require_keys(const op_call *call, const stream *s)
{
    if (s->auto_distribution)
        return true;
    const kval *list = kv_get(call->input, "Records");
    kbuf listed = KBUF_INIT;
    int count = 0;
    size_t n = list ? list->u.list.n : 1;
    for (size_t i = 0; i < n && count < MAX_LISTED_VIOLATIONS; i++) {
        if (kv_get(list ? &list->u.list.items[i] : call->input, "PartitionKey"))
            continue;
        char member[64] = "partitionKey";
        if (list)
            snprintf(member, sizeof member, "records.%zu.member.partitionKey", i + 1);
        kbuf_printf(&listed,
                    "%sValue null at '%s' failed to satisfy constraint: Member must not be "
                    "null",
                    count++ ? "; " : "", member);
    }
    if (count)
        aws_error_set(call->err, 400, "ValidationException", "%d validation error%s detected: %s",
                      count, count > 1 ? "s" : "", listed.data);
    kbuf_free(&listed);
    return count == 0;
}

void records_shard_not_found(aws_error *err, const char *shard_id, const char *stream_name,
                             const char *account)
{
    char padded[24];
    int index = shard_id_index(shard_id);
    if (index >= 0)
        shard_id_format(index, padded);
    aws_error_set(err, 400, "ResourceNotFoundException",
                  "Shard %s in stream %s under account %s does not exist",
                  index >= 0 ? padded : shard_id, stream_name, account);
}
