/* model.c - compiles the embedded Kinesis service model into the shapes of shape.h (see model.h).
 *
 * The JSON model is parsed once with json-c; every shape becomes a model_shape (members, bounds,
 * enum values, a compiled pattern) in one arena, and operations point at their input and output
 * shapes. Both tables are sorted by name for binary search. */
#include "model.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/log.h"
#include "jregex.h"

extern const unsigned char kinesis_model_json[];
extern const size_t kinesis_model_json_len;

struct model_op {
    const char *name;
    const model_shape *input, *output;
};

static struct {
    bool loaded;
    arena mem;
    model_shape *shapes; /* sorted by name */
    size_t n_shapes;
    model_op *ops; /* sorted by name */
    size_t n_ops;
} M;

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

const model_shape *model_find_shape(const char *name)
{
    model_shape key = {.name = name};
    return M.loaded ? bsearch(&key, M.shapes, M.n_shapes, sizeof key, by_shape_name) : NULL;
}

/* The shape a {"shape": "Name"} reference names, NULL when malformed or unknown. */
static const model_shape *named_shape(json_object *ref)
{
    json_object *name;
    if (!json_object_object_get_ex(ref, "shape", &name))
        return NULL;
    return model_find_shape(json_object_get_string(name));
}

/* The shape parent.field refers to, NULL when absent or unknown. */
static const model_shape *shape_ref(json_object *parent, const char *field)
{
    json_object *ref;
    return json_object_object_get_ex(parent, field, &ref) ? named_shape(ref) : NULL;
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

static bool is_required(json_object *def, const char *member)
{
    json_object *req;
    if (!json_object_object_get_ex(def, "required", &req))
        return false;
    for (size_t i = 0; i < json_object_array_length(req); i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(req, i)), member) == 0)
            return true;
    return false;
}

