/* ops_tags.h - the checks of tags that the tag operations (ops_tags.c) and
 * RegisterStreamConsumer (its Tags) share. */
#ifndef KINESD_OPS_TAGS_H
#define KINESD_OPS_TAGS_H

#include <stdbool.h>

#include "../protocol/awserr.h"
#include "../protocol/value.h"
#include "ops_util.h"

/* InvalidArgumentException unless every key and value of tags (a KV_MAP) is made of AWS's tag
 * characters; kind ("stream", "consumer"), name and account name the resource in the message.
 * False when raised. */
bool tags_valid(const kval *tags, const char *kind, const char *name, const char *account,
                aws_error *err);
/* InvalidArgumentException when a resource would have more than AWS's 50 tags; false when
 * raised. */
bool tags_within_limit(int count, const char *kind, const char *name, const char *account,
                       aws_error *err);

#endif
