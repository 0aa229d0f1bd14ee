/* cmd_iam.c - `kinesctl iam user|key|policy|role ...` and `kinesctl whoami`: IAM users, their
 * access keys and policies, roles (functions' execution roles) and their policies, and who the
 * credentials are (STS GetCallerIdentity). They speak IAM's and
 * STS's query protocol (kines_call_query) to the endpoint, which kinesd serves beside Kinesis;
 * without an endpoint they go to AWS's IAM and STS. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "output.h"

#define IAM_VERSION "2010-05-08"
#define STS_VERSION "2011-06-15"
#define POLICY_MAX_BYTES (128 * 1024) /* far above IAM's own limits, which it reports itself */

static const char help[] =
    "usage:\n"
    "  kinesctl iam user create NAME ;  kinesctl iam user delete NAME ;  kinesctl iam user list\n"
    "  kinesctl iam key create USER [--output profile]\n"
    "  kinesctl iam key list USER\n"
    "  kinesctl iam key disable|enable|delete USER KEY_ID\n"
    "  kinesctl iam policy put USER --file POLICY.json [--name NAME]\n"
    "  kinesctl iam policy attach USER POLICY_ARN\n"
    "  kinesctl iam policy attach USER --file POLICY.json [--name NAME]\n"
    "  kinesctl iam role create NAME [--trust lambda|account]\n"
    "  kinesctl iam role delete NAME ;  kinesctl iam role list\n"
    "  kinesctl iam role policy put ROLE --file POLICY.json [--name NAME]\n"
    "  kinesctl iam role policy attach ROLE POLICY_ARN|--file POLICY.json [--name NAME]\n"
    "  kinesctl whoami\n"
    "\n"
    "key create prints the new key with its secret, which is shown this once (--output profile:\n"
    "as a credentials-file profile named after the user, to append to a credentials file).\n"
    "policy put sets an inline policy (named after the file unless --name); policy attach\n"
    "attaches a managed policy, first creating it from --file when given one. whoami prints the\n"
    "ARN, account and user id of the credentials in use. Delete a user's keys and policies\n"
    "before the user. role create makes a role Lambda may assume (--trust lambda, the default:\n"
    "a function's execution role) or the account's users and roles may (--trust account);\n"
    "role policy put|attach give it policies as policy put|attach give a user.\n"
    "\n"
    "examples:\n"
    "  kinesctl iam user create reader\n"
    "  kinesctl iam policy put reader --file read-orders.json\n"
    "  kinesctl iam key create reader --output profile >> ~/.aws/credentials\n"
    "  AWS_PROFILE=reader kinesctl whoami\n"
    "  kinesctl iam role create kinesd-function --trust lambda\n"
    "  kinesctl iam role policy put kinesd-function --file write-orders.json\n";

typedef struct iam_cmd {
    cli_ctx *ctx;
    cli_args args; /* positional: [0] user|key|policy, [1] the action, [2] USER or NAME, [3] ... */
    kines_client *client;
    kines_error err;
} iam_cmd;

/* ---- calls and output ----------------------------------------------------------------------- */

/* Calls an IAM (or, with sts, STS) operation; its XML answer (caller frees), or NULL after
 * reporting the failure about `what` with *rc set. */
static char *call(iam_cmd *c, bool sts, const char *op, const kines_param *params, size_t n,
                  const char *what, int *rc)
{
    char *xml = NULL;
    if (kines_call_query(c->client, sts ? "sts" : "iam", sts ? STS_VERSION : IAM_VERSION, op,
                         params, n, &xml, &c->err) != 0) {
        *rc = cli_fail(c->ctx, &c->err, what);
        return NULL;
    }
    return xml;
}

/* Adds the text of each named element of xml to o (members absent from the answer are left
 * out); names is NULL-terminated. */
static json_object *add_fields(json_object *o, const char *xml, const char *const *names)
{
    for (; *names; names++) {
        char *text = kines_xml_text(xml, *names, NULL);
        if (text)
            json_object_object_add(o, *names, json_object_new_string(text));
        free(text);
    }
    return o;
}

/* Prints {name_key: name, key: value} (value may be NULL), or the sentence. */
static int done(iam_cmd *c, const char *name_key, const char *name, const char *key,
                const char *value, const char *sentence)
{
    if (c->ctx->json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, name_key, json_object_new_string(name));
        if (key && value)
            json_object_object_add(o, key, json_object_new_string(value));
        output_json(c->ctx, o);
    } else {
        puts(sentence);
    }
    return EXIT_OK;
}

