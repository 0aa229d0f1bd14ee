/* tls_certs.c - the development CA and server certificate kept under DATA/tls/ (see tls.h).
 *
 *   ca.pem, ca.key          "kinesd development CA": ECDSA P-256, TLS_DEV_CA_DAYS; clients trust it
 *   server.pem, server.key  for DNS:localhost, IP:127.0.0.1 and IP:::1, issued by that CA for
 *                           TLS_DEV_SERVER_DAYS; server.pem holds the certificate, then the CA
 *
 * Extensions are those strict verifiers (Python's VERIFY_X509_STRICT, browsers) want: the CA has
 * critical basicConstraints CA:TRUE and keyUsage keyCertSign, the server certificate CA:FALSE,
 * digitalSignature, serverAuth, its names as subjectAltName, and both key identifiers. Each file
 * is written whole to a temporary file, synced and renamed (keys 0600), so a crash leaves either
 * the old file or the new one; a server certificate that its CA did not issue (a crash between
 * the two) is simply issued again. notBefore is an hour back, for clients whose clock is behind. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls.h"

#define SECONDS_PER_DAY 86400
#define CLOCK_SLACK_S 3600
#define SERVER_NAMES "DNS:localhost,IP:127.0.0.1,IP:::1"

/* The paths of one directory's files. */
typedef struct dev_paths {
    char ca_cert[4200], ca_key[4200], cert[4200], key[4200];
} dev_paths;

static int fail(char *why, size_t len, const char *what, const char *path)
{
    unsigned long e = ERR_get_error();
    if (e)
        snprintf(why, len, "%s %s: %s", what, path, ERR_reason_error_string(e));
    else
        snprintf(why, len, "%s %s: %s", what, path, strerror(errno));
    ERR_clear_error();
    return -1;
}

static void *pem_cert(FILE *f)
{
    return PEM_read_X509(f, NULL, NULL, NULL);
}

static void *pem_key(FILE *f)
{
    return PEM_read_PrivateKey(f, NULL, NULL, NULL);
}

/* What `read` (pem_cert, pem_key) finds first in the file; NULL when absent or damaged. */
static void *read_pem(const char *path, void *(*read)(FILE *f))
{
    FILE *f = fopen(path, "r");
    void *object = f ? read(f) : NULL;
    if (f)
        fclose(f);
    ERR_clear_error();
    return object;
}

static X509 *read_cert(const char *path)
{
    return read_pem(path, pem_cert);
}

static EVP_PKEY *read_key(const char *path)
{
    return read_pem(path, pem_key);
}

/* Whether cert (with key) is valid from now_s until margin_days later. */
static bool lasts(X509 *cert, EVP_PKEY *key, int64_t now_s, int margin_days)
{
    time_t now = (time_t)now_s, until = (time_t)(now_s + (int64_t)margin_days * SECONDS_PER_DAY);
    return cert && key && X509_check_private_key(cert, key) == 1 &&
           X509_cmp_time(X509_get0_notBefore(cert), &now) < 0 &&
           X509_cmp_time(X509_get0_notAfter(cert), &until) > 0;
}

static bool add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    bool ok = ext && X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

/* The extensions of a CA (issuer NULL) or of a server certificate issued by issuer. */
static bool add_extensions(X509 *x, X509 *issuer)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    bool ok = add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    if (!issuer)
        return ok && add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
               add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    return ok && add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") &&
           add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
           add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") &&
           add_ext(x, &ctx, NID_ext_key_usage, "serverAuth") &&
           add_ext(x, &ctx, NID_subject_alt_name, SERVER_NAMES);
}

static bool set_serial(X509 *x)
{
    BIGNUM *bn = BN_new();
    bool ok = bn && BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
              BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok;
}

static bool set_name(X509 *x, const char *common_name)
{
    X509_NAME *name = X509_get_subject_name(x);
    return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                      (const unsigned char *)"kinesd development", -1, -1, 0) &&
           X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)common_name,
                                      -1, -1, 0);
}

