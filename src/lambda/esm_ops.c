/* esm_ops.c - CreateEventSourceMapping, GetEventSourceMapping, ListEventSourceMappings,
 * UpdateEventSourceMapping and DeleteEventSourceMapping (see esm.h).
 *
 * Create, Update and Delete run on the control thread: checks, then one lambda.sqlite
 * transaction (a new mapping's row with its shards' starting checkpoints), then the change is
 * published and the pollers told. Get and List read on the loop threads under lambda_lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/uuid.h"
#include "../core/config.h"
#include "../kinesis/kinesis_internal.h"
#include "esm.h"
#include "ops.h"
#include "roles.h"

#define DEFAULT_PAGE 100

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The mapping the input's UUID names in the caller's account and region; NULL with
 * ResourceNotFoundException. */
static esm_mapping *mapping_of(op_call *call)
{
    const char *uuid = kv_str(call->input, "UUID");
    esm_mapping *m = uuid ? esm_find(uuid) : NULL;
    if (m && strcmp(m->cfg->account, call->account) == 0 &&
        strcmp(m->cfg->region, call->region) == 0)
        return m;
    aws_error_set(call->err, 404, "ResourceNotFoundException",
                  "The resource you requested does not exist.");
    return NULL;
}

int esm_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    const char *uuid = kv_str(call->input, "UUID");
    size_t n = strlen(uuid ? uuid : "") + 96;
    char *arn = arena_alloc(call->arena, n);
    snprintf(arn, n, "arn:aws:lambda:%s:%s:event-source-mapping:%s", call->region, call->account,
             uuid ? uuid : "");
    arns[0] = arn;
    return 1;
}

/* The mapping's settings c (its published ones, or those about to be) with its progress. */
static void write_mapping(op_call *call, const esm_mapping *m, const esm_config *c)
{
    char result[sizeof m->progress->last_result];
    pthread_mutex_lock(&m->progress->mu);
    memcpy(result, m->progress->last_result, sizeof result);
    pthread_mutex_unlock(&m->progress->mu);
    esm_config_write(call->out, c, result);
}

/* Sets c's function from FunctionName (InvalidParameterValueException "Function does not exist"
 * when it, or the version it names, does not), and its execution role into role. */
static bool read_function(op_call *call, esm_config *c, char role[256])
{
    aws_error ignored;
    aws_error_init(&ignored);
    fn_ref ref;
    bool named = fn_ref_parse(kv_str(call->input, "FunctionName"), NULL, call->account,
                              call->region, &ref, call->err);
    lambda_function *fn = named ? fn_find(&ref, &ignored) : NULL;
    fn_version *v = fn ? fn_version_of(fn, ref.qualifier[0] ? ref.qualifier : FN_LATEST) : NULL;
    aws_error_free(&ignored);
    if (!named)
        return false;
    if (!v) {
        aws_error_set(call->err, 400, "InvalidParameterValueException", "Function does not exist");
        return false;
    }
    c->function = ref;
    snprintf(role, 256, "%s", v->role);
    snprintf(c->function_arn, sizeof c->function_arn, "%s%s%s", v->arn, ref.qualifier[0] ? ":" : "",
             ref.qualifier);
    return true;
}

/* ResourceConflictException when another mapping joins the same source and function. */
static bool unique(op_call *call, const esm_config *c)
{
    for (int i = 0; i < esm_count(); i++) {
        const esm_config *o = esm_at(i)->cfg;
        if (strcmp(o->uuid, c->uuid) == 0 || strcmp(o->source_arn, c->source_arn) != 0 ||
            strcmp(o->function_arn, c->function_arn) != 0)
            continue;
        aws_error_set(call->err, 409, "ResourceConflictException",
                      "The event source arn (\" %s \") and function (\" %s \") provided mapping "
                      "already exists. Please update or delete the existing mapping with UUID %s",
                      c->source_arn, c->function.name, o->uuid);
        return false;
    }
    return true;
}

/* The state a change starts in: `busy` while the transition lasts (--transition-ms), else the
 * state it ends in. */
