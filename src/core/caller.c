/* caller.c - the SigV4 credential scope of a request (Authorization header or presigned query
 * parameters, with AWS's errors for each), and the open-mode caller (see caller.h). */
#include "caller.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../auth/uri.h"

/* Finds "name=" as a parameter of the Authorization header and copies its value (up to ',' or
 * space) into out. False when absent or empty. */
static bool auth_param(const char *auth, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    for (const char *p = auth; (p = strstr(p, name)) != NULL; p += nlen) {
        bool starts = p == auth || p[-1] == ' ' || p[-1] == ',';
        if (!starts || p[nlen] != '=')
            continue;
        const char *v = p + nlen + 1;
        size_t n = strcspn(v, ", ");
        if (n == 0 || n >= cap)
            return false;
        memcpy(out, v, n);
        out[n] = '\0';
        return true;
    }
    return false;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return n > 0;
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The shape every AWS partition gives its regions (botocore's partitions.json: aws
 * "^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$", aws-us-gov "^us\-gov\-\w+\-\d+$", aws-cn,
 * aws-iso...): lower-case letters, one or more dash-separated words, a dash and a number. A
 * region of that shape that AWS does not have yet is accepted; it must fit auth_scope.region. */
static bool region_well_formed(const char *r, size_t n)
{
    size_t first = 0, last = n, dashes = 0;
    while (first < n && r[first] >= 'a' && r[first] <= 'z')
        first++;
    while (last > 0 && isdigit((unsigned char)r[last - 1]))
        last--;
    if (n >= sizeof(((auth_scope *)0)->region) || first == 0 || last == n || last <= first + 1 ||
        r[first] != '-' || r[last - 1] != '-')
        return false;
    for (size_t i = first; i < last; i++) {
        bool dash = r[i] == '-';
        if (!dash && !is_word_char(r[i]))
            return false;
        if (dash && i + 1 < last && r[i + 1] == '-')
            return false; /* an empty word */
        dashes += dash;
    }
    return dashes >= 2;
}

/* Credential=AKID/20250101/us-east-1/kinesis/aws4_request. The region goes into ARNs: a malformed
 * one ("us-east-1:111111111111" made an ARN that looked like another account's) is refused as AWS
 * refuses a region it does not serve (403 InvalidSignatureException); a credential without one
 * keeps us-east-1. */
static bool parse_credential(const char *credential, auth_scope *scope, aws_error *err)
{
    const char *date = strchr(credential, '/');
    const char *region = date ? strchr(date + 1, '/') : NULL;
    region = region ? region + 1 : NULL;
    size_t region_len = region ? strcspn(region, "/") : 0;
    if (region && !region_well_formed(region, region_len)) {
        aws_error_set(err, 403, "InvalidSignatureException",
                      "Credential should be scoped to a valid region, not '%.*s'. ",
                      (int)region_len, region);
        return false;
    }
    sscanf(credential, "%128[^/]/%8[^/]/%31[^/]/%31[^/]/", scope->access_key, scope->date,
           scope->region, scope->service);
    return true;
}

/* The value of query parameter `name` in url, percent-decoded into out: 1 when present with a
 * value, 0 when absent or empty (a bare "?name" counts as present for *bare), -1 when too long. */
static int query_param(const char *url, const char *name, char *out, size_t cap, bool *bare)
{
    const char *q = strchr(url, '?');
    size_t nlen = strlen(name);
    for (const char *p = q; p && *p; p = strchr(p, '&')) {
        p++;
        if (strncmp(p, name, nlen) != 0 || (p[nlen] != '=' && p[nlen] != '&' && p[nlen]))
            continue;
        if (bare)
            *bare = true;
        const char *v = p[nlen] == '=' ? p + nlen + 1 : p + nlen;
        size_t n = 0;
        for (; *v && *v != '&'; v++) {
            if (n + 1 >= cap)
                return -1;
            unsigned hi, lo;
            if (*v == '%' && sscanf(v + 1, "%1x%1x", &hi, &lo) == 2) {
                out[n++] = (char)(hi * 16 + lo);
                v += 2;
            } else {
                out[n++] = *v == '+' ? ' ' : *v;
            }
        }
        out[n] = '\0';
        return n > 0;
    }
    return 0;
}

/* The Authorization header's parameters, as AWS checks them. */
static bool header_scope(const http_request *req, const char *auth, auth_scope *scope,
                         aws_error *err)
{
    static const char *const required[] = {"Credential", "Signature", "SignedHeaders"};
    char credential[512], scratch[512];
    kbuf msg = KBUF_INIT;
    for (size_t i = 0; i < 3; i++) {
        char *dst = i == 0 ? credential : scratch;
        if (!auth_param(auth, required[i], dst, sizeof(scratch)))
            kbuf_printf(&msg, "Authorization header requires '%s' parameter. ", required[i]);
    }
    if (!http_request_header(req, "x-amz-date") && !http_request_header(req, "date"))
        kbuf_puts(&msg, "Authorization header requires existence of either a 'X-Amz-Date' or a "
                        "'Date' header. ");
    if (msg.len) {
        aws_error_set(err, 400, "IncompleteSignatureException", "%sAuthorization=%s", msg.data,
                      auth);
        kbuf_free(&msg);
        return false;
    }
    return parse_credential(credential, scope, err);
}

/* A presigned request's query parameters, as AWS checks them. */
static bool query_scope(const http_request *req, auth_scope *scope, aws_error *err)
{
    static const char *const required[] = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                                           "X-Amz-SignedHeaders", "X-Amz-Date"};
    char credential[512], scratch[512];
    kbuf msg = KBUF_INIT;
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        char *dst = i == 1 ? credential : scratch;
        if (query_param(req->url, required[i], dst, sizeof scratch, NULL) != 1)
            kbuf_printf(&msg, "AWS query-string parameters must include '%s'. ", required[i]);
    }
    if (msg.len) {
        aws_error_set(err, 400, "IncompleteSignatureException",
                      "%sRe-examine the query-string parameters.", msg.data);
        kbuf_free(&msg);
        return false;
    }
    scope->presigned = true;
    return parse_credential(credential, scope, err);
}

bool caller_scope(const http_request *req, auth_scope *scope, aws_error *err)
{
    memset(scope, 0, sizeof *scope);
    snprintf(scope->region, sizeof scope->region, "%s", "us-east-1");
    const char *auth = http_request_header(req, "authorization");
    char scratch[8];
    bool in_query = false;
    query_param(req->url, "X-Amz-Algorithm", scratch, sizeof scratch, &in_query);
    if (auth && in_query) {
        aws_error_set(err, 400, "InvalidSignatureException",
                      "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' "
                      "as HTTP header.");
        return false;
    }
    if (!auth && !in_query) {
        aws_error_set(err, 400, "MissingAuthenticationTokenException",
                      "Missing Authentication Token");
        return false;
    }
    return auth ? header_scope(req, auth, scope, err) : query_scope(req, scope, err);
}

void caller_open(const auth_scope *scope, caller *out)
{
    memset(out, 0, sizeof *out);
    const char *key = scope->access_key;
    memcpy(out->account, strlen(key) == 12 && all_digits(key, 12) ? key : DEFAULT_ACCOUNT, 13);
    snprintf(out->region, sizeof out->region, "%s", scope->region);
    snprintf(out->access_key, sizeof out->access_key, "%s", key);
    snprintf(out->arn, sizeof out->arn, "arn:aws:iam::%s:root", out->account);
    snprintf(out->user_id, sizeof out->user_id, "%s", out->account);
    out->root = true;
}
