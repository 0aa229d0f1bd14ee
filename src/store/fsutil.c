/* fsutil.c - directory creation and syncing for the store (see fsutil.h). */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

int fs_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = fd >= 0 && fsync(fd) == 0 ? 0 : -1;
    if (rc < 0)
        log_error("store: cannot sync directory %s: %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    return rc;
}

int fs_sync_parent(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        abort();
    int rc = fs_sync_dir(dirname(copy));
    free(copy);
    return rc;
}

/* Creates one directory whose parent exists; 0 also when it already exists. */
static int make_one(const char *path)
{
    if (mkdir(path, 0755) == 0)
        return fs_sync_parent(path);
    return errno == EEXIST ? 0 : -1;
}

int fs_mkdirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        abort();
    int rc = 0;
    for (char *slash = strchr(p + 1, '/'); rc == 0 && slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        rc = make_one(p);
        *slash = '/';
    }
    if (rc == 0)
        rc = make_one(p);
    if (rc < 0)
        log_error("store: cannot create directory %s: %s", path, strerror(errno));
    free(p);
    return rc;
}
