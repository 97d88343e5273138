/* page_account_view.c -- the journey part of "Akun saya" (page_account.c):
 * the person's own status, the next thing to do and its deadline in
 * plain Indonesian, the balance, trainings, incentives and surveys, and
 * what happened, each event with its source ("menurut data Manajemen
 * Pelaksana per <date>" where the programme office reported it).  The
 * read is app/journey_view.h's, recorded in the access log as the
 * resident's own ("warga"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app/catalogue.h"
#include "app/journey_view.h"
#include "app/operator.h"
#include "core/date.h"
#include "core/money.h"
#include "web/html.h"
#include "web/web.h"

#define EVENTS_SHOWN 50

/* The events the journey applies, the first EVENTS_SHOWN, kept during
 * the read and written after it (a course's title is another read). */
typedef struct ev_ctx {
    pk_event *ev;
    size_t n;
    bool pmo; /* one of them is the programme office's */
} ev_ctx;

static void day_of(int64_t t, char out[32])
{
    pk_date_format_short(pk_instant_day_wib(t), out);
}

static int one_event(void *ctx, const pk_event *e, pk_code skipped)
{
    ev_ctx *c = ctx;
    /* a skipped one is not part of the journey (staff see it, marked);
     * the first EVENTS_SHOWN that are */
    if (skipped != PK_C__COUNT || c->n >= EVENTS_SHOWN)
        return 0;
    c->ev[c->n++] = *e;
    c->pmo |= e->source == PK_SRC_PMO;
    return 0;
}

static int got_title(void *ctx, const pk_course_view *v)
{
    snprintf(ctx, PK_EVENT_TEXT_MAX, "%s", v->title);
    return 0;
}

/* The events as the resident reads them: a course by its title where
 * the catalogue has it (an outside review read "Membeli pelatihan
 * KLS-20503 di kemnaker"), the code beside it. */
static void write_events(const pk_app *app, pk_buf *b, const ev_ctx *c)
{
    /* a purchase, its completion and review name one course: the last
     * course looked up is kept, not read again */
    char title[PK_EVENT_TEXT_MAX] = "";
    const pk_event *looked = NULL;
    for (size_t i = 0; i < c->n; i++) {
        pk_event e = c->ev[i];
        if (e.course[0] != '\0' && e.platform[0] != '\0' &&
            (looked == NULL || strcmp(looked->course, e.course) != 0 ||
             strcmp(looked->platform, e.platform) != 0)) {
            title[0] = '\0';
            if (pk_catalogue_find(app, e.platform, e.course, got_title, title) != 0)
                title[0] = '\0';
            looked = &c->ev[i];
        }
        if (e.course[0] != '\0' && e.platform[0] != '\0' && title[0] != '\0') {
            char both[2 * PK_EVENT_TEXT_MAX + 4];
            size_t n = (size_t)snprintf(both, sizeof both, "%s (%s)", title, e.course);
            if (n < sizeof e.course) /* else the code alone, as before */
                memcpy(e.course, both, n + 1);
        }
        char what[PK_EVENT_DESCRIBE_MAX], day[32];
        pk_event_describe_resident(&e, what, sizeof what);
        day_of(e.at, day);
        pk_buf_printf(b, "<li data-source=\"%s\"><span class=\"small\">%s</span> ",
                      pk_event_source_name(e.source), day);
        pk_html_esc(b, what);
        if (e.source == PK_SRC_PMO)
            pk_buf_printf(b, " <span class=\"small\">(menurut data Manajemen Pelaksana per "
                             "%s)</span>", day);
        pk_buf_adds(b, "</li>\n");
    }
}

static void money(pk_buf *b, const char *label, const char *key, int64_t v)
{
    char s[32];
    pk_rupiah_format(v, s);
    pk_buf_printf(b, "<div><dt>%s</dt><dd data-money=\"%s\">%s</dd></div>\n", label, key, s);
}

/* The deadline item of a kind whose day has passed unmet, or NULL. */
static const pk_deadline_item *passed(const pk_journey_view *v, const char *kind)
{
    for (size_t i = 0; i < v->nitems; i++) {
        const pk_deadline_item *it = &v->items[i];
        if (strcmp(it->kind, kind) == 0 && it->has_end && it->days_left < 0 && !it->met &&
            it->missing[0])
            return it;
    }
    return NULL;
}

/* The deadlines that have passed with what they asked not done, in the
 * resident's words (the staff page shows the same items): a balance
 * lapsed, a purchase or a survey too late.  An outside review found a
 * lapsed balance shown here as money still to spend, and "no deadline
 * waiting" where staff saw two missed. */
