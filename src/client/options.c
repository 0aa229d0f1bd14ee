/* options.c - reading versioned options structures (see options.h). */
#include "options.h"

#include <string.h>

void options_read(void *dst, size_t dst_size, const void *src, size_t v1_size)
{
    memset(dst, 0, dst_size);
    if (!src)
        return;
    size_t size;
    memcpy(&size, src, sizeof size); /* every options structure begins with its struct_size */
    if (size == 0)
        size = v1_size;
    memcpy(dst, src, size < dst_size ? size : dst_size);
    memcpy(dst, &dst_size, sizeof dst_size); /* the copy is of this version */
}
