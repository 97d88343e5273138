/* vault.h -- protection of personal data at rest (libsodium).
 *
 * NIK, KK number, phone, e-mail and address never reach the database in
 * clear: they are sealed together with XChaCha20-Poly1305 under a key kept
 * outside the database (a key file, mode 0600, created on first run), and
 * looked up through keyed BLAKE2b "blind indexes", so uniqueness and
 * lookups by NIK or KK work while the database file alone reveals none of
 * them.  Two subkeys are derived from the master key: one to encrypt, one
 * to index; the index key never changes on key rotation (a later issue),
 * or every index would have to be rebuilt. */
#ifndef PK_VAULT_H
#define PK_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define PK_BLIND_LEN 16

typedef struct pk_vault {
    unsigned char enc_key[32];
    unsigned char idx_key[32];
    unsigned char field_key[16];
    unsigned char auth_key[32];  /* sessions, API tokens, CSRF tokens, throttling keys */
} pk_vault;

/* Reads the key file, creating it (mode 0600, 32 random bytes as hex)
 * when it does not exist and `may_create`.  Returns 0, PK_ENOENT (missing
 * and not to be created) or another negative PK_E*, with an English
 * explanation in err. */
int pk_vault_open(pk_vault *v, const char *key_file, bool may_create, char *err, size_t errlen);
/* A value that identifies the key (not the key): stored in the database
 * so that a wrong or lost key file is refused instead of silently
 * creating a second, unreadable copy of every record. */
void pk_vault_check_value(const pk_vault *v, uint8_t out[PK_BLIND_LEN]);
void pk_vault_close(pk_vault *v);

/* Blind index of `value` in a domain ("nik", "kk"): equal inputs give
 * equal outputs, nothing else can be learnt without the key. */
void pk_vault_blind(const pk_vault *v, const char *domain, const char *value,
                    uint8_t out[PK_BLIND_LEN]);
/* A short keyed hash (SipHash) of one field's value, to tell what changed
 * in a record without decrypting it; reveals nothing about the value. */
void pk_vault_field_hash(const pk_vault *v, unsigned field, const char *value, uint8_t out[8]);

/* Seals plain (bound to `ad`, e.g. the NIK's blind index, so a sealed
 * value cannot be moved to another row) into out: version byte, nonce,
 * ciphertext and tag. */
int pk_vault_seal(const pk_vault *v, const void *plain, size_t n, const void *ad, size_t adn,
                  pk_buf *out);
/* Opens a sealed value into out; PK_EINVAL when it was tampered with or
 * sealed under another key. */
int pk_vault_unseal(const pk_vault *v, const void *box, size_t n, const void *ad, size_t adn,
                    pk_buf *out);

#endif
