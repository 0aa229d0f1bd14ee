/* schema_format.h - the "format" checks applied when a schema is compiled with assert_format:
 * date-time, date, time, duration, email, idn-email, hostname, idn-hostname, ipv4, ipv6, uri,
 * uri-reference, iri, iri-reference, uuid, json-pointer, relative-json-pointer, regex and
 * uri-template. */
#ifndef KINES_CLIENT_SCHEMA_FORMAT_H
#define KINES_CLIENT_SCHEMA_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

/* Whether the UTF-8 string s (n bytes) is of the format. */
typedef bool (*format_fn)(const char *s, size_t n);

/* The check for a format name (n bytes); NULL for formats it does not know, which pass. */
format_fn format_checker(const char *name, size_t n);

#endif
