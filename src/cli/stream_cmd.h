/* stream_cmd.h - what the `kinesctl stream` actions share (cmd_stream.c holds the life cycle ones,
 * cmd_stream_settings.c retention, mode, encryption, tags and limits, cmd_stream_contract.c the
 * contract). */
#ifndef KCLI_STREAM_CMD_H
#define KCLI_STREAM_CMD_H

#include "cli.h"

typedef struct stream_cmd {
    cli_ctx *ctx;
    cli_args args;    /* positional[0] is the action, [1] the stream NAME */
    const char *name; /* NULL for actions without a NAME */
    kines_client *client;
    kines_error err;
} stream_cmd;

/* Prints {"StreamName": name, "StreamStatus": status}, or without --output json the sentence
 * (printf-style) and a newline. */
int stream_done(stream_cmd *s, const char *status, const char *sentence_format, ...)
    __attribute__((format(printf, 3, 4)));
/* Waits (--timeout, default 60 s) until the stream is ACTIVE, or gone. */
int stream_wait_for(stream_cmd *s, bool gone);
/* Reads --FLAG N, which the action needs; false (usage error printed) when absent or bad. */
bool stream_required_int(stream_cmd *s, const char *flag, long *out);
/* With --wait, waits as stream_wait_for does; *waited says whether --wait was given. */
int stream_wait_if_asked(stream_cmd *s, bool gone, bool *waited);

int stream_retention(stream_cmd *s);
int stream_mode(stream_cmd *s);
int stream_encrypt(stream_cmd *s);
int stream_tag(stream_cmd *s);
int stream_untag(stream_cmd *s);
int stream_tags(stream_cmd *s);
int stream_limits(stream_cmd *s);
int stream_contract(stream_cmd *s); /* cmd_stream_contract.c */

#endif
