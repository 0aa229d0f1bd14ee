/* report.c - kinesctl's errors: one line that says what went wrong and what to do, and the exit
 * code for each kind of failure. */
#include <stdarg.h>
#include <string.h>

#include "cli.h"

#define RED "\033[31;1m"
#define RESET "\033[0m"

void cli_error(const cli_ctx *ctx, const char *fmt, ...)
{
    fprintf(stderr, "kinesctl: %serror:%s ", ctx->color ? RED : "", ctx->color ? RESET : "");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static bool type_is(const kines_error *err, const char *const *types)
{
    for (; *types; types++)
        if (strcmp(err->type, *types) == 0)
            return true;
    return false;
}

static const char *const auth_types[] = {"UnrecognizedClientException",
                                         "InvalidSignatureException",
                                         "AccessDeniedException",
                                         "ExpiredTokenException",
                                         "IncompleteSignature",
                                         "MissingAuthenticationToken",
                                         "InvalidClientTokenId",
                                         "SignatureDoesNotMatch",
                                         "AccessDenied",
                                         NULL};
/* IAM's own errors (kinesctl iam): the hints about streams do not apply to them. */
static const char *const iam_not_found_types[] = {"NoSuchEntity", NULL};
static const char *const iam_conflict_types[] = {"EntityAlreadyExists", "DeleteConflict",
                                                 "LimitExceeded", NULL};
static const char *const iam_invalid_types[] = {"MalformedPolicyDocument", "ValidationError",
                                                "InvalidInput", NULL};
static const char *const throttle_types[] = {"ProvisionedThroughputExceededException",
                                             "ThrottlingException", NULL};
static const char *const in_use_types[] = {"ResourceInUseException", "LimitExceededException",
                                           NULL};
static const char *const invalid_types[] = {"ValidationException", "InvalidArgumentException",
                                            "SerializationException", NULL};

int cli_exit_code(const kines_error *err)
{
    switch (err->status) {
    case KINES_OK:
        return EXIT_OK;
    case KINES_ERR_CONFIG:
        return EXIT_CONFIG;
    case KINES_ERR_TRANSPORT:
        return EXIT_UNREACHABLE;
    case KINES_ERR_INVALID:
        return EXIT_BAD_INPUT;
    case KINES_ERR_TIMEOUT:
        return EXIT_TIMEOUT;
    case KINES_ERR_SERVICE:
        break;
    default:
        return EXIT_ERROR;
    }
    if (strcmp(err->type, "ResourceNotFoundException") == 0 || type_is(err, iam_not_found_types))
        return EXIT_NOT_FOUND;
    if (type_is(err, iam_conflict_types))
        return EXIT_IN_USE;
    if (type_is(err, iam_invalid_types))
        return EXIT_BAD_INPUT;
    if (type_is(err, auth_types) || err->http_status == 403)
        return EXIT_AUTH;
    if (type_is(err, throttle_types))
        return EXIT_THROTTLED;
    if (type_is(err, in_use_types))
        return EXIT_IN_USE;
    if (type_is(err, invalid_types))
        return EXIT_BAD_INPUT;
    return EXIT_ERROR;
}

/* What to do about it, by exit code (IAM's refusals say it themselves). */
static const char *hint(int code, const kines_error *err)
{
    if (type_is(err, iam_not_found_types) || type_is(err, iam_conflict_types))
        return "";
    switch (code) {
    case EXIT_CONFIG:
        return "";
    case EXIT_UNREACHABLE:
        return " Is the server running and --endpoint-url right?";
    case EXIT_NOT_FOUND:
        return " Check the name with `kinesctl stream list`.";
    case EXIT_AUTH:
        return " Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or --profile.";
    case EXIT_THROTTLED:
        return " Retry later or add shards (`kinesctl stream reshard`).";
    case EXIT_IN_USE:
        return " Wait for the stream (`kinesctl stream wait NAME`) or check your limits.";
    case EXIT_TIMEOUT:
        return " Try a longer --timeout.";
    default:
        return "";
    }
}

int cli_fail(const cli_ctx *ctx, const kines_error *err, const char *what)
{
    int code = cli_exit_code(err);
    const char *msg = err->message[0] ? err->message : "no message";
    int n = (int)strlen(msg);
    if (n > 0 && msg[n - 1] == '.')
        n--;
    if (err->status == KINES_ERR_SERVICE)
        cli_error(ctx, "%s: %s: %.*s.%s", what, err->type, n, msg, hint(code, err));
    else
        cli_error(ctx, "%s: %.*s.%s", what, n, msg, hint(code, err));
    return code;
}
