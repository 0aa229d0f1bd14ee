/* policy.c - parsing a policy document into statements (see policy.h, policy_internal.h).
 *
 * json-c reads the text; then every element is checked as IAM checks it, and the first problem
 * found is reported in AWS's MalformedPolicyDocument words where those are known. */
#include <ctype.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_internal.h"

#define MAX_POLICY_DEPTH 16

typedef struct parser {
    policy *p;
    policy_kind kind;
    kbuf *why;
} parser;

static bool fail(parser *ps, const char *message)
{
    if (!ps->why->len)
        kbuf_puts(ps->why, message);
    return false;
}

static json_object *member(json_object *obj, const char *name)
{
    json_object *v;
    return json_object_object_get_ex(obj, name, &v) ? v : NULL;
}

/* A string or a list of strings (AWS accepts both wherever a list is allowed). */
static bool read_strings(parser *ps, json_object *v, str_list *out, const char *what)
{
    bool single = json_object_is_type(v, json_type_string);
    if (!single && !json_object_is_type(v, json_type_array))
        return fail(ps, what);
    out->n = single ? 1 : json_object_array_length(v);
    out->items = arena_alloc(&ps->p->mem, (out->n ? out->n : 1) * sizeof *out->items);
    for (size_t i = 0; i < out->n; i++) {
        json_object *item = single ? v : json_object_array_get_idx(v, i);
        if (!json_object_is_type(item, json_type_string))
            return fail(ps, what);
        out->items[i] = arena_strdup(&ps->p->mem, json_object_get_string(item));
    }
    return true;
}

/* "*" or "vendor:Action" with wildcards. */
static bool check_actions(parser *ps, const str_list *actions)
{
    if (actions->n == 0)
        return fail(ps, "Policy statement must contain actions.");
    for (size_t i = 0; i < actions->n; i++) {
        const char *a = actions->items[i], *colon = strchr(a, ':');
        if (strcmp(a, "*") != 0 && (!colon || colon == a || !colon[1]))
            return fail(ps, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, "
                            "ec2, etc.");
    }
    return true;
}

static bool check_resources(parser *ps, const str_list *resources)
{
    if (resources->n == 0)
        return fail(ps, "Policy statement must contain resources.");
    for (size_t i = 0; i < resources->n; i++) {
        const char *r = resources->items[i];
        if (strcmp(r, "*") != 0 && strncmp(r, "arn:", 4) != 0) {
            kbuf_printf(ps->why, "Resource %s must be in ARN format or \"*\".", r);
            return false;
        }
    }
    return true;
}

static bool read_actions(parser *ps, json_object *st, statement *s)
{
    json_object *action = member(st, "Action"), *not_action = member(st, "NotAction");
    if (action && not_action)
        return fail(ps, "Statement cannot contain both Action and NotAction.");
    if (!action && !not_action)
        return fail(ps, "Policy statement must contain actions.");
    s->not_action = not_action != NULL;
    return read_strings(ps, action ? action : not_action, &s->actions,
                        "Action must be a string or a list of strings.") &&
           check_actions(ps, &s->actions);
}

static bool read_resources(parser *ps, json_object *st, statement *s)
{
    json_object *res = member(st, "Resource"), *not_res = member(st, "NotResource");
    if (res && not_res)
        return fail(ps, "Statement cannot contain both Resource and NotResource.");
    if (ps->kind == POLICY_TRUST && (res || not_res))
        return fail(ps, res ? "Has prohibited field Resource" : "Has prohibited field NotResource");
    if (!res && !not_res) {
        if (ps->kind != POLICY_IDENTITY) { /* a resource policy may omit them: its resource */
            s->resources.items = arena_alloc(&ps->p->mem, sizeof(char *));
            s->resources.items[0] = "*";
            s->resources.n = 1;
            return true;
        }
        return fail(ps, "Policy statement must contain resources.");
    }
    s->not_resource = not_res != NULL;
    return read_strings(ps, res ? res : not_res, &s->resources,
                        "Resource must be a string or a list of strings.") &&
           check_resources(ps, &s->resources);
}

/* The principals of one kind of a Principal object ({"AWS": ...} or {"Service": ...}), appended
 * to out. */
static bool append_principals(parser *ps, json_object *v, str_list *out)
{
    str_list more;
    if (!read_strings(ps, v, &more, "Invalid principal in policy."))
        return false;
    const char **all = arena_alloc(&ps->p->mem, (out->n + more.n + 1) * sizeof *all);
    for (size_t i = 0; i < out->n; i++)
        all[i] = out->items[i];
    for (size_t i = 0; i < more.n; i++)
        all[out->n + i] = more.items[i];
    out->items = all;
    out->n += more.n;
    return true;
}

