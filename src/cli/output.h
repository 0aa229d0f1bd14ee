/* output.h - how kinesctl prints results: JSON documents (--output json), and record data that
 * is JSON pretty-printed on a terminal. */
#ifndef KCLI_OUTPUT_H
#define KCLI_OUTPUT_H

#include <json-c/json.h>
#include <stddef.h>

#include "cli.h"
#include "kines/kines.h"

/* Prints obj (consumed) on stdout: indented on a terminal, one line otherwise. */
void output_json(const cli_ctx *ctx, json_object *obj);

json_object *output_shard_json(const kines_shard *s);

/* Data as JSON: a parsed value when it is JSON, else a string when it is UTF-8 text, else
 * {"base64": "..."}. */
json_object *output_data_json(const unsigned char *data, size_t len);

#endif
