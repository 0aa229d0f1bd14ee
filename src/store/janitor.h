/* janitor.h - the store's deleting thread: files retention dropped and directories of destroyed
 * shard logs are unlinked here, so that neither an event loop nor the storage thread's commit
 * cycles wait for a file system to free blocks. */
#ifndef KINESD_JANITOR_H
#define KINESD_JANITOR_H

#include <stddef.h>

typedef struct janitor janitor;

typedef void (*janitor_done_fn)(void *arg);

janitor *janitor_start(void);
/* Finishes every queued job, then stops. */
void janitor_stop(janitor *j);

/* Unlinks paths[0 .. n) in order, then fsyncs dir. Takes the strings (and the array). */
void janitor_unlink(janitor *j, char **paths, size_t n, char *dir);
/* Deletes every file in dir, removes dir and fsyncs its parent; then calls done(arg) (may be
 * NULL) on the janitor's thread. Takes dir. */
void janitor_remove_dir(janitor *j, char *dir, janitor_done_fn done, void *arg);

#endif
