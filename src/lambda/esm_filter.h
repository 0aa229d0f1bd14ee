/* esm_filter.h - FilterCriteria of event source mappings: Lambda's event-filtering pattern
 * language (the one EventBridge uses), applied to a Kinesis record's `data` parsed as JSON.
 *
 * A pattern is a JSON object. Each key names a field of the record; its value is either an object
 * (a pattern for a nested object) or an array of matchers, any of which may match the field's
 * value (or, for an array value, one of its elements). Every key must match; "$or" takes an
 * array of patterns of which one must match. Matchers: a string, number, boolean or null to equal;
 * {"prefix": s}, {"suffix": s} (either may be {"equals-ignore-case": s}), {"equals-ignore-case":
 * s}, {"anything-but": value | [values] | {"prefix"|"suffix": s} | {"equals-ignore-case": s or
 * [strings]}}, {"numeric": [op, n] or [op, n, op, n]} (ops =, <, <=, >, >=), {"exists": bool}.
 * A record whose data is not JSON has no `data`: only {"exists": false} matches it. */
#ifndef KINESD_LAMBDA_ESM_FILTER_H
#define KINESD_LAMBDA_ESM_FILTER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* Whether text is a pattern of the language. */
bool esm_filter_valid(const char *text);

/* Whether the JSON object `event` matches the (valid, parsed) pattern. */
bool esm_filter_match(json_object *pattern, json_object *event);

/* Whether a Kinesis record with this data passes filters (parsed patterns, ORed; n = 0: all
 * records pass). */
bool esm_filter_record(json_object *const *filters, size_t n, const void *data, size_t len);

#endif