/* A simple call whose answer says nothing worth printing; then done() with the sentence. */
static int act(iam_cmd *c, const char *op, const kines_param *params, size_t n, const char *key,
               const char *value, const char *sentence)
{
    int rc = EXIT_OK;
    char *xml = call(c, false, op, params, n, params[0].value, &rc);
    if (!xml)
        return rc;
    free(xml);
    return done(c, params[0].name, params[0].value, key, value, sentence);
}

/* Prints every member of a list answer, following Marker while IsTruncated: one line each
 * (the text of `line_fields`, tab-separated) or {"<list>": [objects of `fields`]}. */
static int list_members(iam_cmd *c, const char *op, const char *user, const char *list,
                        const char *const *fields, const char *const *line_fields)
{
    json_object *items = json_object_new_array();
    char *marker = NULL;
    int rc = EXIT_OK;
    do {
        kines_param params[2];
        size_t n = 0;
        if (user)
            params[n++] = (kines_param){"UserName", user};
        if (marker)
            params[n++] = (kines_param){"Marker", marker};
        char *xml = call(c, false, op, params, n, user ? user : "users", &rc);
        free(marker);
        marker = NULL;
        if (!xml)
            break;
        char *member, *truncated = kines_xml_text(xml, "IsTruncated", NULL);
        for (size_t pos = 0; (member = kines_xml_text(xml, "member", &pos)); free(member))
            json_object_array_add(items, add_fields(json_object_new_object(), member, fields));
        if (truncated && strcmp(truncated, "true") == 0)
            marker = kines_xml_text(xml, "Marker", NULL);
        free(truncated);
        free(xml);
    } while (marker);
    if (rc == EXIT_OK && c->ctx->json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, list, json_object_get(items));
        output_json(c->ctx, o);
    }
    for (size_t i = 0; rc == EXIT_OK && !c->ctx->json && i < json_object_array_length(items); i++) {
        json_object *item = json_object_array_get_idx(items, i), *v;
        for (const char *const *f = line_fields; *f; f++)
            printf("%s%s", f == line_fields ? "" : "\t",
                   json_object_object_get_ex(item, *f, &v) ? json_object_get_string(v) : "");
        putchar('\n');
    }
    json_object_put(items);
    return rc;
}

/* ---- users ---------------------------------------------------------------------------------- */

static const char *const user_fields[] = {"UserName", "UserId", "Arn", "CreateDate", NULL};

/* Creates a user or a role (op with params, the first its name): prints its `fields`, or the
 * sentence "created NOUN NAME (ARN)". */
static int create_entity(iam_cmd *c, const char *op, const kines_param *p, size_t n,
                         const char *const *fields, const char *noun)
{
    int rc = EXIT_OK;
    char *xml = call(c, false, op, p, n, p[0].value, &rc);
    if (!xml)
        return rc;
    char *arn = kines_xml_text(xml, "Arn", NULL);
    if (c->ctx->json)
        output_json(c->ctx, add_fields(json_object_new_object(), xml, fields));
    else
        printf("created %s %s (%s)\n", noun, p[0].value, arn ? arn : "");
    free(arn);
    free(xml);
    return EXIT_OK;
}

static int user_create(iam_cmd *c)
{
    kines_param p[] = {{"UserName", c->args.positional[2]}};
    return create_entity(c, "CreateUser", p, 1, user_fields, "user");
}

/* Deletes the user or role the command names (op, its name parameter, "user" or "role"). */
static int delete_entity(iam_cmd *c, const char *op, const char *name_param, const char *noun)
{
    const char *name = c->args.positional[2];
    kines_param p[] = {{name_param, name}};
    char sentence[256];
    snprintf(sentence, sizeof sentence, "deleted %s %s", noun, name);
    return act(c, op, p, 1, NULL, NULL, sentence);
}

static int user_delete(iam_cmd *c)
{
    return delete_entity(c, "DeleteUser", "UserName", "user");
}

static int user_list(iam_cmd *c)
{
    static const char *const line[] = {"UserName", NULL};
    return list_members(c, "ListUsers", NULL, "Users", user_fields, line);
}

/* ---- access keys ---------------------------------------------------------------------------- */

