/* test_remind.c -- unit tests of the reminders' rules (core/remind.c),
 * written from the spec (reminders.md), not from the code: the shipped
 * rules file, malformed files, the occurrences a journey gives, and the
 * decision of a day (condition, expiry, opt-out, quiet hours, caps and
 * their priority order, one message per occurrence), channels, text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/journey.h"
#include "core/pk.h"
#include "core/remind.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static pk_remind_rules rules; /* the shipped file, loaded once */

static int load(void **state)
{
    (void)state;
    char err[256];
    int rc = pk_remind_rules_parse(slurp(PK_TEST_DATADIR "/reminders.ini"), &rules, err,
                                   sizeof err);
    if (rc != 0)
        fprintf(stderr, "%s\n", err);
    return rc;
}

static int64_t at(const char *iso)
{
    int64_t t;
    if (pk_instant_parse(iso, &t) != 0)
        fail_msg("bad instant %s", iso);
    return t;
}

static pk_date day(const char *ymd)
{
    pk_date d;
    if (pk_date_parse(ymd, strlen(ymd), &d) != 0)
        fail_msg("bad date %s", ymd);
    return d;
}

static const char *iso(int64_t t)
{
    static char out[4][32];
    static int i;
    i = (i + 1) % 4;
    pk_instant_format(t, out[i]);
    return out[i];
}

static size_t rule_index(const char *id)
{
    const pk_remind_rule *r = pk_remind_rule_find(&rules, id);
    assert_non_null(r);
    return (size_t)(r - rules.items);
}

/* ---- the shipped rules ---- */

static void test_shipped_rules(void **state)
{
    (void)state;
    static const struct {
        const char *id, *purpose;
        int offsets[4];
        size_t n;
        int priority;
    } want[] = {
        {"beli_pelatihan", "program", {-14, -7, -3, -1}, 4, 1},
        {"insentif_gagal", "program", {0, 3}, 2, 1},
        {"saldo_belum_terpakai", "program", {-14, -7, -1}, 3, 2},
        {"beri_ulasan", "program", {1, 3, 7}, 3, 2},
        {"tautkan_rekening", "program", {1, 3, 7}, 3, 2},
        {"isi_survei", "program", {-14, -7, -1}, 3, 3},
        {"gabung_gelombang", "informasi", {-3, -1}, 2, 4},
    };
    assert_int_equal(rules.count, PK_ARRAY_LEN(want));
    assert_null(pk_remind_cond_title(PK_RC__COUNT));
    for (size_t i = 0; i < PK_ARRAY_LEN(want); i++) {
        const pk_remind_rule *r = pk_remind_rule_find(&rules, want[i].id);
        assert_non_null(r);
        assert_string_equal(pk_remind_cond_name(r->cond), want[i].id);
        /* a title for staff pages, each its own */
        assert_non_null(pk_remind_cond_title(r->cond));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(pk_remind_cond_title(r->cond),
                                    pk_remind_cond_title(pk_remind_rule_find(&rules, want[j].id)->cond));
        assert_string_equal(pk_purpose_name(r->purpose), want[i].purpose);
        assert_int_equal(r->noffsets, want[i].n);
        for (size_t k = 0; k < want[i].n; k++)
            assert_int_equal(r->offsets[k], want[i].offsets[k]);
        assert_int_equal(r->priority, want[i].priority);
        assert_true(r->whatsapp_template[0] && r->whatsapp[0] && r->email_subject[0] &&
                    r->email[0]);
        /* every SMS fits 160 GSM-7 characters with long values */
        char text[1024];
        pk_remind_vars v = {"30 Des 2026", "Rp10.000.000", "999", "12", NULL,
                            "https://prakerja.jakarta.go.id"};
        assert_int_equal(pk_remind_render(r->sms, &v, text, sizeof text), 0);
        int len = pk_gsm7_length(text);
        if (len < 0 || len > 160)
            fail_msg("%s: sms of %d GSM-7 characters: %s", r->id, len, text);
        assert_null(strstr(r->email, "\\n")); /* \n became new lines */
    }
    assert_int_equal(rules.set.delivery_minute, 9 * 60);
    assert_int_equal(rules.set.quiet_start, 21 * 60);
    assert_int_equal(rules.set.quiet_end, 8 * 60);
    assert_int_equal(rules.set.cap_day, 1);
    assert_int_equal(rules.set.cap_week, 3);
}

#define RULE(extra)                                                                        \
    "[beli_pelatihan]\ntujuan = program\noffset = -7, -1\nprioritas = 1\n"                 \
    "sms = Beli sebelum {batas}\nwhatsapp_template = pk_x\nwhatsapp = Beli {batas}\n"      \
    "email_subjek = Batas {batas}\nemail = Halo\\nBeli sebelum {batas}\n" extra

