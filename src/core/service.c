/* service.c - the registered services and the lookups the dispatcher makes (see service.h). */
#include "service.h"

#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "worker.h"

#define MAX_SERVICES 16

static service *services[MAX_SERVICES];
static int service_count;
static uint64_t access_generation; /* atomic: service_access_changed */

/* Binds every entry of the table to its model operation; false when one has none. */
static bool bind_ops(service *svc)
{
    size_t n = model_op_count(svc->schema);
    svc->bound = calloc(n ? n : 1, sizeof *svc->bound);
    if (!svc->bound)
        abort();
    for (const op_entry *e = svc->ops; e && e->name; e++) {
        const model_op *op = model_find_op(svc->schema, e->name);
        if (!op) {
            log_error("%s: the model has no operation %s", svc->name, e->name);
            return false;
        }
        svc->bound[model_op_index(op)] = e;
    }
    return true;
}

int service_register(service *svc)
{
    if (service_count == MAX_SERVICES)
        return -1;
    if (svc->routes_only) {
        services[service_count++] = svc;
        return 0;
    }
    if (!(svc->schema = model_get(svc->model)))
        return -1;
    if (!bind_ops(svc)) {
        free(svc->bound);
        svc->bound = NULL;
        return -1;
    }
    svc->worker = worker_start(svc->name, svc->tick, svc->tick_ms);
    services[service_count++] = svc;
    return 0;
}

void service_stop_all(void)
{
    while (service_count > 0) {
        service *svc = services[--service_count];
        worker_stop(svc->worker);
        svc->worker = NULL;
        free(svc->bound);
        svc->bound = NULL;
    }
}

/* Whether the service has an API (a model); routes-only services have none. */
static bool has_api(const service *svc)
{
    return svc->schema != NULL;
}

const service *service_by_target(const char *prefix, size_t len)
{
    for (int i = 0; i < service_count; i++) {
        if (!has_api(services[i]))
            continue;
        const char *target = model_target_prefix(services[i]->schema);
        if (target && strlen(target) == len && memcmp(target, prefix, len) == 0)
            return services[i];
    }
    return NULL;
}

const service *service_by_signing_name(const char *name)
{
    for (int i = 0; i < service_count; i++)
        if (has_api(services[i]) && strcmp(model_signing_name(services[i]->schema), name) == 0)
            return services[i];
    return NULL;
}

const service *service_by_model(model_id model)
{
    for (int i = 0; i < service_count; i++)
        if (has_api(services[i]) && services[i]->model == model)
            return services[i];
    return NULL;
}

const op_entry *service_find_op(const service *svc, const model_op *op)
{
    return op && model_op_model(op) == svc->schema ? svc->bound[model_op_index(op)] : NULL;
}

static bool route_matches(const service_route *r, const char *method, const char *path)
{
    return (!r->method || strcmp(r->method, method) == 0) &&
           strncmp(path, r->prefix, strlen(r->prefix)) == 0;
}

const service_route *service_find_route(const char *method, const char *path, const service **svc)
{
    for (int i = 0; i < service_count; i++) {
        for (const service_route *r = services[i]->routes; r && r->prefix; r++) {
            if (route_matches(r, method, path)) {
                *svc = services[i];
                return r;
            }
        }
    }
    return NULL;
}

const service *service_by_arn(const char *arn)
{
    static const char prefix[] = "arn:aws:";
    if (strncmp(arn, prefix, sizeof prefix - 1) != 0)
        return NULL;
    const char *name = arn + sizeof prefix - 1;
    size_t n = strcspn(name, ":");
    for (int i = 0; i < service_count; i++) {
        if (!has_api(services[i]))
            continue;
        const char *signing = model_signing_name(services[i]->schema);
        if (strlen(signing) == n && strncmp(signing, name, n) == 0)
            return services[i];
    }
    return NULL;
}

void service_access_changed(void)
{
    __atomic_add_fetch(&access_generation, 1, __ATOMIC_RELEASE);
}

uint64_t service_access_generation(void)
{
    return __atomic_load_n(&access_generation, __ATOMIC_ACQUIRE);
}

void resource_access_begin(resource_access *out, arena *a, const char *policy, size_t tag_count)
{
    out->policy = policy && *policy ? arena_strdup(a, policy) : NULL;
    out->tag_keys = arena_alloc(a, (tag_count + 1) * sizeof(char *));
    out->tag_values = arena_alloc(a, (tag_count + 1) * sizeof(char *));
    out->tag_count = tag_count;
}

void resource_access_tag(resource_access *out, arena *a, size_t i, const char *key,
                         const char *value)
{
    out->tag_keys[i] = arena_strdup(a, key);
    out->tag_values[i] = arena_strdup(a, value);
}

void service_each(void (*fn)(const service *svc, void *arg), void *arg)
{
    for (int i = 0; i < service_count; i++)
        if (has_api(services[i]))
            fn(services[i], arg);
}
