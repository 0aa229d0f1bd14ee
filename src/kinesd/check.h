/* check.h - `kinesd check DATA`: the offline scrub an operator runs on a stopped server's data
 * directory. */
#ifndef KINESD_CHECK_H
#define KINESD_CHECK_H

/* Checks every shard log of data_dir (every frame's CRC, segment chaining, .idx against the log)
 * against meta.sqlite (a directory for every shard and a shard for every directory, closed shards'
 * end offsets within their logs), printing a report to stdout. Changes nothing. Returns the exit
 * status: 0 clean, 1 damage found, 2 the check could not run. */
int kinesd_check(const char *data_dir);

#endif