static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *text, *says;
    } cases[] = {
        {"", "no rules"},
        {"x = 1\n", "outside of any section"},
        {RULE("bunyi = 1\n"), "unknown key 'bunyi'"},
        {RULE("prioritas = 2\n"), "prioritas given twice"},
        {"[beli_pelatihan]\ntujuan = program\n", "offset is missing"},
        {RULE("[umum]\njam_kirim = 9\n"), "jam_kirim"},
        {RULE("[umum]\njam_tenang = 21:00\n"), "jam_tenang"},
        {RULE("[umum]\nbatas_harian = 0\n"), "batas_harian"},
        {RULE("[umum]\nbatas_harian = 3\nbatas_mingguan = 2\n"), "below batas_harian"},
        {RULE("[umum]\nwarna = biru\n"), "unknown key 'warna'"},
        {RULE("[umum]\nkelompok_kontrol = 5\n"), "kelompok_kontrol needs benih_kontrol"},
        {RULE("[umum]\nkelompok_kontrol = 51\n"), "a percentage 0..50"},
        {RULE("[umum]\nkelompok_kontrol = 2.\n"), "a percentage 0..50"},
        {RULE("[umum]\nkelompok_kontrol = -1\n"), "a percentage 0..50"},
        {RULE("[umum]\nbenih_kontrol = abc\n"), "64 hexadecimal digits"},
        {RULE("[kosong]\n"), "section [kosong] has no keys"},
        {RULE("[lain]\ntujuan = program\noffset = 1\nprioritas = 1\nsms = a\n"
              "whatsapp_template = x\nwhatsapp = a\nemail_subjek = a\nemail = a\n"),
         "kondisi is missing"},
        {RULE("[lain]\nkondisi = terbang\n"), "unknown kondisi 'terbang'"},
        {"[beli_pelatihan]\ntujuan = semua\n", "tujuan must be program or informasi"},
        {"[beli_pelatihan]\noffset = -1, -7\n", "distinct and ascending"},
        {"[beli_pelatihan]\noffset = -1, -1\n", "distinct and ascending"},
        {"[beli_pelatihan]\noffset = satu\n", "offset must be"},
        {"[beli_pelatihan]\noffset = -400\n", "offset must be"},
        {"[beli_pelatihan]\nprioritas = 0\n", "prioritas must be"},
        {"[beli_pelatihan]\nsms = Batas {tanggal}\n", "unknown {placeholder}"},
        {"[Beli]\ntujuan = program\n", "a rule's id"},
        {"[beli_pelatihan]\ntujuan = program\noffset = -1\nprioritas = 1\n"
         "sms = Pelatihan {pelatihan}\nwhatsapp_template = x\nwhatsapp = a\n"
         "email_subjek = a\nemail = a\n",
         "may not use {pelatihan}"},
        {"[beli_pelatihan]\ntujuan = program\noffset = -1\nprioritas = 1\n"
         "sms = Batas ✓ {batas}\nwhatsapp_template = x\nwhatsapp = a\n"
         "email_subjek = a\nemail = a\n",
         "outside the GSM-7 alphabet"},
        {"[beli_pelatihan]\ntujuan = program\noffset = -1\nprioritas = 1\n"
         "sms = {portal} {portal} {portal} {portal} {portal} {portal}\n"
         "whatsapp_template = x\nwhatsapp = a\nemail_subjek = a\nemail = a\n",
         "over 160 GSM-7 characters"},
        {"[beli_pelatihan]\ntujuan = program\noffset = -1\nprioritas = 1\nsms = a\n"
         "whatsapp_template = Bukan Nama\n",
         "whatsapp_template is the approved"},
    };
    for (size_t i = 0; i < PK_ARRAY_LEN(cases); i++) {
        pk_remind_rules r;
        char err[256] = "";
        int rc = pk_remind_rules_parse(cases[i].text, &r, err, sizeof err);
        if (rc != PK_EINVAL || !strstr(err, cases[i].says))
            fail_msg("case %zu: rc %d, err '%s', want '%s'", i, rc, err, cases[i].says);
    }
    /* the minimal file parses, its \n is a new line, kondisi defaults to the id */
    pk_remind_rules r;
    char err[256];
    assert_int_equal(pk_remind_rules_parse(RULE(""), &r, err, sizeof err), 0);
    assert_string_equal(r.items[0].email, "Halo\nBeli sebelum {batas}");
    assert_int_equal(r.items[0].cond, PK_RC_BELI_PELATIHAN);
    /* a second rule of the same condition, under its own id */
    assert_int_equal(pk_remind_rules_parse(RULE("[beli_lagi]\nkondisi = beli_pelatihan\n"
                                                "tujuan = program\noffset = -2\nprioritas = 5\n"
                                                "sms = a\nwhatsapp_template = pk_y\n"
                                                "whatsapp = a\nemail_subjek = a\nemail = a\n"),
                                           &r, err, sizeof err),
                     0);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.items[1].cond, PK_RC_BELI_PELATIHAN);
}

