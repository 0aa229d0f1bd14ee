/* test_common_buf.c - the growable buffer (common/buf.c): detaching an empty buffer gives an empty
 * string, appends and printf keep the NUL after the content, and a buffer is not failed unless an
 * allocation failed (the server aborts instead; libkines' failure paths are exercised by
 * tests/integration/test_libkines_oom.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"

static void test_empty_buffer_detaches_as_empty_string(void **state)
{
    (void)state;
    kbuf b = KBUF_INIT;
    char *s = kbuf_detach(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    assert_null(b.data);
}

static void test_content_stays_nul_terminated(void **state)
{
    (void)state;
    kbuf b = KBUF_INIT;
    kbuf_puts(&b, "abc");
    kbuf_printf(&b, "-%d", 42);
    kbuf_putc(&b, '!');
    assert_string_equal(b.data, "abc-42!");
    assert_int_equal(b.len, 7);
    kbuf_reset(&b);
    assert_string_equal(b.data, "");
    assert_false(kbuf_failed(&b));
    char *s = kbuf_detach(&b);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_buffer_detaches_as_empty_string),
        cmocka_unit_test(test_content_stays_nul_terminated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
