/* xml.c - the text of elements in AWS's XML answers (see kines_xml_text in kines.h).
 *
 * Not a general XML parser: the query protocols answer plain nested elements (an xmlns
 * attribute at most, no CDATA, no comments, no processing instruction past the first line), and
 * that is what this reads. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "kines/kines.h"

/* True when an open tag of `name` (len bytes) starts at p ("<name>", "<name ...", "<name/>"). */
static bool opens(const char *p, const char *name, size_t len)
{
    return p[0] == '<' && strncmp(p + 1, name, len) == 0 && p[1 + len] &&
           strchr(">/ \t\r\n", p[1 + len]);
}

static bool closes(const char *p, const char *name, size_t len)
{
    return p[0] == '<' && p[1] == '/' && strncmp(p + 2, name, len) == 0 && p[2 + len] == '>';
}

/* The '>' ending the tag that starts at p, and whether the tag closes itself. */
static const char *tag_end(const char *p, bool *self_closing)
{
    const char *gt = strchr(p, '>');
    *self_closing = gt && gt > p && gt[-1] == '/';
    return gt;
}

/* The close tag matching the element whose content starts at p (same-name elements nest). */
static const char *matching_close(const char *p, const char *name, size_t len)
{
    int depth = 1;
    for (p = strchr(p, '<'); p; p = strchr(p + 1, '<')) {
        bool self_closing;
        if (closes(p, name, len) && --depth == 0)
            return p;
        if (opens(p, name, len) && tag_end(p, &self_closing) && !self_closing)
            depth++;
    }
    return NULL;
}

static void put_utf8(kbuf *out, uint32_t c)
{
    char b[4];
    size_t n = 0;
    if (c < 0x80) {
        b[n++] = (char)c;
    } else if (c < 0x800) {
        b[n++] = (char)(0xC0 | c >> 6);
        b[n++] = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        b[n++] = (char)(0xE0 | c >> 12);
        b[n++] = (char)(0x80 | (c >> 6 & 0x3F));
        b[n++] = (char)(0x80 | (c & 0x3F));
    } else {
        b[n++] = (char)(0xF0 | c >> 18);
        b[n++] = (char)(0x80 | (c >> 12 & 0x3F));
        b[n++] = (char)(0x80 | (c >> 6 & 0x3F));
        b[n++] = (char)(0x80 | (c & 0x3F));
    }
    kbuf_append(out, b, n);
}

/* Decodes the entity at p (just after '&'); returns the bytes it took, 0 when it is none. */
static size_t decode_entity(const char *p, const char *end, kbuf *out)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++) {
        size_t n = strlen(named[i].name);
        if ((size_t)(end - p) >= n && strncmp(p, named[i].name, n) == 0) {
            kbuf_putc(out, named[i].c);
            return n;
        }
    }
    if (*p != '#')
        return 0;
    bool hex = p + 1 < end && (p[1] == 'x' || p[1] == 'X');
    char *stop;
    unsigned long c = strtoul(p + 1 + hex, &stop, hex ? 16 : 10);
    if (stop == p + 1 + hex || stop >= end || *stop != ';' || c > 0x10FFFF)
        return 0;
    put_utf8(out, (uint32_t)c);
    return (size_t)(stop - p) + 1;
}

static char *decoded(const char *p, const char *end)
{
    kbuf out = KBUF_INIT;
    while (p < end) {
        size_t took = *p == '&' ? decode_entity(p + 1, end, &out) : 0;
        if (took) {
            p += took + 1;
        } else {
            kbuf_putc(&out, *p++);
        }
    }
    return kbuf_detach(&out);
}

char *kines_xml_text(const char *xml, const char *name, size_t *pos)
{
    size_t len = strlen(name), from = pos ? *pos : 0;
    if (!xml || !len || from > strlen(xml))
        return NULL;
    const char *p = strchr(xml + from, '<');
    while (p && !opens(p, name, len))
        p = strchr(p + 1, '<');
    bool self_closing;
    const char *gt = p ? tag_end(p, &self_closing) : NULL;
    if (!gt)
        return NULL;
    if (self_closing) {
        if (pos)
            *pos = (size_t)(gt + 1 - xml);
        return decoded(gt, gt);
    }
    const char *close = matching_close(gt + 1, name, len);
    if (!close)
        return NULL;
    if (pos)
        *pos = (size_t)(close - xml) + len + 3;
    return decoded(gt + 1, close);
}
