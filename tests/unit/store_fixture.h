/* store_fixture.h - the per-test setup shared by the store's unit tests that open their own store
 * in each test: a fresh temporary directory `dir`, and the durability waiter reset before and
 * after. Header-only (each test file is its own executable); the helpers are in test_store_util.h.
 */
#ifndef KINESD_STORE_FIXTURE_H
#define KINESD_STORE_FIXTURE_H

#include "test_store_util.h"

static char dir[64];

static inline int setup(void **state)
{
    (void)state;
    tmpdir_make(dir);
    waiter_reset();
    return 0;
}

static inline int teardown(void **state)
{
    (void)state;
    waiter_reset();
    tmpdir_remove(dir);
    return 0;
}

#endif
