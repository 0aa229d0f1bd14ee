/* net_fixture.h - what the HTTP server's socket tests (test_net_http.c, test_net_stream.c) share:
 * the dummy application's plain-text answer and timer cleanup, and a small blocking client that
 * connects over 127.0.0.1, sends and reads. Header-only (each test file is its own executable). */
#ifndef KINESD_NET_FIXTURE_H
#define KINESD_NET_FIXTURE_H

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/buf.h"
#include "net/http.h"

/* --- the dummy application ---------------------------------------------------------------------
 */

static inline void respond_plain(http_exchange *ex, const char *text, size_t len)
{
    const char *headers[] = {"Content-Type: text/plain", NULL};
    http_respond(ex, 200, headers, text, len);
}

/* uv_close callback of a timer whose data is the calloc'd block that holds it. */
static inline void free_handle_data(uv_handle_t *handle)
{
    free(handle->data);
}

/* --- the client --------------------------------------------------------------------------------
 */

/* A connected socket with a 5 s receive timeout. */
static inline int connect_to(http_server *srv)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)http_server_port(srv)),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    return fd;
}

static inline void send_str_n(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, s, len, MSG_NOSIGNAL);
        assert_true(n > 0);
        s += n;
        len -= (size_t)n;
    }
}

static inline void send_str(int fd, const char *s)
{
    send_str_n(fd, s, strlen(s));
}

/* Reads one more chunk of bytes into in; 0 on EOF or timeout. */
static inline ssize_t fill(int fd, kbuf *in)
{
    char chunk[65536];
    ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n > 0)
        kbuf_append(in, chunk, (size_t)n);
    return n > 0 ? n : 0;
}

#endif
