/* test_net_tls.c - the development certificates under DATA/tls/ (tls_certs.c) at chosen dates:
 * made on first use, kept while they last, the server certificate re-issued by the same CA near
 * its end, everything anew near the CA's end or when a file is damaged; and the TLS context's
 * refusal of an operator's missing files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "net/tls.h"

#define DAY 86400LL

typedef struct certs_fixture {
    char dir[64];
    int64_t now;
} certs_fixture;

static int setup(void **state)
{
    certs_fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/kinesd-tls-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    strcat(f->dir, "/tls"); /* made by tls_dev_certs_ensure */
    f->now = (int64_t)time(NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    certs_fixture *f = *state;
    const char *names[] = {"ca.pem", "ca.key", "server.pem", "server.key"};
    char path[128];
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, names[i]);
        unlink(path);
    }
    rmdir(f->dir);
    *strrchr(f->dir, '/') = '\0';
    rmdir(f->dir);
    free(f);
    return 0;
}

static X509 *load(const certs_fixture *f, const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    X509 *x = PEM_read_X509(file, NULL, NULL, NULL);
    fclose(file);
    assert_non_null(x);
    return x;
}

static bool ensure(certs_fixture *f, int64_t at)
{
    char why[256] = "";
    bool renewed = false;
    int rc = tls_dev_certs_ensure(f->dir, at, &renewed, why, sizeof why);
    if (rc != 0)
        fail_msg("tls_dev_certs_ensure: %s", why);
    return renewed;
}

/* Whether server.pem verifies against ca.pem at `at`, for localhost and 127.0.0.1. */
static bool server_verifies(const certs_fixture *f, int64_t at)
{
    X509 *ca = load(f, "ca.pem"), *cert = load(f, "server.pem");
    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, cert, NULL);
    X509_STORE_CTX_set_time(ctx, 0, (time_t)at);
    X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), X509_V_FLAG_X509_STRICT);
    bool ok = X509_verify_cert(ctx) == 1 && X509_check_host(cert, "localhost", 0, 0, NULL) == 1 &&
              X509_check_ip_asc(cert, "127.0.0.1", 0) == 1 &&
              X509_check_ip_asc(cert, "::1", 0) == 1;
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    X509_free(ca);
    X509_free(cert);
    return ok;
}

static bool same_cert(const certs_fixture *f, const char *name, X509 *before)
{
    X509 *now = load(f, name);
    bool same = X509_cmp(now, before) == 0;
    X509_free(now);
    return same;
}

static void test_made_on_first_use_and_kept(void **state)
{
    certs_fixture *f = *state;
    assert_true(ensure(f, f->now));
    assert_true(server_verifies(f, f->now));
    char key[128];
    snprintf(key, sizeof key, "%s/server.key", f->dir);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    X509 *ca = load(f, "ca.pem"), *cert = load(f, "server.pem");
    assert_false(ensure(f, f->now + DAY));
    assert_true(same_cert(f, "ca.pem", ca));
    assert_true(same_cert(f, "server.pem", cert));
    X509_free(ca);
    X509_free(cert);
}

static void test_server_certificate_renewed_by_the_same_ca(void **state)
{
    certs_fixture *f = *state;
    ensure(f, f->now);
    X509 *ca = load(f, "ca.pem"), *cert = load(f, "server.pem");
    int64_t near_end = f->now + (TLS_DEV_SERVER_DAYS - TLS_DEV_RENEW_DAYS + 1) * DAY;
    assert_true(ensure(f, near_end));
    assert_true(same_cert(f, "ca.pem", ca)); /* clients keep trusting it */
    assert_false(same_cert(f, "server.pem", cert));
    assert_true(server_verifies(f, near_end + (TLS_DEV_SERVER_DAYS - 1) * DAY));
    X509_free(ca);
    X509_free(cert);
}

static void test_everything_anew_near_the_cas_end(void **state)
{
    certs_fixture *f = *state;
    ensure(f, f->now);
    X509 *ca = load(f, "ca.pem");
    int64_t near_end = f->now + (TLS_DEV_CA_DAYS - TLS_DEV_CA_RENEW_DAYS + 1) * DAY;
    assert_true(ensure(f, near_end));
    assert_false(same_cert(f, "ca.pem", ca));
    assert_true(server_verifies(f, near_end));
    X509_free(ca);
}

static void test_damaged_server_certificate_issued_again(void **state)
{
    certs_fixture *f = *state;
    ensure(f, f->now);
    char path[128];
    snprintf(path, sizeof path, "%s/server.pem", f->dir);
    FILE *file = fopen(path, "w");
    fputs("-----BEGIN CERTIFICATE-----\nnot base64\n", file);
    fclose(file);
    assert_true(ensure(f, f->now));
    assert_true(server_verifies(f, f->now));
}

static void test_operator_files_missing(void **state)
{
    (void)state;
    char why[512] = "";
    tls_options opt = {"/nonexistent/cert.pem", "/nonexistent/key.pem", "/tmp"};
    assert_null(tls_context_open(&opt, why, sizeof why));
    assert_non_null(strstr(why, "cannot load the certificate /nonexistent/cert.pem"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_made_on_first_use_and_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_certificate_renewed_by_the_same_ca, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_everything_anew_near_the_cas_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_server_certificate_issued_again, setup,
                                        teardown),
        cmocka_unit_test(test_operator_files_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
