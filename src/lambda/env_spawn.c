/* env_spawn.c - starting an execution environment's runtime process (see env.h).
 *
 * The command by runtime: provided.* runs TASK/bootstrap; nodejs* runs the Node interpreter on
 * RUNTIMES/node/index.mjs; python3.* runs the Python interpreter on RUNTIMES/python/bootstrap.py
 * (interpreters found on PATH, or as --lambda-node / --lambda-python say). The environment is
 * Lambda's: the function's variables, then AWS_LAMBDA_RUNTIME_API, _HANDLER, LAMBDA_TASK_ROOT,
 * AWS_LAMBDA_FUNCTION_*, AWS_REGION, and AWS_ENDPOINT_URL with credentials for kinesd itself.
 *
 * Everything the child needs is prepared before fork; between fork and exec the child makes
 * system calls only: a process group of its own (so a timeout kills the runtime and whatever it
 * started), death with kinesd (PR_SET_PDEATHSIG: a kill -9 of kinesd leaves no runtime behind),
 * default signal dispositions and mask, stdout and stderr into the log pipe, cwd = task. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/clock.h"
#include "../core/config.h"
#include "code.h"
#include "env.h"
#include "roles.h"
#include "runtime.h"

#define MAX_ENV 160

extern char **environ;

typedef struct spawn_plan {
    char *argv[6];
    char *envp[MAX_ENV];
    int envc;
    char task[4500];
    kbuf text; /* backing store of argv and envp strings */
} spawn_plan;

