/* page_dashboard.c -- the staff pages: /dasbor (aggregates of the
 * user's region scope: an operator or a viewer with a region sees only
 * that subtree, the same rule and numbers as GET /api/v1/stats:
 * app/stats.h) and /admin (counts for administrators).  Aggregates only:
 * no personal data on either page.
 *
 * The dashboard groups its counts (eligibility with the reasons, status
 * of work, sex) and breaks the region down one level (city, district,
 * village), each child a link to its own dashboard (?wilayah=CODE); a
 * trail leads back up as far as the caller's scope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/stats.h"
#include "web/html.h"
#include "web/session.h"
#include "web/web.h"

/* A count cell: the number with separators, or "< k" when hidden;
 * `label` (may be NULL) names the column for the phone's card layout. */
static void labelled_cell(pk_buf *b, const char *attr, const char *label, int64_t n,
                          int min_count)
{
    char la[64] = "";
    if (label != NULL)
        snprintf(la, sizeof(la), " data-label=\"%s\"", label);
    if (n == PK_STATS_HIDDEN) {
        pk_buf_printf(b, "<td%s %s=\"tersembunyi\">&lt; %d</td>", la, attr, min_count);
        return;
    }
    pk_buf_printf(b, "<td%s %s>", la, attr);
    pk_html_count(b, n);
    pk_buf_adds(b, "</td>");
}

static void cell(pk_buf *b, const char *attr, int64_t n, int min_count)
{
    labelled_cell(b, attr, NULL, n, min_count);
}

static void row(pk_buf *b, const char *label, int64_t n, int min_count)
{
    pk_buf_adds(b, "<tr><th scope=\"row\">");
    pk_html_esc(b, label);
    pk_buf_adds(b, "</th>");
    cell(b, "data-count", n, min_count);
    pk_buf_adds(b, "</tr>\n");
}

static void table_begin(pk_buf *b, const char *caption, const char *group)
{
    pk_buf_printf(b, "<table class=\"stats\" data-group=\"%s\">\n<caption>", group);
    pk_html_esc(b, caption);
    pk_buf_adds(b, "</caption>\n<thead><tr><th scope=\"col\">Kelompok</th>"
                   "<th scope=\"col\" class=\"num\">Jumlah</th></tr></thead>\n<tbody>\n");
}

static void stats_tables(pk_buf *b, const pk_region_stats *st)
{
    int k = st->min_count;
    pk_buf_adds(b, "<section class=\"group\" aria-labelledby=\"kelayakan\">\n"
                   "<h2 id=\"kelayakan\">Kelayakan</h2>\n");
    table_begin(b, "Pendaftar menurut kelayakan", "kelayakan");
    row(b, "Pendaftar", st->total, k);
    row(b, "Memenuhi syarat", st->eligible, k);
    row(b, "Belum memenuhi syarat", st->not_eligible, k);
    pk_buf_adds(b, "</tbody>\n</table>\n");
    bool any = false;
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        any |= st->by_reason[c] != 0;
    if (any) {
        table_begin(b, "Alasan belum memenuhi syarat", "alasan");
        for (pk_code c = 0; c < PK_C__COUNT; c++) {
            if (st->by_reason[c] == 0)
                continue;
            pk_buf_printf(b, "<tr data-code=\"%s\"><th scope=\"row\">", pk_code_name(c));
            pk_html_esc(b, pk_code_label(c));
            pk_buf_adds(b, "</th>");
            cell(b, "data-count", st->by_reason[c], k);
            pk_buf_adds(b, "</tr>\n");
        }
        pk_buf_adds(b, "</tbody>\n</table>\n<p class=\"small\">Satu pendaftar dapat memiliki "
                       "lebih dari satu alasan.</p>\n");
    }
    pk_buf_adds(b, "</section>\n<section class=\"group\" aria-labelledby=\"segmen\">\n"
                   "<h2 id=\"segmen\">Status kerja</h2>\n");
    table_begin(b, "Pendaftar menurut status kerja", "segmen");
    for (int i = 1; i < PK_SEG__COUNT; i++)
        row(b, pk_segment_label((pk_segment)i), st->by_segment[i], k);
    pk_buf_adds(b, "</tbody>\n</table>\n</section>\n"
                   "<section class=\"group\" aria-labelledby=\"kelamin\">\n"
                   "<h2 id=\"kelamin\">Jenis kelamin</h2>\n");
    table_begin(b, "Pendaftar menurut jenis kelamin", "kelamin");
    row(b, "Laki-laki", st->by_sex[0], k);
    row(b, "Perempuan", st->by_sex[1], k);
    pk_buf_adds(b, "</tbody>\n</table>\n</section>\n");
}

static void hidden_note(pk_buf *b, int k)
{
    if (k > 0)
        pk_buf_printf(b, "<p class=\"small\" data-hidden-below=\"%d\">Angka di bawah %d "
                         "disamarkan (&lt; %d), demikian pula angka lain dalam kelompok "
                         "yang sama bila perlu, agar tidak ada orang yang dapat dikenali dari "
                         "angka wilayah kecil.</p>\n", k, k, k);
}

