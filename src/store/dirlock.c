/* dirlock.c - the data directory's LOCK file (see dirlock.h). */
#include "dirlock.h"

#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int dirlock_acquire(const char *dir, char *why, int why_len)
{
    if (fs_mkdirs(dir) < 0) {
        snprintf(why, (size_t)why_len, "cannot create data directory %s: %s", dir, strerror(errno));
        return -1;
    }
    char path[4200];
    snprintf(path, sizeof(path), "%s/LOCK", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(why, (size_t)why_len, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK)
            snprintf(why, (size_t)why_len, "data directory %s is in use by another kinesd", dir);
        else
            snprintf(why, (size_t)why_len, "cannot lock %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}
