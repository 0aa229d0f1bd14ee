/* config.h - kinesd's settings: flags, KINESD_* environment variables, defaults.
 *
 * One global, filled once at start-up by config_load before any thread runs, read-only after. */
#ifndef KINESD_CONFIG_H
#define KINESD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "../store/store.h"

typedef enum {
    AUTH_DEFAULT, /* not chosen: open when listening on loopback, else verify */
    AUTH_OPEN,    /* any well-formed signature is believed */
    AUTH_VERIFY,  /* every signature and permission is checked */
} auth_mode;

typedef struct kinesd_config {
    char listen_host[256]; /* --listen HOST:PORT, default 127.0.0.1:4567 */
    int listen_port;
    char data_dir[4096];        /* --data-dir, default ./data */
    durability_mode durability; /* --durability sync|interval|none, default sync */
    int sync_interval_ms;       /* --sync-interval-ms for `interval`, default 100 */
    int transition_ms;          /* --transition-ms: CREATING/UPDATING/DELETING delay, default 200 */
    int shard_limit;            /* --shard-limit per account and region, default 500 */
    int threads;                /* --threads event loops, default: number of cores */
    size_t max_request_bytes;   /* --max-request-bytes, default 12 MiB */
    size_t memory_budget;       /* --memory-budget: bytes buffered for clients, default 512 MiB */
    int idle_timeout_ms;        /* --idle-timeout-ms, default 60000 */
    int log_level;              /* --log-level debug|info|warn|error, default info */
    auth_mode auth;             /* --auth open|verify; default: open on loopback, else verify */
    bool auth_explicit;         /* --auth was given as a flag (not only KINESD_AUTH) */
    char master_key_file[4096]; /* --master-key-file, default "" (<data-dir>/master.key) */
    recovery_mode recover;      /* --recover strict|quarantine, default strict */
    int metrics;                /* --metrics on|off: record metrics (1), default on */
    int metrics_max_mb;         /* --metrics-max-mb: metrics history on disk, default 256 */
    char metrics_token_file[4096]; /* --metrics-token-file: GET /metrics' bearer token; "" none */
    int lambda_concurrency;        /* --lambda-concurrency: a function's environments, default 10 */
    int lambda_retry_delay_ms;     /* --lambda-retry-delay-ms: first async retry, default 60000 */
    size_t lambda_code_limit;      /* --lambda-code-limit-bytes: unzipped code, default 250 MiB */
    char lambda_runtimes[4096];    /* --lambda-runtimes DIR: the runtime clients; "": found */
    char lambda_node[1024];        /* --lambda-node: the Node interpreter, default node (PATH) */
    char lambda_python[1024];      /* --lambda-python: the Python interpreter, default python3 */
    char tls_host[256];            /* --listen-tls HOST:PORT; "" (the default): no TLS port */
    int tls_port;                  /* the port of --listen-tls */
    char tls_cert[4096]; /* --tls-cert PEM chain; "" (default): DATA/tls/ development certificate */
    char tls_key[4096];  /* --tls-key PEM key of --tls-cert */
    bool throughput_limits; /* --throughput-limits aws (true) | off (false, the default) */
} kinesd_config;

extern kinesd_config kinesd_cfg;

/* Fills kinesd_cfg from defaults, then KINESD_* variables, then argv. Handles --help and
 * --version (prints, exits 0). Prints a one-line error and returns -1 on a bad flag. */
int config_load(int argc, char **argv);

#endif
