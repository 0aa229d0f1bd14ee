/* bodies.h - the JSON 1.1 (and one CBOR 1.1) request bodies the benchmarks send, written directly
 * into a kbuf.
 *
 * Stream names and partition keys come from the command line or are "pk-N"; they are written
 * as they are (no escaping), so they must not contain '"' or '\\'. */
#ifndef KINESD_BENCH_BODIES_H
#define KINESD_BENCH_BODIES_H

#include <stddef.h>

#include "common/buf.h"

/* `bytes` pseudo-random bytes (the same every run); caller frees. */
unsigned char *body_random_bytes(size_t bytes);

/* A base64 text of body_random_bytes(bytes); caller frees. */
char *body_random_data(size_t bytes);

/* {"StreamName":S,"Records":[{"Data":D,"PartitionKey":"pk-K"} x count]} with keys first_key... */
void body_put_records(kbuf *body, const char *stream, const char *data_b64, long first_key,
                      long count);

/* The same request in CBOR 1.1 as the Java SDK sends it (Jackson's CBOR writer): Data is a byte
 * string of data[0..len), the maps and the array of indefinite length. */
void body_put_records_cbor(kbuf *body, const char *stream, const unsigned char *data, size_t len,
                           long first_key, long count);

/* {"StreamName":S,"Data":base64(data),"PartitionKey":"pk-K"} */
void body_put_record(kbuf *body, const char *stream, const void *data, size_t len, long key);

/* {"StreamName":S} and variants for the set-up calls. */
void body_stream(kbuf *body, const char *stream);
void body_create_stream(kbuf *body, const char *stream, long shards);
void body_get_shard_iterator(kbuf *body, const char *stream, const char *shard_id,
                             const char *iterator_type);
void body_get_records(kbuf *body, const char *iterator, size_t len, long limit);

#endif
