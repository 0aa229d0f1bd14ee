/* schema_resolve.c - where $refs lead: the schema documents (the root, files of the schema
 * directory, mapped URI prefixes), the URIs their "$id"s and anchors define, and the resolution
 * of a $ref (RFC 3986 against the base URI in effect, then a JSON pointer or an anchor) to the
 * snode it names. Files are read only from the schema directory and the mapped folders. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "schema_internal.h"
#include "schema_uri.h"

#define SCAN_DEPTH 4                     /* folder levels of the schema directory searched */
#define SCAN_MAX_FILES 1000              /* files read at most by that search */
#define SCAN_MAX_BYTES (8 * 1024 * 1024) /* larger files are not schemas it reads */

/* ---- drafts --------------------------------------------------------------------------------- */

static const struct {
    const char *name; /* a "$schema" URI without scheme and '#', or a --draft word */
    kines_schema_draft draft;
} draft_names[] = {
    {"json-schema.org/draft-04/schema", KINES_SCHEMA_DRAFT_4},
    {"json-schema.org/draft-06/schema", KINES_SCHEMA_DRAFT_6},
    {"json-schema.org/draft-07/schema", KINES_SCHEMA_DRAFT_7},
    {"json-schema.org/draft/2019-09/schema", KINES_SCHEMA_DRAFT_2019_09},
    {"json-schema.org/draft/2020-12/schema", KINES_SCHEMA_DRAFT_2020_12},
    {"4", KINES_SCHEMA_DRAFT_4},
    {"6", KINES_SCHEMA_DRAFT_6},
    {"7", KINES_SCHEMA_DRAFT_7},
    {"2019-09", KINES_SCHEMA_DRAFT_2019_09},
    {"2020-12", KINES_SCHEMA_DRAFT_2020_12},
    {"draft-04", KINES_SCHEMA_DRAFT_4},
    {"draft-06", KINES_SCHEMA_DRAFT_6},
    {"draft-07", KINES_SCHEMA_DRAFT_7},
    {"draft4", KINES_SCHEMA_DRAFT_4},
    {"draft6", KINES_SCHEMA_DRAFT_6},
    {"draft7", KINES_SCHEMA_DRAFT_7},
};

/* The draft of a name of n bytes. */
static kines_schema_draft draft_named(const char *name, size_t n)
{
    if (n >= 8 && strncmp(name, "https://", 8) == 0)
        name += 8, n -= 8;
    else if (n >= 7 && strncmp(name, "http://", 7) == 0)
        name += 7, n -= 7;
    if (n > 0 && name[n - 1] == '#')
        n--;
    for (size_t i = 0; i < sizeof draft_names / sizeof *draft_names; i++)
        if (strlen(draft_names[i].name) == n && memcmp(draft_names[i].name, name, n) == 0)
            return draft_names[i].draft;
    return KINES_SCHEMA_DRAFT_DEFAULT;
}

kines_schema_draft kines_schema_draft_parse(const char *name)
{
    return name ? draft_named(name, strlen(name)) : KINES_SCHEMA_DRAFT_DEFAULT;
}

uint16_t schema_draft_of(const jval *v, uint16_t draft)
{
    const jval *uri = v->kind == J_OBJECT ? jval_member(v, "$schema", 7) : NULL;
    if (!uri || uri->kind != J_STRING)
        return draft;
    return (uint16_t)draft_named(uri->text, uri->len);
}

const jval *schema_id(const jval *v, uint16_t draft)
{
    if (v->kind != J_OBJECT)
        return NULL;
    const jval *id =
        draft == KINES_SCHEMA_DRAFT_4 ? jval_member(v, "id", 2) : jval_member(v, "$id", 3);
    if (!id || id->kind != J_STRING)
        return NULL;
    if (draft < KINES_SCHEMA_DRAFT_2019_09 && jval_member(v, "$ref", 4))
        return NULL;
    return id;
}

/* ---- the URIs documents define ----------------------------------------------------------------
 */

static void add_resource(kines_schema *s, const char *uri, const jval *node, const char *base,
                         uint16_t draft, const sdoc *doc)
{
    if (s->resource_count == s->resource_cap) {
        s->resource_cap = s->resource_cap ? 2 * s->resource_cap : 16;
        s->resources = realloc(s->resources, s->resource_cap * sizeof *s->resources);
        if (!s->resources)
            abort();
    }
    s->resources[s->resource_count++] = (sresource){uri, node, base, draft, doc, false};
}

