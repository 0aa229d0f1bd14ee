/* transport.h - one keep-alive HTTP(S) connection to the endpoint, on libcurl.
 *
 * A transport reuses its connection across requests (HTTP/1.1 keep-alive); it is used by one
 * thread at a time. */
#ifndef KINES_CLIENT_TRANSPORT_H
#define KINES_CLIENT_TRANSPORT_H

#include <stddef.h>

#include "common/buf.h"

typedef struct transport transport;

/* ca_bundle: a PEM file of the CAs to trust for https://; NULL: the system's. NULL when libcurl
 * cannot be set up. */
transport *transport_new(int timeout_ms, const char *ca_bundle);
void transport_free(transport *t);

/* POSTs body to url with the given "Name: value" headers. On an HTTP answer returns 0 with
 * *status and the body in `response`; on a transport failure returns -1 with a one-line
 * description in `error`. */
int transport_post(transport *t, const char *url, const char *const *headers, size_t header_count,
                   const void *body, size_t len, long *status, kbuf *response, kbuf *error);

/* Any method (REST APIs: GET, PUT, DELETE, POST), optionally keeping the response's header lines
 * (as received, "Name: value\r\n" each) in response_headers. */
typedef struct transport_exchange {
    const char *method;         /* "GET" */
    const char *url;            /* the whole URL, query included */
    const char *const *headers; /* "Name: value" lines */
    size_t header_count;        /* entries in headers */
    const void *body;           /* ignored for GET */
    size_t len;                 /* of body */
    kbuf *response_headers;     /* NULL: not kept */
} transport_exchange;

int transport_request(transport *t, const transport_exchange *ex, long *status, kbuf *response,
                      kbuf *error);

#endif