/* "kota/kabupaten", "kecamatan", "kelurahan" for the level below. */
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
                           const pk_child_stats *cs, size_t n, int k)
{
    const char *level = child_level(parent ? parent->level : PK_REGION_PROVINCE);
    pk_buf_adds(b, "<section class=\"group\" aria-labelledby=\"rincian\">\n<h2 id=\"rincian\">"
                   "Rincian per ");
    pk_html_esc(b, level);
    pk_buf_adds(b, "</h2>\n<table class=\"stats children cards\" data-group=\"wilayah\">\n<caption>"
                   "Pilih nama wilayah untuk melihat rinciannya.</caption>\n<thead><tr>"
                   "<th scope=\"col\">");
    pk_html_esc(b, level);
    pk_buf_adds(b, "</th><th scope=\"col\" class=\"num\">Pendaftar</th>"
                   "<th scope=\"col\" class=\"num\">Memenuhi syarat</th>"
                   "<th scope=\"col\" class=\"num\">Belum memenuhi syarat</th></tr></thead>\n"
                   "<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        pk_buf_printf(b, "<tr data-child=\"%s\"><th scope=\"row\"><a href=\"/dasbor?wilayah=%s\">",
                      cs[i].region->code, cs[i].region->code);
        pk_html_region_name(app, b, cs[i].region->code, cs[i].region->code);
        pk_buf_adds(b, "</a></th>");
        labelled_cell(b, "data-cell", "Pendaftar", cs[i].total, k);
        labelled_cell(b, "data-cell", "Memenuhi syarat", cs[i].eligible, k);
        labelled_cell(b, "data-cell", "Belum memenuhi syarat", cs[i].not_eligible, k);
        pk_buf_adds(b, "</tr>\n");
    }
    pk_buf_adds(b, "</tbody>\n</table>\n</section>\n");
}

void pk_page_dashboard(const pk_app *app, pk_req *req, pk_resp *resp)
{
    /* the counts of the region asked for (?wilayah=) and of its children
     * as the caller may see them (app/stats.h), or an error page with the
     * API's statuses */
    pk_region_stats st;
    pk_child_stats *cs = NULL;
    size_t ncs = 0;
    int rc = pk_stats_breakdown(app, req->who, pk_req_query(req, "wilayah"), &st, &cs, &ncs);
    if (rc != 0) {
        pk_html_region_error(app, req, resp, rc);
        return;
    }
    /* a caller whose scope is everything sees the service area named */
    const pk_region *r =
        st.region ? st.region : pk_regions_find(app->regions, app->cfg.service_province);
    const char *code = r ? r->code : app->cfg.service_province;
    pk_buf *b = &resp->body;
    pk_html_staff_begin(app, req, resp, "Dasbor", "/dasbor");
    pk_buf_adds(b, "<h1>Dasbor</h1>\n");
    pk_html_trail(app, b, st.scope, code, "/dasbor");
    pk_buf_printf(b, "<p class=\"region\">Wilayah: <strong data-region=\"%s\">", code);
    pk_html_region_name(app, b, code, code);
    pk_buf_printf(b, "</strong> <span class=\"code\">(%s)</span></p>\n", code);
    pk_buf_adds(b, "<div class=\"tiles\">\n");
    static const char *const tile[3] = {"Pendaftar", "Memenuhi syarat", "Belum memenuhi syarat"};
    const int64_t tv[3] = {st.total, st.eligible, st.not_eligible};
    for (int i = 0; i < 3; i++) {
        pk_buf_printf(b, "<p class=\"tile\"><span class=\"n\">");
        if (tv[i] == PK_STATS_HIDDEN)
            pk_buf_printf(b, "&lt; %d", st.min_count);
        else
            pk_html_count(b, tv[i]);
        pk_buf_printf(b, "</span> %s</p>\n", tile[i]);
    }
    pk_buf_adds(b, "</div>\n");
    stats_tables(b, &st);
    if (ncs > 0)
        children_table(app, b, r, cs, ncs, st.min_count);
    hidden_note(b, st.min_count);
    free(cs);
    pk_html_staff_finish(resp, 200);
}

void pk_page_admin(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_region_stats st;
    pk_account_counts uc;
    int rc = pk_stats_region(app, req->who, NULL, &st);
    if (rc != 0) {
        pk_html_region_error(app, req, resp, rc);
        return;
    }
    if (pk_stats_accounts(app, &uc) != 0) {
        pk_html_staff_error(app, req, resp, 503, "Layanan sibuk",
                            "Data belum dapat dibaca. Silakan coba lagi sebentar lagi.");
        return;
    }
    pk_buf *b = &resp->body;
    pk_html_staff_begin(app, req, resp, "Administrasi", "/admin");
    pk_buf_adds(b, "<h1>Administrasi</h1>\n");
    table_begin(b, "Akun petugas", "akun");
    row(b, "Administrator", uc.admin, 0);
    row(b, "Operator wilayah", uc.operator, 0);
    row(b, "Pemantau", uc.viewer, 0);
    row(b, "Dinonaktifkan", uc.disabled, 0);
    pk_buf_adds(b, "</tbody>\n</table>\n<p class=\"small\">Akun dikelola dengan perintah "
                   "<code>prakerja user</code>.</p>\n");
    stats_tables(b, &st);
    hidden_note(b, st.min_count);
    pk_buf_adds(b, "<p><a href=\"/dasbor\">Rincian per wilayah di dasbor</a></p>\n");
    pk_html_staff_finish(resp, 200);
}
