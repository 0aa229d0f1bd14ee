/* fnlog.c - functions' log files and their read-back route (see fnlog.h). */
#include "fnlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/log.h"
#include "code.h"

#define READ_MAX (1 << 20)

static char log_root[4200];

void fnlog_set_root(const char *data_dir)
{
    snprintf(log_root, sizeof log_root, "%s/logs/functions", data_dir);
}

static void log_dir(const char *account, const char *region, const char *name, char *out,
                    size_t len)
{
    snprintf(out, len, "%s/%s/%s/%s", log_root, account, region, name);
}

int fnlog_open(const fn_version *v)
{
    char dir[4400], path[4500];
    log_dir(v->account, v->region, v->name, dir, sizeof dir);
    for (char *p = dir + 1; *p; p++) { /* mkdir -p */
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0755);
            *p = '/';
        }
    }
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/function.log", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        log_error("lambda: cannot open %s: %s", path, strerror(errno));
    return fd;
}

void fnlog_remove(const fn_version *v)
{
    char dir[4400];
    log_dir(v->account, v->region, v->name, dir, sizeof dir);
    code_remove(dir);
}

/* "ACCOUNT/REGION/NAME" with no other slashes and no dot segments. */
static bool safe_name(const char *s)
{
    int slashes = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '/')
            slashes++;
        else if (!(*p == '-' || *p == '_' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                   (*p >= 'A' && *p <= 'Z')))
            return false;
    }
    return slashes == 2;
}

void fnlog_route(http_exchange *ex, const http_request *req, const caller *who)
{
    const char *rel = req->url + strlen(FNLOG_ROUTE);
    size_t account_len = strcspn(rel, "/");
    if (account_len != strlen(who->account) || strncmp(rel, who->account, account_len) != 0) {
        http_respond(ex, 403, NULL, "", 0); /* only the function's own account reads its log */
        return;
    }
    size_t n = strcspn(rel, "?");
    const char *from = strstr(rel + n, "from=");
    char name[400], path[4700];
    snprintf(name, sizeof name, "%.*s", (int)(n < 399 ? n : 399), rel);
    int fd = -1;
    if (safe_name(name)) {
        snprintf(path, sizeof path, "%s/%s/function.log", log_root, name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        http_respond(ex, 404, NULL, "", 0);
        return;
    }
    long long offset = from ? atoll(from + 5) : 0;
    char *buf = malloc(READ_MAX);
    ssize_t got = buf ? pread(fd, buf, READ_MAX, offset) : -1;
    close(fd);
    char next[64];
    snprintf(next, sizeof next, "X-Kinesd-Log-Next: %lld", offset + (got > 0 ? got : 0));
    const char *headers[] = {"Content-Type: text/plain", next, NULL};
    http_respond(ex, 200, headers, got > 0 ? buf : "", got > 0 ? (size_t)got : 0);
    free(buf);
}
