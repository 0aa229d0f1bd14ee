/* authz.c - verify mode: may the caller do this (see iam_internal.h)?
 *
 * For each resource ARN the operation's op_entry names (or "*"), AWS's evaluation runs over the
 * caller's identity policies (the inline and attached managed policies of its user, or of the
 * role of its role session; the root has none and is allowed everything in its account) and the
 * resource's own policy, which the service that owns the ARN hands over (service.resource_access):
 * an explicit Deny wins, then an Allow - and across accounts both the resource's policy and the
 * caller's must allow. A call allowed on another account's resource then acts in that account
 * (op_call.account).
 *
 * A role session given session policies (AssumeRole's Policy and PolicyArns; caller.principal)
 * may do only what they allow too (policy_decide): its inline one is compiled once per text per
 * thread, its managed ones are the account's managed policies as they are now.
 *
 * Decisions are cached per loop thread, by (principal, action, resource, and a session's session
 * policies) and the generation of identities and resource policies (service_access_generation),
 * unless a policy involved reads a key that changes per request (aws:SourceIp, aws:CurrentTime,
 * ...). Resource policies are compiled once per document text per thread. A thread's caches are
 * freed when it ends. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../auth/policy.h"
#include "../core/service.h"
#include "iam_internal.h"
#include "session.h"
#include "state.h"

#define MAX_RESOURCES 8
#define MAX_IDENTITY_POLICIES 32
#define MAX_SESSION_POLICIES (1 + SESSION_MAX_ARNS) /* the inline one and the managed ones */
#define DECISION_SLOTS 512
#define COMPILED_SLOTS 16

/* ---- caches (per loop thread) -------------------------------------------------------------- */

typedef struct decision_slot {
    uint64_t hash;
    uint64_t generation;
    char *key; /* "principal\naction\nresource", then "\n\x1eARNS\x1ePOLICY" for a session
                  with session policies */
    policy_decision decision;
} decision_slot;

typedef struct compiled_slot {
    char *text;
    policy *compiled; /* NULL when the text does not parse (it then grants nothing) */
} compiled_slot;

/* Policy documents compiled once per text, the oldest replaced first. */
typedef struct compiled_cache {
    compiled_slot slots[COMPILED_SLOTS];
    unsigned next; /* the slot replaced next */
} compiled_cache;

static _Thread_local decision_slot decisions[DECISION_SLOTS];
/* apart, so that compiling one kind never frees the other in use */
static _Thread_local compiled_cache resource_policies, session_policies;
static pthread_key_t caches_key; /* set on a thread that has caches: frees them at its end */
static pthread_once_t caches_once = PTHREAD_ONCE_INIT;

static void free_thread_caches(void *unused)
{
    (void)unused;
    for (int i = 0; i < DECISION_SLOTS; i++) {
        free(decisions[i].key);
        decisions[i].key = NULL;
    }
    compiled_cache *kinds[] = {&resource_policies, &session_policies};
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        for (int i = 0; i < COMPILED_SLOTS; i++) {
            free(kinds[k]->slots[i].text);
            policy_free(kinds[k]->slots[i].compiled);
            kinds[k]->slots[i] = (compiled_slot){NULL, NULL};
        }
}

static void make_caches_key(void)
{
    if (pthread_key_create(&caches_key, free_thread_caches) != 0)
        abort();
}