/* ---- text ---- */

static void test_text(void **state)
{
    (void)state;
    assert_int_equal(pk_gsm7_length("abc"), 3);
    assert_int_equal(pk_gsm7_length("[x]"), 5);
    assert_int_equal(pk_gsm7_length("€5"), 3);
    assert_int_equal(pk_gsm7_length("é@£\n"), 4);
    assert_int_equal(pk_gsm7_length("✓"), -1);
    assert_int_equal(pk_gsm7_length("a`b"), -1);
    assert_int_equal(pk_gsm7_length("\t"), -1);
    char out[64];
    pk_remind_vars v = {.batas = "12 Mar 2021", .saldo = "Rp3.550.000", .ke = "2"};
    assert_int_equal(pk_remind_render("Batas {batas}, saldo {saldo}, ke-{ke}{portal}.", &v, out,
                                      sizeof out),
                     0);
    assert_string_equal(out, "Batas 12 Mar 2021, saldo Rp3.550.000, ke-2.");
    assert_int_equal(pk_remind_render("{tanggal}", &v, out, sizeof out), PK_EINVAL);
    assert_int_equal(pk_remind_render("{batas", &v, out, sizeof out), PK_EINVAL);
    assert_int_equal(pk_remind_render("{batas}{batas}", &v, out, 12), PK_ETOOBIG);
    assert_string_equal(out, "");
}

/* A WhatsApp template's body parameters: the placeholders' values in the
 * order they appear, repeats included, unknown names skipped. */
static void test_template_params(void **state)
{
    (void)state;
    pk_remind_vars v = {.batas = "12 Mar 2021", .saldo = "Rp3.550.000", .gelombang = "12"};
    const char *p[4];
    size_t n = pk_remind_params("Gelombang {gelombang}: {saldo} hangus {batas} ({saldo}).", &v,
                                p, 4);
    assert_int_equal(n, 4);
    assert_string_equal(p[0], "12");
    assert_string_equal(p[1], "Rp3.550.000");
    assert_string_equal(p[2], "12 Mar 2021");
    assert_string_equal(p[3], "Rp3.550.000");
    assert_int_equal(pk_remind_params("{batas} {batas} {batas}", &v, p, 2), 3);
    assert_int_equal(pk_remind_params("tanpa isian {x} {", &v, p, 4), 0);
    assert_int_equal(pk_remind_params("{ke}", &v, p, 4), 1);
    assert_string_equal(p[0], "");
}

/* ---- occurrences ---- */

/* A recipient of wave 12 selected 2021-09-20 10:00 WIB, 30 days to buy:
 * the first-purchase deadline ends 2021-10-20T23:59:59+07:00. */
static void recipient(pk_journey *j, pk_deadlines *d)
{
    memset(j, 0, sizeof *j);
    j->status = PK_JS_PENERIMA;
    j->wave = 12;
    j->selected_at = at("2021-09-20T10:00:00+07:00");
    j->balance = j->credited = 3500000;
    pk_journey_deadlines(j, 30, 30, 0, d);
}

static const pk_remind_occ *find_occ(const pk_remind_occ *o, size_t n, const char *rule,
                                     int64_t k)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rules.items[o[i].rule].id, rule) == 0 && o[i].k == k)
            return &o[i];
    return NULL;
}

