/* console.h - the web console (issue 12): a static single-page application served at /console/
 * from files embedded in the binary (src/console/web, see docs/console.md). The page talks to
 * kinesd through the same AWS APIs as any client (Kinesis, CloudWatch, SQS, STS), signing them
 * with SigV4 in the browser; the server side is only this route. */
#ifndef KINESD_CONSOLE_H
#define KINESD_CONSOLE_H

#include "../core/service.h"

#define CONSOLE_PATH "/console"

/* A routes-only service: GET /console (a redirect to /console/) and GET /console/<file>. */
extern service console_service;

#endif
