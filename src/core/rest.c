/* rest.c - the REST-JSON protocol (Lambda's): a request routed by its method and path against
 * the URI templates of a registered REST-JSON service's model, its members bound from the URI
 * labels, the query string, the headers and the body, and errors written as those services
 * write them (see core_internal.h).
 *
 * Routing: the operation whose method matches and whose template ("/2015-03-31/functions/
 * {FunctionName}/invocations", maybe with a literal query such as "?List=ALL") matches the path
 * segment by segment; when several match, the one with the most literal segments wins. A label
 * matches one non-empty segment ("{Name+}" the rest of the path) and is percent-decoded.
 *
 * Binding: a member located in the URI, the query string or a header is converted from its text
 * to the member's type; a structure's payload member takes the whole body (a blob as raw bytes, a
 * structure as JSON); otherwise the body is the JSON of the input's body members. The result is
 * one KV_MAP, validated like any other input.
 *
 * Errors: status, `x-amzn-ErrorType: TYPE` and `{"Type": "User"|"Service", "message": ...}`,
 * which is what botocore's REST-JSON parser reads (the code from the header, the message from the
 * body). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../auth/uri.h"
#include "../protocol/decode.h"
#include "core_internal.h"

#define MAX_LABELS 8
#define MAX_ENTRIES 64

/* --- text helpers --------------------------------------------------------------------------- */

/* Percent-decodes s[0..n) into the arena; a malformed escape is kept as it is. */
static char *percent_decode(arena *a, const char *s, size_t n)
{
    kbuf decoded = KBUF_INIT;
    uri_decode(&decoded, s, n);
    char *out = arena_strndup(a, decoded.data ? decoded.data : "", decoded.len);
    kbuf_free(&decoded);
    return out;
}

/* --- templates ------------------------------------------------------------------------------ */

typedef struct label {
    const char *name; /* in the template, not NUL-terminated */
    size_t name_len;
    const char *value; /* in the path */
    size_t value_len;
} label;

/* Whether every "k=v" (or "k") of the template's literal query is in the request's query. */
static bool query_has_literals(const char *literals, const char *query)
{
    while (literals && *literals) {
        size_t n = strcspn(literals, "&");
        bool found = false;
        for (const char *q = query; q && *q && !found;) {
            size_t m = strcspn(q, "&");
            found = m == n && strncmp(q, literals, n) == 0;
            q += m + (q[m] == '&');
        }
        if (!found)
            return false;
        literals += n + (literals[n] == '&');
    }
    return true;
}

/* Matches the path (without its query) against the template; the number of literal segments
 * matched (higher is more specific), or -1. Fills up to MAX_LABELS labels. */
static int template_match(const char *tmpl, const char *path, size_t path_len, label *labels,
                          int *n_labels)
{
    const char *t = tmpl, *p = path, *end = path + path_len;
    int literals = 0;
    *n_labels = 0;
    while (*t && *t != '?') {
        if (*t != '/' || p >= end || *p != '/')
            return -1;
        t++, p++;
        size_t tn = strcspn(t, "/?");
        const char *seg_end = memchr(p, '/', (size_t)(end - p));
        size_t pn = (size_t)((seg_end ? seg_end : end) - p);
        if (tn >= 2 && t[0] == '{' && t[tn - 1] == '}') {
            bool greedy = t[tn - 2] == '+';
            if (greedy)
                pn = (size_t)(end - p);
            if (pn == 0 || *n_labels == MAX_LABELS)
                return -1;
            labels[(*n_labels)++] = (label){t + 1, tn - 2 - greedy, p, pn};
        } else if (tn != pn || strncmp(t, p, tn) != 0) {
            return -1;
        } else {
            literals++;
        }
        t += tn, p += pn;
    }
    return p == end ? literals : -1;
}

static const char *query_of(const char *url)
{
    const char *q = strchr(url, '?');
    return q ? q + 1 : NULL;
}

typedef struct route_pick {
    const model_op *op;
    int score;
} route_pick;

static void consider_service(const service *svc, void *arg)
{
    const http_request *req = ((void **)arg)[0];
    route_pick *best = ((void **)arg)[1];
    if (model_protocol(svc->schema) != WIRE_REST_JSON)
        return;
    size_t path_len = strcspn(req->url, "?");
    for (size_t i = 0; i < model_op_count(svc->schema); i++) {
        const model_op *op = model_op_at(svc->schema, i);
        const char *tmpl = model_op_request_uri(op), *method = model_op_http_method(op);
        label labels[MAX_LABELS];
        int n;
        if (!tmpl || !method || strcmp(method, req->method) != 0)
            continue;
        int score = template_match(tmpl, req->url, path_len, labels, &n);
        const char *literal_query = strchr(tmpl, '?');
        if (score < 0 ||
            (literal_query && !query_has_literals(literal_query + 1, query_of(req->url))))
            continue;
        score = score * 2 + (literal_query != NULL);
        if (score > best->score)
            *best = (route_pick){op, score};
    }
}

const model_op *rest_route(core_request *r, const http_request *req)
{
    route_pick best = {NULL, -1};
    void *args[2] = {(void *)req, &best};
    service_each(consider_service, args);
    if (!best.op)
        return NULL;
    r->svc = service_by_model(model_which(model_op_model(best.op)));
    r->format = &reply_rest_json;
    return best.op;
}

/* --- binding -------------------------------------------------------------------------------- */

typedef struct binder {
    core_request *r;
    const char **keys;
    kval *vals;
    size_t n;
} binder;

static bool bad_text(binder *b, const model_member *m, const char *text)
{
    aws_error_set(&b->r->err, 400, "SerializationException",
                  "Cannot convert '%s' to the type of %s", text, m->name);
    return false;
}

