/* http_tls.c - TLS on a connection: the bytes between the socket and HTTP/1.1 or HTTP/2.
 *
 * A connection accepted on the --listen-tls port gets an SSL whose BIO is ours: it reads the
 * ciphertext the loop just received (no copy while it is consumed at once) and appends what
 * OpenSSL writes to a buffer that goes out through conn_send. Decrypted bytes go to conn_input,
 * so both protocols work as on the plain port (HTTP/2 is found by its preface; ALPN only tells the
 * client we speak it). When conn_input pauses reading (back-pressure, the memory budget), the
 * ciphertext not yet decrypted is kept and counted in the budget, as is a record OpenSSL holds
 * half-received (TLS_RECORD_BUFFER); it is decrypted when reading resumes. Responses are
 * encrypted on their way out (conn_write), and a close_notify precedes the FIN.
 *
 * Wrong ports get clear answers: a plain-HTTP request on the TLS port is answered, in plain
 * HTTP, 400 with an AWS-shaped JSON body saying to use https://; a TLS ClientHello on the plain
 * port gets a fatal handshake_failure alert, and the server logs why. */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <string.h>

#include "../common/log.h"
#include "http_internal.h"
#include "tls.h"

#define TLS_HANDSHAKE_RECORD 0x16
#define TLS_RECORD_BUFFER (16384 + 2048) /* a record OpenSSL holds while it is incomplete */

struct http_tls {
    SSL *ssl;
    const char *in; /* ciphertext not yet read by OpenSSL: into the loop's buffer or `kept` */
    size_t in_len;
    kbuf kept;  /* ciphertext kept while reading is paused */
    kbuf *out;  /* where OpenSSL's output goes during a call */
    bool began; /* the first byte arrived (and was a TLS record) */
    bool failed;
};

const http_refusal refuse_plain_on_tls = {
    400, "InvalidProtocolException",
    "This port speaks HTTPS: a plain HTTP request arrived on kinesd's TLS port. Use an "
    "https:// endpoint here, or http:// on the --listen port."};

/* ---- the BIO between OpenSSL and the connection ---------------------------------------------- */

static int bio_read(BIO *bio, char *buf, int len)
{
    http_tls *t = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    if (t->in_len == 0) {
        BIO_set_retry_read(bio);
        return -1;
    }
    size_t n = t->in_len < (size_t)len ? t->in_len : (size_t)len;
    memcpy(buf, t->in, n);
    t->in += n;
    t->in_len -= n;
    return (int)n;
}

static int bio_write(BIO *bio, const char *data, int len)
{
    http_tls *t = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    if (!t->out)
        return -1; /* OpenSSL writes only from the calls below, which set out */
    kbuf_append(t->out, data, (size_t)len);
    return len;
}

static long bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    (void)bio;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static BIO_METHOD *conn_bio_method;

static void make_bio_method(void)
{
    conn_bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "kinesd conn");
    if (!conn_bio_method)
        abort();
    BIO_meth_set_read(conn_bio_method, bio_read);
    BIO_meth_set_write(conn_bio_method, bio_write);
    BIO_meth_set_ctrl(conn_bio_method, bio_ctrl);
}

/* ---- the connection ------------------------------------------------------------------------ */

bool tls_conn_start(http_conn *c, tls_context *ctx)
{
    static uv_once_t once = UV_ONCE_INIT;
    uv_once(&once, make_bio_method);
    http_tls *t = calloc(1, sizeof *t);
    BIO *bio = BIO_new(conn_bio_method);
    if (!t || !bio || !(t->ssl = tls_context_new_ssl(ctx))) {
        BIO_free(bio);
        free(t);
        return false;
    }
    BIO_set_data(bio, t);
    BIO_set_init(bio, 1);
    SSL_set_bio(t->ssl, bio, bio);
    SSL_set_accept_state(t->ssl);
    c->tls = t;
    return true;
}

void tls_conn_free(http_conn *c)
{
    http_tls *t = c->tls;
    if (!t)
        return;
    SSL_free(t->ssl);
    kbuf_free(&t->kept);
    budget_set(c, &c->tls_charged, 0);
    free(t);
    c->tls = NULL;
}

/* Sends what OpenSSL wrote into out (handshake messages, alerts, tickets). */
static void send_output(http_conn *c, kbuf *out)
{
    if (out->len > 0 && !c->closing)
        conn_send(c, out);
    kbuf_free(out);
}

/* Counts what the connection holds for TLS: kept ciphertext and a half-received record. */
static void recount(http_conn *c)
{
    http_tls *t = c->tls;
    budget_set(c, &c->tls_charged, t->kept.cap + (SSL_has_pending(t->ssl) ? TLS_RECORD_BUFFER : 0));
}

