/* policy_condition.c - the Condition block (see policy_internal.h).
 *
 * Within one condition the policy's values are alternatives (any may match); a negated operator
 * (StringNotEquals, NotIpAddress, ArnNotLike, ...) holds when none matches. A key the request
 * lacks fails a positive operator and passes a negated one, ...IfExists passes it, and Null
 * tests exactly that. ForAnyValue: holds when some value of the key matches, ForAllValues: when
 * every one does (vacuously for an absent key); kinesd's context keys have one value each. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "policy_internal.h"

typedef struct operator_name {
    const char *name;
    cond_test test;
    bool negated;
} operator_name;

static const operator_name operators[] = {
    {"StringEquals", COND_STRING_EQUALS, false},
    {"StringNotEquals", COND_STRING_EQUALS, true},
    {"StringEqualsIgnoreCase", COND_STRING_EQUALS_IGNORE_CASE, false},
    {"StringNotEqualsIgnoreCase", COND_STRING_EQUALS_IGNORE_CASE, true},
    {"StringLike", COND_STRING_LIKE, false},
    {"StringNotLike", COND_STRING_LIKE, true},
    {"NumericEquals", COND_NUMERIC_EQUALS, false},
    {"NumericNotEquals", COND_NUMERIC_EQUALS, true},
    {"NumericLessThan", COND_NUMERIC_LESS, false},
    {"NumericLessThanEquals", COND_NUMERIC_LESS_EQUALS, false},
    {"NumericGreaterThan", COND_NUMERIC_GREATER, false},
    {"NumericGreaterThanEquals", COND_NUMERIC_GREATER_EQUALS, false},
    {"DateEquals", COND_DATE_EQUALS, false},
    {"DateNotEquals", COND_DATE_EQUALS, true},
    {"DateLessThan", COND_DATE_LESS, false},
    {"DateLessThanEquals", COND_DATE_LESS_EQUALS, false},
    {"DateGreaterThan", COND_DATE_GREATER, false},
    {"DateGreaterThanEquals", COND_DATE_GREATER_EQUALS, false},
    {"Bool", COND_BOOL, false},
    {"IpAddress", COND_IP_ADDRESS, false},
    {"NotIpAddress", COND_IP_ADDRESS, true},
    {"ArnEquals", COND_ARN_LIKE, false},
    {"ArnLike", COND_ARN_LIKE, false},
    {"ArnNotEquals", COND_ARN_LIKE, true},
    {"ArnNotLike", COND_ARN_LIKE, true},
    {"Null", COND_NULL, false},
};

bool condition_operator(const char *name, condition *c)
{
    static const char any[] = "ForAnyValue:", all[] = "ForAllValues:", if_exists[] = "IfExists";
    c->set = SET_NONE;
    if (strncmp(name, any, sizeof any - 1) == 0) {
        c->set = SET_ANY_VALUE;
        name += sizeof any - 1;
    } else if (strncmp(name, all, sizeof all - 1) == 0) {
        c->set = SET_ALL_VALUES;
        name += sizeof all - 1;
    }
    size_t n = strlen(name), suffix = sizeof if_exists - 1;
    c->if_exists = n > suffix && strcmp(name + n - suffix, if_exists) == 0;
    if (c->if_exists)
        n -= suffix;
    for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
        if (strlen(operators[i].name) == n && strncmp(operators[i].name, name, n) == 0) {
            c->test = operators[i].test;
            c->negated = operators[i].negated;
            return !(c->if_exists && c->test == COND_NULL);
        }
    }
    return false;
}

bool condition_key_varies(const char *key)
{
    static const char *const varying[] = {"aws:SourceIp", "aws:CurrentTime", "aws:EpochTime",
                                          "aws:SecureTransport"};
    for (size_t i = 0; i < sizeof varying / sizeof varying[0]; i++)
        if (strcasecmp(key, varying[i]) == 0)
            return true;
    return false;
}

/* ---- comparing one value ------------------------------------------------------------------- */

static bool read_number(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && *end == '\0';
}

/* ISO 8601 ("2025-01-01T00:00:00Z", with optional fraction, or a date alone) or epoch seconds,
 * as milliseconds. */
