/* plshim.c - the power-loss simulator's recorder: an LD_PRELOAD library that logs every change a
 * process makes under one directory, so that replay.py can build the states a power cut could
 * have left.
 *
 * POWERLOSS_DIR names the directory (absolute), POWERLOSS_LOG the log file. Each event is a
 * little-endian header (u32 type, u32 path length, u64 monotonic time at completion, u64 file id,
 * u64 offset, u64 length, u64 cover, u32 second path length, u32 data length) followed by the
 * path, the second path and the data. Files are identified by an id given when they are created
 * (inode numbers are reused). An fsync or fdatasync is logged when it returns, with `cover` = the
 * number of events logged when it started: it makes durable the changes logged before that.
 * Writes are logged when they return, with their bytes. */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum {
    EV_CREATE = 1, /* file id, path */
    EV_WRITE,      /* file id, offset, data */
    EV_TRUNC,      /* file id, length */
    EV_FALLOC,     /* file id, offset, length, cover = mode */
    EV_FSYNC,      /* file id, cover */
    EV_FSYNC_DIR,  /* path, cover */
    EV_RENAME,     /* path, second path */
    EV_UNLINK,     /* path */
    EV_MKDIR,      /* path */
    EV_RMDIR,      /* path */
};

typedef struct __attribute__((packed)) ev_header {
    uint32_t type, path_len;
    uint64_t time_ns, file_id, offset, length, cover;
    uint32_t path2_len, data_len;
} ev_header;

typedef struct inode_id {
    dev_t dev;
    ino_t ino;
    uint64_t id;
} inode_id;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char root[PATH_MAX]; /* the watched directory, "" when the shim is idle */
static size_t root_len;
static int log_fd = -1;
static uint64_t events, next_id = 1;
static inode_id *inodes;
static size_t ninodes, capinodes;

