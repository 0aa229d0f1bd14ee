/* access.h - what the authorizer needs to know about streams, in memory: each stream's resource
 * policy (PutResourcePolicy) and tags, by the stream's ARN.
 *
 * meta.sqlite holds both, but only the control thread may read it; the authorizer runs on loop
 * threads. So the control thread re-reads a stream's policy and tags after every committed
 * change of either (access_refresh) and publishes them here under a mutex of their own; the
 * authorizer copies them out (kinesis_resource_access, the service's resource_access hook). */
#ifndef KINESD_KINESIS_ACCESS_H
#define KINESD_KINESIS_ACCESS_H

#include "../core/service.h"
#include "registry.h"

/* Control thread (or start-up): re-reads s's policy and tags from meta.sqlite and publishes
 * them; marks cached authorization decisions stale. */
void access_refresh(const stream *s);
/* Control thread: the stream is gone. */
void access_forget(const char *arn);
/* Any thread: the policy and tags of the stream `arn`, copied into a; false when none known. */
bool kinesis_resource_access(const char *arn, arena *a, resource_access *out);
void access_clear(void);

#endif