static bool read_date(const char *s, double *ms)
{
    struct tm tm = {0};
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    double frac = 0;
    if (end && *end == '.') {
        char *after;
        frac = strtod(end, &after);
        end = after;
    }
    if (end && (strcmp(end, "Z") == 0 || *end == '\0')) {
        *ms = ((double)timegm(&tm) + frac) * 1000.0;
        return true;
    }
    memset(&tm, 0, sizeof tm);
    end = strptime(s, "%Y-%m-%d", &tm);
    if (end && *end == '\0') {
        *ms = (double)timegm(&tm) * 1000.0;
        return true;
    }
    double seconds;
    if (!read_number(s, &seconds))
        return false;
    *ms = seconds * 1000.0;
    return true;
}

/* "10.0.0.0/8", "192.0.2.7", "2001:db8::/32": whether ip lies in it. */
static bool ip_in_range(const char *range, const char *ip)
{
    unsigned char net[16], addr[16];
    char text[64];
    const char *slash = strchr(range, '/');
    size_t n = slash ? (size_t)(slash - range) : strlen(range);
    if (n >= sizeof text)
        return false;
    memcpy(text, range, n);
    text[n] = '\0';
    int family = strchr(text, ':') ? AF_INET6 : AF_INET, len = family == AF_INET6 ? 16 : 4;
    if (inet_pton(family, text, net) != 1 || inet_pton(family, ip, addr) != 1)
        return false;
    long bits = slash ? strtol(slash + 1, NULL, 10) : len * 8;
    if (bits < 0 || bits > len * 8)
        return false;
    for (int i = 0; i < len && bits > 0; i++, bits -= 8) {
        unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
        if ((net[i] & mask) != (addr[i] & mask))
            return false;
    }
    return true;
}

static int compare(double a, double b)
{
    return (a > b) - (a < b);
}

/* Whether the request's value satisfies one (expanded) policy value, before negation. */
static bool value_matches(cond_test test, const char *want, const char *have)
{
    double x, y;
    switch (test) {
    case COND_STRING_EQUALS:
        return strcmp(want, have) == 0;
    case COND_STRING_EQUALS_IGNORE_CASE:
        return strcasecmp(want, have) == 0;
    case COND_STRING_LIKE:
    case COND_ARN_LIKE:
        return policy_wildcard_match(want, have, false);
    case COND_BOOL:
        return strcasecmp(want, have) == 0;
    case COND_IP_ADDRESS:
        return ip_in_range(want, have);
    case COND_NULL:
        return false;
    default:
        break;
    }
    bool date = test >= COND_DATE_EQUALS && test <= COND_DATE_GREATER_EQUALS;
    bool ok = date ? read_date(have, &x) && read_date(want, &y)
                   : read_number(have, &x) && read_number(want, &y);
    if (!ok)
        return false;
    int c = compare(x, y);
    switch (test) {
    case COND_NUMERIC_EQUALS:
    case COND_DATE_EQUALS:
        return c == 0;
    case COND_NUMERIC_LESS:
    case COND_DATE_LESS:
        return c < 0;
    case COND_NUMERIC_LESS_EQUALS:
    case COND_DATE_LESS_EQUALS:
        return c <= 0;
    case COND_NUMERIC_GREATER:
    case COND_DATE_GREATER:
        return c > 0;
    default:
        return c >= 0;
    }
}

/* Whether some policy value matches the request's value. */
static bool any_value_matches(const policy *p, const condition *c, const policy_request *r,
                              const char *have)
{
    bool found = false;
    kbuf want = KBUF_INIT;
    for (size_t i = 0; !found && i < c->values.n; i++) {
        kbuf_reset(&want);
        found = policy_expand(p, c->values.items[i], r, &want) &&
                value_matches(c->test, want.data ? want.data : "", have);
    }
    kbuf_free(&want);
    return found;
}

bool condition_holds(const policy *p, const condition *c, const policy_request *r)
{
    char scratch[64];
    const char *have = policy_context_value(r, c->key, scratch, sizeof scratch);
    if (c->test == COND_NULL) {
        bool want_absent = c->values.n > 0 && strcasecmp(c->values.items[0], "true") == 0;
        return want_absent == (have == NULL);
    }
    if (!have) {
        if (c->set == SET_ALL_VALUES)
            return true;
        return c->if_exists || (c->negated && c->set == SET_NONE);
    }
    bool match = any_value_matches(p, c, r, have);
    return c->negated ? !match : match;
}
