/* test_net_stream.c - streaming responses (http_respond_start/_chunk/_finish) over real sockets.
 *
 * The dummy handler answers "/stream/N/MS[/K]" with N chunks "chunk-I\n", K (1) every MS
 * milliseconds, from a uv_timer, then finishes; it counts the streams that ended because
 * http_respond_chunk refused (client gone or server stopping). "/late/MS" is answered with its url
 * after MS milliseconds; any other url at once. HTTP/1.1 is read by the small blocking client of
 * net_fixture.h, HTTP/2 by curl --http2-prior-knowledge. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "common/clock.h"
#include "net_fixture.h"

/* --- the dummy application -------------------------------------------------------------------- */

typedef struct ticker {
    uv_timer_t timer;
    http_exchange *ex;
    int sent, total, per_tick;
} ticker;

static atomic_int streams_refused;

static void *test_loop_init(uv_loop_t *loop, void *app)
{
    (void)app;
    return loop;
}

static void test_loop_done(void *ctx)
{
    (void)ctx;
}

/* Sends the next chunk; false when all are sent or the client went away. */
static bool send_next(ticker *t)
{
    char text[32];
    int len = snprintf(text, sizeof(text), "chunk-%d\n", t->sent);
    if (t->sent >= t->total || !http_respond_chunk(t->ex, text, (size_t)len))
        return false;
    t->sent++;
    return true;
}

static void on_tick(uv_timer_t *timer)
{
    ticker *t = timer->data;
    for (int i = 0; i < t->per_tick; i++)
        if (!send_next(t))
            break;
    if (t->sent < t->total && http_respond_open(t->ex))
        return;
    if (t->sent < t->total)
        atomic_fetch_add(&streams_refused, 1);
    http_respond_finish(t->ex);
    uv_close((uv_handle_t *)timer, free_handle_data);
}

typedef struct late {
    uv_timer_t timer;
    http_exchange *ex;
} late;

static void on_late(uv_timer_t *timer)
{
    late *l = timer->data;
    respond_plain(l->ex, "late", 4);
    uv_close((uv_handle_t *)timer, free_handle_data);
}

static void test_handler(http_exchange *ex, const http_request *req, void *loop_ctx)
{
    int total, interval, per_tick = 1, delay;
    if (sscanf(req->url, "/stream/%d/%d/%d", &total, &interval, &per_tick) >= 2) {
        ticker *t = calloc(1, sizeof(*t));
        t->ex = ex;
        t->total = total;
        t->per_tick = per_tick;
        uv_timer_init(loop_ctx, &t->timer);
        t->timer.data = t;
        const char *headers[] = {"Content-Type: text/plain", NULL};
        http_respond_start(ex, 200, headers);
        uv_timer_start(&t->timer, on_tick, (uint64_t)interval, (uint64_t)interval);
        return;
    }
    if (sscanf(req->url, "/late/%d", &delay) == 1) {
        late *l = calloc(1, sizeof(*l));
        l->ex = ex;
        uv_timer_init(loop_ctx, &l->timer);
        l->timer.data = l;
        uv_timer_start(&l->timer, on_late, (uint64_t)delay, 0);
        return;
    }
    respond_plain(ex, req->url, strlen(req->url));
}

/* --- fixture and client ----------------------------------------------------------------------- */

static int setup(void **state)
{
    http_server_config cfg = {
        .host = "127.0.0.1",
        .threads = 1,
        .max_request_bytes = 65536,
        .idle_timeout_ms = 300, /* shorter than the streams: they must not time out */
        .handler = test_handler,
        .loop_init = test_loop_init,
        .loop_done = test_loop_done,
    };
    http_server *srv = http_server_start(&cfg);
    assert_non_null(srv);
    atomic_store(&streams_refused, 0);
    *state = srv;
    return 0;
}

static int teardown(void **state)
{
    if (*state)
        http_server_stop(*state);
    return 0;
}

/* Reads until `in` holds `text` (true) or EOF/timeout (false). */
static bool read_until(int fd, kbuf *in, const char *text)
{
    while (!in->data || !strstr(in->data, text))
        if (fill(fd, in) == 0)
            return false;
    return true;
}

static bool wait_refused(int count)
{
    int64_t deadline = clock_now_ms() + 3000;
    while (atomic_load(&streams_refused) < count && clock_now_ms() < deadline)
        usleep(5000);
    return atomic_load(&streams_refused) == count;
}

/* The shell command that has curl fetch `rest` (a url path, then any more of the command line) from
 * srv over HTTP/2 with prior knowledge, giving up after max_time_s seconds. */
static void curl_h2_command(char *cmd, size_t size, http_server *srv, int max_time_s,
                            const char *rest)
{
    snprintf(cmd, size, "curl -s -N --max-time %d --http2-prior-knowledge http://127.0.0.1:%d%s",
             max_time_s, http_server_port(srv), rest);
}

