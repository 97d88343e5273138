/* test_journey.c -- unit tests of the journey's events (core/journey.c):
 * a row parsed, each column a type needs, and the fold's rules with
 * their reason codes, as tables of cases written from the spec
 * (journey-events-csv.md), not from the code. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/journey.h"
#include "core/pk.h"

static void test_instant(void **state)
{
    (void)state;
    int64_t t;
    /* 2021-03-05T03:00:00Z = 1614913200 */
    assert_int_equal(pk_instant_parse("2021-03-05T10:00:00+07:00", &t), 0);
    assert_int_equal(t, 1614913200);
    assert_int_equal(pk_instant_parse("2021-03-05T03:00:00Z", &t), 0);
    assert_int_equal(t, 1614913200);
    assert_int_equal(pk_instant_parse("2021-03-05T10:00+07:00", &t), 0);
    assert_int_equal(t, 1614913200);
    assert_int_equal(pk_instant_parse("2021-03-04T22:00:00.999-05:00", &t), 0);
    assert_int_equal(t, 1614913200);
    /* the fraction, in microseconds: padded, and cut after the sixth digit */
    int32_t us = -1;
    assert_int_equal(pk_instant_parse_us("2021-03-05T10:00:00.9+07:00", &t, &us), 0);
    assert_int_equal(us, 900000);
    assert_int_equal(pk_instant_parse_us("2021-03-05T10:00:00.1234567Z", &t, &us), 0);
    assert_int_equal(us, 123456);
    assert_int_equal(pk_instant_parse_us("2021-03-05T10:00:00Z", &t, &us), 0);
    assert_int_equal(us, 0);
    assert_true(pk_event_seq(1, 0) > pk_event_seq(0, ((uint64_t)1 << 40) - 1));
    assert_true(pk_event_seq(5, 2) > pk_event_seq(5, 1));
    const char *bad[] = {"", "2021-03-05", "2021-03-05T10:00:00", "2021-03-05T10:00:00+7",
                         "2021-03-05T24:00:00Z", "2021-02-30T10:00:00Z",
                         "2021-03-05T10:00:00Zx", "2021-03-05T10:00:", "2021-03-05 10:00:00Z",
                         "2021-03-05T10:00:00+07:00 ",
                         /* outside what WIB writes back: years 0001-9999 there */
                         "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                         "9999-12-31T17:00:00Z"};
    for (size_t i = 0; i < PK_ARRAY_LEN(bad); i++)
        if (pk_instant_parse(bad[i], &t) == 0)
            fail_msg("'%s' parsed", bad[i]);
    char out[32];
    pk_instant_format(1614913200, out);
    assert_string_equal(out, "2021-03-05T10:00:00+07:00");
    /* the ends of the range write back as they parse */
    const char *edge[] = {"0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59+07:00",
                          "9999-12-31T16:59:59Z"};
    for (size_t i = 0; i < PK_ARRAY_LEN(edge); i++) {
        int64_t back;
        assert_int_equal(pk_instant_parse(edge[i], &t), 0);
        pk_instant_format(t, out);
        assert_int_equal(pk_instant_parse(out, &back), 0);
        assert_int_equal(back, t);
    }
    /* the spec's example: lolos 2021-09-20T10:00+07:00 + 30 days ends
     * 2021-10-20T23:59:59+07:00 */
    assert_int_equal(pk_instant_parse("2021-09-20T10:00+07:00", &t), 0);
    pk_date day = pk_date_add_days(pk_instant_day_wib(t), 30);
    pk_instant_format(pk_day_end_wib(day), out);
    assert_string_equal(out, "2021-10-20T23:59:59+07:00");
    assert_int_equal(pk_deadline_after(t, 30), pk_day_end_wib(day));
    pk_instant_format(pk_day_start_wib(day), out);
    assert_string_equal(out, "2021-10-20T00:00:00+07:00");
    assert_int_equal(pk_day_start_wib(day) + 86399, pk_day_end_wib(day));
    /* 23:30 UTC is the next day in Jakarta */
    assert_int_equal(pk_instant_parse("2021-09-20T23:30:00Z", &t), 0);
    char d[11];
    pk_date_format(pk_instant_day_wib(t), d);
    assert_string_equal(d, "2021-09-21");
}

