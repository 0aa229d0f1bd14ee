/* http_server.c - the server's threads: one libuv loop per thread, each with its own listening
 * socket on the same port (SO_REUSEPORT, so the kernel spreads connections), and their stop.
 *
 * All sockets are bound and listening before http_server_start returns, so a bind error is
 * reported at once and connections made right after start wait in the backlog. Port 0 binds the
 * first socket to a free port and the others to the same one. With a TLS port configured, each loop
 * listens on it too (its connections speak TLS, http_tls.c). Stop closes the listeners, lets
 * every connection finish what the application still has to answer, calls loop_done once a
 * loop has no connections left, and joins the threads when their loops run out of handles. */
#include <errno.h>
#include <stdbool.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/log.h"
#include "http_internal.h"

/* Connection counts of the process (http_connections): relaxed atomics touched only when a
 * connection opens or closes, never per request. */
static atomic_long open_connections;
static atomic_ullong accepted_connections;

void http_count_connection(int delta)
{
    atomic_fetch_add_explicit(&open_connections, delta, memory_order_relaxed);
    if (delta > 0)
        atomic_fetch_add_explicit(&accepted_connections, 1, memory_order_relaxed);
}

http_connection_counts http_connections(void)
{
    return (http_connection_counts){
        atomic_load_explicit(&open_connections, memory_order_relaxed),
        atomic_load_explicit(&accepted_connections, memory_order_relaxed)};
}

static int set_port(struct sockaddr_storage *addr, int port)
{
    if (addr->ss_family == AF_INET)
        ((struct sockaddr_in *)addr)->sin_port = htons((uint16_t)port);
    else if (addr->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)addr)->sin6_port = htons((uint16_t)port);
    else
        return -1;
    return 0;
}

static int port_of(const struct sockaddr_storage *addr)
{
    if (addr->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)addr)->sin_port);
    return ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
}

/* A bound, listening, non-blocking socket for addr (whose port is set); -1 with errno. */
static int listen_socket(const struct sockaddr_storage *addr, socklen_t len)
{
    int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0 ||
        bind(fd, (const struct sockaddr *)addr, len) < 0 || listen(fd, SOMAXCONN) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* True when no socket listens on addr's port: a plain bind (without SO_REUSEPORT) succeeds. This
 * keeps a second server from silently joining the port that our SO_REUSEPORT sockets share. */
static bool port_is_free(const struct sockaddr_storage *addr, socklen_t len)
{
    int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    int on = 1;
    bool free_port = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0 &&
                     bind(fd, (const struct sockaddr *)addr, len) == 0;
    int saved = errno;
    close(fd);
    errno = saved;
    return free_port;
}

static int resolve(const char *host, struct sockaddr_storage *addr, socklen_t *len)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0) {
        log_error("http: cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* Opens one listening socket of `kind` per loop on host:port, all on the same port; sets *bound
 * to that port. -1 (logged) on error. */
static int open_listeners(http_server *srv, int kind, const char *host, int port, int *bound)
{
    struct sockaddr_storage addr;
    socklen_t len;
    if (resolve(host, &addr, &len) < 0 || set_port(&addr, port) < 0)
        return -1;
    if (port != 0 && !port_is_free(&addr, len)) {
        log_error("http: cannot listen on %s:%d: %s", host, port, strerror(errno));
        return -1;
    }
    for (int i = 0; i < srv->loop_count; i++) {
        int fd = listen_socket(&addr, len);
        if (fd < 0) {
            log_error("http: cannot listen on %s:%d: %s", host, port_of(&addr), strerror(errno));
            while (i-- > 0)
                close(srv->loops[i].listen_fds[kind]);
            return -1;
        }
        srv->loops[i].listen_fds[kind] = fd;
        if (i == 0) {
            socklen_t alen = len;
            getsockname(fd, (struct sockaddr *)&addr, &alen);
            *bound = port_of(&addr);
        }
    }
    return 0;
}

/* The plain port, and the TLS port when configured; -1 (logged, nothing left open) on error. */
static int open_all_listeners(http_server *srv)
{
    const http_server_config *cfg = &srv->cfg;
    for (int i = 0; i < srv->loop_count; i++)
        srv->loops[i].listen_fds[LISTEN_TLS] = -1;
    if (open_listeners(srv, LISTEN_PLAIN, cfg->host, cfg->port, &srv->port) < 0)
        return -1;
    if (!cfg->tls ||
        open_listeners(srv, LISTEN_TLS, cfg->tls_host, cfg->tls_port, &srv->tls_port) == 0)
        return 0;
    for (int i = 0; i < srv->loop_count; i++)
        close(srv->loops[i].listen_fds[LISTEN_PLAIN]);
    return -1;
}

void loop_conn_gone(http_loop *loop)
{
    if (!loop->stopping || loop->conn_count > 0 || loop->finished)
        return;
    loop->finished = true;
    if (loop->srv->cfg.loop_done)
        loop->srv->cfg.loop_done(loop->ctx);
    budget_loop_close(loop);
    uv_close((uv_handle_t *)&loop->stop_async, NULL);
}

static void on_stop(uv_async_t *async)
{
    http_loop *loop = async->data;
    loop->stopping = true;
    for (int kind = 0; kind < LISTEN_KINDS; kind++)
        if (loop->listen_fds[kind] >= 0)
            uv_close((uv_handle_t *)&loop->listeners[kind], NULL);
    for (http_conn *c = loop->conns, *next; c; c = next) {
        next = c->next;
        conn_stop(c);
    }
    loop_conn_gone(loop);
}

static void on_connection(uv_stream_t *listener, int status)
{
    if (status < 0) {
        log_warn("http: accept: %s", uv_strerror(status));
        return;
    }
    http_loop *loop = listener->data;
    conn_accept(loop, listener == (uv_stream_t *)&loop->listeners[LISTEN_TLS] ? LISTEN_TLS
                                                                              : LISTEN_PLAIN);
}

static void start_listening(http_loop *loop, int kind)
{
    uv_tcp_t *listener = &loop->listeners[kind];
    uv_tcp_init(&loop->uv, listener);
    listener->data = loop;
    int rc = uv_tcp_open(listener, loop->listen_fds[kind]);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)listener, SOMAXCONN, on_connection);
    if (rc != 0)
        log_error("http: loop cannot listen: %s", uv_strerror(rc));
}

