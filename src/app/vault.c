/* vault.c -- sealing and blind indexes for personal data (see vault.h). */
#include "app/vault.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/pk.h"

#define SEAL_VERSION 1
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES

static int create_key(const char *path, unsigned char master[32], char *err, size_t errlen)
{
    char hex[65];
    randombytes_buf(master, 32);
    sodium_bin2hex(hex, sizeof(hex), master, 32);
    /* O_EXCL: two processes starting at once must not both write a key. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST ? PK_ENOENT : (snprintf(err, errlen, "cannot create key file %s: %s",
                                                       path, strerror(errno)), PK_EIO);
    hex[64] = '\n';
    ssize_t w = write(fd, hex, 65);
    int ok = w == 65 && fsync(fd) == 0;
    close(fd);
    sodium_memzero(hex, sizeof(hex));
    if (!ok) {
        unlink(path);
        snprintf(err, errlen, "cannot write key file %s", path);
        return PK_EIO;
    }
    return 0;
}

static int read_key(const char *path, unsigned char master[32], char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open key file %s: %s", path, strerror(errno));
        return errno == ENOENT ? PK_ENOENT : PK_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
        close(fd);
        snprintf(err, errlen, "key file %s must not be readable by group or others (chmod 600)",
                 path);
        return PK_EINVAL;
    }
    char hex[80];
    ssize_t n = read(fd, hex, sizeof(hex) - 1);
    close(fd);
    size_t bin_len = 0;
    if (n < 64 || sodium_hex2bin(master, 32, hex, (size_t)n, "\r\n", &bin_len, NULL) != 0 ||
        bin_len != 32) {
        sodium_memzero(hex, sizeof(hex));
        snprintf(err, errlen, "key file %s does not hold a 32-byte hex key", path);
        return PK_EINVAL;
    }
    sodium_memzero(hex, sizeof(hex));
    return 0;
}

int pk_vault_open(pk_vault *v, const char *key_file, bool may_create, char *err, size_t errlen)
{
    unsigned char master[32];
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium failed to initialise");
        return PK_EIO;
    }
    int rc = read_key(key_file, master, err, errlen);
    if (rc == PK_ENOENT && may_create) {
        rc = create_key(key_file, master, err, errlen);
        if (rc == PK_ENOENT) /* another process created it first */
            rc = read_key(key_file, master, err, errlen);
    }
    if (rc != 0)
        return rc;
    crypto_kdf_derive_from_key(v->enc_key, sizeof(v->enc_key), 1, "pkseal__", master);
    crypto_kdf_derive_from_key(v->idx_key, sizeof(v->idx_key), 2, "pkindex_", master);
    crypto_kdf_derive_from_key(v->field_key, sizeof(v->field_key), 3, "pkfield_", master);
    crypto_kdf_derive_from_key(v->auth_key, sizeof(v->auth_key), 4, "pkauth__", master);
    sodium_memzero(master, sizeof(master));
    return 0;
}

void pk_vault_check_value(const pk_vault *v, uint8_t out[PK_BLIND_LEN])
{
    pk_vault_blind(v, "key-check", "prakerja", out);
}

void pk_vault_close(pk_vault *v)
{
    sodium_memzero(v, sizeof(*v));
}

void pk_vault_blind(const pk_vault *v, const char *domain, const char *value,
                    uint8_t out[PK_BLIND_LEN])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, v->idx_key, sizeof(v->idx_key), PK_BLIND_LEN);
    crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
    crypto_generichash_update(&st, (const unsigned char *)value, strlen(value));
    crypto_generichash_final(&st, out, PK_BLIND_LEN);
}

void pk_vault_field_hash(const pk_vault *v, unsigned field, const char *value, uint8_t out[8])
{
    unsigned char key[crypto_shorthash_KEYBYTES];
    memcpy(key, v->field_key, sizeof(key));
    key[0] ^= (unsigned char)field; /* a distinct key per field */
    crypto_shorthash(out, (const unsigned char *)value, strlen(value), key);
}

int pk_vault_seal(const pk_vault *v, const void *plain, size_t n, const void *ad, size_t adn,
                  pk_buf *out)
{
    static const unsigned char room[TAG_LEN];
    unsigned char hdr[1 + NONCE_LEN];
    hdr[0] = SEAL_VERSION;
    randombytes_buf(hdr + 1, NONCE_LEN);
    pk_buf_reset(out);
    /* Size the buffer (header, text, tag), then encrypt into it. */
    if (pk_buf_add(out, hdr, sizeof(hdr)) != 0 || pk_buf_add(out, plain, n) != 0 ||
        pk_buf_add(out, room, TAG_LEN) != 0)
        return PK_ENOMEM;
    unsigned long long clen;
    crypto_aead_xchacha20poly1305_ietf_encrypt((unsigned char *)out->data + sizeof(hdr), &clen,
                                               plain, n, ad, adn, NULL, hdr + 1, v->enc_key);
    out->len = sizeof(hdr) + (size_t)clen;
    return 0;
}

int pk_vault_unseal(const pk_vault *v, const void *box, size_t n, const void *ad, size_t adn,
                    pk_buf *out)
{
    const unsigned char *b = box;
    if (n < 1 + NONCE_LEN + TAG_LEN || b[0] != SEAL_VERSION)
        return PK_EINVAL;
    pk_buf_reset(out);
    size_t plen = n - 1 - NONCE_LEN - TAG_LEN;
    if (pk_buf_add(out, b, plen + 1) != 0) /* room for the plain text and a NUL */
        return PK_ENOMEM;
    unsigned long long mlen;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out->data, &mlen, NULL,
                                                   b + 1 + NONCE_LEN, n - 1 - NONCE_LEN, ad,
                                                   adn, b + 1, v->enc_key) != 0) {
        pk_buf_reset(out);
        return PK_EINVAL;
    }
    out->len = (size_t)mlen;
    out->data[mlen] = '\0';
    return 0;
}
