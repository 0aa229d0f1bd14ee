/* fnout.c - FunctionConfiguration in answers (see fnout.h). */
#include "fnout.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static void key_str(kenc *e, const char *key, const char *value)
{
    enc_key(e, key);
    enc_str(e, value);
}

static void write_environment(kenc *e, const fn_version *v)
{
    json_object *vars = v->env_json ? json_tokener_parse(v->env_json) : NULL;
    if (!vars)
        return;
    enc_key(e, "Environment");
    enc_map_begin(e);
    enc_key(e, "Variables");
    enc_map_begin(e);
    json_object_object_foreach(vars, key, val)
    {
        key_str(e, key, json_object_get_string(val));
    }
    enc_map_end(e);
    enc_map_end(e);
    json_object_put(vars);
}

static void write_state(kenc *e, const fn_version *v)
{
    key_str(e, "State",
            v->state == FN_PENDING  ? "Pending"
            : v->state == FN_FAILED ? "Failed"
                                    : "Active");
    if (v->state == FN_PENDING) {
        key_str(e, "StateReason", "The function is being created.");
        key_str(e, "StateReasonCode", "Creating");
    }
    key_str(e, "LastUpdateStatus", v->update_in_progress ? "InProgress" : "Successful");
    if (v->update_in_progress) {
        key_str(e, "LastUpdateStatusReason", "The function is being updated.");
        key_str(e, "LastUpdateStatusReasonCode", "InProgress");
    }
}

static void write_fixed_settings(kenc *e, const fn_version *v)
{
    char group[128];
    snprintf(group, sizeof group, "/aws/lambda/%s", v->name);
    enc_key(e, "TracingConfig");
    enc_map_begin(e);
    key_str(e, "Mode", "PassThrough");
    enc_map_end(e);
    key_str(e, "PackageType", "Zip");
    enc_key(e, "Architectures");
    enc_list_begin(e);
    enc_str(e, "x86_64");
    enc_list_end(e);
    enc_key(e, "EphemeralStorage");
    enc_map_begin(e);
    enc_key(e, "Size");
    enc_int(e, 512);
    enc_map_end(e);
    enc_key(e, "SnapStart");
    enc_map_begin(e);
    key_str(e, "ApplyOn", "None");
    key_str(e, "OptimizationStatus", "Off");
    enc_map_end(e);
    enc_key(e, "LoggingConfig");
    enc_map_begin(e);
    key_str(e, "LogFormat", "Text");
    key_str(e, "LogGroup", group);
    enc_map_end(e);
}

void fnout_configuration(kenc *e, const fn_version *v)
{
    char arn[FN_ARN_MAX + 24], modified[32];
    if (strcmp(v->version, FN_LATEST) == 0)
        snprintf(arn, sizeof arn, "%s", v->arn);
    else
        fn_qualified_arn(v, arn, sizeof arn);
    fn_format_time(v->last_modified_ms, modified);
    enc_map_begin(e);
    key_str(e, "FunctionName", v->name);
    key_str(e, "FunctionArn", arn);
    key_str(e, "Runtime", v->runtime);
    key_str(e, "Role", v->role);
    key_str(e, "Handler", v->handler);
    enc_key(e, "CodeSize");
    enc_int(e, v->code_size);
    key_str(e, "Description", v->description);
    enc_key(e, "Timeout");
    enc_int(e, v->timeout_s);
    enc_key(e, "MemorySize");
    enc_int(e, v->memory_mb);
    key_str(e, "LastModified", modified);
    key_str(e, "CodeSha256", v->code_sha256);
    key_str(e, "Version", v->version);
    write_environment(e, v);
    key_str(e, "RevisionId", v->revision_id);
    write_state(e, v);
    write_fixed_settings(e, v);
    enc_map_end(e);
}