static int key_create(iam_cmd *c)
{
    const char *user = c->args.positional[2];
    kines_param p[] = {{"UserName", user}};
    int rc = EXIT_OK;
    char *xml = call(c, false, "CreateAccessKey", p, 1, user, &rc);
    if (!xml)
        return rc;
    static const char *const fields[] = {"UserName", "AccessKeyId", "SecretAccessKey", "Status",
                                         NULL};
    char *id = kines_xml_text(xml, "AccessKeyId", NULL);
    char *secret = kines_xml_text(xml, "SecretAccessKey", NULL);
    if (c->ctx->json)
        output_json(c->ctx, add_fields(json_object_new_object(), xml, fields));
    else if (c->ctx->profile)
        printf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", user, id ? id : "",
               secret ? secret : "");
    else
        printf("access key of user %s (the secret is shown this once):\n"
               "aws_access_key_id     %s\naws_secret_access_key %s\n",
               user, id ? id : "", secret ? secret : "");
    free(id);
    free(secret);
    free(xml);
    return EXIT_OK;
}

static int key_list(iam_cmd *c)
{
    static const char *const fields[] = {"UserName", "AccessKeyId", "Status", "CreateDate", NULL};
    static const char *const line[] = {"AccessKeyId", "Status", "CreateDate", NULL};
    return list_members(c, "ListAccessKeys", c->args.positional[2], "AccessKeyMetadata", fields,
                        line);
}

static int key_status(iam_cmd *c, const char *status, const char *verb)
{
    const char *user = c->args.positional[2], *key = c->args.positional[3];
    kines_param p[] = {{"UserName", user}, {"AccessKeyId", key}, {"Status", status}};
    char sentence[256];
    snprintf(sentence, sizeof sentence, "%s access key %s of user %s", verb, key, user);
    return act(c, "UpdateAccessKey", p, 3, "AccessKeyId", key, sentence);
}

static int key_disable(iam_cmd *c)
{
    return key_status(c, "Inactive", "disabled");
}

static int key_enable(iam_cmd *c)
{
    return key_status(c, "Active", "enabled");
}

static int key_delete(iam_cmd *c)
{
    const char *user = c->args.positional[2], *key = c->args.positional[3];
    kines_param p[] = {{"UserName", user}, {"AccessKeyId", key}};
    char sentence[256];
    snprintf(sentence, sizeof sentence, "deleted access key %s of user %s", key, user);
    return act(c, "DeleteAccessKey", p, 2, "AccessKeyId", key, sentence);
}

/* ---- policies ------------------------------------------------------------------------------- */

/* The text of --file (caller frees); NULL after reporting why, with *rc set. */
static char *read_policy_file(iam_cmd *c, int *rc)
{
    const char *path = args_value(&c->args, "file");
    if (path)
        return cli_read_text(c->ctx, path, POLICY_MAX_BYTES, "policy", rc);
    cli_error(c->ctx, "this needs --file POLICY.json. See `kinesctl iam --help`.");
    *rc = EXIT_USAGE;
    return NULL;
}

/* --name, else the file's name without its directory and extension. */
static char *policy_name(iam_cmd *c)
{
    const char *name = args_value(&c->args, "name");
    if (name)
        return strdup(name);
    const char *path = args_value(&c->args, "file"), *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path, *dot = strrchr(base, '.');
    return strndup(base, dot && dot > base ? (size_t)(dot - base) : strlen(base));
}

/* Whom a policy command is about: a user (iam policy ...) or a role (iam role policy ...). */
typedef struct policy_target {
    const char *name_key;  /* "UserName" */
    const char *noun;      /* "user" */
    const char *put_op;    /* "PutUserPolicy" */
    const char *attach_op; /* "AttachUserPolicy" */
    int name_word;         /* the positional word naming it (the ARN, if any, follows) */
} policy_target;

static const policy_target user_target = {"UserName", "user", "PutUserPolicy", "AttachUserPolicy",
                                          2};
static const policy_target role_target = {"RoleName", "role", "PutRolePolicy", "AttachRolePolicy",
                                          3};

static int put_policy(iam_cmd *c, const policy_target *t)
{
    const char *holder = c->args.positional[t->name_word];
    int rc = EXIT_OK;
    char *document = read_policy_file(c, &rc);
    if (!document)
        return rc;
    char *name = policy_name(c), sentence[512];
    kines_param p[] = {{t->name_key, holder}, {"PolicyName", name}, {"PolicyDocument", document}};
    snprintf(sentence, sizeof sentence, "put policy %s on %s %s", name, t->noun, holder);
    rc = act(c, t->put_op, p, 3, "PolicyName", name, sentence);
    free(name);
    free(document);
    return rc;
}

