/* commands.h - kinesd-bench's subcommands. Each runs against o->endpoint on the default libuv
 * loop, prints one line of figures to stdout, and returns the process exit status. */
#ifndef KINESD_BENCH_COMMANDS_H
#define KINESD_BENCH_COMMANDS_H

#include <stdint.h>

#include "common/clock.h"
#include "options.h"

int cmd_wait_ready(const bench_options *o);
int cmd_create_stream(const bench_options *o);
int cmd_put_records(const bench_options *o);
int cmd_put_record(const bench_options *o);
int cmd_get_records(const bench_options *o);
int cmd_put_to_get(const bench_options *o);

static inline double seconds_since(int64_t start_ns)
{
    return (double)(clock_mono_ns() - start_ns) / 1e9;
}

#endif
