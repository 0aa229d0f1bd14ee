/* net_loopback.h - what the two HTTP fuzz targets (fuzz_net_http1, fuzz_net_h2) share: a kinesd
 * HTTP server started through the net library's public API (http_server_start, one loop thread,
 * loopback, a small request cap), a handler that answers every way an application can, and a
 * client that sends one fuzz input per connection and reads until the server closes.
 *
 * The public API takes connections from a listening socket only, so the feed is a loopback TCP
 * connection rather than memory: the input is written, the client half-closes, and everything
 * the server sends is read until it closes. A server that has not closed 10 seconds after the
 * client's FIN is a hang (abort). The client closes with a reset (SO_LINGER 0): no TIME_WAIT is
 * left behind, so thousands of connections a second do not run out of ports. libFuzzer's timer
 * signal interrupts system calls now and then: every call here resumes after EINTR.
 *
 * The handler, chosen by the request's URL: "/stream" answers in chunks (http_respond_start,
 * _chunk, _finish), "/empty" with no body, anything else echoes the method, the number of
 * headers, x-amz-target and the body. Header-only: each fuzz target is its own executable. */
#ifndef KINESD_FUZZ_NET_LOOPBACK_H
#define KINESD_FUZZ_NET_LOOPBACK_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/buf.h"
#include "fuzz_check.h"
#include "net/http.h"

#define FUZZ_MAX_REQUEST_BYTES 3000 /* below the fuzzer's input size: 413 stays reachable */
#define FUZZ_CLOSE_DEADLINE_S 10

static http_server *fuzz_server;

static void fuzz_answer(http_exchange *ex, const http_request *req, void *loop_ctx)
{
    (void)loop_ctx;
    static const char *const headers[] = {"Content-Type: application/x-amz-json-1.1", NULL};
    if (strncmp(req->url, "/stream", 7) == 0) {
        http_respond_start(ex, 200, headers);
        http_respond_chunk(ex, req->body, req->body_len);
        http_respond_chunk(ex, "", 0);
        http_respond_chunk(ex, "end", 3);
        http_respond_finish(ex);
        return;
    }
    if (strcmp(req->url, "/empty") == 0) {
        http_respond(ex, 204, NULL, "", 0);
        return;
    }
    const char *target = http_request_header(req, "x-amz-target");
    kbuf body = KBUF_INIT;
    kbuf_printf(&body, "%s %zu %s ", req->method, req->header_count, target ? target : "-");
    kbuf_append(&body, req->body, req->body_len);
    http_respond(ex, 200, headers, body.data, body.len);
    kbuf_free(&body);
}

static void fuzz_stop_server(void)
{
    http_server_stop(fuzz_server);
}

static void fuzz_start_server(void)
{
    signal(SIGPIPE, SIG_IGN); /* the server may close while the client still writes */
    http_server_config cfg = {
        .host = "127.0.0.1",
        .port = 0,
        .threads = 1,
        .max_request_bytes = FUZZ_MAX_REQUEST_BYTES,
        .idle_timeout_ms = 2000,
        .handler = fuzz_answer,
    };
    fuzz_server = http_server_start(&cfg);
    if (!fuzz_server)
        abort();
    atexit(fuzz_stop_server);
}

/* One server for the whole run, started before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_start_server();
    return 0;
}

static int fuzz_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)http_server_port(fuzz_server))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval deadline = {.tv_sec = FUZZ_CLOSE_DEADLINE_S};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof deadline) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &deadline, sizeof deadline) < 0) {
        perror("fuzz: socket");
        abort();
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINTR) {
        perror("fuzz: connect to the server");
        abort();
    }
    /* an interrupted connect goes on by itself: wait until it is done, then ask how it went */
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int error = 0;
    socklen_t error_len = sizeof error;
    while (poll(&pfd, 1, FUZZ_CLOSE_DEADLINE_S * 1000) < 0 && errno == EINTR)
        continue;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) < 0 || error != 0) {
        fprintf(stderr, "fuzz: connect to the server: %s\n", strerror(error));
        abort();
    }
    return fd;
}

/* Sends the parts in order, half-closes and returns everything the server sent before closing.
 * A server that neither closes nor resets within the deadline aborts the run. */
static void fuzz_exchange(const void *const *parts, const size_t *lens, size_t n, kbuf *received)
{
    int fd = fuzz_connect();
    for (size_t i = 0; i < n; i++) {
        const char *p = parts[i];
        for (size_t left = lens[i]; left > 0;) {
            ssize_t w = send(fd, p, left, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break; /* the server closed early (an error answer): read what it said */
            p += w, left -= (size_t)w;
        }
    }
    shutdown(fd, SHUT_WR);
    char buf[65536];
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r > 0) {
            kbuf_append(received, buf, (size_t)r);
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            fprintf(stderr, "fuzz: the server did not close within %d s of the client's FIN\n",
                    FUZZ_CLOSE_DEADLINE_S);
            abort();
        }
        break; /* closed, or reset */
    }
    struct linger reset = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(fd);
}

#endif
