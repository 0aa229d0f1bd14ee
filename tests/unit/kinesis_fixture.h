/* kinesis_fixture.h - shared by the server unit tests that need a registry: a fresh temporary
 * data directory per test with a store and the registry opened on it, the server configuration
 * reset to test values, and a made-up clock (now_ms) the test may move, which is also the
 * registry's deadline clock (transitions). Header-only: each test file is its own executable. */
#ifndef KINESD_KINESIS_FIXTURE_H
#define KINESD_KINESIS_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "core/config.h"
#include "kinesis/datakey.h"
#include "kinesis/registry_edit.h"

kinesd_config kinesd_cfg;

static char data_dir[] = "/tmp/kinesd-server-XXXXXX";
static store *st;
static int64_t now_ms;

/* The master key the data keys of encrypted streams are sealed under. */
static const masterkey test_master = {"kinesd unit tests' master key.."};

/* The registry's deadline clock in these tests: the made-up now_ms. */
static int64_t made_up_clock(void)
{
    return now_ms;
}

/* Runs the registry's tick with the made-up clock at t (for the tick only). */
static inline void tick_at(int64_t t)
{
    int64_t saved = now_ms;
    now_ms = t;
    registry_tick(t);
    now_ms = saved;
}

static inline void open_registry(void)
{
    st = store_open(data_dir, DURABILITY_NONE, 0, NULL, NULL);
    assert_non_null(st);
    datakeys_init(&test_master);
    assert_int_equal(registry_open(st), 0);
}

static inline void close_registry(void)
{
    registry_close();
    store_close(st);
}

static inline int setup(void **state)
{
    (void)state;
    strcpy(data_dir + strlen(data_dir) - 6, "XXXXXX");
    assert_non_null(mkdtemp(data_dir));
    memset(&kinesd_cfg, 0, sizeof(kinesd_cfg));
    kinesd_cfg.transition_ms = 0;
    kinesd_cfg.shard_limit = 500;
    now_ms = clock_now_ms();
    registry_deadline_clock = made_up_clock;
    open_registry();
    return 0;
}

static inline int teardown(void **state)
{
    (void)state;
    close_registry();
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", data_dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

#endif
