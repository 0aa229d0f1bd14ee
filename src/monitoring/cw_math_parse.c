/* cw_math_parse.c - metric math text into a tree (math_parse), and the check of its references
 * against the request's queries (math_check).
 *
 * Grammar (spaces anywhere between tokens):
 *   expr    = and { ("OR" | "||") and }
 *   and     = not { ("AND" | "&&") not }
 *   not     = ("NOT" | "!") not | compare                       (NOT x is x == 0)
 *   compare = sum { ("<" | ">" | "<=" | ">=" | "==" | "!=") sum }
 *   sum     = product { ("+" | "-") product }
 *   product = unary { ("*" | "/") unary }
 *   unary   = "-" unary | "+" unary | primary
 *   primary = number | id | NAME "(" [ arg { "," arg } ] ")" | "(" expr ")"
 *   arg     = expr | "string" | REPEAT | LINEAR
 * Operators are kept as one character: l (<=), g (>=), = (==), ! (!=), & (AND), | (OR).
 * An id starts with a lower-case letter; function names are upper case. Strings and the FILL
 * keywords are taken only where a function wants them. Nesting is bounded (MAX_DEPTH). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw_math_node.h"

#define MAX_DEPTH 64

/* A function: its name, its arguments' count, and what its second argument may be. */
typedef struct fn_spec {
    const char *name; /* as written */
    math_fn fn;       /* which */
    int min_args;     /* fewest arguments */
    int max_args;     /* most arguments */
} fn_spec;

static const fn_spec FUNCTIONS[] = {
    {"SUM", MATH_FN_SUM, 1, 1},   {"AVG", MATH_FN_AVG, 1, 1},         {"MIN", MATH_FN_MIN, 1, 1},
    {"MAX", MATH_FN_MAX, 1, 1},   {"METRICS", MATH_FN_METRICS, 0, 1}, {"FILL", MATH_FN_FILL, 2, 2},
    {"RATE", MATH_FN_RATE, 1, 1}, {"DIFF", MATH_FN_DIFF, 1, 1},       {"ABS", MATH_FN_ABS, 1, 1},
    {"IF", MATH_FN_IF, 2, 3},
};

/* An operator as written, and the character the tree keeps for it. */
typedef struct op_token {
    const char *text; /* as written; a word needs no letter after it */
    char op;          /* math_node.op */
} op_token;

static const op_token OR_OPS[] = {{"OR", '|'}, {"||", '|'}, {NULL, 0}};
static const op_token AND_OPS[] = {{"AND", '&'}, {"&&", '&'}, {NULL, 0}};
static const op_token COMPARE_OPS[] = {{"<=", 'l'}, {">=", 'g'}, {"==", '='}, {"!=", '!'},
                                       {"<", '<'},  {">", '>'},  {NULL, 0}};
static const op_token SUM_OPS[] = {{"+", '+'}, {"-", '-'}, {NULL, 0}};
static const op_token PRODUCT_OPS[] = {{"*", '*'}, {"/", '/'}, {NULL, 0}};

typedef struct parser {
    arena *arena;     /* where nodes go */
    const char *text; /* the whole expression */
    const char *at;   /* the next character */
    int depth;        /* nesting of the rule being parsed */
    char *err;        /* the message, once something is wrong */
    size_t err_len;   /* its room */
    bool failed;      /* err is set */
} parser;

static math_node *parse_expr(parser *p);

static math_node *fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static math_node *fail(parser *p, const char *fmt, ...)
{
    if (!p->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err, p->err_len, fmt, ap);
        va_end(ap);
        p->failed = true;
    }
    return NULL;
}

/* The character at p->at is out of place (named when it is printable ASCII: the message must stay
 * valid UTF-8). */
static math_node *unexpected(parser *p)
{
    unsigned char c = (unsigned char)*p->at;
    if (c < 0x80 && isprint(c))
        return fail(p, "'%c' is not expected here", c);
    return fail(p, "character %zu is not expected here", (size_t)(p->at - p->text) + 1);
}

static void skip_spaces(parser *p)
{
    while (isspace((unsigned char)*p->at))
        p->at++;
}

/* Consumes c (after spaces) if it is next. */
static bool accept(parser *p, char c)
{
    skip_spaces(p);
    if (*p->at != c)
        return false;
    p->at++;
    return true;
}