typedef struct parse_case {
    pk_event_fields f;
    const char *bad;   /* NULL: parses */
} parse_case;

#define W "2021-03-05T10:00:00+07:00"
static const parse_case parse_cases[] = {
    {{"r1", "gabung_gelombang", W, "3", 0, 0, 0, 0, 0, 0}, NULL},
    {{"r1", "gabung_gelombang", W, "", 0, 0, 0, 0, 0, 0}, "gelombang"},
    {{"r1", "gabung_gelombang", W, "0", 0, 0, 0, 0, 0, 0}, "gelombang"},
    {{"r1", "lolos", W, "-1", 0, 0, 0, 0, 0, 0}, "gelombang"},
    {{"r1", "lolos", W, "2x", 0, 0, 0, 0, 0, 0}, "gelombang"},
    {{"", "lolos", W, "1", 0, 0, 0, 0, 0, 0}, "ref"},
    {{"r", "lulus", W, "1", 0, 0, 0, 0, 0, 0}, "peristiwa"},
    {{"r", "lolos", "2021-03-05", "1", 0, 0, 0, 0, 0, 0}, "waktu"},
    {{"r", "saldo_masuk", W, 0, "3500000", 0, 0, 0, 0, 0}, NULL},
    {{"r", "saldo_masuk", W, 0, "3.500.000", 0, 0, 0, 0, 0}, "jumlah"},
    {{"r", "saldo_masuk", W, 0, "0", 0, 0, 0, 0, 0}, "jumlah"},
    {{"r", "saldo_masuk", W, 0, "9223372036854775807", 0, 0, 0, 0, 0}, NULL},
    {{"r", "saldo_masuk", W, 0, "9223372036854775808", 0, 0, 0, 0, 0}, "jumlah"},
    {{"r", "pembelian", W, 0, "100000", 0, "c-1", "tokopedia", 0, 0}, NULL},
    {{"r", "pembelian", W, 0, "100000", 0, "", "tokopedia", 0, 0}, "pelatihan"},
    {{"r", "pembelian", W, 0, "100000", 0, "c-1", "", 0, 0}, "platform"},
    /* an id holds no control character, a tab neither; a note may run
     * over lines (a tab, line breaks), nothing else */
    {{"r", "pembelian", W, 0, "100000", 0, "c\t1", "tokopedia", 0, 0}, "pelatihan"},
    {{"r", "pembelian", W, 0, "100000", 0, "c-1", "toko\npedia", 0, 0}, "platform"},
    {{"r", "dicabut", W, 0, 0, 0, 0, 0, 0, "baris 1\r\nbaris\t2"}, NULL},
    {{"r", "dicabut", W, 0, 0, 0, 0, 0, 0, "a\x01" "b"}, "keterangan"},
    {{"r", "dicabut", W, 0, 0, 0, 0, 0, 0, "a\xc2\x85" "b"}, "keterangan"},
    {{"r", "pembatalan", W, 0, "100000", 0, 0, 0, "", 0}, "ref_asal"},
    {{"r", "pembatalan", W, 0, "100000", 0, 0, 0, "p1", 0}, NULL},
    {{"r", "rekening_tertaut", W, 0, 0, 0, 0, 0, 0, "gopay"}, NULL},
    {{"r", "rekening_tertaut", W, 0, 0, 0, 0, 0, 0, "bca"}, "keterangan"},
    {{"r", "insentif_gagal", W, 0, 0, "1", 0, 0, 0, "belum_upgrade"}, NULL},
    {{"r", "insentif_gagal", W, 0, 0, "1", 0, 0, 0, ""}, "keterangan"},
    {{"r", "insentif_dibayar", W, 0, "600000", "", 0, 0, 0, 0}, "ke"},
    {{"r", "survei_dibuka", W, 0, 0, "2", 0, 0, 0, 0}, NULL},
    {{"r", "dicabut", W, 0, 0, 0, 0, 0, 0, "kecurangan"}, NULL},
    {{"r", "ulasan", W, 0, 0, 0, "c-1", 0, 0, 0}, NULL},
    {{"a b", "lolos", W, "1", 0, 0, 0, 0, 0, 0}, NULL}, /* printable ASCII: a space too */
    {{"a\tb", "lolos", W, "1", 0, 0, 0, 0, 0, 0}, "ref"},
    {{"a\xc3\xa9", "lolos", W, "1", 0, 0, 0, 0, 0, 0}, "ref"},
    /* pelatihan: 1-64 characters, not bytes (64 of two bytes each) */
    {{"r", "ulasan", W, 0, 0, 0, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 0, 0, 0}, NULL},
    {{"r", "ulasan", W, 0, 0, 0, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "x", 0, 0, 0}, "pelatihan"},
};

