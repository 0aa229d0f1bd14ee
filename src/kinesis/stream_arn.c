/* stream_arn.c - splitting stream ARNs into their fields (see stream_arn.h). */
#include "stream_arn.h"

#include <stdio.h>
#include <string.h>

/* Copies the next ':'-terminated field of *p into out (when out is not NULL) and moves *p past the
 * colon; false when there is no colon or the field does not fit. */
static bool take_field(const char **p, char *out, size_t cap)
{
    const char *colon = strchr(*p, ':');
    if (!colon)
        return false;
    size_t len = (size_t)(colon - *p);
    if (out) {
        if (len >= cap)
            return false;
        memcpy(out, *p, len);
        out[len] = '\0';
    }
    *p = colon + 1;
    return true;
}

bool stream_arn_require_account(const stream_arn *parts, const char *arn, const char *account,
                                aws_error *err)
{
    if (strcmp(parts->account, account) == 0)
        return true;
    aws_error_set(err, 400, "AccessDeniedException",
                  "User: arn:aws:iam::%s:root is not authorized to access resource: %s", account,
                  arn);
    return false;
}

bool stream_arn_parse(const char *arn, stream_arn *out)
{
    char word[16];
    const char *p = arn;
    if (!take_field(&p, word, sizeof(word)) || strcmp(word, "arn") != 0 ||
        !take_field(&p, word, sizeof(word)) || strncmp(word, "aws", 3) != 0 ||
        !take_field(&p, word, sizeof(word)) || strcmp(word, "kinesis") != 0 ||
        !take_field(&p, out->region, sizeof(out->region)) ||
        !take_field(&p, out->account, sizeof(out->account)) || strncmp(p, "stream/", 7) != 0)
        return false;
    p += 7;
    size_t len = strcspn(p, "/");
    if (len == 0 || len >= sizeof(out->name))
        return false;
    memcpy(out->name, p, len);
    out->name[len] = '\0';
    out->rest = p + len;
    return true;
}
