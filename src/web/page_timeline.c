/* page_timeline.c -- the benefit timeline calculator: given a selection
 * date and a scheme, the last day to buy the first training, when the
 * incentives and surveys fall due, and the total.  A GET form: it holds
 * no personal data, so its result pages may be cached and bookmarked. */
#include <string.h>

#include "core/money.h"
#include "core/timeline.h"
#include "web/html.h"
#include "web/web.h"

static void date_cell(pk_buf *b, pk_date d)
{
    char iso[11], lng[32];
    pk_date_format(d, iso);
    pk_date_format_long(d, lng);
    pk_buf_printf(b, "<time datetime=\"%s\">%s</time>", iso, lng);
}

static void render(pk_buf *b, const pk_scheme *s, const pk_timeline *t)
{
    char amt[32], total[32];
    pk_rupiah_format(t->total, total);
    pk_buf_adds(b, "<section class=\"result ok\" aria-labelledby=\"hasil\">\n"
                   "<h2 id=\"hasil\">Linimasa Anda</h2>\n<ol class=\"timeline\">\n<li>Dinyatakan "
                   "lolos: ");
    date_cell(b, t->selected);
    pk_buf_adds(b, "</li>\n<li><strong>Batas akhir membeli pelatihan pertama: ");
    date_cell(b, t->purchase_deadline);
    pk_buf_printf(b, "</strong> (%d hari setelah lolos). Lewat dari tanggal ini, kepesertaan "
                     "dicabut.</li>\n<li>Pelatihan pertama selesai, ulasan dan rating diberikan: ",
                  s->purchase_deadline_days);
    date_cell(b, t->completed);
    pk_buf_adds(b, "</li>\n");
    for (int i = 0; i < t->n_incentives; i++) {
        pk_rupiah_format(t->incentives[i].amount, amt);
        pk_buf_printf(b, "<li>Insentif ke-%d sebesar %s diperkirakan masuk antara ", i + 1, amt);
        date_cell(b, t->incentives[i].due_from);
        pk_buf_adds(b, " dan ");
        date_cell(b, t->incentives[i].due_to);
        pk_buf_adds(b, ".</li>\n");
    }
    for (int i = 0; i < t->n_surveys; i++) {
        pk_rupiah_format(t->surveys[i].amount, amt);
        pk_buf_printf(b, "<li>Survei kebekerjaan ke-%d: isi antara ", i + 1);
        date_cell(b, t->surveys[i].opens);
        pk_buf_adds(b, " dan ");
        date_cell(b, t->surveys[i].closes);
        pk_buf_printf(b, "; insentif survei %s dibayar paling lambat ", amt);
        date_cell(b, t->surveys[i].paid_by);
        pk_buf_adds(b, ".</li>\n");
    }
    pk_buf_printf(b, "</ol>\n<p class=\"total\">Total manfaat: <strong>%s</strong></p>\n"
                     "<p class=\"small\">Perkiraan: insentif dijadwalkan paling lambat 1&times;24 "
                     "jam setelah ulasan diberikan dan masuk 3 sampai 5 hari kerja kemudian; "
                     "hari libur nasional belum diperhitungkan.</p>\n</section>\n",
                  total);
}

void pk_page_timeline(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const char *skema = pk_req_query(req, "skema");
    const char *lolos = pk_req_query(req, "tanggal_lolos");
    const char *selesai = pk_req_query(req, "tanggal_selesai");
    if (skema == NULL || skema[0] == '\0')
        skema = app->schemes.current;
    const pk_scheme *s = pk_schemes_find(&app->schemes, skema);
    const char *err_skema = NULL, *err_lolos = NULL, *err_selesai = NULL;
    bool asked = lolos != NULL;
    pk_date sel = {0}, done = {0};
    pk_timeline t;
    bool ok = false;
    if (asked) {
        if (s == NULL)
            err_skema = "Pilih salah satu skema yang tersedia.";
        if (lolos[0] == '\0')
            err_lolos = "Tanggal lolos wajib diisi.";
        else if (pk_date_parse(lolos, strlen(lolos), &sel) != 0)
            err_lolos = "Tanggal tidak valid. Gunakan format TTTT-BB-HH.";
        if (selesai && selesai[0] && pk_date_parse(selesai, strlen(selesai), &done) != 0)
            err_selesai = "Tanggal tidak valid. Gunakan format TTTT-BB-HH.";
        if (!err_skema && !err_lolos && !err_selesai) {
            int rc = pk_timeline_compute(s, sel, selesai && selesai[0] ? &done : NULL, &t);
            if (rc == 0)
                ok = true;
            else if (rc == PK_ETOOBIG && !(selesai && selesai[0]))
                err_lolos = "Tanggal terlalu jauh: linimasanya melewati 31 Desember 9999.";
            else if (rc == PK_ETOOBIG)
                err_selesai = "Tanggal terlalu jauh: linimasanya melewati 31 Desember 9999.";
            else
                err_selesai = "Tanggal selesai pelatihan tidak boleh sebelum tanggal lolos.";
        }
    }

    pk_buf *b = &resp->body;
    pk_html_begin(b, "Linimasa Manfaat", "/linimasa");
    pk_buf_adds(b, "<h1>Linimasa manfaat</h1>\n<p class=\"lead\">Masukkan tanggal Anda "
                   "dinyatakan lolos untuk melihat batas waktu membeli pelatihan dan kapan "
                   "insentif serta survei jatuh tempo.</p>\n");
    if (ok) {
        render(b, s, &t);
    } else if (asked) {
        const char *fields[3], *msgs[3];
        size_t n = 0;
        if (err_skema) { fields[n] = "skema"; msgs[n++] = err_skema; }
        if (err_lolos) { fields[n] = "tanggal_lolos"; msgs[n++] = err_lolos; }
        if (err_selesai) { fields[n] = "tanggal_selesai"; msgs[n++] = err_selesai; }
        pk_html_error_summary(b, fields, msgs, n);
    }
    pk_html_option opts[PK_SCHEMES_MAX];
    size_t n = 0;
    for (size_t i = 0; i < app->schemes.count; i++, n++)
        opts[n] = (pk_html_option){app->schemes.items[i].id, app->schemes.items[i].name};
    pk_buf_adds(b, "<form method=\"get\" action=\"/linimasa\" novalidate>\n");
    pk_html_select(b, "skema", "Skema", opts, n, skema, NULL, err_skema, true);
    pk_html_input(b, "tanggal_lolos", "Tanggal dinyatakan lolos", "date", lolos,
                  "Tahun-bulan-tanggal, misalnya 2026-11-02.", err_lolos, true);
    pk_html_input(b, "tanggal_selesai", "Tanggal pelatihan pertama selesai", "date", selesai,
                  "Kosongkan untuk memakai batas akhir pembelian pelatihan.", err_selesai, false);
    pk_buf_adds(b, "<button type=\"submit\">Hitung</button>\n</form>\n");
    pk_html_finish(resp, asked && !ok ? 422 : 200, true);
}