static void test_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(parse_cases); i++) {
        const parse_case *c = &parse_cases[i];
        pk_event e;
        const char *col = NULL;
        int rc = pk_event_parse(&c->f, &e, &col);
        if (c->bad == NULL && rc != 0)
            fail_msg("case %zu: refused on %s", i, col);
        if (c->bad != NULL && (rc != PK_EINVAL || col == NULL || strcmp(col, c->bad) != 0))
            fail_msg("case %zu: want %s, got rc %d col %s", i, c->bad, rc, col ? col : "-");
    }
    pk_event e;
    const char *col;
    const parse_case *buy = NULL; /* the first good pembelian */
    for (size_t i = 0; buy == NULL && i < PK_ARRAY_LEN(parse_cases); i++)
        if (parse_cases[i].bad == NULL && strcmp(parse_cases[i].f.peristiwa, "pembelian") == 0)
            buy = &parse_cases[i];
    assert_non_null(buy);
    assert_int_equal(pk_event_parse(&buy->f, &e, &col), 0);
    assert_int_equal(e.type, PK_EV_PEMBELIAN);
    assert_int_equal(e.amount, 100000);
    assert_string_equal(e.course, "c-1");
    assert_string_equal(e.platform, "tokopedia");
    assert_int_equal(e.at, 1614913200);
}

/* A person's events in one line each: type, day of March 2021, amount,
 * ref_asal; and what the fold says of each (0: applied). */
typedef struct fold_step {
    pk_event_type type;
    int day;
    int64_t amount;
    const char *ref;
    const char *ref_asal;
    int want;    /* -1: applied; else the pk_code refusing it */
} fold_step;

typedef struct fold_case {
    const char *name;
    fold_step steps[12];
    int64_t balance;
    pk_journey_status status;
} fold_case;

#define OK -1
static const fold_case fold_cases[] = {
    {"a recipient buys and cancels",
     {{PK_EV_GABUNG_GELOMBANG, 1, 0, "g", 0, OK}, {PK_EV_LOLOS, 2, 0, "l", 0, OK},
      {PK_EV_SALDO_MASUK, 3, 3500000, "s", 0, OK},
      {PK_EV_PEMBELIAN, 4, 1000000, "p1", 0, OK},
      {PK_EV_PEMBELIAN, 5, 2600000, "p2", 0, PK_C_SALDO_TIDAK_CUKUP},
      {PK_EV_PEMBATALAN, 6, 1000000, "c1", "p1", OK},
      {PK_EV_PEMBATALAN, 7, 1000000, "c2", "p1", PK_C_SUDAH_DIBATALKAN},
      {PK_EV_PEMBATALAN, 7, 1000000, "c3", "p9", PK_C_PEMBELIAN_TIDAK_DIKENAL},
      {PK_EV_PEMBELIAN, 8, 3500000, "p3", 0, OK},
      {PK_EV_PEMBATALAN, 9, 3000000, "c4", "p3", PK_C_JUMLAH_TIDAK_SESUAI}},
     0, PK_JS_PENERIMA},
    {"selected once in a life",
     {{PK_EV_LOLOS, 2, 0, "l", 0, OK}, {PK_EV_LOLOS, 3, 0, "l2", 0, PK_C_SUDAH_PENERIMA},
      {PK_EV_GABUNG_GELOMBANG, 4, 0, "g", 0, PK_C_SUDAH_PENERIMA},
      {PK_EV_TIDAK_LOLOS, 4, 0, "t", 0, PK_C_SUDAH_PENERIMA}},
     0, PK_JS_PENERIMA},
    {"a recipient's events need lolos first",
     {{PK_EV_GABUNG_GELOMBANG, 1, 0, "g", 0, OK},
      {PK_EV_SALDO_MASUK, 2, 100, "s", 0, PK_C_BELUM_PENERIMA},
      {PK_EV_DICABUT, 2, 0, "d", 0, PK_C_BELUM_PENERIMA},
      {PK_EV_TIDAK_LOLOS, 3, 0, "t", 0, OK},
      {PK_EV_GABUNG_GELOMBANG, 4, 0, "g2", 0, OK}},
     0, PK_JS_PENDAFTAR},
    {"nothing but saldo_hangus after dicabut",
     {{PK_EV_LOLOS, 2, 0, "l", 0, OK}, {PK_EV_SALDO_MASUK, 3, 500, "s", 0, OK},
      {PK_EV_DICABUT, 4, 0, "d", 0, OK},
      {PK_EV_PEMBELIAN, 5, 100, "p", 0, PK_C_SUDAH_DICABUT},
      {PK_EV_SALDO_MASUK, 5, 100, "s2", 0, PK_C_SUDAH_DICABUT},
      {PK_EV_SALDO_HANGUS, 6, 600, "h", 0, PK_C_SALDO_TIDAK_CUKUP},
      {PK_EV_SALDO_HANGUS, 6, 500, "h2", 0, OK}},
     0, PK_JS_DICABUT},
};

