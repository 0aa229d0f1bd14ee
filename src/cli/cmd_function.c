/* cmd_function.c - `kinesctl function create|invoke|list|delete` and `kinesctl logs`: Lambda
 * functions on kinesd (or AWS) without writing a zip by hand: `create --code DIR` zips the
 * directory itself (libarchive), keeping executable bits (a provided runtime's bootstrap). */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/base64.h"
#include "commands.h"
#include "lambda_api.h"
#include "output.h"

#define FUNCTIONS "/2015-03-31/functions"
#define WAIT_MS 60000
#define FOLLOW_POLL_MS 500

static const char help[] =
    "usage: kinesctl function create NAME --runtime R --handler H --code DIR|ZIP\n"
    "                                [--role ARN] [--timeout S] [--memory MB]\n"
    "       kinesctl function invoke NAME [PAYLOAD-JSON] [--async] [--log]\n"
    "       kinesctl function list\n"
    "       kinesctl function delete NAME\n"
    "\n"
    "create zips DIR itself (or sends ZIP as it is) and waits until the function is Active.\n"
    "invoke prints the function's answer (exit 1 when the function failed); --log prints the\n"
    "invocation's log (the last 4 KB) on stderr; --async queues the event (202) instead.\n"
    "\n"
    "examples:\n"
    "  kinesctl function create hello --runtime python3.12 --handler app.handler --code ./src\n"
    "  kinesctl function invoke hello '{\"name\": \"kinesd\"}' --log\n";

static const char logs_help[] =
    "usage: kinesctl logs NAME [--follow]\n"
    "\n"
    "Prints the function's log on kinesd (START / END / REPORT lines and what the function\n"
    "printed); --follow keeps printing what comes next until interrupted.\n";

/* --- zipping a directory -------------------------------------------------------------------- */

static struct archive *zip_out; /* nftw has no user argument */
static size_t zip_root_len;

static la_ssize_t zip_write(struct archive *a, void *buf, const void *data, size_t n)
{
    (void)a;
    kbuf_append(buf, data, n);
    return (la_ssize_t)n;
}

static int zip_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F || strlen(path) <= zip_root_len)
        return 0;
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, path + zip_root_len + 1);
    archive_entry_set_size(e, st->st_size);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, st->st_mode & 0755);
    archive_entry_set_mtime(e, st->st_mtime, 0);
    archive_write_header(zip_out, e);
    archive_entry_free(e);
    int fd = open(path, O_RDONLY);
    char buf[65536];
    ssize_t n;
    while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
        archive_write_data(zip_out, buf, (size_t)n);
    if (fd >= 0)
        close(fd);
    return 0;
}

/* The code as zip bytes: DIR zipped, or a zip file read; false when unreadable. */
static bool read_code(const char *path, kbuf *zip)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    if (!S_ISDIR(st.st_mode)) {
        FILE *f = fopen(path, "rb");
        char buf[65536];
        size_t n;
        while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
            kbuf_append(zip, buf, n);
        if (f)
            fclose(f);
        return f != NULL;
    }
    zip_out = archive_write_new();
    archive_write_set_format_zip(zip_out);
    archive_write_open(zip_out, zip, NULL, zip_write, NULL);
    zip_root_len = strlen(path);
    while (zip_root_len > 1 && path[zip_root_len - 1] == '/')
        zip_root_len--;
    int rc = nftw(path, zip_entry, 16, FTW_PHYS);
    archive_write_close(zip_out);
    archive_write_free(zip_out);
    return rc == 0;
}

/* --- commands ------------------------------------------------------------------------------- */

