/* wire.h - one signed request as the client sends it (call.c): for the JSON APIs and for the
 * query protocols (query.c). */
#ifndef KINES_CLIENT_WIRE_H
#define KINES_CLIENT_WIRE_H

#include "common/buf.h"
#include "kines/kines.h"

typedef struct client_wire {
    const char *url;          /* the endpoint; NULL: the client's */
    const char *host, *path;  /* url's authority and path (when url is set) */
    const char *region;       /* signed for; NULL: the client's region */
    const char *signing_name; /* SigV4's service name: "kinesis", "iam", "sts" */
    const char *content_type;
    const char *target; /* X-Amz-Target; NULL for a query-protocol request */
} client_wire;

/* POSTs body as w says, signed, retrying as the client's options allow; 0 with the answer in
 * response on HTTP 200, else -1 with err filled (AWS's JSON or XML error). */
int client_send(kines_client *c, const client_wire *w, const char *body, kbuf *response,
                kines_error *err);

/* Splits "scheme://authority/path" into authority and path ("/" when none), both malloc'd. -1
 * (KINES_ERR_CONFIG) when url is not http:// or https://. */
int client_split_endpoint(const char *url, char **host, char **path, kines_error *err);

#endif
