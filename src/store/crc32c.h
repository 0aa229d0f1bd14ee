/* crc32c.h - CRC-32C (Castagnoli), the checksum of record frames written since format 2.
 *
 * Computed with the SSE4.2 crc32 instruction when the CPU has it, else with a portable
 * slice-by-8 table walk; the choice is made once, at the first call. Both give the standard
 * CRC-32C (crc32c("123456789") == 0xe3069283). */
#ifndef KINESD_CRC32C_H
#define KINESD_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Continues crc (0 to start) over len bytes at p. */
uint32_t crc32c(uint32_t crc, const void *p, size_t len);

/* The portable implementation, whatever the CPU (for tests and benchmarks). */
uint32_t crc32c_portable(uint32_t crc, const void *p, size_t len);

/* True when crc32c uses the CPU instruction. */
bool crc32c_hardware(void);

#endif
