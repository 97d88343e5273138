/* vault.c -- sealing and blind indexes for personal data (see vault.h). */
#include "app/vault.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/pk.h"

#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
_Static_assert(NONCE_LEN == 16 + 8, "a nonce is a 16-byte prefix and an 8-byte counter");
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KEY_FILE_MAX 65536

struct pk_keyring {
    pthread_mutex_t mu;
    char *path;
    /* The key file last read: a rotation or a prune renames a new file
     * into place, so another identity means reload.  The inode alone is
     * not enough: a file renamed into place may get the number the one it
     * replaced had (an outside test saw it on ext4, after which a server
     * went on sealing under a generation a prune had removed: that data
     * was lost); with its change time and size, two versions never look
     * alike. */
    dev_t dev;
    ino_t ino;
    struct timespec ctime;
    off_t size;
    time_t checked;     /* when sealing last looked for a newer generation */
    /* Nonces: a random prefix drawn once per process, then a counter, so
     * no two boxes ever share one (a random nonce per box cost a system
     * call each). */
    unsigned char nonce_prefix[16];
    uint64_t nonce_count;
    int newest;
    bool have[PK_SEAL_GEN_MAX + 1];
    unsigned char key[PK_SEAL_GEN_MAX + 1][32];
    /* XChaCha20-Poly1305 seals with HChaCha20(key, nonce[0..16]) as the
     * key of ChaCha20-Poly1305; with the prefix fixed per process, that
     * subkey is too, so it is derived once per generation (lazily) instead
     * of once per box: the same boxes, with a fifth less CPU per seal
     * (0.65 against 0.8 us for a row's 110 bytes). */
    bool have_sub[PK_SEAL_GEN_MAX + 1];
    unsigned char sub[PK_SEAL_GEN_MAX + 1][32];
};

/* What a key file says. */
typedef struct keyfile {
    unsigned char master[32];
    bool have[PK_SEAL_GEN_MAX + 1];    /* generations >= 2 given on "seal" lines */
    unsigned char key[PK_SEAL_GEN_MAX + 1][32];
} keyfile;

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

static bool hex32(const char *s, size_t n, unsigned char out[32])
{
    size_t bin_len = 0;
    return n == 64 && sodium_hex2bin(out, 32, s, n, NULL, &bin_len, NULL) == 0 && bin_len == 32;
}

/* Parses the key file's text (see vault.h). */
static int parse_key(const char *path, const char *text, size_t n, keyfile *kf, char *err,
                     size_t errlen)
{
    memset(kf, 0, sizeof(*kf));
    size_t pos = 0;
    for (int line = 1; pos < n; line++) {
        const char *l = text + pos;
        const char *nl = memchr(l, '\n', n - pos);
        size_t len = nl ? (size_t)(nl - l) : n - pos;
        pos += len + (nl != NULL);
        if (len > 0 && l[len - 1] == '\r')
            len--;
        if (line == 1) {
            if (!hex32(l, len, kf->master))
                goto bad;
            continue;
        }
        if (len == 0)
            continue;
        /* "seal <gen> <64 hex>" */
        char *end = NULL;
        if (len < 5 || memcmp(l, "seal ", 5) != 0 || l[5] < '0' || l[5] > '9')
            goto bad;
        long gen = strtol(l + 5, &end, 10);
        if (gen < 2 || gen > PK_SEAL_GEN_MAX || *end != ' ' || kf->have[gen] ||
            !hex32(end + 1, len - (size_t)(end + 1 - l), kf->key[gen]))
            goto bad;
        kf->have[gen] = true;
    }
    if (n == 0)
        goto bad;
    return 0;
bad:
    sodium_memzero(kf, sizeof(*kf));
    snprintf(err, errlen, "key file %s does not hold a 32-byte hex key (and seal lines)", path);
    return PK_EINVAL;
}