static void start_transition(esm_config *c, esm_state busy, int64_t now_ms)
{
    c->transition_at_ms = kinesd_cfg.transition_ms > 0 ? now_ms + kinesd_cfg.transition_ms : 0;
    c->state = c->transition_at_ms ? busy : c->enabled ? ESM_ENABLED : ESM_DISABLED;
}

/* --- create ---------------------------------------------------------------------------------- */

/* Where each shard of the source starts, as StartingPosition says, into p (its checkpoints). */
static void starting_checkpoints(const esm_config *c, const kinesis_source *src, esm_progress *p)
{
    p->stream_uid = src->stream_uid;
    for (int i = 0; i < src->shard_count; i++) {
        const kinesis_shard_view *sh = &src->shards[i];
        uint64_t start = sh->trim_horizon;
        if (strcmp(c->starting_position, "LATEST") == 0)
            start = sh->committed;
        else if (strcmp(c->starting_position, "AT_TIMESTAMP") == 0)
            kinesis_offset_at_time(src, sh->index, c->starting_ts_ms, &start);
        esm_progress_shard(p, sh->index, sh->id, start);
    }
}

/* The source: a Kinesis stream, or a consumer of one; resolved into src. */
static bool read_source(op_call *call, esm_config *c, kinesis_source *src)
{
    const char *arn = kv_str(call->input, "EventSourceArn");
    if (!arn) {
        aws_error_set(call->err, 400, "InvalidParameterValueException",
                      "Unrecognized event source.");
        return false;
    }
    if (!has_prefix(arn, "arn:aws:kinesis:")) {
        aws_error_set(call->err, 400, "InvalidParameterValueException",
                      "Unrecognized event source, must be kinesis: kinesd maps Kinesis streams "
                      "(and their consumers) only.");
        return false;
    }
    aws_error err;
    aws_error_init(&err);
    bool found = kinesis_source_resolve(arn, src, &err) == 0;
    aws_error_free(&err);
    if (!found || src->deleting) {
        if (found)
            kinesis_source_free(src);
        aws_error_set(call->err, 400, "InvalidParameterValueException", "Stream not found: %s",
                      arn);
        return false;
    }
    snprintf(c->source_arn, sizeof c->source_arn, "%s", arn);
    return true;
}

void op_create_event_source_mapping(op_call *call)
{
    esm_config *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    esm_config_defaults(c);
    uuid_v4(c->uuid);
    snprintf(c->account, sizeof c->account, "%s", call->account);
    snprintf(c->region, sizeof c->region, "%s", call->region);
    kinesis_source src = {0};
    char role[256];
    if (!esm_config_read(call, c, true) || !read_function(call, c, role) ||
        !read_source(call, c, &src)) {
        esm_config_free(c);
        return;
    }
    esm_progress *p = esm_progress_new();
    if (!roles_check_source(call, role, c->source_arn) || !unique(call, c)) {
        kinesis_source_free(&src);
        esm_progress_unref(p);
        esm_config_free(c);
        return;
    }
    c->last_modified_ms = call->now_ms;
    c->generation = 1;
    start_transition(c, ESM_CREATING, call->now_ms);
    starting_checkpoints(c, &src, p);
    kinesis_source_free(&src);
    if (esm_store_put(c, p) != 0) {
        aws_error_set(call->err, 500, "ServiceException", "Cannot store the mapping.");
        esm_progress_unref(p);
        esm_config_free(c);
        return;
    }
    for (int i = 0; i < p->n_shards; i++)
        p->shards[i].stored_version = p->shards[i].version;
    esm_insert(c, p);
    esm_changed();
    esm_config_write(call->out, c, p->last_result);
}

/* --- read ------------------------------------------------------------------------------------ */

void op_get_event_source_mapping(op_call *call)
{
    esm_mapping *m = mapping_of(call);
    if (m)
        write_mapping(call, m, m->cfg);
}

/* Whether the mapping invokes the function FunctionName names (any qualifier when it names
 * none). */
