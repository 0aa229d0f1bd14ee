/* function.h - the functions kinesd knows: their versions and settings, in memory, persisted in
 * DATA/lambda.sqlite (fnmeta.c), and the lookups the operations make.
 *
 * Threads and locking (docs/threading.md): only the Lambda control thread changes functions; it
 * reads them without a lock and takes lambda_lock exclusively only to publish (pointer swaps and
 * field assignments). Loop threads and the environment thread read under lambda_lock shared. A
 * version's configuration never changes once published: an update of $LATEST makes a new
 * fn_version and swaps it in, so whoever took a reference (fn_version_ref) may keep using its
 * copy without the lock while invocations run. */
#ifndef KINESD_LAMBDA_FUNCTION_H
#define KINESD_LAMBDA_FUNCTION_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../protocol/awserr.h"

#define FN_NAME_MAX 64
#define FN_ARN_MAX 320
#define FN_LATEST "$LATEST"

typedef enum { FN_PENDING, FN_ACTIVE, FN_FAILED } fn_state;

/* One version of a function ($LATEST or a published number): what an execution environment
 * runs. Immutable once published; freed when its last reference goes. */
typedef struct fn_version {
    atomic_int refs;            /* the function's own, plus each user's */
    char account[16];           /* the function's account */
    char region[32];            /* and region */
    char name[FN_NAME_MAX + 1]; /* "orders" */
    char version[16];           /* "$LATEST", "1", ... */
    char arn[FN_ARN_MAX];       /* unqualified function ARN */
    char runtime[32];           /* "python3.11", "provided.al2023" */
    char handler[129];          /* "lambda_function.lambda_handler" */
    char role[256];             /* recorded, not yet enforced */
    char description[257];      /* as given */
    int timeout_s;              /* 1..900, default 3 */
    int memory_mb;              /* 128..10240, default 128 */
    char *env_json;             /* Environment.Variables as a JSON object; NULL: none */
    char code_sha256[48];       /* base64 SHA-256 of the zip */
    int64_t code_size;          /* bytes of the zip */
    int64_t last_modified_ms;   /* of this configuration */
    char revision_id[37];       /* changes with every update */
    fn_state state;             /* Pending until the transition ends, then Active */
    bool update_in_progress;    /* LastUpdateStatus InProgress (else Successful) */
    int64_t transition_at_ms;   /* when Pending / InProgress ends; 0: none pending */
    unsigned generation;        /* $LATEST: bumped by each update (warm environments retire) */
} fn_version;

/* Where asynchronous invocations of a function (or one qualifier) go and how often they are
 * retried (PutFunctionEventInvokeConfig). */
typedef struct fn_invoke_config {
    char qualifier[129];         /* "$LATEST", a version or an alias */
    int max_retries;             /* 0..2, default 2 */
    int max_age_s;               /* 60..21600, default 21600 */
    char on_success[FN_ARN_MAX]; /* destination ARN; "" for none */
    char on_failure[FN_ARN_MAX]; /* destination ARN; "" for none */
    int64_t last_modified_ms;    /* of this configuration */
} fn_invoke_config;

typedef struct lambda_function {
    char account[16];              /* owner */
    char region[32];               /* where it lives */
    char name[FN_NAME_MAX + 1];    /* unique in the account and region */
    fn_version *latest;            /* $LATEST */
    fn_version **versions;         /* published, in number order */
    int n_versions;                /* entries in versions */
    int next_version;              /* the number PublishVersion gives next */
    int reserved;                  /* reserved concurrency; -1: none (the --lambda-concurrency) */
    fn_invoke_config *invoke_cfgs; /* per qualifier */
    int n_invoke_cfgs;             /* entries in invoke_cfgs */
    int64_t created_ms;            /* CreateFunction's time */
} lambda_function;

/* Over every function in memory (see above). */
extern pthread_rwlock_t lambda_lock;

/* A reference to a function or one of its versions as an API call names it. */
typedef struct fn_ref {
    char account[16];           /* from the ARN, else the caller's */
    char region[32];            /* from the ARN, else the caller's */
    char name[FN_NAME_MAX + 1]; /* the function's name */
    char qualifier[129];        /* "" when none was given */
} fn_ref;

/* Reads FunctionName ("name", "name:qualifier", "ACCOUNT:function:name", a full ARN) and an
 * optional Qualifier; false with InvalidParameterValueException when they disagree. */
bool fn_ref_parse(const char *function_name, const char *qualifier, const char *account,
                  const char *region, fn_ref *out, aws_error *err);

/* Lookups (holding lambda_lock, or on the control thread); NULL with ResourceNotFoundException
 * ("Function not found: ARN") when absent. */
lambda_function *fn_find(const fn_ref *ref, aws_error *err);
/* The version the reference's qualifier names ($LATEST when none). */
fn_version *fn_find_version(const fn_ref *ref, lambda_function **fn, aws_error *err);
fn_version *fn_version_of(const lambda_function *fn, const char *qualifier);
/* The asynchronous-invocation settings for a qualifier; NULL: the defaults apply. */
const fn_invoke_config *fn_invoke_config_of(const lambda_function *fn, const char *qualifier);
/* How many environments the function may use at once: its reserved concurrency, else
 * --lambda-concurrency. */
int fn_limit(const lambda_function *fn);
/* Every function in (account, region) order then name; for ListFunctions. */
int fn_count(void);
lambda_function *fn_at(int i);

/* References: taken under lambda_lock (or on the control thread), released anywhere. */
fn_version *fn_version_ref(fn_version *v);
void fn_version_unref(fn_version *v);
fn_version *fn_version_new(void); /* one reference, zeroed */
/* A copy of v (with env_json duplicated), one reference. */
fn_version *fn_version_copy(const fn_version *v);

/* Changes, control thread only, each publishing under lambda_lock exclusively. */
void fn_insert(lambda_function *fn);                     /* takes ownership */
void fn_remove(lambda_function *fn);                     /* unlinks and frees */
void fn_set_latest(lambda_function *fn, fn_version *v);  /* takes v's reference */
void fn_add_version(lambda_function *fn, fn_version *v); /* takes v's reference */
void fn_free(lambda_function *fn);                       /* never published, or removed */

/* Functions whose Pending / InProgress transition is due become Active / Successful. */
void fn_transitions(int64_t now_ms);

/* The qualified ARN of a version: "ARN:VERSION" ($LATEST too). */
void fn_qualified_arn(const fn_version *v, char *out, size_t len);
/* "2026-11-26T10:00:00.000+0000", as Lambda writes LastModified. */
void fn_format_time(int64_t ms, char out[32]);

#endif
