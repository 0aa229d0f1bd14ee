/* cli.h - what kinesctl's commands share: the parsed global options, the exit codes, one-line
 * error reporting, and the entry point. */
#ifndef KCLI_CLI_H
#define KCLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "args.h"
#include "kines/kines.h"
#include "kines/schema.h"

/* Exit codes: distinct per kind of failure so that scripts can tell them apart. */
enum {
    EXIT_OK = 0,
    EXIT_ERROR = 1,         /* anything not listed below */
    EXIT_USAGE = 2,         /* bad command line */
    EXIT_CONFIG = 3,        /* no region / credentials, bad endpoint URL */
    EXIT_UNREACHABLE = 4,   /* endpoint down or connection broken */
    EXIT_NOT_FOUND = 5,     /* unknown stream or shard */
    EXIT_AUTH = 6,          /* credentials or signature rejected */
    EXIT_THROTTLED = 7,     /* still throttled after every retry */
    EXIT_BAD_INPUT = 8,     /* invalid arguments, malformed input lines, records over the limit */
    EXIT_IN_USE = 9,        /* stream busy (not ACTIVE), already exists, or a limit reached */
    EXIT_PARTIAL = 10,      /* some records were not delivered */
    EXIT_TIMEOUT = 11,      /* a wait ran out of time */
    EXIT_INTERRUPTED = 130, /* Ctrl-C (put: what was read before it is still delivered) */
};

typedef struct cli_ctx {
    kines_options opts; /* --endpoint-url, --region, --profile */
    bool json;          /* --output json */
    bool profile;       /* --output profile (a credentials-file profile: `iam key create`) */
    bool color;         /* stderr is a terminal and --no-color not given */
    bool stdout_tty;
    bool debug;
} cli_ctx;

typedef int (*cli_command_fn)(cli_ctx *ctx, int argc, char **argv);

/* Prints "kinesctl: error: MESSAGE" (one line; "error" in red on a terminal). */
void cli_error(const cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reports a failed libkines call about `what` (e.g. "stream orders") and returns its exit code. */
int cli_fail(const cli_ctx *ctx, const kines_error *err, const char *what);

/* The exit code for a libkines error. */
int cli_exit_code(const kines_error *err);

/* Parses a command's arguments, fills ctx from the global flags and handles --help (printing
 * `help`). Returns -1 to continue, else the exit code to return. */
int cli_parse(cli_ctx *ctx, const char *command, int argc, char **argv, const char *value_flags,
              const char *switch_flags, const char *help, cli_args *out);

/* Parses a positive integer option; returns false (after printing a usage error) when invalid. */
bool cli_int(const cli_ctx *ctx, const cli_args *a, const char *name, long fallback, long *out);

kines_client *cli_client(const cli_ctx *ctx, int *exit_code);

/* How many positional words an action of a command takes (its own name included). */
typedef struct cli_words {
    int min, max;     /* bounds */
    const char *what; /* what they are, for the usage error: "one stream NAME" */
} cli_words;

/* Whether a's positional words fit w; else prints "COMMAND takes WHAT. See `kinesctl GROUP
 * --help`." (command: "stream create") and returns false. */
bool cli_words_fit(const cli_ctx *ctx, const cli_args *a, const char *group, const char *command,
                   const cli_words *w);

/* The text of the file at path (caller frees): at most max bytes, no NUL byte. NULL after
 * printing "cannot read the WHAT file PATH ...", with *exit_code EXIT_BAD_INPUT. */
char *cli_read_text(const cli_ctx *ctx, const char *path, size_t max, const char *what,
                    int *exit_code);

/* Compiles the schema file `path` with the --draft and --assert-format of a; NULL (after printing
 * why, with *exit_code set) when it cannot. */
kines_schema *cli_schema(const cli_ctx *ctx, const cli_args *a, const char *path, int *exit_code);
/* The schema of a --schema option (*schema NULL without one); false (after printing why, with
 * *exit_code set) when it does not compile. */
bool cli_schema_option(const cli_ctx *ctx, const cli_args *a, kines_schema **schema,
                       int *exit_code);

int kcli_main(int argc, char **argv);

#endif
