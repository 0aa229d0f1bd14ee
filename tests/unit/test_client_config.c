/* test_client_config.c - configuration resolution of libkines: options, environment, the shared
 * credentials and config files, and the errors when region or credentials are missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kines/kines.h"

static const char *const aws_vars[] = {"AWS_ENDPOINT_URL_KINESIS",
                                       "AWS_ENDPOINT_URL",
                                       "AWS_REGION",
                                       "AWS_DEFAULT_REGION",
                                       "AWS_ACCESS_KEY_ID",
                                       "AWS_SECRET_ACCESS_KEY",
                                       "AWS_SESSION_TOKEN",
                                       "AWS_PROFILE",
                                       "AWS_SHARED_CREDENTIALS_FILE",
                                       "AWS_CONFIG_FILE",
                                       NULL};

static char home[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/.aws/%s", home, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A fresh HOME with ~/.aws/{credentials,config} and no AWS_* variables. */
static int setup(void **state)
{
    (void)state;
    for (int i = 0; aws_vars[i]; i++)
        unsetenv(aws_vars[i]);
    snprintf(home, sizeof home, "/tmp/kines-config-test-XXXXXX");
    if (!mkdtemp(home))
        return -1;
    char dir[300];
    snprintf(dir, sizeof dir, "%s/.aws", home);
    mkdir(dir, 0700);
    setenv("HOME", home, 1);
    write_file("credentials", "[default]\n"
                              "aws_access_key_id = AKIDDEFAULT\n"
                              "aws_secret_access_key = secret-default\n"
                              "\n"
                              "[dev]\n"
                              "aws_access_key_id=AKIDDEV\n"
                              "aws_secret_access_key=secret-dev\n"
                              "aws_session_token = token-dev\n");
    write_file("config", "[default]\n"
                         "region = eu-west-1\n"
                         "# a comment\n"
                         "[profile dev]\n"
                         "region = ap-south-1\n"
                         "endpoint_url = http://127.0.0.1:4567/\n"
                         "[profile nocreds]\n"
                         "region = us-west-2\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
    return system(cmd) == 0 ? 0 : -1;
}

static void resolve_ok(const kines_options *o, kines_config *cfg)
{
    kines_error err = {0};
    int rc = kines_config_resolve(o, cfg, &err);
    if (rc != 0)
        print_error("resolve failed: %s\n", err.message);
    assert_int_equal(rc, 0);
}

static void test_defaults_from_default_profile(void **state)
{
    (void)state;
    kines_config cfg;
    resolve_ok(NULL, &cfg);
    assert_string_equal(cfg.region, "eu-west-1");
    assert_string_equal(cfg.endpoint_url, "https://kinesis.eu-west-1.amazonaws.com");
    assert_string_equal(cfg.access_key_id, "AKIDDEFAULT");
    assert_string_equal(cfg.secret_access_key, "secret-default");
    assert_null(cfg.session_token);
    assert_int_equal(cfg.max_attempts, 8);
    kines_config_free(&cfg);
}

static void test_environment_over_profile(void **state)
{
    (void)state;
    setenv("AWS_DEFAULT_REGION", "us-east-2", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret-env", 1);
    setenv("AWS_SESSION_TOKEN", "token-env", 1);
    setenv("AWS_ENDPOINT_URL", "http://localhost:1111", 1);
    kines_config cfg;
    resolve_ok(NULL, &cfg);
    assert_string_equal(cfg.region, "us-east-2");
    assert_string_equal(cfg.endpoint_url, "http://localhost:1111");
    assert_string_equal(cfg.access_key_id, "AKIDENV");
    assert_string_equal(cfg.session_token, "token-env");
    kines_config_free(&cfg);

    setenv("AWS_REGION", "us-west-1", 1); /* AWS_REGION wins over AWS_DEFAULT_REGION */
    setenv("AWS_ENDPOINT_URL_KINESIS", "http://localhost:2222", 1);
    resolve_ok(NULL, &cfg);
    assert_string_equal(cfg.region, "us-west-1");
    assert_string_equal(cfg.endpoint_url, "http://localhost:2222");
    kines_config_free(&cfg);
}

static void test_options_over_everything(void **state)
{
    (void)state;
    setenv("AWS_REGION", "us-west-1", 1);
    setenv("AWS_ENDPOINT_URL_KINESIS", "http://localhost:2222", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret-env", 1);
    kines_options o = {.endpoint_url = "http://127.0.0.1:9/",
                       .region = "sa-east-1",
                       .access_key_id = "AKIDOPT",
                       .secret_access_key = "secret-opt"};
    kines_config cfg;
    resolve_ok(&o, &cfg);
    assert_string_equal(cfg.endpoint_url, "http://127.0.0.1:9"); /* trailing slash dropped */
    assert_string_equal(cfg.region, "sa-east-1");
    assert_string_equal(cfg.access_key_id, "AKIDOPT");
    assert_string_equal(cfg.credentials_source, "option");
    kines_config_free(&cfg);
}

static void test_named_profile(void **state)
{
    (void)state;
    setenv("AWS_PROFILE", "dev", 1);
    kines_config cfg;
    resolve_ok(NULL, &cfg);
    assert_string_equal(cfg.region, "ap-south-1");
    assert_string_equal(cfg.endpoint_url, "http://127.0.0.1:4567");
    assert_string_equal(cfg.access_key_id, "AKIDDEV");
    assert_string_equal(cfg.session_token, "token-dev");
    kines_config_free(&cfg);
}

static void test_explicit_profile_beats_environment_credentials(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret-env", 1);
    kines_options o = {.profile = "dev"};
    kines_config cfg;
    resolve_ok(&o, &cfg);
    assert_string_equal(cfg.access_key_id, "AKIDDEV");
    kines_config_free(&cfg);
    resolve_ok(NULL, &cfg); /* without --profile the environment wins */
    assert_string_equal(cfg.access_key_id, "AKIDENV");
    kines_config_free(&cfg);
}

static void test_file_overrides(void **state)
{
    (void)state;
    char path[400];
    snprintf(path, sizeof path, "%s/.aws/other", home);
    write_file("other", "[default]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = s\n");
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    kines_config cfg;
    resolve_ok(NULL, &cfg);
    assert_string_equal(cfg.access_key_id, "AKIDOTHER");
    kines_config_free(&cfg);
}

static void test_missing_credentials(void **state)
{
    (void)state;
    kines_options o = {.profile = "nocreds"};
    kines_config cfg;
    kines_error err;
    assert_int_equal(kines_config_resolve(&o, &cfg, &err), -1);
    assert_int_equal(err.status, KINES_ERR_CONFIG);
    assert_non_null(strstr(err.message, "no credentials"));
    assert_non_null(strstr(err.message, "nocreds"));
}

static void test_missing_region(void **state)
{
    (void)state;
    setenv("AWS_CONFIG_FILE", "/dev/null", 1);
    kines_config cfg;
    kines_error err;
    assert_int_equal(kines_config_resolve(NULL, &cfg, &err), -1);
    assert_int_equal(err.status, KINES_ERR_CONFIG);
    assert_non_null(strstr(err.message, "no region"));
}

static void test_bad_endpoint_scheme(void **state)
{
    (void)state;
    kines_options o = {.endpoint_url = "ftp://example"};
    kines_error err;
    assert_null(kines_client_new(&o, &err));
    assert_int_equal(err.status, KINES_ERR_CONFIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults_from_default_profile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_environment_over_profile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options_over_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_named_profile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_profile_beats_environment_credentials, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_overrides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_region, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_endpoint_scheme, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
