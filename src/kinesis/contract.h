/* contract.h - per-stream contracts, a kinesd extension: a JSON Schema that the data of every
 * record put to the stream must match (docs/contracts.md).
 *
 * A contract is compiled once, when it is set (PutStreamContract, on the control thread) or
 * loaded at start-up, into an immutable validator (libkines' schema module, kschema) that the
 * loop threads share: checking a record is CPU work on the record's bytes, nothing else. The
 * stream holds its contract (stream.contract); it is replaced under registry_lock held
 * exclusively and freed after, so a put holding the lock shared may use it throughout.
 *
 * A record that does not match is refused alone: PutRecord answers InvalidArgumentException,
 * PutRecords answers it as a failed entry with ErrorCode InvalidArgumentException; both messages
 * name the record's failing paths. Each put to a stream with a contract adds its refused records
 * to the stream's ContractRejectedRecords metric (AWS/Kinesis, StreamName). */
#ifndef KINESD_CONTRACT_H
#define KINESD_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/call.h"
#include "kines/schema.h"
#include "registry.h"

typedef struct stream_contract {
    kines_schema *schema; /* the compiled validator; NULL: the stored text no longer compiles
                             (then every record is refused, with `broken` as the reason) */
    char *text;           /* the schema as it was set */
    bool assert_format;   /* "format" keywords are assertions */
    int64_t updated_ms;   /* when it was set (wall clock) */
    char *broken;         /* why the stored text does not compile; NULL when schema is set */
} stream_contract;

/* Compiles a contract from len bytes of schema text. NULL with `why` (the compiler's message:
 * "#/properties/a/type: must name JSON types ...") when it is not a usable schema: not JSON, an
 * unknown $schema, a bad keyword or regex, a $ref outside the document (no file is ever read). */
stream_contract *contract_compile(const char *text, size_t len, bool assert_format,
                                  int64_t updated_ms, char *why, size_t why_len);
void contract_free(stream_contract *c); /* NULL is fine */

/* Start-up (registry_open, before the loops run): compiles every stored contract and gives it to
 * its stream. A contract that no longer compiles is logged and kept as broken (it refuses every
 * record until it is set again or removed). 0, or -1 when meta.sqlite cannot be read. */
int contracts_load(void);

/* Control thread: makes c (NULL: none) the contract of s, under registry_lock held exclusively,
 * and frees the one it replaces. */
void contract_publish(stream *s, stream_contract *c);

/* Why the record's Data does not match the contract of s (every failing path, in the call's
 * arena), or NULL when it does or s has no contract. Any loop thread holding registry_lock. */
const char *contract_refusal(op_call *call, const stream *s, const kval *record);

/* Adds `refused` to the stream's ContractRejectedRecords; nothing when s has no contract. */
void contract_count(const stream *s, size_t refused);

/* PutRecord: true when the record may be stored; else InvalidArgumentException with the
 * refusal (counted). */
bool contract_admits(op_call *call, const stream *s, const kval *record);

#endif