/* A certificate for key: the CA's (issuer NULL: self-signed) or a server's signed by issuer. */
static X509 *make_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, int64_t now_s)
{
    X509 *x = X509_new();
    time_t now = (time_t)now_s;
    int days = issuer ? TLS_DEV_SERVER_DAYS : TLS_DEV_CA_DAYS;
    bool ok = x && X509_set_version(x, 2) && set_serial(x) &&
              X509_time_adj_ex(X509_getm_notBefore(x), 0, -CLOCK_SLACK_S, &now) &&
              X509_time_adj_ex(X509_getm_notAfter(x), days, 0, &now) && X509_set_pubkey(x, key) &&
              set_name(x, issuer ? "localhost" : "kinesd development CA") &&
              X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)) &&
              add_extensions(x, issuer) && X509_sign(x, issuer ? issuer_key : key, EVP_sha256());
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Writes path whole (temporary file, fsync, rename) with `mode`; what is written by write_fn. */
static int write_pem(const char *path, mode_t mode, bool (*write_fn)(FILE *f, void *a, void *b),
                     void *a, void *b)
{
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    bool ok = write_fn(f, a, b) && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static bool write_key(FILE *f, void *key, void *unused)
{
    (void)unused;
    return PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
}

static bool write_certs(FILE *f, void *cert, void *chain)
{
    return PEM_write_X509(f, cert) == 1 && (!chain || PEM_write_X509(f, chain) == 1);
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* A new key and certificate (server's when issuer is set) written to key_path and cert_path. */
static int issue(const char *key_path, const char *cert_path, X509 *issuer, EVP_PKEY *issuer_key,
                 int64_t now_s, X509 **cert_out, EVP_PKEY **key_out, char *why, size_t len)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = key ? make_cert(key, issuer, issuer_key, now_s) : NULL;
    if (!cert) {
        EVP_PKEY_free(key);
        return fail(why, len, "cannot make the certificate", cert_path);
    }
    if (write_pem(key_path, 0600, write_key, key, NULL) != 0 ||
        write_pem(cert_path, 0644, write_certs, cert, issuer) != 0) {
        X509_free(cert);
        EVP_PKEY_free(key);
        return fail(why, len, "cannot write", key_path);
    }
    *cert_out = cert;
    *key_out = key;
    return 0;
}

static void paths_of(const char *dir, dev_paths *p)
{
    snprintf(p->ca_cert, sizeof p->ca_cert, "%s/ca.pem", dir);
    snprintf(p->ca_key, sizeof p->ca_key, "%s/ca.key", dir);
    snprintf(p->cert, sizeof p->cert, "%s/server.pem", dir);
    snprintf(p->key, sizeof p->key, "%s/server.key", dir);
}

/* The server certificate: kept when the CA issued it and it lasts, else issued anew. */
static int ensure_server(const dev_paths *p, X509 *ca, EVP_PKEY *ca_key, int64_t now_s,
                         bool *renewed, char *why, size_t len)
{
    X509 *cert = read_cert(p->cert);
    EVP_PKEY *key = read_key(p->key);
    bool keep = lasts(cert, key, now_s, TLS_DEV_RENEW_DAYS) && X509_check_issued(ca, cert) == 0;
    X509_free(cert);
    EVP_PKEY_free(key);
    if (keep)
        return 0;
    *renewed = true;
    if (issue(p->key, p->cert, ca, ca_key, now_s, &cert, &key, why, len) != 0)
        return -1;
    X509_free(cert);
    EVP_PKEY_free(key);
    return 0;
}

int tls_dev_certs_ensure(const char *dir, int64_t now_s, bool *renewed, char *why, size_t len)
{
    *renewed = false;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return fail(why, len, "cannot create", dir);
    dev_paths p;
    paths_of(dir, &p);
    X509 *ca = read_cert(p.ca_cert);
    EVP_PKEY *ca_key = read_key(p.ca_key);
    int rc = 0;
    if (!lasts(ca, ca_key, now_s, TLS_DEV_CA_RENEW_DAYS)) {
        X509_free(ca);
        EVP_PKEY_free(ca_key);
        ca = NULL;
        ca_key = NULL;
        *renewed = true;
        rc = issue(p.ca_key, p.ca_cert, NULL, NULL, now_s, &ca, &ca_key, why, len);
    }
    if (rc == 0)
        rc = ensure_server(&p, ca, ca_key, now_s, renewed, why, len);
    if (rc == 0 && *renewed)
        sync_dir(dir);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return rc;
}
