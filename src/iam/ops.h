/* ops.h - the IAM and STS operations (handlers of the op tables in service.c) and what they
 * share: finding the user a call names, writing entities, committing a change.
 *
 *   ops_users.c     CreateUser, GetUser, ListUsers, DeleteUser
 *   ops_tags.c      TagUser, UntagUser, ListUserTags, TagRole, UntagRole, ListRoleTags
 *   ops_keys.c      CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey,
 *                   GetAccessKeyLastUsed
 *   ops_roles.c     CreateRole, GetRole, ListRoles, DeleteRole, UpdateRole,
 *                   UpdateAssumeRolePolicy
 *   ops_policies.c  PutUserPolicy, GetUserPolicy, ListUserPolicies, DeleteUserPolicy,
 *                   CreatePolicy, GetPolicy, GetPolicyVersion, ListPolicies, DeletePolicy,
 *                   AttachUserPolicy, DetachUserPolicy, ListAttachedUserPolicies, and the
 *                   same for roles (PutRolePolicy, ..., ListAttachedRolePolicies)
 *   sts.c           GetCallerIdentity, GetSessionToken, AssumeRole (and the sessions)
 *
 * Reads run on loop threads under iam_lock shared (OP_LOOP_READ); changes run on the IAM control
 * thread: one transaction in iam.sqlite, then the in-memory change under iam_lock exclusive. */
#ifndef KINESD_IAM_OPS_H
#define KINESD_IAM_OPS_H

#include "../core/call.h"
#include "state.h"

#define IAM_MAX_KEYS_PER_USER 2

void op_create_user(op_call *call);
void op_get_user(op_call *call);
void op_list_users(op_call *call);
void op_delete_user(op_call *call);
void op_tag_user(op_call *call);
void op_untag_user(op_call *call);
void op_list_user_tags(op_call *call);
void op_create_access_key(op_call *call);
void op_list_access_keys(op_call *call);
void op_update_access_key(op_call *call);
void op_delete_access_key(op_call *call);
void op_get_access_key_last_used(op_call *call);
void op_put_user_policy(op_call *call);
void op_get_user_policy(op_call *call);
void op_list_user_policies(op_call *call);
void op_delete_user_policy(op_call *call);
void op_create_policy(op_call *call);
void op_get_policy(op_call *call);
void op_get_policy_version(op_call *call);
void op_list_policies(op_call *call);
void op_delete_policy(op_call *call);
void op_attach_user_policy(op_call *call);
void op_detach_user_policy(op_call *call);
void op_list_attached_user_policies(op_call *call);
void op_create_role(op_call *call);
void op_get_role(op_call *call);
void op_list_roles(op_call *call);
void op_delete_role(op_call *call);
void op_update_role(op_call *call);
void op_update_assume_role_policy(op_call *call);
void op_tag_role(op_call *call);
void op_untag_role(op_call *call);
void op_list_role_tags(op_call *call);
void op_put_role_policy(op_call *call);
void op_get_role_policy(op_call *call);
void op_list_role_policies(op_call *call);
void op_delete_role_policy(op_call *call);
void op_attach_role_policy(op_call *call);
void op_detach_role_policy(op_call *call);
void op_list_attached_role_policies(op_call *call);
void op_get_caller_identity(op_call *call);
void op_assume_role(op_call *call);
void op_get_session_token(op_call *call);

/* The UserName of the input, or the caller's own user name when absent (NULL for the root). */
const char *ops_user_name(const op_call *call);
/* The user of the call's account by name; NULL with NoSuchEntity set. */
iam_user *ops_find_user(op_call *call, const char *name);
/* The role of the call's account by name; NULL with NoSuchEntity set. */
iam_user *ops_find_role(op_call *call, const char *name);

/* The user or role (of `of`: state_users_of, state_roles_of) named `name` regardless of case
 * (names are unique in an account regardless of case); NULL when none. */
iam_user *ops_any_case(iam_user **(*of)(const char *account, size_t *n), const char *account,
                       const char *name);
/* Why a user or role cannot be deleted while it holds policies (AWS's DeleteConflict text), or
 * NULL. */
const char *ops_policies_conflict(const iam_user *u);

/* A policy's size as IAM counts it: without its whitespace. */
size_t ops_policy_chars(const char *text);
/* The document compiled as a `kind` policy; NULL with MalformedPolicyDocument (saying what is
 * wrong) set. */
policy *ops_compile(op_call *call, const char *document, policy_kind kind);
/* Deletes a user or a role unless `conflict` (AWS's DeleteConflict text) says why not; answers
 * the call. */
void ops_delete_holder(op_call *call, iam_user *u, const char *conflict);
/* ListUsers and ListRoles: an entity's name (the Marker) and whether it is under PathPrefix. */
const char *ops_holder_name(const void *item);
bool ops_holder_in_path(const op_call *call, const void *item);

/* The principals that hold policies (users, roles) as the policy operations see them. */
typedef struct ops_holder {
    const char *name_key;    /* the input member naming it: "UserName" */
    const char *noun;        /* "user" */
    const char *quota;       /* "PoliciesPerUser": attached managed policies */
    size_t max_inline_chars; /* all its inline policies together, without whitespace */
    const char *tags_quota;  /* "TagsPerUser" */
    iam_user *(*find)(op_call *call, const char *name); /* NULL with NoSuchEntity */
} ops_holder;

extern const ops_holder ops_users, ops_roles;

/* Whether Tags (a list of Key/Value) fit on u (NULL: a new user or role) besides its own tags;
 * false with LimitExceeded set. */
bool ops_tags_fit(op_call *call, const ops_holder *h, const iam_user *u, const kval *tags);
/* Sets the Tags on u (replacing the values of keys it has). */
void ops_apply_tags(iam_user *u, const kval *tags);

/* Finishes a change: commits, or sets ServiceFailure; true when committed. */
bool ops_commit(op_call *call, int rc);
/* Around an in-memory change: takes iam_lock exclusively; the end releases it and marks cached
 * authorization decisions stale. */
void ops_publish_begin(void);
void ops_publish_end(void);

/* How a List operation pages over entities sorted by name. */
typedef struct ops_lister {
    const char *list_key;                                   /* "Users" */
    const char *(*name_of)(const void *item);               /* the Marker's text */
    bool (*include)(const op_call *call, const void *item); /* filters (PathPrefix, ...) */
    void (*write)(kenc *e, const void *item);
} ops_lister;

/* Writes the output of a List operation over items[0..n) (sorted by name): the page after
 * Marker, at most MaxItems (default 100) of them, IsTruncated and Marker. */
void ops_write_page(op_call *call, const ops_lister *l, void *const *items, size_t n);
/* Writes IsTruncated (and Marker, the last name written, when truncated). */
void ops_page_end(op_call *call, bool truncated, const char *last);

/* Writers. */
void ops_write_empty(op_call *call); /* the output of an operation that answers nothing */
void ops_write_user(kenc *e, const iam_user *u, bool with_tags);
void ops_write_tags(kenc *e, const iam_user *u);
void ops_write_urlencoded(kenc *e, const char *document); /* policy documents, as IAM sends */

#endif
