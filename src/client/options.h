/* options.h - reading a caller's options structure whatever libkines version it was compiled
 * against (see kines.h): its first struct_size bytes are the caller's, the rest are zero, which
 * every option reads as "the default". */
#ifndef KINES_CLIENT_OPTIONS_H
#define KINES_CLIENT_OPTIONS_H

#include <stddef.h>

/* The size of the first versioned layout of a structure whose last field then was `last`: what a
 * struct_size of 0 stands for. When a field is added, this keeps naming the old last field. */
#define OPTIONS_V1_SIZE(type, last) (offsetof(type, last) + sizeof(((type *)0)->last))

/* Copies *src (NULL: nothing) into *dst, of dst_size bytes, zeroed first: min(struct_size,
 * dst_size) bytes, with struct_size the caller's first field (v1_size when it is 0). */
void options_read(void *dst, size_t dst_size, const void *src, size_t v1_size);

#endif
