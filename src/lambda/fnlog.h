/* fnlog.h - functions' logs: DATA/logs/functions/ACCOUNT/REGION/NAME/function.log, one file per
 * function with every execution environment's output and Lambda's START / END / REPORT lines,
 * and the plain HTTP route that reads it back (kinesctl logs).
 *
 * Written on the environment thread (envmgr.c), read on loop threads: appends of whole chunks
 * with O_APPEND, reads of what is there. */
#ifndef KINESD_LAMBDA_FNLOG_H
#define KINESD_LAMBDA_FNLOG_H

#include <stddef.h>

#include "../core/caller.h"
#include "../net/http.h"
#include "function.h"

#define FNLOG_ROUTE "/_kinesd/lambda/logs/" /* + ACCOUNT/REGION/NAME?from=OFFSET */

void fnlog_set_root(const char *data_dir);
/* Opens (creating) the function's log for appending; -1 (logged) on error. */
int fnlog_open(const fn_version *v);
/* Removes a deleted function's log directory. */
void fnlog_remove(const fn_version *v);

/* GET FNLOG_ROUTE ACCOUNT/REGION/NAME?from=OFFSET: up to 1 MiB of the log from OFFSET, with
 * X-Kinesd-Log-Next: the offset to ask for next (404 when the function never logged). */
void fnlog_route(http_exchange *ex, const http_request *req, const caller *who);

#endif
