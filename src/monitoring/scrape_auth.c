/* scrape_auth.c - GET /metrics' access rule (see scrape_auth.h): the configured token, and the
 * check of a request's Authorization header against it in constant time. */
#include "scrape_auth.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/log.h"

#define TOKEN_MAX 4096

static bool verifying; /* --auth verify: no token, no scrape */
static char *token;    /* the bearer token; NULL: none configured */

static void trim(kbuf *text)
{
    size_t start = 0, end = text->len;
    while (start < end && isspace((unsigned char)text->data[start]))
        start++;
    while (end > start && isspace((unsigned char)text->data[end - 1]))
        end--;
    memmove(text->data, text->data + start, end - start);
    text->len = end - start;
    text->data[text->len] = '\0';
}

int scrape_auth_configure(bool verify, const char *token_file)
{
    verifying = verify;
    if (!token_file[0])
        return 0;
    FILE *f = fopen(token_file, "rb");
    kbuf text = KBUF_INIT;
    char chunk[512];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0 && text.len <= TOKEN_MAX)
        kbuf_append(&text, chunk, n);
    if (f)
        fclose(f);
    if (text.data)
        trim(&text);
    if (!f || text.len == 0 || text.len > TOKEN_MAX) {
        log_error("--metrics-token-file %s: %s", token_file,
                  !f ? "cannot be read" : "must hold a token of 1 to 4096 characters");
        kbuf_free(&text);
        return -1;
    }
    token = kbuf_detach(&text);
    return 0;
}

void scrape_auth_clear(void)
{
    free(token);
    token = NULL;
    verifying = false;
}

static bool presents_token(const http_request *req)
{
    const char *auth = http_request_header(req, "authorization");
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
        return false;
    const char *given = auth + 7;
    size_t len = strlen(token);
    return strlen(given) == len && CRYPTO_memcmp(given, token, len) == 0;
}

bool scrape_auth_admit(http_exchange *ex, const http_request *req)
{
    static const char *const text[] = {"Content-Type: text/plain; charset=utf-8", NULL};
    static const char *const challenge[] = {"Content-Type: text/plain; charset=utf-8",
                                            "WWW-Authenticate: Bearer realm=\"kinesd\"", NULL};
    static const char no_token[] = "GET /metrics needs --metrics-token-file when kinesd verifies "
                                   "signatures (--auth verify)\n";
    static const char bad_token[] = "GET /metrics needs the bearer token of --metrics-token-file\n";
    if (token) {
        if (presents_token(req))
            return true;
        http_respond(ex, 401, challenge, bad_token, sizeof bad_token - 1);
        return false;
    }
    if (!verifying)
        return true;
    http_respond(ex, 403, text, no_token, sizeof no_token - 1);
    return false;
}