/* --- tests ------------------------------------------------------------------------------------ */

static const char three_chunks[] =
    "8\r\nchunk-0\n\r\n8\r\nchunk-1\n\r\n8\r\nchunk-2\n\r\n0\r\n\r\n";

static void test_chunked_stream_then_pipelined(void **state)
{
    int fd = connect_to(*state);
    send_str(fd,
             "GET /stream/3/150 HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n");
    kbuf in = KBUF_INIT;
    assert_true(read_until(fd, &in, "/after"));
    char *head_end = strstr(in.data, "\r\n\r\n");
    assert_non_null(head_end);
    *head_end = '\0';
    assert_non_null(strstr(in.data, "HTTP/1.1 200 OK"));
    assert_non_null(strstr(in.data, "Transfer-Encoding: chunked"));
    assert_null(strstr(in.data, "Content-Length"));
    assert_non_null(strstr(in.data, "Connection: keep-alive"));
    const char *body = head_end + 4;
    assert_memory_equal(body, three_chunks, strlen(three_chunks)); /* then the pipelined answer */
    assert_non_null(strstr(body + strlen(three_chunks), "HTTP/1.1 200 OK"));
    assert_int_equal(atomic_load(&streams_refused), 0);
    kbuf_free(&in);
    close(fd);
}

/* A stream behind a slower request waits its turn: its chunks are kept until the answer before it
 * went out. */
static void test_stream_behind_late_answer(void **state)
{
    int fd = connect_to(*state);
    send_str(fd, "GET /late/200 HTTP/1.1\r\nHost: x\r\n\r\n"
                 "GET /stream/3/10 HTTP/1.1\r\nHost: x\r\n\r\n");
    kbuf in = KBUF_INIT;
    assert_true(read_until(fd, &in, "\r\n0\r\n\r\n"));
    const char *late_body = strstr(in.data, "\r\n\r\nlate");
    const char *stream_head = strstr(in.data, "Transfer-Encoding: chunked");
    assert_non_null(late_body);
    assert_non_null(stream_head);
    assert_true(late_body < stream_head);
    assert_non_null(strstr(stream_head, three_chunks));
    kbuf_free(&in);
    close(fd);
}

static void test_client_gone_stops_stream(void **state)
{
    int fd = connect_to(*state);
    send_str(fd, "GET /stream/100000/5 HTTP/1.1\r\nHost: x\r\n\r\n");
    kbuf in = KBUF_INIT;
    assert_true(read_until(fd, &in, "chunk-1\n"));
    close(fd);
    assert_true(wait_refused(1));
    kbuf_free(&in);
}

static void test_stop_ends_stream(void **state)
{
    int fd = connect_to(*state);
    send_str(fd, "GET /stream/100000/5 HTTP/1.1\r\nHost: x\r\n\r\n");
    kbuf in = KBUF_INIT;
    assert_true(read_until(fd, &in, "chunk-1\n"));
    http_server_stop(*state); /* returns once the application finished the stream */
    *state = NULL;
    assert_true(read_until(fd, &in, "\r\n0\r\n\r\n"));
    assert_int_equal(atomic_load(&streams_refused), 1);
    kbuf_free(&in);
    close(fd);
}

static void test_h2_stream(void **state)
{
    char cmd[256];
    curl_h2_command(cmd, sizeof(cmd), *state, 5, "/stream/3/50 -w '|%{http_version} %{http_code}'");
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char out[256] = {0};
    size_t n = fread(out, 1, sizeof(out) - 1, p);
    assert_int_equal(pclose(p), 0);
    out[n] = '\0';
    assert_string_equal(out, "chunk-0\nchunk-1\nchunk-2\n|2 200");
}

/* Many chunks, faster than single DATA frames: the unsent rest is kept and sent in order. */
static void test_h2_many_chunks(void **state)
{
    char cmd[256];
    curl_h2_command(cmd, sizeof(cmd), *state, 10, "/stream/20000/1/1000");
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[32];
    int expected = 0;
    while (fgets(line, sizeof(line), p)) {
        char want[32];
        snprintf(want, sizeof(want), "chunk-%d\n", expected++);
        assert_string_equal(line, want);
    }
    assert_int_equal(pclose(p), 0);
    assert_int_equal(expected, 20000);
}

static void test_h2_client_gone(void **state)
{
    char cmd[256];
    curl_h2_command(cmd, sizeof(cmd), *state, 1, "/stream/100000/5 >/dev/null");
    assert_int_not_equal(system(cmd), 0); /* curl gives up after a second */
    assert_true(wait_refused(1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_chunked_stream_then_pipelined, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_behind_late_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_gone_stops_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_ends_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h2_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h2_many_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h2_client_gone, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
