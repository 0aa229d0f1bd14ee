/* code.c - unpacking, installing and removing function code (see code.h). */
#include "code.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/base64.h"
#include "../common/log.h"
#include "../common/uuid.h"
#include "../core/config.h"

#define BAD_ZIP "Could not unzip uploaded file. Please check your file, then try to upload again."

static char code_root[4200];

void code_set_root(const char *data_dir)
{
    snprintf(code_root, sizeof code_root, "%s/functions", data_dir);
}

void code_dir(const fn_version *v, const char *version, char *out, size_t len)
{
    snprintf(out, len, "%s/%s/%s/%s%s%s", code_root, v->account, v->region, v->name,
             version ? "/" : "", version ? version : "");
}

void code_sha256(const void *data, size_t len, char out[48])
{
    unsigned char digest[32];
    unsigned int n = 0;
    EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL);
    base64_encode(digest, n, out);
    out[base64_encoded_len(n)] = '\0';
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[4400];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void code_remove(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* --- safe paths ----------------------------------------------------------------------------- */

/* Whether a relative path stays inside its root, lexically ("a/../b" does, "../b" does not). */
static bool stays_inside(const char *path)
{
    if (path[0] == '/')
        return false;
    int depth = 0;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            depth--;
        else if (n > 0 && !(n == 1 && p[0] == '.'))
            depth++;
        if (depth < 0)
            return false;
        p += n + (p[n] == '/');
    }
    return true;
}

/* Whether a symbolic link at `entry` pointing to `target` stays inside the root. */
static bool link_stays_inside(const char *entry, const char *target)
{
    if (target[0] == '/')
        return false;
    char joined[8192];
    const char *slash = strrchr(entry, '/');
    int dir_len = slash ? (int)(slash - entry) + 1 : 0;
    snprintf(joined, sizeof joined, "%.*s%s", dir_len, entry, target);
    return stays_inside(joined);
}

/* --- unpacking ------------------------------------------------------------------------------ */

typedef struct unpacker {
    struct archive *ar;
    const char *root; /* the task directory */
    int64_t written;  /* bytes of file data so far */
    aws_error *err;
} unpacker;

static int refuse(unpacker *u, const char *why, const char *entry)
{
    aws_error_set(u->err, 400, "InvalidParameterValueException", "%s (%s: %s)", BAD_ZIP, why,
                  entry);
    return -1;
}

static int copy_data(unpacker *u, int fd, const char *name)
{
    const void *block;
    size_t size;
    la_int64_t offset;
    int rc;
    while ((rc = archive_read_data_block(u->ar, &block, &size, &offset)) == ARCHIVE_OK) {
        u->written += (int64_t)size;
        if ((uint64_t)u->written > kinesd_cfg.lambda_code_limit) {
            aws_error_set(u->err, 400, "InvalidParameterValueException",
                          "Unzipped size must be smaller than %zu bytes",
                          kinesd_cfg.lambda_code_limit);
            return -1;
        }
        if (pwrite(fd, block, size, offset) != (ssize_t)size)
            return refuse(u, "cannot write", name);
    }
    return rc == ARCHIVE_EOF ? 0 : refuse(u, archive_error_string(u->ar), name);
}

static int extract_file(unpacker *u, struct archive_entry *e, const char *name, const char *path)
{
    mode_t mode = archive_entry_perm(e) & 0111 ? 0755 : 0644;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return refuse(u, "cannot create", name);
    int rc = copy_data(u, fd, name);
    close(fd);
    return rc;
}

static int extract_entry(unpacker *u, struct archive_entry *e)
{
    const char *name = archive_entry_pathname(e);
    if (!name || !*name || !stays_inside(name))
        return refuse(u, "the entry leaves the function's directory", name ? name : "");
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", u->root, name);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    int rc = make_dirs(path);
    *slash = '/';
    if (rc < 0)
        return refuse(u, "cannot create its directory", name);
    switch (archive_entry_filetype(e)) {
    case AE_IFDIR:
        return make_dirs(path) < 0 ? refuse(u, "cannot create", name) : 0;
    case AE_IFLNK: {
        const char *target = archive_entry_symlink(e);
        if (!target || !link_stays_inside(name, target))
            return refuse(u, "a symbolic link points out of the function's directory", name);
        return symlink(target, path) < 0 ? refuse(u, "cannot create", name) : 0;
    }
    case AE_IFREG:
        return extract_file(u, e, name, path);
    default:
        return refuse(u, "not a file, directory or symbolic link", name);
    }
}