static int fail(const cli_ctx *ctx, const kines_error *err, const char *name)
{
    char what[160];
    snprintf(what, sizeof what, "function %s", name);
    return cli_fail(ctx, err, what);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Polls GetFunctionConfiguration until State is Active; the exit code. */
static int wait_active(const cli_ctx *ctx, lambda_api *api, const char *name, kbuf *config)
{
    char path[512];
    snprintf(path, sizeof path, FUNCTIONS "/%s/configuration", name);
    for (int waited = 0; waited < WAIT_MS; waited += 200) {
        kines_error err;
        kbuf_reset(config);
        if (lambda_api_call(api, "GET", path, NULL, NULL, 0, config, NULL, &err) != 0)
            return fail(ctx, &err, name);
        if (strstr(config->data, "\"State\":\"Active\""))
            return EXIT_OK;
        sleep_ms(200);
    }
    cli_error(ctx, "function %s is not Active after %d s", name, WAIT_MS / 1000);
    return EXIT_TIMEOUT;
}

static char *create_request(const cli_args *a, const char *name, const kbuf *zip,
                            const char *account)
{
    char role[256];
    snprintf(role, sizeof role, "arn:aws:iam::%s:role/kinesd-function", account);
    json_object *o = json_object_new_object(), *code = json_object_new_object();
    json_object_object_add(o, "FunctionName", json_object_new_string(name));
    json_object_object_add(o, "Runtime", json_object_new_string(args_value(a, "runtime")));
    json_object_object_add(o, "Handler", json_object_new_string(args_value(a, "handler")));
    const char *given_role = args_value(a, "role");
    json_object_object_add(o, "Role", json_object_new_string(given_role ? given_role : role));
    if (args_value(a, "timeout"))
        json_object_object_add(o, "Timeout", json_object_new_int(atoi(args_value(a, "timeout"))));
    if (args_value(a, "memory"))
        json_object_object_add(o, "MemorySize", json_object_new_int(atoi(args_value(a, "memory"))));
    char *b64 = malloc(base64_encoded_len(zip->len) + 1);
    base64_encode(zip->data, zip->len, b64);
    b64[base64_encoded_len(zip->len)] = '\0';
    json_object_object_add(code, "ZipFile", json_object_new_string(b64));
    free(b64);
    json_object_object_add(o, "Code", code);
    char *body = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return body;
}

static int function_create(const cli_ctx *ctx, lambda_api *api, const cli_args *a)
{
    const char *name = a->positional[1];
    if (!args_value(a, "runtime") || !args_value(a, "handler") || !args_value(a, "code")) {
        cli_error(ctx, "function create needs --runtime, --handler and --code. See "
                       "`kinesctl function --help`.");
        return EXIT_USAGE;
    }
    kbuf zip = KBUF_INIT, answer = KBUF_INIT;
    if (!read_code(args_value(a, "code"), &zip)) {
        cli_error(ctx, "cannot read the code at %s", args_value(a, "code"));
        kbuf_free(&zip);
        return EXIT_BAD_INPUT;
    }
    char *body = create_request(a, name, &zip, lambda_api_account(api));
    kines_error err;
    int rc = lambda_api_call(api, "POST", FUNCTIONS, NULL, body, strlen(body), &answer, NULL, &err)
                 ? fail(ctx, &err, name)
                 : wait_active(ctx, api, name, &answer);
    if (rc == EXIT_OK)
        output_json(ctx, json_tokener_parse(answer.data));
    free(body);
    kbuf_free(&zip);
    kbuf_free(&answer);
    return rc;
}

static void print_log_result(const kbuf *headers)
{
    char *text = malloc(headers->len + 1);
    if (!text || !lambda_api_header(headers, "X-Amz-Log-Result", text, headers->len + 1)) {
        free(text);
        return;
    }
    size_t n = strlen(text), len = 0;
    char *log = malloc(n + 1);
    if (log && base64_decode(text, n, log, &len))
        fwrite(log, 1, len, stderr);
    free(log);
    free(text);
}

static int function_invoke(const cli_ctx *ctx, lambda_api *api, const cli_args *a)
{
    const char *name = a->positional[1];
    const char *payload = a->positional_count > 2 ? a->positional[2] : "{}";
    const char *headers[3] = {args_has(a, "async") ? "X-Amz-Invocation-Type: Event"
                                                   : "X-Amz-Invocation-Type: RequestResponse",
                              args_has(a, "log") ? "X-Amz-Log-Type: Tail" : NULL, NULL};
    char path[512];
    snprintf(path, sizeof path, FUNCTIONS "/%s/invocations", name);
    kbuf answer = KBUF_INIT, answer_headers = KBUF_INIT;
    kines_error err;
    int rc = EXIT_OK;
    char function_error[64];
    if (lambda_api_call(api, "POST", path, headers, payload, strlen(payload), &answer,
                        &answer_headers, &err) != 0) {
        rc = fail(ctx, &err, name);
    } else {
        if (args_has(a, "log"))
            print_log_result(&answer_headers);
        fwrite(answer.data ? answer.data : "", 1, answer.len, stdout);
        if (answer.len)
            putchar('\n');
        if (lambda_api_header(&answer_headers, "X-Amz-Function-Error", function_error,
                              sizeof function_error))
            rc = EXIT_ERROR;
    }
    kbuf_free(&answer);
    kbuf_free(&answer_headers);
    return rc;
}

static int function_list(const cli_ctx *ctx, lambda_api *api)
{
    kbuf answer = KBUF_INIT;
    kines_error err;
    if (lambda_api_call(api, "GET", FUNCTIONS "?MaxItems=10000", NULL, NULL, 0, &answer, NULL,
                        &err) != 0) {
        kbuf_free(&answer);
        return cli_fail(ctx, &err, "functions");
    }
    json_object *root = json_tokener_parse(answer.data), *list = NULL;
    kbuf_free(&answer);
    if (ctx->json) {
        output_json(ctx, root);
        return EXIT_OK;
    }
    json_object_object_get_ex(root, "Functions", &list);
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *fn = json_object_array_get_idx(list, i), *name, *runtime;
        json_object_object_get_ex(fn, "FunctionName", &name);
        json_object_object_get_ex(fn, "Runtime", &runtime);
        printf("%s\t%s\n", json_object_get_string(name), json_object_get_string(runtime));
    }
    json_object_put(root);
    return EXIT_OK;
}

