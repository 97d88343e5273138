/* page_dashboard.c -- the staff pages: /dasbor (aggregates of the
 * user's region scope: an operator or a viewer with a region sees only
 * that subtree) and /admin (counts for administrators).  Aggregates only:
 * no personal data on either page. */
#include <stdio.h>
#include <string.h>

#include "app/views.h"
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

static void row(pk_buf *b, const char *label, int64_t n)
{
    pk_buf_adds(b, "<tr><th scope=\"row\">");
    pk_html_esc(b, label);
    pk_buf_printf(b, "</th><td data-count>%lld</td></tr>\n", (long long)n);
}

static void stats_table(pk_buf *b, const pk_stats *st)
{
    pk_buf_adds(b, "<table class=\"stats\">\n<caption>Jumlah pendaftar</caption>\n<tbody>\n");
    row(b, "Pendaftar", st->total);
    row(b, "Memenuhi syarat", st->eligible);
    row(b, "Belum memenuhi syarat", st->total - st->eligible);
    for (int i = 1; i < PK_SEG__COUNT; i++)
        row(b, pk_segment_label((pk_segment)i), st->by_segment[i]);
    row(b, "Laki-laki", st->by_sex[0]);
    row(b, "Perempuan", st->by_sex[1]);
    pk_buf_adds(b, "</tbody>\n</table>\n");
}

void pk_page_dashboard(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const pk_principal *who = req->who;
    const char *scope = who->region[0] ? who->region : app->cfg.service_province;
    char code[sizeof(who->region)];
    snprintf(code, sizeof(code), "%s", scope);
    const char *q = pk_req_query(req, "wilayah");
    if (q != NULL && q[0] != '\0') {
        if (pk_region_normalize(q, strlen(q), code) == PK_REGION_NONE ||
            pk_regions_find(app->regions, code) == NULL) {
            pk_html_error_page(app, resp, 404, "Wilayah tidak dikenal",
                               "Kode wilayah tersebut tidak dikenal.");
            return;
        }
        if (!pk_auth_region_within(scope, code)) {
            pk_html_error_page(app, resp, 403, "Di luar cakupan",
                               "Wilayah tersebut di luar cakupan wilayah akun Anda.");
            return;
        }
    }
    pk_stats st;
    if (pk_store_stats(app->store, code, &st) != 0) {
        pk_html_error_page(app, resp, 503, "Layanan sibuk",
                           "Data belum dapat dibaca. Silakan coba lagi sebentar lagi.");
        return;
    }
    const pk_region *r = pk_regions_find(app->regions, code);
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

typedef struct user_counts {
    int64_t by_role[3], disabled;
} user_counts;

static int count_user(void *ctx, const pk_user *u)
{
    user_counts *c = ctx;
    unsigned bit = pk_role_by_name(u->role);
    if (u->disabled)
        c->disabled++;
    else if (bit == PK_ROLE_ADMIN)
        c->by_role[0]++;
    else if (bit == PK_ROLE_OPERATOR)
        c->by_role[1]++;
    else if (bit == PK_ROLE_VIEWER)
        c->by_role[2]++;
    return 0;
}

void pk_page_admin(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_stats st;
    user_counts uc = {0};
    if (pk_store_stats(app->store, app->cfg.service_province, &st) != 0 ||
        pk_store_users_each(app->store, count_user, &uc) != 0) {
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
    row(b, "Administrator", uc.by_role[0]);
    row(b, "Operator wilayah", uc.by_role[1]);
    row(b, "Pemantau", uc.by_role[2]);
    row(b, "Dinonaktifkan", uc.disabled);
    pk_buf_adds(b, "</tbody>\n</table>\n<p class=\"small\">Akun dikelola dengan perintah "
                   "<code>prakerja user</code>.</p>\n");
    pk_html_finish(resp, 200, false);
}

void pk_api_me(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const pk_principal *who = req->who;
    const pk_region *r = who->region[0] ? pk_regions_find(app->regions, who->region) : NULL;
    pk_reply_json(resp, 200,
                  json_pack("{s:s, s:s, s:o}", "username", who->username, "role",
                            pk_role_name(who->role), "region", pk_json_region(r)));
}
