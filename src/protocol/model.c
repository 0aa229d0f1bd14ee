/* model.c - compiles the embedded AWS service models into the shapes of shape.h (see model.h).
 *
 * A model's JSON is parsed with json-c the first time it is asked for; every shape becomes a
 * model_shape (members with their HTTP locations, bounds, enum values, a compiled pattern, error
 * codes) in the model's arena, and operations point at their input and output shapes. Both tables
 * are sorted by name for binary search. The JSON was stripped of its documentation at build time
 * (scripts/model-strip). */
#include "model.h"

#include <ctype.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/log.h"
#include "jregex.h"

struct model_op {
    const char *name;
    const service_model *model;
    const model_shape *input, *output;
    const char *http_method;    /* "POST" */
    const char *request_uri;    /* "/" or a REST template */
    int response_code;          /* 200 unless the model says otherwise */
    const char *result_wrapper; /* query protocols: "CreateUserResult"; NULL if none */
};

struct service_model {
    model_id id;
    arena mem;
    wire_protocol protocol;
    const char *signing_name;  /* SigV4 service name */
    const char *target_prefix; /* X-Amz-Target prefix, JSON protocols */
    const char *json_version;
    const char *api_version;
    const char *xml_namespace;
    model_shape *shapes; /* sorted by name */
    size_t n_shapes;
    model_op *ops; /* sorted by name */
    size_t n_ops;
};

extern const unsigned char kinesis_model_json[], iam_model_json[], sts_model_json[],
    sqs_model_json[], lambda_model_json[], cloudwatch_model_json[];
extern const size_t kinesis_model_json_len, iam_model_json_len, sts_model_json_len,
    sqs_model_json_len, lambda_model_json_len, cloudwatch_model_json_len;

static const struct {
    const char *name;
    const unsigned char *json;
    const size_t *len;
} embedded[MODEL_COUNT] = {
    [MODEL_KINESIS] = {"kinesis", kinesis_model_json, &kinesis_model_json_len},
    [MODEL_IAM] = {"iam", iam_model_json, &iam_model_json_len},
    [MODEL_STS] = {"sts", sts_model_json, &sts_model_json_len},
    [MODEL_SQS] = {"sqs", sqs_model_json, &sqs_model_json_len},
    [MODEL_LAMBDA] = {"lambda", lambda_model_json, &lambda_model_json_len},
    [MODEL_CLOUDWATCH] = {"cloudwatch", cloudwatch_model_json, &cloudwatch_model_json_len},
};

static pthread_mutex_t load_mu = PTHREAD_MUTEX_INITIALIZER;
static service_model *loaded[MODEL_COUNT]; /* under load_mu; published with release semantics */

/* Where AWS's messages list an enum in another order than the model, the order AWS prints. Used
 * only while the model's values are exactly this set. */
static const struct {
    const char *shape;
    const char *values[8];
} aws_enum_order[] = {
    {"ShardIteratorType",
     {"AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"}},
};

static int by_shape_name(const void *a, const void *b)
{
    return strcmp(((const model_shape *)a)->name, ((const model_shape *)b)->name);
}

static int by_op_name(const void *a, const void *b)
{
    return strcmp(((const model_op *)a)->name, ((const model_op *)b)->name);
}

const model_shape *model_find_shape(const service_model *m, const char *name)
{
    model_shape key = {.name = name};
    return m && name ? bsearch(&key, m->shapes, m->n_shapes, sizeof key, by_shape_name) : NULL;
}

/* ---- reading the JSON ---------------------------------------------------------------------- */

static json_object *field(json_object *parent, const char *name)
{
    json_object *v;
    return parent && json_object_object_get_ex(parent, name, &v) ? v : NULL;
}

/* The string parent.name copied into the model's arena, or NULL when absent. */
static const char *text_field(service_model *m, json_object *parent, const char *name)
{
    json_object *v = field(parent, name);
    return v ? arena_strdup(&m->mem, json_object_get_string(v)) : NULL;
}

static bool bool_field(json_object *parent, const char *name)
{
    json_object *v = field(parent, name);
    return v && json_object_get_boolean(v);
}

/* The shape a reference ({"shape": "Name"}) names, NULL when absent or unknown. */
static const model_shape *shape_of(const service_model *m, json_object *ref)
{
    json_object *shape = field(ref, "shape");
    return shape ? model_find_shape(m, json_object_get_string(shape)) : NULL;
}

