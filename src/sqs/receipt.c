/* receipt.c - encoding and authentication of receipt handles (see receipt.h).
 *
 * Layout before base64 (little-endian): version (1) | queue uid (8) | offset (8) |
 * receive count (4) | HMAC-SHA256 of the above, first 16 bytes. */
#include "receipt.h"

#include <endian.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "../common/base64.h"
#include "meta.h"

#define RECEIPT_VERSION 1
#define BODY_LEN (1 + 8 + 8 + 4)
#define MAC_LEN 16
#define RAW_LEN (BODY_LEN + MAC_LEN)

_Static_assert((RAW_LEN + 2) / 3 * 4 <= RECEIPT_MAX_LEN, "RECEIPT_MAX_LEN holds a handle");

static unsigned char key[RECEIPT_KEY_LEN];

int receipt_init(void)
{
    return sqsmeta_receipt_key(key);
}

static void sign(const unsigned char *body, unsigned char mac[MAC_LEN])
{
    unsigned char full[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key, RECEIPT_KEY_LEN, body, BODY_LEN, full, &len);
    memcpy(mac, full, MAC_LEN);
}

void receipt_encode(const receipt *r, char out[RECEIPT_MAX_LEN + 1])
{
    unsigned char raw[RAW_LEN];
    uint64_t uid = htole64(r->queue_uid), off = htole64(r->offset);
    uint32_t count = htole32(r->receive_count);
    raw[0] = RECEIPT_VERSION;
    memcpy(raw + 1, &uid, 8);
    memcpy(raw + 9, &off, 8);
    memcpy(raw + 17, &count, 4);
    sign(raw, raw + BODY_LEN);
    base64_encode(raw, RAW_LEN, out);
    out[base64_encoded_len(RAW_LEN)] = '\0';
}

bool receipt_decode(const char *text, receipt *r)
{
    unsigned char raw[RAW_LEN + 3], mac[MAC_LEN];
    size_t len = strlen(text), n = 0;
    if (len != base64_encoded_len(RAW_LEN) || !base64_decode(text, len, raw, &n) || n != RAW_LEN ||
        raw[0] != RECEIPT_VERSION)
        return false;
    sign(raw, mac);
    if (CRYPTO_memcmp(mac, raw + BODY_LEN, MAC_LEN) != 0)
        return false;
    uint64_t uid, off;
    uint32_t count;
    memcpy(&uid, raw + 1, 8);
    memcpy(&off, raw + 9, 8);
    memcpy(&count, raw + 17, 4);
    *r = (receipt){le64toh(uid), le64toh(off), le32toh(count)};
    return true;
}
