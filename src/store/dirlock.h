/* dirlock.h - one kinesd per data directory.
 *
 * Two servers appending to the same shard logs would corrupt them, so a server holds an exclusive
 * flock on <data-dir>/LOCK for its whole life; the kernel drops it when the process ends, however
 * it ends (kill -9 included), so a stale lock never blocks a restart. */
#ifndef KINESD_DIRLOCK_H
#define KINESD_DIRLOCK_H

/* Creates the directory if needed and takes the lock. Returns the lock's file descriptor (keep it
 * open), or -1 with a one-line reason in why (another process holds it, or an I/O error). */
int dirlock_acquire(const char *dir, char *why, int why_len);

#endif
