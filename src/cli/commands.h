/* commands.h - kinesctl's commands; each gets argv starting at its own name. */
#ifndef KCLI_COMMANDS_H
#define KCLI_COMMANDS_H

#include "cli.h"

/* SQS's JSON API, on the endpoint libkines resolves (cmd_queue.c). */
extern const kines_api kcli_sqs_api;

int cmd_stream(cli_ctx *ctx, int argc, char **argv);
int cmd_put(cli_ctx *ctx, int argc, char **argv);
int cmd_get(cli_ctx *ctx, int argc, char **argv);
int cmd_tail(cli_ctx *ctx, int argc, char **argv);
int cmd_dispatch(cli_ctx *ctx, int argc, char **argv);
int cmd_schema(cli_ctx *ctx, int argc, char **argv);
int cmd_queue(cli_ctx *ctx, int argc, char **argv);
int cmd_iam(cli_ctx *ctx, int argc, char **argv);
int cmd_whoami(cli_ctx *ctx, int argc, char **argv);
int cmd_function(cli_ctx *ctx, int argc, char **argv);
int cmd_logs(cli_ctx *ctx, int argc, char **argv);
int cmd_trigger(cli_ctx *ctx, int argc, char **argv);
int cmd_triggers(cli_ctx *ctx, int argc, char **argv);
int cmd_dlq(cli_ctx *ctx, int argc, char **argv);

#endif
