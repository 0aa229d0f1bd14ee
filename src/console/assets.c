/* assets.c - finding an embedded console file by its path, and its content type (see assets.h). */
#include "assets.h"

#include <string.h>

static int compare_path(const char *path, size_t len, const char *asset_path)
{
    int c = strncmp(path, asset_path, len);
    return c ? c : asset_path[len] ? -1 : 0;
}

const console_asset *console_asset_find(const char *path, size_t len)
{
    size_t lo = 0, hi = console_assets_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_path(path, len, console_assets[mid].path);
        if (c == 0)
            return &console_assets[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

typedef struct content_type {
    const char *extension; /* ".js" */
    const char *header;    /* "Content-Type: ..." */
} content_type;

static const content_type content_types[] = {
    {".html", "Content-Type: text/html; charset=utf-8"},
    {".js", "Content-Type: text/javascript; charset=utf-8"},
    {".css", "Content-Type: text/css; charset=utf-8"},
    {".svg", "Content-Type: image/svg+xml"},
    {".png", "Content-Type: image/png"},
    {".json", "Content-Type: application/json"},
};

const char *console_content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof content_types / sizeof content_types[0]; i++)
        if (strcmp(dot, content_types[i].extension) == 0)
            return content_types[i].header;
    return "Content-Type: application/octet-stream";
}
