/* tls.h - TLS for the HTTP server's --listen-tls port: the certificate and the OpenSSL context.
 *
 * tls_context_open loads the operator's certificate chain and key (--tls-cert, --tls-key), or,
 * without them, a development CA and a server certificate for localhost, 127.0.0.1 and ::1 kept
 * under DATA/tls/ (tls_dev_certs_ensure: made on first start, the server certificate re-issued
 * by the same CA when it nears its end, so clients keep trusting DATA/tls/ca.pem). The context
 * speaks TLS 1.2 and 1.3, selects ALPN "h2" or "http/1.1", and resumes sessions (a server-side
 * cache and TLS 1.3 tickets, shared by every loop thread). The connections themselves are
 * http_tls.c's. */
#ifndef KINESD_TLS_H
#define KINESD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

typedef struct tls_context tls_context;

typedef struct tls_options {
    const char *cert_file; /* PEM: the server certificate, then its chain; NULL: development */
    const char *key_file;  /* PEM private key of cert_file */
    const char *data_dir;  /* the development certificates live in <data_dir>/tls/ */
} tls_options;

/* Main thread, before the server starts (reads and may write files). NULL with why set. */
tls_context *tls_context_open(const tls_options *opt, char *why, size_t why_len);
/* Main thread, now and then: re-issues the development server certificate when it nears its end
 * (as at start) and makes new connections use it. Nothing for an operator's certificate. */
void tls_context_renew(tls_context *t, int64_t now_s);
/* After the server stopped. */
void tls_context_close(tls_context *t);
/* The CA file clients should trust: <data_dir>/tls/ca.pem, or NULL for an operator's cert. */
const char *tls_context_ca_file(const tls_context *t);
/* A server-side SSL for a new connection (any thread); NULL when out of memory. */
SSL *tls_context_new_ssl(tls_context *t);

/* The development certificates (tls_certs.c). */
#define TLS_DEV_CA_DAYS 3650     /* the CA's lifetime */
#define TLS_DEV_SERVER_DAYS 397  /* a server certificate's (the most browsers accept) */
#define TLS_DEV_RENEW_DAYS 30    /* a server certificate is re-issued this long before its end */
#define TLS_DEV_CA_RENEW_DAYS 90 /* the CA, and with it the server certificate, too */

/* Makes sure <dir> holds ca.pem, ca.key, server.pem (certificate, then the CA) and server.key,
 * valid at now_s for at least the renewal margins: missing or ending files are made anew (keys
 * 0600, written to a temporary file and renamed). *renewed tells whether anything was written.
 * -1 with why set on error. */
int tls_dev_certs_ensure(const char *dir, int64_t now_s, bool *renewed, char *why, size_t why_len);

#endif
