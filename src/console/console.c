/* console.c - the console's route: GET /console/<file> answers an embedded file with its content
 * type, an ETag (If-None-Match answers 304), no-cache (so a new kinesd's files are picked up at
 * once, revalidated for the price of a 304) and a Content-Security-Policy that lets the page load
 * only its own files and talk only to its own origin (see console.h). */
#include "console.h"

#include <stdio.h>
#include <string.h>

#include "assets.h"

#define INDEX_FILE "index.html"

/* Only the console's own files, and API calls to the origin that served it. Scripts are modules
 * from 'self', styles from 'self' (set through the CSSOM, never inline markup); charts are SVG
 * elements in the page, not images. */
#define CSP                                                                                        \
    "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; "           \
    "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "                    \
    "frame-ancestors 'none'"

/* Sent with every answer of the route. */
#define COMMON_HEADERS                                                                             \
    CSP, "X-Content-Type-Options: nosniff", "Referrer-Policy: no-referrer",                        \
        "Cross-Origin-Opener-Policy: same-origin", "Cross-Origin-Resource-Policy: same-origin"

static void respond_text(http_exchange *ex, int status, const char *location, const char *text)
{
    const char *headers[] = {"Content-Type: text/plain; charset=utf-8", COMMON_HEADERS, location,
                             NULL};
    http_respond(ex, status, headers, text, strlen(text));
}

/* Whether an If-None-Match value ("*", or a list of entity tags) names the asset's tag. */
static bool etag_matches(const char *if_none_match, const char *etag)
{
    if (strcmp(if_none_match, "*") == 0)
        return true;
    size_t n = strlen(etag);
    for (const char *p = strstr(if_none_match, etag); p; p = strstr(p + 1, etag)) {
        bool starts = p == if_none_match || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/';
        bool ends = p[n] == '\0' || p[n] == ',' || p[n] == ' ';
        if (starts && ends)
            return true;
    }
    return false;
}

static void respond_asset(http_exchange *ex, const http_request *req, const console_asset *asset)
{
    char etag[64];
    snprintf(etag, sizeof etag, "ETag: %s", asset->etag);
    const char *headers[] = {console_content_type(asset->path), "Cache-Control: no-cache", etag,
                             COMMON_HEADERS, NULL};
    const char *if_none_match = http_request_header(req, "if-none-match");
    if (if_none_match && etag_matches(if_none_match, asset->etag)) {
        http_respond(ex, 304, headers + 1, "", 0);
        return;
    }
    http_respond(ex, 200, headers, (const char *)asset->data, asset->len);
}

static void console_serve(http_exchange *ex, const http_request *req, const caller *who)
{
    (void)who;
    const char *path = req->url + strlen(CONSOLE_PATH);
    size_t len = strcspn(path, "?#");
    if (len == 0) {
        respond_text(ex, 301, "Location: " CONSOLE_PATH "/", "moved to " CONSOLE_PATH "/\n");
        return;
    }
    const console_asset *asset = NULL;
    if (path[0] == '/')
        asset = len == 1 ? console_asset_find(INDEX_FILE, strlen(INDEX_FILE))
                         : console_asset_find(path + 1, len - 1);
    if (!asset) {
        respond_text(ex, 404, NULL, "not found\n");
        return;
    }
    respond_asset(ex, req, asset);
}

static const service_route console_routes[] = {
    {"GET", CONSOLE_PATH, console_serve, false},
    {NULL, NULL, NULL, false},
};

service console_service = {
    .name = "console",
    .routes_only = true,
    .routes = console_routes,
};
