/* caller.c - account and region from the Authorization header (see caller.h). */
#include "caller.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

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
 * region of that shape that AWS does not have yet is accepted; it must fit caller.region. */
static bool region_well_formed(const char *r, size_t n)
{
    size_t first = 0, last = n, dashes = 0;
    while (first < n && r[first] >= 'a' && r[first] <= 'z')
        first++;
    while (last > 0 && isdigit((unsigned char)r[last - 1]))
        last--;
    if (n >= sizeof(((caller *)0)->region) || first == 0 || last == n || last <= first + 1 ||
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

/* The n bytes of the scope's field `index` (0: access key, 1: date, 2: region), or NULL. */
static const char *scope_field(const char *credential, int index, size_t *n)
{
    const char *p = credential;
    for (int i = 0; i < index; i++) {
        p = strchr(p, '/');
        if (!p)
            return NULL;
        p++;
    }
    *n = strcspn(p, "/");
    return p;
}

/* Credential=AKID/20250101/us-east-1/kinesis/aws4_request. A credential without a scope is
 * taken as us-east-1's; a malformed region is refused as AWS refuses one it does not serve. */
static bool scope_to_caller(const char *credential, caller *out, aws_error *err)
{
    size_t akid_len, region_len;
    const char *akid = scope_field(credential, 0, &akid_len);
    const char *region = scope_field(credential, 2, &region_len);
    snprintf(out->account, sizeof(out->account), "%s", DEFAULT_ACCOUNT);
    snprintf(out->region, sizeof(out->region), "%s", "us-east-1");
    if (!region)
        return true;
    if (!region_well_formed(region, region_len)) {
        aws_error_set(err, 403, "InvalidSignatureException",
                      "Credential should be scoped to a valid region, not '%.*s'. ",
                      (int)region_len, region);
        return false;
    }
    if (akid_len == 12 && all_digits(akid, 12))
        snprintf(out->account, sizeof(out->account), "%.12s", akid);
    snprintf(out->region, sizeof(out->region), "%.*s", (int)region_len, region);
    return true;
}

bool caller_identify(const http_request *req, caller *out, aws_error *err)
{
    const char *auth = http_request_header(req, "authorization");
    if (!auth) {
        aws_error_set(err, 400, "MissingAuthenticationTokenException",
                      "Missing Authentication Token");
        return false;
    }
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
    return scope_to_caller(credential, out, err);
}
