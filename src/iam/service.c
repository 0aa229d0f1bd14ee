/* service.c - the IAM and STS services: their op tables, with where each operation runs, the
 * IAM action it performs and the resource ARNs it acts on (AWS's "Actions, resources, and
 * condition keys for AWS Identity and Access Management"; users, roles and policies are named by
 * their ARN with the default path "/"). Reads run on loop threads under iam_lock shared; changes on
 * the IAM control thread. STS needs no permission for either operation, as on AWS. */
#include <stdio.h>
#include <string.h>

#include "iam.h"
#include "ops.h"

static const char *iam_arn(op_call *call, const char *kind, const char *name)
{
    size_t n = strlen(call->account) + strlen(kind) + strlen(name) + 24;
    char *arn = arena_alloc(call->arena, n);
    snprintf(arn, n, "arn:aws:iam::%s:%s/%s", call->account, kind, name);
    return arn;
}

/* The user the call names (UserName, else the caller itself). */
static int user_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    const char *name = ops_user_name(call);
    arns[0] = name ? iam_arn(call, "user", name) : call->who->arn;
    return 1;
}

/* Every user, or every policy, of the account (List operations). */
static int users_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    arns[0] = iam_arn(call, "user", "");
    return 1;
}

static int policies_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    arns[0] = iam_arn(call, "policy", "");
    return 1;
}

static int new_policy_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    arns[0] = iam_arn(call, "policy", kv_str(call->input, "PolicyName"));
    return 1;
}

static int policy_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    arns[0] = kv_str(call->input, "PolicyArn");
    return 1;
}

/* The role the call names (RoleName); every role (ListRoles). */
static int role_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    arns[0] = iam_arn(call, "role", kv_str(call->input, "RoleName"));
    return 1;
}

static int roles_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    arns[0] = iam_arn(call, "role", "");
    return 1;
}

#define ROLE_OP(name, handler, mode)                                                               \
    {                                                                                              \
        name, handler, mode, "iam:" name, role_resource                                            \
    }

#define USER_OP(name, handler, mode)                                                               \
    {                                                                                              \
        name, handler, mode, "iam:" name, user_resource                                            \
    }

static const op_entry iam_ops[] = {
    USER_OP("CreateUser", op_create_user, OP_CONTROL),
    USER_OP("GetUser", op_get_user, OP_LOOP_READ),
    {"ListUsers", op_list_users, OP_LOOP_READ, "iam:ListUsers", users_resource},
    USER_OP("DeleteUser", op_delete_user, OP_CONTROL),
    USER_OP("TagUser", op_tag_user, OP_CONTROL),
    USER_OP("UntagUser", op_untag_user, OP_CONTROL),
    USER_OP("ListUserTags", op_list_user_tags, OP_LOOP_READ),
    USER_OP("CreateAccessKey", op_create_access_key, OP_CONTROL),
    USER_OP("ListAccessKeys", op_list_access_keys, OP_LOOP_READ),
    USER_OP("UpdateAccessKey", op_update_access_key, OP_CONTROL),
    USER_OP("DeleteAccessKey", op_delete_access_key, OP_CONTROL),
    {"GetAccessKeyLastUsed", op_get_access_key_last_used, OP_LOOP_READ, "iam:GetAccessKeyLastUsed",
     users_resource},
    USER_OP("PutUserPolicy", op_put_user_policy, OP_CONTROL),
    USER_OP("GetUserPolicy", op_get_user_policy, OP_LOOP_READ),
    USER_OP("ListUserPolicies", op_list_user_policies, OP_LOOP_READ),
    USER_OP("DeleteUserPolicy", op_delete_user_policy, OP_CONTROL),
    {"CreatePolicy", op_create_policy, OP_CONTROL, "iam:CreatePolicy", new_policy_resource},
    {"GetPolicy", op_get_policy, OP_LOOP_READ, "iam:GetPolicy", policy_resource},
    {"GetPolicyVersion", op_get_policy_version, OP_LOOP_READ, "iam:GetPolicyVersion",
     policy_resource},
    {"ListPolicies", op_list_policies, OP_LOOP_READ, "iam:ListPolicies", policies_resource},
    {"DeletePolicy", op_delete_policy, OP_CONTROL, "iam:DeletePolicy", policy_resource},
    USER_OP("AttachUserPolicy", op_attach_user_policy, OP_CONTROL),
    USER_OP("DetachUserPolicy", op_detach_user_policy, OP_CONTROL),
    USER_OP("ListAttachedUserPolicies", op_list_attached_user_policies, OP_LOOP_READ),
    ROLE_OP("CreateRole", op_create_role, OP_CONTROL),
    ROLE_OP("GetRole", op_get_role, OP_LOOP_READ),
    {"ListRoles", op_list_roles, OP_LOOP_READ, "iam:ListRoles", roles_resource},
    ROLE_OP("DeleteRole", op_delete_role, OP_CONTROL),
    ROLE_OP("UpdateRole", op_update_role, OP_CONTROL),
    ROLE_OP("UpdateAssumeRolePolicy", op_update_assume_role_policy, OP_CONTROL),
    ROLE_OP("TagRole", op_tag_role, OP_CONTROL),
    ROLE_OP("UntagRole", op_untag_role, OP_CONTROL),
    ROLE_OP("ListRoleTags", op_list_role_tags, OP_LOOP_READ),
    ROLE_OP("PutRolePolicy", op_put_role_policy, OP_CONTROL),
    ROLE_OP("GetRolePolicy", op_get_role_policy, OP_LOOP_READ),
    ROLE_OP("ListRolePolicies", op_list_role_policies, OP_LOOP_READ),
    ROLE_OP("DeleteRolePolicy", op_delete_role_policy, OP_CONTROL),
    ROLE_OP("AttachRolePolicy", op_attach_role_policy, OP_CONTROL),
    ROLE_OP("DetachRolePolicy", op_detach_role_policy, OP_CONTROL),
    ROLE_OP("ListAttachedRolePolicies", op_list_attached_role_policies, OP_LOOP_READ),
    {NULL, NULL, OP_LOOP, NULL, NULL},
};

/* AssumeRole decides itself (sts.c): the role's trust policy and the caller's own policies. */
static const op_entry sts_ops[] = {
    {"GetCallerIdentity", op_get_caller_identity, OP_LOOP, NULL, NULL},
    {"GetSessionToken", op_get_session_token, OP_LOOP, NULL, NULL},
    {"AssumeRole", op_assume_role, OP_LOOP, NULL, NULL},
    {NULL, NULL, OP_LOOP, NULL, NULL},
};

service iam_service = {
    .name = "iam",
    .model = MODEL_IAM,
    .ops = iam_ops,
    .lock = &iam_lock,
};

service sts_service = {
    .name = "sts",
    .model = MODEL_STS,
    .ops = sts_ops,
    .lock = &iam_lock,
};