static void test_fold(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(fold_cases); i++) {
        const fold_case *c = &fold_cases[i];
        pk_fold f;
        pk_fold_init(&f, 7);
        for (size_t s = 0; s < PK_ARRAY_LEN(c->steps) && c->steps[s].ref; s++) {
            const fold_step *st = &c->steps[s];
            pk_event e;
            memset(&e, 0, sizeof(e));
            e.type = st->type;
            e.at = 1614556800 + (int64_t)st->day * 86400;
            e.amount = st->amount;
            e.wave = 1;
            snprintf(e.ref, sizeof(e.ref), "%s", st->ref);
            snprintf(e.ref_asal, sizeof(e.ref_asal), "%s", st->ref_asal ? st->ref_asal : "");
            pk_journey before = f.j;
            pk_code why = PK_C__COUNT;
            int rc = pk_fold_apply(&f, &e, &why);
            if (st->want == OK && rc != 0)
                fail_msg("%s, step %zu: refused with %s", c->name, s, pk_code_name(why));
            if (st->want != OK && (rc != PK_EINVAL || (int)why != st->want))
                fail_msg("%s, step %zu: want %s, got rc %d %s", c->name, s,
                         pk_code_name((pk_code)st->want), rc, pk_code_name(why));
            if (rc != 0 && memcmp(&before, &f.j, sizeof(before)) != 0)
                fail_msg("%s, step %zu: a refused event changed the state", c->name, s);
            if (f.j.balance < 0)
                fail_msg("%s, step %zu: negative balance", c->name, s);
        }
        if (f.j.balance != c->balance || f.j.status != c->status)
            fail_msg("%s: balance %lld status %s", c->name, (long long)f.j.balance,
                     pk_journey_status_name(f.j.status));
        /* credited = balance + spent - refunded + lapsed */
        assert_int_equal(f.j.credited, f.j.balance + f.j.spent - f.j.refunded + f.j.lapsed);
        pk_fold_free(&f);
    }
}

/* A purchase for 300 at `at`, folded into f. */
static int buy(pk_fold *f, const char *ref, int64_t at)
{
    pk_event e;
    pk_code why;
    memset(&e, 0, sizeof(e));
    e.type = PK_EV_PEMBELIAN, e.at = at, e.amount = 300;
    strcpy(e.ref, ref);
    return pk_fold_apply(f, &e, &why);
}

/* A recipient of wave 1 selected at 100, credited 1000 at 110, who buys
 * for 300 at `at` (ref p1), in f (initialised). */
