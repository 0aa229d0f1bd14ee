/* test_net_http.c - the HTTP server over real sockets on 127.0.0.1, with a dummy application.
 *
 * The dummy handler (here, not in src/) answers "/delay/N" after N ms from a uv_timer, so that
 * answers come late and out of order; "/block/N" holds the loop thread for N ms, then answers;
 * "/echo" answers the request body; "/header/NAME" answers that header's value; anything else
 * answers its url. HTTP/2 is spoken by an nghttp2 client. */
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "common/clock.h"
#include "net_fixture.h"

/* --- the dummy application -------------------------------------------------------------------- */

typedef struct test_loop {
    uv_loop_t *loop;
} test_loop;

typedef struct delayed {
    uv_timer_t timer;
    http_exchange *ex;
    char url[128];
} delayed;

static atomic_int loops_done;
static atomic_int delays_started;  /* "/delay/N" requests the application holds */
static atomic_int delays_answered; /* and answered, to a client still there or not */

/* Waits until *counter reaches target: what a test waits for instead of sleeping. */
static void wait_for_count(atomic_int *counter, int target)
{
    int64_t deadline = clock_mono_ns() + 30 * 1000000000LL;
    while (atomic_load(counter) < target) {
        assert_true(clock_mono_ns() < deadline);
        usleep(1000);
    }
}

static void *test_loop_init(uv_loop_t *loop, void *app)
{
    (void)app;
    test_loop *tl = calloc(1, sizeof(*tl));
    tl->loop = loop;
    return tl;
}

static void test_loop_done(void *ctx)
{
    free(ctx);
    atomic_fetch_add(&loops_done, 1);
}

static void on_delay(uv_timer_t *timer)
{
    delayed *d = timer->data;
    respond_plain(d->ex, d->url, strlen(d->url));
    atomic_fetch_add(&delays_answered, 1);
    uv_close((uv_handle_t *)timer, free_handle_data);
}

static void test_handler(http_exchange *ex, const http_request *req, void *loop_ctx)
{
    test_loop *tl = loop_ctx;
    if (strncmp(req->url, "/delay/", 7) == 0) {
        delayed *d = calloc(1, sizeof(*d));
        d->ex = ex;
        snprintf(d->url, sizeof(d->url), "%s", req->url);
        uv_timer_init(tl->loop, &d->timer);
        d->timer.data = d;
        uv_timer_start(&d->timer, on_delay, strtoull(req->url + 7, NULL, 10), 0);
        atomic_fetch_add(&delays_started, 1);
    } else if (strncmp(req->url, "/block/", 7) == 0) {
        usleep((useconds_t)strtoul(req->url + 7, NULL, 10) * 1000);
        respond_plain(ex, req->url, strlen(req->url));
    } else if (strcmp(req->url, "/echo") == 0) {
        respond_plain(ex, req->body, req->body_len);
    } else if (strncmp(req->url, "/header/", 8) == 0) {
        const char *value = http_request_header(req, req->url + 8);
        respond_plain(ex, value ? value : "(none)", strlen(value ? value : "(none)"));
    } else {
        respond_plain(ex, req->url, strlen(req->url));
    }
}

/* --- fixture -----------------------------------------------------------------------------------
 */

static http_server_config test_config(int idle_timeout_ms)
{
    return (http_server_config){
        .host = "127.0.0.1",
        .port = 0,
        .threads = 2,
        .max_request_bytes = 65536,
        .idle_timeout_ms = idle_timeout_ms,
        .handler = test_handler,
        .loop_init = test_loop_init,
        .loop_done = test_loop_done,
    };
}

static http_server *start_with(const http_server_config *cfg)
{
    http_server *srv = http_server_start(cfg);
    assert_non_null(srv);
    assert_true(http_server_port(srv) > 0);
    return srv;
}

static http_server *start_server(int idle_timeout_ms)
{
    http_server_config cfg = test_config(idle_timeout_ms);
    return start_with(&cfg);
}

/* A server that takes bodies up to 4 MiB, with this memory budget (0: the default). */
static http_server *start_for_large_bodies(size_t memory_budget, int threads)
{
    http_server_config cfg = test_config(5000);
    cfg.max_request_bytes = 4 << 20;
    cfg.memory_budget = memory_budget;
    cfg.threads = threads;
    return start_with(&cfg);
}