static void missed(pk_buf *b, const pk_journey_view *v)
{
    bool any = false;
    for (size_t i = 0; i < v->nitems; i++) {
        const pk_deadline_item *it = &v->items[i];
        if (passed(v, it->kind) != it)
            continue;
        char day[32], rp[32];
        pk_date_format_short(pk_instant_day_wib(it->ends), day);
        if (!any)
            pk_buf_adds(b, "<h2>Batas yang sudah lewat</h2>\n<ul data-missed>\n");
        any = true;
        pk_buf_printf(b, "<li data-past=\"%s\">", it->kind);
        if (strcmp(it->kind, "batas_saldo") == 0) {
            pk_rupiah_format(v->j.balance, rp);
            pk_buf_printf(b, "Sisa saldo %s hangus setelah batas penggunaan saldo gelombang "
                             "Anda, %s: saldo itu tidak dapat dipakai lagi.", rp, day);
        } else if (strcmp(it->kind, "pembelian_pertama") == 0) {
            pk_buf_printf(b, "Batas pembelian pelatihan pertama, %s, sudah lewat tanpa "
                             "pembelian: kepesertaan dapat dicabut. Bila menurut Anda ini "
                             "keliru, hubungi petugas kelurahan.", day);
        } else {
            pk_buf_printf(b, "%s: batas %s sudah lewat.", it->title, day);
        }
        pk_buf_adds(b, "</li>\n");
    }
    if (any)
        pk_buf_adds(b, "</ul>\n");
}

/* The next thing to do: the first deadline or condition not met. */
static void next_step(pk_buf *b, const pk_journey_view *v, bool waves_open)
{
    const pk_journey *j = &v->j;
    pk_buf_adds(b, "<h2>Langkah berikutnya</h2>\n");
    for (size_t i = 0; i < v->nitems; i++) {
        const pk_deadline_item *it = &v->items[i];
        if (it->met || !it->missing[0] || (it->has_end && it->days_left < 0))
            continue;
        pk_buf_printf(b, "<p class=\"due\" data-next=\"%s\"", it->kind);
        if (it->has_end)
            pk_buf_printf(b, " data-days-left=\"%ld\"", it->days_left);
        pk_buf_printf(b, "><strong>%s</strong>: %s</p>\n<p class=\"small\">%s</p>\n", it->title,
                      it->missing, it->reason);
        if (strcmp(it->kind, "pembelian_pertama") == 0 && v->has_card)
            pk_buf_adds(b, "<p data-how=\"beli\">Caranya: pilih pelatihan di salah satu "
                           "platform digital mitra Prakerja, lalu bayar dengan Nomor Kartu "
                           "Prakerja Anda (di bawah, pada Saldo dan pelatihan).</p>\n");
        return;
    }
    const char *s, *kind = "tidak_ada";
    switch (j->status) {
    case PK_JS_TERDAFTAR:
    case PK_JS_TIDAK_LOLOS:
        kind = "gelombang";
        s = waves_open ? "Ikuti gelombang yang sedang dibuka (di atas) sebelum ditutup."
                       : "Tunggu pembukaan gelombang berikutnya dan ikuti gelombang tersebut. "
                         "Kami akan mengabari Anda.";
        break;
    case PK_JS_PENDAFTAR:
        kind = "tunggu_seleksi";
        s = "Anda sudah ikut gelombang. Setelah gelombang ditutup, syarat Anda diperiksa lagi "
            "dan peserta diundi sampai kuota terpenuhi. Hasilnya tampil di halaman ini dan "
            "kami kabari Anda. Selama gelombang Anda masih dibuka, Anda tidak dapat ikut "
            "gelombang lain.";
        break;
    case PK_JS_PENERIMA:
        s = "Tidak ada batas waktu yang menunggu saat ini. Lanjutkan pelatihan Anda.";
        break;
    default:
        s = "Tidak ada yang perlu Anda lakukan saat ini.";
    }
    pk_buf_printf(b, "<p data-next=\"%s\">%s</p>\n", kind, s);
}

