/* page_funnel.c -- /corong, the funnel for staff (app/funnel.h): of the
 * region asked for (?wilayah=, the caller's area by default), or of an
 * outreach event (?acara=ID, no children), the steps
 * with their counts, the conversion from the step before, the median
 * days it took, "at risk now" (from ?tanggal=, today by default), a chart
 * (Chart.js from Debian, /static/chart.min.js, drawn by /static/funnel.js
 * from the table: the table is the page without JavaScript), the children
 * one level down with links to their own funnel, and the same numbers as
 * CSV (?format=csv).  Counts only: no personal data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/funnel.h"
#include "app/outreach.h"
#include "core/median.h"
#include "web/html.h"
#include "web/session.h"
#include "web/web.h"

/* "12.3" from tenths of a percent, for CSV (pages: pk_html_tenths, "12,3") */
static void csv_tenths(pk_buf *b, int64_t permille)
{
    pk_buf_printf(b, "%lld.%lld", (long long)(permille / 10), (long long)(permille % 10));
}

/* A count cell: the number, "< k" hidden, "—" no data. */
static void count_cell(pk_buf *b, const char *label, int64_t n, int k)
{
    pk_buf_printf(b, "<td data-label=\"%s\" data-count=\"%lld\"", label,
                  (long long)(n >= 0 ? n : -1));
    if (n == PK_STATS_HIDDEN)
        pk_buf_printf(b, " data-hidden>&lt; %d</td>", k);
    else if (n == PK_FUNNEL_NONE)
        pk_buf_adds(b, " data-none><span title=\"belum ada data\">—</span></td>");
    else {
        pk_buf_adds(b, ">");
        pk_html_count(b, n);
        pk_buf_adds(b, "</td>");
    }
}

static void steps_table(pk_buf *b, const pk_funnel *f)
{
    pk_buf_adds(b, "<table class=\"stats cards\" data-group=\"corong\">\n<caption>Langkah program, "
                   "dari dijangkau sampai insentif dibayar</caption>\n<thead><tr>"
                   "<th scope=\"col\">Langkah</th><th scope=\"col\" class=\"num\">Jumlah orang</th>"
                   "<th scope=\"col\" class=\"num\">Konversi dari langkah sebelumnya</th>"
                   "<th scope=\"col\" class=\"num\">Median hari dari langkah sebelumnya</th>"
                   "</tr></thead>\n<tbody>\n");
    for (int s = 0; s < PK_FS__COUNT; s++) {
        pk_buf_printf(b, "<tr data-step=\"%s\"><th scope=\"row\">", pk_funnel_step_name(s));
        pk_html_esc(b, pk_funnel_step_label(s));
        pk_buf_adds(b, "</th>");
        count_cell(b, "Jumlah orang", f->n[s], f->min_count);
        int64_t pm;
        pk_buf_adds(b, "<td data-label=\"Konversi\" data-cell>");
        if (pk_funnel_rate(f, f->n, s, &pm)) {
            pk_html_tenths(b, pm);
            pk_buf_adds(b, "%");
        } else {
            pk_buf_adds(b, "—");
        }
        pk_buf_adds(b, "</td><td data-label=\"Median hari\" data-cell>");
        if (s >= PK_FS_JOINED && f->median_days[s] >= 0) {
            if (pk_funnel_median_capped(f->median_days[s]))
                pk_buf_adds(b, "&ge; ");
            pk_html_days(b, f->median_days[s]);
        } else
            pk_buf_adds(b, "—");
        pk_buf_adds(b, "</td></tr>\n");
    }
    pk_buf_adds(b, "</tbody>\n</table>\n");
}

static const char *child_level(pk_region_level parent)
{
    switch (parent) {
    case PK_REGION_PROVINCE: return "Kota/kabupaten";
    case PK_REGION_REGENCY: return "Kecamatan";
    case PK_REGION_DISTRICT: return "Kelurahan";
    default: return "Wilayah";
    }
}

