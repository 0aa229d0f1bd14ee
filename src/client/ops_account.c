/* ops_account.c - the account settings calls: DescribeAccountSettings and UpdateAccountSettings
 * (the minimum throughput billing commitment). */
#include <string.h>

#include "json.h"
#include "kines/kines.h"
#include "mem.h"
#include "ops_shapes.h"

int kines_describe_account_settings(kines_client *c, kines_account_settings *out, kines_error *err)
{
    return call_and_read(c, "DescribeAccountSettings", json_object_new_object(),
                         read_account_settings, out, sizeof *out, err);
}

int kines_update_account_settings(kines_client *c, bool commitment_enabled,
                                  kines_account_settings *out, kines_error *err)
{
    json_object *req = json_object_new_object(), *commitment = json_object_new_object();
    json_add_str(commitment, "Status", commitment_enabled ? "ENABLED" : "DISABLED");
    json_object_object_add(req, "MinimumThroughputBillingCommitment", commitment);
    return call_and_read(c, "UpdateAccountSettings", req, read_account_settings, out, sizeof *out,
                         err);
}

void kines_account_settings_free(kines_account_settings *s)
{
    kines_mem_free(s->mem);
    memset(s, 0, sizeof *s);
}
