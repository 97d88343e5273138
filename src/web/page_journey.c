/* page_journey.c -- the journey on the staff participant page
 * (/peserta/{id}, page_participants.c calls pk_page_journey): the status
 * and the balance, the card number masked, the deadlines with what is
 * missing ("Belum membeli pelatihan — batas 12 Mar 2021, 5 hari lagi",
 * days counted from today in Jakarta), and the timeline of events (what
 * happened in plain words, the amount, the source and as of when).  The
 * read is app/journey_view.h's: scoped and recorded in the access log. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/journey_view.h"
#include "core/date.h"
#include "core/money.h"
#include "web/html.h"
#include "web/web.h"

static void rupiah(pk_buf *b, int64_t v)
{
    char s[32];
    pk_rupiah_format(v, s);
    pk_buf_adds(b, s);
}

static void money_row(pk_buf *b, const char *label, const char *key, int64_t v)
{
    pk_buf_printf(b, "<div><dt>%s</dt><dd data-money=\"%s\" data-value=\"%lld\">", label, key,
                  (long long)v);
    rupiah(b, v);
    pk_buf_adds(b, "</dd></div>\n");
}

/* An instant as staff read it, the machine form in <time datetime>. */
static void instant(pk_buf *b, int64_t t)
{
    char iso[32], wib[32];
    pk_instant_format(t, iso);
    pk_timestamp_format_wib(t, wib);
    pk_buf_printf(b, "<time datetime=\"%s\">%s</time>", iso, wib);
}

/* +/- of an event's amount on the balance; 0 when it is not a balance move. */
static int sign_of(pk_event_type t)
{
    switch (t) {
    case PK_EV_SALDO_MASUK:
    case PK_EV_PEMBATALAN: return 1;
    case PK_EV_PEMBELIAN:
    case PK_EV_SALDO_HANGUS: return -1;
    default: return 0;
    }
}

typedef struct tl_ctx {
    pk_buf *b;
    size_t n;
} tl_ctx;

static int timeline_event(void *ctx, const pk_event *e, pk_code skipped)
{
    tl_ctx *t = ctx;
    pk_buf *b = t->b;
    const pk_event_info *in = pk_event_info_of(e->type);
    char what[PK_EVENT_DESCRIBE_MAX];
    pk_event_describe(e, what, sizeof(what));
    pk_buf_printf(b, "<li data-event=\"%s\" data-source=\"%s\"%s>\n<p class=\"when\">",
                  in ? in->name : "", pk_event_source_name(e->source),
                  skipped != PK_C__COUNT ? " class=\"skipped\" data-skipped" : "");
    instant(b, e->at);
    pk_buf_adds(b, "</p>\n<p class=\"what\">");
    pk_html_esc(b, what);
    if (e->amount > 0) {
        int s = sign_of(e->type);
        pk_buf_printf(b, " <span class=\"amount%s\" data-amount=\"%lld\">%s",
                      s < 0 ? " out" : s > 0 ? " in" : "", (long long)e->amount,
                      s < 0 ? "&minus;" : s > 0 ? "+" : "");
        rupiah(b, e->amount);
        pk_buf_adds(b, "</span>");
    }
    char recv[32];
    pk_timestamp_wib(e->received_at, recv);
    pk_buf_printf(b, "</p>\n<p class=\"small\">Sumber: %s · diterima ",
                  pk_event_source_label(e->source));
    pk_html_esc(b, recv);
    pk_buf_adds(b, "</p>\n");
    if (skipped != PK_C__COUNT) {
        pk_buf_printf(b, "<p class=\"small\" data-skipped-reason=\"%s\"><strong>Tidak "
                         "diterapkan:</strong> ",
                      pk_code_name(skipped));
        pk_html_esc(b, pk_code_message(skipped));
        pk_buf_adds(b, " Peristiwa ini tersimpan tetapi tidak dihitung, karena pada "
                       "waktunya melanggar aturan perjalanan peserta. Bila data yang lebih "
                       "awal datang belakangan (misalnya lolos seleksi atau saldo masuk), "
                       "peristiwa ini dinilai ulang.</p>\n");
    }
    pk_buf_adds(b, "</li>\n");
    t->n++;
    return 0;
}

