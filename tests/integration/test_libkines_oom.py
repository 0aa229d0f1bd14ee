"""test_libkines_oom.py - libkines out of memory: errors, never an abort or a crash.

A program linked with libkines.a runs the library's main paths against a real kinesd (client,
stream calls, PutRecord(s), GetShardIterator, GetRecords, the producer, the consumer, KPL
aggregation) while an LD_PRELOAD shim makes exactly one allocation fail: the Nth that the
program's own code (libkines is linked into it) makes after it armed the shim. For every N
(sampled when there are many), the program must end normally (exit 0): the failed allocation
may fail a call, with KINES_ERR_MEMORY, never the process; some runs must report it.

Only libkines' own allocations fail here. The libraries under it are not all safe when theirs
fail: json-c's parser (0.16) can crash and asserts on a NULL object, OpenSSL's one-time
initialisation can leave a NULL lock behind; that is theirs to fix (README, libkines).
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from kinesd_harness import KinesdTestCase
from test_libkines_link import ROOT, pkg_libs

SHIM = r"""
#define _GNU_SOURCE
#include <stddef.h>
#include <stdlib.h>
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
#include <string.h>
static long fail_at = -1, count = 0;
static const char *code_start, *code_end; /* the program's code, libkines in it */
void oomshim_arm(const void *start, const void *end)
{
    const char *n = getenv("OOM_FAIL_AT");
    fail_at = n ? atol(n) : -1;
    count = 0;
    code_start = start;
    code_end = end;
}
long oomshim_count(void) { return count; }
/* Whether the allocation asked for by the code at `caller` is the one to fail. */
static int fail_now(const void *caller)
{
    if (!code_start || (const char *)caller < code_start || (const char *)caller >= code_end)
        return 0;
    return __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED) == fail_at;
}
#define CALLER __builtin_return_address(0)
void *malloc(size_t n) { return fail_now(CALLER) ? NULL : __libc_malloc(n); }
void *calloc(size_t a, size_t b) { return fail_now(CALLER) ? NULL : __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { return fail_now(CALLER) ? NULL : __libc_realloc(p, n); }
char *strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = fail_now(CALLER) ? NULL : __libc_malloc(n);
    return p ? memcpy(p, s, n) : NULL;
}
char *strndup(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    char *p = fail_now(CALLER) ? NULL : __libc_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}
"""

PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kines/aggregation.h>
#include <kines/consumer.h>
#include <kines/kines.h>
#include <kines/producer.h>

void oomshim_arm(const void *start, const void *end);
long oomshim_count(void);
extern char __executable_start, etext; /* the program's code: GNU ld defines both */
static int memory_errors, calls;

static void note(int rc, const kines_error *err)
{
    calls++;
    if (rc != 0 && err->status == KINES_ERR_MEMORY)
        memory_errors++;
}

int main(int argc, char **argv)
{
    (void)argc;
    kines_options o = KINES_OPTIONS_INIT;
    o.endpoint_url = argv[1];
    o.region = "us-east-1";
    o.access_key_id = "AKIDEXAMPLE";
    o.secret_access_key = "secret";
    o.max_attempts = 2;
    o.retry_base_ms = 1;
    const char *stream = argv[2];
    oomshim_arm(&__executable_start, &etext);
    kines_error err;
    kines_client *c = kines_client_new(&o, &err);
    note(c ? 0 : -1, &err);
    if (c) {
        kines_string_list names;
        note(kines_list_streams(c, &names, &err), &err);
        kines_string_list_free(&names);
        kines_stream desc;
        note(kines_describe_stream(c, stream, &desc, &err), &err);
        kines_stream_free(&desc);
        kines_put_entry e = {"hello", 5, "k", NULL};
        kines_put_results res;
        note(kines_put_record(c, stream, &e, &res, &err), &err);
        kines_put_results_free(&res);
        kines_put_entry many[10];
        for (int i = 0; i < 10; i++)
            many[i] = (kines_put_entry){"data", 4, i % 2 ? "a" : "b", NULL};
        note(kines_put_records(c, stream, many, 10, &res, &err), &err);
        kines_put_results_free(&res);
        char *it = NULL;
        kines_position from = {KINES_TRIM_HORIZON, NULL, 0};
        int rc = kines_get_shard_iterator(c, stream, "shardId-000000000000", &from, &it, &err);
        note(rc, &err);
        if (rc == 0) {
            kines_records recs;
            note(kines_get_records(c, it, 100, &recs, &err), &err);
            kines_records_free(&recs);
            free(it);
        }
        kines_client_free(c);
    }
    kines_producer_options po = KINES_PRODUCER_OPTIONS_INIT;
    po.linger_ms = 5;
    po.record_ttl_ms = 3000;
    po.aggregate = 1;
    po.max_in_flight = 1;
    kines_producer *p = kines_producer_new(&o, stream, &po, &err);
    note(p ? 0 : -1, &err);
    if (p) {
        for (int i = 0; i < 20; i++)
            note(kines_producer_put(p, "record", 6, i % 3 ? "x" : "y", NULL, NULL, &err), &err);
        kines_producer_flush(p);
        kines_producer_close(p);
    }
    kines_consumer_options co = KINES_CONSUMER_OPTIONS_INIT;
    co.idle_ms = 5;
    kines_consumer *k = kines_consumer_new(&o, stream, &co, &err);
    note(k ? 0 : -1, &err);
    for (int i = 0; k && i < 40; i++) {
        kines_consumer_record r;
        int rc = kines_consumer_next(k, &r, 50, &err);
        note(rc < 0 ? -1 : 0, &err);
        if (rc == 0)
            break;
    }
    kines_consumer_free(k);
    kines_put_entry parts[3] = {{"a", 1, "k1", NULL}, {"b", 1, "k2", NULL}, {"c", 1, "k1", NULL}};
    unsigned char *agg;
    size_t agg_len;
    kines_agg_encode(parts, 3, &agg, &agg_len);
    if (agg) {
        kines_user_record *users;
        long n = kines_agg_decode(agg, agg_len, &users);
        if (n >= 0)
            free(users);
        free(agg);
    }
    printf("allocations %ld calls %d memory_errors %d\n", oomshim_count(), calls, memory_errors);
    return 0;
}
"""