static bool load_members(model_shape *s, json_object *def)
{
    json_object *members;
    if (!json_object_object_get_ex(def, "members", &members))
        return true;
    s->n_members = (size_t)json_object_object_length(members);
    s->members = arena_alloc(&M.mem, s->n_members * sizeof *s->members);
    size_t i = 0;
    json_object_object_foreach(members, name, ref)
    {
        model_member *m = &s->members[i++];
        char *path = arena_strdup(&M.mem, name);
        path[0] = (char)tolower((unsigned char)path[0]);
        m->name = arena_strdup(&M.mem, name);
        m->path_name = path;
        m->shape = named_shape(ref);
        m->required = is_required(def, name);
        if (!m->shape)
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

static void load_enums(model_shape *s, json_object *def)
{
    json_object *values;
    if (!json_object_object_get_ex(def, "enum", &values))
        return;
    s->n_enums = json_object_array_length(values);
    s->enums = arena_alloc(&M.mem, s->n_enums * sizeof *s->enums);
    for (size_t i = 0; i < s->n_enums; i++)
        s->enums[i] =
            arena_strdup(&M.mem, json_object_get_string(json_object_array_get_idx(values, i)));
    order_enums_as_aws(s);
}

static bool load_pattern(model_shape *s, json_object *def)
{
    json_object *pattern;
    if (!json_object_object_get_ex(def, "pattern", &pattern))
        return true;
    s->pattern = arena_strdup(&M.mem, json_object_get_string(pattern));
    s->regex = arena_alloc(&M.mem, sizeof *s->regex);
    if (jregex_compile(s->pattern, s->regex))
        return true;
    log_error("model: shape %s: pattern %s does not compile", s->name, s->pattern);
    s->regex = NULL;
    return false;
}

static void load_bounds(model_shape *s, json_object *def)
{
    json_object *v;
    if ((s->has_min = json_object_object_get_ex(def, "min", &v)))
        s->min = json_object_get_int64(v);
    if ((s->has_max = json_object_object_get_ex(def, "max", &v)))
        s->max = json_object_get_int64(v);
}

/* Fills in a shape whose name and type are already set. */
static bool load_shape(model_shape *s, json_object *def)
{
    load_bounds(s, def);
    load_enums(s, def);
    if (!load_pattern(s, def) || !load_members(s, def))
        return false;
    if (s->type == SHAPE_LIST && !(s->member = shape_ref(def, "member")))
        return false;
    if (s->type == SHAPE_MAP &&
        (!(s->key = shape_ref(def, "key")) || !(s->value = shape_ref(def, "value"))))
        return false;
    return true;
}

static bool load_shapes(json_object *shapes)
{
    bool ok = true;
    M.n_shapes = (size_t)json_object_object_length(shapes);
    M.shapes = arena_alloc(&M.mem, M.n_shapes * sizeof *M.shapes);
    size_t i = 0;
    json_object_object_foreach(shapes, name, def)
    {
        json_object *type;
        M.shapes[i].name = arena_strdup(&M.mem, name);
        if (!json_object_object_get_ex(def, "type", &type))
            ok = false;
        else
            M.shapes[i].type = parse_type(json_object_get_string(type), &ok);
        i++;
    }
    qsort(M.shapes, M.n_shapes, sizeof *M.shapes, by_shape_name);
    M.loaded = true; /* model_find_shape works from here on */
    for (i = 0; ok && i < M.n_shapes; i++) {
        json_object *def;
        json_object_object_get_ex(shapes, M.shapes[i].name, &def);
        if (!load_shape(&M.shapes[i], def)) {
            log_error("model: shape %s is malformed", M.shapes[i].name);
            ok = false;
        }
    }
    return ok;
}

static bool load_ops(json_object *ops)
{
    M.n_ops = (size_t)json_object_object_length(ops);
    M.ops = arena_alloc(&M.mem, M.n_ops * sizeof *M.ops);
    size_t i = 0;
    json_object_object_foreach(ops, name, def)
    {
        model_op *op = &M.ops[i++];
        op->name = arena_strdup(&M.mem, name);
        op->input = shape_ref(def, "input");
        op->output = shape_ref(def, "output");
    }
    qsort(M.ops, M.n_ops, sizeof *M.ops, by_op_name);
    return true;
}

static json_object *parse_embedded(void)
{
    json_tokener *tok = json_tokener_new();
    json_object *root =
        json_tokener_parse_ex(tok, (const char *)kinesis_model_json, (int)kinesis_model_json_len);
    if (json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(root);
        root = NULL;
    }
    json_tokener_free(tok);
    return root;
}

int model_load(void)
{
    if (M.loaded)
        return 0;
    json_object *root = parse_embedded(), *shapes, *ops;
    arena_init(&M.mem);
    bool ok = root && json_object_object_get_ex(root, "shapes", &shapes) &&
              json_object_object_get_ex(root, "operations", &ops) && load_shapes(shapes) &&
              load_ops(ops);
    json_object_put(root);
    if (!ok) {
        log_error("model: the embedded service model could not be loaded");
        model_unload();
        return -1;
    }
    return 0;
}

void model_unload(void)
{
    for (size_t i = 0; i < M.n_shapes; i++)
        if (M.shapes[i].regex)
            regfree(M.shapes[i].regex);
    arena_free(&M.mem);
    memset(&M, 0, sizeof M);
}

const model_op *model_find_op(const char *name)
{
    model_op key = {.name = name};
    return M.loaded && name ? bsearch(&key, M.ops, M.n_ops, sizeof key, by_op_name) : NULL;
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

size_t model_shape_count(void)
{
    return M.n_shapes;
}

const model_shape *model_shape_at(size_t i)
{
    return i < M.n_shapes ? &M.shapes[i] : NULL;
}

const model_member *shape_find_member(const model_shape *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->n_members; i++) {
        const char *m = s->members[i].name;
        if (strncmp(m, name, len) == 0 && m[len] == '\0')
            return &s->members[i];
    }
    return NULL;
}
