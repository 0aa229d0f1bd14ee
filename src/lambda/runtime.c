/* runtime.c - which runtimes kinesd runs, and where its runtime clients are (see runtime.h). */
#include "runtime.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct {
    const char *name;
    runtime_kind kind;
} runtimes[] = {
    {"provided.al2023", RUNTIME_PROVIDED}, {"provided.al2", RUNTIME_PROVIDED},
    {"nodejs20.x", RUNTIME_NODE},          {"nodejs22.x", RUNTIME_NODE},
    {"python3.11", RUNTIME_PYTHON},        {"python3.12", RUNTIME_PYTHON},
    {"python3.13", RUNTIME_PYTHON},
};

runtime_kind runtime_of(const char *runtime)
{
    for (size_t i = 0; i < sizeof runtimes / sizeof runtimes[0]; i++)
        if (strcmp(runtimes[i].name, runtime) == 0)
            return runtimes[i].kind;
    return RUNTIME_UNSUPPORTED;
}

const char *runtime_supported_list(void)
{
    return "provided.al2023, provided.al2, nodejs20.x, nodejs22.x, python3.11, python3.12, "
           "python3.13";
}

static bool has_clients(const char *dir)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/python/bootstrap.py", dir);
    return access(path, R_OK) == 0;
}

void runtime_find_dir(const char *configured, char *out, unsigned long len)
{
    if (configured && *configured) {
        snprintf(out, len, "%s", configured);
        return;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    static const char *const candidates[] = {"%s/share/kinesd/runtimes",
                                             "%s/../share/kinesd/runtimes"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(out, len, candidates[i], exe);
        if (has_clients(out))
            return;
    }
    out[0] = '\0';
}
