/* iterator.c - encoding, authentication and expiry of shard iterators, and the server key they
 * are signed with (see iterator.h).
 *
 * Layout before base64 (integers big-endian):
 *   version (1) | stream uid (8) | shard index (4) | offset (8) | issued_ms (8) |
 *   name length (1) | name | HMAC-SHA256 of all the above, first 16 bytes */
#include "iterator.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "../common/base64.h"

#define ITERATOR_VERSION 1
#define KEY_LEN 32
#define MAC_LEN 16
#define FIXED_LEN (1 + 8 + 4 + 8 + 8 + 1)
#define MAX_RAW (FIXED_LEN + ITERATOR_NAME_MAX + MAC_LEN)

_Static_assert((MAX_RAW + 2) / 3 * 4 == ITERATOR_MAX_LEN, "ITERATOR_MAX_LEN matches the layout");

static unsigned char server_key[KEY_LEN];

/* ---- the server key -------------------------------------------------------------------------- */

/* Loads the key into server_key: 0, 1 when the file does not exist yet, -1 with why set. */
static int read_key(const char *path, char *why, size_t why_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 1;
    if (fd < 0) {
        snprintf(why, why_len, "cannot open the iterator key %s: %s", path, strerror(errno));
        return -1;
    }
    ssize_t n = read(fd, server_key, KEY_LEN);
    int read_errno = errno;
    unsigned char extra;
    ssize_t more = n == KEY_LEN ? read(fd, &extra, 1) : 0;
    close(fd);
    if (n < 0)
        snprintf(why, why_len, "cannot read the iterator key %s: %s", path, strerror(read_errno));
    else if (n != KEY_LEN || more != 0)
        snprintf(why, why_len,
                 "the iterator key %s is not the %d bytes kinesd writes there (a damaged or "
                 "foreign file; removing it makes a new key, which invalidates the shard "
                 "iterators handed out before)",
                 path, KEY_LEN);
    return n == KEY_LEN && more == 0 ? 0 : -1;
}

/* Writes a fresh random key to a temporary file and renames it into place, so a crash never
 * leaves a partial key behind. */
static int create_key(const char *data_dir, const char *path, char *why, size_t why_len)
{
    if (RAND_bytes(server_key, KEY_LEN) != 1) {
        snprintf(why, why_len, "cannot generate an iterator key");
        return -1;
    }
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, server_key, KEY_LEN) != KEY_LEN || fsync(fd) != 0) {
        snprintf(why, why_len, "cannot write the iterator key %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        snprintf(why, why_len, "cannot rename %s: %s", tmp, strerror(errno));
        return -1;
    }
    int dir = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        fsync(dir);
        close(dir);
    }
    return 0;
}

int iterator_init(const char *data_dir, char *why, size_t why_len)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof(path), "%s/iterator.key", data_dir) >= sizeof(path)) {
        snprintf(why, why_len, "data directory path too long");
        return -1;
    }
    int r = read_key(path, why, why_len);
    return r == 1 ? create_key(data_dir, path, why, why_len) : r;
}

/* ---- encoding -------------------------------------------------------------------------------- */

static unsigned char *put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
    return p + bytes;
}

static uint64_t get_be(const unsigned char **p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | (*p)[i];
    *p += bytes;
    return v;
}

static void mac(const unsigned char *data, size_t n, unsigned char out[MAC_LEN])
{
    unsigned char full[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), server_key, KEY_LEN, data, n, full, &len);
    memcpy(out, full, MAC_LEN);
}

size_t iterator_encode(const shard_iterator *it, char out[ITERATOR_MAX_LEN + 1])
{
    unsigned char raw[MAX_RAW];
    size_t name_len = strnlen(it->stream_name, ITERATOR_NAME_MAX);
    unsigned char *p = raw;
    *p++ = ITERATOR_VERSION;
    p = put_be(p, it->stream_uid, 8);
    p = put_be(p, (uint32_t)it->shard_index, 4);
    p = put_be(p, it->offset, 8);
    p = put_be(p, (uint64_t)it->issued_ms, 8);
    *p++ = (unsigned char)name_len;
    memcpy(p, it->stream_name, name_len);
    p += name_len;
    mac(raw, (size_t)(p - raw), p);
    p += MAC_LEN;
    size_t raw_len = (size_t)(p - raw);
    base64_encode(raw, raw_len, out);
    size_t len = base64_encoded_len(raw_len);
    out[len] = '\0';
    return len;
}

/* ---- decoding -------------------------------------------------------------------------------- */

/* "Thu Dec 10 01:59:39 UTC 2015", the way AWS prints times in this message. */
static void format_aws_time(int64_t ms, char out[40])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) /* a year beyond int */
        memset(&tm, 0, sizeof tm);
    strftime(out, 40, "%a %b %d %H:%M:%S UTC %Y", &tm);
}

static void set_expired(aws_error *err, int64_t issued_ms, int64_t now_ms)
{
    char issued[40], now[40];
    format_aws_time(issued_ms, issued);
    format_aws_time(now_ms, now);
    aws_error_set(err, 400, "ExpiredIteratorException",
                  "Iterator expired. The iterator was created at time %s while right now it is %s "
                  "which is further in the future than the tolerated delay of %d milliseconds.",
                  issued, now, ITERATOR_TTL_MS);
}

/* Decodes and authenticates the raw bytes into it; false for anything kinesd did not issue. */
static bool unpack(const char *s, size_t n, shard_iterator *it)
{
    unsigned char raw[MAX_RAW + 3];
    size_t raw_len;
    if (n > ITERATOR_MAX_LEN || !base64_decode(s, n, raw, &raw_len))
        return false;
    if (raw_len < FIXED_LEN + MAC_LEN || raw[0] != ITERATOR_VERSION)
        return false;
    size_t name_len = raw[FIXED_LEN - 1];
    if (name_len > ITERATOR_NAME_MAX || raw_len != FIXED_LEN + name_len + MAC_LEN)
        return false;
    unsigned char expect[MAC_LEN];
    mac(raw, FIXED_LEN + name_len, expect);
    if (CRYPTO_memcmp(expect, raw + FIXED_LEN + name_len, MAC_LEN) != 0)
        return false;
    const unsigned char *p = raw + 1;
    it->stream_uid = get_be(&p, 8);
    it->shard_index = (int)(uint32_t)get_be(&p, 4);
    it->offset = get_be(&p, 8);
    it->issued_ms = (int64_t)get_be(&p, 8);
    memcpy(it->stream_name, raw + FIXED_LEN, name_len);
    it->stream_name[name_len] = '\0';
    return it->shard_index >= 0;
}

bool iterator_decode(const char *s, size_t n, int64_t now_ms, shard_iterator *it, aws_error *err)
{
    if (!unpack(s, n, it)) {
        aws_error_set(err, 400, "InvalidArgumentException", "Invalid ShardIterator.");
        return false;
    }
    if (it->issued_ms < now_ms - ITERATOR_TTL_MS) { /* no subtraction of issue times: no overflow */
        set_expired(err, it->issued_ms, now_ms);
        return false;
    }
    return true;
}
