/* output.c - JSON output for kinesctl (see output.h). */
#include "output.h"

#include <stdlib.h>
#include <string.h>

#include "common/base64.h"

void output_json(const cli_ctx *ctx, json_object *obj)
{
    int flags = ctx->stdout_tty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                : JSON_C_TO_STRING_PLAIN;
    puts(json_object_to_json_string_ext(obj, flags | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(obj);
}

static void add_str(json_object *o, const char *key, const char *value)
{
    if (value)
        json_object_object_add(o, key, json_object_new_string(value));
}

json_object *output_shard_json(const kines_shard *s)
{
    json_object *o = json_object_new_object();
    add_str(o, "ShardId", s->shard_id);
    add_str(o, "ParentShardId", s->parent_shard_id);
    add_str(o, "AdjacentParentShardId", s->adjacent_parent_shard_id);
    json_object *hash = json_object_new_object();
    add_str(hash, "StartingHashKey", s->starting_hash_key);
    add_str(hash, "EndingHashKey", s->ending_hash_key);
    json_object_object_add(o, "HashKeyRange", hash);
    json_object *seq = json_object_new_object();
    add_str(seq, "StartingSequenceNumber", s->starting_sequence_number);
    add_str(seq, "EndingSequenceNumber", s->ending_sequence_number);
    json_object_object_add(o, "SequenceNumberRange", seq);
    return o;
}

static size_t utf8_sequence_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        return 2;
    if ((c & 0xF0) == 0xE0)
        return 3;
    if ((c & 0xF8) == 0xF0)
        return 4;
    return 0;
}

/* UTF-8 without control characters other than tab and line breaks. */
static bool is_text(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t len = utf8_sequence_len(s[i]);
        if (len == 0 || i + len > n)
            return false;
        if (s[i] < 0x20 && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
            return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

/* The JSON value that is the whole of data, or NULL. */
static json_object *parse_whole(const unsigned char *data, size_t len)
{
    char *text = strndup((const char *)data, len);
    if (!text || strlen(text) != len) {
        free(text);
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    json_object *parsed = json_tokener_parse_ex(tok, text, (int)len + 1);
    size_t end = json_tokener_get_parse_end(tok);
    bool whole = parsed && json_tokener_get_error(tok) == json_tokener_success &&
                 text[end + strspn(text + end, " \t\r\n")] == '\0';
    json_tokener_free(tok);
    free(text);
    if (!whole) {
        json_object_put(parsed);
        return NULL;
    }
    return parsed;
}

json_object *output_data_json(const unsigned char *data, size_t len)
{
    json_object *parsed = parse_whole(data, len);
    if (parsed)
        return parsed;
    if (is_text(data, len))
        return json_object_new_string_len((const char *)data, (int)len);
    char *b64 = malloc(base64_encoded_len(len) + 1);
    if (!b64)
        abort();
    base64_encode(data, len, b64);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "base64",
                           json_object_new_string_len(b64, (int)base64_encoded_len(len)));
    free(b64);
    return o;
}