static void test_occurrences_of_a_recipient(void **state)
{
    (void)state;
    pk_journey j;
    pk_deadlines d;
    recipient(&j, &d);
    pk_remind_facts f = {.j = &j, .d = &d, .survey_fill_days = 30, .eligible = true};
    pk_remind_occ o[16];
    size_t n = pk_remind_occurrences(&rules, &f, o, 16);
    assert_int_equal(n, 1); /* no balance cut-off, no training, no survey, no wave open */
    const pk_remind_occ *b = find_occ(o, n, "beli_pelatihan", 0);
    assert_non_null(b);
    assert_true(b->holds);
    assert_string_equal(iso(b->anchor), "2021-10-20T23:59:59+07:00");
    /* the fires: the anchor's WIB day plus each offset, at 09:00 WIB */
    assert_string_equal(iso(pk_remind_fire_at(&rules, b, 0)), "2021-10-06T09:00:00+07:00");
    assert_string_equal(iso(pk_remind_fire_at(&rules, b, 3)), "2021-10-19T09:00:00+07:00");
    /* a purchase: still listed (its fires are cancelled), no longer holds */
    j.purchases = 1;
    j.first_purchase_at = at("2021-09-25T10:00:00+07:00");
    n = pk_remind_occurrences(&rules, &f, o, 16);
    assert_false(find_occ(o, n, "beli_pelatihan", 0)->holds);
    /* revoked: no longer holds either */
    j.purchases = 0;
    j.status = PK_JS_DICABUT;
    n = pk_remind_occurrences(&rules, &f, o, 16);
    assert_false(find_occ(o, n, "beli_pelatihan", 0)->holds);

    /* a balance cut-off: saldo_belum_terpakai, anchored on it, while balance > 0 */
    recipient(&j, &d);
    pk_journey_deadlines(&j, 30, 30, at("2021-12-31T23:59:59+07:00"), &d);
    n = pk_remind_occurrences(&rules, &f, o, 16);
    const pk_remind_occ *s = find_occ(o, n, "saldo_belum_terpakai", 0);
    assert_non_null(s);
    assert_true(s->holds);
    assert_string_equal(iso(s->anchor), "2021-12-31T23:59:59+07:00");
    j.balance = 0;
    n = pk_remind_occurrences(&rules, &f, o, 16);
    assert_false(find_occ(o, n, "saldo_belum_terpakai", 0)->holds);

    /* the room given is too small: the count says how much is needed */
    assert_int_equal(pk_remind_occurrences(&rules, &f, o, 1), 2);
}

static pk_event ev(pk_event_type t, const char *when, int64_t k, const char *course)
{
    pk_event e;
    memset(&e, 0, sizeof e);
    e.type = t;
    e.at = at(when);
    e.k = k;
    if (course)
        snprintf(e.course, sizeof e.course, "%s", course);
    return e;
}

static void test_occurrences_from_events(void **state)
{
    (void)state;
    pk_journey j;
    pk_deadlines d;
    recipient(&j, &d);
    j.purchases = 2;
    j.completions = 2;
    j.first_completion_at = at("2021-10-01T12:00:00+07:00");
    pk_event e[] = {
        ev(PK_EV_SELESAI_PELATIHAN, "2021-10-01T12:00:00+07:00", 0, "KURSUS-A"),
        ev(PK_EV_SELESAI_PELATIHAN, "2021-10-02T12:00:00+07:00", 0, "KURSUS-B"),
        ev(PK_EV_ULASAN, "2021-10-03T12:00:00+07:00", 0, "KURSUS-A"),
        ev(PK_EV_INSENTIF_GAGAL, "2021-11-01T10:00:00+07:00", 1, NULL),
        ev(PK_EV_INSENTIF_DIBAYAR, "2021-11-05T10:00:00+07:00", 1, NULL),
        ev(PK_EV_INSENTIF_GAGAL, "2021-12-01T10:00:00+07:00", 2, NULL),
        ev(PK_EV_SURVEI_DIBUKA, "2021-12-10T10:00:00+07:00", 1, NULL),
        ev(PK_EV_SURVEI_DIISI, "2021-12-11T10:00:00+07:00", 1, NULL),
        ev(PK_EV_SURVEI_DIBUKA, "2022-03-10T10:00:00+07:00", 2, NULL),
    };
    pk_remind_facts f = {.j = &j, .d = &d, .ev = e, .nev = PK_ARRAY_LEN(e),
                         .survey_fill_days = 30};
    pk_remind_occ o[16];
    size_t n = pk_remind_occurrences(&rules, &f, o, 16);
    /* beli (no longer holds), 2 trainings, rekening, 2 failed incentives, 2 surveys */
    assert_int_equal(n, 8);
    size_t reviewed = 0, unreviewed = 0;
    for (size_t i = 0; i < n; i++)
        if (o[i].rule == rule_index("beri_ulasan")) {
            if (strcmp(o[i].course, "KURSUS-A") == 0) {
                assert_false(o[i].holds);
                reviewed++;
            } else {
                assert_string_equal(o[i].course, "KURSUS-B");
                assert_true(o[i].holds);
                assert_string_equal(iso(o[i].anchor), "2021-10-02T12:00:00+07:00");
                unreviewed++;
            }
        }
    assert_int_equal(reviewed + unreviewed, 2);
    const pk_remind_occ *r = find_occ(o, n, "tautkan_rekening", 0);
    assert_true(r->holds);
    assert_string_equal(iso(r->anchor), "2021-10-01T12:00:00+07:00");
    assert_false(find_occ(o, n, "insentif_gagal", 1)->holds); /* paid after it failed */
    assert_true(find_occ(o, n, "insentif_gagal", 2)->holds);
    assert_string_equal(iso(find_occ(o, n, "insentif_gagal", 2)->anchor),
                        "2021-12-01T10:00:00+07:00");
    assert_false(find_occ(o, n, "isi_survei", 1)->holds);
    const pk_remind_occ *s2 = find_occ(o, n, "isi_survei", 2);
    assert_true(s2->holds);
    assert_string_equal(iso(s2->anchor), "2022-04-09T23:59:59+07:00"); /* opened + 30 days */
    /* a payout account linked: tautkan_rekening no longer holds */
    snprintf(j.payout, sizeof j.payout, "bni");
    n = pk_remind_occurrences(&rules, &f, o, 16);
    assert_false(find_occ(o, n, "tautkan_rekening", 0)->holds);
}

