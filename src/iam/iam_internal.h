/* iam_internal.h - what the IAM service's files share beyond state.h and db.h.
 *
 *   iam.c      start-up: master key, iam.sqlite, the root credentials; `kinesd account create`
 *   service.c  the IAM and STS op tables, each operation's action and resources
 *   authn.c    verify mode: the SigV4 signature, the key, the session token, the clock
 *   authz.c    verify mode: AWS's policy evaluation for every operation, with a decision cache */
#ifndef KINESD_IAM_INTERNAL_H
#define KINESD_IAM_INTERNAL_H

#include "../common/masterkey.h"
#include "../core/dispatch.h"

/* The master key iam_open was given (iam_options.master). */
const masterkey *iam_master(void);

/* authn.c, authz.c: the hooks. */
bool iam_authenticate(const http_request *req, const auth_scope *scope, caller *who,
                      aws_error *err);
bool iam_authorize(op_call *call, const op_entry *entry);

#endif