static int read_key(const char *path, keyfile *kf, struct stat *st, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open key file %s: %s", path, strerror(errno));
        return errno == ENOENT ? PK_ENOENT : PK_EIO;
    }
    if (fstat(fd, st) != 0 || (st->st_mode & 077) != 0) {
        close(fd);
        snprintf(err, errlen, "key file %s must not be readable by group or others (chmod 600)",
                 path);
        return PK_EINVAL;
    }
    char *text = malloc(KEY_FILE_MAX);
    if (text == NULL) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, text + n, KEY_FILE_MAX - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n == KEY_FILE_MAX)
            break;
    }
    close(fd);
    int rc = n == KEY_FILE_MAX ? (snprintf(err, errlen, "key file %s is too large", path),
                                  PK_EINVAL)
                               : parse_key(path, text, n, kf, err, errlen);
    sodium_memzero(text, KEY_FILE_MAX);
    free(text);
    return rc;
}

static void derive_seal1(const unsigned char master[32], unsigned char out[32])
{
    crypto_kdf_derive_from_key(out, 32, 1, "pkseal__", master);
}

/* The identity of the key file as last read (see pk_keyring.ino). */
static void ring_seen(pk_keyring *r, const struct stat *st)
{
    r->dev = st->st_dev;
    r->ino = st->st_ino;
    r->ctime = st->st_ctim;
    r->size = st->st_size;
}

static bool ring_same(const pk_keyring *r, const struct stat *st)
{
    return st->st_dev == r->dev && st->st_ino == r->ino && st->st_size == r->size &&
           st->st_ctim.tv_sec == r->ctime.tv_sec && st->st_ctim.tv_nsec == r->ctime.tv_nsec;
}

/* Merges a key file just read into the ring (held locked): only adds
 * generations.  A file with another master key, or another key for a
 * generation already known, is ignored (with PK_EINVAL). */
static int ring_merge(pk_keyring *r, const keyfile *kf, const struct stat *st)
{
    unsigned char k1[32];
    derive_seal1(kf->master, k1);
    int same = sodium_memcmp(k1, r->key[1], 32) == 0;
    sodium_memzero(k1, sizeof(k1));
    if (!same)
        return PK_EINVAL;
    for (int g = 2; g <= PK_SEAL_GEN_MAX; g++)
        if (kf->have[g] && r->have[g] && sodium_memcmp(kf->key[g], r->key[g], 32) != 0)
            return PK_EINVAL;
    for (int g = 2; g <= PK_SEAL_GEN_MAX; g++)
        if (kf->have[g] && !r->have[g]) {
            memcpy(r->key[g], kf->key[g], 32);
            r->have[g] = true;
            if (g > r->newest)
                r->newest = g;
        }
    ring_seen(r, st);
    return 0;
}

/* Reloads the key file when it is no longer the one last read (held
 * locked).  Failures keep the keys already loaded. */
static void ring_refresh(pk_keyring *r)
{
    struct stat st;
    if (stat(r->path, &st) != 0 || ring_same(r, &st))
        return;
    keyfile *kf = malloc(sizeof(*kf));
    char err[256];
    if (kf == NULL)
        return;
    if (read_key(r->path, kf, &st, err, sizeof(err)) == 0)
        (void)ring_merge(r, kf, &st);
    sodium_memzero(kf, sizeof(*kf));
    free(kf);
}

static void ring_free(pk_keyring *r)
{
    if (r == NULL)
        return;
    pthread_mutex_destroy(&r->mu);
    free(r->path);
    sodium_memzero(r, sizeof(*r));
    free(r);
}