static bool invokes(const esm_config *c, const fn_ref *ref)
{
    return strcmp(c->function.account, ref->account) == 0 &&
           strcmp(c->function.region, ref->region) == 0 &&
           strcmp(c->function.name, ref->name) == 0 &&
           (!ref->qualifier[0] || strcmp(c->function.qualifier, ref->qualifier) == 0);
}

void op_list_event_source_mappings(op_call *call)
{
    const char *source = kv_str(call->input, "EventSourceArn");
    const char *function = kv_str(call->input, "FunctionName");
    fn_ref ref;
    if (function && !fn_ref_parse(function, NULL, call->account, call->region, &ref, call->err))
        return;
    int first, max, seen = 0, written = 0;
    ops_page(call, DEFAULT_PAGE, &first, &max);
    kenc *e = call->out;
    enc_map_begin(e);
    enc_key(e, "EventSourceMappings");
    enc_list_begin(e);
    for (int i = 0; i < esm_count() && written < max; i++) {
        const esm_mapping *m = esm_at(i);
        const esm_config *c = m->cfg;
        if (strcmp(c->account, call->account) != 0 || strcmp(c->region, call->region) != 0 ||
            (source && strcmp(c->source_arn, source) != 0) || (function && !invokes(c, &ref)))
            continue;
        if (seen++ >= first && ++written)
            write_mapping(call, m, c);
    }
    enc_list_end(e);
    ops_next_marker(e, first, written, max);
    enc_map_end(e);
}

/* --- update and delete ----------------------------------------------------------------------- */

/* ResourceInUseException while a transition is under way. */
static bool settled(op_call *call, const esm_mapping *m, const char *verb)
{
    esm_state s = m->cfg->state;
    if (s == ESM_ENABLED || s == ESM_DISABLED)
        return true;
    aws_error_set(call->err, 400, "ResourceInUseException",
                  "Cannot %s the event source mapping because it is in use.", verb);
    return false;
}

void op_update_event_source_mapping(op_call *call)
{
    esm_mapping *m = mapping_of(call);
    if (!m || !settled(call, m, "update"))
        return;
    esm_config *c = esm_config_copy(m->cfg);
    bool was_enabled = c->enabled;
    char role[256];
    if (!esm_config_read(call, c, false) ||
        (kv_str(call->input, "FunctionName") &&
         (!read_function(call, c, role) || !roles_check_source(call, role, c->source_arn) ||
          !unique(call, c)))) {
        esm_config_free(c);
        return;
    }
    c->generation++;
    c->last_modified_ms = call->now_ms;
    esm_state busy = c->enabled == was_enabled ? ESM_UPDATING
                     : c->enabled              ? ESM_ENABLING
                                               : ESM_DISABLING;
    start_transition(c, busy, call->now_ms);
    if (esm_store_put(c, NULL) != 0) {
        aws_error_set(call->err, 500, "ServiceException", "Cannot store the mapping.");
        esm_config_free(c);
        return;
    }
    esm_replace(m, c);
    esm_changed();
    write_mapping(call, m, m->cfg);
}

void op_delete_event_source_mapping(op_call *call)
{
    esm_mapping *m = mapping_of(call);
    if (!m || !settled(call, m, "delete"))
        return;
    esm_config *c = esm_config_copy(m->cfg);
    c->state = ESM_DELETING;
    c->last_modified_ms = call->now_ms;
    bool now = kinesd_cfg.transition_ms <= 0;
    c->transition_at_ms = call->now_ms + (now ? 0 : kinesd_cfg.transition_ms);
    if ((now ? esm_store_delete(c->uuid) : esm_store_put(c, NULL)) != 0) {
        aws_error_set(call->err, 500, "ServiceException", "Cannot store the mapping.");
        esm_config_free(c);
        return;
    }
    write_mapping(call, m, c);
    if (now) {
        esm_config_free(c);
        esm_remove(m);
    } else {
        esm_replace(m, c);
    }
    esm_changed();
}