static int policy_put(iam_cmd *c)
{
    return put_policy(c, &user_target);
}

/* The ARN of a managed policy made from --file (caller frees); NULL with *rc set. */
static char *create_managed_policy(iam_cmd *c, int *rc)
{
    char *document = read_policy_file(c, rc);
    if (!document)
        return NULL;
    char *name = policy_name(c);
    kines_param p[] = {{"PolicyName", name}, {"PolicyDocument", document}};
    char *xml = call(c, false, "CreatePolicy", p, 2, name, rc);
    char *arn = xml ? kines_xml_text(xml, "Arn", NULL) : NULL;
    free(xml);
    free(name);
    free(document);
    return arn;
}

static int attach_policy(iam_cmd *c, const policy_target *t)
{
    const char *holder = c->args.positional[t->name_word];
    bool from_file = args_value(&c->args, "file") != NULL;
    if (from_file == (c->args.positional_count == t->name_word + 2)) {
        cli_error(c->ctx,
                  "policy attach takes a %s and either a POLICY_ARN or --file. See "
                  "`kinesctl iam --help`.",
                  t->name_key);
        return EXIT_USAGE;
    }
    int rc = EXIT_OK;
    char *arn =
        from_file ? create_managed_policy(c, &rc) : strdup(c->args.positional[t->name_word + 1]);
    if (!arn)
        return rc;
    kines_param p[] = {{t->name_key, holder}, {"PolicyArn", arn}};
    char sentence[2200];
    snprintf(sentence, sizeof sentence, "attached policy %s to %s %s", arn, t->noun, holder);
    rc = act(c, t->attach_op, p, 2, "PolicyArn", arn, sentence);
    free(arn);
    return rc;
}

static int policy_attach(iam_cmd *c)
{
    return attach_policy(c, &user_target);
}

/* ---- roles ---------------------------------------------------------------------------------- */

static const char *const role_fields[] = {"RoleName", "RoleId", "Arn", "CreateDate", NULL};

/* The trust policy --trust names (caller frees); NULL after reporting why, with *rc set. */
static char *trust_document(iam_cmd *c, int *rc)
{
    const char *trust = args_value(&c->args, "trust");
    if (!trust || strcmp(trust, "lambda") == 0)
        return strdup("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                      "\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},"
                      "\"Action\":\"sts:AssumeRole\"}]}");
    if (strcmp(trust, "account") != 0) {
        cli_error(c->ctx, "--trust takes lambda or account. See `kinesctl iam --help`.");
        *rc = EXIT_USAGE;
        return NULL;
    }
    char *xml = call(c, true, "GetCallerIdentity", NULL, 0, "whoami", rc);
    char *account = xml ? kines_xml_text(xml, "Account", NULL) : NULL;
    kbuf doc = KBUF_INIT;
    if (account)
        kbuf_printf(&doc,
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    "\"Principal\":{\"AWS\":\"arn:aws:iam::%s:root\"},"
                    "\"Action\":\"sts:AssumeRole\"}]}",
                    account);
    free(account);
    free(xml);
    return doc.data;
}

static int role_create(iam_cmd *c)
{
    int rc = EXIT_OK;
    char *document = trust_document(c, &rc);
    if (!document)
        return rc;
    kines_param p[] = {{"RoleName", c->args.positional[2]}, {"AssumeRolePolicyDocument", document}};
    rc = create_entity(c, "CreateRole", p, 2, role_fields, "role");
    free(document);
    return rc;
}

static int role_delete(iam_cmd *c)
{
    return delete_entity(c, "DeleteRole", "RoleName", "role");
}

static int role_list(iam_cmd *c)
{
    static const char *const line[] = {"RoleName", "Arn", NULL};
    return list_members(c, "ListRoles", NULL, "Roles", role_fields, line);
}

/* iam role policy put|attach ROLE ... */
static int role_policy(iam_cmd *c)
{
    const char *verb = c->args.positional[2];
    if (strcmp(verb, "put") == 0 && c->args.positional_count == 4)
        return put_policy(c, &role_target);
    if (strcmp(verb, "attach") == 0)
        return attach_policy(c, &role_target);
    cli_error(c->ctx, "iam role policy takes put ROLE --file POLICY.json or attach ROLE "
                      "POLICY_ARN|--file POLICY.json. See `kinesctl iam --help`.");
    return EXIT_USAGE;
}

