/* scrape_auth.h - who may read GET /metrics. Its text names every account's streams and queues,
 * so it is as open as kinesd: anyone may read it when kinesd believes every caller (--auth open);
 * with --metrics-token-file only a scraper presenting that token ("Authorization: Bearer TOKEN",
 * what Prometheus sends for `authorization: {credentials_file: FILE}`), in either mode; in
 * --auth verify without a token, nobody (403, saying what to configure). */
#ifndef KINESD_SCRAPE_AUTH_H
#define KINESD_SCRAPE_AUTH_H

#include <stdbool.h>

#include "../net/http.h"

/* Reads the token (the file's text, surrounding white space trimmed) when token_file is not
 * "": -1 (logged) when it cannot be read or is empty. At start-up, before any request. */
int scrape_auth_configure(bool verify, const char *token_file);
void scrape_auth_clear(void);

/* Whether req may read GET /metrics; when not, ex has been answered (401 or 403). */
bool scrape_auth_admit(http_exchange *ex, const http_request *req);

#endif