static const sresource *find_resource(const kines_schema *s, const char *uri)
{
    for (size_t i = 0; i < s->resource_count; i++)
        if (strcmp(s->resources[i].uri, uri) == 0)
            return &s->resources[i];
    return NULL;
}

static char *str_of(kines_schema *s, const jval *v)
{
    return schema_strndup(&s->mem, v->text, v->len);
}

static bool word_in(const char *const *words, const jval *key)
{
    for (; *words; words++)
        if (jval_str_is(key, *words))
            return true;
    return false;
}

/* Keywords whose value is a schema, a list of schemas, or a map of names to schemas. */
static const char *const single_keywords[] = {"additionalItems",
                                              "additionalProperties",
                                              "contains",
                                              "not",
                                              "propertyNames",
                                              "if",
                                              "then",
                                              "else",
                                              "items",
                                              "contentSchema",
                                              "unevaluatedItems",
                                              "unevaluatedProperties",
                                              NULL};
static const char *const list_keywords[] = {"allOf", "anyOf",       "oneOf",
                                            "items", "prefixItems", NULL};
static const char *const map_keywords[] = {"properties", "patternProperties", "definitions",
                                           "$defs",      "dependencies",      "dependentSchemas",
                                           NULL};

static void index_schema(kines_schema *s, const sdoc *doc, const jval *v, const char *base,
                         uint16_t draft);

/* Registers what a schema object names itself: its $id (a resource, or a draft 6/7 "#name"
 * fragment) and its anchors. Entries keep the base URI outside the object (`outer`: compiling
 * the object applies its own $id again). Returns the base URI in effect inside it. */
static const char *index_names(kines_schema *s, const sdoc *doc, const jval *v, const char *outer,
                               uint16_t draft)
{
    const char *base = outer;
    const jval *id = schema_id(v, draft);
    if (id) {
        const char *fragment;
        char *full = uri_resolve(&s->mem, outer, str_of(s, id));
        char *uri = uri_without_fragment(&s->mem, full, &fragment);
        if (*uri)
            base = uri;
        if (*uri && strcmp(uri, outer) != 0)
            add_resource(s, uri, v, outer, draft, doc);
        if (fragment && *fragment)
            add_resource(s, full, v, outer, draft, doc);
    }
    static const char *const anchors[] = {"$anchor", "$dynamicAnchor"};
    for (size_t i = 0; i < 2 && draft >= KINES_SCHEMA_DRAFT_2019_09; i++) {
        const jval *a = jval_member(v, anchors[i], strlen(anchors[i]));
        if (a && a->kind == J_STRING) {
            char *fragment = schema_alloc(&s->mem, a->len + 2);
            fragment[0] = '#';
            memcpy(fragment + 1, a->text, a->len);
            add_resource(s, uri_resolve(&s->mem, base, fragment), v, outer, draft, doc);
            s->resources[s->resource_count - 1].dynamic = i == 1;
        }
    }
    return base;
}

const char *schema_base_inside(kines_schema *s, const jval *v, const char *outer, uint16_t draft)
{
    const jval *id = schema_id(v, draft);
    if (!id)
        return outer;
    const char *fragment;
    char *uri =
        uri_without_fragment(&s->mem, uri_resolve(&s->mem, outer, str_of(s, id)), &fragment);
    return *uri ? uri : outer;
}

static void index_schema(kines_schema *s, const sdoc *doc, const jval *v, const char *base,
                         uint16_t draft)
{
    if (v->kind != J_OBJECT)
        return;
    if (schema_id(v, draft))
        draft = schema_draft_of(v, draft);
    base = index_names(s, doc, v, base, draft);
    for (const jval *k = v + 1; k < jval_next(v); k = jval_next(k + 1)) {
        const jval *val = k + 1;
        if (val->kind == J_ARRAY && word_in(list_keywords, k)) {
            for (const jval *x = val + 1; x < jval_next(val); x = jval_next(x))
                index_schema(s, doc, x, base, draft);
        } else if (word_in(single_keywords, k)) {
            index_schema(s, doc, val, base, draft);
        } else if (val->kind == J_OBJECT && word_in(map_keywords, k)) {
            for (const jval *m = val + 1; m < jval_next(val); m = jval_next(m + 1))
                index_schema(s, doc, m + 1, base, draft);
        }
    }
}

