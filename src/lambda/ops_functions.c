/* ops_functions.c - CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions,
 * ListVersionsByFunction, UpdateFunctionCode, UpdateFunctionConfiguration, PublishVersion and
 * DeleteFunction (see ops.h).
 *
 * Writes run on the control thread: code is unpacked and installed first, then lambda.sqlite is
 * committed, then the change is published under lambda_lock. A failure before the commit leaves
 * nothing behind. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/uuid.h"
#include "../core/config.h"
#include "code.h"
#include "envmgr.h"
#include "fnmeta.h"
#include "fnout.h"
#include "ops.h"
#include "roles.h"
#include "runtime.h"

#define MAX_TIMEOUT_S 900
#define MAX_MEMORY_MB 10240
#define ENV_MAX_BYTES 4096
#define DEFAULT_PAGE 50

static const char *const reserved_keys[] = {"_HANDLER",
                                            "_X_AMZN_TRACE_ID",
                                            "AWS_DEFAULT_REGION",
                                            "AWS_REGION",
                                            "AWS_EXECUTION_ENV",
                                            "AWS_LAMBDA_FUNCTION_NAME",
                                            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                            "AWS_LAMBDA_FUNCTION_VERSION",
                                            "AWS_LAMBDA_INITIALIZATION_TYPE",
                                            "AWS_LAMBDA_LOG_GROUP_NAME",
                                            "AWS_LAMBDA_LOG_STREAM_NAME",
                                            "AWS_ACCESS_KEY",
                                            "AWS_ACCESS_KEY_ID",
                                            "AWS_SECRET_ACCESS_KEY",
                                            "AWS_SESSION_TOKEN",
                                            "AWS_LAMBDA_RUNTIME_API",
                                            "LAMBDA_TASK_ROOT",
                                            "LAMBDA_RUNTIME_DIR",
                                            NULL};

/* --- shared --------------------------------------------------------------------------------- */

bool ops_ref(op_call *call, fn_ref *ref)
{
    return fn_ref_parse(kv_str(call->input, "FunctionName"), kv_str(call->input, "Qualifier"),
                        call->account, call->region, ref, call->err);
}

bool ops_not_updating(op_call *call, const fn_version *latest)
{
    if (!latest->update_in_progress && latest->state != FN_PENDING)
        return true;
    aws_error_set(call->err, 409, "ResourceConflictException",
                  "The operation cannot be performed at this time. An update is in progress for "
                  "resource: %s",
                  latest->arn);
    return false;
}

void ops_page(op_call *call, int default_max, int *first, int *max)
{
    const char *marker = kv_str(call->input, "Marker");
    int64_t items = default_max;
    kv_int(call->input, "MaxItems", &items);
    *first = marker ? atoi(marker) : 0;
    *max = (int)items;
}

void ops_next_marker(kenc *e, int first, int written, int max)
{
    if (written < max)
        return;
    char next[16];
    snprintf(next, sizeof next, "%d", first + written);
    enc_key(e, "NextMarker");
    enc_str(e, next);
}

static bool check_revision(op_call *call, const fn_version *latest)
{
    const char *revision = kv_str(call->input, "RevisionId");
    if (!revision || strcmp(revision, latest->revision_id) == 0)
        return true;
    aws_error_set(call->err, 412, "PreconditionFailedException",
                  "The Revision Id provided does not match the latest Revision Id. Call the "
                  "GetFunction/GetAlias API to retrieve the latest Revision Id");
    return false;
}

static void new_revision(fn_version *v, int64_t now_ms)
{
    uuid_v4(v->revision_id);
    v->last_modified_ms = now_ms;
}

static void start_transition(fn_version *v, int64_t now_ms, bool creating)
{
    if (kinesd_cfg.transition_ms <= 0)
        return;
    v->transition_at_ms = now_ms + kinesd_cfg.transition_ms;
    if (creating)
        v->state = FN_PENDING;
    else
        v->update_in_progress = true;
}

/* --- settings ------------------------------------------------------------------------------- */

static bool invalid(op_call *call, const char *message)
{
    aws_error_set(call->err, 400, "InvalidParameterValueException", "%s", message);
    return false;
}

static bool out_of_range(op_call *call, const char *member, int64_t value, int max)
{
    aws_error_set(call->err, 400, "ValidationException",
                  "1 validation error detected: Value '%lld' at '%s' failed to satisfy "
                  "constraint: Member must have value less than or equal to %d",
                  (long long)value, member, max);
    return false;
}