/* "*", or {"AWS": one or a list, "Service": one or a list}: AWS principals are account ids,
 * root, user or role ARNs; service principals ("lambda.amazonaws.com") are kept as they are and
 * match the requests a service makes (a role's trust policy, policy_request.principal_arn).
 * Other principal kinds (Federated, CanonicalUser) name nobody kinesd knows and match no one. */
static bool read_principal(parser *ps, json_object *st, statement *s)
{
    json_object *pr = member(st, "Principal"), *not_pr = member(st, "NotPrincipal");
    if (!pr && !not_pr) {
        return ps->kind == POLICY_IDENTITY ||
               fail(ps, "Policy document should specify a principal.");
    }
    if (ps->kind == POLICY_IDENTITY)
        return fail(ps, "Policy document should not specify a principal.");
    if (pr && not_pr)
        return fail(ps, "Statement cannot contain both Principal and NotPrincipal.");
    json_object *v = pr ? pr : not_pr;
    s->has_principal = true;
    s->not_principal = not_pr != NULL;
    if (json_object_is_type(v, json_type_string)) {
        if (strcmp(json_object_get_string(v), "*") != 0)
            return fail(ps, "Invalid principal in policy: a string principal must be \"*\".");
        return read_strings(ps, v, &s->principals, "");
    }
    if (!json_object_is_type(v, json_type_object))
        return fail(ps, "Invalid principal in policy.");
    json_object *aws = member(v, "AWS"), *service = member(v, "Service");
    s->principals.n = 0;
    return (!aws || append_principals(ps, aws, &s->principals)) &&
           (!service || append_principals(ps, service, &s->principals));
}

static bool read_condition_key(parser *ps, condition *c, const char *key, json_object *values)
{
    c->key = arena_strdup(&ps->p->mem, key);
    ps->p->varies = ps->p->varies || condition_key_varies(key);
    if (json_object_is_type(values, json_type_boolean) ||
        json_object_is_type(values, json_type_int) ||
        json_object_is_type(values, json_type_double)) {
        c->values.n = 1;
        c->values.items = arena_alloc(&ps->p->mem, sizeof(char *));
        c->values.items[0] = arena_strdup(&ps->p->mem, json_object_get_string(values));
        return true;
    }
    if (json_object_is_type(values, json_type_array)) {
        size_t n = json_object_array_length(values);
        c->values.n = n;
        c->values.items = arena_alloc(&ps->p->mem, (n ? n : 1) * sizeof(char *));
        for (size_t i = 0; i < n; i++) {
            json_object *item = json_object_array_get_idx(values, i);
            if (!item || json_object_is_type(item, json_type_object) ||
                json_object_is_type(item, json_type_array))
                return fail(ps, "Syntax errors in policy.");
            c->values.items[i] = arena_strdup(&ps->p->mem, json_object_get_string(item));
        }
        return true;
    }
    return read_strings(ps, values, &c->values, "Syntax errors in policy.");
}

/* "Condition": {"Operator": {"key": value or [values]}, ...}: one condition per key. */
static bool read_conditions(parser *ps, json_object *st, statement *s)
{
    json_object *block = member(st, "Condition");
    if (!block)
        return true;
    if (!json_object_is_type(block, json_type_object))
        return fail(ps, "Syntax errors in policy.");
    size_t n = 0;
    json_object_object_foreach(block, op_name, keys)
    {
        if (!json_object_is_type(keys, json_type_object))
            return fail(ps, "Syntax errors in policy.");
        n += (size_t)json_object_object_length(keys);
        (void)op_name;
    }
    s->conditions = arena_alloc(&ps->p->mem, (n ? n : 1) * sizeof *s->conditions);
    json_object_object_foreach(block, op, key_map)
    {
        condition proto = {0};
        if (!condition_operator(op, &proto)) {
            kbuf_printf(ps->why, "Invalid Condition type : %s.", op);
            return false;
        }
        json_object_object_foreach(key_map, key, values)
        {
            condition *c = &s->conditions[s->n_conditions++];
            *c = proto;
            if (!strchr(key, ':'))
                return fail(ps, "Actions/Conditions must be prefaced by a vendor, e.g., iam, "
                                "sdb, ec2, etc.");
            if (!read_condition_key(ps, c, key, values))
                return false;
        }
    }
    return true;
}