SAMPLES = 120


class LibkinesOutOfMemoryTest(KinesdTestCase):
    @classmethod
    def setUpClass(cls):
        build = os.environ.get("KINESD_BUILD_DIR", os.path.join(ROOT, "build"))
        cls.archive = os.path.join(build, "libkines.a")
        if not os.path.exists(cls.archive) or not shutil.which("cc"):
            raise unittest.SkipTest("no libkines.a or no C compiler")
        if os.environ.get("KINESD_SANITIZED", "").lower() in ("1", "true", "on"):
            raise unittest.SkipTest("the ASan runtime owns malloc: no allocation shim under it")
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="kinesd-oom-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.shim = cls.compile("oomshim.c", SHIM, ["-shared", "-fPIC"], "oomshim.so")
        cls.prog = cls.compile("prog.c", PROGRAM, ["-I", os.path.join(ROOT, "include"),
                                                    cls.archive, cls.shim] + pkg_libs(), "prog")
        cls.kinesis.create_stream(StreamName="oom", ShardCount=1)

    @classmethod
    def compile(cls, name, text, flags, out):
        src, exe = os.path.join(cls.tmp, name), os.path.join(cls.tmp, out)
        with open(src, "w") as f:
            f.write(text)
        args = ["cc", "-std=c11", "-o", exe, src] + flags if out == "prog" else \
            ["cc", "-o", exe, src] + flags
        done = subprocess.run(args, capture_output=True, text=True)
        if done.returncode != 0:
            raise AssertionError("cannot compile %s: %s" % (name, done.stderr))
        return exe

    def run_with(self, fail_at):
        env = dict(os.environ, OOM_FAIL_AT=str(fail_at), LD_PRELOAD=self.shim)
        done = subprocess.run([self.prog, self.server.endpoint, "oom"], capture_output=True,
                              text=True, timeout=120, env=env)
        return done

    def test_one_failed_allocation_never_takes_the_program_down(self):
        clean = self.run_with(-1)
        self.assertEqual(clean.returncode, 0, clean.stderr)
        total = int(re.search(r"allocations (\d+)", clean.stdout).group(1))
        self.assertGreater(total, 50)
        step = max(1, total // SAMPLES)
        points = range(1, total + 1, step)
        memory_errors, crashes = 0, []
        for n in points:
            done = self.run_with(n)
            if done.returncode != 0:
                crashes.append((n, done.returncode, done.stderr[-300:]))
                continue
            memory_errors += int(re.search(r"memory_errors (\d+)", done.stdout).group(1))
        self.assertEqual(crashes, [], "runs that did not end normally (N, status, stderr)")
        self.assertGreater(memory_errors, 0, "no call reported KINES_ERR_MEMORY")


if __name__ == "__main__":
    unittest.main()
