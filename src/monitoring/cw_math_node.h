/* cw_math_node.h - the parsed form of a metric math expression, shared by the parser
 * (cw_math_parse.c) and the evaluator (cw_math_eval.c). */
#ifndef KINESD_MONITORING_CW_MATH_NODE_H
#define KINESD_MONITORING_CW_MATH_NODE_H

#include "cw_math.h"

typedef enum {
    MATH_NUMBER,  /* a constant */
    MATH_REF,     /* another query's Id */
    MATH_STRING,  /* "text" (METRICS' argument) */
    MATH_KEYWORD, /* REPEAT or LINEAR (FILL's argument) */
    MATH_NEGATE,  /* -a (NOT a is a == 0) */
    MATH_BINARY,  /* a op b */
    MATH_CALL,    /* FUNCTION(args) */
} math_node_kind;

typedef enum {
    MATH_FN_SUM,
    MATH_FN_AVG,
    MATH_FN_MIN,
    MATH_FN_MAX,
    MATH_FN_METRICS,
    MATH_FN_FILL,
    MATH_FN_RATE,
    MATH_FN_DIFF,
    MATH_FN_ABS,
    MATH_FN_IF,
} math_fn;

struct math_node {
    math_node_kind kind; /* what it is */
    double number;       /* MATH_NUMBER's value */
    const char *text;    /* MATH_REF's id, MATH_STRING's text, MATH_KEYWORD's word */
    size_t ref;          /* MATH_REF: the index of the query named (set by math_check) */
    char op;             /* MATH_BINARY: + - * / < > l (<=) g (>=) = (==) ! (!=) & (AND) | (OR) */
    math_fn fn;          /* MATH_CALL's function */
    math_node *args[3];  /* operands or arguments (IF takes three) */
    int n_args;          /* how many of args are set */
};

#endif
