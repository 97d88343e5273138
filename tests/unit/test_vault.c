/* test_vault.c -- blind indexes and sealing (app/vault.c) against libsodium
 * called directly: the blind functions' definitions, and boxes that any
 * XChaCha20-Poly1305 implementation opens. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/vault.h"
#include "core/buf.h"
#include "core/pk.h"

typedef struct {
    char dir[64], path[96];
    pk_vault v;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/pk-vault-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/k.key", f->dir);
    char err[256];
    if (pk_vault_open(&f->v, f->path, true, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    pk_vault_close(&f->v);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* SipHash-2-4 of `in` under each half of the index key. */
static void siphash_pair(const pk_vault *v, const unsigned char *in, size_t n, uint8_t out[16])
{
    crypto_shorthash_siphash24(out, in, n, v->idx_key);
    crypto_shorthash_siphash24(out + 8, in, n, v->idx_key + 16);
}

static void blind_siphash_is_its_definition(void **state)
{
    fixture *f = *state;
    f->v.blind = PK_BLIND_SIPHASH;
    uint8_t got[PK_BLIND_LEN], want[16], kk[PK_BLIND_LEN];
    pk_vault_blind(&f->v, "nik", "3174015708950001", got);
    siphash_pair(&f->v, (const unsigned char *)"nik\0" "3174015708950001", 4 + 16, want);
    assert_memory_equal(got, want, 16);
    /* domains apart: the same digits as a KK give another index */
    pk_vault_blind(&f->v, "kk", "3174015708950001", kk);
    assert_memory_not_equal(got, kk, 16);
    /* a value longer than the buffer: 1 and its BLAKE2b-256 */
    char lng[300];
    memset(lng, '7', sizeof(lng) - 1);
    lng[sizeof(lng) - 1] = '\0';
    unsigned char in[4 + 32];
    memcpy(in, "nik\1", 4);
    crypto_generichash(in + 4, 32, (const unsigned char *)lng, strlen(lng), NULL, 0);
    pk_vault_blind(&f->v, "nik", lng, got);
    siphash_pair(&f->v, in, sizeof(in), want);
    assert_memory_equal(got, want, 16);
    lng[150] = '8'; /* one digit apart: another index */
    pk_vault_blind(&f->v, "nik", lng, kk);
    assert_memory_not_equal(got, kk, 16);
}

static void blind_blake2b_is_its_definition(void **state)
{
    fixture *f = *state;
    f->v.blind = PK_BLIND_BLAKE2B;
    uint8_t got[PK_BLIND_LEN], want[16];
    pk_vault_blind(&f->v, "kk", "3174013001000001", got);
    crypto_generichash(want, 16, (const unsigned char *)"kk\0" "3174013001000001", 3 + 16,
                       f->v.idx_key, sizeof(f->v.idx_key));
    assert_memory_equal(got, want, 16);
}

static void boxes_are_xchacha20poly1305(void **state)
{
    fixture *f = *state;
    pk_buf box, plain;
    pk_buf_init(&box, 1 << 16);
    pk_buf_init(&plain, 1 << 16);
    static const char ad[] = "bound to this";
    for (int i = 0; i < 3; i++) { /* the subkey is derived once, then reused */
        char text[64];
        int tl = snprintf(text, sizeof(text), "NIK 3174015708950001 nomor %d", i);
        assert_int_equal(pk_vault_seal(&f->v, text, (size_t)tl, ad, sizeof(ad), &box), 0);
        const unsigned char *b = (const unsigned char *)box.data;
        size_t n = box.len;
        assert_int_equal(b[0], pk_vault_seal_generation(&f->v));
        /* libsodium's own XChaCha20-Poly1305 opens it, under the seal key
         * of generation 1 derived here from the key file's master key */
        unsigned char master[32], key[32], out[64];
        char hex[65] = "";
        FILE *kf = fopen(f->path, "r");
        assert_non_null(kf);
        assert_non_null(fgets(hex, sizeof(hex), kf));
        fclose(kf);
        assert_int_equal(sodium_hex2bin(master, 32, hex, 64, NULL, NULL, NULL), 0);
        crypto_kdf_derive_from_key(key, 32, 1, "pkseal__", master);
        unsigned long long ml = 0;
        assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(
                             out, &ml, NULL, b + 1 + 24, n - 1 - 24, (const unsigned char *)ad,
                             sizeof(ad), b + 1, key),
                         0);
        assert_int_equal(ml, (unsigned long long)tl);
        assert_memory_equal(out, text, (size_t)tl);
        assert_int_equal(pk_vault_unseal(&f->v, b, n, ad, sizeof(ad), &plain), 0);
        assert_int_equal(plain.len, (size_t)tl);
        assert_memory_equal(plain.data, text, (size_t)tl);
        /* tampering is refused */
        box.data[n - 1] ^= 1;
        assert_int_not_equal(pk_vault_unseal(&f->v, box.data, n, ad, sizeof(ad), &plain), 0);
    }
    pk_buf_free(&box);
    pk_buf_free(&plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(blind_siphash_is_its_definition, setup, teardown),
        cmocka_unit_test_setup_teardown(blind_blake2b_is_its_definition, setup, teardown),
        cmocka_unit_test_setup_teardown(boxes_are_xchacha20poly1305, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