/* The text of a URI, query or header member as a value of its shape. */
static bool from_text(binder *b, const model_member *m, const char *text, kval *out)
{
    char *end;
    switch (m->shape->type) {
    case SHAPE_STRING:
        out->type = KV_STRING;
        out->u.s.ptr = text;
        out->u.s.len = strlen(text);
        return true;
    case SHAPE_INTEGER:
    case SHAPE_LONG:
        out->type = KV_INT;
        out->u.i = strtoll(text, &end, 10);
        return (*text && !*end) || bad_text(b, m, text);
    case SHAPE_BOOLEAN:
        out->type = KV_BOOL;
        out->u.b = strcasecmp(text, "true") == 0;
        return out->u.b || strcasecmp(text, "false") == 0 || bad_text(b, m, text);
    default:
        return bad_text(b, m, text);
    }
}

static void put(binder *b, const char *key, const kval *v)
{
    for (size_t i = 0; i < b->n; i++) {
        if (strcmp(b->keys[i], key) == 0) {
            b->vals[i] = *v;
            return;
        }
    }
    if (b->n < MAX_ENTRIES) {
        b->keys[b->n] = key;
        b->vals[b->n++] = *v;
    }
}

static const char *label_value(binder *b, const label *labels, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strlen(name) == labels[i].name_len &&
            strncmp(labels[i].name, name, labels[i].name_len) == 0)
            return percent_decode(&b->r->mem, labels[i].value, labels[i].value_len);
    return NULL;
}

/* The header (names are compared case-insensitively; the server lower-cases them). */
static const char *header_value(const http_request *req, const char *name)
{
    char lower[128];
    size_t n = strlen(name) < sizeof lower - 1 ? strlen(name) : sizeof lower - 1;
    for (size_t i = 0; i < n; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    lower[n] = '\0';
    return http_request_header(req, lower);
}

/* Binds the members that travel outside the body. */
static bool bind_located(binder *b, const model_shape *in, const http_request *req)
{
    label labels[MAX_LABELS];
    int n_labels = 0;
    template_match(model_op_request_uri(b->r->op), req->url, strcspn(req->url, "?"), labels,
                   &n_labels);
    const char *query = query_of(req->url);
    query_form form = {NULL, 0};
    if (query)
        query_form_parse(&form, query, strlen(query), &b->r->mem);
    for (size_t i = 0; i < in->n_members; i++) {
        const model_member *m = &in->members[i];
        const char *text = NULL;
        if (m->location == LOC_URI)
            text = label_value(b, labels, n_labels, m->location_name);
        else if (m->location == LOC_QUERY)
            text = query_form_get(&form, m->location_name);
        else if (m->location == LOC_HEADER)
            text = header_value(req, m->location_name);
        kval v;
        if (!text)
            continue;
        if (!from_text(b, m, text, &v))
            return false;
        put(b, m->name, &v);
    }
    return true;
}

/* The body: the payload member's value, or the JSON of the body members. */
static bool bind_body(binder *b, const model_shape *in, const http_request *req)
{
    const model_member *payload =
        in->payload ? shape_find_member(in, in->payload, strlen(in->payload)) : NULL;
    if (payload && payload->shape->type == SHAPE_BLOB) {
        kval v = {.type = KV_BLOB};
        v.u.s.ptr = req->body_len ? req->body : NULL;
        v.u.s.len = req->body_len;
        if (req->body_len)
            put(b, payload->name, &v);
        return true;
    }
    if (req->body_len == 0)
        return true;
    kval *body = decode_json_shape(payload ? payload->shape : in, req->body, req->body_len,
                                   &b->r->mem, &b->r->err);
    if (!body)
        return false;
    if (payload) {
        put(b, payload->name, body);
        return true;
    }
    for (size_t i = 0; i < body->u.map.n; i++) {
        const char *key = body->u.map.keys[i];
        const model_member *m = shape_find_member(in, key, strlen(key));
        if (m && m->location == LOC_BODY)
            put(b, key, &body->u.map.vals[i]);
    }
    return true;
}

kval *rest_decode(core_request *r, const http_request *req)
{
    static const model_shape no_input = {.name = "", .type = SHAPE_STRUCTURE};
    const model_shape *in = model_op_input(r->op) ? model_op_input(r->op) : &no_input;
    binder b = {r, arena_alloc(&r->mem, MAX_ENTRIES * sizeof(char *)),
                arena_alloc(&r->mem, MAX_ENTRIES * sizeof(kval)), 0};
    if (!bind_body(&b, in, req) || !bind_located(&b, in, req))
        return NULL;
    kval *out = arena_alloc(&r->mem, sizeof *out);
    out->type = KV_MAP;
    out->u.map.keys = b.keys;
    out->u.map.vals = b.vals;
    out->u.map.n = b.n;
    return out;
}

/* --- errors --------------------------------------------------------------------------------- */

static void write_rest_error(op_call *call, kbuf *body, aws_error *err, const char *request_id)
{
    (void)request_id;
    call_header(call, "x-amzn-ErrorType: %s", err->type);
    kbuf_reset(body);
    kenc e;
    enc_init(&e, ENC_JSON, body);
    enc_map_begin(&e);
    enc_key(&e, "Type");
    enc_str(&e, err->status >= 500 ? "Service" : "User");
    enc_key(&e, "message");
    enc_str(&e, err->message.len ? err->message.data : "");
    enc_map_end(&e);
}

const reply_format reply_rest_json = {"Content-Type: application/json", NULL, ENC_JSON,
                                      .write_error = write_rest_error};
