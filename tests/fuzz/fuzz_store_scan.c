/* fuzz_store_scan.c - libFuzzer target for the recovery scanner (segment_scan): whatever bytes a
 * segment file holds, the scan must not crash, every frame it keeps must pass its CRC and follow
 * on from the one before, and any intact frame it reports past damage must be one.
 *
 * Built and run with the other fuzz targets (tests/fuzz/CMakeLists.txt, make fuzz-smoke).
 * Seeds: tests/fuzz/corpus/fuzz_store_scan/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "store/cursor.h"
#include "store/frame.h"
#include "store/segment.h"

#define FIRST_OFFSET 1000

/* Walks the kept prefix again, frame by frame: each must decode, pass its CRC and come next
 * (a sealed run takes as many offsets as it holds records). */
static void check_kept(const uint8_t *data, const segment *seg)
{
    uint64_t pos = 0, expect = FIRST_OFFSET;
    while (pos < seg->append_pos) {
        frame_view f;
        const char *p = (const char *)data + pos;
        if (frame_decode(p, (size_t)(seg->append_pos - pos), &f) != FRAME_OK ||
            !frame_crc_ok(p, &f) || f.offset != expect)
            abort();
        pos += f.len;
        expect += f.count;
    }
    if (pos != seg->append_pos || expect != seg->end_offset)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet++)
        log_set_level((log_level)(LOG_ERROR + 1));
    int fd = memfd_create("segment", 0);
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
        abort();
    segment *seg = segment_new_unborn("/nonexistent", FIRST_OFFSET, NULL);
    seg->fd = fd;
    frame_cursor cur;
    cursor_init(&cur, 4096);
    segment_scan_result r;
    if (segment_scan(seg, &cur, &r) == 0) {
        check_kept(data, seg);
        if (r.later_frames && r.max_offset < seg->end_offset)
            abort();
    }
    cursor_free(&cur);
    segment_unref(seg); /* closes fd */
    return 0;
}