bool pk_page_account_view(const pk_app *app, const pk_req *req, pk_buf *b, int64_t pid,
                          bool waves_open, pk_journey *state)
{
    memset(state, 0, sizeof(*state));
    state->status = PK_JS_TERDAFTAR;
    pk_journey_view v;
    ev_ctx c = {.ev = calloc(EVENTS_SHOWN, sizeof(pk_event))};
    int rc = c.ev == NULL ? PK_ENOMEM
                          : pk_staff_journey(app, "", pid, PK_ACTOR_RESIDENT, req->route, 0,
                                             PK_JOURNEY_EVENTS_MAX, (int64_t)time(NULL), &v,
                                             one_event, &c);
    pk_buf_adds(b, "<section class=\"card\" aria-labelledby=\"status\" data-journey>\n");
    if (rc != 0) {
        pk_buf_adds(b, "<p role=\"alert\" data-journey-error>Data perjalanan Anda belum dapat "
                       "dibaca. Silakan muat ulang halaman sebentar lagi.</p>\n</section>\n");
        free(c.ev);
        return false;
    }
    const pk_journey *j = &v.j;
    *state = v.j;
    pk_buf_printf(b, "<h2 id=\"status\">Status: <span data-status=\"%s\">%s</span></h2>\n",
                  pk_journey_status_name(j->status), pk_journey_status_label(j->status));
    if (j->wave > 0)
        pk_buf_printf(b, "<p>Gelombang <span data-wave>%lld</span></p>\n", (long long)j->wave);
    next_step(b, &v, waves_open);
    missed(b, &v);

    pk_buf_adds(b, "<h2>Saldo dan pelatihan</h2>\n<dl class=\"facts\">\n");
    if (v.has_card) {
        /* the holder's own number (the staff page shows its last 4):
         * behind a tap, for a phone read in a busy office */
        pk_buf_printf(b, "<div><dt>Nomor Kartu Prakerja</dt><dd data-card>%s "
                         "<details><summary>Tampilkan nomor lengkap</summary><p><strong "
                         "data-card-number>%.4s %.4s %.4s %.4s</strong></p><p class=\"small\">"
                         "Nomor ini dipakai untuk membeli pelatihan di platform digital mitra "
                         "Prakerja. Jangan berikan kepada siapa pun selain saat membayar "
                         "pelatihan di platform tersebut.</p></details></dd></div>\n",
                      v.card_masked, v.card_number, v.card_number + 4, v.card_number + 8,
                      v.card_number + 12);
        sodium_memzero(v.card_number, sizeof v.card_number);
        if (v.card_replaced_at > 0) {
            /* a reissue (prakerja cards reissue): the old number is refused */
            char day[32];
            pk_date_format_short(pk_instant_day_wib(v.card_replaced_at), day);
            pk_buf_printf(b, "<div><dt>Nomor kartu lama</dt><dd data-card-replaced>Demi "
                             "keamanan, nomor kartu Anda diganti pada %s. Nomor lama tidak "
                             "berlaku lagi; pakai nomor di atas untuk membeli pelatihan."
                             "</dd></div>\n", day);
        }
    }
    const pk_deadline_item *lapsed = j->balance > 0 ? passed(&v, "batas_saldo") : NULL;
    if (lapsed != NULL) {
        char rp[32], day[32];
        pk_rupiah_format(j->balance, rp);
        pk_date_format_short(pk_instant_day_wib(lapsed->ends), day);
        pk_buf_printf(b, "<div><dt>Sisa saldo</dt><dd data-money=\"balance\" data-lapsed>%s, "
                         "hangus sejak %s (tidak dapat dipakai lagi)</dd></div>\n", rp, day);
    } else {
        money(b, "Sisa saldo", "balance", j->balance);
    }
    money(b, "Terpakai untuk pelatihan", "spent", j->spent);
    pk_buf_printf(b, "<div><dt>Pelatihan dibeli</dt><dd data-purchases>%lld</dd></div>\n"
                     "<div><dt>Pelatihan selesai</dt><dd data-completions>%lld</dd></div>\n",
                  (long long)j->purchases, (long long)j->completions);
    pk_buf_printf(b, "<div><dt>Insentif diterima</dt><dd data-incentives>%lld kali</dd></div>\n",
                  (long long)j->incentives_paid);
    money(b, "Jumlah insentif", "incentive_total", j->incentive_total);
    int filled = 0;
    for (int k = 0; k < 63; k++)
        filled += (int)((j->surveys_filled >> k) & 1);
    pk_buf_printf(b, "<div><dt>Survei diisi</dt><dd data-surveys>%d</dd></div>\n", filled);
    pk_buf_adds(b, "</dl>\n");

    pk_buf_adds(b, "<h2>Riwayat</h2>\n");
    /* the events the journey applies (a skipped one is not part of it:
     * one_event leaves it out) */
    if (j->events == 0) {
        pk_buf_adds(b, "<p data-events=\"0\">Belum ada peristiwa: Anda terdaftar tetapi belum "
                       "mengikuti gelombang.</p>\n");
    } else {
        pk_buf_printf(b, "<ol class=\"timeline\" data-events=\"%lld\">\n",
                      (long long)j->events);
        write_events(app, b, &c);
        pk_buf_adds(b, "</ol>\n");
    }
    if (c.pmo)
        pk_buf_adds(b, "<p class=\"small\">Data dari Manajemen Pelaksana ditampilkan sesuai "
                       "yang kami terima, dengan tanggalnya.</p>\n");
    pk_buf_adds(b, "</section>\n");
    free(c.ev);
    return true;
}