/* ---- the command ---------------------------------------------------------------------------- */

/* Each action with its number of positional words (object and action included). */
static const struct {
    const char *object, *action;
    cli_words words;
    int (*fn)(iam_cmd *c);
} actions[] = {
    {"user", "create", {3, 3, "a user NAME"}, user_create},
    {"user", "delete", {3, 3, "a user NAME"}, user_delete},
    {"user", "list", {2, 2, "no arguments"}, user_list},
    {"key", "create", {3, 3, "a USER"}, key_create},
    {"key", "list", {3, 3, "a USER"}, key_list},
    {"key", "disable", {4, 4, "a USER and a KEY_ID"}, key_disable},
    {"key", "enable", {4, 4, "a USER and a KEY_ID"}, key_enable},
    {"key", "delete", {4, 4, "a USER and a KEY_ID"}, key_delete},
    {"policy", "put", {3, 3, "a USER (and --file)"}, policy_put},
    {"policy", "attach", {3, 4, "a USER and a POLICY_ARN or --file"}, policy_attach},
    {"role", "create", {3, 3, "a role NAME"}, role_create},
    {"role", "delete", {3, 3, "a role NAME"}, role_delete},
    {"role", "list", {2, 2, "no arguments"}, role_list},
    {"role", "policy", {4, 5, "put|attach, a ROLE and a POLICY_ARN or --file"}, role_policy},
};

/* Runs fn with a client; the exit code. */
static int with_client(iam_cmd *c, int (*fn)(iam_cmd *c))
{
    int rc;
    c->client = cli_client(c->ctx, &rc);
    if (!c->client)
        return rc;
    rc = fn(c);
    kines_client_free(c->client);
    return rc;
}

int cmd_iam(cli_ctx *ctx, int argc, char **argv)
{
    iam_cmd c = {.ctx = ctx};
    int rc = cli_parse(ctx, "iam", argc - 1, argv + 1, "file name trust", "", help, &c.args);
    if (rc >= 0)
        return rc;
    const char *object = c.args.positional_count > 0 ? c.args.positional[0] : "";
    const char *action = c.args.positional_count > 1 ? c.args.positional[1] : "";
    for (size_t i = 0; i < sizeof actions / sizeof *actions; i++) {
        if (strcmp(object, actions[i].object) != 0 || strcmp(action, actions[i].action) != 0)
            continue;
        char command[96];
        snprintf(command, sizeof command, "iam %s %s", object, action);
        if (!cli_words_fit(ctx, &c.args, "iam", command, &actions[i].words))
            return EXIT_USAGE;
        return with_client(&c, actions[i].fn);
    }
    cli_error(ctx, "iam needs user create|delete|list, key create|list|disable|enable|delete, "
                   "policy put|attach or role create|delete|list|policy. See `kinesctl iam "
                   "--help`.");
    return EXIT_USAGE;
}

static int whoami(iam_cmd *c)
{
    int rc = EXIT_OK;
    char *xml = call(c, true, "GetCallerIdentity", NULL, 0, "whoami", &rc);
    if (!xml)
        return rc;
    static const char *const fields[] = {"UserId", "Account", "Arn", NULL};
    json_object *o = add_fields(json_object_new_object(), xml, fields), *arn, *account, *id;
    if (c->ctx->json) {
        output_json(c->ctx, o);
    } else {
        json_object_object_get_ex(o, "Arn", &arn);
        json_object_object_get_ex(o, "Account", &account);
        json_object_object_get_ex(o, "UserId", &id);
        printf("arn      %s\naccount  %s\nuser id  %s\n", json_object_get_string(arn),
               json_object_get_string(account), json_object_get_string(id));
        json_object_put(o);
    }
    free(xml);
    return EXIT_OK;
}

int cmd_whoami(cli_ctx *ctx, int argc, char **argv)
{
    iam_cmd c = {.ctx = ctx};
    int rc = cli_parse(ctx, "whoami", argc - 1, argv + 1, "", "", help, &c.args);
    if (rc >= 0)
        return rc;
    if (c.args.positional_count) {
        cli_error(ctx, "whoami takes no arguments. See `kinesctl iam --help`.");
        return EXIT_USAGE;
    }
    return with_client(&c, whoami);
}
