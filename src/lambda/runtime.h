/* runtime.h - the Lambda runtimes kinesd runs, and how: provided.al2023 / provided.al2 (the
 * zip's bootstrap), nodejs20.x / nodejs22.x and python3.11 / 3.12 / 3.13 (kinesd's own runtime
 * interface clients, share/kinesd/runtimes, on the interpreter found on PATH). */
#ifndef KINESD_LAMBDA_RUNTIME_H
#define KINESD_LAMBDA_RUNTIME_H

typedef enum { RUNTIME_UNSUPPORTED, RUNTIME_PROVIDED, RUNTIME_NODE, RUNTIME_PYTHON } runtime_kind;

runtime_kind runtime_of(const char *runtime);
/* "provided.al2023, provided.al2, nodejs20.x, ...": for error messages. */
const char *runtime_supported_list(void);

/* The directory holding node/index.mjs and python/bootstrap.py: `configured` when not empty,
 * else share/kinesd/runtimes beside or above the running binary. Empty when none is found. */
void runtime_find_dir(const char *configured, char *out, unsigned long len);

#endif
