/* config.c - kinesd's settings (see config.h): defaults, then KINESD_* variables, then flags.
 *
 * Every setting is one row of `settings`: its flag, its environment variable, the kind of value
 * and where it goes. Flags are given as "--name value" or "--name=value". */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/log.h"

kinesd_config kinesd_cfg;

typedef enum {
    KIND_LISTEN,
    KIND_LISTEN_TLS,
    KIND_PATH,
    KIND_FILE,
    KIND_INT,
    KIND_SIZE,
    KIND_DURABILITY,
    KIND_LOG_LEVEL,
    KIND_AUTH,
    KIND_RECOVER,
    KIND_ON_OFF,
    KIND_TEXT, /* a char array of kinesd_config at offset, of size max */
    KIND_LIMITS
} kind;

typedef struct setting {
    const char *flag; /* without the leading "--" */
    const char *env;
    const char *arg; /* the value's name in --help */
    const char *help;
    kind kind;
    size_t offset; /* into kinesd_config (KIND_INT, KIND_SIZE, KIND_FILE, KIND_ON_OFF) */
    long long min, max;
} setting;

#define AT(field) offsetof(kinesd_config, field)

static const setting settings[] = {
    {"listen", "KINESD_LISTEN", "HOST:PORT", "address to listen on ([::1]:PORT for IPv6)",
     KIND_LISTEN, 0, 0, 0},
    {"data-dir", "KINESD_DATA_DIR", "DIR", "data directory (created if missing)", KIND_PATH, 0, 0,
     0},
    {"durability", "KINESD_DURABILITY", "MODE", "sync (ack after fdatasync) | interval | none",
     KIND_DURABILITY, 0, 0, 0},
    {"sync-interval-ms", "KINESD_SYNC_INTERVAL_MS", "MS", "fdatasync period for `interval`",
     KIND_INT, AT(sync_interval_ms), 1, 3600000},
    {"transition-ms", "KINESD_TRANSITION_MS", "MS", "CREATING/UPDATING/DELETING delay", KIND_INT,
     AT(transition_ms), 0, 3600000},
    {"shard-limit", "KINESD_SHARD_LIMIT", "N", "shards per account and region", KIND_INT,
     AT(shard_limit), 1, 1000000},
    {"threads", "KINESD_THREADS", "N", "event loops (threads)", KIND_INT, AT(threads), 1, 256},
    {"max-request-bytes", "KINESD_MAX_REQUEST_BYTES", "BYTES", "largest accepted request body",
     KIND_SIZE, AT(max_request_bytes), 1024, 1LL << 30},
    {"memory-budget", "KINESD_MEMORY_BUDGET", "BYTES",
     "bytes buffered for clients (requests, responses) before reads pause and bodies get 503",
     KIND_SIZE, AT(memory_budget), 1LL << 20, 1LL << 40},
    {"idle-timeout-ms", "KINESD_IDLE_TIMEOUT_MS", "MS", "idle connection and slow request timeout",
     KIND_INT, AT(idle_timeout_ms), 1, 86400000},
    {"log-level", "KINESD_LOG_LEVEL", "LEVEL", "debug | info | warn | error", KIND_LOG_LEVEL, 0, 0,
     0},
    {"auth", "KINESD_AUTH", "MODE",
     "open (believe any well-formed signature) | verify (check signatures and policies)", KIND_AUTH,
     0, 0, 0},
    {"master-key-file", "KINESD_MASTER_KEY_FILE", "FILE",
     "the 32-byte key that seals secrets at rest", KIND_FILE, AT(master_key_file), 0, 0},
    {"recover", "KINESD_RECOVER", "MODE",
     "damaged logs: strict (refuse to start) | quarantine (move aside, accept the loss)",
     KIND_RECOVER, 0, 0, 0},
    {"metrics", "KINESD_METRICS", "on|off", "record metrics (CloudWatch API, GET /metrics)",
     KIND_ON_OFF, AT(metrics), 0, 1},
    {"metrics-max-mb", "KINESD_METRICS_MAX_MB", "MB", "metrics history kept on disk", KIND_INT,
     AT(metrics_max_mb), 1, 1000000},
    {"metrics-token-file", "KINESD_METRICS_TOKEN_FILE", "FILE",
     "GET /metrics then needs \"Authorization: Bearer <the file's text>\" (required to scrape "
     "in --auth verify)",
     KIND_FILE, AT(metrics_token_file), 0, 0},
    {"lambda-concurrency", "KINESD_LAMBDA_CONCURRENCY", "N",
     "execution environments per function without reserved concurrency", KIND_INT,
     AT(lambda_concurrency), 0, 1000},
    {"lambda-retry-delay-ms", "KINESD_LAMBDA_RETRY_DELAY_MS", "MS",
     "delay before an async invocation's first retry (doubles for the second)", KIND_INT,
     AT(lambda_retry_delay_ms), 0, 3600000},
    {"lambda-code-limit-bytes", "KINESD_LAMBDA_CODE_LIMIT_BYTES", "BYTES",
     "largest unzipped function code (Lambda's quota)", KIND_SIZE, AT(lambda_code_limit), 1024,
     1LL << 40},
    {"lambda-runtimes", "KINESD_LAMBDA_RUNTIMES", "DIR",
     "the Node and Python runtime clients (default: share/kinesd/runtimes by the binary)",
     KIND_TEXT, AT(lambda_runtimes), 0, sizeof(((kinesd_config *)0)->lambda_runtimes)},
    {"lambda-node", "KINESD_LAMBDA_NODE", "PATH", "the Node.js interpreter of nodejs runtimes",
     KIND_TEXT, AT(lambda_node), 0, sizeof(((kinesd_config *)0)->lambda_node)},
    {"lambda-python", "KINESD_LAMBDA_PYTHON", "PATH", "the Python interpreter of python runtimes",
     KIND_TEXT, AT(lambda_python), 0, sizeof(((kinesd_config *)0)->lambda_python)},
    {"listen-tls", "KINESD_LISTEN_TLS", "HOST:PORT",
     "also serve HTTPS (TLS 1.2+, ALPN h2 and http/1.1) on this address", KIND_LISTEN_TLS, 0, 0, 0},
    {"tls-cert", "KINESD_TLS_CERT", "FILE",
     "PEM certificate chain for --listen-tls (none: a development CA's, in DATA-DIR/tls/)",
     KIND_TEXT, AT(tls_cert), 0, sizeof(((kinesd_config *)0)->tls_cert)},
    {"tls-key", "KINESD_TLS_KEY", "FILE", "PEM private key of --tls-cert", KIND_TEXT, AT(tls_key),
     0, sizeof(((kinesd_config *)0)->tls_key)},
    {"throughput-limits", "KINESD_THROUGHPUT_LIMITS", "MODE",
     "aws (enforce AWS's shard, stream and API rates) | off", KIND_LIMITS, 0, 0, 0},
};

