/* shape.h - the service model compiled into C: shapes, members and their constraints.
 *
 * model.c builds these once from an embedded JSON model; the decoders type request values by them
 * and validate.c checks their constraints, so no request ever walks the JSON model. Everything here
 * lives until model_unload. */
#ifndef KINESD_SHAPE_H
#define KINESD_SHAPE_H

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
typedef struct jregex jregex;

/* Where a member travels in an HTTP request or response (REST protocols); everything else is in
 * the body. */
typedef enum {
    LOC_BODY,
    LOC_URI,         /* a {label} of the request URI */
    LOC_QUERY,       /* a query-string parameter */
    LOC_HEADER,      /* one header */
    LOC_HEADERS,     /* every header with a prefix (a map) */
    LOC_STATUS_CODE, /* the response's HTTP status */
} member_location;

typedef struct model_member {
    const char *name;      /* as on the wire: "StreamName" */
    size_t name_len;       /* strlen(name): decoders match keys by length first */
    const char *path_name; /* as in validation messages: "streamName" */
    const model_shape *shape;
    bool required;
    member_location location;
    const char *location_name; /* the label, parameter or header name (or prefix); NULL in body */
    bool flattened;            /* query/XML: list members not wrapped in a <member> element */
} model_member;

struct model_shape {
    const char *name; /* "PutRecordsInput" */
    shape_type type;
    /* length (string, blob, list, map) or value (integer, long) bounds */
    bool has_min, has_max;
    int64_t min, max;
    const char *pattern; /* Java regex as the model writes it (messages quote it) */
    jregex *regex;       /* the same, compiled; NULL without a pattern */
    const char **enums;  /* allowed values, in the order AWS lists them in messages */
    size_t n_enums;
    model_member *members; /* structure */
    size_t n_members;
    const model_shape *member;      /* list element */
    const model_shape *key, *value; /* map */
    bool flattened;                 /* query/XML lists and maps without a wrapper element */
    const char *payload;            /* REST: the member that is the whole body; NULL if none */
    bool streaming;                 /* a blob payload sent as raw bytes (REST) */
    bool exception;                 /* an error shape */
    const char *error_code;         /* query protocols: the error's Code; NULL: the shape name */
    int error_status;               /* its HTTP status; 0 when the model says none */
};

/* The member of a structure shape by its wire name, NULL when the structure has none. */
const model_member *shape_find_member(const model_shape *s, const char *name, size_t len);

#endif