static void test_occurrences_of_an_open_wave(void **state)
{
    (void)state;
    int64_t closes = at("2021-09-17T23:59:59+07:00");
    pk_remind_facts f = {.eligible = true, .open_wave = 21, .open_wave_closes = closes};
    pk_remind_occ o[4];
    size_t n = pk_remind_occurrences(&rules, &f, o, 4);
    assert_int_equal(n, 1);
    assert_true(o[0].holds);
    assert_int_equal(o[0].wave, 21);
    assert_int_equal(o[0].anchor, closes);
    f.in_open_wave = true; /* joined it already */
    n = pk_remind_occurrences(&rules, &f, o, 4);
    assert_false(o[0].holds);
    f.in_open_wave = false;
    f.eligible = false;
    n = pk_remind_occurrences(&rules, &f, o, 4);
    assert_false(o[0].holds);
    /* selected once: never again */
    pk_journey j;
    pk_deadlines d;
    recipient(&j, &d);
    f.eligible = true;
    f.j = &j;
    f.d = &d;
    n = pk_remind_occurrences(&rules, &f, o, 4);
    assert_false(find_occ(o, n, "gabung_gelombang", 0)->holds);
    /* not selected in an earlier wave: reminded */
    j.selected_at = 0;
    j.status = PK_JS_TIDAK_LOLOS;
    pk_journey_deadlines(&j, 30, 30, 0, &d);
    n = pk_remind_occurrences(&rules, &f, o, 4);
    assert_true(find_occ(o, n, "gabung_gelombang", 0)->holds);
    /* no wave open: nothing */
    f.open_wave = 0;
    assert_int_equal(pk_remind_occurrences(&rules, &f, o, 4), 0);
}

/* ---- the decision of a day ---- */

static pk_remind_occ occ_of(const char *rule, const char *anchor, bool holds)
{
    pk_remind_occ o;
    memset(&o, 0, sizeof o);
    o.rule = (uint16_t)rule_index(rule);
    o.anchor = at(anchor);
    o.holds = holds;
    return o;
}

#define DEADLINE "2021-10-20T23:59:59+07:00" /* beli_pelatihan: fires 10-06, 10-13, 10-17, 10-19 */

static void test_fire_on_its_day(void **state)
{
    (void)state;
    pk_remind_occ o = occ_of("beli_pelatihan", DEADLINE, true);
    pk_remind_person p = {0};
    pk_remind_fire f[8];
    /* the day before the first fire: nothing due */
    assert_int_equal(pk_remind_decide(&rules, day("2021-10-05"), &o, 1, &p, f, 8), 0);
    size_t n = pk_remind_decide(&rules, day("2021-10-06"), &o, 1, &p, f, 8);
    assert_int_equal(n, 1);
    assert_int_equal(f[0].status, PK_FS_KIRIM);
    assert_int_equal(f[0].offset, 0);
    assert_false(f[0].merged);
    assert_string_equal(iso(f[0].send_at), "2021-10-06T09:00:00+07:00");
    /* recorded as sent: the next day has nothing */
    uint32_t settled = 1u << 0;
    p.settled = &settled;
    assert_int_equal(pk_remind_decide(&rules, day("2021-10-07"), &o, 1, &p, f, 8), 0);
}

