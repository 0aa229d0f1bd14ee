/* esm_status.c - GET /_kinesd/lambda/triggers/ACCOUNT/REGION: the event source mappings of an
 * account and region with each shard's progress (its checkpoint, how far it was read, its lag
 * behind the shard's end and IteratorAge, counts and last error), as JSON; what `kinesctl
 * triggers` prints. A signed plain route on the loop thread, like the function logs (the
 * caller's own account only): it reads under lambda_lock shared and each mapping's progress
 * mutex. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "esm.h"

static void add_str(json_object *o, const char *key, const char *value)
{
    json_object_object_add(o, key, json_object_new_string(value));
}

static void add_int(json_object *o, const char *key, uint64_t value)
{
    json_object_object_add(o, key, json_object_new_int64((int64_t)value));
}

static json_object *shard_status(const esm_shard_progress *s)
{
    json_object *o = json_object_new_object();
    add_str(o, "ShardId", s->id);
    add_str(o, "Phase", s->phase);
    add_int(o, "Checkpoint", s->checkpoint);
    add_int(o, "ReadUpTo", s->read);
    add_int(o, "Committed", s->committed);
    add_int(o, "Lag", s->committed > s->checkpoint ? s->committed - s->checkpoint : 0);
    add_int(o, "IteratorAgeMilliseconds", (uint64_t)s->iterator_age_ms);
    add_int(o, "Records", s->records);
    add_int(o, "Filtered", s->filtered);
    add_int(o, "BatchesOk", s->batches_ok);
    add_int(o, "BatchesFailed", s->batches_failed);
    add_int(o, "GivenUp", s->given_up);
    add_str(o, "LastError", s->last_error);
    return o;
}

static json_object *mapping_status(const esm_mapping *m)
{
    const esm_config *c = m->cfg;
    json_object *o = json_object_new_object(), *shards = json_object_new_array();
    add_str(o, "UUID", c->uuid);
    add_str(o, "FunctionArn", c->function_arn);
    add_str(o, "EventSourceArn", c->source_arn);
    add_str(o, "State", esm_state_name(c->state));
    add_int(o, "BatchSize", (uint64_t)c->batch_size);
    pthread_mutex_lock(&m->progress->mu);
    add_str(o, "LastProcessingResult", m->progress->last_result);
    for (int i = 0; i < m->progress->n_shards; i++)
        json_object_array_add(shards, shard_status(&m->progress->shards[i]));
    pthread_mutex_unlock(&m->progress->mu);
    json_object_object_add(o, "Shards", shards);
    return o;
}

void esm_status_route(http_exchange *ex, const http_request *req, const caller *who)
{
    char account[16] = "", region[32] = "";
    const char *rel = req->url + strlen(ESM_STATUS_ROUTE);
    size_t n = strcspn(rel, "/?");
    if (n < sizeof account && rel[n] == '/') {
        memcpy(account, rel, n);
        account[n] = '\0';
        snprintf(region, sizeof region, "%.*s", (int)strcspn(rel + n + 1, "/?"), rel + n + 1);
    }
    if (strcmp(account, who->account) != 0) {
        http_respond(ex, 403, NULL, "", 0); /* another account's mappings are not the caller's */
        return;
    }
    json_object *list = json_object_new_array(), *root = json_object_new_object();
    pthread_rwlock_rdlock(&lambda_lock);
    for (int i = 0; i < esm_count(); i++) {
        const esm_mapping *m = esm_at(i);
        if (strcmp(m->cfg->account, account) == 0 && strcmp(m->cfg->region, region) == 0)
            json_object_array_add(list, mapping_status(m));
    }
    pthread_rwlock_unlock(&lambda_lock);
    json_object_object_add(root, "EventSourceMappings", list);
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    const char *headers[] = {"Content-Type: application/json", NULL};
    http_respond(ex, 200, headers, text, strlen(text));
    json_object_put(root);
}
