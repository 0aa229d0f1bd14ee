/* stream_arn.h - reading the ARN of a stream (or of a resource under a stream):
 * arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME[/consumer/CONSUMER:TIMESTAMP]. */
#ifndef KINESD_STREAM_ARN_H
#define KINESD_STREAM_ARN_H

#include <stdbool.h>

#include "../protocol/awserr.h"

typedef struct stream_arn {
    char region[32];
    char account[16];
    char name[129];
    const char *rest; /* after the stream name: "" for a stream, "/consumer/..." for a consumer */
} stream_arn;

/* False when arn does not have that shape or a field is too long for this struct. */
bool stream_arn_parse(const char *arn, stream_arn *out);

/* AccessDeniedException (false) when the parsed arn names a resource of another account than the
 * caller's: a stream's or a consumer's ARN alike, whether or not such a resource exists. */
bool stream_arn_require_account(const stream_arn *parts, const char *arn, const char *account,
                                aws_error *err);

#endif