int pk_vault_open(pk_vault *v, const char *key_file, bool may_create, char *err, size_t errlen)
{
    memset(v, 0, sizeof(*v));
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium failed to initialise");
        return PK_EIO;
    }
    keyfile *kf = calloc(1, sizeof(*kf));
    pk_keyring *r = calloc(1, sizeof(*r));
    char *path = strdup(key_file);
    if (kf == NULL || r == NULL || path == NULL) {
        free(kf);
        free(r);
        free(path);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    struct stat st;
    int rc = read_key(key_file, kf, &st, err, errlen);
    if (rc == PK_ENOENT && may_create) {
        rc = create_key(key_file, kf->master, err, errlen);
        if (rc == 0 && stat(key_file, &st) != 0)
            memset(&st, 0, sizeof(st));
        if (rc == PK_ENOENT) /* another process created it first */
            rc = read_key(key_file, kf, &st, err, errlen);
    }
    if (rc != 0) {
        sodium_memzero(kf, sizeof(*kf));
        free(kf);
        free(r);
        free(path);
        return rc;
    }
    pthread_mutex_init(&r->mu, NULL);
    r->path = path;
    derive_seal1(kf->master, r->key[1]);
    r->have[1] = true;
    r->newest = 1;
    randombytes_buf(r->nonce_prefix, sizeof(r->nonce_prefix));
    (void)ring_merge(r, kf, &st);
    v->ring = r;
    crypto_kdf_derive_from_key(v->idx_key, sizeof(v->idx_key), 2, "pkindex_", kf->master);
    crypto_kdf_derive_from_key(v->field_key, sizeof(v->field_key), 3, "pkfield_", kf->master);
    crypto_kdf_derive_from_key(v->auth_key, sizeof(v->auth_key), 4, "pkauth__", kf->master);
    sodium_memzero(kf, sizeof(*kf));
    free(kf);
    return 0;
}

int pk_vault_seal_generation(const pk_vault *v)
{
    pk_keyring *r = v->ring;
    pthread_mutex_lock(&r->mu);
    ring_refresh(r);
    int g = r->newest;
    pthread_mutex_unlock(&r->mu);
    return g;
}

int pk_vault_box_generation(const void *box, size_t n)
{
    return n > 0 ? ((const unsigned char *)box)[0] : 0;
}

/* Writes text to path atomically: a temporary file (0600) in the same
 * directory, fsync, rename over path, fsync of the directory. */
static int write_atomic(const char *path, const char *text, size_t n, struct stat *st,
                        char *err, size_t errlen)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16), *dir = strdup(path);
    if (tmp == NULL || dir == NULL) {
        free(tmp);
        free(dir);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, plen + 1, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int rc = PK_EIO;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary key file next to %s: %s", path,
                 strerror(errno));
        goto out;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, text + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    if (done != n || fchmod(fd, 0600) != 0 || fsync(fd) != 0 || fstat(fd, st) != 0) {
        snprintf(err, errlen, "cannot write the key file %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        snprintf(err, errlen, "cannot sync directory %s: %s", dir, strerror(errno));
        if (dfd >= 0)
            close(dfd);
        goto out;
    }
    close(dfd);
    rc = 0;
out:
    free(tmp);
    free(dir);
    return rc;
}

