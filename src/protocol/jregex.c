/* jregex.c - Java patterns compiled and matched by PCRE2 (see jregex.h).
 *
 * Each thread keeps one match-data block (a single pair of offsets is all a yes/no match needs),
 * freed when the thread ends, so matching allocates nothing after a thread's first match. Patterns
 * are JIT-compiled where the platform allows it; the interpreter runs them otherwise. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "jregex.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>

struct jregex {
    pcre2_code *code;
};

jregex *jregex_compile(const char *java)
{
    int error;
    PCRE2_SIZE at;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)java, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_ANCHORED |
                                         PCRE2_ENDANCHORED | PCRE2_DOLLAR_ENDONLY,
                                     &error, &at, NULL);
    if (!code)
        return NULL;
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* an interpreter fallback if it fails */
    jregex *re = malloc(sizeof *re);
    if (!re)
        abort();
    re->code = code;
    return re;
}

void jregex_free(jregex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    free(re);
}

static pthread_key_t match_data_key;
static pthread_once_t match_data_once = PTHREAD_ONCE_INIT;

static void free_match_data(void *md)
{
    pcre2_match_data_free(md);
}

static void make_match_data_key(void)
{
    if (pthread_key_create(&match_data_key, free_match_data) != 0)
        abort();
}

/* This thread's match data, made on its first match. */
static pcre2_match_data *thread_match_data(void)
{
    pthread_once(&match_data_once, make_match_data_key);
    pcre2_match_data *md = pthread_getspecific(match_data_key);
    if (!md) {
        if (!(md = pcre2_match_data_create(1, NULL)) || pthread_setspecific(match_data_key, md))
            abort();
    }
    return md;
}

bool jregex_match(const jregex *re, const char *s, size_t len)
{
    return pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, thread_match_data(), NULL) >= 0;
}
