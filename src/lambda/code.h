/* code.h - a function version's code on disk: the zip as uploaded and its unpacked tree.
 *
 * DATA/functions/ACCOUNT/REGION/NAME/VERSION/code.zip is the upload, .../task/ its contents (the
 * LAMBDA_TASK_ROOT an execution environment runs in). Unpacking (libarchive) refuses entries
 * that would land outside task/ (absolute paths, "..", symbolic links pointing out of the tree)
 * and stops at --lambda-code-limit-bytes written (Lambda's 250 MB quota by default), whatever
 * the archive claims (zip bombs); each
 * refusal is an InvalidParameterValueException naming the entry. Control thread only. */
#ifndef KINESD_LAMBDA_CODE_H
#define KINESD_LAMBDA_CODE_H

#include <stddef.h>
#include <stdint.h>

#include "../protocol/awserr.h"
#include "function.h"

/* Where code lives (set by lambda_open). */
void code_set_root(const char *data_dir);
/* DATA/functions/ACCOUNT/REGION/NAME/VERSION (VERSION NULL: the function's directory). */
void code_dir(const fn_version *v, const char *version, char *out, size_t len);

/* Unpacks the zip into a new staging directory beside the function's versions; its path in
 * staging. -1 with err set (nothing is left behind). */
int code_stage(const fn_version *v, const void *zip, size_t len, char *staging, size_t cap,
               aws_error *err);
/* Moves a staged tree to VERSION's place (replacing what was there). -1 (logged) on error. */
int code_install(const fn_version *v, const char *staging);
/* Stages a copy of an installed version's code (PublishVersion). -1 with err set. */
int code_stage_copy(const fn_version *from, char *staging, size_t cap, aws_error *err);
/* Removes a directory tree (a staging directory, a deleted function). */
void code_remove(const char *dir);

/* The base64 SHA-256 of the bytes (Lambda's CodeSha256). */
void code_sha256(const void *data, size_t len, char out[48]);

#endif
