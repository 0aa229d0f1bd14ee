/* ops_util.c - what the SQS operations share: finding the queue a URL names, and the checks of
 * batch entries (see ops.h). */
#include <stdio.h>
#include <string.h>

#include "../core/service.h"
#include "errors.h"
#include "ops.h"

#define BATCH_ID_MAX 80

sqs_queue *ops_queue(op_call *call)
{
    const char *url = kv_str(call->input, "QueueUrl");
    const char *name = url ? strrchr(url, '/') : NULL;
    sqs_queue *q = NULL;
    if (name && name > url) {
        const char *account = name - 1;
        while (account > url && account[-1] != '/')
            account--;
        char acct[32];
        size_t n = (size_t)(name - account);
        if (n > 0 && n < sizeof acct) {
            memcpy(acct, account, n);
            acct[n] = '\0';
            q = queues_find(call->region, acct, name + 1);
        }
    }
    if (!q)
        sqs_error(call, SQS_QUEUE_DOES_NOT_EXIST, "The specified queue does not exist.");
    return q;
}

static bool valid_batch_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > BATCH_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
              (id[i] >= '0' && id[i] <= '9') || id[i] == '-' || id[i] == '_'))
            return false;
    return true;
}

bool ops_check_batch(op_call *call, const kval *entries, const char *entry_shape)
{
    size_t n = entries ? entries->u.list.n : 0;
    if (n == 0) {
        sqs_error(call, SQS_EMPTY_BATCH, "There should be at least one %s in the request.",
                  entry_shape);
        return false;
    }
    if (n > BATCH_MAX) {
        sqs_error(call, SQS_TOO_MANY_ENTRIES,
                  "Maximum number of entries per request are %d. You have sent %zu.", BATCH_MAX, n);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const char *id = kv_str(&entries->u.list.items[i], "Id");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(id, kv_str(&entries->u.list.items[j], "Id"))) {
                sqs_error(call, SQS_BATCH_IDS_NOT_DISTINCT, "Id %s repeated.", id);
                return false;
            }
        if (!valid_batch_id(id)) {
            sqs_error(call, SQS_INVALID_BATCH_ENTRY_ID,
                      "A batch entry id can only contain alphanumeric characters, hyphens and "
                      "underscores. It can be at most 80 letters long.");
            return false;
        }
    }
    return true;
}

/* The first required member missing (or empty) in v of shape s, recursively; NULL if none. */
static const char *missing_member(const model_shape *s, const kval *v)
{
    if (s->type == SHAPE_LIST && v->type == KV_LIST) {
        for (size_t i = 0; i < v->u.list.n; i++) {
            const char *m = missing_member(s->member, &v->u.list.items[i]);
            if (m)
                return m;
        }
        return NULL;
    }
    if (s->type != SHAPE_STRUCTURE || v->type != KV_MAP)
        return NULL;
    for (size_t i = 0; i < s->n_members; i++) {
        const model_member *m = &s->members[i];
        const kval *member = kv_get(v, m->name);
        if (m->required && (!member || (member->type == KV_STRING && member->u.s.len == 0)))
            return m->name;
        const char *inner = member ? missing_member(m->shape, member) : NULL;
        if (inner)
            return inner;
    }
    return NULL;
}

bool ops_check_required(op_call *call)
{
    const model_op *op = model_find_op(call->service->schema, call->operation);
    const model_shape *input = op ? model_op_input(op) : NULL;
    const char *missing = input ? missing_member(input, call->input) : NULL;
    if (missing)
        sqs_error(call, SQS_MISSING_PARAMETER, "The request must contain the parameter %s.",
                  missing);
    return !missing;
}

void ops_fail_internal(op_call *call)
{
    sqs_error(call, SQS_INTERNAL_ERROR, "We encountered an internal error. Please try again.");
}
