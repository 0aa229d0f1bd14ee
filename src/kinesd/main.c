/* main.c - the kinesd process: settings, start-up in dependency order, and a clean stop on
 * SIGTERM or SIGINT.
 *
 * The signals are blocked before any thread starts, so every thread inherits the mask and only
 * the main thread, waiting in sigwait, ever sees them. */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "common/log.h"
#include "core/config.h"
#include "core/dispatch.h"
#include "iam/iam.h"
#include "kinesis/iterator.h"
#include "net/http.h"
#include "net/tls.h"
#include "protocol/model.h"
#include "services.h"
#include "store/dirlock.h"
#include "store/store.h"

static const char *durability_name(durability_mode mode)
{
    switch (mode) {
    case DURABILITY_SYNC:
        return "sync";
    case DURABILITY_INTERVAL:
        return "interval";
    case DURABILITY_NONE:
        return "none";
    }
    return "?";
}

#define TLS_RENEW_CHECK_S 3600 /* how often the development certificate's end is looked at */

static http_server *start_http(tls_context *tls)
{
    http_server_config cfg = {
        .host = kinesd_cfg.listen_host,
        .port = kinesd_cfg.listen_port,
        .threads = kinesd_cfg.threads,
        .max_request_bytes = kinesd_cfg.max_request_bytes,
        .memory_budget = kinesd_cfg.memory_budget,
        .idle_timeout_ms = kinesd_cfg.idle_timeout_ms,
        .handler = dispatch_request,
        .loop_init = dispatch_loop_init,
        .loop_done = dispatch_loop_done,
        .tls = tls,
        .tls_host = kinesd_cfg.tls_host,
        .tls_port = kinesd_cfg.tls_port,
    };
    return http_server_start(&cfg);
}