void pk_page_journey(const pk_app *app, const pk_req *req, pk_buf *b, int64_t id,
                     const char *scope, const char *actor)
{
    pk_journey_view v;
    pk_buf events;
    pk_buf_init(&events, 4u << 20);
    tl_ctx t = {.b = &events};
    int rc = pk_staff_journey(app, scope, id, actor, req->route, 0, PK_JOURNEY_EVENTS_MAX,
                              (int64_t)time(NULL), &v, timeline_event, &t);
    pk_buf_adds(b, "<section class=\"card journey\" aria-labelledby=\"perjalanan\" "
                   "data-journey>\n<h2 id=\"perjalanan\">Perjalanan peserta</h2>\n");
    if (rc != 0 || pk_buf_failed(&events)) {
        pk_buf_adds(b, "<p role=\"alert\" data-journey-error>Perjalanan peserta belum dapat "
                       "dibaca. Silakan muat ulang halaman sebentar lagi.</p>\n</section>\n");
        pk_buf_free(&events);
        return;
    }
    const pk_journey *j = &v.j;
    pk_buf_printf(b, "<dl class=\"facts\">\n<div><dt>Status</dt><dd data-status=\"%s\">%s",
                  pk_journey_status_name(j->status), pk_journey_status_label(j->status));
    if (j->wave > 0)
        pk_buf_printf(b, " · gelombang <span data-wave>%lld</span>", (long long)j->wave);
    pk_buf_adds(b, "</dd></div>\n");
    if (v.has_card) {
        pk_buf_printf(b, "<div><dt>Nomor kartu</dt><dd data-card>%s", v.card_masked);
        if (v.card_replaced_at > 0) { /* prakerja cards reissue: the old one is refused */
            char when[40];
            pk_timestamp_format_wib(v.card_replaced_at, when);
            pk_buf_printf(b, " <span class=\"small\" data-card-replaced>(nomor baru sejak %s; "
                             "nomor lama ditolak platform)</span>", when);
        }
        pk_buf_adds(b, "</dd></div>\n");
    }
    if (j->credited > 0 || j->selected_at != 0) {
        money_row(b, "Saldo masuk", "credited", j->credited);
        money_row(b, "Terpakai untuk pelatihan", "spent", j->spent);
        money_row(b, "Dikembalikan (pembatalan)", "refunded", j->refunded);
        money_row(b, "Hangus", "lapsed", j->lapsed);
        money_row(b, "Sisa saldo", "balance", j->balance);
    }
    pk_buf_adds(b, "</dl>\n");

    /* deadlines and conditions, with what is missing */
    if (v.nitems > 0) {
        pk_buf_adds(b, "<h3>Batas waktu dan syarat</h3>\n<ul class=\"deadlines\">\n");
        for (size_t i = 0; i < v.nitems; i++) {
            const pk_deadline_item *it = &v.items[i];
            pk_buf_printf(b, "<li data-deadline=\"%s\" data-met=\"%s\"", it->kind,
                          it->met ? "ya" : "tidak");
            if (it->has_end)
                pk_buf_printf(b, " data-days-left=\"%ld\"", it->days_left);
            pk_buf_printf(b, " class=\"%s\">\n<p><strong>%s</strong>", it->met ? "ok" : "due",
                          it->title);
            if (it->has_end) {
                char day[32];
                pk_date_format_short(pk_instant_day_wib(it->ends), day);
                pk_buf_printf(b, " — batas %s%s", day,
                              it->absolute ? " (batas saldo gelombang)" : "");
            }
            pk_buf_adds(b, "</p>\n");
            if (it->missing[0])
                pk_buf_printf(b, "<p class=\"missing\" data-missing>%s</p>\n", it->missing);
            else
                pk_buf_adds(b, "<p class=\"done\">Sudah terpenuhi.</p>\n");
            pk_buf_printf(b, "<p class=\"small\">%s</p>\n</li>\n", it->reason);
        }
        pk_buf_adds(b, "</ul>\n");
    }

    /* the timeline */
    pk_buf_adds(b, "<h3>Riwayat</h3>\n");
    if (v.events_total == 0) {
        pk_buf_adds(b, "<p data-events=\"0\">Belum ada peristiwa: peserta terdaftar tetapi "
                       "belum mengikuti gelombang.</p>\n");
    } else {
        pk_buf_printf(b, "<ol class=\"timeline\" data-events=\"%lld\">\n",
                      (long long)v.events_total);
        pk_buf_add(b, events.data, events.len);
        pk_buf_adds(b, "</ol>\n");
        if (v.events_total > (int64_t)t.n)
            pk_buf_printf(b, "<p class=\"small\">Ditampilkan %zu peristiwa pertama dari %lld; "
                             "semuanya tersedia lewat API perjalanan peserta.</p>\n",
                          t.n, (long long)v.events_total);
    }
    pk_buf_adds(b, "<p class=\"small\">Waktu dalam WIB. Data dari Manajemen Pelaksana "
                   "ditampilkan sesuai yang diterima.</p>\n</section>\n");
    pk_buf_free(&events);
}