/* Unpacks the zip into root; -1 with err set. */
static int unpack(const void *zip, size_t len, const char *root, aws_error *err)
{
    unpacker u = {archive_read_new(), root, 0, err};
    archive_read_support_format_zip(u.ar);
    int rc = archive_read_open_memory(u.ar, zip, len) == ARCHIVE_OK ? 0 : -1;
    if (rc < 0)
        aws_error_set(err, 400, "InvalidParameterValueException", BAD_ZIP);
    struct archive_entry *e;
    int next;
    while (rc == 0 && (next = archive_read_next_header(u.ar, &e)) != ARCHIVE_EOF) {
        if (next != ARCHIVE_OK && next != ARCHIVE_WARN) {
            aws_error_set(err, 400, "InvalidParameterValueException", BAD_ZIP);
            rc = -1;
        } else {
            rc = extract_entry(&u, e);
        }
    }
    archive_read_free(u.ar);
    return rc;
}

static int write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    bool ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    return ok ? 0 : -1;
}

/* A new empty staging directory with its task/ inside; -1 on error (logged). */
static int make_staging(const fn_version *v, char *staging, size_t cap)
{
    char fn_dir[4400], id[UUID_STR_LEN + 1], task[4500];
    code_dir(v, NULL, fn_dir, sizeof fn_dir);
    uuid_v4(id);
    snprintf(staging, cap, "%s/.staging-%s", fn_dir, id);
    snprintf(task, sizeof task, "%s/task", staging);
    if (make_dirs(task) < 0) {
        log_error("lambda: cannot create %s: %s", task, strerror(errno));
        return -1;
    }
    return 0;
}

int code_stage(const fn_version *v, const void *zip, size_t len, char *staging, size_t cap,
               aws_error *err)
{
    char path[4500];
    if (make_staging(v, staging, cap) < 0) {
        aws_error_set(err, 500, "ServiceException", "Cannot store the function's code.");
        return -1;
    }
    snprintf(path, sizeof path, "%s/task", staging);
    if (unpack(zip, len, path, err) < 0) {
        code_remove(staging);
        return -1;
    }
    snprintf(path, sizeof path, "%s/code.zip", staging);
    if (write_file(path, zip, len) < 0) {
        aws_error_set(err, 500, "ServiceException", "Cannot store the function's code.");
        code_remove(staging);
        return -1;
    }
    return 0;
}

int code_stage_copy(const fn_version *from, char *staging, size_t cap, aws_error *err)
{
    char path[4500];
    code_dir(from, from->version, path, sizeof path);
    strncat(path, "/code.zip", sizeof path - strlen(path) - 1);
    FILE *f = fopen(path, "rb");
    if (!f) {
        aws_error_set(err, 500, "ServiceException", "The function's code is missing.");
        return -1;
    }
    char *zip = malloc((size_t)from->code_size + 1);
    size_t len = zip ? fread(zip, 1, (size_t)from->code_size, f) : 0;
    fclose(f);
    int rc = code_stage(from, zip, len, staging, cap, err);
    free(zip);
    return rc;
}

int code_install(const fn_version *v, const char *staging)
{
    char final[4400], old[4500];
    code_dir(v, v->version, final, sizeof final);
    snprintf(old, sizeof old, "%s.old", staging);
    bool had_old = rename(final, old) == 0;
    if (rename(staging, final) < 0) {
        log_error("lambda: cannot install %s: %s", final, strerror(errno));
        return -1;
    }
    if (had_old)
        code_remove(old);
    return 0;
}