#define SETTING_COUNT (sizeof(settings) / sizeof(settings[0]))

static const char *const durability_names[] = {"sync", "interval", "none"};
static const char *const log_level_names[] = {"debug", "info", "warn", "error"};
static const char *const auth_names[] = {"", "open", "verify"};
static const char *const recover_names[] = {"strict", "quarantine"};
static const char *const on_off_names[] = {"off", "on"};
static const char *const limits_names[] = {"off", "aws"};

static void set_defaults(kinesd_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->listen_host, sizeof(cfg->listen_host), "127.0.0.1");
    cfg->listen_port = 4567;
    snprintf(cfg->data_dir, sizeof(cfg->data_dir), "./data");
    cfg->durability = DURABILITY_SYNC;
    cfg->sync_interval_ms = 100;
    cfg->transition_ms = 200;
    cfg->shard_limit = 500;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->threads = cores > 0 ? (int)(cores < 256 ? cores : 256) : 1;
    cfg->max_request_bytes = 12u << 20;
    cfg->memory_budget = (size_t)512 << 20;
    cfg->idle_timeout_ms = 60000;
    cfg->log_level = LOG_INFO;
    cfg->metrics = 1;
    cfg->metrics_max_mb = 256;
    cfg->lambda_concurrency = 10;
    cfg->lambda_retry_delay_ms = 60000;
    cfg->lambda_code_limit = 262144000;
    snprintf(cfg->lambda_node, sizeof(cfg->lambda_node), "node");
    snprintf(cfg->lambda_python, sizeof(cfg->lambda_python), "python3");
}

