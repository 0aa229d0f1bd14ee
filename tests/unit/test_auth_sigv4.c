/* test_auth_sigv4.c - the SigV4 signer against the AWS signing test suite (tests/data/sigv4, one
 * cmocka test per case: canonical request, string to sign, signature), the verifier against the
 * same cases (the header-signed and the presigned request verify; any changed byte does not), and
 * the signer against botocore for a Kinesis PutRecord request. */
#include <dirent.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/sigv4.h"
#include "auth/sigv4_verify.h"
#include "auth/uri.h"

#define SUITE_DIR TEST_DATA_DIR "/sigv4"
#define MAX_HEADERS 16

/* ---- reading a case ----------------------------------------------------------------------- */

static char *read_file(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", SUITE_DIR, dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    kbuf b = KBUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        kbuf_append(&b, chunk, n);
    fclose(f);
    kbuf_puts(&b, "");
    return kbuf_detach(&b);
}

/* The value of "key": "..." or "key": true/false in the flat context.json, or NULL. */
static char *json_field(const char *json, const char *key)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    const char *p = strstr(json, pattern);
    if (!p)
        return NULL;
    p += strlen(pattern);
    p += strspn(p, " :\t\n");
    size_t n = *p == '"' ? strcspn(++p, "\"") : strcspn(p, ",}\n ");
    return strndup(p, n);
}

static int json_flag(const char *json, const char *key)
{
    char *v = json_field(json, key);
    int on = v && strcmp(v, "true") == 0;
    free(v);
    return on;
}

typedef struct parsed_request {
    char *text; /* request.txt, cut in place */
    char *method, *path, *query;
    sigv4_header headers[MAX_HEADERS];
    size_t header_count;
    const char *body;
} parsed_request;

/* Folds continuation lines (leading whitespace) into the previous header's value. */
static void parse_header_line(parsed_request *r, char *line)
{
    if ((*line == ' ' || *line == '\t') && r->header_count > 0) {
        line[-1] = '\n'; /* rejoin with the previous line: the signer collapses whitespace */
        return;
    }
    char *colon = strchr(line, ':');
    assert_non_null(colon);
    *colon = '\0';
    assert_true(r->header_count < MAX_HEADERS);
    r->headers[r->header_count].name = line;
    r->headers[r->header_count].value = colon + 1;
    r->header_count++;
}

static void parse_request(parsed_request *r, char *text)
{
    memset(r, 0, sizeof *r);
    r->text = text;
    char *body = strstr(text, "\n\n");
    r->body = body ? body + 2 : "";
    if (body)
        *body = '\0';
    char *line_end = strchr(text, '\n');
    if (line_end)
        *line_end = '\0';
    char *sp = strchr(text, ' ');
    char *version = strstr(text, " HTTP/");
    assert_non_null(sp);
    assert_non_null(version);
    *sp = *version = '\0';
    r->method = text;
    r->path = sp + 1;
    char *q = strchr(r->path, '?');
    r->query = q ? q + 1 : "";
    if (q)
        *q = '\0';
    for (char *line = line_end ? line_end + 1 : NULL; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next = '\0';
        parse_header_line(r, line);
        line = next ? next + 1 : NULL;
    }
}

static void sha256_hex(const char *s, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
}

static void assert_file_equals(const char *dir, const char *name, const kbuf *actual)
{
    char *expected = read_file(dir, name);
    size_t n = strlen(expected);
    while (n > 0 && expected[n - 1] == '\n')
        n--;
    expected[n] = '\0';
    if (strcmp(expected, actual->data) != 0)
        print_error("%s/%s differs:\nexpected:\n%s\nactual:\n%s\n", dir, name, expected,
                    actual->data);
    assert_string_equal(expected, actual->data);
    free(expected);
}

/* ---- one suite case ----------------------------------------------------------------------- */

