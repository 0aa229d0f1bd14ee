/* args.h - kinesctl's command-line parsing: positional words and --flags (with "--flag value" or
 * "--flag=value"), checked against the flags a command accepts. */
#ifndef KCLI_ARGS_H
#define KCLI_ARGS_H

#include <stdbool.h>

#include "common/buf.h"

#define ARGS_MAX_POSITIONAL 128
#define ARGS_MAX_FLAGS 32

typedef struct cli_args {
    const char *positional[ARGS_MAX_POSITIONAL];
    int positional_count;
    const char *flag_names[ARGS_MAX_FLAGS];
    const char *flag_values[ARGS_MAX_FLAGS]; /* "" for switches */
    int flag_count;
} cli_args;

/* value_flags and switch_flags are space-separated names without dashes; the global ones
 * (--endpoint-url, --region, --profile, --output, --help, --debug, --no-color) are always
 * accepted. Returns 0, or -1 with a one-line reason in `error`. */
int args_parse(int argc, char **argv, const char *value_flags, const char *switch_flags,
               cli_args *out, kbuf *error);

const char *args_value(const cli_args *a, const char *name); /* NULL when not given */
bool args_has(const cli_args *a, const char *name);

#endif