/* Rewrites the key file from kf (master and seal lines). */
static int write_key(const char *path, const keyfile *kf, struct stat *st, char *err,
                     size_t errlen)
{
    size_t cap = 65 + (size_t)PK_SEAL_GEN_MAX * 80;
    char *text = malloc(cap), hex[65];
    if (text == NULL) {
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    sodium_bin2hex(hex, sizeof(hex), kf->master, 32);
    size_t n = (size_t)snprintf(text, cap, "%s\n", hex);
    for (int g = 2; g <= PK_SEAL_GEN_MAX; g++)
        if (kf->have[g]) {
            sodium_bin2hex(hex, sizeof(hex), kf->key[g], 32);
            n += (size_t)snprintf(text + n, cap - n, "seal %d %s\n", g, hex);
        }
    sodium_memzero(hex, sizeof(hex));
    int rc = write_atomic(path, text, n, st, err, errlen);
    sodium_memzero(text, cap);
    free(text);
    return rc;
}

/* Reads the key file afresh for a change, checking it is this vault's. */
static int read_own(pk_keyring *r, keyfile *kf, char *err, size_t errlen)
{
    struct stat st;
    int rc = read_key(r->path, kf, &st, err, errlen);
    if (rc != 0)
        return rc;
    if (ring_merge(r, kf, &st) != 0) {
        snprintf(err, errlen, "key file %s changed under this process (another master key, or "
                 "another key for a generation)", r->path);
        return PK_EINVAL;
    }
    /* What is written back is the union: a generation this process knows
     * but the file lost (a restored copy) is not dropped with it. */
    for (int g = 2; g <= PK_SEAL_GEN_MAX; g++)
        if (r->have[g] && !kf->have[g]) {
            memcpy(kf->key[g], r->key[g], 32);
            kf->have[g] = true;
        }
    return 0;
}

int pk_vault_lock(const pk_vault *v, int *fd, char *err, size_t errlen)
{
    const char *path = v->ring->path;
    size_t n = strlen(path) + 6;
    char *lock = malloc(n);
    if (lock == NULL) {
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    snprintf(lock, n, "%s.lock", path);
    *fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    int rc = 0;
    if (*fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", lock, strerror(errno));
        rc = PK_EIO;
    } else if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, errlen, "another 'prakerja keys' command holds %s: wait for it to end",
                 lock);
        close(*fd);
        *fd = -1;
        rc = PK_EBUSY;
    }
    free(lock);
    return rc;
}

void pk_vault_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the lock */
}

