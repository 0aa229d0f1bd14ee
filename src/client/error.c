/* error.c - kines_error helpers and the retry classification of errors. */
#include "common/oom.h"
#include "error.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kines_fail(kines_error *err, kines_status status, const char *fmt, ...)
{
    bool out_of_memory = oom_take();
    if (!err)
        return -1;
    err->status = out_of_memory ? KINES_ERR_MEMORY : status;
    err->type[0] = '\0';
    err->message[0] = '\0';
    size_t at = 0;
    if (out_of_memory) /* what the call meant to say follows, unless it said the same */
        at = (size_t)snprintf(err->message, sizeof err->message, "out of memory%s",
                              status == KINES_ERR_MEMORY ? "" : ": ");
    if (!out_of_memory || status != KINES_ERR_MEMORY) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message + at, sizeof err->message - at, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int kines_out_of_memory(kines_error *err)
{
    oom_failed();
    return kines_fail(err, KINES_ERR_MEMORY, "out of memory");
}

int kines_check_memory(kines_error *err, int rc)
{
    return oom_take() ? kines_out_of_memory(err) : rc;
}

void kines_error_clear(kines_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

static bool is_throttling(const char *type)
{
    static const char *const throttling[] = {"ProvisionedThroughputExceededException",
                                             "LimitExceededException",
                                             "ThrottlingException",
                                             "Throttling",
                                             "ThrottledException",
                                             "RequestThrottledException"};
    for (size_t i = 0; i < sizeof throttling / sizeof *throttling; i++)
        if (strcmp(type, throttling[i]) == 0)
            return true;
    return false;
}

bool kines_error_is_retryable(const kines_error *err)
{
    switch (err->status) {
    case KINES_ERR_TRANSPORT:
        return true;
    case KINES_ERR_SERVICE:
        return err->http_status >= 500 || is_throttling(err->type);
    default:
        return false;
    }
}

/* "com.amazonaws.kinesis#ResourceNotFoundException" or "Name:http://..." -> the bare name. */
static void copy_error_type(char *out, size_t cap, const char *type)
{
    const char *hash = strrchr(type, '#');
    if (hash)
        type = hash + 1;
    snprintf(out, cap, "%.*s", (int)strcspn(type, ":"), type);
}

/* A query protocol's <ErrorResponse><Error><Code>...</Code><Message>...</Message>. */
static int fail_from_xml(kines_error *err, int http_status, const kbuf *body)
{
    char *code = kines_xml_text(body->data, "Code", NULL);
    char *message = kines_xml_text(body->data, "Message", NULL);
    kines_fail(err, KINES_ERR_SERVICE, "%s", message ? message : "");
    err->http_status = http_status;
    if (code)
        snprintf(err->type, sizeof err->type, "%s", code);
    else
        snprintf(err->type, sizeof err->type, "HTTP%d", http_status);
    free(code);
    free(message);
    return -1;
}

int kines_fail_from_response(kines_error *err, int http_status, const kbuf *body)
{
    if (!err)
        return -1;
    size_t lead = body->len ? strspn(body->data, " \t\r\n") : 0;
    if (body->len > lead && body->data[lead] == '<')
        return fail_from_xml(err, http_status, body);
    json_object *root = body->len ? json_tokener_parse(body->data) : NULL;
    json_object *type = NULL, *message = NULL;
    if (root && json_object_is_type(root, json_type_object)) {
        json_object_object_get_ex(root, "__type", &type);
        if (!json_object_object_get_ex(root, "message", &message))
            json_object_object_get_ex(root, "Message", &message);
    }
    kines_fail(err, KINES_ERR_SERVICE, "%s", message ? json_object_get_string(message) : "");
    err->http_status = http_status;
    if (type)
        copy_error_type(err->type, sizeof err->type, json_object_get_string(type));
    else
        snprintf(err->type, sizeof err->type, "HTTP%d", http_status);
    json_object_put(root);
    return -1;
}
