/* config.c - resolving endpoint, region and credentials the way AWS tools do (see kines.h). */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/oom.h"
#include "error.h"
#include "kines/kines.h"
#include "options.h"
#include "profile.h"

#define DEFAULT_MAX_ATTEMPTS 8
#define DEFAULT_RETRY_BASE_MS 50
#define DEFAULT_RETRY_CAP_MS 2000
#define DEFAULT_RETRY_BUDGET_MS 20000
#define DEFAULT_TIMEOUT_MS 30000

static char *dup_or_null(const char *s)
{
    return s && *s ? oom_strdup(s) : NULL;
}

/* The first set environment variable of the two, copied; *source names it. */
static char *from_env(const char *first, const char *second, const char **source)
{
    const char *names[] = {first, second};
    for (int i = 0; i < 2; i++) {
        const char *v = getenv(names[i]);
        if (v && *v) {
            *source = names[i];
            return oom_strdup(v);
        }
    }
    return NULL;
}

/* A key of the profile: the credentials file first, then the config file. */
static char *profile_key(const char *profile, const char *key)
{
    char *v = profile_value(profile, key, true);
    return v ? v : profile_value(profile, key, false);
}

static void resolve_profile_name(const kines_options *o, kines_config *c)
{
    const char *env = getenv("AWS_PROFILE");
    c->profile = oom_strdup(o->profile && *o->profile ? o->profile : env && *env ? env : "default");
}

static void resolve_region(const kines_options *o, kines_config *c)
{
    c->region_source = "option";
    c->region = dup_or_null(o->region);
    if (!c->region)
        c->region = from_env("AWS_REGION", "AWS_DEFAULT_REGION", &c->region_source);
    if (!c->region) {
        c->region = profile_value(c->profile, "region", false);
        c->region_source = "profile";
    }
}

static void resolve_endpoint(const kines_options *o, kines_config *c)
{
    c->endpoint_source = "option";
    c->endpoint_url = dup_or_null(o->endpoint_url);
    if (!c->endpoint_url)
        c->endpoint_url =
            from_env("AWS_ENDPOINT_URL_KINESIS", "AWS_ENDPOINT_URL", &c->endpoint_source);
    if (!c->endpoint_url) {
        c->endpoint_url = profile_value(c->profile, "endpoint_url", false);
        c->endpoint_source = "profile";
    }
    if (!c->endpoint_url && c->region) {
        kbuf b = KBUF_INIT;
        kbuf_printf(&b, "https://kinesis.%s.amazonaws.com", c->region);
        c->endpoint_url = kbuf_detach(&b);
        c->endpoint_source = "region";
    }
    size_t n = c->endpoint_url ? strlen(c->endpoint_url) : 0;
    while (n > 0 && c->endpoint_url[n - 1] == '/')
        c->endpoint_url[--n] = '\0';
}

static bool credentials_from_profile(kines_config *c)
{
    c->access_key_id = profile_key(c->profile, "aws_access_key_id");
    c->secret_access_key = profile_key(c->profile, "aws_secret_access_key");
    c->session_token = profile_key(c->profile, "aws_session_token");
    c->credentials_source = "profile";
    if (c->access_key_id && c->secret_access_key)
        return true;
    free(c->access_key_id);
    free(c->secret_access_key);
    free(c->session_token);
    c->access_key_id = c->secret_access_key = c->session_token = NULL;
    return false;
}

static bool credentials_from_env(kines_config *c)
{
    const char *key = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
    if (!key || !*key || !secret || !*secret)
        return false;
    c->access_key_id = oom_strdup(key);
    c->secret_access_key = oom_strdup(secret);
    c->session_token = dup_or_null(getenv("AWS_SESSION_TOKEN"));
    c->credentials_source = "environment";
    return true;
}

/* Options, then (an explicit profile before the environment, as the aws CLI does) env, profile. */
static bool resolve_credentials(const kines_options *o, kines_config *c)
{
    if (o->access_key_id && o->secret_access_key) {
        c->access_key_id = oom_strdup(o->access_key_id);
        c->secret_access_key = oom_strdup(o->secret_access_key);
        c->session_token = dup_or_null(o->session_token);
        c->credentials_source = "option";
        return true;
    }
    if (o->profile && *o->profile)
        return credentials_from_profile(c);
    return credentials_from_env(c) || credentials_from_profile(c);
}

/* The CAs to trust for https://: options, AWS_CA_BUNDLE, the profile's ca_bundle; else none. */
static void resolve_ca_bundle(const kines_options *o, kines_config *c)
{
    c->ca_bundle = dup_or_null(o->ca_bundle);
    if (!c->ca_bundle)
        c->ca_bundle = dup_or_null(getenv("AWS_CA_BUNDLE"));
    if (!c->ca_bundle)
        c->ca_bundle = profile_value(c->profile, "ca_bundle", false);
}

static int or_default(int v, int fallback)
{
    return v > 0 ? v : fallback;
}

int kines_config_resolve(const kines_options *opts, kines_config *out, kines_error *err)
{
    kines_options given;
    options_read(&given, sizeof given, opts, OPTIONS_V1_SIZE(kines_options, ca_bundle));
    const kines_options *o = &given;
    memset(out, 0, sizeof *out);
    oom_take(); /* from here on, a failed copy fails the call */
    resolve_profile_name(o, out);
    if (!out->profile)
        return kines_out_of_memory(err);
    resolve_region(o, out);
    resolve_endpoint(o, out);
    resolve_ca_bundle(o, out);
    bool have_credentials = resolve_credentials(o, out);
    out->max_attempts = or_default(o->max_attempts, DEFAULT_MAX_ATTEMPTS);
    out->retry_base_ms = or_default(o->retry_base_ms, DEFAULT_RETRY_BASE_MS);
    out->retry_cap_ms = or_default(o->retry_cap_ms, DEFAULT_RETRY_CAP_MS);
    out->retry_budget_ms = or_default(o->retry_budget_ms, DEFAULT_RETRY_BUDGET_MS);
    out->timeout_ms = or_default(o->timeout_ms, DEFAULT_TIMEOUT_MS);

    int rc = 0;
    if (oom_take())
        rc = kines_out_of_memory(err);
    else if (!out->region)
        rc = kines_fail(err, KINES_ERR_CONFIG,
                        "no region: pass --region, set AWS_REGION, or add region to profile '%s'",
                        out->profile);
    else if (!have_credentials)
        rc = kines_fail(err, KINES_ERR_CONFIG,
                        "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add "
                        "them to profile '%s' in ~/.aws/credentials",
                        out->profile);
    if (rc)
        kines_config_free(out);
    return rc;
}

void kines_config_free(kines_config *c)
{
    free(c->endpoint_url);
    free(c->region);
    free(c->profile);
    free(c->access_key_id);
    free(c->secret_access_key);
    free(c->session_token);
    free(c->ca_bundle);
    memset(c, 0, sizeof *c);
}