static void bought_at(pk_fold *f, int64_t at)
{
    pk_event e;
    pk_code why;
    memset(&e, 0, sizeof(e));
    e.type = PK_EV_LOLOS, e.at = 100, e.wave = 1;
    assert_int_equal(pk_fold_apply(f, &e, &why), 0);
    e.type = PK_EV_SALDO_MASUK, e.at = 110, e.amount = 1000;
    assert_int_equal(pk_fold_apply(f, &e, &why), 0);
    assert_int_equal(buy(f, "p1", at), 0);
}

/* Its purchase cancelled at `at`. */
static int cancel_p1(pk_fold *f, int64_t at)
{
    pk_event e;
    pk_code why;
    memset(&e, 0, sizeof(e));
    e.type = PK_EV_PEMBATALAN, e.at = at, e.amount = 300;
    strcpy(e.ref, "c1"), strcpy(e.ref_asal, "p1");
    return pk_fold_apply(f, &e, &why);
}

static void test_first_purchase(void **state)
{
    (void)state;
    pk_fold f;
    pk_fold_init(&f, 1);
    bought_at(&f, 120);
    assert_int_equal(buy(&f, "p2", 130), 0);
    assert_int_equal(f.j.first_purchase_at, 120);
    pk_event e;
    pk_code why;
    memset(&e, 0, sizeof(e));
    /* a cancellation in the other source does not find p1 */
    e.type = PK_EV_PEMBATALAN, e.at = 140, e.amount = 300, e.source = PK_SRC_LOKAL;
    strcpy(e.ref, "c1"), strcpy(e.ref_asal, "p1");
    assert_int_equal(pk_fold_apply(&f, &e, &why), PK_EINVAL);
    assert_int_equal(why, PK_C_PEMBELIAN_TIDAK_DIKENAL);
    e.source = PK_SRC_PMO;
    assert_int_equal(pk_fold_apply(&f, &e, &why), 0);
    assert_int_equal(f.j.first_purchase_at, 130);
    assert_int_equal(f.j.purchases, 1);
    pk_fold g;
    pk_fold_init(&g, 0);
    assert_int_equal(pk_fold_copy(&g, &f), 0);
    assert_int_equal(g.np, 2);
    assert_int_equal(g.j.balance, 700);
    pk_fold_free(&g);
    pk_fold_free(&f);
}

/* The fold's borrowed deadline: wave 1's is instant 200, and the calls
 * are counted (asked only once a purchase is cancelled). */
static int asked;
static int by_200(void *ctx, int64_t wave, int64_t selected_at, int64_t *by)
{
    (void)ctx;
    assert_int_equal(wave, 1);
    assert_int_equal(selected_at, 100);
    asked++;
    *by = 200;
    return 0;
}

/* A purchase cancelled after the first-purchase deadline met it ("no
 * pembelian not cancelled by then"); one cancelled by then did not. */
static void test_cancelled_after_deadline(void **state)
{
    (void)state;
    for (int late = 0; late <= 2; late++) {
        pk_fold f;
        pk_fold_init(&f, 1);
        f.purchase_by = by_200;
        asked = 0;
        bought_at(&f, 150);
        assert_int_equal(asked, 0);
        /* cancelled at 190 (by then), 200 (the deadline's last second,
         * still by then) or 260 (after it) */
        assert_int_equal(cancel_p1(&f, late == 0 ? 190 : late == 1 ? 200 : 260), 0);
        assert_int_equal(asked, 1);
        assert_int_equal(f.j.purchases, 0);
        assert_int_equal(f.j.balance, 1000);
        assert_int_equal(f.j.first_purchase_at, late == 2 ? 150 : 0);
        pk_deadlines d;
        pk_journey_deadlines(&f.j, 30, 30, 200, &d); /* a cut-off at 200: the deadline */
        assert_int_equal(d.first_purchase.ends, 200);
        assert_int_equal(d.first_purchase.met, late == 2);
        /* a purchase after the deadline does not move the one that met it,
         * and the deadline is not asked again */
        assert_int_equal(buy(&f, "p2", 300), 0);
        assert_int_equal(f.j.first_purchase_at, late == 2 ? 150 : 300);
        assert_int_equal(asked, 1);
        pk_fold_free(&f);
    }
    /* no deadline lent: a cancelled purchase never counts */
    pk_fold f;
    pk_fold_init(&f, 1);
    bought_at(&f, 150);
    assert_int_equal(cancel_p1(&f, 260), 0);
    assert_int_equal(f.j.first_purchase_at, 0);
    pk_fold_free(&f);
}

