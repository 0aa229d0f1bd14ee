/* masterkey.c - the master key file and AES-256-GCM sealing under it (see masterkey.h). */
#include "masterkey.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NONCE_LEN 12
#define TAG_LEN 16

void masterkey_random(void *out, size_t n)
{
    if (RAND_bytes(out, (int)n) != 1)
        abort();
}

/* fsyncs the directory holding path, so that a rename into it survives a power cut. */
static int sync_parent_dir(const char *path)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = fd >= 0 && fsync(fd) == 0 ? 0 : -1;
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Writes a fresh key to path.tmp and renames it into place (never a partial key), durably: the
 * data sealed under it is useless without it. */
static int create_key(masterkey *mk, const char *path, char *why, size_t why_len)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    masterkey_random(mk->key, MASTERKEY_LEN);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && write(fd, mk->key, MASTERKEY_LEN) == MASTERKEY_LEN && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok || rename(tmp, path) != 0 || sync_parent_dir(path) != 0) {
        snprintf(why, why_len, "cannot create the master key %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int masterkey_load(masterkey *mk, const char *path, bool create, char *why, size_t why_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create)
        return create_key(mk, path, why, why_len);
    if (fd < 0) {
        snprintf(why, why_len, "cannot read the master key %s: %s", path, strerror(errno));
        return -1;
    }
    ssize_t n = read(fd, mk->key, MASTERKEY_LEN);
    unsigned char extra;
    ssize_t more = read(fd, &extra, 1);
    close(fd);
    if (n != MASTERKEY_LEN || more != 0) {
        snprintf(why, why_len, "the master key %s is not %d bytes", path, MASTERKEY_LEN);
        return -1;
    }
    return 0;
}

/* Runs AES-256-GCM one way over in[0..len) into out; false when the tag does not verify. */
static bool gcm(const masterkey *mk, bool encrypt, const unsigned char *nonce, const char *aad,
                const unsigned char *in, size_t len, unsigned char *out, unsigned char *tag)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    bool ok = ctx && EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, mk->key, nonce, encrypt);
    if (ok && aad)
        ok = EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)strlen(aad));
    if (ok && len)
        ok = EVP_CipherUpdate(ctx, out, &n, in, (int)len);
    if (ok && !encrypt)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag);
    ok = ok && EVP_CipherFinal_ex(ctx, out + len, &n);
    if (ok && encrypt)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag);
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

void masterkey_seal(const masterkey *mk, const void *plain, size_t len, const char *aad, kbuf *out)
{
    kbuf_reserve(out, len + SEAL_OVERHEAD);
    unsigned char *box = (unsigned char *)out->data + out->len;
    masterkey_random(box, NONCE_LEN);
    if (!gcm(mk, true, box, aad, plain, len, box + NONCE_LEN, box + NONCE_LEN + len))
        abort();
    out->len += len + SEAL_OVERHEAD;
    out->data[out->len] = '\0';
}

bool masterkey_open(const masterkey *mk, const void *sealed, size_t len, const char *aad, kbuf *out)
{
    if (len < SEAL_OVERHEAD)
        return false;
    const unsigned char *box = sealed;
    size_t n = len - SEAL_OVERHEAD;
    unsigned char tag[TAG_LEN];
    memcpy(tag, box + NONCE_LEN + n, TAG_LEN);
    kbuf_reserve(out, n + 16);
    unsigned char *dst = (unsigned char *)out->data + out->len;
    if (!gcm(mk, false, box, aad, box + NONCE_LEN, n, dst, tag))
        return false;
    out->len += n;
    out->data[out->len] = '\0';
    return true;
}
