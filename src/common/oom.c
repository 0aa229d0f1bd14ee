/* oom.c - the out-of-memory policy of the server and of libkines (see oom.h). */
#include "oom.h"

#include <stdlib.h>
#include <string.h>

static _Thread_local bool failed_here; /* libkines: since the last oom_take */

void oom_failed(void)
{
#ifndef KINES_LIBRARY
    abort();
#endif
    failed_here = true;
}

char *oom_strdup(const char *s)
{
    char *copy = s ? strdup(s) : NULL;
    if (s && !copy)
        oom_failed();
    return copy;
}

char *oom_strndup(const char *s, size_t n)
{
    char *copy = strndup(s, n);
    if (!copy)
        oom_failed();
    return copy;
}

bool oom_take(void)
{
    bool failed = failed_here;
    failed_here = false;
    return failed;
}