/* "HOST:PORT" or "[V6ADDR]:PORT" into host (of host_size bytes) and *port_out. */
static int parse_listen(const char *value, char *host_out, size_t host_size, int *port_out)
{
    const char *host = value, *colon;
    size_t host_len;
    if (value[0] == '[') {
        const char *close = strchr(value, ']');
        if (!close || close[1] != ':')
            return -1;
        host = value + 1;
        host_len = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(value, ':');
        if (!colon || memchr(value, ':', (size_t)(colon - value)))
            return -1; /* no port, or an IPv6 address without brackets */
        host_len = (size_t)(colon - value);
    }
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (host_len == 0 || host_len >= host_size || colon[1] == '\0' || *end || errno || port < 0 ||
        port > 65535)
        return -1;
    memcpy(host_out, host, host_len);
    host_out[host_len] = '\0';
    *port_out = (int)port;
    return 0;
}

static int parse_number(const char *value, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(value, &end, 10);
    if (end == value || *end || errno || n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

static int name_index(const char *value, const char *const *names, int count)
{
    for (int i = 0; i < count; i++)
        if (strcmp(value, names[i]) == 0)
            return i;
    return -1;
}

/* At file scope: C11 (clang, the fuzz build) allows no declaration right after a case label. */
_Static_assert(sizeof(((kinesd_config *)0)->metrics_token_file) ==
                   sizeof(((kinesd_config *)0)->master_key_file),
               "every KIND_FILE field is as large as master_key_file");

static int apply(const setting *s, const char *value, kinesd_config *cfg)
{
    long long n;
    int i;
    switch (s->kind) {
    case KIND_LISTEN:
        return parse_listen(value, cfg->listen_host, sizeof(cfg->listen_host), &cfg->listen_port);
    case KIND_LISTEN_TLS:
        return parse_listen(value, cfg->tls_host, sizeof(cfg->tls_host), &cfg->tls_port);
    case KIND_PATH:
        if (!*value || strlen(value) >= sizeof(cfg->data_dir))
            return -1;
        snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", value);
        return 0;
    case KIND_INT:
    case KIND_SIZE:
        if (parse_number(value, s->min, s->max, &n) < 0)
            return -1;
        if (s->kind == KIND_INT)
            *(int *)((char *)cfg + s->offset) = (int)n;
        else
            *(size_t *)((char *)cfg + s->offset) = (size_t)n;
        return 0;
    case KIND_DURABILITY:
        if ((i = name_index(value, durability_names, 3)) < 0)
            return -1;
        cfg->durability = (durability_mode)i;
        return 0;
    case KIND_LOG_LEVEL:
        if ((i = log_level_parse(value)) < 0)
            return -1;
        cfg->log_level = i;
        return 0;
    case KIND_AUTH:
        if ((i = name_index(value, auth_names, 3)) <= 0)
            return -1;
        cfg->auth = (auth_mode)i;
        return 0;
    case KIND_FILE: /* every KIND_FILE field is as large as master_key_file (asserted above) */
        if (!*value || strlen(value) >= sizeof(cfg->master_key_file))
            return -1;
        snprintf((char *)cfg + s->offset, sizeof(cfg->master_key_file), "%s", value);
        return 0;
    case KIND_RECOVER:
        if ((i = name_index(value, recover_names, 2)) < 0)
            return -1;
        cfg->recover = (recovery_mode)i;
        return 0;
    case KIND_ON_OFF:
        if ((i = name_index(value, on_off_names, 2)) < 0)
            return -1;
        *(int *)((char *)cfg + s->offset) = i;
        return 0;
    case KIND_TEXT:
        if (strlen(value) >= (size_t)s->max)
            return -1;
        snprintf((char *)cfg + s->offset, (size_t)s->max, "%s", value);
        return 0;
    case KIND_LIMITS:
        if ((i = name_index(value, limits_names, 2)) < 0)
            return -1;
        cfg->throughput_limits = i == 1;
        return 0;
    }
    return -1;
}

/* The default of s, as --help shows it. */
static void format_default(const setting *s, const kinesd_config *cfg, char *out, size_t len)
{
    switch (s->kind) {
    case KIND_LISTEN:
        snprintf(out, len, "%s:%d", cfg->listen_host, cfg->listen_port);
        break;
    case KIND_PATH:
        snprintf(out, len, "%s", cfg->data_dir);
        break;
    case KIND_INT:
        snprintf(out, len, "%d", *(const int *)((const char *)cfg + s->offset));
        break;
    case KIND_SIZE:
        snprintf(out, len, "%zu", *(const size_t *)((const char *)cfg + s->offset));
        break;
    case KIND_DURABILITY:
        snprintf(out, len, "%s", durability_names[cfg->durability]);
        break;
    case KIND_LOG_LEVEL:
        snprintf(out, len, "%s", log_level_names[cfg->log_level]);
        break;
    case KIND_AUTH:
        snprintf(out, len, "open on loopback, else verify");
        break;
    case KIND_LISTEN_TLS:
        snprintf(out, len, "none");
        break;
    case KIND_FILE:
        snprintf(out, len, "DATA-DIR/master.key");
        break;
    case KIND_RECOVER:
        snprintf(out, len, "%s", recover_names[cfg->recover]);
        break;
    case KIND_ON_OFF:
        snprintf(out, len, "%s", on_off_names[*(const int *)((const char *)cfg + s->offset)]);
        break;
    case KIND_TEXT:
        snprintf(out, len, "%s", (const char *)cfg + s->offset);
        break;
    case KIND_LIMITS:
        snprintf(out, len, "%s", limits_names[cfg->throughput_limits]);
        break;
    }
}

static void print_usage(void)
{
    kinesd_config defaults;
    set_defaults(&defaults);
    printf("usage: kinesd [options]\n"
           "       kinesd account create ACCOUNT_ID [options]   (with kinesd stopped)\n\n"
           "An Amazon Kinesis Data Streams compatible server.\n\n"
           "Options (each also read from its environment variable; flags win):\n");
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const setting *s = &settings[i];
        char left[64], def[sizeof(defaults.data_dir) + 16];
        snprintf(left, sizeof(left), "--%s %s", s->flag, s->arg);
        format_default(s, &defaults, def, sizeof(def));
        printf("  %-28s %s\n  %-28s [%s, default %s]\n", left, s->help, "", s->env, def);
    }
    printf("  %-28s %s\n  %-28s %s\n", "--help", "print this help and exit", "--version",
           "print the version and exit");
}

static const setting *find_flag(const char *name, size_t len)
{
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (strlen(settings[i].flag) == len && strncmp(settings[i].flag, name, len) == 0)
            return &settings[i];
    return NULL;
}

static int load_env(kinesd_config *cfg)
{
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const char *value = getenv(settings[i].env);
        if (value && apply(&settings[i], value, cfg) < 0) {
            fprintf(stderr, "kinesd: invalid value '%s' for %s\n", value, settings[i].env);
            return -1;
        }
    }
    return 0;
}

