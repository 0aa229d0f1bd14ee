/* shape.h - the service model compiled into C: shapes, members and their constraints.
 *
 * model.c builds these once from the embedded JSON model; the decoders type request values by them
 * and validate.c checks their constraints, so no request ever walks the JSON model. Everything here
 * lives until model_unload. */
#ifndef KINESD_SHAPE_H
#define KINESD_SHAPE_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SHAPE_STRUCTURE,
    SHAPE_LIST,
    SHAPE_MAP,
    SHAPE_STRING,
    SHAPE_BLOB,
    SHAPE_INTEGER,
    SHAPE_LONG,
    SHAPE_DOUBLE,
    SHAPE_BOOLEAN,
    SHAPE_TIMESTAMP,
} shape_type;

typedef struct model_shape model_shape;

typedef struct model_member {
    const char *name;      /* as on the wire: "StreamName" */
    const char *path_name; /* as in validation messages: "streamName" */
    const model_shape *shape;
    bool required;
} model_member;

struct model_shape {
    const char *name; /* "PutRecordsInput" */
    shape_type type;
    /* length (string, blob, list, map) or value (integer, long) bounds */
    bool has_min, has_max;
    int64_t min, max;
    const char *pattern; /* Java regex as the model writes it (messages quote it) */
    regex_t *regex;      /* the same, anchored to the whole value; NULL without a pattern */
    const char **enums;  /* allowed values, in the order AWS lists them in messages */
    size_t n_enums;
    model_member *members; /* structure */
    size_t n_members;
    const model_shape *member;      /* list element */
    const model_shape *key, *value; /* map */
};

/* The member of a structure shape by its wire name, NULL when the structure has none. */
const model_member *shape_find_member(const model_shape *s, const char *name, size_t len);

#endif