static void children_table(const pk_app *app, pk_buf *b, const pk_region *parent,
                           const pk_funnel *f, const char *day_q)
{
    const char *level = child_level(parent ? parent->level : PK_REGION_PROVINCE);
    pk_buf_adds(b, "<section class=\"group\" aria-labelledby=\"rincian\">\n<h2 id=\"rincian\">"
                   "Rincian per ");
    pk_html_esc(b, level);
    pk_buf_adds(b, "</h2>\n<table class=\"stats children cards steps\" data-group=\"wilayah\">\n"
                   "<caption>Pilih nama wilayah untuk melihat corongnya.</caption>\n<thead><tr>"
                   "<th scope=\"col\">");
    pk_html_esc(b, level);
    pk_buf_adds(b, "</th>");
    for (int s = PK_FS_REACHED; s < PK_FS__COUNT; s++) {
        pk_buf_adds(b, "<th scope=\"col\" class=\"num\">");
        pk_html_esc(b, pk_funnel_step_label(s));
        pk_buf_adds(b, "</th>");
    }
    pk_buf_adds(b, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < f->nchildren; i++) {
        const pk_funnel_child *c = &f->children[i];
        pk_buf_printf(b, "<tr data-child=\"%s\"><th scope=\"row\"><a href=\"/corong?wilayah=%s%s\">",
                      c->region->code, c->region->code, day_q);
        pk_html_region_name(app, b, c->region->code, c->region->code);
        pk_buf_adds(b, "</a></th>");
        for (int s = PK_FS_REACHED; s < PK_FS__COUNT; s++)
            count_cell(b, pk_funnel_step_label(s), c->n[s], f->min_count);
        pk_buf_adds(b, "</tr>\n");
    }
    pk_buf_adds(b, "</tbody>\n</table>\n</section>\n");
}

/* ---- CSV: the same numbers, one row per region and step ---- */

static void csv_field(pk_buf *b, const char *s)
{
    pk_buf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            pk_buf_addc(b, '"');
        pk_buf_addc(b, *s);
    }
    pk_buf_addc(b, '"');
}

static void csv_count(pk_buf *b, int64_t n, int k)
{
    if (n == PK_STATS_HIDDEN)
        pk_buf_printf(b, "<%d", k);
    else if (n >= 0)
        pk_buf_printf(b, "%lld", (long long)n);
}

static void csv_region(const pk_app *app, pk_buf *b, const pk_region *r)
{
    const char *code = r ? r->code : app->cfg.service_province;
    const pk_region *named = r ? r : pk_regions_find(app->regions, code);
    char title[256];
    pk_region_title(named ? named->name : code, title, sizeof(title));
    pk_buf_printf(b, "%s,", code);
    csv_field(b, title);
}

static void csv_body(const pk_app *app, pk_buf *b, const pk_funnel *f, const char *day)
{
    pk_buf_adds(b, "kode_wilayah,nama_wilayah,tanggal,langkah,nama_langkah,jumlah,"
                   "konversi_persen,median_hari,median_atas_jumlah,acara\r\n");
    char ev[24] = "";
    if (f->event.id != 0)
        snprintf(ev, sizeof(ev), "%lld", (long long)f->event.id);
    for (int s = 0; s < PK_FS__COUNT; s++) {
        csv_region(app, b, f->region);
        pk_buf_printf(b, ",%s,%s,", day, pk_funnel_step_name(s));
        csv_field(b, pk_funnel_step_label(s));
        pk_buf_addc(b, ',');
        csv_count(b, f->n[s], f->min_count);
        pk_buf_addc(b, ',');
        int64_t pm;
        if (pk_funnel_rate(f, f->n, s, &pm))
            csv_tenths(b, pm);
        pk_buf_addc(b, ',');
        if (s >= PK_FS_JOINED && f->median_days[s] >= 0) {
            char m[32];
            pk_median_format(f->median_days[s], '.', m);
            pk_buf_adds(b, m);
        }
        pk_buf_addc(b, ',');
        if (s >= PK_FS_JOINED)
            csv_count(b, f->waits[s], f->min_count);
        pk_buf_printf(b, ",%s\r\n", ev);
    }
    csv_region(app, b, f->region);
    pk_buf_printf(b, ",%s,berisiko_sekarang,", day);
    csv_field(b, "Berisiko sekarang: batas pembelian pertama dalam 7 hari");
    pk_buf_addc(b, ',');
    csv_count(b, f->at_risk, f->min_count);
    pk_buf_printf(b, ",,,,%s\r\n", ev);
    for (size_t i = 0; i < f->nchildren; i++)
        for (int s = 0; s < PK_FS__COUNT; s++) {
            csv_region(app, b, f->children[i].region);
            pk_buf_printf(b, ",%s,%s,", day, pk_funnel_step_name(s));
            csv_field(b, pk_funnel_step_label(s));
            pk_buf_addc(b, ',');
            csv_count(b, f->children[i].n[s], f->min_count);
            pk_buf_addc(b, ',');
            int64_t pm;
            if (pk_funnel_rate(f, f->children[i].n, s, &pm))
                csv_tenths(b, pm);
            pk_buf_adds(b, ",,,\r\n");
        }
}