/* The shape parent.name refers to. */
static const model_shape *shape_ref(const service_model *m, json_object *parent, const char *name)
{
    return shape_of(m, field(parent, name));
}

static shape_type parse_type(const char *t, bool *ok)
{
    static const struct {
        const char *name;
        shape_type type;
    } types[] = {
        {"structure", SHAPE_STRUCTURE}, {"list", SHAPE_LIST},           {"map", SHAPE_MAP},
        {"string", SHAPE_STRING},       {"blob", SHAPE_BLOB},           {"integer", SHAPE_INTEGER},
        {"long", SHAPE_LONG},           {"double", SHAPE_DOUBLE},       {"float", SHAPE_DOUBLE},
        {"boolean", SHAPE_BOOLEAN},     {"timestamp", SHAPE_TIMESTAMP},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(t, types[i].name) == 0)
            return types[i].type;
    *ok = false;
    return SHAPE_STRING;
}

static member_location parse_location(const char *where)
{
    static const struct {
        const char *name;
        member_location location;
    } locations[] = {
        {"uri", LOC_URI},         {"querystring", LOC_QUERY},      {"header", LOC_HEADER},
        {"headers", LOC_HEADERS}, {"statusCode", LOC_STATUS_CODE},
    };
    for (size_t i = 0; where && i < sizeof locations / sizeof locations[0]; i++)
        if (strcmp(where, locations[i].name) == 0)
            return locations[i].location;
    return LOC_BODY;
}

static bool is_required(json_object *def, const char *member)
{
    json_object *req = field(def, "required");
    for (size_t i = 0; req && i < json_object_array_length(req); i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(req, i)), member) == 0)
            return true;
    return false;
}

static bool load_member(service_model *m, model_member *mem, json_object *def, const char *name,
                        json_object *ref)
{
    char *path = arena_strdup(&m->mem, name);
    path[0] = (char)tolower((unsigned char)path[0]);
    mem->name = arena_strdup(&m->mem, name);
    mem->name_len = strlen(name);
    mem->path_name = path;
    mem->shape = shape_of(m, ref);
    mem->required = is_required(def, name);
    json_object *where = field(ref, "location");
    mem->location = parse_location(where ? json_object_get_string(where) : NULL);
    mem->location_name = text_field(m, ref, "locationName");
    mem->flattened = bool_field(ref, "flattened");
    return mem->shape != NULL;
}

static bool load_members(service_model *m, model_shape *s, json_object *def)
{
    json_object *members = field(def, "members");
    if (!members)
        return true;
    s->n_members = (size_t)json_object_object_length(members);
    s->members = arena_alloc(&m->mem, s->n_members * sizeof *s->members);
    size_t i = 0;
    json_object_object_foreach(members, name, ref)
    {
        if (!load_member(m, &s->members[i++], def, name, ref))
            return false;
    }
    return true;
}

static void order_enums_as_aws(model_shape *s)
{
    for (size_t i = 0; i < sizeof aws_enum_order / sizeof aws_enum_order[0]; i++) {
        if (strcmp(aws_enum_order[i].shape, s->name) != 0)
            continue;
        const char *const *want = aws_enum_order[i].values;
        size_t n = 0, found = 0;
        while (n < 8 && want[n])
            n++;
        for (size_t j = 0; j < n; j++)
            for (size_t k = 0; k < s->n_enums; k++)
                found += strcmp(want[j], s->enums[k]) == 0;
        if (n == s->n_enums && found == n)
            memcpy(s->enums, want, n * sizeof *want);
    }
}

static void load_enums(service_model *m, model_shape *s, json_object *def)
{
    json_object *values = field(def, "enum");
    if (!values)
        return;
    s->n_enums = json_object_array_length(values);
    s->enums = arena_alloc(&m->mem, s->n_enums * sizeof *s->enums);
    for (size_t i = 0; i < s->n_enums; i++)
        s->enums[i] =
            arena_strdup(&m->mem, json_object_get_string(json_object_array_get_idx(values, i)));
    order_enums_as_aws(s);
}

static bool load_pattern(service_model *m, model_shape *s, json_object *def)
{
    if (!(s->pattern = text_field(m, def, "pattern")))
        return true;
    if ((s->regex = jregex_compile(s->pattern)))
        return true;
    log_error("model: shape %s: pattern %s does not compile", s->name, s->pattern);
    return false;
}

static void load_bounds(model_shape *s, json_object *def)
{
    json_object *v;
    if ((s->has_min = (v = field(def, "min")) != NULL))
        s->min = json_object_get_int64(v);
    if ((s->has_max = (v = field(def, "max")) != NULL))
        s->max = json_object_get_int64(v);
}

