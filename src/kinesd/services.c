/* services.c - which services kinesd serves and in what order they start and stop (see
 * services.h).
 *
 * Each row opens one service's state and names what it registers with the core. They open in
 * table order (the monitoring registry before the services that record metrics, the queues
 * before the functions that deliver to them, identity last, as it authorizes everyone else's
 * operations), and close in reverse. The monitoring service
 * closes only after the store, whose commit cycles it observes until the store stops. */
#include "services.h"

#include <stdbool.h>
#include <stdio.h>

#include "common/masterkey.h"
#include "console/console.h"
#include "core/config.h"
#include "core/dispatch.h"
#include "core/service.h"
#include "iam/iam.h"
#include "kinesis/kinesis.h"
#include "lambda/lambda.h"
#include "monitoring/monitoring.h"
#include "monitoring/scrape_auth.h"
#include "protocol/model.h"
#include "sqs/sqs.h"

static bool monitoring_opened; /* closed by services_close, after the store */

static int open_monitoring(store *st)
{
    if (scrape_auth_configure(kinesd_cfg.auth == AUTH_VERIFY, kinesd_cfg.metrics_token_file) < 0)
        return -1;
    int rc = monitoring_open(st, kinesd_cfg.metrics, (int64_t)kinesd_cfg.metrics_max_mb << 20);
    monitoring_opened = rc == 0;
    return rc;
}

static void close_nothing(void)
{
    /* the monitoring service closes after the store (services_close); the console has no state */
}

static int open_nothing(store *st)
{
    (void)st; /* the console has no state: its files are in the binary */
    return 0;
}

/* The key that seals secrets and stream data keys at rest, shared by the services. */
static masterkey master;

int services_load_master_key(void)
{
    char path[4200], why[4400];
    bool named = kinesd_cfg.master_key_file[0] != '\0';
    if (named)
        snprintf(path, sizeof path, "%s", kinesd_cfg.master_key_file);
    else
        snprintf(path, sizeof path, "%s/master.key", kinesd_cfg.data_dir);
    if (masterkey_load(&master, path, !named, why, sizeof why) == 0)
        return 0;
    fprintf(stderr, "kinesd: %s\n", why);
    return -1;
}

iam_options services_identity_options(void)
{
    return (iam_options){kinesd_cfg.data_dir, &master, kinesd_cfg.auth == AUTH_VERIFY};
}

static int open_streams(store *st)
{
    char why[600];
    int rc = kinesis_open(st, &master, why, sizeof why);
    if (rc < 0 && why[0])
        fprintf(stderr, "kinesd: %s\n", why);
    return rc;
}

/* Functions deliver failures to queues through the queue service and, in verify mode, call
 * kinesd with sessions of their execution roles that the identity service issues. */
static int open_functions(store *st)
{
    lambda_set_sqs_deliver(sqs_deliver);
    static const lambda_roles roles = {.mint = iam_lambda_session,
                                       .may_pass = iam_may_pass_role,
                                       .can_assume = iam_lambda_can_assume,
                                       .allows = iam_role_allows};
    if (kinesd_cfg.auth == AUTH_VERIFY)
        lambda_set_roles(&roles);
    return lambda_open(st);
}

static int open_identity(store *st)
{
    (void)st;
    char why[4400];
    iam_options opt = services_identity_options();
    if (iam_open(&opt, why, sizeof why) == 0)
        return 0;
    fprintf(stderr, "kinesd: %s\n", why);
    return -1;
}

typedef struct wired {
    const char *what;       /* in the message when it cannot start */
    int (*open)(store *st); /* loads its state; -1 when it cannot */
    void (*close)(void);    /* once the core stopped it */
    service *registers[2];  /* what it registers with the core (NULL-padded) */
    bool opened;            /* open succeeded: close it */
} wired;

static wired services[] = {
    {"the metrics history", open_monitoring, close_nothing, {&monitoring_service, NULL}, false},
    {"the streams", open_streams, kinesis_close, {&kinesis_service, NULL}, false},
    {"the queues", sqs_open, sqs_close, {&sqs_service, NULL}, false},
    {"the functions", open_functions, lambda_close, {&lambda_service, NULL}, false},
    {"the identities", open_identity, iam_close, {&iam_service, &sts_service}, false},
    {"the console", open_nothing, close_nothing, {&console_service, NULL}, false},
};

#define SERVICE_COUNT (sizeof services / sizeof services[0])

/* Closes every opened service, newest first. */
static void close_opened(void)
{
    for (size_t i = SERVICE_COUNT; i-- > 0;) {
        if (services[i].opened)
            services[i].close();
        services[i].opened = false;
    }
}

static int register_all(void)
{
    for (size_t i = 0; i < SERVICE_COUNT; i++)
        for (size_t k = 0; k < 2 && services[i].registers[k]; k++)
            if (service_register(services[i].registers[k]) < 0) {
                fprintf(stderr, "kinesd: cannot start the %s service\n",
                        services[i].registers[k]->name);
                return -1;
            }
    dispatch_set_auth(kinesd_cfg.auth == AUTH_VERIFY ? iam_auth_hooks() : NULL);
    return 0;
}

static int open_all(store *st)
{
    if (services_load_master_key() < 0)
        return -1;
    for (size_t i = 0; i < SERVICE_COUNT; i++) {
        if (services[i].open(st) < 0) {
            fprintf(stderr, "kinesd: cannot load %s in %s\n", services[i].what,
                    kinesd_cfg.data_dir);
            return -1;
        }
        services[i].opened = true;
    }
    return 0;
}

int services_open(store *st)
{
    model_preload_start(); /* the services' models compile while their files open (mostly fsyncs) */
    int rc = open_all(st);
    model_preload_join();
    return rc < 0 ? -1 : register_all();
}

void services_listening(const char *endpoint)
{
    lambda_set_endpoint(endpoint);
}

void services_quiesce(void)
{
    lambda_quiesce();
    sqs_quiesce();
}

void services_close(store *st)
{
    service_stop_all();
    close_opened();
    store_close(st);
    if (monitoring_opened)
        monitoring_close();
    monitoring_opened = false;
    scrape_auth_clear();
}