/* The incentive waits for a review of the first finished training, not
 * of any (journey-events-csv.md, "Review"), whatever order the review
 * and the certificate come in. */
static void test_review_of_first_training(void **state)
{
    (void)state;
    static const struct {
        const char *steps; /* F: finished A, G: finished B, a/b: reviewed A/B */
        bool needs;
    } cases[] = {
        {"F", true},   {"Fa", false}, {"FGb", true}, {"FGba", false},
        {"aF", false}, {"bFG", true}, {"GFa", true}, {"GFb", false},
    };
    for (size_t c = 0; c < PK_ARRAY_LEN(cases); c++) {
        pk_fold f;
        pk_fold_init(&f, 1);
        pk_event e;
        pk_code why;
        memset(&e, 0, sizeof(e));
        e.type = PK_EV_LOLOS, e.at = 100, e.wave = 1;
        assert_int_equal(pk_fold_apply(&f, &e, &why), 0);
        int64_t at = 200, reviewed_at = 0;
        for (const char *s = cases[c].steps; *s; s++, at += 10) {
            e.at = at;
            e.type = (*s == 'F' || *s == 'G') ? PK_EV_SELESAI_PELATIHAN : PK_EV_ULASAN;
            strcpy(e.course, (*s == 'F' || *s == 'a') ? "A" : "B");
            assert_int_equal(pk_fold_apply(&f, &e, &why), 0);
        }
        /* the first finished is the first of F and G */
        const char *first = strpbrk(cases[c].steps, "FG");
        char mine = *first == 'F' ? 'a' : 'b';
        const char *rv = strchr(cases[c].steps, mine);
        if (rv != NULL)
            reviewed_at = 200 + 10 * (rv - cases[c].steps);
        pk_deadlines d;
        pk_journey_deadlines(&f.j, 30, 30, 0, &d);
        if (d.needs_review != cases[c].needs || f.j.first_review_at != reviewed_at)
            fail_msg("%s: needs_review %d, first_review_at %lld", cases[c].steps,
                     d.needs_review, (long long)f.j.first_review_at);
        /* a copy carries the reviews on */
        pk_fold g;
        pk_fold_init(&g, 0);
        assert_int_equal(pk_fold_copy(&g, &f), 0);
        assert_int_equal(g.nr, f.nr);
        pk_fold_free(&g);
        pk_fold_free(&f);
    }
}

