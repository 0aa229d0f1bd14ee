/* test_auth_policy_trust.c - roles' trust policies in the policy language: a trust policy needs
 * a Principal and refuses Resource; Service principals match the requests a service makes and
 * no one else; AWS principals and sts:ExternalId conditions match as IAM matches them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth/policy.h"

#define ROLE "arn:aws:iam::000000000000:role/r"

static policy *parse_trust(const char *text, kbuf *why)
{
    kbuf_reset(why);
    return policy_parse(text, POLICY_TRUST, why);
}

static policy_effect assume(const policy *p, const char *arn, const char *account,
                            const char *external_id)
{
    policy_request r = {.action = "sts:AssumeRole",
                        .resource = ROLE,
                        .principal_arn = arn,
                        .principal_account = account,
                        .external_id = external_id};
    return policy_evaluate(p, &r);
}

static void test_trust_policy_shape(void **state)
{
    (void)state;
    kbuf why = KBUF_INIT;
    assert_null(parse_trust(
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}]}", &why));
    assert_string_equal(why.data, "Policy document should specify a principal.");
    assert_null(parse_trust("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
                            "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}",
                            &why));
    assert_string_equal(why.data, "Has prohibited field Resource");
    assert_null(parse_trust("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":7},"
                            "\"Action\":\"sts:AssumeRole\"}]}",
                            &why));
    assert_string_equal(why.data, "Invalid principal in policy.");
    kbuf_free(&why);
}

static void test_service_and_aws_principals(void **state)
{
    (void)state;
    kbuf why = KBUF_INIT;
    policy *p = parse_trust(
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":[\"lambda.amazonaws."
        "com\"],\"AWS\":\"arn:aws:iam::000000000000:user/u\"},\"Action\":\"sts:AssumeRole\"}]}",
        &why);
    assert_non_null(p);
    assert_int_equal(assume(p, "lambda.amazonaws.com", "", NULL), POLICY_ALLOWS);
    assert_int_equal(assume(p, "sqs.amazonaws.com", "", NULL), POLICY_NOT_APPLICABLE);
    assert_int_equal(assume(p, "arn:aws:iam::000000000000:user/u", "000000000000", NULL),
                     POLICY_ALLOWS);
    assert_int_equal(assume(p, "arn:aws:iam::000000000000:user/v", "000000000000", NULL),
                     POLICY_NOT_APPLICABLE);
    assert_int_equal(assume(p, "arn:aws:iam::000000000000:root", "000000000000", NULL),
                     POLICY_NOT_APPLICABLE);
    policy_free(p);
    kbuf_free(&why);
}

static void test_account_principal_with_external_id(void **state)
{
    (void)state;
    kbuf why = KBUF_INIT;
    policy *p =
        parse_trust("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    "\"Principal\":{\"AWS\":\"111111111111\"},\"Action\":\"sts:AssumeRole\","
                    "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"xyz\"}}}]}",
                    &why);
    assert_non_null(p);
    const char *user = "arn:aws:iam::111111111111:user/u";
    assert_int_equal(assume(p, user, "111111111111", "xyz"), POLICY_ALLOWS);
    assert_int_equal(assume(p, user, "111111111111", "abc"), POLICY_NOT_APPLICABLE);
    assert_int_equal(assume(p, user, "111111111111", NULL), POLICY_NOT_APPLICABLE);
    assert_int_equal(assume(p, "arn:aws:iam::222222222222:user/u", "222222222222", "xyz"),
                     POLICY_NOT_APPLICABLE);
    policy_free(p);
    kbuf_free(&why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trust_policy_shape),
        cmocka_unit_test(test_service_and_aws_principals),
        cmocka_unit_test(test_account_principal_with_external_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