const sdoc *schema_add_doc(kines_schema *s, char *text, size_t len, const char *uri,
                           const char *display, bool quiet)
{
    sdoc *d = schema_alloc(&s->mem, sizeof *d);
    d->text = text;
    d->uri = schema_strdup(&s->mem, uri);
    d->display = schema_strdup(&s->mem, display);
    s->docs = realloc(s->docs, (s->doc_count + 1) * sizeof *s->docs);
    if (!s->docs)
        abort();
    s->docs[s->doc_count++] = d;
    if (jdoc_parse(&d->json, text, len, NULL, 0) != 0)
        return quiet ? NULL : schema_fail(s, display, "not JSON: %s", d->json.error);
    const jval *root = d->json.nodes;
    uint16_t draft = schema_draft_of(root, (uint16_t)s->default_draft);
    add_resource(s, d->uri, root, d->uri, draft, d);
    index_schema(s, d, root, d->uri, draft);
    return d;
}

/* ---- reading documents ---------------------------------------------------------------------- */

char *schema_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    kbuf b = KBUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        kbuf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return b.data ? b.data : strdup("");
}

/* How errors name a file: its path below the schema directory, else the path. */
static const char *file_display(const kines_schema *s, const char *path)
{
    size_t n = s->schema_dir ? strlen(s->schema_dir) : 0;
    if (n && strncmp(path, s->schema_dir, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path;
}

static const sdoc *load_file(kines_schema *s, const char *path, const char *uri, bool quiet)
{
    size_t len;
    char *text = schema_read_file(path, &len);
    if (!text)
        return NULL;
    return schema_add_doc(s, text, len, uri, file_display(s, path), quiet);
}

static bool has_dot_dot(const char *path)
{
    for (const char *p = strstr(path, ".."); p; p = strstr(p + 1, ".."))
        if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
            return true;
    return false;
}

/* The file a URI (without fragment) is read from: a mapped prefix, or a file: URI inside the
 * schema directory; NULL for any other. */
static char *path_for_uri(kines_schema *s, const char *uri)
{
    for (size_t i = 0; i < s->mapping_count; i++) {
        const kines_schema_mapping *m = &s->mappings[i];
        size_t n = strlen(m->uri_prefix);
        if (strncmp(uri, m->uri_prefix, n) != 0)
            continue;
        char *rest = uri_percent_decode(&s->mem, uri + n);
        if (has_dot_dot(rest))
            return NULL;
        char *path = schema_alloc(&s->mem, strlen(m->dir) + strlen(rest) + 2);
        sprintf(path, "%s/%s", m->dir, rest);
        return path;
    }
    size_t dir_len = s->schema_dir ? strlen(s->schema_dir) : 0;
    if (!dir_len || strncmp(uri, "file://", 7) != 0)
        return NULL;
    char *path = uri_percent_decode(&s->mem, uri + 7);
    bool inside = strncmp(path, s->schema_dir, dir_len) == 0 && path[dir_len] == '/';
    return inside && !has_dot_dot(path) ? path : NULL;
}

/* Loads every *.json file below dir (not loaded yet) so that their $ids are known. */
static void scan_dir(kines_schema *s, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *path = schema_alloc(&s->mem, strlen(dir) + strlen(e->d_name) + 2);
        sprintf(path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        size_t n = strlen(e->d_name);
        if (S_ISDIR(st.st_mode) && depth < SCAN_DEPTH) {
            scan_dir(s, path, depth + 1);
        } else if (S_ISREG(st.st_mode) && n > 5 && strcmp(e->d_name + n - 5, ".json") == 0 &&
                   st.st_size <= SCAN_MAX_BYTES && s->doc_count < SCAN_MAX_FILES) {
            char *uri = schema_alloc(&s->mem, strlen(path) + 8);
            sprintf(uri, "file://%s", path);
            if (!find_resource(s, uri))
                load_file(s, path, uri, true);
        }
    }
    closedir(d);
}

/* The resource a URI without fragment names, loading its document when it has to. */
static const sresource *resource_for(kines_schema *s, const char *uri)
{
    const sresource *r = find_resource(s, uri);
    if (r)
        return r;
    char *path = path_for_uri(s, uri);
    if (path && load_file(s, path, uri, false))
        return find_resource(s, uri);
    if (s->failed || !s->schema_dir || s->dir_scanned)
        return NULL;
    s->dir_scanned = true;
    scan_dir(s, s->schema_dir, 0);
    return find_resource(s, uri);
}

/* ---- $ref -------------------------------------------------------------------------------------
 */

/* The item or member a pointer token names in v, or NULL. */
static const jval *step(const jval *v, const char *token, size_t n)
{
    if (v->kind == J_OBJECT)
        return jval_member(v, token, n);
    if (v->kind != J_ARRAY || n == 0 || n > 9 || (n > 1 && token[0] == '0') ||
        strspn(token, "0123456789") != n)
        return NULL;
    long index = strtol(token, NULL, 10);
    if (index >= (long)v->len)
        return NULL;
    const jval *x = v + 1;
    while (index-- > 0)
        x = jval_next(x);
    return x;
}

/* The node a JSON pointer names inside resource r, with the base URI outside it. */
static const jval *follow_pointer(kines_schema *s, const sresource *r, const char *pointer,
                                  const char **base)
{
    const jval *v = r->node;
    *base = r->base; /* outside v: the target's own $id is applied when it is compiled */
    char *token = schema_alloc(&s->mem, strlen(pointer) + 1);
    while (v && *pointer == '/') {
        *base = schema_base_inside(s, v, *base, r->draft);
        size_t n = pointer_next(&pointer, token);
        v = step(v, token, n);
    }
    return *pointer ? NULL : v;
}

/* How errors name where a resource is: its document, or its own URI for an embedded $id. */
static const char *resource_display(const sresource *r)
{
    return r->node == r->doc->json.nodes ? r->doc->display : r->uri;
}

snode *schema_resolve_ref(kines_schema *s, const char *base, const char *ref, const char *from,
                          const char **dynamic_name)
{
    char *target = uri_resolve(&s->mem, base, ref);
    const char *fragment;
    char *uri = uri_without_fragment(&s->mem, target, &fragment);
    const sresource *r = resource_for(s, uri);
    if (!r)
        return s->failed
                   ? NULL
                   : schema_fail(s, from, "$ref \"%s\": no schema is known as \"%s\"", ref, uri);
    char *decoded = uri_percent_decode(&s->mem, fragment ? fragment : "");
    if (*decoded && *decoded != '/') { /* an anchor */
        const sresource *a = find_resource(s, target);
        if (!a)
            return schema_fail(s, from, "$ref \"%s\": no anchor \"%s\" in \"%s\"", ref, decoded,
                               uri);
        if (dynamic_name && a->dynamic)
            *dynamic_name = decoded;
        return schema_compile_node(s, a->node, a->base, a->uri, a->draft);
    }
    const char *at_base;
    const jval *v = follow_pointer(s, r, decoded, &at_base);
    if (!v)
        return schema_fail(s, from, "$ref \"%s\": nothing at \"%s\" in %s", ref, decoded,
                           *resource_display(r) ? resource_display(r) : "this schema");
    const char *where = resource_display(r);
    char *location = schema_alloc(&s->mem, strlen(where) + strlen(decoded) + 2);
    sprintf(location, "%s#%s", where, decoded);
    return schema_compile_node(s, v, at_base, location, r->draft);
}

bool schema_is_document(const kines_schema *s, const jval *v)
{
    for (size_t i = 0; i < s->doc_count; i++)
        if (s->docs[i]->json.nodes == v)
            return true;
    return false;
}

/* Whether a resource entry is the "$dynamicAnchor" `name`; *resource gets its resource's URI. */
static bool dynamic_anchor_named(kines_schema *s, const sresource *r, const char *name,
                                 const char **resource)
{
    const char *fragment;
    char *uri = uri_without_fragment(&s->mem, r->uri, &fragment);
    *resource = uri;
    return r->dynamic && fragment && strcmp(fragment, name) == 0;
}

void schema_link_dynamic(kines_schema *s)
{
    /* compile the anchors each name may land on (that may add documents, and dynamic refs) */
    for (size_t i = 0; i < s->dynamic_ref_count && !s->failed; i++) {
        for (size_t j = 0; j < s->resource_count && !s->failed; j++) {
            sresource r = s->resources[j];
            const char *resource;
            if (dynamic_anchor_named(s, &r, s->dynamic_refs[i]->dynamic_name, &resource))
                schema_compile_node(s, r.node, r.base, r.uri, r.draft);
        }
    }
    for (size_t i = 0; i < s->dynamic_ref_count && !s->failed; i++) {
        snode *n = s->dynamic_refs[i];
        n->dynamic = schema_alloc(&s->mem, (s->resource_count + 1) * sizeof *n->dynamic);
        for (size_t j = 0; j < s->resource_count; j++) {
            const sresource *r = &s->resources[j];
            const char *resource;
            if (dynamic_anchor_named(s, r, n->dynamic_name, &resource))
                n->dynamic[n->dynamic_count++] = (sdynamic){
                    resource, schema_compile_node(s, r->node, r->base, r->uri, r->draft)};
        }
    }
}