/* Keeps the ciphertext OpenSSL has not read yet (reading paused), or lets the buffer go. */
static void keep_unread(http_conn *c)
{
    http_tls *t = c->tls;
    if (t->in_len == 0) {
        kbuf_free(&t->kept);
    } else if (t->kept.data && t->in >= t->kept.data && t->in < t->kept.data + t->kept.len) {
        memmove(t->kept.data, t->in, t->in_len);
        t->kept.len = t->in_len;
    } else {
        kbuf_append(&t->kept, t->in, t->in_len);
    }
    t->in = t->kept.data;
    recount(c);
}

/* The handshake or a record failed: the alert OpenSSL made goes out, then the FIN. */
static void tls_failed(http_conn *c)
{
    unsigned long e = ERR_peek_last_error();
    log_debug("tls: connection from %s failed: %s", c->peer,
              e ? ERR_reason_error_string(e) : "closed");
    ERR_clear_error();
    c->tls->failed = true;
    if (!c->closing)
        conn_shutdown(c);
}

/* Decrypts what there is while the connection takes input; false when it ended. */
static bool decrypt_some(http_conn *c)
{
    http_tls *t = c->tls;
    char *plain = c->loop->tls_plain;
    while (!c->closing && !c->read_paused) {
        kbuf out = KBUF_INIT;
        t->out = &out;
        int n = SSL_read(t->ssl, plain, (int)sizeof c->loop->tls_plain);
        t->out = NULL;
        send_output(c, &out);
        if (n > 0) {
            conn_input(c, plain, (size_t)n);
            continue;
        }
        int e = SSL_get_error(t->ssl, n);
        if (e == SSL_ERROR_WANT_READ)
            return true;
        if (e == SSL_ERROR_ZERO_RETURN) /* close_notify: as a TCP end of input */
            conn_input_end(c);
        else
            tls_failed(c);
        return false;
    }
    return true;
}

/* The first byte of a TLS connection is a handshake record; anything else is plain text. */
static bool began_with_tls(http_conn *c, const char *data)
{
    c->tls->began = true;
    if ((unsigned char)data[0] == TLS_HANDSHAKE_RECORD)
        return true;
    log_info("http: a plain HTTP request from %s on the TLS port: answered 400", c->peer);
    tls_conn_free(c);
    c->proto = PROTO_HTTP1;
    conn_fail(c, &refuse_plain_on_tls);
    return false;
}

void tls_conn_input(http_conn *c, const char *data, size_t len)
{
    http_tls *t = c->tls;
    if (c->lingering || t->failed || len == 0)
        return; /* after the last response, input is discarded */
    if (!t->began && !began_with_tls(c, data))
        return;
    if (t->in_len > 0) {
        kbuf_append(&t->kept, data, len); /* t->in points into kept */
        t->in = t->kept.data;
        t->in_len = t->kept.len;
    } else {
        t->in = data;
        t->in_len = len;
    }
    if (decrypt_some(c) && c->tls)
        keep_unread(c);
}

void tls_conn_resume(http_conn *c)
{
    http_tls *t = c->tls;
    if (t->in_len == 0 && !SSL_has_pending(t->ssl))
        return;
    if (decrypt_some(c) && c->tls)
        keep_unread(c);
}

bool tls_conn_seal(http_conn *c, kbuf *bytes)
{
    http_tls *t = c->tls;
    kbuf cipher = KBUF_INIT;
    kbuf_reserve(&cipher, bytes->len + bytes->len / 512 + 64); /* 22 bytes a 16 KiB record */
    t->out = &cipher;
    int n = t->failed ? -1 : SSL_write(t->ssl, bytes->data, (int)bytes->len);
    t->out = NULL;
    kbuf_free(bytes);
    *bytes = cipher;
    if (n <= 0) {
        ERR_clear_error();
        t->failed = true;
        return false;
    }
    return true;
}

void tls_conn_close_notify(http_conn *c)
{
    http_tls *t = c->tls;
    if (t->failed || !SSL_is_init_finished(t->ssl))
        return;
    kbuf out = KBUF_INIT;
    t->out = &out;
    SSL_shutdown(t->ssl);
    t->out = NULL;
    ERR_clear_error();
    send_output(c, &out);
}

/* ---- a TLS hello on the plain port --------------------------------------------------------- */

bool tls_hello_on_plain_port(http_conn *c, const char *data, size_t len)
{
    static const char alert[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28}; /* handshake_failure */
    if (len < 2 || (unsigned char)data[0] != TLS_HANDSHAKE_RECORD || data[1] != 0x03)
        return false;
    log_warn("http: a TLS handshake from %s on the plain HTTP port: refused (use http:// here, or "
             "https:// on the --listen-tls port)",
             c->peer);
    kbuf out = KBUF_INIT;
    kbuf_append(&out, alert, sizeof alert);
    c->no_more_requests = true;
    if (conn_send(c, &out))
        conn_shutdown(c);
    return true;
}
