/* cw_errors.c - CloudWatch's errors and input checks (see cw_errors.h).
 *
 * The checks walk the input along the model, naming members as the query protocol did:
 * "Namespace", "Statistics.member.1", "MetricDataQueries.member.2.MetricStat.Metric.MetricName".
 * The values allowed for a statistic are listed in the order AWS lists them. */
#include "cw_errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/service.h"
#include "../protocol/validate.h"

typedef struct cw_error_info {
    const char *type;       /* the body's __type */
    const char *query_code; /* x-amzn-query-error's code */
    int status;             /* HTTP */
} cw_error_info;

static const cw_error_info errors[] = {
    [CW_INVALID_PARAMETER_VALUE] = {"InvalidParameterValueException", "InvalidParameterValue", 400},
    [CW_MISSING_PARAMETER] = {"MissingRequiredParameterException", "MissingParameter", 400},
    [CW_INVALID_PARAMETER_COMBINATION] = {"InvalidParameterCombinationException",
                                          "InvalidParameterCombination", 400},
    [CW_VALIDATION_ERROR] = {"ValidationError", "ValidationError", 400},
    [CW_INVALID_NEXT_TOKEN] = {"InvalidNextToken", "InvalidNextToken", 400},
    [CW_INTERNAL_FAILURE] = {"InternalServiceFault", "InternalServiceError", 500},
};

void cw_error(op_call *call, cw_error_kind kind, const char *fmt, ...)
{
    const cw_error_info *e = &errors[kind];
    va_list ap;
    va_start(ap, fmt);
    aws_error_set(call->err, e->status, e->type, "%s", "");
    kbuf_reset(&call->err->message);
    kbuf_vprintf(&call->err->message, fmt, ap);
    va_end(ap);
    call_header(call, "x-amzn-query-error: %s;%s", e->query_code,
                e->status >= 500 ? "Receiver" : "Sender");
}

/* ---- checks ------------------------------------------------------------------------------- */

static const char statistic_order[] = "Minimum, Maximum, Average, SampleCount, Sum";

static bool in_enum(const model_shape *s, const kval *v)
{
    for (size_t i = 0; i < s->n_enums; i++)
        if (strcmp(s->enums[i], v->u.s.ptr) == 0)
            return true;
    return false;
}

static void fail_enum(op_call *call, const model_shape *s, const char *path)
{
    kbuf set = KBUF_INIT;
    if (strcmp(s->name, "Statistic") == 0)
        kbuf_puts(&set, statistic_order);
    for (size_t i = 0; !set.len && i < s->n_enums; i++)
        kbuf_printf(&set, "%s%s", i ? ", " : "", s->enums[i]);
    cw_error(call, CW_INVALID_PARAMETER_VALUE,
             "The parameter %s must be a value in the set [ %s ].", path, set.data ? set.data : "");
    kbuf_free(&set);
}

static bool check(op_call *call, const model_shape *s, const kval *v, kbuf *path);

/* Checks v (NULL: a required member is missing) at path + step (a member name, or ".member.N"
 * for a list's element), then restores the path. */
static bool check_at(op_call *call, const model_shape *s, const kval *v, kbuf *path,
                     const char *step)
{
    size_t at = path->len;
    kbuf_printf(path, "%s%s", at && step[0] != '.' ? "." : "", step);
    bool ok = v ? check(call, s, v, path) : false;
    if (!v)
        cw_error(call, CW_MISSING_PARAMETER, "The parameter %s is required.", path->data);
    path->len = at;
    path->data[at] = '\0';
    return ok;
}

static bool check_structure(op_call *call, const model_shape *s, const kval *v, kbuf *path)
{
    for (size_t i = 0; i < s->n_members; i++) {
        const model_member *m = &s->members[i];
        const kval *member = kv_get(v, m->name);
        if ((member || m->required) && !check_at(call, m->shape, member, path, m->name))
            return false;
    }
    return true;
}

static bool check_list(op_call *call, const model_shape *s, const kval *v, kbuf *path)
{
    for (size_t i = 0; i < v->u.list.n; i++) {
        char step[32];
        snprintf(step, sizeof step, ".member.%zu", i + 1);
        if (!check_at(call, s->member, &v->u.list.items[i], path, step))
            return false;
    }
    return true;
}

static bool check(op_call *call, const model_shape *s, const kval *v, kbuf *path)
{
    switch (s->type) {
    case SHAPE_STRUCTURE:
        return v->type != KV_MAP || check_structure(call, s, v, path);
    case SHAPE_LIST:
        return v->type != KV_LIST || check_list(call, s, v, path);
    case SHAPE_STRING:
        if (s->n_enums && v->type == KV_STRING && !in_enum(s, v)) {
            fail_enum(call, s, path->data);
            return false;
        }
        return true;
    default:
        return true;
    }
}

bool cw_validate(op_call *call)
{
    const model_op *op = model_find_op(call->service->schema, call->operation);
    kbuf path = KBUF_INIT;
    bool ok = !model_op_input(op) || check_structure(call, model_op_input(op), call->input, &path);
    kbuf_free(&path);
    aws_error model_err;
    aws_error_init(&model_err);
    if (ok && !validate_input(op, call->input, &model_err)) {
        cw_error(call, CW_VALIDATION_ERROR, "%s", model_err.message.data);
        ok = false;
    }
    aws_error_free(&model_err);
    return ok;
}