/* Environment.Variables as a JSON object; false with err for reserved keys or over 4 KB. */
static bool environment_json(op_call *call, const kval *vars, char **out)
{
    json_object *o = json_object_new_object();
    kbuf reserved = KBUF_INIT;
    size_t size = 0;
    for (size_t i = 0; vars && i < vars->u.map.n; i++) {
        const char *key = vars->u.map.keys[i];
        const kval *val = &vars->u.map.vals[i];
        for (int r = 0; reserved_keys[r]; r++)
            if (strcmp(key, reserved_keys[r]) == 0)
                kbuf_printf(&reserved, "%s%s", reserved.len ? "," : "", key);
        size += strlen(key) + val->u.s.len;
        json_object_object_add(o, key, json_object_new_string_len(val->u.s.ptr, (int)val->u.s.len));
    }
    bool ok = true;
    if (reserved.len) {
        aws_error_set(call->err, 400, "InvalidParameterValueException",
                      "Lambda was unable to configure your environment variables because the "
                      "environment variables you have provided contains reserved keys that are "
                      "currently not supported for modification. Reserved keys used in this "
                      "request: %s",
                      reserved.data);
        ok = false;
    } else if (size > ENV_MAX_BYTES) {
        aws_error_set(call->err, 400, "InvalidParameterValueException",
                      "Lambda was unable to configure your environment variables because the "
                      "environment variables you have provided exceeded the 4KB limit. String "
                      "measured: %zu",
                      size);
        ok = false;
    }
    *out = ok ? strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) : NULL;
    json_object_put(o);
    kbuf_free(&reserved);
    return ok;
}

static void copy_member(const kval *in, const char *member, char *out, size_t cap)
{
    const char *s = kv_str(in, member);
    if (s)
        snprintf(out, cap, "%s", s);
}

/* Applies the configuration members of the input to v; false with err set. */
static bool apply_settings(op_call *call, fn_version *v, bool creating)
{
    const kval *in = call->input;
    const char *runtime = kv_str(in, "Runtime");
    if (creating && (!runtime || !kv_str(in, "Handler")))
        return invalid(call, "Runtime and Handler are mandatory parameters for functions created "
                             "with deployment packages.");
    if (runtime && runtime_of(runtime) == RUNTIME_UNSUPPORTED) {
        aws_error_set(call->err, 400, "InvalidParameterValueException",
                      "The runtime parameter of %s is not supported by kinesd. Supported "
                      "runtimes: %s.",
                      runtime, runtime_supported_list());
        return false;
    }
    int64_t n;
    if (kv_int(in, "Timeout", &n) && n > MAX_TIMEOUT_S)
        return out_of_range(call, "timeout", n, MAX_TIMEOUT_S);
    if (kv_int(in, "Timeout", &n))
        v->timeout_s = (int)n;
    if (kv_int(in, "MemorySize", &n) && n > MAX_MEMORY_MB)
        return out_of_range(call, "memorySize", n, MAX_MEMORY_MB);
    if (kv_int(in, "MemorySize", &n))
        v->memory_mb = (int)n;
    const kval *env = kv_get(in, "Environment");
    if (env) {
        char *json;
        if (!environment_json(call, kv_get(env, "Variables"), &json))
            return false;
        free(v->env_json);
        v->env_json = json;
    }
    copy_member(in, "Runtime", v->runtime, sizeof v->runtime);
    copy_member(in, "Handler", v->handler, sizeof v->handler);
    if (kv_str(in, "Role") && !roles_check_assumable(call, kv_str(in, "Role")))
        return false;
    copy_member(in, "Role", v->role, sizeof v->role);
    copy_member(in, "Description", v->description, sizeof v->description);
    return true;
}

/* Code.ZipFile (or ZipFile at the top, for UpdateFunctionCode); NULL with err set. */
static const kval *zip_of(op_call *call, const kval *code)
{
    const kval *zip = kv_get(code, "ZipFile");
    if (zip && zip->type == KV_BLOB && zip->u.s.len > 0)
        return zip;
    invalid(call, kv_str(code, "S3Bucket") || kv_str(code, "ImageUri")
                      ? "kinesd takes a function's code as a ZipFile only (no S3 or images)."
                      : "Please provide a source for function code.");
    return NULL;
}

/* Stages and installs the zip as v's code, with its hash and size; false with err set. */
static bool install_code(op_call *call, fn_version *v, const kval *zip)
{
    char staging[4600];
    if (code_stage(v, zip->u.s.ptr, zip->u.s.len, staging, sizeof staging, call->err) < 0)
        return false;
    if (code_install(v, staging) < 0) {
        code_remove(staging);
        aws_error_set(call->err, 500, "ServiceException", "Cannot store the function's code.");
        return false;
    }
    code_sha256(zip->u.s.ptr, zip->u.s.len, v->code_sha256);
    v->code_size = (int64_t)zip->u.s.len;
    return true;
}

