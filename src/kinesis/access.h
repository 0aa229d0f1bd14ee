/* access.h - what the authorizer needs to know about streams and consumers, in memory: each
 * one's resource policy (PutResourcePolicy) and tags, by its ARN.
 *
 * meta.sqlite holds both, but only the control thread may read it; the authorizer runs on loop
 * threads. So the control thread re-reads a stream's policy and tags after every committed
 * change of either (access_refresh) and publishes them here under a mutex of their own; the
 * authorizer copies them out (kinesis_resource_access, the service's resource_access hook). */
#ifndef KINESD_KINESIS_ACCESS_H
#define KINESD_KINESIS_ACCESS_H

#include "../core/service.h"
#include "consumer.h"
#include "registry.h"

/* Control thread (or start-up): re-reads the policy and tags of s (c NULL) or of its consumer c
 * from meta.sqlite and publishes them; marks cached authorization decisions stale. */
void access_refresh(const stream *s, const consumer *c);
/* Control thread: the resource (a consumer) is gone. */
void access_forget(const char *arn);
/* Control thread: the stream is gone, and its consumers with it. */
void access_forget_stream(const char *stream_arn);
/* Any thread: the policy and tags of the stream or consumer `arn`, copied into a; false when
 * none known. */
bool kinesis_resource_access(const char *arn, arena *a, resource_access *out);
void access_clear(void);

#endif