/* Called before this thread first fills a cache. */
static void own_thread_caches(void)
{
    pthread_once(&caches_once, make_caches_key);
    if (!pthread_getspecific(caches_key))
        pthread_setspecific(caches_key, decisions);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static decision_slot *cached(const char *key, uint64_t hash, uint64_t generation)
{
    decision_slot *slot = &decisions[hash % DECISION_SLOTS];
    bool hit = slot->key && slot->hash == hash && slot->generation == generation &&
               strcmp(slot->key, key) == 0;
    return hit ? slot : NULL;
}

static void remember(const char *key, uint64_t hash, uint64_t generation, policy_decision d)
{
    own_thread_caches();
    decision_slot *slot = &decisions[hash % DECISION_SLOTS];
    free(slot->key);
    slot->key = strdup(key);
    slot->hash = hash;
    slot->generation = generation;
    slot->decision = d;
}

/* The document `text` compiled as a `kind` policy, from c (valid until c compiles another). */
static const policy *compiled(compiled_cache *c, const char *text, policy_kind kind)
{
    for (int i = 0; i < COMPILED_SLOTS; i++)
        if (c->slots[i].text && strcmp(c->slots[i].text, text) == 0)
            return c->slots[i].compiled;
    own_thread_caches();
    compiled_slot *slot = &c->slots[c->next++ % COMPILED_SLOTS];
    free(slot->text);
    policy_free(slot->compiled);
    kbuf why = KBUF_INIT;
    slot->text = strdup(text);
    slot->compiled = policy_parse(text, kind, &why);
    kbuf_free(&why);
    return slot->compiled;
}

/* ---- one resource -------------------------------------------------------------------------- */

/* The account field of an ARN ("arn:aws:kinesis:REGION:ACCOUNT:..."), into out; "" for "*". */
static void arn_account(const char *arn, char out[16])
{
    const char *p = arn;
    out[0] = '\0';
    for (int colons = 0; *p && colons < 4; p++)
        colons += *p == ':';
    size_t n = strcspn(p, ":");
    if (*p && n < 16) {
        memcpy(out, p, n);
        out[n] = '\0';
    }
}

/* Whether arn belongs to another account than who's; its account into account ("" for "*"). */
static bool other_account(const caller *who, const char *arn, char account[16])
{
    arn_account(arn, account);
    return account[0] && strcmp(account, who->account) != 0;
}

/* The user, or the role of a role session, whose policies the caller carries; NULL for the
 * root. iam_lock held. */
static iam_user *caller_principal(const caller *who)
{
    if (who->root)
        return NULL;
    return who->role_arn[0] ? state_role_arn(who->role_arn)
                            : state_user(who->account, who->user_name);
}

/* The caller's identity policies; iam_lock held. */
static size_t identity_policies(const caller *who, const policy **out)
{
    iam_user *u = caller_principal(who);
    size_t n = 0;
    for (size_t i = 0; u && i < u->n_inlines && n < MAX_IDENTITY_POLICIES; i++)
        out[n++] = u->inlines[i].compiled;
    for (size_t i = 0; u && i < u->n_attached && n < MAX_IDENTITY_POLICIES; i++)
        out[n++] = u->attached[i]->compiled;
    return n;
}

/* The session policies of a session given some (who->principal): its inline one compiled (from
 * the thread's cache) and the managed ones its ARNs name that still exist; iam_lock held. A
 * policy gone (or a text that no longer parses) grants nothing. */
static size_t session_policies_of(const caller *who, const policy **out)
{
    const iam_session_policies *sp = who->principal;
    size_t n = 0;
    const policy *inline_policy =
        sp->policy[0] ? compiled(&session_policies, sp->policy, POLICY_IDENTITY) : NULL;
    if (inline_policy)
        out[n++] = inline_policy;
    for (size_t i = 0; i < sp->n_arns && n < MAX_SESSION_POLICIES; i++) {
        const iam_managed *m = state_managed_arn(sp->arns[i]);
        if (m)
            out[n++] = m->compiled;
    }
    return n;
}

/* What a decision for who weighs: its identity and session policies (into the arrays) and the
 * resource's policy; iam_lock held. */
static policy_inputs inputs_of(const caller *who, const policy **identity, const policy **session,
                               const policy *resource, bool cross_account)
{
    bool scoped = who->principal != NULL;
    return (policy_inputs){.identity = identity,
                           .n_identity = identity_policies(who, identity),
                           .root = who->root,
                           .resource = resource,
                           .cross_account = cross_account,
                           .scoped = scoped,
                           .session = session,
                           .n_session = scoped ? session_policies_of(who, session) : 0};
}

static bool any_varies(const policy *const *ps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ps[i] && policy_varies_per_request(ps[i]))
            return true;
    return false;
}

/* Whether a decision over `in` holds for any request with the same key. */
static bool cacheable(const policy_inputs *in)
{
    return !any_varies(in->identity, in->n_identity) && !any_varies(in->session, in->n_session) &&
           !any_varies(&in->resource, 1);
}

/* The decision cache's key of who doing r: the session policies are part of it, as two
 * sessions of one name may hold different ones. */
static void decision_key(const caller *who, const policy_request *r, kbuf *key)
{
    kbuf_printf(key, "%s\n%s\n%s", who->arn, r->action, r->resource);
    const iam_session_policies *sp = who->principal;
    if (sp)
        kbuf_printf(key, "\n\x1e%s\x1e%s", sp->arns_text, sp->policy);
}

