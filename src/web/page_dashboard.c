/* page_dashboard.c -- the staff pages: /dasbor (aggregates of the
 * user's region scope: an operator or a viewer with a region sees only
 * that subtree, the same rule and numbers as GET /api/v1/stats:
 * app/stats.h) and /admin (counts for administrators).  Aggregates only:
 * no personal data on either page. */
#include <stdio.h>
#include <string.h>

#include "app/stats.h"
#include "web/html.h"
#include "web/session.h"
#include "web/web.h"

static const char *role_label(unsigned role)
{
    switch (role) {
    case PK_ROLE_ADMIN: return "Administrator";
    case PK_ROLE_OPERATOR: return "Operator wilayah";
    case PK_ROLE_VIEWER: return "Pemantau";
    default: return "-";
    }
}

static void whoami(const pk_app *app, const pk_req *req, pk_resp *resp)
{
    pk_buf *b = &resp->body;
    pk_buf_adds(b, "<p class=\"small\">Masuk sebagai <strong>");
    pk_html_esc(b, req->who->username);
    pk_buf_printf(b, "</strong> (%s).</p>\n", role_label(req->who->role));
    pk_buf_adds(b, "<form method=\"post\" action=\"/keluar\">\n");
    pk_web_csrf_field(app, req, resp);
    pk_buf_adds(b, "<button type=\"submit\">Keluar</button>\n</form>\n");
}

static void row(pk_buf *b, const char *label, int64_t n, int min_count)
{
    pk_buf_adds(b, "<tr><th scope=\"row\">");
    pk_html_esc(b, label);
    if (n == PK_STATS_HIDDEN)
        pk_buf_printf(b, "</th><td data-count=\"tersembunyi\">&lt; %d</td></tr>\n", min_count);
    else
        pk_buf_printf(b, "</th><td data-count>%lld</td></tr>\n", (long long)n);
}

static void stats_table(pk_buf *b, const pk_region_stats *st)
{
    int k = st->min_count;
    pk_buf_adds(b, "<table class=\"stats\">\n<caption>Jumlah pendaftar</caption>\n<tbody>\n");
    row(b, "Pendaftar", st->total, k);
    row(b, "Memenuhi syarat", st->eligible, k);
    row(b, "Belum memenuhi syarat", st->not_eligible, k);
    for (int i = 1; i < PK_SEG__COUNT; i++)
        row(b, pk_segment_label((pk_segment)i), st->by_segment[i], k);
    row(b, "Laki-laki", st->by_sex[0], k);
    row(b, "Perempuan", st->by_sex[1], k);
    pk_buf_adds(b, "</tbody>\n</table>\n");
    if (k > 0)
        pk_buf_printf(b, "<p class=\"small\" data-hidden-below=\"%d\">Angka di bawah %d "
                         "disamarkan (&lt; %d), demikian pula satu angka lain dalam kelompok "
                         "yang sama, agar tidak ada orang yang dapat dikenali dari angka "
                         "wilayah kecil.</p>\n", k, k, k);
}

/* The counts of the region asked for (?wilayah=) as the caller may see
 * them (app/stats.h), or an error page with the API's statuses. */
static bool read_stats(const pk_app *app, pk_req *req, pk_resp *resp, const char *code,
                       pk_region_stats *st)
{
    switch (pk_stats_region(app, req->who, code, st)) {
    case 0: return true;
    case PK_EINVAL:
        pk_html_error_page(app, resp, 400, "Kode wilayah tidak valid",
                           "Kode wilayah harus seperti 31, 31.74, 31.74.01 atau 31.74.01.1001.");
        return false;
    case PK_ENOENT:
        pk_html_error_page(app, resp, 404, "Wilayah tidak dikenal",
                           "Kode wilayah tersebut tidak dikenal.");
        return false;
    case PK_EDENIED:
        pk_html_error_page(app, resp, 403, "Di luar cakupan",
                           "Wilayah tersebut di luar cakupan wilayah akun Anda.");
        return false;
    default:
        pk_html_error_page(app, resp, 503, "Layanan sibuk",
                           "Data belum dapat dibaca. Silakan coba lagi sebentar lagi.");
        return false;
    }
}

void pk_page_dashboard(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_region_stats st;
    if (!read_stats(app, req, resp, pk_req_query(req, "wilayah"), &st))
        return;
    /* a caller whose scope is everything sees the service area named */
    const pk_region *r =
        st.region ? st.region : pk_regions_find(app->regions, app->cfg.service_province);
    const char *code = r ? r->code : app->cfg.service_province;
    pk_buf *b = &resp->body;
    pk_html_begin(b, "Dasbor", "/dasbor");
    pk_buf_adds(b, "<h1>Dasbor</h1>\n");
    whoami(app, req, resp);
    pk_buf_printf(b, "<p>Wilayah: <strong data-region=\"%s\">", code);
    pk_html_esc(b, r ? r->name : code);
    pk_buf_printf(b, "</strong> <span class=\"code\">(%s)</span></p>\n", code);
    stats_table(b, &st);
    pk_html_finish(resp, 200, false);
}

void pk_page_admin(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_region_stats st;
    pk_account_counts uc;
    if (!read_stats(app, req, resp, NULL, &st))
        return;
    if (pk_stats_accounts(app, &uc) != 0) {
        pk_html_error_page(app, resp, 503, "Layanan sibuk",
                           "Data belum dapat dibaca. Silakan coba lagi sebentar lagi.");
        return;
    }
    pk_buf *b = &resp->body;
    pk_html_begin(b, "Administrasi", "/admin");
    pk_buf_adds(b, "<h1>Administrasi</h1>\n");
    whoami(app, req, resp);
    stats_table(b, &st);
    pk_buf_adds(b, "<table class=\"stats\">\n<caption>Akun petugas</caption>\n<tbody>\n");
    row(b, "Administrator", uc.admin, 0);
    row(b, "Operator wilayah", uc.operator, 0);
    row(b, "Pemantau", uc.viewer, 0);
    row(b, "Dinonaktifkan", uc.disabled, 0);
    pk_buf_adds(b, "</tbody>\n</table>\n<p class=\"small\">Akun dikelola dengan perintah "
                   "<code>prakerja user</code>.</p>\n");
    pk_html_finish(resp, 200, false);
}
