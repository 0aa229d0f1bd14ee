/* test_common_codecs.c - strict base64, 128-bit hash keys (decimal, MD5 routing values: RFC
 * 1321's test suite, and OpenSSL's digest for every length up to five blocks), UUIDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "common/base64.h"
#include "common/buf.h"
#include "common/md5.h"
#include "common/u128.h"
#include "common/uuid.h"

static void base64_round_trips_every_length(void **state)
{
    (void)state;
    unsigned char in[64], back[64];
    char enc[128];
    for (size_t n = 0; n < sizeof(in); n++) {
        for (size_t i = 0; i < n; i++)
            in[i] = (unsigned char)(i * 37 + n);
        base64_encode(in, n, enc);
        size_t out = 0;
        assert_true(base64_decode(enc, base64_encoded_len(n), back, &out));
        assert_int_equal(out, n);
        assert_memory_equal(in, back, n);
    }
}

static void base64_matches_rfc4648_vectors(void **state)
{
    (void)state;
    const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char enc[16] = {0};
        base64_encode(plain[i], strlen(plain[i]), enc);
        assert_string_equal(enc, coded[i]);
    }
}

static void base64_rejects_malformed_input(void **state)
{
    (void)state;
    const char *bad[] = {"Zg=",  "Zg",    "Z===", "Zm9v!A==", "Zg==Zg==", "Zh==",
                         "Zm9=", "Zm 9v", "====", "Zm=v",     "Zm9vYg=\n"};
    unsigned char out[16];
    size_t n;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(base64_decode(bad[i], strlen(bad[i]), out, &n));
}

static void u128_parses_and_formats_decimal(void **state)
{
    (void)state;
    const char *max = "340282366920938463463374607431768211455";
    u128 v;
    assert_true(u128_parse(max, strlen(max), &v));
    assert_true(v == U128_MAX);
    char out[U128_DEC_MAX + 1];
    assert_int_equal(u128_format(v, out), 39);
    assert_string_equal(out, max);
    assert_true(u128_parse("0", 1, &v) && v == 0);
    u128_format(0, out);
    assert_string_equal(out, "0");
}

static void u128_rejects_out_of_range_and_garbage(void **state)
{
    (void)state;
    u128 v;
    const char *over = "340282366920938463463374607431768211456";
    assert_false(u128_parse(over, strlen(over), &v));
    assert_false(u128_parse("", 0, &v));
    assert_false(u128_parse("-1", 2, &v));
    assert_false(u128_parse("12a", 3, &v));
    assert_false(u128_parse("1000000000000000000000000000000000000000", 40, &v));
}

static void u128_md5_reads_digest_big_endian(void **state)
{
    (void)state;
    /* MD5("a") = 0cc175b9c0f1b6a831c399e269772661 */
    u128 expected = ((u128)0x0cc175b9c0f1b6a8ULL << 64) | 0x31c399e269772661ULL;
    assert_true(u128_md5("a", 1) == expected);
}

static void md5_passes_rfc_1321_suite(void **state)
{
    (void)state;
    static const char *const suite[][2] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    for (size_t i = 0; i < sizeof suite / sizeof suite[0]; i++) {
        unsigned char d[MD5_DIGEST_BYTES];
        char hex[2 * MD5_DIGEST_BYTES + 1];
        md5_digest(suite[i][0], strlen(suite[i][0]), d);
        for (int j = 0; j < MD5_DIGEST_BYTES; j++)
            snprintf(hex + 2 * j, 3, "%02x", d[j]);
        assert_string_equal(hex, suite[i][1]);
    }
}

static void md5_matches_openssl_at_every_length(void **state)
{
    (void)state;
    unsigned char msg[5 * 64];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 131 + 7);
    for (size_t n = 0; n <= sizeof msg; n++) {
        unsigned char ours[MD5_DIGEST_BYTES], theirs[EVP_MAX_MD_SIZE];
        md5_digest(msg, n, ours);
        assert_true(EVP_Digest(msg, n, theirs, NULL, EVP_md5(), NULL));
        assert_memory_equal(ours, theirs, MD5_DIGEST_BYTES);
    }
}

static void uuid_is_version_4(void **state)
{
    (void)state;
    char a[UUID_STR_LEN + 1], b[UUID_STR_LEN + 1];
    uuid_v4(a);
    uuid_v4(b);
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    assert_int_equal(a[8], '-');
    assert_string_not_equal(a, b);
}

static void kbuf_grows_and_formats(void **state)
{
    (void)state;
    kbuf b = KBUF_INIT;
    for (int i = 0; i < 1000; i++)
        kbuf_printf(&b, "%d,", i);
    assert_int_equal(b.data[b.len], '\0');
    assert_memory_equal(b.data, "0,1,2,", 6);
    kbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base64_round_trips_every_length),
        cmocka_unit_test(base64_matches_rfc4648_vectors),
        cmocka_unit_test(base64_rejects_malformed_input),
        cmocka_unit_test(u128_parses_and_formats_decimal),
        cmocka_unit_test(u128_rejects_out_of_range_and_garbage),
        cmocka_unit_test(u128_md5_reads_digest_big_endian),
        cmocka_unit_test(md5_passes_rfc_1321_suite),
        cmocka_unit_test(md5_matches_openssl_at_every_length),
        cmocka_unit_test(uuid_is_version_4),
        cmocka_unit_test(kbuf_grows_and_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
