/* fuzz_net_h2.c - the HTTP/2 server path (src/net/http2.c: the nghttp2 server session with
 * kinesd's callbacks, request assembly, the request cap, streaming answers, resets) driven
 * through the public API over loopback (net_loopback.h). One input is the frames one client sends
 * after the connection preface, which the target sends first.
 *
 * Properties: the server neither crashes nor hangs (it closes within the deadline once the client
 * has half-closed), and what it sends back is a sequence of whole HTTP/2 frames that starts with
 * its SETTINGS (the server's connection preface, RFC 9113 3.4). */
#include "net_loopback.h"

#define FRAME_HEADER_LEN 9
#define FRAME_SETTINGS 0x4
#define FLAG_ACK 0x1

static void check_frames(const kbuf *received)
{
    const unsigned char *p = (const unsigned char *)received->data;
    size_t at = 0;
    for (size_t n = 0; at < received->len; n++) {
        FUZZ_REQUIRE(received->len - at >= FRAME_HEADER_LEN);
        const unsigned char *h = p + at;
        size_t len = (size_t)h[0] << 16 | (size_t)h[1] << 8 | h[2];
        uint32_t stream =
            ((uint32_t)h[5] << 24 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 8 | h[8]) &
            0x7fffffffu;
        if (n == 0)
            FUZZ_REQUIRE(h[3] == FRAME_SETTINGS && !(h[4] & FLAG_ACK) && stream == 0);
        FUZZ_REQUIRE(received->len - at - FRAME_HEADER_LEN >= len);
        at += FRAME_HEADER_LEN + len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char preface[24] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    kbuf received = KBUF_INIT;
    const void *parts[] = {preface, data};
    size_t lens[] = {sizeof preface, size};
    fuzz_exchange(parts, lens, 2, &received);
    check_frames(&received);
    kbuf_free(&received);
    return 0;
}
