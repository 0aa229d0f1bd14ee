/* tls.c - the OpenSSL server context of the --listen-tls port (see tls.h).
 *
 * One SSL_CTX serves every loop thread: TLS 1.2 minimum, no renegotiation, ECDHE with AES-GCM or
 * ChaCha20 for TLS 1.2 (HTTP/2's acceptable suites), OpenSSL's defaults for 1.3; ALPN picks h2
 * over http/1.1 and goes on without ALPN when the client offers neither; a session cache and
 * TLS 1.3 tickets resume sessions; SSL_MODE_RELEASE_BUFFERS frees a connection's record buffers
 * while it is idle. A renewal builds a new SSL_CTX and swaps it in under `mu`; connections hold a
 * reference to the one they started with. */
#include "tls.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "../common/log.h"

#define TLS12_CIPHERS "ECDHE+AESGCM:ECDHE+CHACHA20"
#define SESSION_ID_CONTEXT "kinesd"

struct tls_context {
    pthread_mutex_t mu; /* over ctx */
    SSL_CTX *ctx;       /* what new connections use */
    char dir[4200];     /* the development certificates' directory; "" with an operator's */
    char ca_file[4300]; /* <dir>/ca.pem */
    char cert_file[4300], key_file[4300];
};

/* h2 when the client offers it, else http/1.1; without either, no ALPN at all. */
static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *out_len,
                       const unsigned char *in, unsigned int in_len, void *arg)
{
    (void)ssl;
    (void)arg;
    static const unsigned char ours[] = "\x02h2\x08http/1.1";
    unsigned char *chosen;
    if (SSL_select_next_proto(&chosen, out_len, ours, sizeof ours - 1, in, in_len) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *fail_ctx(SSL_CTX *ctx, char *why, size_t len, const char *what, const char *path)
{
    unsigned long e = ERR_get_error();
    snprintf(why, len, "%s %s: %s", what, path, e ? ERR_reason_error_string(e) : "unknown error");
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return NULL;
}

static SSL_CTX *build_ctx(const char *cert_file, const char *key_file, char *why, size_t len)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return fail_ctx(ctx, why, len, "cannot make a TLS context for", cert_file);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)SESSION_ID_CONTEXT,
                                   sizeof SESSION_ID_CONTEXT - 1);
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
    if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1)
        return fail_ctx(ctx, why, len, "cannot set the ciphers for", cert_file);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1)
        return fail_ctx(ctx, why, len, "cannot load the certificate", cert_file);
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1)
        return fail_ctx(ctx, why, len, "cannot load the private key", key_file);
    if (SSL_CTX_check_private_key(ctx) != 1)
        return fail_ctx(ctx, why, len, "the private key does not match the certificate", cert_file);
    return ctx;
}

tls_context *tls_context_open(const tls_options *opt, char *why, size_t len)
{
    tls_context *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(why, len, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&t->mu, NULL);
    if (opt->cert_file) {
        snprintf(t->cert_file, sizeof t->cert_file, "%s", opt->cert_file);
        snprintf(t->key_file, sizeof t->key_file, "%s", opt->key_file);
    } else {
        bool renewed;
        snprintf(t->dir, sizeof t->dir, "%s/tls", opt->data_dir);
        snprintf(t->ca_file, sizeof t->ca_file, "%s/ca.pem", t->dir);
        snprintf(t->cert_file, sizeof t->cert_file, "%s/server.pem", t->dir);
        snprintf(t->key_file, sizeof t->key_file, "%s/server.key", t->dir);
        if (tls_dev_certs_ensure(t->dir, (int64_t)time(NULL), &renewed, why, len) != 0) {
            tls_context_close(t);
            return NULL;
        }
        if (renewed)
            log_info("tls: issued a development certificate for localhost, 127.0.0.1 and ::1 "
                     "(clients trust %s)",
                     t->ca_file);
    }
    t->ctx = build_ctx(t->cert_file, t->key_file, why, len);
    if (!t->ctx) {
        tls_context_close(t);
        return NULL;
    }
    return t;
}

void tls_context_renew(tls_context *t, int64_t now_s)
{
    char why[512];
    bool renewed;
    if (!t->dir[0])
        return;
    if (tls_dev_certs_ensure(t->dir, now_s, &renewed, why, sizeof why) != 0) {
        log_error("tls: cannot renew the development certificate: %s", why);
        return;
    }
    if (!renewed)
        return;
    SSL_CTX *fresh = build_ctx(t->cert_file, t->key_file, why, sizeof why);
    if (!fresh) {
        log_error("tls: cannot load the renewed certificate: %s", why);
        return;
    }
    pthread_mutex_lock(&t->mu);
    SSL_CTX *old = t->ctx;
    t->ctx = fresh;
    pthread_mutex_unlock(&t->mu);
    SSL_CTX_free(old); /* connections that use it keep it until they end */
    log_info("tls: renewed the development certificate (clients trust %s)", t->ca_file);
}

void tls_context_close(tls_context *t)
{
    if (!t)
        return;
    SSL_CTX_free(t->ctx);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

const char *tls_context_ca_file(const tls_context *t)
{
    return t->dir[0] ? t->ca_file : NULL;
}

SSL *tls_context_new_ssl(tls_context *t)
{
    pthread_mutex_lock(&t->mu);
    SSL *ssl = SSL_new(t->ctx);
    pthread_mutex_unlock(&t->mu);
    return ssl;
}
