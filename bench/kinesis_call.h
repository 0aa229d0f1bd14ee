/* kinesis_call.h - Kinesis JSON 1.1 (and CBOR 1.1) calls from the load generator: the endpoint it
 * talks to, the signed requests (HTTP/1.1 bytes, or an h2c stream), and a blocking call for
 * set-up steps.
 *
 * Only plain-HTTP loopback endpoints given as IP literals are accepted ("http://127.0.0.1:4567",
 * "http://[::1]:4567", "http://localhost:4567"): the benchmarks never leave the machine. */
#ifndef KINESD_BENCH_KINESIS_CALL_H
#define KINESD_BENCH_KINESIS_CALL_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "auth/sigv4.h"
#include "h2_client.h"
#include "http_client.h"

typedef struct kinesis_endpoint {
    struct sockaddr_storage addr;
    char host[128];          /* the Host header: "127.0.0.1:4567" */
    char region[64];         /* AWS_REGION, AWS_DEFAULT_REGION or us-east-1 */
    sigv4_credentials creds; /* AWS_ACCESS_KEY_ID, ... or fixed bench credentials */
} kinesis_endpoint;

/* Fills ep from url and the environment. Returns -1 (message printed) for a url it refuses. */
int kinesis_endpoint_parse(kinesis_endpoint *ep, const char *url);

/* Connects c to the endpoint (message printed on failure); returns 0 or a libuv error. */
int kinesis_connect(hc_conn *c, const kinesis_endpoint *ep);

/* The same over h2c (the Host signed is the :authority sent). */
int kinesis_connect_h2(h2_conn *c, const kinesis_endpoint *ep);

/* Writes to c->out the complete signed request calling `operation` ("PutRecords") with this
 * JSON body, ready for hc_send. */
void kinesis_request(hc_conn *c, const kinesis_endpoint *ep, const char *operation,
                     const kbuf *body);
/* The same with a body of this Content-Type ("application/x-amz-cbor-1.1"). */
void kinesis_request_as(hc_conn *c, const kinesis_endpoint *ep, const char *operation,
                        const char *content_type, const kbuf *body);

/* Sends on the h2c connection c the signed request calling `operation` with this body of this
 * Content-Type; on_response gets the answer. body must stay unchanged until then. */
void kinesis_post_h2(h2_conn *c, const kinesis_endpoint *ep, const char *operation,
                     const char *content_type, const kbuf *body, h2_response_fn on_response,
                     void *user);

/* Calls `operation` and waits for the answer (at hc_body). Returns the HTTP status or a negative
 * libuv error. */
int kinesis_call(hc_conn *c, const kinesis_endpoint *ep, const char *operation, const kbuf *body);

/* Prints "kinesd-bench: OPERATION failed: STATUS BODY" to stderr. */
void kinesis_report_failure(const char *operation, int status, const char *body, size_t len);

#endif
