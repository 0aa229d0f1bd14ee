/* event.h - event dispatch with the canonical envelope of event-driven architectures:
 *   {"id": UUID v4, "type": TYPE, "timestamp": "YYYY-MM-DDTHH:MM:SS.mmmZ", "data": DATA,
 *    "source": {"userId": ..., "producerId": ..., "kinesisPartitionKey": KEY}}
 * userId and producerId are null when not given; the partition key is the caller's or the id. */
#ifndef KINES_EVENT_H
#define KINES_EVENT_H

#include "kines.h"
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kines_event {
    size_t struct_size;        /* sizeof(kines_event): KINES_EVENT_INIT sets it (see kines.h) */
    const char *type;          /* required */
    const char *data_json;     /* required: any JSON value */
    const char *user_id;       /* may be NULL */
    const char *producer_id;   /* may be NULL */
    const char *partition_key; /* NULL: the event id */
    /* When set, the envelope must be valid against it, else nothing is published
     * (KINES_ERR_INVALID naming every error). */
    const kines_schema *schema;
} kines_event;

#define KINES_EVENT_INIT                                                                           \
    {                                                                                              \
        .struct_size = sizeof(kines_event)                                                         \
    }

/* Builds the envelope into *envelope_json (caller frees). */
int kines_event_envelope(const kines_event *ev, char **envelope_json, kines_error *err);

/* Publishes the event with PutRecord; once Kinesis has acknowledged it, *published (caller frees)
 * is the envelope as written. */
int kines_dispatch(kines_client *c, const char *stream, const kines_event *ev, char **published,
                   kines_error *err);

#ifdef __cplusplus
}
#endif

#endif
