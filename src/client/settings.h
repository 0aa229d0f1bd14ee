/* settings.h - the request builders of the stream setting calls in settings.c: the tag calls,
 * with the stream named by StreamName and/or StreamARN. Each returns a new object the caller
 * owns. */
#ifndef KINES_CLIENT_SETTINGS_H
#define KINES_CLIENT_SETTINGS_H

#include <json-c/json.h>

#include "kines/kines.h"

json_object *request_add_tags(const kines_stream_ref *stream, const kines_tag *tags, size_t count);
json_object *request_remove_tags(const kines_stream_ref *stream, const char *const *keys,
                                 size_t count);
/* exclusive_start_key: the last key of the previous page; NULL for the first page. */
json_object *request_list_tags(const kines_stream_ref *stream, const char *exclusive_start_key);

#endif