static void test_late_fires_merge_into_one_message(void **state)
{
    (void)state;
    /* data arrived late: on 10-18 three fires are due, none sent: one
     * message (the latest fire's text), the others merged into it */
    pk_remind_occ o = occ_of("beli_pelatihan", DEADLINE, true);
    pk_remind_person p = {0};
    pk_remind_fire f[8];
    size_t n = pk_remind_decide(&rules, day("2021-10-18"), &o, 1, &p, f, 8);
    assert_int_equal(n, 3);
    int merged = 0, lead = -1;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(f[i].status, PK_FS_KIRIM);
        assert_string_equal(iso(f[i].send_at), "2021-10-18T09:00:00+07:00");
        if (f[i].merged)
            merged++;
        else
            lead = (int)f[i].offset;
    }
    assert_int_equal(merged, 2);
    assert_int_equal(lead, 2); /* the -3 fire, 10-17 */
    /* on the deadline's own day the last fire is still sent, not too late */
    uint32_t settled = 0x7;
    p.settled = &settled;
    n = pk_remind_decide(&rules, day("2021-10-20"), &o, 1, &p, f, 8);
    assert_int_equal(n, 1);
    assert_int_equal(f[0].status, PK_FS_KIRIM);
    /* the day after the deadline: terlewat */
    n = pk_remind_decide(&rules, day("2021-10-21"), &o, 1, &p, f, 8);
    assert_int_equal(n, 1);
    assert_int_equal(f[0].status, PK_FS_TERLEWAT);
}

static void test_condition_then_expiry_then_opt_out(void **state)
{
    (void)state;
    pk_remind_fire f[8];
    pk_remind_person p = {.stopped = 1u << PK_PURPOSE_PROGRAM};
    /* the person bought: dibatalkan, whatever else holds */
    pk_remind_occ o = occ_of("beli_pelatihan", DEADLINE, false);
    size_t n = pk_remind_decide(&rules, day("2021-10-25"), &o, 1, &p, f, 8);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f[i].status, PK_FS_DIBATALKAN);
    /* holds but too late: terlewat before the opt-out */
    o.holds = true;
    n = pk_remind_decide(&rules, day("2021-10-25"), &o, 1, &p, f, 8);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f[i].status, PK_FS_TERLEWAT);
    /* in time, program stopped: berhenti_langganan; informasi still goes */
    pk_remind_occ two[2] = {o, occ_of("gabung_gelombang", "2021-10-09T23:59:59+07:00", true)};
    n = pk_remind_decide(&rules, day("2021-10-06"), two, 2, &p, f, 8);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f[i].status, f[i].occ == 0 ? PK_FS_BERHENTI_LANGGANAN : PK_FS_KIRIM);
}

static void test_event_anchors_never_expire(void **state)
{
    (void)state;
    pk_remind_occ o = occ_of("beri_ulasan", "2021-10-02T12:00:00+07:00", true);
    pk_remind_person p = {0};
    pk_remind_fire f[8];
    size_t n = pk_remind_decide(&rules, day("2022-06-01"), &o, 1, &p, f, 8);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f[i].status, PK_FS_KIRIM);
}

static void test_caps_and_priority(void **state)
{
    (void)state;
    pk_remind_fire f[16];
    /* three occurrences due on 2021-10-13: beli (priority 1), saldo
     * (priority 2), isi_survei (priority 3) */
    pk_remind_occ o[3] = {
        occ_of("isi_survei", "2021-10-27T23:59:59+07:00", true),
        occ_of("saldo_belum_terpakai", "2021-10-20T23:59:59+07:00", true),
        occ_of("beli_pelatihan", DEADLINE, true),
    };
    pk_remind_person p = {0};
    size_t n = pk_remind_decide(&rules, day("2021-10-13"), o, 3, &p, f, 16);
    assert_int_equal(n, 5); /* survei -14; saldo -14 and -7; beli -14 and -7 */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f[i].status, f[i].occ == 2 ? PK_FS_KIRIM : PK_FS_DITUNDA);
    /* a message already sent today: all wait */
    p.sent[0] = 1;
    n = pk_remind_decide(&rules, day("2021-10-13"), o, 3, &p, f, 16);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f[i].status, PK_FS_DITUNDA);
    /* three in the 6 days before: all wait; the 7th day back no longer counts */
    memset(p.sent, 0, sizeof p.sent);
    p.sent[2] = p.sent[4] = p.sent[6] = 1;
    n = pk_remind_decide(&rules, day("2021-10-13"), o, 3, &p, f, 16);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f[i].status, PK_FS_DITUNDA);
    p.sent[6] = 0;
    n = pk_remind_decide(&rules, day("2021-10-13"), o, 3, &p, f, 16);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f[i].status, f[i].occ == 2 ? PK_FS_KIRIM : PK_FS_DITUNDA);
    /* a looser cap: the two most urgent go, each its own message */
    pk_remind_rules loose = rules;
    loose.set.cap_day = 2;
    memset(p.sent, 0, sizeof p.sent);
    n = pk_remind_decide(&loose, day("2021-10-13"), o, 3, &p, f, 16);
    int leads = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(f[i].status, f[i].occ == 0 ? PK_FS_DITUNDA : PK_FS_KIRIM);
        leads += f[i].status == PK_FS_KIRIM && !f[i].merged;
    }
    assert_int_equal(leads, 2);
    /* the same priority: the earlier anchor first, then the rule's id */
    pk_remind_occ tie[3] = {
        occ_of("tautkan_rekening", "2021-10-10T12:00:00+07:00", true),
        occ_of("beri_ulasan", "2021-10-10T12:00:00+07:00", true),
        occ_of("beri_ulasan", "2021-10-12T12:00:00+07:00", true),
    };
    n = pk_remind_decide(&rules, day("2021-10-13"), tie, 3, &p, f, 16);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f[i].status, f[i].occ == 1 ? PK_FS_KIRIM : PK_FS_DITUNDA);
}

