/* assets.h - the console's files, embedded in the binary at build time (cmake/embed_dir.cmake
 * generates the table from src/console/web). */
#ifndef KINESD_CONSOLE_ASSETS_H
#define KINESD_CONSOLE_ASSETS_H

#include <stddef.h>

typedef struct console_asset {
    const char *path;          /* relative to src/console/web: "index.html", "pages/streams.js" */
    const unsigned char *data; /* its bytes (NUL-terminated) */
    size_t len;                /* bytes, without the NUL */
    const char *etag;          /* "\"<sha-256 prefix>\"": changes whenever the bytes do */
} console_asset;

extern const console_asset console_assets[]; /* sorted by path */
extern const size_t console_assets_count;

/* The asset at `path` (up to `len` bytes, no leading slash); NULL when there is none. */
const console_asset *console_asset_find(const char *path, size_t len);
/* The Content-Type header line for an asset's path, by its extension. */
const char *console_content_type(const char *path);

#endif
