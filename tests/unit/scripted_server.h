/* scripted_server.h - a loopback HTTP/1.1 server for the libkines unit tests: it answers the
 * requests of one keep-alive connection after another with scripted answers, counts them, checks
 * that each carries some texts, and keeps the last one for inspection. Header-only (each test
 * file is its own executable); include after cmocka.h. */
#ifndef TESTS_SCRIPTED_SERVER_H
#define TESTS_SCRIPTED_SERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kines/kines.h"

#define SCRIPT_REQUEST_MAX 65536

typedef struct script {
    int listen_fd, port;
    const char *const *answers; /* "STATUS BODY" per request, in order; the last one repeats */
    const char *const
        *must_carry; /* texts every request must hold (NULL-terminated; may be NULL) */
    int requests, connections;
    bool all_carried;              /* every request held every must_carry text */
    char last[SCRIPT_REQUEST_MAX]; /* the last request: head and body */
    pthread_t thread;
} script;

/* Reads one request (head and Content-Length body) into s->last; false at end of connection. */
static bool script_read_request(int fd, script *s)
{
    size_t len = 0, cap = sizeof s->last - 1;
    char *end = NULL;
    while (!end) {
        ssize_t n = read(fd, s->last + len, cap - len);
        if (n <= 0)
            return false;
        len += (size_t)n;
        s->last[len] = '\0';
        end = strstr(s->last, "\r\n\r\n");
    }
    const char *cl = strcasestr(s->last, "content-length:");
    size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0, head = (size_t)(end + 4 - s->last);
    while (len - head < body && len < cap) {
        ssize_t n = read(fd, s->last + len, cap - len);
        if (n <= 0)
            return false;
        len += (size_t)n;
    }
    s->last[len] = '\0';
    for (const char *const *t = s->must_carry; t && *t; t++)
        if (!strcasestr(s->last, *t))
            s->all_carried = false;
    return true;
}

static void script_answer(int fd, const char *spec)
{
    int status = atoi(spec);
    const char *body = strchr(spec, ' ') + 1;
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d X\r\nContent-Type: application/x-amz-json-1.1\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     status, strlen(body));
    if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
        return;
}

static void *script_serve(void *arg)
{
    script *s = arg;
    int fd;
    while ((fd = accept(s->listen_fd, NULL, NULL)) >= 0) {
        s->connections++;
        while (script_read_request(fd, s)) {
            int i = s->requests++;
            int last = 0;
            while (s->answers[last + 1])
                last++;
            script_answer(fd, s->answers[i < last ? i : last]);
        }
        close(fd);
    }
    return NULL;
}

static void script_start(script *s, const char *const *answers, const char *const *must_carry)
{
    memset(s, 0, sizeof *s);
    s->answers = answers;
    s->must_carry = must_carry;
    s->all_carried = true;
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->listen_fd, 8), 0);
    getsockname(s->listen_fd, (struct sockaddr *)&a, &alen);
    s->port = ntohs(a.sin_port);
    pthread_create(&s->thread, NULL, script_serve, s);
}

static void script_stop(script *s)
{
    shutdown(s->listen_fd, SHUT_RDWR);
    close(s->listen_fd);
    pthread_join(s->thread, NULL);
}

/* A client of the server, signing with key AKIDTEST for `region`, quick retries. */
static kines_client *script_client(const script *s, int max_attempts, const char *region)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s->port);
    kines_options o = {.endpoint_url = url,
                       .region = region,
                       .access_key_id = "AKIDTEST",
                       .secret_access_key = "secret",
                       .max_attempts = max_attempts,
                       .retry_base_ms = 5,
                       .retry_cap_ms = 20};
    kines_client *c = kines_client_new(&o, NULL);
    assert_non_null(c);
    return c;
}

#endif
