/* test_receipt.c -- the registration receipt sealed into a cookie
 * (app/receipt.c): round trip, expiry, tampering, another key, what the
 * text holds and the reference's shape. */
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

#include "app/receipt.h"
#include "app/vault.h"
#include "core/pk.h"

typedef struct {
    char dir[64], path[2][96];
    pk_vault v[2];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/pk-receipt-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    for (int i = 0; i < 2; i++) {
        snprintf(f->path[i], sizeof(f->path[i]), "%s/k%d.key", f->dir, i);
        char err[256];
        if (pk_vault_open(&f->v[i], f->path[i], true, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 2; i++) {
        pk_vault_close(&f->v[i]);
        unlink(f->path[i]);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static pk_receipt sample(const pk_vault *v)
{
    pk_receipt r = {0};
    pk_receipt_reference(v, 4242, r.reference);
    snprintf(r.scheme, sizeof(r.scheme), "2023");
    r.reasons = PK_CODEBIT(PK_C_USIA_KURANG) | PK_CODEBIT(PK_C_SEDANG_SEKOLAH);
    r.expires = 1800000000;
    return r;
}

static void round_trip(void **state)
{
    fixture *f = *state;
    pk_receipt r = sample(&f->v[0]), back;
    char text[PK_RECEIPT_TEXT_MAX * 2];
    assert_int_equal(pk_receipt_seal(&f->v[0], &r, text, sizeof(text)), 0);
    /* cookie-safe: base64url without padding */
    assert_int_equal(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789-_"),
                     strlen(text));
    assert_true(strlen(text) < PK_RECEIPT_TEXT_MAX);
    /* nothing readable: not the reference, not the scheme */
    assert_null(strstr(text, r.reference));
    assert_int_equal(pk_receipt_open(&f->v[0], text, 1700000000, &back), 0);
    assert_string_equal(back.reference, r.reference);
    assert_string_equal(back.scheme, "2023");
    assert_true(back.reasons == r.reasons);
    assert_true(back.expires == r.expires);
    /* sealed twice: different text (a fresh nonce), same receipt */
    char again[PK_RECEIPT_TEXT_MAX * 2];
    assert_int_equal(pk_receipt_seal(&f->v[0], &r, again, sizeof(again)), 0);
    assert_string_not_equal(text, again);
    /* too small a buffer */
    assert_int_equal(pk_receipt_seal(&f->v[0], &r, again, 20), PK_ETOOBIG);
}

static void expiry(void **state)
{
    fixture *f = *state;
    pk_receipt r = sample(&f->v[0]), back;
    char text[PK_RECEIPT_TEXT_MAX * 2];
    assert_int_equal(pk_receipt_seal(&f->v[0], &r, text, sizeof(text)), 0);
    assert_int_equal(pk_receipt_open(&f->v[0], text, r.expires - 1, &back), 0);
    assert_int_equal(pk_receipt_open(&f->v[0], text, r.expires, &back), PK_ENOENT);
    assert_int_equal(pk_receipt_open(&f->v[0], text, r.expires + 3600, &back), PK_ENOENT);
}

static void tampered_and_foreign(void **state)
{
    fixture *f = *state;
    pk_receipt r = sample(&f->v[0]), back;
    char text[PK_RECEIPT_TEXT_MAX * 2];
    assert_int_equal(pk_receipt_seal(&f->v[0], &r, text, sizeof(text)), 0);
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i += 7) {
        char t[PK_RECEIPT_TEXT_MAX * 2];
        memcpy(t, text, n + 1);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        assert_int_equal(pk_receipt_open(&f->v[0], t, 0, &back), PK_EINVAL);
    }
    char cut[PK_RECEIPT_TEXT_MAX * 2];
    memcpy(cut, text, n - 3);
    cut[n - 3] = '\0';
    assert_int_equal(pk_receipt_open(&f->v[0], cut, 0, &back), PK_EINVAL);
    /* another deployment's key */
    assert_int_equal(pk_receipt_open(&f->v[1], text, 0, &back), PK_EINVAL);
    /* not base64url, empty, too long, NULL */
    assert_int_equal(pk_receipt_open(&f->v[0], "not a receipt!", 0, &back), PK_EINVAL);
    assert_int_equal(pk_receipt_open(&f->v[0], "", 0, &back), PK_EINVAL);
    char big[2000];
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(pk_receipt_open(&f->v[0], big, 0, &back), PK_EINVAL);
    assert_int_equal(pk_receipt_open(&f->v[0], NULL, 0, &back), PK_EINVAL);
    /* a box sealed by the vault for another purpose (any other AD) */
    pk_buf box;
    pk_buf_init(&box, 4096);
    const char plain[] = "PKJ-0000-0000|2023|0000000000000000|9999999999";
    assert_int_equal(pk_vault_seal(&f->v[0], plain, sizeof(plain) - 1, "nik", 3, &box), 0);
    char other[PK_RECEIPT_TEXT_MAX * 2];
    sodium_bin2base64(other, sizeof(other), (const unsigned char *)box.data, box.len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    pk_buf_free(&box);
    assert_int_equal(pk_receipt_open(&f->v[0], other, 0, &back), PK_EINVAL);
}

static void reference_shape(void **state)
{
    fixture *f = *state;
    char a[PK_RECEIPT_REF_LEN], b[PK_RECEIPT_REF_LEN], c[PK_RECEIPT_REF_LEN];
    pk_receipt_reference(&f->v[0], 1, a);
    pk_receipt_reference(&f->v[0], 1, b);
    pk_receipt_reference(&f->v[0], 2, c);
    assert_string_equal(a, b);        /* the same id, the same reference */
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), PK_RECEIPT_REF_LEN - 1);
    assert_memory_equal(a, "PKJ-", 4);
    assert_int_equal(a[8], '-');
    for (int i = 4; i < 13; i++)
        if (i != 8)
            assert_non_null(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", a[i]));
    /* keyed: another key gives another reference for the same id */
    char other[PK_RECEIPT_REF_LEN];
    pk_receipt_reference(&f->v[1], 1, other);
    assert_string_not_equal(a, other);
    /* 1,000 ids: no two share a reference (40 bits) */
    static char refs[1000][PK_RECEIPT_REF_LEN];
    for (int i = 0; i < 1000; i++)
        pk_receipt_reference(&f->v[0], i, refs[i]);
    for (int i = 0; i < 1000; i++)
        for (int j = i + 1; j < 1000; j++)
            assert_string_not_equal(refs[i], refs[j]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(tampered_and_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(reference_shape, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