int pk_vault_add_generation(pk_vault *v, int *gen, char *err, size_t errlen)
{
    pk_keyring *r = v->ring;
    keyfile *kf = malloc(sizeof(*kf));
    if (kf == NULL) {
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    pthread_mutex_lock(&r->mu);
    int rc = read_own(r, kf, err, errlen);
    int g = r->newest + 1;
    if (rc == 0 && g > PK_SEAL_GEN_MAX) {
        snprintf(err, errlen, "key file %s has reached generation %d: run 'prakerja keys prune'"
                 " and restart from a new key file", r->path, PK_SEAL_GEN_MAX);
        rc = PK_EINVAL;
    }
    if (rc == 0) {
        struct stat st;
        randombytes_buf(kf->key[g], 32);
        kf->have[g] = true;
        if ((rc = write_key(r->path, kf, &st, err, errlen)) == 0) {
            memcpy(r->key[g], kf->key[g], 32);
            r->have[g] = true;
            r->newest = g;
            ring_seen(r, &st);
            *gen = g;
        }
    }
    pthread_mutex_unlock(&r->mu);
    sodium_memzero(kf, sizeof(*kf));
    free(kf);
    return rc;
}

int pk_vault_prune(pk_vault *v, const bool keep[PK_SEAL_GEN_MAX + 1], int *removed, char *err,
                   size_t errlen)
{
    pk_keyring *r = v->ring;
    keyfile *kf = malloc(sizeof(*kf));
    if (kf == NULL) {
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    *removed = 0;
    pthread_mutex_lock(&r->mu);
    int rc = read_own(r, kf, err, errlen);
    if (rc == 0) {
        /* the generation before the newest stays too: a running server
         * looks for a rotation at most once a second (ring_key), and may
         * seal under it for that second after the rotation's last pass;
         * removed, that box would never open (an outside test lost a
         * registration so, a prune right after a rotation) */
        for (int g = 2; g < r->newest - 1; g++)
            if (kf->have[g] && !keep[g]) {
                sodium_memzero(kf->key[g], 32);
                kf->have[g] = false;
                ++*removed;
            }
        struct stat st;
        /* The ring keeps what it has: boxes read by this process before
         * the prune still open, and nothing newer is lost. */
        if (*removed > 0 && (rc = write_key(r->path, kf, &st, err, errlen)) == 0) {
            ring_seen(r, &st);
        }
    }
    pthread_mutex_unlock(&r->mu);
    sodium_memzero(kf, sizeof(*kf));
    free(kf);
    return rc;
}

void pk_vault_check_value(const pk_vault *v, uint8_t out[PK_BLIND_LEN])
{
    pk_vault_blind(v, "key-check", "prakerja", out);
}

void pk_vault_close(pk_vault *v)
{
    ring_free(v->ring);
    sodium_memzero(v, sizeof(*v));
}

_Static_assert(sizeof(((pk_vault *)0)->idx_key) == 2 * crypto_shorthash_siphash24_KEYBYTES,
               "the index key holds two SipHash keys");

/* SipHash-2-4 of domain, 0, value under each half of the index key.  (A
 * value too long for the buffer, which no identity number is, goes in
 * as 1 and its BLAKE2b-256 instead, so no input needs the heap.) */
static void blind_siphash(const pk_vault *v, const char *domain, const char *value,
                          uint8_t out[PK_BLIND_LEN])
{
    unsigned char in[128];
    size_t dl = strlen(domain), vl = strlen(value);
    if (dl + 1 + crypto_generichash_BYTES > sizeof(in))
        dl = sizeof(in) - 1 - crypto_generichash_BYTES; /* domains are "nik", "kk" */
    memcpy(in, domain, dl);
    if (dl + 1 + vl <= sizeof(in)) {
        in[dl] = 0;
        memcpy(in + dl + 1, value, vl);
    } else {
        in[dl] = 1;
        crypto_generichash(in + dl + 1, crypto_generichash_BYTES, (const unsigned char *)value,
                           vl, NULL, 0);
        vl = crypto_generichash_BYTES;
    }
    crypto_shorthash_siphash24(out, in, dl + 1 + vl, v->idx_key);
    crypto_shorthash_siphash24(out + 8, in, dl + 1 + vl, v->idx_key + 16);
}

void pk_vault_blind(const pk_vault *v, const char *domain, const char *value,
                    uint8_t out[PK_BLIND_LEN])
{
    if (v->blind == PK_BLIND_SIPHASH) {
        blind_siphash(v, domain, value, out);
        return;
    }
    crypto_generichash_state st;
    crypto_generichash_init(&st, v->idx_key, sizeof(v->idx_key), PK_BLIND_LEN);
    crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
    crypto_generichash_update(&st, (const unsigned char *)value, strlen(value));
    crypto_generichash_final(&st, out, PK_BLIND_LEN);
}

void pk_vault_subkey(const pk_vault *v, const char *domain, uint8_t *out, size_t outlen)
{
    crypto_generichash(out, outlen, (const unsigned char *)domain, strlen(domain) + 1, v->idx_key,
                       sizeof(v->idx_key));
}

void pk_vault_field_hash(const pk_vault *v, unsigned field, const char *value, uint8_t out[8])
{
    unsigned char key[crypto_shorthash_KEYBYTES];
    memcpy(key, v->field_key, sizeof(key));
    key[0] ^= (unsigned char)field; /* a distinct key per field */
    crypto_shorthash(out, (const unsigned char *)value, strlen(value), key);
}

/* Copies the key of generation g (the newest when 0) out of the ring;
 * when nonce is not NULL, a fresh nonce to seal with instead, and the
 * key is the generation's subkey for it (see pk_keyring.sub). */
static int ring_key(const pk_vault *v, int g, unsigned char key[32], int *gen,
                    unsigned char nonce[NONCE_LEN])
{
    pk_keyring *r = v->ring;
    if (r == NULL)
        return PK_EINVAL;
    pthread_mutex_lock(&r->mu);
    /* Sealing looks for a rotation at most once a second (a stat per box
     * would cost an import a system call per row); a box sealed under
     * the old generation meanwhile is still counted by `keys prune`. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    if (g == 0 ? now.tv_sec != r->checked : g > r->newest || !r->have[g]) {
        ring_refresh(r);
        r->checked = now.tv_sec;
    }
    if (g == 0)
        g = r->newest;
    bool have = g >= 1 && g <= PK_SEAL_GEN_MAX && r->have[g];
    if (have && nonce != NULL && !r->have_sub[g]) {
        crypto_core_hchacha20(r->sub[g], r->nonce_prefix, r->key[g], NULL);
        r->have_sub[g] = true;
    }
    if (have)
        memcpy(key, nonce != NULL ? r->sub[g] : r->key[g], 32);
    if (nonce != NULL) {
        uint64_t c = ++r->nonce_count;
        memcpy(nonce, r->nonce_prefix, sizeof(r->nonce_prefix));
        for (int i = 0; i < 8; i++)
            nonce[16 + i] = (unsigned char)(c >> (8 * i));
    }
    pthread_mutex_unlock(&r->mu);
    *gen = g;
    return have ? 0 : PK_EINVAL;
}

int pk_vault_seal(const pk_vault *v, const void *plain, size_t n, const void *ad, size_t adn,
                  pk_buf *out)
{
    static const unsigned char room[TAG_LEN];
    unsigned char hdr[1 + NONCE_LEN], key[32];
    int gen;
    if (ring_key(v, 0, key, &gen, hdr + 1) != 0)
        return PK_EINVAL;
    hdr[0] = (unsigned char)gen;
    pk_buf_reset(out);
    /* Size the buffer (header, text, tag), then encrypt into it. */
    if (pk_buf_add(out, hdr, sizeof(hdr)) != 0 || pk_buf_add(out, plain, n) != 0 ||
        pk_buf_add(out, room, TAG_LEN) != 0) {
        sodium_memzero(key, sizeof(key));
        return PK_ENOMEM;
    }
    /* XChaCha20-Poly1305 with the subkey already derived: ChaCha20-
     * Poly1305 (IETF) under it, with 4 zero bytes and the nonce's last 8
     * as the nonce, as libsodium's xchacha20poly1305_ietf_encrypt does. */
    unsigned char nonce2[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {0};
    _Static_assert(sizeof(nonce2) == 4 + 8, "IETF ChaCha20 nonce");
    memcpy(nonce2 + 4, hdr + 1 + 16, 8);
    unsigned long long clen;
    crypto_aead_chacha20poly1305_ietf_encrypt((unsigned char *)out->data + sizeof(hdr), &clen,
                                              plain, n, ad, adn, NULL, nonce2, key);
    sodium_memzero(key, sizeof(key));
    out->len = sizeof(hdr) + (size_t)clen;
    return 0;
}

int pk_vault_unseal(const pk_vault *v, const void *box, size_t n, const void *ad, size_t adn,
                    pk_buf *out)
{
    const unsigned char *b = box;
    unsigned char key[32];
    int gen;
    if (n < 1 + NONCE_LEN + TAG_LEN || b[0] == 0 || ring_key(v, b[0], key, &gen, NULL) != 0)
        return PK_EINVAL;
    pk_buf_reset(out);
    size_t plen = n - 1 - NONCE_LEN - TAG_LEN;
    if (pk_buf_add(out, b, plen + 1) != 0) { /* room for the plain text and a NUL */
        sodium_memzero(key, sizeof(key));
        return PK_ENOMEM;
    }
    unsigned long long mlen;
    int bad = crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out->data, &mlen, NULL,
                                                         b + 1 + NONCE_LEN, n - 1 - NONCE_LEN,
                                                         ad, adn, b + 1, key);
    sodium_memzero(key, sizeof(key));
    if (bad != 0) {
        pk_buf_reset(out);
        return PK_EINVAL;
    }
    out->len = (size_t)mlen;
    out->data[mlen] = '\0';
    return 0;
}

int pk_vault_reseal(const pk_vault *v, const void *box, size_t n, const void *ad, size_t adn,
                    pk_buf *out)
{
    pk_buf plain;
    pk_buf_init(&plain, 1 << 20);
    int rc = pk_vault_unseal(v, box, n, ad, adn, &plain);
    if (rc == 0)
        rc = pk_vault_seal(v, plain.data, plain.len, ad, adn, out);
    if (plain.data != NULL)
        sodium_memzero(plain.data, plain.cap);
    pk_buf_free(&plain);
    return rc;
}
