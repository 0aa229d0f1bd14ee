/* proto_fixture.h - shared by the protocol unit tests: the model loaded, one arena and one
 * aws_error per test (A, E), and the check that E holds a given client error. Header-only: each
 * test file is its own executable. */
#ifndef KINESD_PROTO_FIXTURE_H
#define KINESD_PROTO_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <string.h>

#include "protocol/decode.h"

static arena A;
static aws_error E;

static inline int setup(void **state)
{
    (void)state;
    arena_init(&A);
    aws_error_init(&E);
    return model_get(MODEL_KINESIS) ? 0 : -1;
}

static inline int teardown(void **state)
{
    (void)state;
    arena_free(&A);
    aws_error_free(&E);
    model_unload();
    return 0;
}

/* E holds a 400 of the given type with exactly `message`. */
static inline void assert_client_error(const char *type, const char *message)
{
    assert_int_equal(E.status, 400);
    assert_string_equal(E.type, type);
    assert_string_equal(E.message.data ? E.message.data : "", message);
}

#endif