static void load_error(service_model *m, model_shape *s, json_object *def)
{
    json_object *error = field(def, "error"), *status = field(error, "httpStatusCode");
    s->exception = bool_field(def, "exception");
    s->error_code = text_field(m, error, "code");
    s->error_status = status ? json_object_get_int(status) : 0;
}

/* Fills in a shape whose name and type are already set. */
static bool load_shape(service_model *m, model_shape *s, json_object *def)
{
    load_bounds(s, def);
    load_enums(m, s, def);
    load_error(m, s, def);
    s->flattened = bool_field(def, "flattened");
    s->payload = text_field(m, def, "payload");
    s->streaming = bool_field(def, "streaming");
    if (!load_pattern(m, s, def) || !load_members(m, s, def))
        return false;
    if (s->type == SHAPE_LIST && !(s->member = shape_ref(m, def, "member")))
        return false;
    if (s->type == SHAPE_MAP &&
        (!(s->key = shape_ref(m, def, "key")) || !(s->value = shape_ref(m, def, "value"))))
        return false;
    return true;
}

static bool load_shapes(service_model *m, json_object *shapes)
{
    bool ok = true;
    m->n_shapes = (size_t)json_object_object_length(shapes);
    m->shapes = arena_alloc(&m->mem, m->n_shapes * sizeof *m->shapes);
    memset(m->shapes, 0, m->n_shapes * sizeof *m->shapes);
    size_t i = 0;
    json_object_object_foreach(shapes, name, def)
    {
        json_object *type = field(def, "type");
        m->shapes[i].name = arena_strdup(&m->mem, name);
        if (!type)
            ok = false;
        else
            m->shapes[i].type = parse_type(json_object_get_string(type), &ok);
        i++;
    }
    qsort(m->shapes, m->n_shapes, sizeof *m->shapes, by_shape_name); /* model_find_shape works */
    for (i = 0; ok && i < m->n_shapes; i++) {
        if (!load_shape(m, &m->shapes[i], field(shapes, m->shapes[i].name))) {
            log_error("model: shape %s is malformed", m->shapes[i].name);
            ok = false;
        }
    }
    return ok;
}

static void load_op(service_model *m, model_op *op, const char *name, json_object *def)
{
    json_object *http = field(def, "http"), *code = field(http, "responseCode");
    op->name = arena_strdup(&m->mem, name);
    op->model = m;
    op->input = shape_ref(m, def, "input");
    op->output = shape_ref(m, def, "output");
    op->http_method = text_field(m, http, "method");
    op->request_uri = text_field(m, http, "requestUri");
    op->response_code = code ? json_object_get_int(code) : 200;
    op->result_wrapper = text_field(m, field(def, "output"), "resultWrapper");
}

static void load_ops(service_model *m, json_object *ops)
{
    m->n_ops = (size_t)json_object_object_length(ops);
    m->ops = arena_alloc(&m->mem, m->n_ops * sizeof *m->ops);
    size_t i = 0;
    json_object_object_foreach(ops, name, def)
    {
        load_op(m, &m->ops[i++], name, def);
    }
    qsort(m->ops, m->n_ops, sizeof *m->ops, by_op_name);
}

static wire_protocol parse_protocol(const char *name)
{
    if (name && strcmp(name, "rest-json") == 0)
        return WIRE_REST_JSON;
    if (name && strcmp(name, "query") == 0)
        return WIRE_QUERY;
    if (name && strcmp(name, "smithy-rpc-v2-cbor") == 0)
        return WIRE_RPCV2_CBOR;
    return WIRE_JSON;
}

static void load_metadata(service_model *m, json_object *meta)
{
    json_object *protocol = field(meta, "protocol");
    m->protocol = parse_protocol(protocol ? json_object_get_string(protocol) : NULL);
    m->signing_name = text_field(m, meta, "signingName");
    if (!m->signing_name)
        m->signing_name = text_field(m, meta, "endpointPrefix");
    m->target_prefix = text_field(m, meta, "targetPrefix");
    m->json_version = text_field(m, meta, "jsonVersion");
    m->api_version = text_field(m, meta, "apiVersion");
    m->xml_namespace = text_field(m, meta, "xmlNamespace");
}

