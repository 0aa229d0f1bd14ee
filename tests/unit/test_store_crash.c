/* test_store_crash.c - kill -9 in the middle of appending (durability sync): after recovery every
 * acknowledged record is present, in order, exactly once, and nothing follows a gap.
 *
 * A child process appends from two threads; once an append's ticket is reported durable it sends
 * (offset, thread, sequence) of each record down a pipe. The parent kills it at a random moment
 * after the first acknowledgement (in the last rounds: at once), reopens the log and checks it
 * against what was acknowledged.
 *
 * The child inherits the parent's durability waiter, which the previous round's recovery store
 * advanced; it must start from zero, or the child's first tickets count as durable at once.
 * The kill times are random: the seed is printed, and KINESD_TEST_SEED=N replays a run. */
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "test_store_util.h"

#define THREADS 2
#define BATCH_MAX 8

typedef struct ack {
    uint64_t offset;
    uint32_t thread;
    uint32_t seq;
} ack;

static char dir[64];
static int ack_fd;
static pthread_mutex_t ack_mu = PTHREAD_MUTEX_INITIALIZER;

/* The payload of record seq of a thread: recognisable and of varying length. */
static size_t payload(int thread, unsigned seq, char *out, size_t cap)
{
    int n = snprintf(out, cap, "t%d:%u:", thread, seq);
    size_t fill = (seq * 13u) % 300;
    memset(out + n, 'a' + (int)(seq % 26), fill);
    return (size_t)n + fill;
}

typedef struct appender {
    shardlog *log;
    int id;
} appender;

static void *append_until_killed(void *arg)
{
    appender *a = arg;
    static char bufs[THREADS][BATCH_MAX][400];
    log_record_in recs[BATCH_MAX];
    char key[8];
    snprintf(key, sizeof key, "t%d", a->id);
    unsigned seq = 0;
    for (int i = 0; i < 1000000; i++) {
        size_t n = 1 + (size_t)i % BATCH_MAX;
        for (size_t j = 0; j < n; j++)
            recs[j] = (log_record_in){key, strlen(key), bufs[a->id][j],
                                      payload(a->id, seq + (unsigned)j, bufs[a->id][j], 400)};
        uint64_t first, ticket;
        int64_t arrival;
        if (shardlog_append(a->log, recs, n, clock_now_ms(), &first, &arrival, &ticket) != 0 ||
            !wait_durable(ticket))
            _exit(3);
        ack acks[BATCH_MAX];
        for (size_t j = 0; j < n; j++)
            acks[j] = (ack){first + j, (uint32_t)a->id, seq + (unsigned)j};
        pthread_mutex_lock(&ack_mu);
        ssize_t w = write(ack_fd, acks, n * sizeof(ack)); /* <= PIPE_BUF: atomic */
        pthread_mutex_unlock(&ack_mu);
        if (w != (ssize_t)(n * sizeof(ack)))
            _exit(4);
        seq += (unsigned)n;
    }
    _exit(0);
}

static void child_main(int fd)
{
    ack_fd = fd;
    setenv("KINESD_SEGMENT_BYTES", "65536", 1);
    store *st = store_open(dir, DURABILITY_SYNC, 0, on_durable, NULL);
    shardlog *log = st ? shardlog_open(st, "crash/shard") : NULL;
    if (!log)
        _exit(2);
    appender a[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        a[i] = (appender){log, i};
        pthread_create(&t[i], NULL, append_until_killed, &a[i]);
    }
    sleep(10); /* killed long before */
    _exit(5);
}

/* Collects acknowledgements until kill_after_ms after the first one (so that a slow start on a
 * loaded machine still leaves some), kills the child, then drains the pipe. */