#define REAL(ret, name, ...)                                                                       \
    static ret (*real_##name)(__VA_ARGS__);                                                        \
    static void load_##name(void)                                                                  \
    {                                                                                              \
        if (!real_##name)                                                                          \
            real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name);                            \
    }

REAL(int, openat, int, const char *, int, ...)
REAL(ssize_t, write, int, const void *, size_t)
REAL(ssize_t, pwrite, int, const void *, size_t, off_t)
REAL(ssize_t, pwrite64, int, const void *, size_t, off_t)
REAL(ssize_t, pwritev, int, const struct iovec *, int, off_t)
REAL(int, ftruncate, int, off_t)
REAL(int, ftruncate64, int, off_t)
REAL(int, fallocate, int, int, off_t, off_t)
REAL(int, fsync, int)
REAL(int, fdatasync, int)
REAL(int, rename, const char *, const char *)
REAL(int, unlink, const char *)
REAL(int, unlinkat, int, const char *, int)
REAL(int, mkdir, const char *, mode_t)
REAL(int, rmdir, const char *)

__attribute__((constructor)) static void init(void)
{
    const char *dir = getenv("POWERLOSS_DIR"), *path = getenv("POWERLOSS_LOG");
    if (!dir || !path || !realpath(dir, root))
        return;
    root_len = strlen(root);
    log_fd =
        (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
        root[0] = '\0';
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put_all(const void *p, size_t n)
{
    while (n) {
        ssize_t w = syscall(SYS_write, log_fd, p, n);
        if (w <= 0)
            abort();
        p = (const char *)p + w;
        n -= (size_t)w;
    }
}

/* Logs one event (under mu). */
static void emit(ev_header h, const char *path, const char *path2, const void *data)
{
    h.time_ns = now_ns();
    h.path_len = path ? (uint32_t)strlen(path) : 0;
    h.path2_len = path2 ? (uint32_t)strlen(path2) : 0;
    put_all(&h, sizeof h);
    put_all(path, h.path_len);
    put_all(path2, h.path2_len);
    put_all(data, h.data_len);
    events++;
}

/* The path under the watched directory ("" for itself), or NULL when outside it. */
static const char *relative(const char *abs)
{
    if (!root[0] || strncmp(abs, root, root_len) != 0 || (abs[root_len] && abs[root_len] != '/'))
        return NULL;
    return abs[root_len] ? abs + root_len + 1 : "";
}

static const char *resolve(int dirfd, const char *path, char *buf)
{
    if (path[0] == '/') {
        snprintf(buf, PATH_MAX, "%s", path);
    } else {
        char base[PATH_MAX / 2];
        if (dirfd == AT_FDCWD) {
            if (!getcwd(base, sizeof base))
                return NULL;
        } else {
            char link[64];
            snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
            ssize_t n = readlink(link, base, sizeof base - 1);
            if (n < 0)
                return NULL;
            base[n] = '\0';
        }
        snprintf(buf, PATH_MAX, "%s/%s", base, path);
    }
    return relative(buf);
}

static const char *fd_path(int fd, char *buf)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, PATH_MAX - 1);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return relative(buf);
}

static inode_id *find_inode(dev_t dev, ino_t ino)
{
    for (size_t i = 0; i < ninodes; i++)
        if (inodes[i].dev == dev && inodes[i].ino == ino)
            return &inodes[i];
    return NULL;
}

static uint64_t new_inode(dev_t dev, ino_t ino)
{
    inode_id *e = find_inode(dev, ino);
    if (!e) {
        if (ninodes == capinodes) {
            capinodes = capinodes ? capinodes * 2 : 256;
            inodes = realloc(inodes, capinodes * sizeof *inodes);
            if (!inodes)
                abort();
        }
        e = &inodes[ninodes++];
        e->dev = dev;
        e->ino = ino;
    }
    e->id = next_id++;
    return e->id;
}

/* The id of the regular file open as fd under the watched directory, 0 otherwise. */
static uint64_t file_of(int fd, bool *is_dir)
{
    struct stat sb;
    char buf[PATH_MAX];
    *is_dir = false;
    if (!root[0] || fd == log_fd || fstat(fd, &sb) < 0)
        return 0;
    if (S_ISDIR(sb.st_mode)) {
        *is_dir = fd_path(fd, buf) != NULL;
        return 0;
    }
    inode_id *e = find_inode(sb.st_dev, sb.st_ino);
    return e ? e->id : 0;
}

static void after_open(int dirfd, const char *path, int flags, bool existed, int fd)
{
    char buf[PATH_MAX];
    struct stat sb;
    const char *rel;
    if (fd < 0 || !root[0] || !(rel = resolve(dirfd, path, buf)) || fstat(fd, &sb) < 0 ||
        !S_ISREG(sb.st_mode))
        return;
    pthread_mutex_lock(&mu);
    if (!existed) {
        emit((ev_header){.type = EV_CREATE, .file_id = new_inode(sb.st_dev, sb.st_ino)}, rel, NULL,
             NULL);
    } else {
        inode_id *e = find_inode(sb.st_dev, sb.st_ino);
        uint64_t id = e ? e->id : new_inode(sb.st_dev, sb.st_ino);
        if (!e) /* a file from before the recording: its content is unknown, start it empty */
            emit((ev_header){.type = EV_CREATE, .file_id = id}, rel, NULL, NULL);
        if (flags & O_TRUNC)
            emit((ev_header){.type = EV_TRUNC, .file_id = id}, NULL, NULL, NULL);
    }
    pthread_mutex_unlock(&mu);
}

static bool exists_at(int dirfd, const char *path)
{
    struct stat sb;
    return fstatat(dirfd, path, &sb, 0) == 0;
}

static int open_common(int dirfd, const char *path, int flags, mode_t mode)
{
    load_openat();
    bool existed = exists_at(dirfd, path);
    int fd = real_openat(dirfd, path, flags, mode);
    after_open(dirfd, path, flags, existed, fd);
    return fd;
}

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return open_common(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return open_common(AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return open_common(dirfd, path, flags, mode);
}

static void log_write(int fd, const void *data, ssize_t n, off_t at)
{
    bool is_dir;
    if (n <= 0 || !root[0])
        return;
    pthread_mutex_lock(&mu);
    uint64_t id = file_of(fd, &is_dir);
    if (id)
        emit((ev_header){.type = EV_WRITE,
                         .file_id = id,
                         .offset = (uint64_t)at,
                         .length = (uint64_t)n,
                         .data_len = (uint32_t)n},
             NULL, NULL, data);
    pthread_mutex_unlock(&mu);
}

ssize_t write(int fd, const void *p, size_t n)
{
    load_write();
    ssize_t w = real_write(fd, p, n);
    if (w > 0 && root[0]) {
        off_t end = lseek(fd, 0, SEEK_CUR);
        if (end >= 0)
            log_write(fd, p, w, end - w);
    }
    return w;
}

ssize_t pwrite(int fd, const void *p, size_t n, off_t at)
{
    load_pwrite();
    ssize_t w = real_pwrite(fd, p, n, at);
    log_write(fd, p, w, at);
    return w;
}

ssize_t pwrite64(int fd, const void *p, size_t n, off_t at)
{
    load_pwrite64();
    ssize_t w = real_pwrite64(fd, p, n, at);
    log_write(fd, p, w, at);
    return w;
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t at)
{
    load_pwritev();
    ssize_t w = real_pwritev(fd, iov, cnt, at);
    ssize_t left = w;
    for (int i = 0; i < cnt && left > 0; i++) {
        ssize_t part = (ssize_t)iov[i].iov_len < left ? (ssize_t)iov[i].iov_len : left;
        log_write(fd, iov[i].iov_base, part, at);
        at += part;
        left -= part;
    }
    return w;
}

static void log_size_change(int fd, int type, uint64_t offset, uint64_t length, uint64_t mode)
{
    bool is_dir;
    pthread_mutex_lock(&mu);
    uint64_t id = file_of(fd, &is_dir);
    if (id)
        emit((ev_header){.type = (uint32_t)type,
                         .file_id = id,
                         .offset = offset,
                         .length = length,
                         .cover = mode},
             NULL, NULL, NULL);
    pthread_mutex_unlock(&mu);
}

int ftruncate(int fd, off_t len)
{
    load_ftruncate();
    int rc = real_ftruncate(fd, len);
    if (rc == 0 && root[0])
        log_size_change(fd, EV_TRUNC, 0, (uint64_t)len, 0);
    return rc;
}

int ftruncate64(int fd, off_t len)
{
    load_ftruncate64();
    int rc = real_ftruncate64(fd, len);
    if (rc == 0 && root[0])
        log_size_change(fd, EV_TRUNC, 0, (uint64_t)len, 0);
    return rc;
}

int fallocate(int fd, int mode, off_t at, off_t len)
{
    load_fallocate();
    int rc = real_fallocate(fd, mode, at, len);
    if (rc == 0 && root[0])
        log_size_change(fd, EV_FALLOC, (uint64_t)at, (uint64_t)len, (uint64_t)mode);
    return rc;
}

static int sync_common(int fd, int (*real)(int))
{
    if (!root[0])
        return real(fd);
    pthread_mutex_lock(&mu);
    uint64_t cover = events;
    pthread_mutex_unlock(&mu);
    int rc = real(fd);
    if (rc != 0)
        return rc;
    bool is_dir;
    char buf[PATH_MAX];
    pthread_mutex_lock(&mu);
    uint64_t id = file_of(fd, &is_dir);
    if (id)
        emit((ev_header){.type = EV_FSYNC, .file_id = id, .cover = cover}, NULL, NULL, NULL);
    else if (is_dir)
        emit((ev_header){.type = EV_FSYNC_DIR, .cover = cover}, fd_path(fd, buf), NULL, NULL);
    pthread_mutex_unlock(&mu);
    return rc;
}

int fsync(int fd)
{
    load_fsync();
    return sync_common(fd, real_fsync);
}

int fdatasync(int fd)
{
    load_fdatasync();
    return sync_common(fd, real_fdatasync);
}

static void log_path_op(int type, int dirfd, const char *path, const char *path2)
{
    char a[PATH_MAX], b[PATH_MAX];
    const char *ra = resolve(dirfd, path, a);
    const char *rb = path2 ? resolve(AT_FDCWD, path2, b) : NULL;
    if (!ra && !rb)
        return;
    pthread_mutex_lock(&mu);
    emit((ev_header){.type = (uint32_t)type}, ra ? ra : "", rb, NULL);
    pthread_mutex_unlock(&mu);
}

int rename(const char *from, const char *to)
{
    load_rename();
    int rc = real_rename(from, to);
    if (rc == 0 && root[0])
        log_path_op(EV_RENAME, AT_FDCWD, from, to);
    return rc;
}

int unlink(const char *path)
{
    load_unlink();
    int rc = real_unlink(path);
    if (rc == 0 && root[0])
        log_path_op(EV_UNLINK, AT_FDCWD, path, NULL);
    return rc;
}

int unlinkat(int dirfd, const char *path, int flags)
{
    load_unlinkat();
    char buf[PATH_MAX];
    const char *rel = root[0] ? resolve(dirfd, path, buf) : NULL;
    char saved[2 * PATH_MAX];
    if (rel)
        snprintf(saved, sizeof saved, "%s/%s", root, rel);
    int rc = real_unlinkat(dirfd, path, flags);
    if (rc == 0 && rel)
        log_path_op(flags & AT_REMOVEDIR ? EV_RMDIR : EV_UNLINK, AT_FDCWD, saved, NULL);
    return rc;
}

int mkdir(const char *path, mode_t mode)
{
    load_mkdir();
    int rc = real_mkdir(path, mode);
    if (rc == 0 && root[0])
        log_path_op(EV_MKDIR, AT_FDCWD, path, NULL);
    return rc;
}

int rmdir(const char *path)
{
    load_rmdir();
    int rc = real_rmdir(path);
    if (rc == 0 && root[0])
        log_path_op(EV_RMDIR, AT_FDCWD, path, NULL);
    return rc;
}
