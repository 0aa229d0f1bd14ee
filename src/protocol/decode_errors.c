/* decode_errors.c - AWS's SerializationException texts for mistyped values (see decode_errors.h).
 *
 * AWS's JSON reader is Java: a mistyped scalar is reported as a failed conversion of the Java class
 * it read ("class java.lang.Boolean can not be converted to an Integer"), sic grammar included. */
#include "decode_errors.h"

#include <ctype.h>

#define SERIALIZATION "SerializationException"

/* "an String", "a Blob": the target as AWS names it, with AWS's article. */
static const char *target_name(shape_type t)
{
    switch (t) {
    case SHAPE_STRING:
        return "an String";
    case SHAPE_INTEGER:
        return "an Integer";
    case SHAPE_LONG:
        return "an Long";
    case SHAPE_DOUBLE:
        return "an Double";
    case SHAPE_BOOLEAN:
        return "an Boolean";
    case SHAPE_BLOB:
        return "a Blob";
    case SHAPE_TIMESTAMP:
        return "a Timestamp";
    default:
        return "an Object";
    }
}

static const char *java_class(wire_kind got)
{
    switch (got) {
    case WIRE_BOOL:
        return "java.lang.Boolean";
    case WIRE_NUMBER:
        return "com.amazon.coral.value.json.numbers.TruncatingBigNumber";
    default:
        return "java.lang.String";
    }
}

int64_t decode_integer_in_range(const model_shape *s, int64_t v)
{
    if (s->type != SHAPE_INTEGER)
        return v;
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v;
}

void decode_error(aws_error *err, const char *message)
{
    aws_error_set(err, 400, SERIALIZATION, "%s", message);
}

static void quoted_upper_error(aws_error *err, const char *str, size_t len, const char *target)
{
    kbuf upper = KBUF_INIT;
    for (size_t i = 0; i < len; i++)
        kbuf_putc(&upper, (char)toupper((unsigned char)str[i]));
    aws_error_set(err, 400, SERIALIZATION, "'");
    aws_error_quote(&err->message, upper.data, upper.len);
    kbuf_printf(&err->message, "' can not be converted to %s", target);
    kbuf_free(&upper);
}

void decode_type_error(aws_error *err, const model_shape *s, wire_kind got, const char *str,
                       size_t len)
{
    bool container = s->type == SHAPE_LIST || s->type == SHAPE_MAP || s->type == SHAPE_STRUCTURE;
    if (got == WIRE_LIST && s->type != SHAPE_LIST)
        decode_error(err, "Start of list found where not expected");
    else if (got == WIRE_MAP && s->type != SHAPE_MAP && s->type != SHAPE_STRUCTURE)
        decode_error(err, "Start of structure or map found where not expected.");
    else if (s->type == SHAPE_LIST)
        decode_error(err, got == WIRE_MAP ? "Start of structure or map found where not expected."
                                          : "Expected list or null");
    else if (s->type == SHAPE_MAP)
        decode_error(err, "Expected map or null");
    else if (container)
        decode_error(err, "Expected null");
    else if (got == WIRE_STRING && s->type == SHAPE_BOOLEAN)
        quoted_upper_error(err, str, len, target_name(s->type));
    else
        aws_error_set(err, 400, SERIALIZATION, "class %s can not be converted to %s",
                      java_class(got), target_name(s->type));
}