static void stop_server(http_server *srv)
{
    atomic_store(&loops_done, 0);
    http_server_stop(srv);
}

static int setup(void **state)
{
    *state = start_server(5000);
    return 0;
}

static int teardown(void **state)
{
    atomic_store(&loops_done, 0);
    http_server_stop(*state);
    assert_int_equal(atomic_load(&loops_done), 2);
    return 0;
}

/* --- a small blocking client ---------------------------------------------------------------------
 */

/* A connection and the bytes read from it that no response has taken yet. */
typedef struct conn {
    int fd;
    kbuf in;
} conn;

static conn conn_open(http_server *srv)
{
    return (conn){.fd = connect_to(srv), .in = KBUF_INIT};
}

static void conn_close(conn *c)
{
    kbuf_free(&c->in);
    close(c->fd);
}

typedef struct response {
    int status;
    char connection[32];
    int has_date;
    size_t content_length;
    char body[70000];
} response;

static const char *find_header(const char *head, const char *name)
{
    const char *p = strcasestr(head, name);
    return p ? p + strlen(name) : NULL;
}

/* Takes one complete response from c->in (reading more as needed); -1 on EOF first. */
static int read_response(conn *c, response *r)
{
    kbuf *in = &c->in;
    char *end;
    while (!in->data || !(end = strstr(in->data, "\r\n\r\n")))
        if (fill(c->fd, in) == 0)
            return -1;
    size_t head_len = (size_t)(end - in->data) + 4;
    char *head = strndup(in->data, head_len);
    memset(r, 0, sizeof(*r));
    r->status = atoi(head + 9);
    const char *cl = find_header(head, "\r\nContent-Length: ");
    r->content_length = cl ? strtoul(cl, NULL, 10) : 0;
    const char *connection = find_header(head, "\r\nConnection: ");
    if (connection)
        sscanf(connection, "%31[^\r]", r->connection);
    r->has_date = find_header(head, "\r\nDate: ") != NULL;
    free(head);
    assert_true(r->content_length < sizeof(r->body));
    while (in->len < head_len + r->content_length)
        if (fill(c->fd, in) == 0)
            return -1;
    memcpy(r->body, in->data + head_len, r->content_length);
    size_t used = head_len + r->content_length;
    memmove(in->data, in->data + used, in->len - used);
    in->len -= used;
    in->data[in->len] = '\0';
    return 0;
}

/* Takes the next response into r and checks its status, its Date header (on final answers) and,
 * unless body is NULL, its body. */
static void read_expected(conn *c, response *r, int status, const char *body)
{
    assert_int_equal(read_response(c, r), 0);
    assert_int_equal(r->status, status);
    assert_true(r->has_date || status == 100);
    if (body)
        assert_string_equal(r->body, body);
}

static void expect_response(conn *c, int status, const char *body)
{
    response r;
    read_expected(c, &r, status, body);
}

static void expect_eof(int fd)
{
    char c;
    assert_int_equal(recv(fd, &c, 1, 0), 0);
}

/* --- tests --------------------------------------------------------------------------------------
 */

static void test_keep_alive(void **state)
{
    conn c = conn_open(*state);
    for (int i = 0; i < 3; i++) {
        char req[128], want[16];
        snprintf(req, sizeof(req), "GET /k%d HTTP/1.1\r\nHost: x\r\n\r\n", i);
        snprintf(want, sizeof(want), "/k%d", i);
        send_str(c.fd, req);
        response r;
        read_expected(&c, &r, 200, want);
        assert_string_equal(r.connection, "keep-alive");
        assert_int_equal(r.content_length, strlen(want));
    }
    conn_close(&c);
}

static void test_header_values_trimmed(void **state)
{
    conn c = conn_open(*state);
    send_str(c.fd, "GET /header/x-test HTTP/1.1\r\nX-TEST:   spaced  value \t\r\n\r\n"
                   "GET /header/x-empty HTTP/1.1\r\nX-Empty:\r\nHost: h\r\n\r\n");
    expect_response(&c, 200, "spaced  value");
    expect_response(&c, 200, "");
    conn_close(&c);
}

