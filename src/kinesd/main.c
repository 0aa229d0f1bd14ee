/* main.c - the kinesd process: settings, start-up in dependency order, and a clean stop on
 * SIGTERM or SIGINT.
 *
 * The signals are blocked before any thread starts, so every thread inherits the mask and only
 * the main thread, waiting in sigwait, ever sees them. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "core/config.h"
#include "core/dispatch.h"
#include "core/service.h"
#include "kinesis/iterator.h"
#include "kinesis/kinesis.h"
#include "net/http.h"
#include "protocol/model.h"
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

static http_server *start_http(void)
{
    http_server_config cfg = {
        .host = kinesd_cfg.listen_host,
        .port = kinesd_cfg.listen_port,
        .threads = kinesd_cfg.threads,
        .max_request_bytes = kinesd_cfg.max_request_bytes,
        .idle_timeout_ms = kinesd_cfg.idle_timeout_ms,
        .handler = dispatch_request,
        .loop_init = dispatch_loop_init,
        .loop_done = dispatch_loop_done,
    };
    return http_server_start(&cfg);
}

/* "127.0.0.1:4567" or "[::1]:4567". */
static void format_address(char *out, size_t len, const char *host, int port)
{
    snprintf(out, len, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
}

int main(int argc, char **argv)
{
    if (config_load(argc, argv) < 0)
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
    if (iterator_init(kinesd_cfg.data_dir, why, sizeof(why)) < 0) {
        fprintf(stderr, "kinesd: %s\n", why);
        store_close(st);
        return 1;
    }
    if (kinesis_open(st) < 0) {
        fprintf(stderr, "kinesd: cannot load the metadata in %s\n", kinesd_cfg.data_dir);
        store_close(st);
        return 1;
    }
    if (service_register(&kinesis_service) < 0) {
        fprintf(stderr, "kinesd: cannot start the Kinesis service\n");
        kinesis_close();
        store_close(st);
        return 1;
    }
    char address[300];
    format_address(address, sizeof(address), kinesd_cfg.listen_host, kinesd_cfg.listen_port);
    http_server *srv = start_http();
    if (!srv) {
        fprintf(stderr, "kinesd: cannot listen on %s\n", address);
        service_stop_all();
        kinesis_close();
        store_close(st);
        return 1;
    }
    format_address(address, sizeof(address), kinesd_cfg.listen_host, http_server_port(srv));
    log_info("kinesd listening on %s (data %s, durability %s)", address, kinesd_cfg.data_dir,
             durability_name(kinesd_cfg.durability));

    int sig;
    sigwait(&stop_signals, &sig);
    log_info("kinesd stopping (%s)", strsignal(sig));
    http_server_stop(srv);
    service_stop_all();
    kinesis_close();
    store_close(st);
    model_unload();
    return 0;
}
