/* records_out.h - what `get` and `tail` share: parsing --from and printing records in the chosen
 * --format (raw data, JSON document per record, or JSON lines). */
#ifndef KCLI_RECORDS_OUT_H
#define KCLI_RECORDS_OUT_H

#include "cli.h"
#include "kines/consumer.h"

typedef enum { FORMAT_PRETTY, FORMAT_RAW, FORMAT_JSON, FORMAT_JSONL } record_format;

/* trim-horizon | latest | at:SEQ | after:SEQ | SEQ (20+ digits) | TIMESTAMP (ISO-8601 UTC or
 * seconds since the epoch). Returns false (after printing a usage error) when invalid. */
bool parse_position(const cli_ctx *ctx, const char *text, kines_position *out);

/* --format, defaulting to pretty on a terminal, JSON lines with --output json, raw otherwise. */
bool parse_format(const cli_ctx *ctx, const char *text, record_format *out);

void print_record(const cli_ctx *ctx, record_format f, const kines_consumer_record *r);

#endif