/* The hold-out (kelompok_kontrol): the people SHA-256(seed || NIK) puts
 * below the share get kontrol for every due fire, take no cap, and who
 * they are follows from the seed alone. */
static void test_hold_out(void **state)
{
    (void)state;
    char err[256];
    pk_remind_rules h;
    const char *umum = "[umum]\nkelompok_kontrol = 12.5\nbenih_kontrol = "
                       "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
    static char text[(1 << 16) + 512]; /* the shipped file (slurp: < 64 KiB) after umum */
    snprintf(text, sizeof text, "%s%s", umum, slurp(PK_TEST_DATADIR "/reminders.ini"));
    /* the shipped file has its own [umum]: give the hold-out in a second
     * file's worth of text would repeat the section, so replace it */
    char *shipped_umum = strstr(text + strlen(umum), "[umum]");
    assert_non_null(shipped_umum);
    memcpy(shipped_umum, ";umum]", 6);
    int rc = pk_remind_rules_parse(text, &h, err, sizeof err);
    if (rc != 0)
        fail_msg("%s", err);
    assert_int_equal(h.set.control_ppm, 125000);
    assert_int_equal(h.set.control_seed[1], 0x11);
    /* about 12.5% of 20,000 NIKs, the same ones every time */
    int held = 0, again = 0;
    char nik[17];
    for (int i = 0; i < 20000; i++) {
        snprintf(nik, sizeof nik, "3174%012d", i);
        bool x = pk_remind_held_out(&h.set, nik);
        held += x;
        again += x == pk_remind_held_out(&h.set, nik);
    }
    assert_int_equal(again, 20000);
    assert_in_range(held, 2300, 2700);
    /* another seed holds out other people; share 0 nobody */
    pk_remind_settings other = h.set;
    other.control_seed[0] ^= 1;
    int same = 0;
    for (int i = 0; i < 2000; i++) {
        snprintf(nik, sizeof nik, "3174%012d", i);
        same += pk_remind_held_out(&h.set, nik) && pk_remind_held_out(&other, nik);
    }
    assert_true(same < 100);
    other.control_ppm = 0;
    assert_false(pk_remind_held_out(&other, nik));
    assert_false(pk_remind_held_out(&rules.set, nik));
    /* decided: every due fire kontrol, after the condition, expiry and
     * opt-out; none sent, so no cap is taken */
    pk_remind_occ o[2] = {occ_of("beli_pelatihan", DEADLINE, true),
                          occ_of("saldo_belum_terpakai", "2021-10-20T23:59:59+07:00", true)};
    pk_remind_person p = {.control = true};
    pk_remind_fire f[16];
    size_t n = pk_remind_decide(&rules, day("2021-10-13"), o, 2, &p, f, 16);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f[i].status, PK_FS_KONTROL);
    o[0].holds = false;
    p.stopped = 1u << PK_PURPOSE_PROGRAM;
    n = pk_remind_decide(&rules, day("2021-10-13"), o, 2, &p, f, 16);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f[i].status,
                         f[i].occ == 0 ? PK_FS_DIBATALKAN : PK_FS_BERHENTI_LANGGANAN);
    assert_string_equal(pk_fire_status_name(PK_FS_KONTROL), "kontrol");
    assert_false(pk_fire_status_final(PK_FS_DITUNDA));
    assert_true(pk_fire_status_final(PK_FS_KONTROL));
}