/* A copy of src (fn's $LATEST, current or about to be) published as fn's next version, its
 * code installed; NULL with err set. */
static fn_version *publish_copy(op_call *call, const lambda_function *fn, const fn_version *src,
                                const char *description)
{
    fn_version *pv = fn_version_copy(src);
    snprintf(pv->version, sizeof pv->version, "%d", fn->next_version);
    if (description)
        snprintf(pv->description, sizeof pv->description, "%s", description);
    new_revision(pv, call->now_ms);
    pv->update_in_progress = false;
    pv->transition_at_ms = 0;
    pv->state = FN_ACTIVE;
    char staging[4600];
    if (code_stage_copy(src, staging, sizeof staging, call->err) < 0 ||
        code_install(pv, staging) < 0) {
        if (!call->err->status)
            aws_error_set(call->err, 500, "ServiceException", "Cannot store the version's code.");
        fn_version_unref(pv);
        return NULL;
    }
    return pv;
}

/* --- create --------------------------------------------------------------------------------- */

static lambda_function *function_new(const fn_ref *ref, int64_t now_ms)
{
    lambda_function *fn = calloc(1, sizeof *fn);
    if (!fn)
        abort();
    snprintf(fn->account, sizeof fn->account, "%s", ref->account);
    snprintf(fn->region, sizeof fn->region, "%s", ref->region);
    snprintf(fn->name, sizeof fn->name, "%s", ref->name);
    fn->reserved = -1;
    fn->next_version = 1;
    fn->created_ms = now_ms;
    fn_version *v = fn->latest = fn_version_new();
    snprintf(v->account, sizeof v->account, "%s", ref->account);
    snprintf(v->region, sizeof v->region, "%s", ref->region);
    snprintf(v->name, sizeof v->name, "%s", ref->name);
    snprintf(v->version, sizeof v->version, "%s", FN_LATEST);
    snprintf(v->arn, sizeof v->arn, "arn:aws:lambda:%s:%s:function:%s", ref->region, ref->account,
             ref->name);
    v->timeout_s = 3;
    v->memory_mb = 128;
    v->state = FN_ACTIVE;
    v->generation = 1;
    new_revision(v, now_ms);
    return fn;
}

static bool check_new(op_call *call, const fn_ref *ref)
{
    aws_error ignored;
    aws_error_init(&ignored);
    bool exists = fn_find(ref, &ignored) != NULL;
    aws_error_free(&ignored);
    if (exists)
        aws_error_set(call->err, 409, "ResourceConflictException", "Function already exist: %s",
                      ref->name);
    else if (ref->qualifier[0])
        invalid(call, "A function's name cannot carry a qualifier when it is created.");
    else if (strcmp(kv_str(call->input, "PackageType") ? kv_str(call->input, "PackageType") : "Zip",
                    "Zip") != 0)
        invalid(call, "kinesd runs Zip packages only.");
    return !call->err->status;
}

void op_create_function(op_call *call)
{
    fn_ref ref;
    if (!ops_ref(call, &ref) || !check_new(call, &ref))
        return;
    const kval *zip = zip_of(call, kv_get(call->input, "Code"));
    if (!zip)
        return;
    lambda_function *fn = function_new(&ref, call->now_ms);
    char dir[4400];
    code_dir(fn->latest, NULL, dir, sizeof dir);
    if (!apply_settings(call, fn->latest, true) || !install_code(call, fn->latest, zip)) {
        code_remove(dir);
        fn_free(fn);
        return;
    }
    fn_version *pv = NULL;
    if (kv_bool(call->input, "Publish", false) &&
        !(pv = publish_copy(call, fn, fn->latest, NULL))) {
        code_remove(dir);
        fn_free(fn);
        return;
    }
    start_transition(fn->latest, call->now_ms, true);
    if (pv) {
        fn->versions = malloc(sizeof *fn->versions);
        fn->versions[fn->n_versions++] = pv;
        fn->next_version++;
    }
    if (fnmeta_put(fn, NULL, NULL) < 0) {
        aws_error_set(call->err, 500, "ServiceException", "Cannot store the function.");
        code_remove(dir);
        fn_free(fn);
        return;
    }
    fnout_configuration(call->out, pv ? pv : fn->latest);
    fn_insert(fn);
}

/* --- read ----------------------------------------------------------------------------------- */

