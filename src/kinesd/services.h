/* services.h - the services this kinesd serves, wired to the core in one place: opened (their
 * state loaded from the data directory), registered, and at the end stopped and closed, each in
 * a fixed order (see services.c). */
#ifndef KINESD_SERVICES_H
#define KINESD_SERVICES_H

#include "iam/iam.h"
#include "store/store.h"

/* Opens and registers every service (and, in verify mode, the authenticator). -1 (printed) when
 * one cannot start: then services_close undoes what was done. */
int services_open(store *st);
/* Once the HTTP server listens at endpoint ("http://127.0.0.1:4567"): functions call it. */
void services_listening(const char *endpoint);
/* Before the HTTP server stops: services let go of requests they hold (long polls, running
 * invocations). */
void services_quiesce(void);
/* After the HTTP server stopped (or services_open failed): stops the services' threads, closes
 * what was opened, closes the store (which the monitoring service watches until then), and the
 * monitoring service last. */
void services_close(store *st);
/* Loads the master key that seals secrets and stream data keys at rest: --master-key-file, else
 * <data-dir>/master.key (created on first use). services_open does it first; `kinesd account`
 * calls it itself. -1 (printed) when the key cannot be read or made. */
int services_load_master_key(void);
/* Where the identity service keeps its state, from the settings and the loaded master key (also
 * for `kinesd account`). */
iam_options services_identity_options(void);

#endif
