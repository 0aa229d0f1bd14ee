/* uuid.h - random (version 4) UUIDs for request ids and event ids, and random bytes for other ids.
 *
 * Each thread draws from its own generator, seeded once from the kernel's random source, so making
 * an id costs no system call and no lock. */
#ifndef KINESD_UUID_H
#define KINESD_UUID_H

#include <stddef.h>

#define UUID_STR_LEN 36

/* Writes "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" and a NUL into out. */
void uuid_v4(char out[UUID_STR_LEN + 1]);
/* Fills out with n random bytes from the same generator (ids, not keys: not for secrets). */
void uuid_random_bytes(void *out, size_t n);

#endif