static math_node *new_node(parser *p, math_node_kind kind)
{
    math_node *n = arena_alloc(p->arena, sizeof *n);
    n->kind = kind;
    return n;
}

static math_node *parse_number(parser *p)
{
    char *end;
    double x = strtod(p->at, &end);
    if (end == p->at)
        return fail(p, "'.' is not a number");
    p->at = end;
    math_node *n = new_node(p, MATH_NUMBER);
    n->number = x;
    return n;
}

static math_node *parse_string(parser *p)
{
    const char *start = ++p->at;
    const char *end = strchr(start, '"');
    if (!end)
        return fail(p, "a string is not closed");
    p->at = end + 1;
    math_node *n = new_node(p, MATH_STRING);
    n->text = arena_strndup(p->arena, start, (size_t)(end - start));
    return n;
}

static const fn_spec *find_function(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof FUNCTIONS / sizeof FUNCTIONS[0]; i++)
        if (strlen(FUNCTIONS[i].name) == len && strncmp(FUNCTIONS[i].name, name, len) == 0)
            return &FUNCTIONS[i];
    return NULL;
}

/* An argument: an expression, or a string or keyword where the function takes one. */
static math_node *parse_arg(parser *p, const fn_spec *f, int index)
{
    skip_spaces(p);
    if (*p->at == '"' && f->fn == MATH_FN_METRICS)
        return parse_string(p);
    if (f->fn == MATH_FN_FILL && index == 1)
        for (const char *const *w = (const char *const[]){"REPEAT", "LINEAR", NULL}; *w; w++)
            if (strncmp(p->at, *w, strlen(*w)) == 0 && !isalnum((unsigned char)p->at[strlen(*w)])) {
                p->at += strlen(*w);
                math_node *n = new_node(p, MATH_KEYWORD);
                n->text = *w;
                return n;
            }
    if (f->fn == MATH_FN_METRICS)
        return fail(p, "METRICS takes a string, as in METRICS(\"errors\")");
    return parse_expr(p);
}

static math_node *parse_call(parser *p, const char *name, size_t len)
{
    const fn_spec *f = find_function(name, len);
    if (!f)
        return fail(p, "the function %.*s is not supported", (int)len, name);
    math_node *n = new_node(p, MATH_CALL);
    n->fn = f->fn;
    if (!accept(p, ')')) {
        do {
            if (n->n_args == f->max_args)
                return fail(p, "%s takes at most %d argument%s", f->name, f->max_args,
                            f->max_args == 1 ? "" : "s");
            n->args[n->n_args] = parse_arg(p, f, n->n_args);
            if (!n->args[n->n_args++])
                return NULL;
        } while (accept(p, ','));
        if (!accept(p, ')'))
            return fail(p, "a ')' is missing after the arguments of %s", f->name);
    }
    if (n->n_args < f->min_args)
        return fail(p, "%s takes %d argument%s", f->name, f->min_args, f->min_args == 1 ? "" : "s");
    return n;
}

/* An id, or a function call. */
static math_node *parse_name(parser *p)
{
    const char *start = p->at;
    while (isalnum((unsigned char)*p->at) || *p->at == '_')
        p->at++;
    size_t len = (size_t)(p->at - start);
    if (accept(p, '('))
        return parse_call(p, start, len);
    if (!islower((unsigned char)start[0]))
        return fail(p, "%.*s is neither a query Id nor a function", (int)len, start);
    math_node *n = new_node(p, MATH_REF);
    n->text = arena_strndup(p->arena, start, len);
    return n;
}

static math_node *parse_primary(parser *p)
{
    skip_spaces(p);
    char c = *p->at;
    if (c == '(') {
        p->at++;
        math_node *n = parse_expr(p);
        if (n && !accept(p, ')'))
            return fail(p, "a ')' is missing");
        return n;
    }
    if (isdigit((unsigned char)c) || c == '.')
        return parse_number(p);
    if (isalpha((unsigned char)c))
        return parse_name(p);
    if (c == '\0')
        return fail(p, "the expression ends where a value is expected");
    return unexpected(p);
}

static math_node *parse_unary(parser *p)
{
    if (++p->depth > MAX_DEPTH)
        return fail(p, "the expression is nested more than %d deep", MAX_DEPTH);
    math_node *n;
    if (accept(p, '-')) {
        math_node *a = parse_unary(p);
        n = a ? new_node(p, MATH_NEGATE) : NULL;
        if (n) {
            n->args[0] = a;
            n->n_args = 1;
        }
    } else {
        accept(p, '+');
        n = parse_primary(p);
    }
    p->depth--;
    return n;
}

