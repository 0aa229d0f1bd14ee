/* test_common_race.c - the shared helpers used from every loop thread at once: base64 decoding
 * starts on several threads together (its lookup table is built on first use, which must be
 * safe when that first use is concurrent). Meant to run under ThreadSanitizer as well. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "common/base64.h"

#define THREADS 8
#define DECODES 2000

static pthread_barrier_t start_together;
static atomic_uint failures;

static void *decode_many(void *arg)
{
    (void)arg;
    static const char text[] = "a2luZXNkIGRlY29kZXMgdGhpcyBvbiBldmVyeSBsb29w";
    static const char plain[] = "kinesd decodes this on every loop";
    unsigned char out[sizeof text];
    pthread_barrier_wait(&start_together);
    for (int i = 0; i < DECODES; i++) {
        size_t n = 0;
        if (!base64_decode(text, strlen(text), out, &n) || n != strlen(plain) ||
            memcmp(out, plain, n) != 0)
            atomic_fetch_add(&failures, 1);
    }
    return NULL;
}

static void test_first_decodes_on_many_threads(void **state)
{
    (void)state;
    pthread_barrier_init(&start_together, NULL, THREADS);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, decode_many, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start_together);
    assert_int_equal(atomic_load(&failures), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_decodes_on_many_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
