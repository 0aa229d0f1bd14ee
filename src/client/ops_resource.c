/* ops_resource.c - calls on a resource named by ARN (a stream or a consumer): TagResource,
 * UntagResource, ListTagsForResource and the resource policy calls. */
#include <stdlib.h>
#include <string.h>

#include "common/oom.h"
#include "error.h"
#include "json.h"
#include "kines/kines.h"
#include "ops_shapes.h"

int kines_tag_resource(kines_client *c, const char *resource_arn, const kines_tag *tags,
                       size_t count, kines_error *err)
{
    json_object *req = request_for_resource(resource_arn);
    json_object_object_add(req, "Tags", json_tag_map(tags, count));
    return json_call(c, "TagResource", req, NULL, err);
}

int kines_untag_resource(kines_client *c, const char *resource_arn, const char *const *keys,
                         size_t count, kines_error *err)
{
    json_object *req = request_for_resource(resource_arn);
    json_object_object_add(req, "TagKeys", json_string_array(keys, count));
    return json_call(c, "UntagResource", req, NULL, err);
}

int kines_list_tags_for_resource(kines_client *c, const char *resource_arn, kines_tag_list *out,
                                 kines_error *err)
{
    return call_and_read(c, "ListTagsForResource", request_for_resource(resource_arn),
                         read_resource_tags, out, sizeof *out, err);
}

int kines_put_resource_policy(kines_client *c, const char *resource_arn, const char *policy,
                              kines_error *err)
{
    json_object *req = request_for_resource(resource_arn);
    json_add_str(req, "Policy", policy);
    return json_call(c, "PutResourcePolicy", req, NULL, err);
}

int kines_get_resource_policy(kines_client *c, const char *resource_arn, char **policy,
                              kines_error *err)
{
    *policy = NULL;
    json_object *resp = NULL;
    int rc = json_call(c, "GetResourcePolicy", request_for_resource(resource_arn), &resp, err);
    const char *text = rc == 0 ? json_str(resp, "Policy") : NULL;
    if (rc == 0 && !text)
        rc = kines_fail(err, KINES_ERR_PROTOCOL, "GetResourcePolicy answered without a Policy");
    if (rc == 0 && !(*policy = oom_strdup(text)))
        rc = kines_out_of_memory(err);
    json_object_put(resp);
    return rc;
}

int kines_delete_resource_policy(kines_client *c, const char *resource_arn, kines_error *err)
{
    return json_call(c, "DeleteResourcePolicy", request_for_resource(resource_arn), NULL, err);
}