/* "127.0.0.1:4567" or "[::1]:4567". */
static void format_address(char *out, size_t len, const char *host, int port)
{
    snprintf(out, len, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
}

static bool is_loopback(const char *host)
{
    unsigned char addr[16];
    if (inet_pton(AF_INET, host, addr) == 1)
        return addr[0] == 127;
    return strcmp(host, "::1") == 0 || strcmp(host, "localhost") == 0;
}

/* Protected mode: verify unless every listen address is loopback; serving others unverified
 * takes an explicit --auth open. -1 (printed) when refused. */
static int choose_auth_mode(void)
{
    bool loopback = is_loopback(kinesd_cfg.listen_host) &&
                    (!kinesd_cfg.tls_host[0] || is_loopback(kinesd_cfg.tls_host));
    if (kinesd_cfg.auth == AUTH_DEFAULT)
        kinesd_cfg.auth = loopback ? AUTH_OPEN : AUTH_VERIFY;
    if (kinesd_cfg.auth == AUTH_OPEN && !loopback && !kinesd_cfg.auth_explicit) {
        fprintf(stderr,
                "kinesd: refusing to serve %s without checking signatures (KINESD_AUTH=open is "
                "for loopback only): pass --auth open to accept any client, or --auth verify\n",
                kinesd_cfg.listen_host);
        return -1;
    }
    return 0;
}

/* The TLS context for --listen-tls (NULL without it; *failed when it cannot be made). */
static tls_context *open_tls(bool *failed)
{
    *failed = false;
    if (!kinesd_cfg.tls_host[0])
        return NULL;
    tls_options opt = {kinesd_cfg.tls_cert[0] ? kinesd_cfg.tls_cert : NULL,
                       kinesd_cfg.tls_key[0] ? kinesd_cfg.tls_key : NULL, kinesd_cfg.data_dir};
    char why[4400];
    tls_context *tls = tls_context_open(&opt, why, sizeof why);
    if (!tls) {
        fprintf(stderr, "kinesd: TLS: %s\n", why);
        *failed = true;
    }
    return tls;
}

/* Waits for SIGTERM or SIGINT; meanwhile renews the development certificate when it is due. */
static int wait_for_stop(const sigset_t *stop_signals, tls_context *tls)
{
    struct timespec period = {TLS_RENEW_CHECK_S, 0};
    for (;;) {
        int sig = sigtimedwait(stop_signals, NULL, &period);
        if (sig > 0)
            return sig;
        if (tls)
            tls_context_renew(tls, (int64_t)time(NULL));
    }
}

/* Why start-up stopped: damaged shard logs (and what to do), or unloadable metadata. */
static void report_refusal(store *st)
{
    const char *damage = store_damage_report(st);
    if (!*damage) {
        fprintf(stderr, "kinesd: cannot load the metadata in %s\n", kinesd_cfg.data_dir);
        return;
    }
    fprintf(stderr,
            "kinesd: damaged data in %s, nothing was changed:\n%s"
            "kinesd: `kinesd check %s` lists all damage; to start anyway, moving the damaged "
            "files into %s/quarantine and accepting the loss named above, pass --recover "
            "quarantine (or KINESD_RECOVER=quarantine)\n",
            kinesd_cfg.data_dir, damage, kinesd_cfg.data_dir, kinesd_cfg.data_dir);
}

/* `kinesd account create ID [options]` (the options follow the ID), on a stopped kinesd's data
 * directory. */
static int account_command(int argc, char **argv)
{
    bool with_id = argc >= 4 && strcmp(argv[2], "create") == 0;
    if (config_load(with_id ? argc - 3 : 1, with_id ? argv + 3 : argv) < 0)
        return 2;
    char why[4400];
    if (with_id && dirlock_acquire(kinesd_cfg.data_dir, why, sizeof why) < 0) {
        fprintf(stderr, "kinesd: %s\n", why);
        return 1;
    }
    if (with_id && services_load_master_key() < 0)
        return 1;
    iam_options opt = services_identity_options();
    return iam_account_command(&opt, with_id ? 2 : argc - 2, argv + 2);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "check") == 0)
        return kinesd_check(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "account") == 0)
        return account_command(argc, argv);
    if (config_load(argc, argv) < 0 || choose_auth_mode() < 0)
        return 2;
    log_set_level((log_level)kinesd_cfg.log_level);
    if (!model_get(MODEL_KINESIS))
        return 1;

    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    char why[4400];
    if (dirlock_acquire(kinesd_cfg.data_dir, why, sizeof(why)) < 0) {
        fprintf(stderr, "kinesd: %s\n", why);
        return 1;
    }
    store *st = store_open(kinesd_cfg.data_dir, kinesd_cfg.durability, kinesd_cfg.sync_interval_ms,
                           dispatch_on_durable, NULL);
    if (!st) {
        fprintf(stderr, "kinesd: cannot open data directory %s\n", kinesd_cfg.data_dir);
        return 1;
    }
    dispatch_set_store(st);
    store_set_recovery(st, kinesd_cfg.recover);
    if (iterator_init(kinesd_cfg.data_dir, why, sizeof(why)) < 0) {
        fprintf(stderr, "kinesd: %s\n", why);
        store_close(st);
        return 1;
    }
    if (services_open(st) < 0) {
        report_refusal(st);
        return 1;
    }
    char address[300];
    format_address(address, sizeof(address), kinesd_cfg.listen_host, kinesd_cfg.listen_port);
    bool tls_failed;
    tls_context *tls = open_tls(&tls_failed);
    http_server *srv = tls_failed ? NULL : start_http(tls);
    if (!srv) {
        if (!tls_failed)
            fprintf(stderr, "kinesd: cannot listen on %s\n", address);
        tls_context_close(tls);
        services_close(st);
        return 1;
    }
    format_address(address, sizeof(address), kinesd_cfg.listen_host, http_server_port(srv));
    log_info("auth %s: %s", kinesd_cfg.auth == AUTH_VERIFY ? "verify" : "open",
             kinesd_cfg.auth == AUTH_VERIFY ? "every signature and permission is checked"
                                            : "any well-formed signature is believed");
    char endpoint[320];
    snprintf(endpoint, sizeof(endpoint), "http://%s", address);
    services_listening(endpoint);
    log_info("kinesd listening on %s (data %s, durability %s)", address, kinesd_cfg.data_dir,
             durability_name(kinesd_cfg.durability));
    if (tls) {
        format_address(address, sizeof(address), kinesd_cfg.tls_host, http_server_tls_port(srv));
        const char *ca = tls_context_ca_file(tls);
        log_info("kinesd listening for TLS on %s (certificate %s%s)", address,
                 ca ? "of the development CA " : kinesd_cfg.tls_cert, ca ? ca : "");
    }

    int sig = wait_for_stop(&stop_signals, tls);
    log_info("kinesd stopping (%s)", strsignal(sig));
    services_quiesce();
    http_server_stop(srv);
    tls_context_close(tls);
    services_close(st);
    model_unload();
    return 0;
}
