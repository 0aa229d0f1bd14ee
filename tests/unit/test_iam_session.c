/* test_iam_session.c - session tokens: a token sealed before session policies existed (v1)
 * still opens, as a session without them; a session's policies (inline, with newlines, and
 * managed ARNs) come back from its token as they went in; a token sealed otherwise does not
 * open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/base64.h"
#include "iam/session.h"

/* A token of the plaintext `plain` as kinesd seals them. */
static void seal(const masterkey *mk, const char *plain, char *token, size_t cap)
{
    kbuf sealed = KBUF_INIT;
    masterkey_seal(mk, plain, strlen(plain), "kinesd session token v1", &sealed);
    assert_true(base64_encoded_len(sealed.len) < cap);
    base64_encode(sealed.data, sealed.len, token);
    token[base64_encoded_len(sealed.len)] = '\0';
    kbuf_free(&sealed);
}

static void test_a_v1_token_opens_without_session_policies(void **state)
{
    (void)state;
    masterkey mk;
    masterkey_random(mk.key, sizeof mk.key);
    char token[1024];
    seal(&mk,
         "v1\nASIAEXAMPLEEXAMPLE00\nsecret\n000000000000\n\n1900000000000\njob\n"
         "AROAEXAMPLEEXAMPLE000\ns1",
         token, sizeof token);
    session_claims c;
    assert_true(session_open(&mk, token, &c));
    assert_string_equal(c.role, "job");
    assert_string_equal(c.session, "s1");
    assert_int_equal(c.expires_ms, 1900000000000);
    assert_false(c.scoped);
    assert_string_equal(c.policy, "");
    assert_string_equal(c.policy_arns, "");
}

static void test_session_policies_round_trip(void **state)
{
    (void)state;
    masterkey mk;
    masterkey_random(mk.key, sizeof mk.key);
    static session_claims c, back;
    snprintf(c.account, sizeof c.account, "000000000000");
    snprintf(c.role, sizeof c.role, "job");
    snprintf(c.role_id, sizeof c.role_id, "AROAEXAMPLEEXAMPLE000");
    snprintf(c.session, sizeof c.session, "s1");
    c.expires_ms = 1900000000000;
    c.scoped = true;
    snprintf(c.policy, sizeof c.policy, "{\n  \"Statement\": []\n}\n");
    snprintf(c.policy_arns, sizeof c.policy_arns,
             "arn:aws:iam::000000000000:policy/a\narn:aws:iam::000000000000:policy/b");
    kbuf token = KBUF_INIT;
    session_issue(&mk, &c, &token);
    assert_true(session_open(&mk, token.data, &back));
    assert_true(back.scoped);
    assert_string_equal(back.access_key, c.access_key);
    assert_string_equal(back.session, "s1");
    assert_string_equal(back.policy, c.policy);
    assert_string_equal(back.policy_arns, c.policy_arns);

    masterkey other;
    masterkey_random(other.key, sizeof other.key);
    assert_false(session_open(&other, token.data, &back));
    kbuf_free(&token);

    c.policy_arns[0] = '\0'; /* an inline policy alone */
    session_issue(&mk, &c, &token);
    assert_true(session_open(&mk, token.data, &back));
    assert_true(back.scoped);
    assert_string_equal(back.policy_arns, "");
    assert_string_equal(back.policy, c.policy);
    kbuf_free(&token);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_v1_token_opens_without_session_policies),
        cmocka_unit_test(test_session_policies_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
