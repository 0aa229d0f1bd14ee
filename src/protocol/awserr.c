/* awserr.c - the AWS error an operation or a codec raises (see awserr.h). */
#include "awserr.h"

#include "../common/utf8.h"

void aws_error_init(aws_error *e)
{
    e->status = 0;
    e->type = NULL;
    kbuf_init(&e->message);
}

void aws_error_free(aws_error *e)
{
    kbuf_free(&e->message);
    e->status = 0;
    e->type = NULL;
}

void aws_error_set(aws_error *e, int status, const char *type, const char *fmt, ...)
{
    va_list ap;
    e->status = status;
    e->type = type;
    kbuf_reset(&e->message);
    va_start(ap, fmt);
    kbuf_vprintf(&e->message, fmt, ap);
    va_end(ap);
}

void aws_error_quote(kbuf *message, const char *s, size_t n)
{
    size_t keep = utf8_prefix(s, n, AWS_QUOTE_MAX);
    kbuf_append(message, s, keep);
    if (keep < n)
        kbuf_puts(message, "...");
}
