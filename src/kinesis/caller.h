/* caller.h - who is calling: account and region from the SigV4 Authorization header.
 *
 * kinesd does not verify signatures yet, but it answers a missing or malformed Authorization header
 * as AWS does (MissingAuthenticationTokenException, IncompleteSignatureException). The region is
 * the credential scope's, refused (InvalidSignatureException) unless it has the shape of an AWS
 * region; the account is the access key when that is a 12-digit number (a common convention of
 * local AWS emulators), else 000000000000. */
#ifndef KINESD_CALLER_H
#define KINESD_CALLER_H

#include <stdbool.h>

#include "../net/http.h"
#include "../protocol/awserr.h"

#define DEFAULT_ACCOUNT "000000000000"

typedef struct caller {
    char account[16];
    char region[32];
} caller;

bool caller_identify(const http_request *req, caller *out, aws_error *err);

#endif
