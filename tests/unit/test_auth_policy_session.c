/* test_auth_policy_session.c - session policies in AWS's evaluation (policy_decide): a session
 * may do what both its identity and session policies allow, an explicit Deny in a session policy
 * denies, a resource policy naming the session itself grants regardless of the session policies
 * while one naming its role, its account or "*" is bound by them, and the AccessDenied texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/policy.h"

#define ACCOUNT "000000000000"
#define ROLE "arn:aws:iam::000000000000:role/job"
#define SESSION "arn:aws:sts::000000000000:assumed-role/job/s1"
#define STREAM "arn:aws:kinesis:us-east-1:000000000000:stream/one"

static policy *parse(const char *text, policy_kind kind)
{
    kbuf why = KBUF_INIT;
    policy *p = policy_parse(text, kind, &why);
    assert_non_null(p);
    kbuf_free(&why);
    return p;
}

static policy_request put_record(void)
{
    return (policy_request){.action = "kinesis:PutRecord",
                            .resource = STREAM,
                            .principal_arn = SESSION,
                            .principal_role_arn = ROLE,
                            .principal_account = ACCOUNT};
}

/* The decision for a session holding `identity` and the session policies (scoped when n > 0 or
 * `scoped`), with the resource's policy `resource` (may be NULL). */
static policy_decision decide(const policy *identity, const policy *const *session, size_t n,
                              bool scoped, const policy *resource)
{
    policy_inputs in = {.identity = &identity,
                        .n_identity = identity ? 1 : 0,
                        .resource = resource,
                        .scoped = scoped || n > 0,
                        .session = session,
                        .n_session = n};
    policy_request r = put_record();
    return policy_decide(&in, &r);
}

static const char allow_put[] =
    "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"kinesis:PutRecord\","
    "\"Resource\":\"*\"}}";
static const char allow_get[] = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"kinesis:Get*\","
                                "\"Resource\":\"*\"}}";
static const char deny_put[] =
    "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"kinesis:PutRecord\","
    "\"Resource\":\"*\"}}";

static void test_intersection_and_deny(void **state)
{
    (void)state;
    policy *role = parse(allow_put, POLICY_IDENTITY), *get = parse(allow_get, POLICY_IDENTITY);
    policy *put = parse(allow_put, POLICY_IDENTITY), *deny = parse(deny_put, POLICY_IDENTITY);
    const policy *only_get[] = {get}, *with_put[] = {get, put}, *denying[] = {put, deny};
    assert_int_equal(decide(role, NULL, 0, false, NULL), DECISION_ALLOW);
    assert_int_equal(decide(role, with_put, 2, false, NULL), DECISION_ALLOW);
    assert_int_equal(decide(role, only_get, 1, false, NULL), DECISION_NO_SESSION_ALLOW);
    assert_int_equal(decide(role, NULL, 0, true, NULL), DECISION_NO_SESSION_ALLOW);
    assert_int_equal(decide(get, with_put, 2, false, NULL), DECISION_NO_IDENTITY_ALLOW);
    assert_int_equal(decide(role, denying, 2, false, NULL), DECISION_EXPLICIT_DENY_SESSION);

    policy_request r = put_record();
    kbuf text = KBUF_INIT;
    policy_denied_message(DECISION_NO_SESSION_ALLOW, &r, &text);
    assert_string_equal(text.data, "User: " SESSION " is not authorized to perform: "
                                   "kinesis:PutRecord on resource: " STREAM " because no session "
                                   "policy allows the kinesis:PutRecord action");
    kbuf_reset(&text);
    policy_denied_message(DECISION_EXPLICIT_DENY_SESSION, &r, &text);
    assert_string_equal(text.data, "User: " SESSION " is not authorized to perform: "
                                   "kinesis:PutRecord on resource: " STREAM
                                   " with an explicit deny in a session policy");
    kbuf_free(&text);
    policy_free(role);
    policy_free(get);
    policy_free(put);
    policy_free(deny);
}

/* A stream policy allowing PutRecord to `principal` (a JSON value). */
static policy *stream_policy(const char *principal)
{
    char text[512];
    snprintf(text, sizeof text,
             "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":%s,"
             "\"Action\":\"kinesis:PutRecord\",\"Resource\":\"" STREAM "\"}}",
             principal);
    return parse(text, POLICY_RESOURCE);
}

static void test_resource_policy_naming_the_session(void **state)
{
    (void)state;
    policy *get = parse(allow_get, POLICY_IDENTITY), *put = parse(allow_put, POLICY_IDENTITY);
    policy *deny = parse(deny_put, POLICY_IDENTITY);
    const policy *only_get[] = {get}, *only_put[] = {put}, *denying[] = {deny};
    policy *to_session = stream_policy("{\"AWS\":\"" SESSION "\"}");
    policy *to_role = stream_policy("{\"AWS\":[\"" ROLE "\"]}");
    policy *to_anyone = stream_policy("\"*\"");
    policy *to_account = stream_policy("{\"AWS\":\"" ACCOUNT "\"}");
    /* the session itself: not bound by the session policies (but by their Deny) */
    assert_int_equal(decide(NULL, only_get, 1, false, to_session), DECISION_ALLOW);
    assert_int_equal(decide(NULL, denying, 1, false, to_session), DECISION_EXPLICIT_DENY_SESSION);
    /* its role, its account, anyone: bound by them */
    assert_int_equal(decide(NULL, only_get, 1, false, to_role), DECISION_NO_SESSION_ALLOW);
    assert_int_equal(decide(NULL, only_get, 1, false, to_anyone), DECISION_NO_SESSION_ALLOW);
    assert_int_equal(decide(NULL, only_get, 1, false, to_account), DECISION_NO_SESSION_ALLOW);
    assert_int_equal(decide(NULL, only_put, 1, false, to_role), DECISION_ALLOW);
    /* without session policies a resource policy naming the role grants as before */
    assert_int_equal(decide(NULL, NULL, 0, false, to_role), DECISION_ALLOW);
    policy_free(get);
    policy_free(put);
    policy_free(deny);
    policy_free(to_session);
    policy_free(to_role);
    policy_free(to_anyone);
    policy_free(to_account);
}

static void test_across_accounts(void **state)
{
    (void)state;
    policy *role = parse(allow_put, POLICY_IDENTITY), *get = parse(allow_get, POLICY_IDENTITY);
    const policy *only_get[] = {get};
    policy *to_session = stream_policy("{\"AWS\":\"" SESSION "\"}");
    policy_inputs in = {.identity = (const policy *[]){role},
                        .n_identity = 1,
                        .resource = to_session,
                        .cross_account = true,
                        .scoped = true,
                        .session = only_get,
                        .n_session = 1};
    policy_request r = put_record();
    assert_int_equal(policy_decide(&in, &r), DECISION_NO_SESSION_ALLOW);
    in.scoped = false;
    assert_int_equal(policy_decide(&in, &r), DECISION_ALLOW);
    in.resource = NULL;
    assert_int_equal(policy_decide(&in, &r), DECISION_NO_RESOURCE_ALLOW);
    policy_free(role);
    policy_free(get);
    policy_free(to_session);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intersection_and_deny),
        cmocka_unit_test(test_resource_policy_naming_the_session),
        cmocka_unit_test(test_across_accounts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
