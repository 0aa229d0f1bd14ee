/* u128.c - decimal and MD5 conversions for 128-bit hash keys (see u128.h). */
#include "u128.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>

/* MD5 runs once per record put: fetch the algorithm once, keep one digest context per thread
 * (freed when the thread exits). */
static EVP_MD *md5_algorithm;
static pthread_key_t md5_ctx_key;
static pthread_once_t md5_once = PTHREAD_ONCE_INIT;

static void md5_ctx_free(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void md5_setup(void)
{
    md5_algorithm = EVP_MD_fetch(NULL, "MD5", NULL);
    if (!md5_algorithm || pthread_key_create(&md5_ctx_key, md5_ctx_free) != 0)
        abort();
}

static EVP_MD_CTX *md5_context(void)
{
    pthread_once(&md5_once, md5_setup);
    EVP_MD_CTX *ctx = pthread_getspecific(md5_ctx_key);
    if (!ctx) {
        ctx = EVP_MD_CTX_new();
        if (!ctx)
            abort();
        pthread_setspecific(md5_ctx_key, ctx);
    }
    return ctx;
}

bool u128_parse(const char *s, size_t n, u128 *out)
{
    if (n == 0 || n > U128_DEC_MAX)
        return false;
    u128 v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (U128_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

size_t u128_format(u128 v, char *out)
{
    char tmp[U128_DEC_MAX + 1];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (unsigned)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

u128 u128_md5(const void *p, size_t n)
{
    unsigned char d[16];
    unsigned int len = 0;
    EVP_MD_CTX *ctx = md5_context();
    EVP_DigestInit_ex(ctx, md5_algorithm, NULL);
    EVP_DigestUpdate(ctx, p, n);
    EVP_DigestFinal_ex(ctx, d, &len);
    u128 v = 0;
    for (int i = 0; i < 16; i++)
        v = v << 8 | d[i];
    return v;
}