static size_t run_child_and_kill(int fd, pid_t pid, int kill_after_ms, ack **acks)
{
    kbuf got = KBUF_INIT;
    int64_t deadline = INT64_MAX;
    bool killed = false;
    for (;;) {
        if (got.len && deadline == INT64_MAX)
            deadline = clock_mono_ns() + (int64_t)kill_after_ms * 1000000;
        if (!killed && clock_mono_ns() >= deadline) {
            kill(pid, SIGKILL);
            killed = true;
        }
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 10) <= 0)
            continue;
        char chunk[4096];
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r <= 0)
            break;
        kbuf_append(&got, chunk, (size_t)r);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    *acks = (ack *)got.data;
    return got.len / sizeof(ack);
}

typedef struct verify {
    uint64_t next_offset;
    unsigned next_seq[THREADS];
    uint32_t *thread_of; /* by offset */
    uint32_t *seq_of;
    size_t cap;
    unsigned errors;
} verify;

static bool verify_record(const log_record *rec, void *arg)
{
    verify *v = arg;
    char want[400];
    int thread = rec->partition_key_len == 2 ? rec->partition_key[1] - '0' : -1;
    if (rec->offset != v->next_offset || thread < 0 || thread >= THREADS || rec->offset >= v->cap) {
        v->errors++;
        return false;
    }
    unsigned seq = v->next_seq[thread]++;
    size_t len = payload(thread, seq, want, sizeof want);
    if (rec->data_len != len || memcmp(rec->data, want, len) != 0)
        v->errors++; /* a gap, a duplicate or a damaged record */
    v->thread_of[rec->offset] = (uint32_t)thread;
    v->seq_of[rec->offset] = seq;
    v->next_offset++;
    return true;
}

static void crash_once(int kill_after_ms)
{
    tmpdir_make(dir);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    waiter_reset(); /* for the child's store */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child_main(fds[1]);
    }
    close(fds[1]);
    ack *acks;
    size_t nacks = run_child_and_kill(fds[0], pid, kill_after_ms, &acks);
    close(fds[0]);

    waiter_reset();
    setenv("KINESD_SEGMENT_BYTES", "65536", 1);
    store *st = store_open(dir, DURABILITY_SYNC, 0, on_durable, NULL);
    unsetenv("KINESD_SEGMENT_BYTES");
    assert_non_null(st);
    shardlog *log = shardlog_open(st, "crash/shard");
    assert_non_null(log);
    uint64_t committed = shardlog_committed(log);
    verify v = {.cap = committed + 1};
    v.thread_of = calloc(v.cap, sizeof *v.thread_of);
    v.seq_of = calloc(v.cap, sizeof *v.seq_of);
    uint64_t next = 0;
    while (next < committed) {
        assert_int_equal(shardlog_read(log, next, 10000, SIZE_MAX, verify_record, &v, &next), 0);
        assert_int_equal(v.errors, 0);
    }
    assert_int_equal(v.next_offset, committed);
    for (size_t i = 0; i < nacks; i++) {
        assert_true(acks[i].offset < committed); /* acknowledged, so present */
        assert_int_equal(v.thread_of[acks[i].offset], acks[i].thread);
        assert_int_equal(v.seq_of[acks[i].offset], acks[i].seq);
    }
    printf("  killed %d ms after the first ack: %zu records acknowledged, %llu recovered\n",
           kill_after_ms, nacks, (unsigned long long)committed);
    assert_true(nacks > 0);
    free(v.thread_of);
    free(v.seq_of);
    free(acks);
    shardlog_close(log);
    store_close(st);
    tmpdir_remove(dir);
}

static void test_kill_during_appends(void **state)
{
    (void)state;
    const char *fixed = getenv("KINESD_TEST_SEED");
    unsigned seed = fixed ? (unsigned)strtoul(fixed, NULL, 10) : (unsigned)clock_mono_ns();
    printf("  seed %u (replay with KINESD_TEST_SEED=%u)\n", seed, seed);
    srand(seed);
    for (int round = 0; round < 4; round++)
        crash_once(150 + rand() % 500);
    for (int round = 0; round < 3; round++)
        crash_once(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_during_appends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
