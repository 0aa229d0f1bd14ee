/* eventstream.h - AWS event stream framing (application/vnd.amazon.eventstream), as pushed by
 * SubscribeToShard.
 *
 * A message is: total length (u32 BE), headers length (u32 BE), CRC32 of those 8 bytes, the
 * headers, the payload, and the CRC32 of everything before it. A header is its name's length (u8),
 * the name, a value type and the value; kinesd only sends strings (type 7: u16 BE length, bytes).
 * A message is written straight into the output buffer: es_begin writes the headers, the caller
 * appends the payload (for example with a kenc on the same buffer), es_end fills in lengths and
 * checksums. */
#ifndef KINESD_EVENTSTREAM_H
#define KINESD_EVENTSTREAM_H

#include <stddef.h>

#include "../common/buf.h"

#define ES_CONTENT_TYPE "application/vnd.amazon.eventstream"
#define ES_PRELUDE_LEN 12 /* two lengths and the prelude CRC */
#define ES_OVERHEAD 16    /* prelude and message CRC */

typedef struct es_header {
    const char *name;  /* at most 255 bytes */
    const char *value; /* at most 65535 bytes */
} es_header;

typedef struct es_message {
    size_t start;      /* offset of the message in the buffer */
    size_t payload_at; /* offset of its payload */
} es_message;

/* Starts a message at the end of out: room for the prelude, then the headers. */
void es_begin(kbuf *out, es_message *m, const es_header *headers, size_t count);
/* Ends the message begun with m: everything appended since es_begin is its payload. */
void es_end(kbuf *out, const es_message *m);

/* An event: ":message-type" event, ":event-type" and ":content-type" (of the payload). */
void es_begin_event(kbuf *out, es_message *m, const char *event_type, const char *content_type);
/* An exception: ":message-type" exception, ":exception-type" and ":content-type". */
void es_begin_exception(kbuf *out, es_message *m, const char *exception_type,
                        const char *content_type);

#endif