/* ---- the page ---- */

static bool read_funnel(const pk_app *app, pk_req *req, pk_resp *resp, pk_funnel *f,
                        pk_date *today)
{
    int64_t event;
    switch (pk_web_funnel_query(req, "tanggal", "acara", today, &event)) {
    case 1:
        pk_html_staff_error(app, req, resp, 400, "Tanggal tidak valid",
                            "Tanggal harus berformat TTTT-BB-HH, misalnya 2026-12-06.");
        return false;
    case 2:
        pk_html_staff_error(app, req, resp, 400, "Acara tidak valid",
                            "Nomor acara harus berupa angka.");
        return false;
    }
    int rc = pk_funnel_read(app, req->who, pk_req_query(req, "wilayah"), event, *today, f);
    if (rc == PK_ENOENT && f->event_missing)
        pk_html_staff_error(app, req, resp, 404, "Acara tidak ditemukan",
                            "Acara tersebut tidak ada.");
    else if (rc != 0)
        pk_html_region_error(app, req, resp, rc);
    return rc == 0;
}

void pk_page_funnel(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const char *format = pk_req_query(req, "format");
    bool csv = format != NULL && strcmp(format, "csv") == 0;
    if (format != NULL && format[0] != '\0' && !csv) {
        pk_html_staff_error(app, req, resp, 400, "Format tidak dikenal",
                            "Format unduhan yang tersedia hanya csv.");
        return;
    }
    pk_funnel f;
    pk_date today;
    if (!read_funnel(app, req, resp, &f, &today))
        return;
    const pk_region *r =
        f.region ? f.region : pk_regions_find(app->regions, app->cfg.service_province);
    const char *code = r ? r->code : app->cfg.service_province;
    char day[11];
    pk_date_format(today, day);
    /* the date travels with the links only when it was asked for */
    const char *asked = pk_req_query(req, "tanggal");
    char day_q[32] = "";
    if (asked != NULL && asked[0] != '\0')
        snprintf(day_q, sizeof(day_q), "&amp;tanggal=%s", day);
    pk_buf *b = &resp->body;
    if (csv) {
        pk_buf_reset(b);
        pk_buf_adds(b, "\xEF\xBB\xBF"); /* a BOM: spreadsheets read UTF-8 */
        csv_body(app, b, &f, day);
        pk_funnel_free(&f);
        char disp[96];
        if (f.event.id != 0)
            snprintf(disp, sizeof(disp), "attachment; filename=\"corong-acara-%lld-%s.csv\"",
                     (long long)f.event.id, day);
        else
            snprintf(disp, sizeof(disp), "attachment; filename=\"corong-%s-%s.csv\"", code, day);
        pk_resp_header(resp, "Content-Disposition", disp);
        resp->status = 200;
        resp->content_type = "text/csv; charset=utf-8";
        return;
    }
    resp->script_src = "'self'";
    bool of_event = f.event.id != 0;
    pk_html_staff_begin(app, req, resp, of_event ? "Corong acara" : "Corong program", "/corong");
    pk_buf_adds(b, of_event ? "<h1>Corong acara</h1>\n" : "<h1>Corong program</h1>\n");
    pk_html_trail(app, b, f.scope, code, "/corong");
    if (of_event) {
        char when[32];
        pk_timestamp_format_wib(f.event.starts_at, when);
        pk_buf_printf(b, "<p class=\"region\" data-event=\"%lld\">Acara: <a href=\"/acara/%lld\">"
                         "<strong>", (long long)f.event.id, (long long)f.event.id);
        pk_html_esc(b, f.event.title);
        pk_buf_adds(b, "</strong></a> (");
        pk_html_esc(b, pk_outreach_kind_label(f.event.kind));
        pk_buf_adds(b, ", ");
        pk_html_esc(b, when);
        pk_buf_adds(b, "): orang yang mendaftar lewat tautan atau kode QR acara ini");
        if (f.scope[0] != '\0') { /* pk_funnel_read: the scope's registrants alone */
            pk_buf_printf(b, " dan berdomisili di wilayah kerja Anda (<span "
                             "data-counted-within=\"%s\">", f.scope);
            pk_html_region_name(app, b, f.scope, f.scope);
            pk_buf_adds(b, "</span>); pendaftar dari wilayah lain tidak dihitung");
        }
        pk_buf_adds(b, ".</p>\n");
    }
    pk_buf_printf(b, "<p class=\"region\">%s: <strong data-region=\"%s\">",
                  of_event ? "Kelurahan" : "Wilayah", code);
    pk_html_region_name(app, b, code, code);
    pk_buf_printf(b, "</strong> <span class=\"code\">(%s)</span></p>\n", code);
    pk_buf_adds(b, "<div class=\"tiles\">\n<p class=\"tile\" data-at-risk=\"");
    pk_buf_printf(b, "%lld\"><span class=\"n\">", (long long)(f.at_risk >= 0 ? f.at_risk : -1));
    if (f.at_risk == PK_STATS_HIDDEN)
        pk_buf_printf(b, "&lt; %d", f.min_count);
    else
        pk_html_count(b, f.at_risk);
    char longday[32];
    pk_date_format_long(today, longday);
    pk_buf_printf(b, "</span> berisiko sekarang: penerima yang belum membeli pelatihan dan batas "
                     "pembeliannya jatuh dalam %d hari sejak %s</p>\n</div>\n",
                  PK_FUNNEL_RISK_DAYS, longday);
    /* hidden until funnel.js draws it: without JavaScript the table is the
     * page, and an empty box (a review found 300 px of it) says nothing */
    pk_buf_adds(b, "<figure class=\"chart\" hidden><div class=\"chart-box\"><canvas id=\"grafik-corong\" "
                   "role=\"img\" aria-label=\"Grafik batang jumlah orang per langkah program\">"
                   "</canvas></div><figcaption class=\"small\">Jumlah orang per langkah (angka "
                   "yang disamarkan tidak digambar).</figcaption></figure>\n");
    steps_table(b, &f);
    if (of_event)
        pk_buf_printf(b, "<p><a href=\"/corong?acara=%lld%s&amp;format=csv\" download>Unduh CSV"
                         "</a></p>\n", (long long)f.event.id, day_q);
    else
        pk_buf_printf(b, "<p><a href=\"/corong?wilayah=%s%s&amp;format=csv\" download>Unduh CSV"
                         "</a></p>\n", code, day_q);
    if (f.nchildren > 0)
        children_table(app, b, r, &f, day_q);
    pk_buf_adds(b, of_event
                       ? "<p class=\"small\">Dijangkau: jumlah hadir yang dicatat untuk acara ini. "
                       : "<p class=\"small\">Dijangkau: jumlah hadir yang dicatat pada acara "
                         "sosialisasi dan kelas literasi digital di wilayah ini (— bila belum ada "
                         "yang dicatat); tidak semua pendaftar wilayah datang lewat acara, jadi "
                         "konversi ke terdaftar hanya dihitung pada corong satu acara. ");
    pk_buf_adds(b, "Median hari dihitung dalam hari kalender WIB utuh dari langkah sebelumnya "
                   "(gabung gelombang: sejak pendaftaran; lolos: sejak gabung gelombang "
                   "terakhir), 366 hari atau lebih dihitung sebagai 366; bila jumlah orangnya "
                   "genap, median adalah rata-rata dua nilai tengah (misalnya 7,5 hari).</p>\n");
    if (f.min_count > 0)
        pk_buf_printf(b, "<p class=\"small\" data-hidden-below=\"%d\">Angka di bawah %d "
                         "disamarkan (&lt; %d), demikian pula angka lain bila perlu, agar tidak "
                         "ada orang yang dapat dikenali dari angka wilayah kecil.</p>\n",
                      f.min_count, f.min_count, f.min_count);
    pk_buf_adds(b, "<script src=\"/static/chart.min.js\" defer></script>\n"
                   "<script src=\"/static/funnel.js\" defer></script>\n");
    pk_funnel_free(&f);
    pk_html_staff_finish(resp, 200);
}