static void test_quiet_hours(void **state)
{
    (void)state;
    const pk_remind_settings *s = &rules.set;
    assert_string_equal(iso(pk_remind_unquiet(s, at("2021-10-06T09:00:00+07:00"))),
                        "2021-10-06T09:00:00+07:00");
    assert_string_equal(iso(pk_remind_unquiet(s, at("2021-10-06T21:00:00+07:00"))),
                        "2021-10-07T08:00:00+07:00");
    assert_string_equal(iso(pk_remind_unquiet(s, at("2021-10-06T07:59:00+07:00"))),
                        "2021-10-06T08:00:00+07:00");
    assert_string_equal(iso(pk_remind_unquiet(s, at("2021-10-06T20:59:59+07:00"))),
                        "2021-10-06T20:59:59+07:00");
    pk_remind_settings day_span = {.quiet_start = 12 * 60, .quiet_end = 13 * 60};
    assert_string_equal(iso(pk_remind_unquiet(&day_span, at("2021-10-06T12:30:00+07:00"))),
                        "2021-10-06T13:00:00+07:00");
    assert_string_equal(iso(pk_remind_unquiet(&day_span, at("2021-10-06T22:00:00+07:00"))),
                        "2021-10-06T22:00:00+07:00");
    /* a delivery time inside the quiet hours waits for their end */
    pk_remind_rules late = rules;
    late.set.delivery_minute = 22 * 60;
    pk_remind_occ o = occ_of("beli_pelatihan", DEADLINE, true);
    pk_remind_person p = {0};
    pk_remind_fire f[4];
    assert_int_equal(pk_remind_decide(&late, day("2021-10-06"), &o, 1, &p, f, 4), 1);
    assert_string_equal(iso(f[0].send_at), "2021-10-07T08:00:00+07:00");
}

static void test_channels(void **state)
{
    (void)state;
    unsigned all = (1u << PK_CH_WHATSAPP) | (1u << PK_CH_SMS) | (1u << PK_CH_EMAIL);
    assert_int_equal(pk_remind_channel(PK_CH_WHATSAPP, all, 0, true, true), PK_CH_WHATSAPP);
    assert_int_equal(pk_remind_channel(PK_CH_EMAIL, all, 0, true, true), PK_CH_EMAIL);
    /* WhatsApp failed permanently for the person: SMS, then e-mail */
    assert_int_equal(pk_remind_channel(PK_CH_WHATSAPP, all, 1u << PK_CH_WHATSAPP, true, true),
                     PK_CH_SMS);
    assert_int_equal(pk_remind_channel(PK_CH_WHATSAPP, all,
                                       (1u << PK_CH_WHATSAPP) | (1u << PK_CH_SMS), true, true),
                     PK_CH_EMAIL);
    /* preferred e-mail without an address: the order from the start */
    assert_int_equal(pk_remind_channel(PK_CH_EMAIL, all, 0, true, false), PK_CH_WHATSAPP);
    /* a channel not enabled: the next */
    assert_int_equal(pk_remind_channel(PK_CH_WHATSAPP, 1u << PK_CH_SMS, 0, true, true),
                     PK_CH_SMS);
    /* only berkas: everything goes there */
    assert_int_equal(pk_remind_channel(PK_CH_WHATSAPP, 1u << PK_CH_BERKAS, 0, false, false),
                     PK_CH_BERKAS);
    /* nothing reaches them */
    assert_int_equal(pk_remind_channel(PK_CH_WHATSAPP, 1u << PK_CH_EMAIL, 0, true, false),
                     PK_CH__COUNT);
    assert_string_equal(pk_channel_name(PK_CH_SMS), "sms");
    assert_int_equal(pk_channel_by_name("email"), PK_CH_EMAIL);
    assert_int_equal(pk_channel_by_name("pos"), PK_CH__COUNT);
    assert_string_equal(pk_fire_status_name(PK_FS_BERHENTI_LANGGANAN), "berhenti_langganan");
    assert_false(pk_fire_status_final(PK_FS_DITUNDA));
    assert_true(pk_fire_status_final(PK_FS_TERLEWAT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_rules),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_occurrences_of_a_recipient),
        cmocka_unit_test(test_occurrences_from_events),
        cmocka_unit_test(test_occurrences_of_an_open_wave),
        cmocka_unit_test(test_fire_on_its_day),
        cmocka_unit_test(test_late_fires_merge_into_one_message),
        cmocka_unit_test(test_condition_then_expiry_then_opt_out),
        cmocka_unit_test(test_event_anchors_never_expire),
        cmocka_unit_test(test_caps_and_priority),
        cmocka_unit_test(test_quiet_hours),
        cmocka_unit_test(test_hold_out),
        cmocka_unit_test(test_channels),
        cmocka_unit_test(test_template_params),
    };
    return cmocka_run_group_tests(tests, load, NULL);
}