static void test_suite_case(void **state)
{
    const char *dir = *state;
    char *context = read_file(dir, "context.json");
    parsed_request r;
    parse_request(&r, read_file(dir, "request.txt"));

    char *access = json_field(context, "access_key_id");
    char *secret = json_field(context, "secret_access_key");
    char *token = json_field(context, "token");
    char *region = json_field(context, "region");
    char *service = json_field(context, "service");
    char *stamp = json_field(context, "timestamp"); /* 2015-08-30T12:36:00Z */
    char amz_date[17];
    snprintf(amz_date, sizeof amz_date, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", stamp, stamp + 5, stamp + 8,
             stamp + 11, stamp + 14, stamp + 17);

    char body_hash[65];
    sha256_hex(r.body, body_hash);
    r.headers[r.header_count++] = (sigv4_header){"X-Amz-Date", amz_date};
    if (json_flag(context, "sign_body"))
        r.headers[r.header_count++] = (sigv4_header){"X-Amz-Content-SHA256", body_hash};
    if (token && !json_flag(context, "omit_session_token"))
        r.headers[r.header_count++] = (sigv4_header){"X-Amz-Security-Token", token};

    kbuf path = KBUF_INIT;
    if (json_flag(context, "normalize"))
        uri_normalize_path(&path, r.path);
    else
        kbuf_puts(&path, r.path);

    sigv4_request req = {r.method,       path.data, r.query,       r.headers,
                         r.header_count, r.body,    strlen(r.body)};
    sigv4_credentials creds = {access, secret, token};
    kbuf auth = KBUF_INIT, canonical = KBUF_INIT, to_sign = KBUF_INIT;
    sigv4_sign(&req, &creds, region, service, amz_date, &auth, &canonical, &to_sign);

    assert_file_equals(dir, "header-canonical-request.txt", &canonical);
    assert_file_equals(dir, "header-string-to-sign.txt", &to_sign);
    char *signature = read_file(dir, "header-signature.txt");
    signature[strcspn(signature, "\n")] = '\0';
    assert_non_null(strstr(auth.data, signature));

    free(signature);
    kbuf_free(&auth);
    kbuf_free(&canonical);
    kbuf_free(&to_sign);
    kbuf_free(&path);
    free(access), free(secret), free(token), free(region), free(service), free(stamp);
    free(r.text);
    free(context);
}

/* ---- the verifier over the same cases ------------------------------------------------------- */

/* Verifies a signed request of the suite (header-signed-request.txt or query-signed-request.txt)
 * as received, with the suite's secret. */
static sigv4_result verify_text(char *text, const char *secret, bool normalize)
{
    parsed_request r;
    parse_request(&r, text);
    char url[2048];
    snprintf(url, sizeof url, "%s%s%s", r.path, *r.query ? "?" : "", r.query);
    sigv4_incoming in = {r.method,       url,       r.headers, r.header_count, r.body,
                         strlen(r.body), !normalize};
    sigv4_claim claim;
    kbuf scratch = KBUF_INIT;
    sigv4_result rc = sigv4_claim_read(&in, &claim, &scratch);
    if (rc == SIGV4_OK)
        rc = sigv4_verify(&in, &claim, secret);
    kbuf_free(&scratch);
    return rc;
}

static void verify_case_file(const char *dir, const char *file, const char *secret, bool normalize)
{
    char *text = read_file(dir, file);
    char *copy = strdup(text);
    assert_int_equal(verify_text(copy, secret, normalize), SIGV4_OK);
    free(copy);
    /* a changed byte in the signature, the method or a signed header value does not verify */
    const char *targets[] = {"Signature=", "X-Amz-Signature=", "X-Amz-Date:", "GET ", "POST "};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        char *at = strstr(text, targets[i]);
        if (!at)
            continue;
        copy = strdup(text);
        char *c = copy + (at - text) + strlen(targets[i]) -
                  (targets[i][0] == 'G' || targets[i][0] == 'P' ? 2 : 0);
        *c = *c == '1' ? '2' : '1';
        assert_int_not_equal(verify_text(copy, secret, normalize), SIGV4_OK);
        free(copy);
    }
    free(text);
}

static void test_suite_case_verifies(void **state)
{
    const char *dir = *state;
    char *context = read_file(dir, "context.json");
    char *secret = json_field(context, "secret_access_key");
    bool normalize = json_flag(context, "normalize");
    verify_case_file(dir, "header-signed-request.txt", secret, normalize);
    verify_case_file(dir, "query-signed-request.txt", secret, normalize);
    free(secret);
    free(context);
}

/* ---- botocore parity ---------------------------------------------------------------------- */

/* Expected values computed once with botocore 1.43 (python):
 *
 *   body = b'{"StreamName":"orders","Data":"aGVsbG8=","PartitionKey":"customer-42"}'
 *   req = AWSRequest(method="POST", url="https://kinesis.eu-west-1.amazonaws.com/", data=body,
 *                    headers={"Content-Type": "application/x-amz-json-1.1",
 *                             "X-Amz-Target": "Kinesis_20131202.PutRecord"})
 *   creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
 *                       "session-token-example")
 *   with mock.patch("botocore.auth.get_current_datetime",
 *                   return_value=datetime.datetime(2026, 11, 26, 7, 0, 0)):
 *       SigV4Auth(creds, "kinesis", "eu-west-1").add_auth(req)
 *   # canonical request: SigV4Auth.canonical_request(req) captured during add_auth
 *   print(req.headers["Authorization"]) */