static bool known_statement_member(const char *name)
{
    static const char *const known[] = {"Sid",       "Effect",       "Action",
                                        "NotAction", "Resource",     "NotResource",
                                        "Principal", "NotPrincipal", "Condition"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i]) == 0)
            return true;
    return false;
}

static bool read_statement(parser *ps, json_object *st, statement *s)
{
    if (!json_object_is_type(st, json_type_object))
        return fail(ps, "Syntax errors in policy.");
    json_object_object_foreach(st, name, value)
    {
        (void)value;
        if (!known_statement_member(name)) {
            kbuf_printf(ps->why, "Statement contains an unknown element: %s.", name);
            return false;
        }
    }
    json_object *sid = member(st, "Sid"), *effect = member(st, "Effect");
    if (sid && !json_object_is_type(sid, json_type_string))
        return fail(ps, "Syntax errors in policy.");
    if (!effect)
        return fail(ps, "Missing required field Effect");
    const char *e =
        json_object_is_type(effect, json_type_string) ? json_object_get_string(effect) : "";
    if (strcmp(e, "Allow") != 0 && strcmp(e, "Deny") != 0) {
        kbuf_printf(ps->why, "Invalid effect: %s", e);
        return false;
    }
    s->allow = strcmp(e, "Allow") == 0;
    return read_principal(ps, st, s) && read_actions(ps, st, s) && read_resources(ps, st, s) &&
           read_conditions(ps, st, s);
}

static bool read_version(parser *ps, json_object *doc)
{
    json_object *version = member(doc, "Version");
    if (!version) /* the 2008 language: no policy variables */
        return true;
    const char *v =
        json_object_is_type(version, json_type_string) ? json_object_get_string(version) : "";
    if (strcmp(v, "2012-10-17") != 0 && strcmp(v, "2008-10-17") != 0)
        return fail(ps, "The policy must contain a valid version string");
    ps->p->variables = strcmp(v, "2012-10-17") == 0;
    return true;
}

static bool read_document(parser *ps, json_object *doc)
{
    if (!json_object_is_type(doc, json_type_object))
        return fail(ps, "Syntax errors in policy.");
    json_object_object_foreach(doc, name, value)
    {
        (void)value;
        if (strcmp(name, "Version") != 0 && strcmp(name, "Statement") != 0 &&
            strcmp(name, "Id") != 0) {
            kbuf_printf(ps->why, "Policy document contains an unknown element: %s.", name);
            return false;
        }
    }
    json_object *statements = member(doc, "Statement");
    if (!read_version(ps, doc))
        return false;
    if (!statements)
        return fail(ps, "Missing required field Statement");
    bool single = json_object_is_type(statements, json_type_object);
    if (!single && !json_object_is_type(statements, json_type_array))
        return fail(ps, "Syntax errors in policy.");
    size_t n = single ? 1 : json_object_array_length(statements);
    policy *p = ps->p;
    p->statements = arena_alloc(&p->mem, (n ? n : 1) * sizeof *p->statements);
    p->n_statements = n;
    for (size_t i = 0; i < n; i++)
        if (!read_statement(ps, single ? statements : json_object_array_get_idx(statements, i),
                            &p->statements[i]))
            return false;
    return true;
}

/* The whole text as one JSON value (UTF-8 checked, nothing after it but whitespace). */
static json_object *parse_json(const char *text)
{
    json_tokener *tok = json_tokener_new_ex(MAX_POLICY_DEPTH);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
                                    JSON_TOKENER_VALIDATE_UTF8);
    size_t len = strlen(text);
    json_object *doc = json_tokener_parse_ex(tok, text, (int)len);
    size_t end = json_tokener_get_parse_end(tok);
    while (end < len && isspace((unsigned char)text[end]))
        end++;
    if (json_tokener_get_error(tok) != json_tokener_success || end != len) {
        json_object_put(doc);
        doc = NULL;
    }
    json_tokener_free(tok);
    return doc;
}

policy *policy_parse(const char *text, policy_kind kind, kbuf *why)
{
    policy *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    arena_init(&p->mem);
    parser ps = {p, kind, why};
    kbuf_reset(why);
    json_object *doc = parse_json(text);
    bool ok = doc ? read_document(&ps, doc) : fail(&ps, "Syntax errors in policy.");
    json_object_put(doc);
    if (!ok) {
        policy_free(p);
        return NULL;
    }
    return p;
}

void policy_free(policy *p)
{
    if (!p)
        return;
    arena_free(&p->mem);
    free(p);
}

bool policy_varies_per_request(const policy *p)
{
    return p->varies;
}