static json_object *parse_embedded(model_id id)
{
    json_tokener *tok = json_tokener_new();
    json_object *root =
        json_tokener_parse_ex(tok, (const char *)embedded[id].json, (int)*embedded[id].len);
    if (json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(root);
        root = NULL;
    }
    json_tokener_free(tok);
    return root;
}

static void free_model(service_model *m)
{
    for (size_t i = 0; i < m->n_shapes; i++)
        jregex_free(m->shapes[i].regex);
    arena_free(&m->mem);
    free(m);
}

static service_model *load_model(model_id id)
{
    service_model *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    m->id = id;
    arena_init(&m->mem);
    json_object *root = parse_embedded(id), *shapes = field(root, "shapes"),
                *ops = field(root, "operations");
    bool ok = shapes && ops && load_shapes(m, shapes);
    if (ok) {
        load_metadata(m, field(root, "metadata"));
        load_ops(m, ops);
    }
    json_object_put(root);
    if (!ok) {
        log_error("model: the embedded %s model could not be loaded", embedded[id].name);
        free_model(m);
        return NULL;
    }
    return m;
}

const service_model *model_get(model_id id)
{
    if (id >= MODEL_COUNT)
        return NULL;
    service_model *m = __atomic_load_n(&loaded[id], __ATOMIC_ACQUIRE);
    if (m)
        return m;
    pthread_mutex_lock(&load_mu);
    if (!(m = loaded[id]) && (m = load_model(id)))
        __atomic_store_n(&loaded[id], m, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&load_mu);
    return m;
}

static pthread_t preload_thread;
static bool preloading; /* preload_thread was started and not yet joined */

static void *preload_all(void *unused)
{
    (void)unused;
    for (int i = 0; i < MODEL_COUNT; i++)
        model_get((model_id)i);
    return NULL;
}

void model_preload_start(void)
{
    preloading = pthread_create(&preload_thread, NULL, preload_all, NULL) == 0;
}

void model_preload_join(void)
{
    if (preloading)
        pthread_join(preload_thread, NULL);
    preloading = false;
}

void model_unload(void)
{
    pthread_mutex_lock(&load_mu);
    for (int i = 0; i < MODEL_COUNT; i++) {
        if (loaded[i])
            free_model(loaded[i]);
        loaded[i] = NULL;
    }
    pthread_mutex_unlock(&load_mu);
}

/* ---- queries ------------------------------------------------------------------------------- */

model_id model_which(const service_model *m)
{
    return m->id;
}

wire_protocol model_protocol(const service_model *m)
{
    return m->protocol;
}

const char *model_signing_name(const service_model *m)
{
    return m->signing_name;
}

const char *model_target_prefix(const service_model *m)
{
    return m->target_prefix;
}

const char *model_json_version(const service_model *m)
{
    return m->json_version;
}

const char *model_api_version(const service_model *m)
{
    return m->api_version;
}

const char *model_xml_namespace(const service_model *m)
{
    return m->xml_namespace;
}

const model_op *model_find_op(const service_model *m, const char *name)
{
    model_op key = {.name = name};
    return m && name ? bsearch(&key, m->ops, m->n_ops, sizeof key, by_op_name) : NULL;
}

size_t model_op_count(const service_model *m)
{
    return m->n_ops;
}

const model_op *model_op_at(const service_model *m, size_t i)
{
    return i < m->n_ops ? &m->ops[i] : NULL;
}

size_t model_op_index(const model_op *op)
{
    return (size_t)(op - op->model->ops);
}

const service_model *model_op_model(const model_op *op)
{
    return op->model;
}

const char *model_op_name(const model_op *op)
{
    return op->name;
}

const model_shape *model_op_input(const model_op *op)
{
    return op->input;
}

const model_shape *model_op_output(const model_op *op)
{
    return op->output;
}

const char *model_op_http_method(const model_op *op)
{
    return op->http_method;
}

const char *model_op_request_uri(const model_op *op)
{
    return op->request_uri;
}

int model_op_response_code(const model_op *op)
{
    return op->response_code;
}

const char *model_op_result_wrapper(const model_op *op)
{
    return op->result_wrapper;
}

size_t model_shape_count(const service_model *m)
{
    return m->n_shapes;
}

const model_shape *model_shape_at(const service_model *m, size_t i)
{
    return i < m->n_shapes ? &m->shapes[i] : NULL;
}

const model_member *shape_find_member(const model_shape *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->n_members; i++) {
        const model_member *m = &s->members[i];
        if (m->name_len == len && memcmp(m->name, name, len) == 0)
            return m;
    }
    return NULL;
}
