/* records_fixture.h - shared by the unit tests that run the record operations below HTTP
 * (test_kinesis_records, test_kinesis_alloc): a fresh temporary data directory with a store in
 * `none` durability, the registry and the iterator key on it, and the last ticket the store made
 * durable. Header-only: each test file is its own executable. */
#ifndef KINESD_RECORDS_FIXTURE_H
#define KINESD_RECORDS_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/config.h"
#include "kinesis/iterator.h"
#include "kinesis/registry_edit.h"

static char dir[64];             /* the test's data directory */
static store *st;                /* the store on it */
static _Atomic uint64_t durable; /* the last ticket made durable */

static void on_durable(uint64_t ticket, void *arg)
{
    (void)arg;
    durable = ticket;
}

/* Creates /tmp/<prefix>-XXXXXX and opens the store, the registry and the iterator key on it. */
static inline int records_fixture_open(const char *prefix)
{
    snprintf(dir, sizeof(dir), "/tmp/%s-XXXXXX", prefix);
    assert_non_null(mkdtemp(dir));
    kinesd_cfg.transition_ms = 0;
    st = store_open(dir, DURABILITY_NONE, 0, on_durable, NULL);
    assert_non_null(st);
    assert_int_equal(registry_open(st), 0);
    char why[512];
    assert_int_equal(iterator_init(dir, why, sizeof(why)), 0);
    return 0;
}

/* Closes what records_fixture_open opened and removes the directory. */
static inline int records_fixture_close(void)
{
    registry_close();
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

#endif