/* pk_journey_apply_last against the fold: for random journeys (every
 * type, amounts that sometimes overdraw, cancellations of earlier and of
 * unknown purchases, instants that repeat), each event that may be
 * applied alone, applied to the state of the events before it, gives
 * what folding them all gives: the same verdict, reason and state. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state % n;
}

static void test_apply_last(void **state)
{
    (void)state;
    size_t checked = 0, refused = 0, purchases = 0;
    for (int run = 0; run < 400; run++) {
        pk_fold f;
        pk_fold_init(&f, 9);
        int64_t at = 1614556800;
        int nev = 1 + (int)rnd(60);
        for (int i = 0; i < nev; i++) {
            pk_event e;
            memset(&e, 0, sizeof(e));
            /* mostly a recipient's events, after a lolos */
            e.type = i == 0 && rnd(4) != 0 ? PK_EV_LOLOS : (pk_event_type)rnd(PK_EV__COUNT);
            if (i > 0 && (rnd(3) == 0 || (e.type == PK_EV_DICABUT && rnd(10) != 0)))
                e.type = PK_EV_PEMBELIAN; /* revoked rarely: nothing is accepted after */
            at += (int64_t)rnd(3) * 3600; /* instants repeat */
            e.at = at;
            e.seq = i;
            e.wave = 1 + (int64_t)rnd(2);
            e.k = 1 + (int64_t)rnd(3);
            e.amount = e.type == PK_EV_SALDO_MASUK ? 1000000 : 1 + (int64_t)rnd(150000);
            e.source = rnd(2) ? PK_SRC_LOKAL : PK_SRC_PMO;
            snprintf(e.ref, sizeof(e.ref), "r%d", i);
            if (e.type == PK_EV_PEMBATALAN)
                snprintf(e.ref_asal, sizeof(e.ref_asal), "r%d", (int)rnd((uint64_t)i + 2));
            if (e.type == PK_EV_REKENING_TERTAUT)
                strcpy(e.note, "gopay");
            strcpy(e.course, rnd(2) ? "A" : "B"); /* the first finished, reviewed or not */
            pk_journey before = f.j, alone = f.j;
            pk_code why_fold = PK_C__COUNT, why_alone = PK_C__COUNT;
            int rc_fold = pk_fold_apply(&f, &e, &why_fold);
            if (!pk_journey_applies_alone(&before, e.type)) {
                assert_int_equal(pk_journey_apply_last(&alone, &e, &why_alone), PK_EINVAL);
                assert_memory_equal(&alone, &before, sizeof(before));
                continue;
            }
            int rc_alone = pk_journey_apply_last(&alone, &e, &why_alone);
            if (rc_fold != rc_alone || (rc_fold != 0 && why_fold != why_alone))
                fail_msg("run %d, event %d (%s): fold %d %s, alone %d %s", run, i,
                         pk_event_info_of(e.type)->name, rc_fold, pk_code_name(why_fold),
                         rc_alone, pk_code_name(why_alone));
            if (memcmp(&alone, &f.j, sizeof(alone)) != 0)
                fail_msg("run %d, event %d (%s): states differ (purchases %lld/%lld, first "
                         "%lld/%lld, balance %lld/%lld)",
                         run, i, pk_event_info_of(e.type)->name, (long long)alone.purchases,
                         (long long)f.j.purchases, (long long)alone.first_purchase_at,
                         (long long)f.j.first_purchase_at, (long long)alone.balance,
                         (long long)f.j.balance);
            checked++;
            refused += rc_fold != 0;
            purchases += e.type == PK_EV_PEMBELIAN && rc_fold == 0;
        }
        pk_fold_free(&f);
    }
    /* the cases are there: accepted and refused, purchases among them */
    print_message("apply_last: %zu checked, %zu refused, %zu purchases\n", checked, refused, purchases);
    assert_true(checked > 3000);
    assert_true(refused > 300);
    assert_true(purchases > 1000);
}

static void test_names(void **state)
{
    (void)state;
    for (int t = 0; t < PK_EV__COUNT; t++)
        assert_int_equal(pk_event_type_by_name(pk_event_info_of(t)->name), t);
    assert_int_equal(pk_event_type_by_name("x"), PK_EV__COUNT);
    assert_null(pk_event_info_of(PK_EV__COUNT));
    for (int s = 0; s < PK_JS__COUNT; s++)
        assert_int_equal(pk_journey_status_by_name(pk_journey_status_name(s)), s);
    pk_event_source src;
    assert_int_equal(pk_event_source_parse("lokal", &src), 0);
    assert_int_equal(src, PK_SRC_LOKAL);
    assert_int_equal(pk_event_source_parse("PMO", &src), PK_EINVAL);
}

/* The spec's example: lolos 2021-09-20T10:00+07:00, 30 days: the
 * deadline ends 2021-10-20T23:59:59+07:00; an earlier balance cut-off
 * wins; a purchase after it does not meet it. */
