/* failsync.c - a fault for the tests: an LD_PRELOAD library whose fsync and fdatasync fail with
 * EIO once the file FAILSYNC_TRIGGER names exists (before that they are the real calls), the way
 * a disk that stops taking writes answers. Used by tests/integration/test_sync_failure.py. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

typedef int (*sync_fn)(int fd);

/* Whether the trigger file exists: the disk has "failed". */
static int failing(void)
{
    const char *trigger = getenv("FAILSYNC_TRIGGER");
    return trigger && access(trigger, F_OK) == 0;
}

static int sync_or_fail(const char *name, int fd)
{
    if (failing()) {
        errno = EIO;
        return -1;
    }
    sync_fn real = (sync_fn)dlsym(RTLD_NEXT, name);
    return real ? real(fd) : (errno = ENOSYS, -1);
}

int fsync(int fd)
{
    return sync_or_fail("fsync", fd);
}

int fdatasync(int fd)
{
    return sync_or_fail("fdatasync", fd);
}
