/* vault.h -- protection of personal data at rest (libsodium).
 *
 * NIK, KK number, phone, e-mail and address never reach the database in
 * clear: they are sealed together with XChaCha20-Poly1305 under a key kept
 * outside the database (a key file, mode 0600, created on first run), and
 * looked up through keyed "blind indexes" (pk_blind_fn), so uniqueness
 * and lookups by NIK or KK work while the database file alone reveals
 * none of them.  Subkeys are derived from the master key with
 * crypto_kdf: seal key generation 1 (id 1), the index key (id 2), the
 * field-hash key (id 3) and the auth key (id 4).  Only the seal key
 * rotates (`prakerja keys rotate`): blind indexes, field hashes, auth
 * hashes and the key check stay as they are, or every index would have
 * to be rebuilt.
 *
 * The key file (mode 0600):
 *
 *     <64 hex: the master key>
 *     seal 2 <64 hex: seal key of generation 2>
 *     seal 3 <64 hex>
 *     ...
 *
 * Line 1 alone is the format of the first release (generation 1 only).
 * The newest generation present seals new data; every generation present
 * opens.  A sealed box is
 *
 *     generation (1 byte, 1..255) | nonce (24 bytes) | ciphertext + tag
 *
 * (generation 1 is the former "version 1" byte, so older data stays
 * readable).  A rotation writes the key file again, atomically (temporary
 * file, fsync, rename, fsync of the directory), and then re-seals every
 * box of an older generation.  A running process notices a new key file
 * (another inode) before each seal and when it meets a generation it does
 * not know, and reloads it, so servers need no restart after a rotation:
 * a reload only ever adds generations, and a key file with another master
 * key is ignored. */
#ifndef PK_VAULT_H
#define PK_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define PK_BLIND_LEN 16

#define PK_SEAL_GEN_MAX 255

typedef struct pk_keyring pk_keyring; /* seal keys by generation (vault.c) */

/* How blind indexes are computed: a database keeps one function for its
 * life (the store's meta value "blind", recorded when it is created;
 * without it, BLAKE2B).  Both are keyed pseudo-random functions of the
 * domain ("nik", "kk"), a zero byte and the value, under the index key:
 *
 *   PK_BLIND_BLAKE2B   keyed BLAKE2b-128: databases created before
 *                      migration 6;
 *   PK_BLIND_SIPHASH   SipHash-2-4 under each half of the index key, the
 *                      two 64-bit outputs side by side: 128 bits from two
 *                      independent keys.  It costs 0.05 us a value against
 *                      0.4 for BLAKE2b, whose key takes a compression of
 *                      its own: on a bulk import, the two of each row took
 *                      0.75 us of the reading thread's 3.3-4 us. */
typedef enum pk_blind_fn {
    PK_BLIND_BLAKE2B = 0,
    PK_BLIND_SIPHASH = 1,
} pk_blind_fn;

/* The store's meta value that names PK_BLIND_SIPHASH (migration 6). */
#define PK_BLIND_SIPHASH_NAME "siphash24-2x64"

typedef struct pk_vault {
    pk_keyring *ring;
    pk_blind_fn blind;           /* BLAKE2B until the app reads the database's */
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

/* The generation new boxes are sealed with (the newest in the key file). */
int pk_vault_seal_generation(const pk_vault *v);
/* The generation a box was sealed with: its first byte (0 when empty). */
int pk_vault_box_generation(const void *box, size_t n);
/* Adds a new seal generation: writes the key file again atomically with
 * a new random key after the existing ones (which stay, so every box
 * still opens), and seals with it from now on.  *gen receives it. */
int pk_vault_add_generation(pk_vault *v, int *gen, char *err, size_t errlen);
/* Takes the key file's exclusive lock (KEY_FILE.lock, flock) that every
 * change of the key file and its rotation hold, so two rotations never
 * run at once; PK_EBUSY when another holds it.  Unlock with the fd. */
int pk_vault_lock(const pk_vault *v, int *fd, char *err, size_t errlen);
void pk_vault_unlock(int fd);
/* Removes from the key file every generation above 1 that `keep` does not
 * name (keep[g] true: still used by some box) and is not one of the two
 * newest (a running server may seal under the one before the newest for
 * a second after a rotation); *removed receives how many went. */
int pk_vault_prune(pk_vault *v, const bool keep[PK_SEAL_GEN_MAX + 1], int *removed, char *err,
                   size_t errlen);
/* Re-seals a box under the newest generation (same AD); out receives it. */
int pk_vault_reseal(const pk_vault *v, const void *box, size_t n, const void *ad, size_t adn,
                    pk_buf *out);

/* Blind index of `value` in a domain ("nik", "kk") with v->blind: equal
 * inputs give equal outputs, nothing else can be learnt without the key. */
void pk_vault_blind(const pk_vault *v, const char *domain, const char *value,
                    uint8_t out[PK_BLIND_LEN]);
/* A key of its own for `domain` ("kartu": the card numbers' spread),
 * outlen 16..64 bytes: keyed BLAKE2b of the domain under the index key,
 * which no rotation changes, so it is the same for the database's life. */
void pk_vault_subkey(const pk_vault *v, const char *domain, uint8_t *out, size_t outlen);
/* A short keyed hash (SipHash) of one field's value, to tell what changed
 * in a record without decrypting it; reveals nothing about the value. */
void pk_vault_field_hash(const pk_vault *v, unsigned field, const char *value, uint8_t out[8]);

/* Seals plain (bound to `ad`, e.g. the NIK's blind index, so a sealed
 * value cannot be moved to another row) into out: version byte, nonce,
 * ciphertext and tag, under the newest seal generation. */
int pk_vault_seal(const pk_vault *v, const void *plain, size_t n, const void *ad, size_t adn,
                  pk_buf *out);
/* Opens a sealed value into out with the key of its generation; PK_EINVAL
 * when it was tampered with or sealed under a key not in the key file. */
int pk_vault_unseal(const pk_vault *v, const void *box, size_t n, const void *ad, size_t adn,
                    pk_buf *out);

#endif