/* The resource's policy and tags from the service that owns it; the tags are allocated in a. */
static const policy *resource_context(arena *a, const char *arn, policy_request *r)
{
    const service *owner = strcmp(arn, "*") == 0 ? NULL : service_by_arn(arn);
    resource_access access = {0};
    if (!owner || !owner->resource_access || !owner->resource_access(arn, a, &access))
        return NULL;
    policy_tag *tags = arena_alloc(a, (access.tag_count + 1) * sizeof *tags);
    for (size_t i = 0; i < access.tag_count; i++)
        tags[i] = (policy_tag){access.tag_keys[i], access.tag_values[i]};
    r->tags = tags;
    r->tag_count = access.tag_count;
    return access.policy ? compiled(&resource_policies, access.policy, POLICY_RESOURCE) : NULL;
}

static policy_decision decide(op_call *call, policy_request *r, bool cross_account)
{
    const caller *who = call->who;
    const policy *resource = resource_context(call->arena, r->resource, r);
    kbuf key = KBUF_INIT;
    decision_key(who, r, &key);
    uint64_t hash = fnv1a(key.data), generation = service_access_generation();
    pthread_rwlock_rdlock(&iam_lock);
    const policy *identity[MAX_IDENTITY_POLICIES], *session[MAX_SESSION_POLICIES];
    policy_inputs in = inputs_of(who, identity, session, resource, cross_account);
    bool keep = cacheable(&in);
    decision_slot *hit = keep ? cached(key.data, hash, generation) : NULL;
    policy_decision d = hit ? hit->decision : policy_decide(&in, r);
    pthread_rwlock_unlock(&iam_lock);
    if (keep && !hit)
        remember(key.data, hash, generation, d);
    kbuf_free(&key);
    return d;
}

policy_decision iam_identity_decision(const caller *who, const policy_request *r)
{
    const policy *identity[MAX_IDENTITY_POLICIES], *session[MAX_SESSION_POLICIES];
    policy_inputs in = inputs_of(who, identity, session, NULL, false);
    return policy_decide(&in, r);
}

bool iam_session_allows(const caller *who, const policy_request *r)
{
    const policy *session[MAX_SESSION_POLICIES];
    size_t n = who->principal ? session_policies_of(who, session) : 0;
    bool allows = !who->principal;
    for (size_t i = 0; i < n; i++)
        allows = allows || policy_evaluate(session[i], r) == POLICY_ALLOWS;
    return allows;
}

policy_decision iam_principal_decision(const caller *who, policy_request *r)
{
    char account[16];
    bool cross = other_account(who, r->resource, account);
    arena scratch;
    arena_init(&scratch);
    const policy *resource = resource_context(&scratch, r->resource, r);
    pthread_rwlock_rdlock(&iam_lock);
    const policy *identity[MAX_IDENTITY_POLICIES], *session[MAX_SESSION_POLICIES];
    policy_inputs in = inputs_of(who, identity, session, resource, cross);
    policy_decision d = policy_decide(&in, r);
    pthread_rwlock_unlock(&iam_lock);
    arena_free(&scratch);
    return d;
}

policy_request iam_request_of(const caller *who, const char *action, const char *resource,
                              int64_t now_ms)
{
    return (policy_request){.action = action,
                            .resource = resource,
                            .principal_arn = who->arn,
                            .principal_role_arn = who->role_arn[0] ? who->role_arn : NULL,
                            .principal_account = who->account,
                            .username = who->user_name[0] ? who->user_name : NULL,
                            .userid = who->user_id,
                            .source_ip = who->source_ip[0] ? who->source_ip : NULL,
                            .secure_transport = who->secure_transport,
                            .now_ms = now_ms};
}

bool iam_authorize(op_call *call, const op_entry *entry)
{
    const char *arns[MAX_RESOURCES];
    int n = entry->resources ? entry->resources(call, arns, MAX_RESOURCES) : (arns[0] = "*", 1);
    if (n < 0)
        return false;
    const caller *who = call->who;
    const char *owner = NULL;
    for (int i = 0; i < n; i++) {
        char account[16];
        bool cross = other_account(who, arns[i], account);
        policy_request r = iam_request_of(who, entry->action, arns[i], call->now_ms);
        policy_decision d = decide(call, &r, cross);
        if (d != DECISION_ALLOW) {
            kbuf message = KBUF_INIT;
            policy_denied_message(d, &r, &message);
            if (call->service && call->service->access_denied)
                call->service->access_denied(call, message.data);
            else
                aws_error_set(call->err, 400, "AccessDeniedException", "%s", message.data);
            kbuf_free(&message);
            return false;
        }
        if (cross && !owner)
            owner = arena_strdup(call->arena, account);
    }
    if (owner)
        call->account = owner;
    return true;
}