/* Consumes the first of `ops` written next (after spaces); its operator, or 0. */
static char accept_op(parser *p, const op_token *ops)
{
    skip_spaces(p);
    for (; ops->text; ops++) {
        size_t len = strlen(ops->text);
        if (strncmp(p->at, ops->text, len) == 0 &&
            !(isalpha((unsigned char)ops->text[0]) &&
              (isalnum((unsigned char)p->at[len]) || p->at[len] == '_'))) {
            p->at += len;
            return ops->op;
        }
    }
    return 0;
}

static math_node *new_binary(parser *p, char op, math_node *left, math_node *right)
{
    if (!left || !right)
        return NULL;
    math_node *n = new_node(p, MATH_BINARY);
    n->op = op;
    n->args[0] = left;
    n->args[1] = right;
    n->n_args = 2;
    return n;
}

/* Left-associative operators `ops` between operands parsed by `operand`. */
static math_node *parse_chain(parser *p, const op_token *ops, math_node *(*operand)(parser *))
{
    math_node *left = operand(p);
    char op;
    while (left && (op = accept_op(p, ops)))
        left = new_binary(p, op, left, operand(p));
    return left;
}

static math_node *parse_product(parser *p)
{
    return parse_chain(p, PRODUCT_OPS, parse_unary);
}

static math_node *parse_sum(parser *p)
{
    return parse_chain(p, SUM_OPS, parse_product);
}

static math_node *parse_compare(parser *p)
{
    return parse_chain(p, COMPARE_OPS, parse_sum);
}

static math_node *parse_not(parser *p)
{
    static const op_token NOT_OPS[] = {{"NOT", '='}, {"!", '='}, {NULL, 0}};
    if (!accept_op(p, NOT_OPS))
        return parse_compare(p);
    if (++p->depth > MAX_DEPTH)
        return fail(p, "the expression is nested more than %d deep", MAX_DEPTH);
    math_node *zero = new_node(p, MATH_NUMBER);
    math_node *n = new_binary(p, '=', parse_not(p), zero);
    p->depth--;
    return n;
}

static math_node *parse_and(parser *p)
{
    return parse_chain(p, AND_OPS, parse_not);
}

static math_node *parse_expr(parser *p)
{
    return parse_chain(p, OR_OPS, parse_and);
}

math_node *math_parse(arena *a, const char *text, char *err, size_t err_len)
{
    parser p = {.arena = a, .text = text, .at = text, .err = err, .err_len = err_len};
    math_node *n = parse_expr(&p);
    skip_spaces(&p);
    if (n && *p.at)
        return unexpected(&p);
    return n;
}

/* ---- references ---- */

enum { UNSEEN, VISITING, CHECKED }; /* math_ref.state during math_check */

static bool check_ref(math_ctx *c, size_t i, size_t *bad);

static bool check_node(math_ctx *c, math_node *n, size_t i, size_t *bad)
{
    if (n->kind == MATH_REF) {
        size_t j = 0;
        while (j < c->n_refs && strcmp(c->refs[j].id, n->text) != 0)
            j++;
        if (j == c->n_refs) {
            snprintf(c->err, sizeof c->err, "no query has the Id %s", n->text);
            *bad = i;
            return false;
        }
        n->ref = j;
        return check_ref(c, j, bad);
    }
    for (int k = 0; k < n->n_args; k++)
        if (!check_node(c, n->args[k], i, bad))
            return false;
    return true;
}

static bool check_ref(math_ctx *c, size_t i, size_t *bad)
{
    math_ref *r = &c->refs[i];
    if (r->state == CHECKED || !r->expr)
        return true;
    if (r->state == VISITING) {
        snprintf(c->err, sizeof c->err, "the expression of %s depends on itself", r->id);
        *bad = i;
        return false;
    }
    r->state = VISITING;
    if (!check_node(c, r->expr, i, bad))
        return false;
    r->state = CHECKED;
    return true;
}

bool math_check(math_ctx *c, size_t *bad)
{
    for (size_t i = 0; i < c->n_refs; i++)
        if (!check_ref(c, i, bad))
            return false;
    for (size_t i = 0; i < c->n_refs; i++)
        c->refs[i].state = 0;
    return true;
}