void op_get_function_configuration(op_call *call)
{
    fn_ref ref;
    fn_version *v = ops_ref(call, &ref) ? fn_find_version(&ref, NULL, call->err) : NULL;
    if (v)
        fnout_configuration(call->out, v);
}

void op_get_function(op_call *call)
{
    fn_ref ref;
    lambda_function *fn;
    fn_version *v = ops_ref(call, &ref) ? fn_find_version(&ref, &fn, call->err) : NULL;
    if (!v)
        return;
    char dir[4400];
    code_dir(v, v->version, dir, sizeof dir);
    kenc *e = call->out;
    enc_map_begin(e);
    enc_key(e, "Configuration");
    fnout_configuration(e, v);
    enc_key(e, "Code");
    enc_map_begin(e);
    enc_key(e, "RepositoryType");
    enc_str(e, "S3");
    enc_key(e, "Location");
    kbuf location = KBUF_INIT;
    kbuf_printf(&location, "file://%s/code.zip", dir);
    enc_str(e, location.data);
    kbuf_free(&location);
    enc_map_end(e);
    if (fn->reserved >= 0) {
        enc_key(e, "Concurrency");
        enc_map_begin(e);
        enc_key(e, "ReservedConcurrentExecutions");
        enc_int(e, fn->reserved);
        enc_map_end(e);
    }
    enc_map_end(e);
}

/* Writes one page of versions (all of each function when all_versions, else $LATEST only) of
 * the functions in the caller's account and region, or of one function. */
static void list_page(op_call *call, const char *list_key, const lambda_function *only,
                      bool all_versions)
{
    int first, max, index = 0, written = 0;
    ops_page(call, DEFAULT_PAGE, &first, &max);
    kenc *e = call->out;
    enc_map_begin(e);
    enc_key(e, list_key);
    enc_list_begin(e);
    for (int i = 0; i < fn_count() && written < max; i++) {
        const lambda_function *fn = fn_at(i);
        if (only ? fn != only
                 : strcmp(fn->account, call->account) != 0 || strcmp(fn->region, call->region) != 0)
            continue;
        int n = all_versions ? fn->n_versions + 1 : 1;
        for (int k = 0; k < n && written < max; k++, index++)
            if (index >= first && ++written)
                fnout_configuration(e, k == 0 ? fn->latest : fn->versions[k - 1]);
    }
    enc_list_end(e);
    ops_next_marker(e, first, written, max);
    enc_map_end(e);
}

void op_list_functions(op_call *call)
{
    const char *which = kv_str(call->input, "FunctionVersion");
    list_page(call, "Functions", NULL, which && strcmp(which, "ALL") == 0);
}

void op_list_versions(op_call *call)
{
    fn_ref ref;
    lambda_function *fn = ops_ref(call, &ref) ? fn_find(&ref, call->err) : NULL;
    if (fn)
        list_page(call, "Versions", fn, true);
}

/* --- update and publish --------------------------------------------------------------------- */

/* The function to change ($LATEST not updating, revision matching); NULL with err set. */
static lambda_function *function_to_change(op_call *call)
{
    fn_ref ref;
    lambda_function *fn = ops_ref(call, &ref) ? fn_find(&ref, call->err) : NULL;
    if (fn && (!ops_not_updating(call, fn->latest) || !check_revision(call, fn->latest)))
        return NULL;
    return fn;
}

/* Commits and publishes nv as fn's $LATEST (and a version of it when `publish`), answering with
 * the configuration. Takes nv's reference. */
static void commit_latest(op_call *call, lambda_function *fn, fn_version *nv, bool publish)
{
    nv->generation++;
    new_revision(nv, call->now_ms);
    start_transition(nv, call->now_ms, false);
    fn_version *pv = publish ? publish_copy(call, fn, nv, NULL) : NULL;
    if (publish && !pv) {
        fn_version_unref(nv);
        return;
    }
    if (pv)
        fn->next_version++;
    if (fnmeta_put(fn, nv, pv) < 0) {
        aws_error_set(call->err, 500, "ServiceException", "Cannot store the function.");
        fn_version_unref(nv);
        fn_version_unref(pv);
        return;
    }
    fnout_configuration(call->out, pv ? pv : nv);
    fn_set_latest(fn, nv);
    if (pv)
        fn_add_version(fn, pv);
    envmgr_retire(fn->latest->arn);
}

void op_update_function_configuration(op_call *call)
{
    lambda_function *fn = function_to_change(call);
    if (!fn)
        return;
    fn_version *nv = fn_version_copy(fn->latest);
    if (!apply_settings(call, nv, false)) {
        fn_version_unref(nv);
        return;
    }
    commit_latest(call, fn, nv, false);
}

