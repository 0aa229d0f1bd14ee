/* main.c - kinesd-bench, the load generator of `make bench`: picks the subcommand, bounds the
 * whole run with a watchdog, and returns the subcommand's status. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

typedef struct bench_command {
    const char *name;
    int (*run)(const bench_options *o);
} bench_command;

static const bench_command commands[] = {
    {"wait-ready", cmd_wait_ready},   {"create-stream", cmd_create_stream},
    {"put-records", cmd_put_records}, {"put-record", cmd_put_record},
    {"get-records", cmd_get_records}, {"put-to-get", cmd_put_to_get},
};

/* Seconds the watchdog grants beyond --max-seconds for set-up and a last slow answer. */
#define WATCHDOG_GRACE_S 15

static void on_watchdog(uv_timer_t *timer)
{
    (void)timer;
    fprintf(stderr, "kinesd-bench: giving up: the run took too long\n");
    exit(2);
}

int main(int argc, char **argv)
{
    bench_options o;
    if (options_parse(argc, argv, &o) != 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    uv_timer_t watchdog;
    uv_timer_init(uv_default_loop(), &watchdog);
    uv_timer_start(&watchdog, on_watchdog, (uint64_t)(o.max_seconds + WATCHDOG_GRACE_S) * 1000, 0);
    uv_unref((uv_handle_t *)&watchdog);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(o.command, commands[i].name) == 0)
            return commands[i].run(&o);
    fprintf(stderr, "kinesd-bench: unknown command %s\n", o.command);
    options_usage();
    return 2;
}