/* Applies argv; 1 when --help or --version was handled, -1 on error. */
static int load_flags(int argc, char **argv, kinesd_config *cfg)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_usage();
            return 1;
        }
        if (strcmp(arg, "--version") == 0) {
            printf("kinesd %s\n", KINESD_VERSION);
            return 1;
        }
        const char *eq = strchr(arg, '=');
        const setting *s =
            strncmp(arg, "--", 2) == 0 ? find_flag(arg + 2, strcspn(arg + 2, "=")) : NULL;
        if (!s) {
            fprintf(stderr, "kinesd: unknown option '%s' (see --help)\n", arg);
            return -1;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) {
            fprintf(stderr, "kinesd: --%s needs a value\n", s->flag);
            return -1;
        }
        if (apply(s, value, cfg) < 0) {
            fprintf(stderr, "kinesd: invalid value '%s' for --%s\n", value, s->flag);
            return -1;
        }
        cfg->auth_explicit = cfg->auth_explicit || s->kind == KIND_AUTH;
    }
    return 0;
}

/* --tls-cert and --tls-key come together, and only with --listen-tls. */
static int check_tls(const kinesd_config *cfg)
{
    if (!cfg->tls_cert[0] != !cfg->tls_key[0]) {
        fprintf(stderr, "kinesd: --tls-cert and --tls-key must be given together\n");
        return -1;
    }
    if (cfg->tls_cert[0] && !cfg->tls_host[0]) {
        fprintf(stderr, "kinesd: --tls-cert needs --listen-tls HOST:PORT\n");
        return -1;
    }
    return 0;
}

int config_load(int argc, char **argv)
{
    set_defaults(&kinesd_cfg);
    if (load_env(&kinesd_cfg) < 0)
        return -1;
    int rc = load_flags(argc, argv, &kinesd_cfg);
    if (rc == 1)
        exit(0);
    return rc < 0 ? rc : check_tls(&kinesd_cfg);
}