void op_update_function_code(op_call *call)
{
    lambda_function *fn = function_to_change(call);
    const kval *zip = fn ? zip_of(call, call->input) : NULL;
    if (!zip)
        return;
    fn_version *nv = fn_version_copy(fn->latest);
    if (kv_bool(call->input, "DryRun", false)) {
        fnout_configuration(call->out, nv);
        fn_version_unref(nv);
        return;
    }
    if (!install_code(call, nv, zip)) {
        fn_version_unref(nv);
        return;
    }
    commit_latest(call, fn, nv, kv_bool(call->input, "Publish", false));
}

/* The newest published version, when it has the same code and configuration as $LATEST. */
static fn_version *unchanged_version(const lambda_function *fn)
{
    fn_version *last = fn->n_versions ? fn->versions[fn->n_versions - 1] : NULL;
    const fn_version *l = fn->latest;
    if (!last || strcmp(last->code_sha256, l->code_sha256) != 0 ||
        strcmp(last->runtime, l->runtime) != 0 || strcmp(last->handler, l->handler) != 0 ||
        last->timeout_s != l->timeout_s || last->memory_mb != l->memory_mb ||
        last->generation != l->generation)
        return NULL;
    return last;
}

void op_publish_version(op_call *call)
{
    lambda_function *fn = function_to_change(call);
    if (!fn)
        return;
    const char *sha = kv_str(call->input, "CodeSha256");
    if (sha && strcmp(sha, fn->latest->code_sha256) != 0) {
        aws_error_set(call->err, 400, "InvalidParameterValueException",
                      "CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). "
                      "Please try again with the correct CodeSHA256.",
                      sha, fn->latest->code_sha256);
        return;
    }
    fn_version *same = unchanged_version(fn);
    if (same) {
        fnout_configuration(call->out, same);
        return;
    }
    fn_version *pv = publish_copy(call, fn, fn->latest, kv_str(call->input, "Description"));
    if (!pv)
        return;
    fn->next_version++;
    if (fnmeta_put(fn, NULL, pv) < 0) {
        fn->next_version--;
        aws_error_set(call->err, 500, "ServiceException", "Cannot store the version.");
        fn_version_unref(pv);
        return;
    }
    fnout_configuration(call->out, pv);
    fn_add_version(fn, pv);
}

/* --- delete --------------------------------------------------------------------------------- */

static void delete_version(op_call *call, lambda_function *fn, fn_version *v)
{
    int at = 0;
    while (fn->versions[at] != v)
        at++;
    lambda_function staged = *fn;
    fn_version **rest =
        malloc((size_t)(fn->n_versions > 1 ? fn->n_versions - 1 : 1) * sizeof *rest);
    for (int i = 0, k = 0; i < fn->n_versions; i++)
        if (i != at)
            rest[k++] = fn->versions[i];
    staged.versions = rest;
    staged.n_versions = fn->n_versions - 1;
    if (fnmeta_put(&staged, NULL, NULL) < 0) {
        free(rest);
        aws_error_set(call->err, 500, "ServiceException", "Cannot store the function.");
        return;
    }
    fn_version **old = fn->versions;
    pthread_rwlock_wrlock(&lambda_lock);
    fn->versions = rest;
    fn->n_versions--;
    pthread_rwlock_unlock(&lambda_lock);
    free(old);
    char dir[4400];
    code_dir(v, v->version, dir, sizeof dir);
    code_remove(dir);
    fn_version_unref(v);
    call->status = 204;
}

void op_delete_function(op_call *call)
{
    fn_ref ref;
    lambda_function *fn;
    fn_version *v = ops_ref(call, &ref) ? fn_find_version(&ref, &fn, call->err) : NULL;
    if (!v)
        return;
    if (ref.qualifier[0] && strcmp(ref.qualifier, FN_LATEST) == 0) {
        invalid(call, "$LATEST version cannot be deleted without deleting the function.");
        return;
    }
    if (ref.qualifier[0]) {
        delete_version(call, fn, v);
        return;
    }
    if (fnmeta_delete(fn) < 0) {
        aws_error_set(call->err, 500, "ServiceException", "Cannot delete the function.");
        return;
    }
    char dir[4400], arn[FN_ARN_MAX];
    code_dir(fn->latest, NULL, dir, sizeof dir);
    snprintf(arn, sizeof arn, "%s", fn->latest->arn);
    fn_remove(fn);
    code_remove(dir);
    envmgr_retire(arn);
    call->status = 204;
}