static int function_delete(const cli_ctx *ctx, lambda_api *api, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, FUNCTIONS "/%s", name);
    kbuf answer = KBUF_INIT;
    kines_error err;
    int rc = lambda_api_call(api, "DELETE", path, NULL, NULL, 0, &answer, NULL, &err) != 0
                 ? fail(ctx, &err, name)
                 : EXIT_OK;
    kbuf_free(&answer);
    return rc;
}

int cmd_function(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(ctx, "function", argc - 1, argv + 1,
                       "runtime handler code role timeout memory", "async log", help, &a);
    if (rc >= 0)
        return rc;
    const char *verb = a.positional_count ? a.positional[0] : "";
    bool named = a.positional_count >= 2;
    bool known = (strcmp(verb, "list") == 0) ||
                 (named && (strcmp(verb, "create") == 0 || strcmp(verb, "invoke") == 0 ||
                            strcmp(verb, "delete") == 0));
    if (!known) {
        cli_error(ctx, "function takes create|invoke|delete NAME or list. See `kinesctl "
                       "function --help`.");
        return EXIT_USAGE;
    }
    lambda_api *api = lambda_api_new(ctx, &rc);
    if (!api)
        return rc;
    if (strcmp(verb, "create") == 0)
        rc = function_create(ctx, api, &a);
    else if (strcmp(verb, "invoke") == 0)
        rc = function_invoke(ctx, api, &a);
    else if (strcmp(verb, "list") == 0)
        rc = function_list(ctx, api);
    else
        rc = function_delete(ctx, api, a.positional[1]);
    lambda_api_free(api);
    return rc;
}

/* --- logs ----------------------------------------------------------------------------------- */

/* Prints the log from *offset on; advances it. */
static int print_log_since(const cli_ctx *ctx, lambda_api *api, const char *name, long long *offset)
{
    char path[512];
    snprintf(path, sizeof path, "/_kinesd/lambda/logs/%s/%s/%s?from=%lld", lambda_api_account(api),
             lambda_api_region(api), name, *offset);
    kbuf text = KBUF_INIT;
    kines_error err;
    int rc = EXIT_OK;
    if (lambda_api_call(api, "GET", path, NULL, NULL, 0, &text, NULL, &err) != 0) {
        rc = err.http_status == 404 ? EXIT_NOT_FOUND : fail(ctx, &err, name);
        if (rc == EXIT_NOT_FOUND)
            cli_error(ctx, "function %s has no log (never invoked, or not on kinesd)", name);
    } else {
        fwrite(text.data ? text.data : "", 1, text.len, stdout);
        fflush(stdout);
        *offset += (long long)text.len;
    }
    kbuf_free(&text);
    return rc;
}

int cmd_logs(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(ctx, "logs", argc - 1, argv + 1, "", "follow", logs_help, &a);
    if (rc >= 0)
        return rc;
    if (a.positional_count != 1) {
        cli_error(ctx, "logs takes a function NAME. See `kinesctl logs --help`.");
        return EXIT_USAGE;
    }
    lambda_api *api = lambda_api_new(ctx, &rc);
    if (!api)
        return rc;
    long long offset = 0;
    rc = print_log_since(ctx, api, a.positional[0], &offset);
    while (args_has(&a, "follow") && (rc == EXIT_OK || rc == EXIT_NOT_FOUND)) {
        sleep_ms(FOLLOW_POLL_MS);
        rc = print_log_since(ctx, api, a.positional[0], &offset);
    }
    lambda_api_free(api);
    return rc;
}
