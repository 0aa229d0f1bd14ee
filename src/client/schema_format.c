/* schema_format.c - format checks (see schema_format.h): RFC 3339 dates and times, ISO 8601
 * durations, RFC 5321-shaped e-mail addresses, RFC 1123 host names, IP addresses, RFC 3986/3987
 * URIs and IRIs, UUIDs, JSON pointers (RFC 6901 and the relative kind), ECMAScript regexes and
 * RFC 6570 URI templates (braces only). */
#include "schema_format.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "schema_regex.h"

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int number(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ---- dates and times (RFC 3339) ---------------------------------------------------------------
 */

static bool check_date(const char *s, size_t n)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) || !digits(s + 5, 2) ||
        !digits(s + 8, 2))
        return false;
    int year = number(s, 4), month = number(s + 5, 2), day = number(s + 8, 2);
    if (month < 1 || month > 12 || day < 1 || day > days[month - 1])
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month != 2 || day <= 28 || leap;
}

static bool check_time(const char *s, size_t n)
{
    if (n < 9 || s[2] != ':' || s[5] != ':' || !digits(s, 2) || !digits(s + 3, 2) ||
        !digits(s + 6, 2))
        return false;
    if (number(s, 2) > 23 || number(s + 3, 2) > 59 || number(s + 6, 2) > 60)
        return false;
    size_t i = 8;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z'))
        return true;
    const char *z = s + i;
    return n - i == 6 && (z[0] == '+' || z[0] == '-') && z[3] == ':' && digits(z + 1, 2) &&
           digits(z + 4, 2) && number(z + 1, 2) <= 23 && number(z + 4, 2) <= 59;
}

static bool check_date_time(const char *s, size_t n)
{
    return n > 11 && (s[10] == 'T' || s[10] == 't') && check_date(s, 10) &&
           check_time(s + 11, n - 11);
}

/* ISO 8601 durations as JSON Schema 2019-09 allows them: PnW, or PnYnMnD with TnHnMnS. */
static bool check_duration(const char *s, size_t n)
{
    if (n < 3 || s[0] != 'P')
        return false;
    const char *units = "YMD", *u = units;
    bool any = false, in_time = false, number_pending = false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            number_pending = true;
        } else if (c == 'T' && !in_time && !number_pending) {
            in_time = true;
            u = "HMS";
            any = false;
        } else if (c == 'W' && number_pending && i == n - 1 && !in_time && u == units) {
            return true;
        } else {
            const char *at = number_pending ? strchr(u, c) : NULL;
            if (!at || c == '\0')
                return false;
            u = at + 1;
            any = true;
            number_pending = false;
        }
    }
    return any && !number_pending;
}

/* ---- names and addresses --------------------------------------------------------------------- */

static bool check_hostname_chars(const char *s, size_t n, bool idn)
{
    if (n == 0 || n > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (c == '-' && label > 0) || (idn && c >= 0x80);
        if (!ok || ++label > 63)
            return false;
    }
    return s[n - 1] != '-';
}

static bool check_hostname(const char *s, size_t n)
{
    return check_hostname_chars(s, n, false);
}

static bool check_idn_hostname(const char *s, size_t n)
{
    return check_hostname_chars(s, n, true);
}

static bool check_ipv4(const char *s, size_t n)
{
    int parts = 0;
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 4)
            i++;
        size_t len = i - start;
        if (len == 0 || len > 3 || (len > 1 && s[start] == '0') || number(s + start, len) > 255)
            return false;
        if (++parts < 4) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
    }
    return parts == 4 && i == n;
}

static bool check_ipv6(const char *s, size_t n)
{
    char copy[64];
    unsigned char addr[16];
    if (n >= sizeof copy)
        return false;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return inet_pton(AF_INET6, copy, addr) == 1;
}

static bool check_email_chars(const char *s, size_t n, bool idn)
{
    const char *at = memrchr(s, '@', n);
    if (!at || at == s || at == s + n - 1)
        return false;
    size_t local = (size_t)(at - s);
    if (s[0] == '.' || s[local - 1] == '.')
        return false;
    for (size_t i = 0; i < local; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c == '.' && s[i + 1] == '.') || c <= ' ' || strchr("()<>[]:;@\\,\"", c) ||
            (c >= 0x80 && !idn))
            return false;
    }
    const char *domain = at + 1;
    size_t dn = n - local - 1;
    if (domain[0] == '[' && domain[dn - 1] == ']') {
        if (dn > 6 && strncmp(domain + 1, "IPv6:", 5) == 0)
            return check_ipv6(domain + 6, dn - 7);
        return check_ipv4(domain + 1, dn - 2);
    }
    return check_hostname_chars(domain, dn, idn);
}

