/* oom.h - what a failed allocation does. The server aborts: out of memory it cannot answer
 * anything anyway. libkines (its objects are built with KINES_LIBRARY) must not take its host
 * program down: there the allocation reports failure, the thread notes it, and the library call
 * it served fails with KINES_ERR_MEMORY. Code shared by both calls oom_failed() where an
 * allocation failed, then handles the failure as libkines needs (the server never gets there). */
#ifndef KINESD_OOM_H
#define KINESD_OOM_H

#include <stdbool.h>
#include <stddef.h>

/* An allocation failed: aborts the server; in libkines notes it for this thread. */
void oom_failed(void);
/* Whether an allocation failed on this thread since the last call (libkines); forgets it. */
bool oom_take(void);
/* strdup and strndup that note a failure (NULL s: NULL, no failure). */
char *oom_strdup(const char *s);
char *oom_strndup(const char *s, size_t n);

#endif
