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

/* Credential=AKID/20250101/us-east-1/kinesis/aws4_request */
static void scope_to_caller(const char *credential, caller *out)
{
    char akid[128] = "", date[16] = "", region[32] = "";
    snprintf(out->account, sizeof(out->account), "%s", DEFAULT_ACCOUNT);
    snprintf(out->region, sizeof(out->region), "%s", "us-east-1");
    if (sscanf(credential, "%127[^/]/%15[^/]/%31[^/]/", akid, date, region) < 3)
        return;
    if (strlen(akid) == 12 && all_digits(akid, 12))
        memcpy(out->account, akid, 13);
    snprintf(out->region, sizeof(out->region), "%s", region);
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
    scope_to_caller(credential, out);
    return true;
}