/* The full path of an executable: as given when it has a slash, else found on PATH. */
static bool find_executable(const char *name, char *out, size_t len)
{
    if (strchr(name, '/')) {
        snprintf(out, len, "%s", name);
        return access(out, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        snprintf(out, len, "%.*s/%s", (int)n, p, name);
        if (n && access(out, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

static void add_env(spawn_plan *plan, const char *key, const char *value)
{
    if (plan->envc >= MAX_ENV - 1)
        return;
    char *s = NULL;
    if (asprintf(&s, "%s=%s", key, value) < 0)
        abort();
    plan->envp[plan->envc++] = s;
}

static bool env_has(const spawn_plan *plan, const char *key)
{
    size_t n = strlen(key);
    for (int i = 0; i < plan->envc; i++)
        if (strncmp(plan->envp[i], key, n) == 0 && plan->envp[i][n] == '=')
            return true;
    return false;
}

static void add_function_variables(spawn_plan *plan, const fn_version *v)
{
    json_object *vars = v->env_json ? json_tokener_parse(v->env_json) : NULL;
    if (vars && json_object_is_type(vars, json_type_object)) {
        json_object_object_foreach(vars, key, val)
        {
            add_env(plan, key, json_object_get_string(val));
        }
    }
    json_object_put(vars);
}

static void add_credential(void *plan, const char *key, const char *value)
{
    add_env(plan, key, value);
}

static void add_standard_variables(spawn_plan *plan, const fn_env *e, const char *endpoint)
{
    const fn_version *v = e->fv;
    char num[32], stream[128], group[128];
    snprintf(num, sizeof num, "127.0.0.1:%d", e->port);
    add_env(plan, "AWS_LAMBDA_RUNTIME_API", num);
    add_env(plan, "_HANDLER", v->handler);
    add_env(plan, "LAMBDA_TASK_ROOT", plan->task);
    add_env(plan, "AWS_LAMBDA_FUNCTION_NAME", v->name);
    add_env(plan, "AWS_LAMBDA_FUNCTION_VERSION", v->version);
    snprintf(num, sizeof num, "%d", v->memory_mb);
    add_env(plan, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", num);
    snprintf(group, sizeof group, "/aws/lambda/%s", v->name);
    add_env(plan, "AWS_LAMBDA_LOG_GROUP_NAME", group);
    snprintf(stream, sizeof stream, "[%s]kinesd-env-%d", v->version, e->id);
    add_env(plan, "AWS_LAMBDA_LOG_STREAM_NAME", stream);
    add_env(plan, "AWS_REGION", v->region);
    add_env(plan, "AWS_DEFAULT_REGION", v->region);
    snprintf(group, sizeof group, "AWS_Lambda_%s", v->runtime);
    add_env(plan, "AWS_EXECUTION_ENV", group);
    add_env(plan, "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    add_env(plan, "AWS_ENDPOINT_URL", endpoint);
    roles_credentials(v, clock_now_ms() + ENV_CREDENTIALS_MS, add_credential, plan);
    add_env(plan, "TZ", ":UTC");
    add_env(plan, "LANG", "C.UTF-8");
    const char *path = getenv("PATH");
    add_env(plan, "PATH", path ? path : "/usr/local/bin:/usr/bin:/bin");
    if (!env_has(plan, "PYTHONUNBUFFERED"))
        add_env(plan, "PYTHONUNBUFFERED", "1");
}

/* The command for the runtime; false with the Runtime.* error in why. */
static bool plan_command(spawn_plan *plan, const fn_version *v, const char *runtimes_dir, kbuf *why)
{
    char exe[4600], script[4600];
    runtime_kind kind = runtime_of(v->runtime);
    if (kind == RUNTIME_PROVIDED) {
        snprintf(exe, sizeof exe, "%s/bootstrap", plan->task);
        if (access(exe, X_OK) != 0) {
            kbuf_printf(why,
                        "{\"errorType\":\"Runtime.InvalidEntrypoint\",\"errorMessage\":"
                        "\"Couldn't find valid bootstrap(s): [%s]\"}",
                        exe);
            return false;
        }
        plan->argv[0] = strdup(exe);
        plan->argv[1] = NULL;
        return true;
    }
    bool node = kind == RUNTIME_NODE;
    const char *interpreter = node ? kinesd_cfg.lambda_node : kinesd_cfg.lambda_python;
    if (!find_executable(interpreter, exe, sizeof exe)) {
        kbuf_printf(why,
                    "{\"errorType\":\"Runtime.InvalidEntrypoint\",\"errorMessage\":"
                    "\"kinesd cannot find the interpreter %s for %s\"}",
                    interpreter, v->runtime);
        return false;
    }
    snprintf(script, sizeof script, "%s/%s", runtimes_dir,
             node ? "node/index.mjs" : "python/bootstrap.py");
    plan->argv[0] = strdup(exe);
    if (node) {
        char heap[64]; /* as Lambda does: the V8 heap within the function's memory */
        snprintf(heap, sizeof heap, "--max-old-space-size=%d", v->memory_mb * 9 / 10);
        plan->argv[1] = strdup(heap);
        plan->argv[2] = strdup(script);
        plan->argv[3] = NULL;
    } else {
        plan->argv[1] = strdup(script);
        plan->argv[2] = NULL;
    }
    return true;
}

static void plan_free(spawn_plan *plan)
{
    for (int i = 0; plan->argv[i]; i++)
        free(plan->argv[i]);
    for (int i = 0; i < plan->envc; i++)
        free(plan->envp[i]);
}

/* In the child, between fork and exec: system calls only. */
static void child_exec(spawn_plan *plan, int out_fd, pid_t parent)
{
    setsid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
        dup2(devnull, 0);
    dup2(out_fd, 1);
    dup2(out_fd, 2);
    if (chdir(plan->task) != 0)
        _exit(126);
    execve(plan->argv[0], plan->argv, plan->envp);
    _exit(127);
}

int env_spawn_process(fn_env *e, const char *runtimes_dir, const char *endpoint, kbuf *why)
{
    spawn_plan plan = {0};
    code_dir(e->fv, e->fv->version, plan.task, sizeof plan.task);
    strncat(plan.task, "/task", sizeof plan.task - strlen(plan.task) - 1);
    if (!plan_command(&plan, e->fv, runtimes_dir, why)) {
        plan_free(&plan);
        return -1;
    }
    add_function_variables(&plan, e->fv);
    add_standard_variables(&plan, e, endpoint);
    plan.envp[plan.envc] = NULL;
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
        plan_free(&plan);
        kbuf_printf(why, "{\"errorType\":\"Runtime.Unknown\",\"errorMessage\":\"pipe: %s\"}",
                    strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    e->spawned_ns = clock_mono_ns();
    pid_t pid = fork();
    if (pid == 0)
        child_exec(&plan, pipe_fds[1], parent);
    close(pipe_fds[1]);
    plan_free(&plan);
    if (pid < 0) {
        close(pipe_fds[0]);
        kbuf_printf(why, "{\"errorType\":\"Runtime.Unknown\",\"errorMessage\":\"fork: %s\"}",
                    strerror(errno));
        return -1;
    }
    fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) { /* without it the exit would go unnoticed: give up on this process */
        kbuf_printf(why, "{\"errorType\":\"Runtime.Unknown\",\"errorMessage\":\"pidfd_open: %s\"}",
                    strerror(errno));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(pipe_fds[0]);
        return -1;
    }
    e->pid = pid;
    e->out_fd = pipe_fds[0];
    e->pidfd = pidfd;
    return 0;
}
