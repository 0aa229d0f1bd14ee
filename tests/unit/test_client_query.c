/* test_client_query.c - libkines' query-protocol calls (IAM, STS): the form they send, how they
 * are signed, their XML answers and errors; and kines_xml_text on the shapes IAM answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kines/kines.h"
#include "scripted_server.h"

/* ---- reading XML ---------------------------------------------------------------------------- */

static const char list_users[] =
    "<?xml version=\"1.0\"?>\n"
    "<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n"
    "  <ListUsersResult>\n"
    "    <Users>\n"
    "      <member><UserName>ann</UserName><Arn>arn:aws:iam::1:user/ann</Arn></member>\n"
    "      <member><UserName>b&amp;o &lt;&#x263A;&#65;&gt;</UserName><Path/></member>\n"
    "    </Users>\n"
    "    <IsTruncated>false</IsTruncated>\n"
    "  </ListUsersResult>\n"
    "</ListUsersResponse>\n";

static void expect_text(const char *xml, const char *name, size_t *pos, const char *want)
{
    char *got = kines_xml_text(xml, name, pos);
    if (want) {
        assert_non_null(got);
        assert_string_equal(got, want);
    } else {
        assert_null(got);
    }
    free(got);
}

static void test_elements_lists_and_entities(void **state)
{
    (void)state;
    expect_text(list_users, "IsTruncated", NULL, "false");
    expect_text(list_users, "Marker", NULL, NULL);
    expect_text(list_users, "User", NULL, NULL); /* a prefix of Users and UserName is no match */
    size_t pos = 0;
    char *first = kines_xml_text(list_users, "member", &pos);
    expect_text(first, "UserName", NULL, "ann");
    expect_text(list_users, "UserName", &pos,
                "b&o <\xE2\x98\xBA"
                "A>");
    expect_text(list_users, "Path", NULL, ""); /* self-closing */
    expect_text(list_users, "member", &pos, NULL);
    free(first);
    expect_text("<a><a>in</a>out</a>", "a", NULL, "<a>in</a>out"); /* same-name nesting */
    expect_text("<a>&bogus; &#xZZ; & done</a>", "a", NULL, "&bogus; &#xZZ; & done");
    expect_text("<a>unclosed", "a", NULL, NULL);
    expect_text(NULL, "a", NULL, NULL);
}

/* ---- calls ---------------------------------------------------------------------------------- */

static void test_form_signature_and_answer(void **state)
{
    (void)state;
    static const char *const answers[] = {
        "200 <CreateUserResponse><CreateUserResult><User><UserName>a b</UserName></User>"
        "</CreateUserResult></CreateUserResponse>",
        NULL};
    static const char *const carried[] = {
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8", "Credential=AKIDTEST/",
        "/us-east-1/iam/aws4_request", NULL};
    script s;
    script_start(&s, answers, carried);
    kines_client *c = script_client(&s, 1, "eu-west-1"); /* IAM is signed for us-east-1 */
    kines_param params[] = {{"UserName", "a b"}, {"Tags.member.1.Key", "k=&"}};
    char *xml = NULL;
    kines_error err;
    assert_int_equal(kines_call_query(c, "iam", "2010-05-08", "CreateUser", params, 2, &xml, &err),
                     0);
    expect_text(xml, "UserName", NULL, "a b");
    free(xml);
    assert_true(s.all_carried);
    assert_null(strcasestr(s.last, "x-amz-target"));
    assert_non_null(strstr(s.last, "\r\n\r\nAction=CreateUser&Version=2010-05-08&UserName=a%20b"
                                   "&Tags.member.1.Key=k%3D%26"));
    kines_client_free(c);
    script_stop(&s);
}

static void test_xml_errors(void **state)
{
    (void)state;
    static const char *const answers[] = {
        "404 <ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
        "<Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name x cannot be "
        "found.</Message></Error><RequestId>1</RequestId></ErrorResponse>",
        NULL};
    static const char *const carried[] = {"/eu-west-1/sts/aws4_request", NULL};
    script s;
    script_start(&s, answers, carried);
    kines_client *c = script_client(&s, 3, "eu-west-1");
    kines_error err;
    char *xml = NULL;
    assert_int_equal(
        kines_call_query(c, "sts", "2011-06-15", "GetCallerIdentity", NULL, 0, &xml, &err), -1);
    assert_null(xml);
    assert_int_equal(err.status, KINES_ERR_SERVICE);
    assert_int_equal(err.http_status, 404);
    assert_int_equal(err.attempts, 1); /* not retried */
    assert_string_equal(err.type, "NoSuchEntity");
    assert_string_equal(err.message, "The user with name x cannot be found.");
    kines_client_free(c);
    script_stop(&s);
    assert_true(s.all_carried);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elements_lists_and_entities),
        cmocka_unit_test(test_form_signature_and_answer),
        cmocka_unit_test(test_xml_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