static void test_pipelining_answers_in_order(void **state)
{
    conn c = conn_open(*state);
    send_str(c.fd, "GET /delay/150 HTTP/1.1\r\n\r\nGET /delay/10 HTTP/1.1\r\n\r\n"
                   "POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /now HTTP/1.1\r\n\r\n");
    expect_response(&c, 200, "/delay/150");
    expect_response(&c, 200, "/delay/10");
    expect_response(&c, 200, "abc");
    expect_response(&c, 200, "/now");
    conn_close(&c);
}

/* More pipelined requests than the server keeps in flight: reading pauses and resumes. */
static void test_long_pipeline(void **state)
{
    conn c = conn_open(*state);
    kbuf out = KBUF_INIT;
    for (int i = 0; i < 60; i++)
        kbuf_printf(&out, "GET /delay/%d HTTP/1.1\r\n\r\n", (i * 7) % 23);
    send_str(c.fd, out.data);
    for (int i = 0; i < 60; i++) {
        char want[32];
        snprintf(want, sizeof(want), "/delay/%d", (i * 7) % 23);
        expect_response(&c, 200, want);
    }
    kbuf_free(&out);
    conn_close(&c);
}

static void test_chunked_body(void **state)
{
    conn c = conn_open(*state);
    send_str(c.fd, "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "6\r\nhello \r\n");
    send_str(c.fd, "5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n");
    expect_response(&c, 200, "hello world");
    send_str(c.fd, "GET /after HTTP/1.1\r\n\r\n");
    expect_response(&c, 200, "/after");
    conn_close(&c);
}

static void test_expect_100_continue(void **state)
{
    conn c = conn_open(*state);
    send_str(c.fd, "POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    const char *interim = "HTTP/1.1 100 Continue\r\n\r\n";
    while (c.in.len < strlen(interim))
        assert_true(fill(c.fd, &c.in) > 0);
    assert_memory_equal(c.in.data, interim, strlen(interim));
    kbuf_reset(&c.in);
    send_str(c.fd, "hello");
    expect_response(&c, 200, "hello");
    conn_close(&c);
}

/* The 100 Continue of a pipelined request waits until the responses before it went out. */
static void test_expect_continue_waits_its_turn(void **state)
{
    conn c = conn_open(*state);
    send_str(c.fd, "GET /delay/100 HTTP/1.1\r\n\r\n"
                   "POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    expect_response(&c, 200, "/delay/100");
    expect_response(&c, 100, NULL);
    send_str(c.fd, "ok");
    expect_response(&c, 200, "ok");
    conn_close(&c);
}

static void test_too_large_content_length(void **state)
{
    conn c = conn_open(*state);
    send_str(c.fd, "GET /first HTTP/1.1\r\n\r\n"
                   "POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n");
    expect_response(&c, 200, "/first");
    response r;
    read_expected(&c, &r, 413, NULL);
    assert_string_equal(r.connection, "close");
    assert_non_null(strstr(r.body, "\"__type\":\"SerializationException\""));
    expect_eof(c.fd);
    conn_close(&c);
}

/* Sends out (a request too large for the server) and expects 413 and the connection closed. */
static void expect_too_large(void **state, kbuf *out)
{
    conn c = conn_open(*state);
    send_str(c.fd, out->data);
    expect_response(&c, 413, NULL);
    expect_eof(c.fd);
    conn_close(&c);
    kbuf_free(out);
}

/* A chunked body has no length up front: it fails once it passes the cap, and the client,
 * still sending, gets the 413 rather than a reset. */
static void test_too_large_chunked(void **state)
{
    kbuf out = KBUF_INIT;
    char chunk[4096];
    memset(chunk, 'x', sizeof(chunk));
    kbuf_puts(&out, "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 40; i++) {
        kbuf_printf(&out, "%zx\r\n", sizeof(chunk));
        kbuf_append(&out, chunk, sizeof(chunk));
        kbuf_puts(&out, "\r\n");
    }
    kbuf_puts(&out, "0\r\n\r\n");
    expect_too_large(state, &out);
}

/* The head has its own cap (64 KiB): 431. */
static void test_too_large_headers(void **state)
{
    kbuf out = KBUF_INIT;
    kbuf_puts(&out, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < 700; i++)
        kbuf_printf(&out, "X-Filler-%03d: %090d\r\n", i, i);
    kbuf_puts(&out, "\r\n");
    conn c = conn_open(*state);
    send_str(c.fd, out.data);
    response r;
    read_expected(&c, &r, 431, NULL);
    assert_non_null(strstr(r.body, "Request header fields too large"));
    expect_eof(c.fd);
    conn_close(&c);
    kbuf_free(&out);
}

/* The cap is the body's: a body of exactly max_request_bytes, with its headers, is taken. */
static void test_body_of_exactly_the_cap(void **state)
{
    kbuf out = KBUF_INIT;
    kbuf_puts(&out, "POST /echo HTTP/1.1\r\nX-Padding: p\r\nContent-Length: 65536\r\n\r\n");
    for (int i = 0; i < 65536; i++)
        kbuf_putc(&out, (char)('a' + i % 26));
    conn c = conn_open(*state);
    send_str_n(c.fd, out.data, out.len);
    response r;
    read_expected(&c, &r, 200, NULL);
    assert_int_equal(r.content_length, 65536);
    assert_memory_equal(r.body, out.data + out.len - 65536, 65536);
    conn_close(&c);
    kbuf_free(&out);
}

/* A body the memory budget has no room for is answered 503 at once (before a 100 Continue, so
 * the client never sends it); a small one on the next connection is served. */
static void test_budget_refuses_large_body(void **state)
{
    (void)state;
    http_server *srv = start_for_large_bodies(1 << 20, 2); /* large bodies: up to 3/4 of it */
    conn c = conn_open(srv);
    send_str(c.fd, "POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 800000\r\n\r\n");
    response r;
    read_expected(&c, &r, 503, NULL);
    assert_string_equal(r.connection, "close");
    assert_non_null(strstr(r.body, "\"__type\":\"ServiceUnavailable\""));
    expect_eof(c.fd);
    conn_close(&c);
    c = conn_open(srv);
    send_str(c.fd, "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nsmall");
    expect_response(&c, 200, "small");
    conn_close(&c);
    stop_server(srv);
}

/* Sends as much of data as the socket takes, ignoring a connection the server closed. */
static void send_ignoring_close(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        data += n;
        len -= (size_t)n;
    }
}

/* Admitted bodies are counted in full: three uploads that together pass the budget's mark for
 * large bodies, sent interleaved, do not all wait for room half-way (none would complete): the
 * one that does not fit is refused at once (unless the others were done by the time its head
 * was read) and the others complete. */
static void test_budget_admitted_bodies_all_complete(void **state)
{
    (void)state;
    enum { N = 3, LEN = 300000, PIECE = 100000 };
    http_server *srv = start_for_large_bodies(1 << 20, 1); /* large bodies: 768 KiB in all */
    static char body[LEN];
    memset(body, 'b', sizeof(body));
    conn c[N];
    for (int i = 0; i < N; i++) {
        c[i] = conn_open(srv);
        send_str(c[i].fd, "POST /sink HTTP/1.1\r\nContent-Length: 300000\r\n\r\n");
    }
    for (int piece = 0; piece < LEN / PIECE; piece++)
        for (int i = 0; i < N; i++)
            send_ignoring_close(c[i].fd, body + piece * PIECE, PIECE);
    int ok = 0, refused = 0;
    for (int i = 0; i < N; i++) {
        response r;
        assert_int_equal(read_response(&c[i], &r), 0);
        ok += r.status == 200;
        refused += r.status == 503;
        conn_close(&c[i]);
    }
    assert_true(ok >= 2 && ok + refused == N);
    stop_server(srv);
}

/* A timeout that comes due while input waits in the socket (the loop was busy, or the process
 * stopped) lets the read run first: the keep-alive request sent meanwhile is answered. */
static void test_timer_reads_waiting_input_first(void **state)
{
    (void)state;
    http_server_config cfg = test_config(300);
    cfg.threads = 1;
    http_server *srv = start_with(&cfg);
    conn idle = conn_open(srv), busy = conn_open(srv);
    send_str(idle.fd, "GET /first HTTP/1.1\r\n\r\n");
    expect_response(&idle, 200, "/first");
    send_str(busy.fd, "GET /block/1000 HTTP/1.1\r\n\r\n");
    usleep(200000); /* the loop is blocked; idle's timer comes due meanwhile */
    send_str(idle.fd, "GET /second HTTP/1.1\r\n\r\n");
    expect_response(&busy, 200, "/block/1000");
    expect_response(&idle, 200, "/second");
    conn_close(&idle);
    conn_close(&busy);
    stop_server(srv);
}

static void test_malformed_request(void **state)
{
    conn c = conn_open(*state);
    send_str(c.fd, "GET / HTTP/1.1\r\nBad Header\r\n\r\n");
    expect_response(&c, 400, NULL);
    expect_eof(c.fd);
    conn_close(&c);
}

static void test_http10_closes(void **state)
{
    conn c = conn_open(*state);
    send_str(c.fd, "GET /old HTTP/1.0\r\n\r\n");
    response r;
    assert_int_equal(read_response(&c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.connection, "close");
    expect_eof(c.fd);
    conn_close(&c);

    c = conn_open(*state);
    send_str(c.fd, "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_int_equal(read_response(&c, &r), 0);
    assert_string_equal(r.connection, "keep-alive");
    send_str(c.fd, "GET /b HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_int_equal(read_response(&c, &r), 0);
    assert_string_equal(r.connection, "close");
    assert_string_equal(r.body, "/b");
    expect_eof(c.fd);
    conn_close(&c);
}

/* A client that sends its request and then shuts its side still gets the answer. */
static void test_half_close_answered(void **state)
{
    conn c = conn_open(*state);
    send_str(c.fd, "GET /delay/30 HTTP/1.1\r\n\r\n");
    shutdown(c.fd, SHUT_WR);
    expect_response(&c, 200, "/delay/30");
    expect_eof(c.fd);
    conn_close(&c);
}

/* The client leaves while its request is with the application; the late answer is dropped. */
static void test_client_gone_before_answer(void **state)
{
    int started = atomic_load(&delays_started), answered = atomic_load(&delays_answered);
    int fd = connect_to(*state);
    send_str(fd, "GET /delay/50 HTTP/1.1\r\n\r\nGET /delay/60 HTTP/1.1\r\n\r\n");
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    wait_for_count(&delays_started, started + 2);   /* both with the application */
    close(fd);                                      /* reset */
    wait_for_count(&delays_answered, answered + 2); /* the late answers met a closed connection */
    conn c = conn_open(*state);
    send_str(c.fd, "GET /still HTTP/1.1\r\n\r\n");
    expect_response(&c, 200, "/still");
    conn_close(&c);
}

static void test_idle_timeout(void **state)
{
    (void)state;
    http_server *srv = start_server(200);
    int fd = connect_to(srv);
    int64_t t0 = clock_mono_ns();
    expect_eof(fd);
    int64_t ms = (clock_mono_ns() - t0) / 1000000;
    assert_true(ms >= 150); /* not before the timeout; expect_eof bounds the wait (5 s) */
    close(fd);

    /* idle again after an answered request */
    conn c = conn_open(srv);
    send_str(c.fd, "GET /x HTTP/1.1\r\n\r\n");
    expect_response(&c, 200, "/x");
    expect_eof(c.fd);
    conn_close(&c);

    /* no timeout while the application takes longer than that to answer */
    c = conn_open(srv);
    send_str(c.fd, "GET /delay/500 HTTP/1.1\r\n\r\n");
    expect_response(&c, 200, "/delay/500");
    conn_close(&c);
    stop_server(srv);
}

/* A request that trickles in must be complete within the timeout, however steady the trickle. */
static void test_slow_client_timeout(void **state)
{
    (void)state;
    http_server *srv = start_server(300);
    int fd = connect_to(srv);
    const char *req =
        "GET /slow HTTP/1.1\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    int64_t t0 = clock_mono_ns();
    bool closed = false;
    for (size_t i = 0; req[i] && !closed; i++) {
        if (send(fd, req + i, 1, MSG_NOSIGNAL) != 1)
            closed = true;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 50) == 1)
            closed = true; /* EOF (or data: the server must not have answered) */
    }
    assert_true(closed);
    expect_eof(fd);
    int64_t ms = (clock_mono_ns() - t0) / 1000000;
    assert_true(ms >= 250); /* not before the timeout; expect_eof bounds the wait (5 s) */
    close(fd);
    http_server_stop(srv);
}

/* 1,000 connections at once, each with a request the application holds for a while. */
static void test_thousand_connections(void **state)
{
    enum { N = 1000 };
    static int fds[N];
    static kbuf ins[N];
    for (int i = 0; i < N; i++) {
        fds[i] = connect_to(*state);
        kbuf_init(&ins[i]);
        send_str(fds[i], "GET /delay/100 HTTP/1.1\r\n\r\n");
    }
    int64_t deadline = clock_mono_ns() + 20 * 1000000000LL;
    int answered = 0;
    static bool done[N];
    while (answered < N && clock_mono_ns() < deadline) {
        static struct pollfd pfds[N];
        for (int i = 0; i < N; i++)
            pfds[i] = (struct pollfd){.fd = done[i] ? -1 : fds[i], .events = POLLIN};
        if (poll(pfds, N, 1000) <= 0)
            continue;
        for (int i = 0; i < N; i++) {
            if (!(pfds[i].revents & POLLIN))
                continue;
            assert_true(fill(fds[i], &ins[i]) > 0);
            const char *want = "\r\n\r\n/delay/100";
            if (strstr(ins[i].data, want)) {
                assert_int_equal(strncmp(ins[i].data, "HTTP/1.1 200 OK\r\n", 17), 0);
                done[i] = true;
                answered++;
            }
        }
    }
    assert_int_equal(answered, N);
    for (int i = 0; i < N; i++) {
        kbuf_free(&ins[i]);
        close(fds[i]);
    }
}

/* Stop waits for a request the application answers late, and that answer reaches the client. */
static void test_stop_waits_for_in_flight(void **state)
{
    (void)state;
    http_server *srv = start_server(5000);
    conn c = conn_open(srv);
    int idle = connect_to(srv);
    int started = atomic_load(&delays_started);
    send_str(c.fd, "GET /delay/200 HTTP/1.1\r\n\r\n");
    wait_for_count(&delays_started, started + 1); /* in flight: with the application */
    atomic_store(&loops_done, 0);
    http_server_stop(srv);
    assert_int_equal(atomic_load(&loops_done), 2);
    response r;
    assert_int_equal(read_response(&c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "/delay/200");
    expect_eof(c.fd);
    expect_eof(idle);
    conn_close(&c);
    close(idle);
}

static void test_port_in_use(void **state)
{
    (void)state;
    int holder = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(holder, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(holder, 1), 0);
    socklen_t len = sizeof(addr);
    getsockname(holder, (struct sockaddr *)&addr, &len);
    http_server_config cfg = {.host = "127.0.0.1",
                              .port = ntohs(addr.sin_port),
                              .threads = 2,
                              .max_request_bytes = 1024,
                              .idle_timeout_ms = 1000,
                              .handler = test_handler};
    assert_null(http_server_start(&cfg));
    close(holder);
}

static void test_ipv6_loopback(void **state)
{
    (void)state;
    http_server_config cfg = {.host = "::1",
                              .port = 0,
                              .threads = 1,
                              .max_request_bytes = 1024,
                              .idle_timeout_ms = 1000,
                              .handler = test_handler,
                              .loop_init = test_loop_init,
                              .loop_done = test_loop_done};
    http_server *srv = http_server_start(&cfg);
    if (!srv)
        skip(); /* no IPv6 on this machine */
    conn c = {.fd = socket(AF_INET6, SOCK_STREAM, 0), .in = KBUF_INIT};
    struct sockaddr_in6 addr = {.sin6_family = AF_INET6,
                                .sin6_addr = in6addr_loopback,
                                .sin6_port = htons((uint16_t)http_server_port(srv))};
    assert_int_equal(connect(c.fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    send_str(c.fd, "GET /six HTTP/1.1\r\n\r\n");
    expect_response(&c, 200, "/six");
    conn_close(&c);
    http_server_stop(srv);
}

/* --- HTTP/2 (prior knowledge) with an nghttp2 client -------------------------------------------
 */

#define H2_STREAMS 8

typedef struct h2_stream {
    int32_t id;
    int status;
    kbuf body;
    bool closed;
} h2_stream;

typedef struct h2_client {
    int fd;
    nghttp2_session *session;
    h2_stream streams[H2_STREAMS];
    int count;
    int closed;
    bool split_preface; /* send the first bytes in two pieces */
} h2_client;

static h2_stream *h2_find(h2_client *cl, int32_t id)
{
    for (int i = 0; i < cl->count; i++)
        if (cl->streams[i].id == id)
            return &cl->streams[i];
    return NULL;
}

static int h2c_on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name,
                         size_t name_len, const uint8_t *value, size_t value_len, uint8_t flags,
                         void *user)
{
    (void)s, (void)name_len, (void)flags;
    h2_stream *st = h2_find(user, frame->hd.stream_id);
    if (st && strcmp((const char *)name, ":status") == 0 && value_len == 3)
        st->status = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
    return 0;
}

static int h2c_on_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
                       size_t len, void *user)
{
    (void)s, (void)flags;
    h2_stream *st = h2_find(user, id);
    if (st)
        kbuf_append(&st->body, data, len);
    return 0;
}

static int h2c_on_close(nghttp2_session *s, int32_t id, uint32_t error_code, void *user)
{
    (void)s, (void)error_code;
    h2_client *cl = user;
    h2_stream *st = h2_find(cl, id);
    if (st && !st->closed) {
        st->closed = true;
        cl->closed++;
    }
    return 0;
}

static void h2_client_open(h2_client *cl, http_server *srv)
{
    memset(cl, 0, sizeof(*cl));
    cl->fd = connect_to(srv);
    nghttp2_session_callbacks *cbs;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_header_callback(cbs, h2c_on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, h2c_on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, h2c_on_close);
    assert_int_equal(nghttp2_session_client_new(&cl->session, cbs, cl), 0);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_submit_settings(cl->session, NGHTTP2_FLAG_NONE, NULL, 0);
}

static void h2_client_close(h2_client *cl)
{
    for (int i = 0; i < cl->count; i++)
        kbuf_free(&cl->streams[i].body);
    nghttp2_session_del(cl->session);
    close(cl->fd);
}

static ssize_t h2c_read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len,
                             uint32_t *flags, nghttp2_data_source *src, void *user)
{
    (void)s, (void)id, (void)user;
    kbuf *body = src->ptr;
    size_t n = body->len < len ? body->len : len;
    memcpy(buf, body->data, n);
    memmove(body->data, body->data + n, body->len - n);
    body->len -= n;
    if (body->len == 0)
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

static h2_stream *h2_request(h2_client *cl, const char *method, const char *path, kbuf *body)
{
    nghttp2_nv nva[] = {
        {(uint8_t *)":method", (uint8_t *)method, 7, strlen(method), 0},
        {(uint8_t *)":path", (uint8_t *)path, 5, strlen(path), 0},
        {(uint8_t *)":scheme", (uint8_t *)"http", 7, 4, 0},
        {(uint8_t *)":authority", (uint8_t *)"localhost", 10, 9, 0},
    };
    nghttp2_data_provider data = {.source.ptr = body, .read_callback = h2c_read_body};
    int32_t id = nghttp2_submit_request(cl->session, NULL, nva, 4, body ? &data : NULL, NULL);
    assert_true(id > 0 && cl->count < H2_STREAMS);
    h2_stream *st = &cl->streams[cl->count++];
    st->id = id;
    kbuf_init(&st->body);
    return st;
}

static void h2_send_pending(h2_client *cl)
{
    const uint8_t *bytes;
    ssize_t n;
    while ((n = nghttp2_session_mem_send(cl->session, &bytes)) > 0) {
        size_t first = cl->split_preface ? 5 : (size_t)n;
        send_str_n(cl->fd, (const char *)bytes, first);
        if (cl->split_preface) {
            usleep(20000);
            send_str_n(cl->fd, (const char *)bytes + first, (size_t)n - first);
            cl->split_preface = false;
        }
    }
}

/* Exchanges frames until every submitted stream is closed; false on EOF or timeout first. */
static bool h2_run(h2_client *cl)
{
    while (cl->closed < cl->count) {
        h2_send_pending(cl);
        char buf[65536];
        ssize_t n = recv(cl->fd, buf, sizeof(buf), 0);
        if (n <= 0)
            return false;
        assert_true(nghttp2_session_mem_recv(cl->session, (uint8_t *)buf, (size_t)n) >= 0);
    }
    h2_send_pending(cl);
    return true;
}

static void test_h2_streams(void **state)
{
    h2_client cl;
    h2_client_open(&cl, *state);
    cl.split_preface = true;
    kbuf body = KBUF_INIT;
    kbuf_puts(&body, "hello over h2");
    h2_stream *slow = h2_request(&cl, "GET", "/delay/100", NULL);
    h2_stream *echo = h2_request(&cl, "POST", "/echo", &body);
    h2_stream *host = h2_request(&cl, "GET", "/header/host", NULL);
    assert_true(h2_run(&cl));
    assert_int_equal(slow->status, 200);
    assert_string_equal(slow->body.data, "/delay/100");
    assert_int_equal(echo->status, 200);
    assert_string_equal(echo->body.data, "hello over h2");
    assert_string_equal(host->body.data, "localhost");
    kbuf_free(&body);
    h2_client_close(&cl);
}

static void test_h2_too_large(void **state)
{
    h2_client cl;
    h2_client_open(&cl, *state);
    kbuf body = KBUF_INIT;
    for (int i = 0; i < 70000; i++)
        kbuf_putc(&body, 'x');
    h2_stream *big = h2_request(&cl, "POST", "/echo", &body);
    assert_true(h2_run(&cl));
    assert_int_equal(big->status, 413);
    assert_non_null(strstr(big->body.data, "SerializationException"));
    h2_stream *after = h2_request(&cl, "GET", "/after", NULL);
    assert_true(h2_run(&cl));
    assert_string_equal(after->body.data, "/after");
    kbuf_free(&body);
    h2_client_close(&cl);
}

/* A body larger than the connection's receive window arrives: the server gives the window back
 * as it takes the bytes (manual flow control). */
static void test_h2_body_beyond_the_window(void **state)
{
    (void)state;
    http_server *srv = start_for_large_bodies(0, 2);
    h2_client cl;
    h2_client_open(&cl, srv);
    kbuf body = KBUF_INIT;
    for (int i = 0; i < (3 << 20); i++)
        kbuf_putc(&body, (char)('a' + i % 26));
    kbuf sent = KBUF_INIT;
    kbuf_append(&sent, body.data, body.len);
    h2_stream *echo = h2_request(&cl, "POST", "/echo", &body);
    assert_true(h2_run(&cl));
    assert_int_equal(echo->status, 200);
    assert_int_equal(echo->body.len, sent.len);
    assert_memory_equal(echo->body.data, sent.data, sent.len);
    kbuf_free(&body);
    kbuf_free(&sent);
    h2_client_close(&cl);
    stop_server(srv);
}

/* Stop sends GOAWAY but lets the open stream finish. */
static void test_h2_stop_finishes_streams(void **state)
{
    (void)state;
    http_server *srv = start_server(5000);
    h2_client cl;
    h2_client_open(&cl, srv);
    int started = atomic_load(&delays_started);
    h2_stream *slow = h2_request(&cl, "GET", "/delay/200", NULL);
    h2_send_pending(&cl);
    wait_for_count(&delays_started, started + 1); /* in flight: with the application */
    atomic_store(&loops_done, 0);
    http_server_stop(srv);
    assert_int_equal(atomic_load(&loops_done), 2);
    assert_true(h2_run(&cl));
    assert_int_equal(slow->status, 200);
    assert_string_equal(slow->body.data, "/delay/200");
    h2_client_close(&cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_values_trimmed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipelining_answers_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_pipeline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunked_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expect_100_continue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expect_continue_waits_its_turn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large_content_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large_chunked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_of_exactly_the_cap, setup, teardown),
        cmocka_unit_test(test_budget_refuses_large_body),
        cmocka_unit_test(test_budget_admitted_bodies_all_complete),
        cmocka_unit_test(test_timer_reads_waiting_input_first),
        cmocka_unit_test_setup_teardown(test_malformed_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http10_closes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_half_close_answered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_gone_before_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thousand_connections, setup, teardown),
        cmocka_unit_test(test_idle_timeout),
        cmocka_unit_test(test_slow_client_timeout),
        cmocka_unit_test(test_stop_waits_for_in_flight),
        cmocka_unit_test(test_port_in_use),
        cmocka_unit_test(test_ipv6_loopback),
        cmocka_unit_test_setup_teardown(test_h2_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h2_too_large, setup, teardown),
        cmocka_unit_test(test_h2_stop_finishes_streams),
        cmocka_unit_test(test_h2_body_beyond_the_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