static void loop_main(void *arg)
{
    http_loop *loop = arg;
    const http_server_config *cfg = &loop->srv->cfg;
    loop->ctx = cfg->loop_init ? cfg->loop_init(&loop->uv, cfg->app) : NULL;
    uv_async_init(&loop->uv, &loop->stop_async, on_stop);
    loop->stop_async.data = loop;
    budget_loop_init(loop);
    for (int kind = 0; kind < LISTEN_KINDS; kind++)
        if (loop->listen_fds[kind] >= 0)
            start_listening(loop, kind);
    uv_sem_post(&loop->srv->ready);
    uv_run(&loop->uv, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop->uv) != 0)
        log_warn("http: a loop ended with handles still open");
}

http_server *http_server_start(const http_server_config *cfg)
{
    signal(SIGPIPE, SIG_IGN); /* a client that resets must not kill the process mid-write */
    http_server *srv = calloc(1, sizeof(*srv));
    if (!srv)
        abort();
    srv->cfg = *cfg;
    if (srv->cfg.max_request_bytes == 0)
        srv->cfg.max_request_bytes = SIZE_MAX;
    if (srv->cfg.idle_timeout_ms <= 0)
        srv->cfg.idle_timeout_ms = 60000;
    if (srv->cfg.memory_budget == 0)
        srv->cfg.memory_budget = HTTP_DEFAULT_MEMORY_BUDGET;
    srv->conn_budget =
        srv->cfg.memory_budget / 8 > (1u << 20) ? srv->cfg.memory_budget / 8 : (1u << 20);
    srv->loop_count = cfg->threads > 0 ? cfg->threads : 1;
    srv->loops = calloc((size_t)srv->loop_count, sizeof(http_loop));
    if (!srv->loops)
        abort();
    if (open_all_listeners(srv) < 0) {
        free(srv->loops);
        free(srv);
        return NULL;
    }
    uv_sem_init(&srv->ready, 0);
    for (int i = 0; i < srv->loop_count; i++) {
        http_loop *loop = &srv->loops[i];
        loop->srv = srv;
        uv_loop_init(&loop->uv);
        if (uv_thread_create(&loop->thread, loop_main, loop) != 0)
            abort();
    }
    for (int i = 0; i < srv->loop_count; i++)
        uv_sem_wait(&srv->ready);
    uv_sem_destroy(&srv->ready);
    return srv;
}

int http_server_port(const http_server *srv)
{
    return srv->port;
}

int http_server_tls_port(const http_server *srv)
{
    return srv->tls_port;
}

void http_server_stop(http_server *srv)
{
    if (!srv)
        return;
    for (int i = 0; i < srv->loop_count; i++)
        uv_async_send(&srv->loops[i].stop_async);
    for (int i = 0; i < srv->loop_count; i++)
        uv_thread_join(&srv->loops[i].thread);
    free(srv->loops);
    free(srv);
}
