/* gzip.c - inflating gzip request bodies with zlib (see gzip.h). The output grows in a kbuf as
 * zlib produces it, bounded by the caller's maximum, then moves to the request's arena. */
#include "gzip.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "../common/buf.h"

#define CHUNK 65536
#define GZIP_WINDOW (MAX_WBITS + 16) /* zlib: expect a gzip header and trailer */

/* Runs inflate to the end of the member; Z_STREAM_END when the whole input was one member. */
static int inflate_all(z_stream *z, size_t max, kbuf *b)
{
    int rc = Z_OK;
    while (rc == Z_OK) {
        kbuf_reserve(b, CHUNK);
        z->next_out = (Bytef *)b->data + b->len;
        z->avail_out = CHUNK;
        rc = inflate(z, Z_NO_FLUSH);
        b->len += CHUNK - z->avail_out;
        if (b->len > max)
            return Z_BUF_ERROR;
        if (rc == Z_BUF_ERROR && z->avail_out != 0)
            return Z_DATA_ERROR; /* truncated: no progress possible */
        if (rc == Z_BUF_ERROR)
            rc = Z_OK;
    }
    return rc == Z_STREAM_END && z->avail_in == 0 ? Z_STREAM_END : Z_DATA_ERROR;
}

bool gzip_inflate(const void *in, size_t len, size_t max, arena *a, const char **out,
                  size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, GZIP_WINDOW) != Z_OK)
        return false;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    kbuf b;
    kbuf_init(&b);
    bool ok = len <= UINT32_MAX && inflate_all(&z, max, &b) == Z_STREAM_END;
    inflateEnd(&z);
    if (ok) {
        *out = arena_strndup(a, b.data ? b.data : "", b.len);
        *out_len = b.len;
    }
    kbuf_free(&b);
    return ok;
}