static void test_deadlines(void **state)
{
    (void)state;
    pk_journey j;
    memset(&j, 0, sizeof(j));
    pk_deadlines d;
    pk_journey_deadlines(&j, 30, 30, 0, &d);
    assert_false(d.first_purchase.applies);
    assert_false(d.survey.applies);
    assert_int_equal(pk_instant_parse("2021-09-20T10:00+07:00", &j.selected_at), 0);
    pk_journey_deadlines(&j, 30, 30, 0, &d);
    char out[32];
    pk_instant_format(d.first_purchase.ends, out);
    assert_string_equal(out, "2021-10-20T23:59:59+07:00");
    assert_true(d.first_purchase.applies && !d.first_purchase.met && !d.first_purchase.absolute);
    assert_false(d.balance.applies);
    assert_true(d.needs_payout);
    int64_t cut;
    assert_int_equal(pk_instant_parse("2021-10-15T23:59:59+07:00", &cut), 0);
    assert_int_equal(pk_instant_parse("2021-10-16T09:00:00+07:00", &j.first_purchase_at), 0);
    pk_journey_deadlines(&j, 30, 30, cut, &d);
    assert_int_equal(d.first_purchase.ends, cut);
    assert_true(d.first_purchase.absolute);
    assert_false(d.first_purchase.met);
    pk_journey_deadlines(&j, 30, 30, 0, &d);
    assert_true(d.first_purchase.met);
    /* survey 2 opened late in the evening WIB (already the next day in
     * Jakarta when it is 17:30 UTC): 30 days from that WIB day */
    j.survey_k = 2;
    assert_int_equal(pk_instant_parse("2021-11-01T17:30:00Z", &j.survey_opened_at), 0);
    pk_journey_deadlines(&j, 30, 30, 0, &d);
    pk_instant_format(d.survey.ends, out);
    assert_string_equal(out, "2021-12-02T23:59:59+07:00");
    assert_false(d.survey.met);
    j.surveys_filled = 2;
    j.completions = 1;
    strcpy(j.payout, "ovo");
    pk_journey_deadlines(&j, 30, 30, 0, &d);
    assert_true(d.survey.met);
    assert_true(d.needs_review);
    assert_false(d.needs_payout);
}

/* The daily job's arithmetic: a selection at 2021-09-20T10:00+07:00 with
 * 30 days has its deadline end 2021-10-20 23:59:59 WIB, so it is due on
 * 2021-10-21 and not on 2021-10-20; the bound is exact at the second;
 * a balance cut-off that ended before the day makes every selection due. */
static void test_job_days(void **state)
{
    (void)state;
    pk_date d20, d21;
    assert_int_equal(pk_date_parse("2021-10-20", 10, &d20), 0);
    assert_int_equal(pk_date_parse("2021-10-21", 10, &d21), 0);
    int64_t sel, start_sep21, cut;
    assert_int_equal(pk_instant_parse("2021-09-20T10:00:00+07:00", &sel), 0);
    assert_int_equal(pk_instant_parse("2021-09-21T00:00:00+07:00", &start_sep21), 0);
    assert_false(sel < pk_purchase_due_before(d20, 30, 0));
    assert_true(sel < pk_purchase_due_before(d21, 30, 0));
    assert_int_equal(pk_purchase_due_before(d21, 30, 0), start_sep21);
    /* the last second of 2021-09-20 WIB is due on the 21st, the first of the 21st not */
    assert_true(start_sep21 - 1 < pk_purchase_due_before(d21, 30, 0));
    assert_false(start_sep21 < pk_purchase_due_before(d21, 30, 0));
    /* agrees with pk_journey_deadlines: due exactly when the deadline ended before the day */
    pk_journey j;
    memset(&j, 0, sizeof(j));
    pk_deadlines dl;
    for (int64_t s = sel - 86400; s < sel + 2 * 86400; s += 3571) {
        j.selected_at = s;
        pk_journey_deadlines(&j, 30, 30, 0, &dl);
        int64_t day21_start = pk_day_end_wib(d20) + 1;
        assert_int_equal(s < pk_purchase_due_before(d21, 30, 0),
                         dl.first_purchase.ends < day21_start);
    }
    /* a cut-off */
    assert_int_equal(pk_instant_parse("2021-10-15T23:59:59+07:00", &cut), 0);
    pk_date d15, d16;
    assert_int_equal(pk_date_parse("2021-10-15", 10, &d15), 0);
    assert_int_equal(pk_date_parse("2021-10-16", 10, &d16), 0);
    assert_false(pk_cutoff_passed(d15, cut));
    assert_true(pk_cutoff_passed(d16, cut));
    assert_false(pk_cutoff_passed(d16, 0));
    assert_true(pk_purchase_due_before(d16, 30, cut) == INT64_MAX);
    assert_true(pk_purchase_due_before(d15, 30, cut) < sel);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instant),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_first_purchase),
        cmocka_unit_test(test_cancelled_after_deadline),
        cmocka_unit_test(test_review_of_first_training),
        cmocka_unit_test(test_apply_last),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_job_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