static const char botocore_canonical[] =
    "POST\n/\n\n"
    "content-type:application/x-amz-json-1.1\n"
    "host:kinesis.eu-west-1.amazonaws.com\n"
    "x-amz-date:20261126T070000Z\n"
    "x-amz-security-token:session-token-example\n"
    "x-amz-target:Kinesis_20131202.PutRecord\n\n"
    "content-type;host;x-amz-date;x-amz-security-token;x-amz-target\n"
    "4ab8f746aa2c70b9c773bc403aacf6ab4d27be80b145d1c26df8a615d7cea8f1";
static const char botocore_authorization[] =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/eu-west-1/kinesis/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
    "Signature=310c629ace00135e0ed1a7b398d24bc1d2c5aef0aa7e248dca8da59a44745c14";

static void sign_put_record(kbuf *auth, kbuf *canonical)
{
    static const char body[] =
        "{\"StreamName\":\"orders\",\"Data\":\"aGVsbG8=\",\"PartitionKey\":\"customer-42\"}";
    const sigv4_header headers[] = {
        {"Host", "kinesis.eu-west-1.amazonaws.com"},
        {"Content-Type", "application/x-amz-json-1.1"},
        {"X-Amz-Target", "Kinesis_20131202.PutRecord"},
        {"X-Amz-Date", "20261126T070000Z"},
        {"X-Amz-Security-Token", "session-token-example"},
    };
    sigv4_request req = {"POST", "/", "", headers, 5, body, strlen(body)};
    sigv4_credentials creds = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                               "session-token-example"};
    sigv4_sign(&req, &creds, "eu-west-1", "kinesis", "20261126T070000Z", auth, canonical, NULL);
}

static void test_put_record_matches_botocore(void **state)
{
    (void)state;
    for (int round = 0; round < 2; round++) { /* the second round uses the cached signing key */
        kbuf auth = KBUF_INIT, canonical = KBUF_INIT;
        sign_put_record(&auth, &canonical);
        assert_string_equal(botocore_canonical, canonical.data);
        assert_string_equal(botocore_authorization, auth.data);
        kbuf_free(&auth);
        kbuf_free(&canonical);
    }
}

static void test_amz_date_now_format(void **state)
{
    (void)state;
    char date[17];
    sigv4_amz_date_now(date);
    assert_int_equal(strlen(date), 16);
    assert_int_equal(date[8], 'T');
    assert_int_equal(date[15], 'Z');
}

/* ".." above the root stays at the root, also into an empty buffer (it wrote through NULL). */
static void test_normalize_dot_dot_at_root(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"../a", "/a"}, {"/..", "/"}, {"..", "/"}, {"/../../a/./b/../c/", "/a/c/"}, {"", "/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kbuf out = KBUF_INIT;
        uri_normalize_path(&out, cases[i][0]);
        assert_string_equal(out.data, cases[i][1]);
        kbuf_free(&out);
    }
}

/* ---- runner: one test per suite folder, then the fixed tests ------------------------------- */

int main(void)
{
    DIR *d = opendir(SUITE_DIR);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", SUITE_DIR);
        return 1;
    }
    struct CMUnitTest tests[160];
    size_t n = 0, cases = 0;
    struct dirent *e;
    char *names[64];
    while ((e = readdir(d)) != NULL && cases < 64) {
        if (e->d_name[0] == '.' || strchr(e->d_name, '.'))
            continue; /* ".", "..", NOTICE.md */
        char *name = strdup(e->d_name);
        names[cases++] = name;
        tests[n++] = (struct CMUnitTest){name, test_suite_case, NULL, NULL, name};
        tests[n++] = (struct CMUnitTest){"verified", test_suite_case_verifies, NULL, NULL, name};
    }
    closedir(d);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_put_record_matches_botocore);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_amz_date_now_format);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_normalize_dot_dot_at_root);
    int failed = _cmocka_run_group_tests("sigv4", tests, n, NULL, NULL);
    for (size_t i = 0; i < cases; i++)
        free(names[i]);
    return failed;
}
