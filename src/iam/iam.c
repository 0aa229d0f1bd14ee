/* iam.c - the identity service's start-up and the `kinesd account create` command (see iam.h).
 *
 * Start-up opens iam.sqlite under the master key main.c loaded (refusing a master key that does
 * not open it), loads every identity, and makes sure the default account exists.
 * In verify mode the default account gets a root key: KINESD_ROOT_ACCESS_KEY_ID and
 * KINESD_ROOT_SECRET_ACCESS_KEY when set (kept in memory only), else a generated key stored in
 * iam.sqlite and written once to <data-dir>/root-credentials (0600) as the profile
 * [kinesd-root]. */
#include "iam.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "db.h"
#include "iam_internal.h"

static const masterkey *master;

const masterkey *iam_master(void)
{
    return master;
}

static const dispatch_auth_hooks hooks = {iam_authenticate, iam_authorize};

const dispatch_auth_hooks *iam_auth_hooks(void)
{
    return &hooks;
}

static int open_store(const iam_options *opt, char *why, size_t why_len)
{
    master = opt->master;
    return db_open(opt->data_dir, master, why, why_len);
}

/* Creates an account and its root key in one transaction; NULL on error. */
static iam_key *create_account(const char *id, bool with_key)
{
    iam_account *a = calloc(1, sizeof *a);
    if (!a)
        abort();
    snprintf(a->id, sizeof a->id, "%s", id);
    a->created_ms = clock_now_ms();
    iam_key *k = with_key ? key_new(id, NULL, a->created_ms) : NULL;
    int rc = db_begin();
    rc = rc || db_put_account(a) || (k && db_put_key(k));
    if (rc || db_commit() != 0) {
        if (rc)
            db_rollback();
        free(a);
        if (k)
            state_remove_key(k); /* never added: only freed */
        return NULL;
    }
    state_add_account(a);
    if (k)
        state_add_key(k);
    return k;
}

static int write_credentials(const char *path, const char *profile, const iam_key *k)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    fprintf(f, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", profile, k->id,
            k->secret);
    return fclose(f) == 0 ? 0 : -1;
}

/* The root key from the environment, in memory only. */
static int root_key_from_env(const char *id, const char *secret, char *why, size_t why_len)
{
    if (strlen(id) < 16 || strlen(id) > IAM_KEY_ID_LEN + 108 || strlen(secret) < 16 ||
        strlen(secret) > IAM_SECRET_MAX ||
        strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(id)) {
        snprintf(why, why_len,
                 "KINESD_ROOT_ACCESS_KEY_ID must be 16 or more upper-case letters and digits and "
                 "KINESD_ROOT_SECRET_ACCESS_KEY 16 to %d characters",
                 IAM_SECRET_MAX);
        return -1;
    }
    iam_key *existing = state_key(id);
    if (existing && (existing->user || strcmp(existing->account, DEFAULT_ACCOUNT) != 0)) {
        snprintf(why, why_len, "KINESD_ROOT_ACCESS_KEY_ID %s already belongs to another identity",
                 id);
        return -1;
    }
    if (existing)
        state_remove_key(existing);
    iam_key *k = key_new(DEFAULT_ACCOUNT, NULL, clock_now_ms());
    snprintf(k->id, sizeof k->id, "%s", id);
    snprintf(k->secret, sizeof k->secret, "%s", secret);
    state_add_key(k);
    return 0;
}

/* Verify mode: the default account's root key, from the environment or made once. */
static int ensure_root_key(const iam_options *opt, char *why, size_t why_len)
{
    const char *id = getenv("KINESD_ROOT_ACCESS_KEY_ID");
    const char *secret = getenv("KINESD_ROOT_SECRET_ACCESS_KEY");
    if (id && *id && secret && *secret)
        return root_key_from_env(id, secret, why, why_len);
    iam_key *keys[1];
    if (state_user_keys(DEFAULT_ACCOUNT, NULL, keys, 1))
        return 0;
    iam_key *k = key_new(DEFAULT_ACCOUNT, NULL, clock_now_ms());
    char path[4200];
    snprintf(path, sizeof path, "%s/root-credentials", opt->data_dir);
    if (db_begin() != 0 || db_put_key(k) != 0 || db_commit() != 0 ||
        write_credentials(path, "kinesd-root", k) != 0) {
        snprintf(why, why_len, "cannot create the root credentials in %s: %s", path,
                 strerror(errno));
        state_remove_key(k);
        return -1;
    }
    state_add_key(k);
    log_info("root credentials of account %s written to %s (profile kinesd-root)", DEFAULT_ACCOUNT,
             path);
    return 0;
}

int iam_open(const iam_options *opt, char *why, size_t why_len)
{
    if (open_store(opt, why, why_len) != 0)
        return -1;
    if (db_load() != 0) {
        snprintf(why, why_len, "cannot load %s/iam.sqlite (see the log)", opt->data_dir);
        iam_close();
        return -1;
    }
    bool ok = state_account(DEFAULT_ACCOUNT) || create_account(DEFAULT_ACCOUNT, false) ||
              state_account(DEFAULT_ACCOUNT);
    if (!ok || (opt->verify && ensure_root_key(opt, why, why_len) != 0)) {
        if (!ok)
            snprintf(why, why_len, "cannot write %s/iam.sqlite", opt->data_dir);
        iam_close();
        return -1;
    }
    return 0;
}

void iam_close(void)
{
    state_clear();
    db_close();
}

static bool is_account_id(const char *id)
{
    return strlen(id) == 12 && strspn(id, "0123456789") == 12;
}

int iam_account_command(const iam_options *opt, int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[0], "create") != 0 || !is_account_id(argv[1])) {
        fprintf(stderr, "usage: kinesd account create ACCOUNT_ID   (12 digits; kinesd stopped)\n");
        return 2;
    }
    char why[4400];
    if (open_store(opt, why, sizeof why) != 0 || db_load() != 0) {
        fprintf(stderr, "kinesd: %s\n", why);
        return 1;
    }
    int rc = 0;
    iam_key *k = NULL;
    if (state_account(argv[1])) {
        fprintf(stderr, "kinesd: account %s already exists\n", argv[1]);
        rc = 1;
    } else if (!(k = create_account(argv[1], true))) {
        fprintf(stderr, "kinesd: cannot write %s/iam.sqlite\n", opt->data_dir);
        rc = 1;
    } else {
        printf("[kinesd-%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", argv[1], k->id,
               k->secret);
    }
    iam_close();
    return rc;
}