static bool check_email(const char *s, size_t n)
{
    return check_email_chars(s, n, false);
}

static bool check_idn_email(const char *s, size_t n)
{
    return check_email_chars(s, n, true);
}

static bool check_uuid(const char *s, size_t n)
{
    if (n != 36)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !is_hex(s[i]))
            return false;
    return true;
}

/* ---- URIs and IRIs (RFC 3986 / 3987) ------------------------------------------------------------
 */

/* Whether every character may appear in a URI (percent escapes well formed); IRIs also allow
 * any non-ASCII character. */
static bool uri_chars(const char *s, size_t n, bool iri)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
                return false;
            i += 2;
        } else if (c >= 0x80) {
            if (!iri)
                return false;
        } else if (c <= ' ' || c == 0x7f || strchr("\"<>\\^`{|}", c)) {
            return false;
        }
    }
    return true;
}

/* The length of a scheme followed by ':' at the start of s, else 0. */
static size_t scheme_length(const char *s, size_t n)
{
    size_t i = 0;
    bool alpha = n > 0 && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'));
    if (!alpha)
        return 0;
    while (i < n && s[i] != ':' && s[i] != '/' && s[i] != '?' && s[i] != '#')
        i++;
    return i < n && s[i] == ':' ? i : 0;
}

/* An authority's brackets and port, when a hierarchical part has one. */
static bool authority_ok(const char *s, size_t n)
{
    if (n < 2 || s[0] != '/' || s[1] != '/')
        return true;
    size_t len = strcspn(s + 2, "/?#");
    const char *host = s + 2, *at = memchr(host, '@', len);
    if (at) {
        len -= (size_t)(at + 1 - host);
        host = at + 1;
    }
    if (len && host[0] == '[')
        return memchr(host, ']', len) != NULL;
    const char *colon = memchr(host, ':', len);
    return !colon || digits(colon + 1, len - (size_t)(colon + 1 - host));
}

static bool check_uri_like(const char *s, size_t n, bool iri, bool reference)
{
    size_t scheme = scheme_length(s, n);
    if (!scheme && !reference)
        return false;
    const char *rest = scheme ? s + scheme + 1 : s;
    return uri_chars(s, n, iri) && authority_ok(rest, n - (size_t)(rest - s));
}

static bool check_uri(const char *s, size_t n)
{
    return check_uri_like(s, n, false, false);
}

static bool check_uri_reference(const char *s, size_t n)
{
    return check_uri_like(s, n, false, true);
}

static bool check_iri(const char *s, size_t n)
{
    return check_uri_like(s, n, true, false);
}

static bool check_iri_reference(const char *s, size_t n)
{
    return check_uri_like(s, n, true, true);
}

static bool check_uri_template(const char *s, size_t n)
{
    bool open = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '{') {
            if (open)
                return false;
            open = true;
        } else if (s[i] == '}') {
            if (!open)
                return false;
            open = false;
        }
    }
    return !open;
}

/* ---- pointers and patterns ----------------------------------------------------------------------
 */

static bool check_json_pointer(const char *s, size_t n)
{
    if (n > 0 && s[0] != '/')
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '~' && (i + 1 == n || (s[i + 1] != '0' && s[i + 1] != '1')))
            return false;
    return true;
}

static bool check_relative_json_pointer(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == 0 || (i > 1 && s[0] == '0'))
        return false;
    return (i + 1 == n && s[i] == '#') || check_json_pointer(s + i, n - i);
}

static bool check_regex(const char *s, size_t n)
{
    char why[128];
    sregex *re = sregex_compile(s, n, why, sizeof why);
    sregex_free(re);
    return re != NULL;
}

format_fn format_checker(const char *name, size_t n)
{
    static const struct {
        const char *name;
        format_fn fn;
    } formats[] = {
        {"date-time", check_date_time},
        {"date", check_date},
        {"time", check_time},
        {"duration", check_duration},
        {"email", check_email},
        {"idn-email", check_idn_email},
        {"hostname", check_hostname},
        {"idn-hostname", check_idn_hostname},
        {"ipv4", check_ipv4},
        {"ipv6", check_ipv6},
        {"uri", check_uri},
        {"uri-reference", check_uri_reference},
        {"iri", check_iri},
        {"iri-reference", check_iri_reference},
        {"uuid", check_uuid},
        {"json-pointer", check_json_pointer},
        {"relative-json-pointer", check_relative_json_pointer},
        {"regex", check_regex},
        {"uri-template", check_uri_template},
    };
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        if (strlen(formats[i].name) == n && memcmp(formats[i].name, name, n) == 0)
            return formats[i].fn;
    return NULL;
}
