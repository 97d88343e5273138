/* html.c -- escaping, layout and form controls (see html.h). */
#include "web/html.h"

#include <stdio.h>
#include <string.h>

#include "core/ident.h"
#include "core/median.h"
#include "core/money.h"
#include "web/session.h"
#include "web/web.h"

void pk_html_escn(pk_buf *b, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n;) {
        const char *rep = NULL;
        size_t k = 1;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '\0': rep = ""; break;
        default:
            if ((unsigned char)s[i] < 0x80) {
                i++;
                continue;
            }
            /* A byte that starts no well-formed UTF-8 sequence (input
             * echoed back, a truncated name) becomes U+FFFD: the page
             * stays valid UTF-8 and says where the bad byte was. */
            if ((k = pk_utf8_seq(s + i, n - i, NULL)) > 0) {
                i += k;
                continue;
            }
            k = 1;
            rep = "\xEF\xBF\xBD";
            break;
        }
        pk_buf_add(b, s + run, i - run);
        pk_buf_adds(b, rep);
        i += k;
        run = i;
    }
    pk_buf_add(b, s + run, n - run);
}

void pk_html_esc(pk_buf *b, const char *s)
{
    if (s != NULL)
        pk_html_escn(b, s, strlen(s));
}

void pk_html_region(pk_buf *b, const char *name)
{
    char t[256];
    if (name != NULL)
        pk_html_escn(b, t, pk_region_title(name, t, sizeof(t)));
}

static const struct {
    const char *path;
    const char *label;
} nav[] = {
    {"/", "Beranda"},
    {"/cek-kelayakan", "Cek Kelayakan"},
    {"/daftar", "Daftar"},
    {"/cek-status", "Cek Status"},
    {"/linimasa", "Linimasa Manfaat"},
    {"/cek-nik", "Cek NIK"},
    {"/tanya-jawab", "Tanya Jawab"},
    {"/akun", "Akun Saya"}, /* signed in: the account; else its sign-in (/akun/masuk) */
};

void pk_html_begin(pk_buf *b, const char *title, const char *active)
{
    pk_buf_adds(b, "<!doctype html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>");
    pk_html_esc(b, title);
    pk_buf_adds(b, " | Kartu Prakerja DKI Jakarta</title>\n"
                   "<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
                   "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n"
                   "</head>\n<body>\n"
                   "<a class=\"skip\" href=\"#isi\">Langsung ke isi</a>\n"
                   "<header class=\"site\"><div class=\"wrap\">"
                   "<a class=\"brand\" href=\"/\">Kartu Prakerja <span>DKI Jakarta</span></a>\n"
                   "<nav aria-label=\"Menu utama\"><ul>");
    for (size_t i = 0; i < sizeof(nav) / sizeof(nav[0]); i++) {
        bool on = active && strcmp(active, nav[i].path) == 0;
        pk_buf_printf(b, "<li><a href=\"%s\"%s>%s</a></li>", nav[i].path,
                      on ? " aria-current=\"page\"" : "", nav[i].label);
    }
    pk_buf_adds(b, "</ul></nav></div></header>\n<main id=\"isi\" class=\"wrap\">\n");
}

void pk_html_finish(pk_resp *resp, int status, bool cacheable)
{
    pk_buf_adds(&resp->body,
                "</main>\n<footer class=\"site\"><div class=\"wrap\">"
                "<p>Layanan informasi Kartu Prakerja oleh Pemerintah Provinsi DKI Jakarta "
                "bersama Manajemen Pelaksana Program Kartu Prakerja.</p>"
                "<p><strong>Waspada penipuan:</strong> pendaftaran Kartu Prakerja tidak dipungut "
                "biaya dan saldo pelatihan tidak dapat dicairkan menjadi uang tunai.</p>"
                "<p class=\"small\">Data wilayah: idn-area-data (lisensi Open Database License).</p>"
                "</div></footer>\n</body>\n</html>\n");
    resp->status = status;
    resp->content_type = "text/html; charset=utf-8";
    resp->cache_control = cacheable ? "public, max-age=300" : "no-store";
}

void pk_html_print_begin(pk_buf *b, const char *title)
{
    pk_buf_adds(b, "<!doctype html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>");
    pk_html_esc(b, title);
    pk_buf_adds(b, " | Kartu Prakerja DKI Jakarta</title>\n"
                   "<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
                   "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n"
                   "</head>\n<body class=\"print\">\n<main>\n");
}

void pk_html_print_finish(pk_resp *resp, int status)
{
    pk_buf_adds(&resp->body, "</main>\n</body>\n</html>\n");
    resp->status = status;
    resp->content_type = "text/html; charset=utf-8";
    resp->cache_control = "no-store";
}

void pk_html_error_page(const pk_app *app, pk_resp *resp, int status, const char *title,
                        const char *message)
{
    (void)app;
    pk_buf_reset(&resp->body);
    pk_html_begin(&resp->body, title, NULL);
    pk_buf_adds(&resp->body, "<h1>");
    pk_html_esc(&resp->body, title);
    pk_buf_adds(&resp->body, "</h1>\n<p>");
    pk_html_esc(&resp->body, message);
    pk_buf_adds(&resp->body, "</p>\n<p><a href=\"/\">Kembali ke beranda</a></p>\n");
    pk_html_finish(resp, status, false);
}

/* ---- the staff layout ---------------------------------------------------- */

/* The staff menu: each entry is a GET route of the table; whether a
 * member sees it is the route's own access (one rule for menu and
 * dispatch). */
static const struct {
    const char *path;
    const char *label;
} staff_menu[] = {
    {"/dasbor", "Dasbor"},
    {"/corong", "Corong"},
    {"/peserta", "Cari peserta"},
    {"/peserta/baru", "Pendaftaran dibantu"},
    {"/katalog", "Katalog"},
    {"/pengingat", "Pengingat"},
    {"/acara", "Acara"},
    {"/admin/gelombang", "Gelombang"},
    {"/admin", "Admin"},
};

static bool may_open(unsigned role, const char *path)
{
    for (size_t i = 0; i < pk_nroutes; i++)
        if (strcmp(pk_routes[i].method, "GET") == 0 && strcmp(pk_routes[i].pattern, path) == 0)
            return (pk_routes[i].access & role) != 0;
    return false;
}

const char *pk_html_role_label(unsigned role)
{
    switch (role) {
    case PK_ROLE_ADMIN: return "Administrator";
    case PK_ROLE_OPERATOR: return "Operator wilayah";
    case PK_ROLE_VIEWER: return "Pemantau";
    default: return "-";
    }
}

void pk_html_region_name(const pk_app *app, pk_buf *b, const char *code, const char *fallback)
{
    const pk_region *r = code && code[0] ? pk_regions_find(app->regions, code) : NULL;
    if (r)
        pk_html_region(b, r->name);
    else
        pk_html_esc(b, code && code[0] ? code : fallback);
}

void pk_html_count(pk_buf *b, int64_t n)
{
    char s[32];
    pk_count_format(n, s);
    pk_buf_adds(b, s);
}

void pk_html_days(pk_buf *b, double median_days)
{
    char s[32];
    pk_median_format(median_days, ',', s);
    pk_buf_printf(b, "%s hari", s);
}

void pk_html_url_value(pk_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p) != NULL)
            pk_buf_addc(b, (char)*p);
        else
            pk_buf_printf(b, "%%%02X", *p);
    }
}

void pk_html_tenths(pk_buf *b, int64_t tenths)
{
    char s[32];
    pk_tenths_format(tenths, s);
    pk_buf_adds(b, s);
}

void pk_html_percent(pk_buf *b, int64_t part, int64_t whole)
{
    if (whole <= 0)
        return;
    pk_html_tenths(b, (part * 1000 + whole / 2) / whole);
    pk_buf_addc(b, '%');
}

void pk_html_staff_begin(const pk_app *app, const pk_req *req, pk_resp *resp, const char *title,
                         const char *active)
{
    pk_buf *b = &resp->body;
    const pk_principal *who = req->who;
    pk_buf_adds(b, "<!doctype html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>");
    pk_html_esc(b, title);
    pk_buf_adds(b, " | Petugas Kartu Prakerja DKI Jakarta</title>\n"
                   "<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
                   "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n"
                   "</head>\n<body class=\"staff\">\n"
                   "<a class=\"skip\" href=\"#isi\">Langsung ke isi</a>\n"
                   "<header class=\"site\"><div class=\"wrap\">"
                   "<a class=\"brand\" href=\"/dasbor\">Kartu Prakerja <span>Petugas</span></a>\n"
                   "<nav aria-label=\"Menu petugas\"><ul>");
    for (size_t i = 0; i < sizeof(staff_menu) / sizeof(staff_menu[0]); i++) {
        if (who == NULL || !may_open(who->role, staff_menu[i].path))
            continue;
        bool on = active && strcmp(active, staff_menu[i].path) == 0;
        pk_buf_printf(b, "<li><a href=\"%s\"%s>%s</a></li>", staff_menu[i].path,
                      on ? " aria-current=\"page\"" : "", staff_menu[i].label);
    }
    pk_buf_adds(b, "</ul></nav></div></header>\n");
    if (who != NULL) {
        pk_buf_printf(b, "<div class=\"userbar\"><div class=\"wrap\">\n"
                         "<p class=\"who\" data-role=\"%s\">Masuk sebagai <strong "
                         "data-user>",
                      pk_role_name(who->role));
        pk_html_esc(b, who->username);
        pk_buf_printf(b, "</strong> · %s · <span data-scope=\"%s\">",
                      pk_html_role_label(who->role), who->region);
        pk_html_region_name(app, b, who->region, "Seluruh wilayah layanan");
        pk_buf_adds(b, "</span></p>\n<form method=\"post\" action=\"/keluar\" "
                       "class=\"signout\">\n");
        pk_web_csrf_field(app, req, resp);
        pk_buf_adds(b, "<button type=\"submit\" class=\"quiet\">Keluar</button>\n</form>\n"
                       "</div></div>\n");
    }
    pk_buf_adds(b, "<main id=\"isi\" class=\"wrap\">\n");
}

void pk_html_staff_finish(pk_resp *resp, int status)
{
    pk_buf_adds(&resp->body,
                "</main>\n<footer class=\"site\"><div class=\"wrap\">"
                "<p class=\"small\">Halaman petugas Kartu Prakerja DKI Jakarta. Setiap "
                "pembukaan data peserta dicatat dalam log akses.</p>"
                "</div></footer>\n</body>\n</html>\n");
    resp->status = status;
    resp->content_type = "text/html; charset=utf-8";
    resp->cache_control = "no-store";
}

void pk_html_staff_error(const pk_app *app, const pk_req *req, pk_resp *resp, int status,
                         const char *title, const char *message)
{
    if (req->who == NULL) {
        pk_html_error_page(app, resp, status, title, message);
        return;
    }
    pk_buf_reset(&resp->body);
    pk_html_staff_begin(app, req, resp, title, NULL);
    pk_buf_adds(&resp->body, "<h1>");
    pk_html_esc(&resp->body, title);
    pk_buf_adds(&resp->body, "</h1>\n<p>");
    pk_html_esc(&resp->body, message);
    pk_buf_adds(&resp->body, "</p>\n<p><a href=\"/dasbor\">Kembali ke dasbor</a></p>\n");
    pk_html_staff_finish(resp, status);
}

void pk_html_region_error(const pk_app *app, const pk_req *req, pk_resp *resp, int rc)
{
    switch (rc) {
    case PK_EINVAL:
        pk_html_staff_error(app, req, resp, 400, "Kode wilayah tidak valid",
                            "Kode wilayah harus seperti 31, 31.74, 31.74.01 atau 31.74.01.1001.");
        break;
    case PK_ENOENT:
        pk_html_staff_error(app, req, resp, 404, "Wilayah tidak dikenal",
                            "Kode wilayah tersebut tidak dikenal.");
        break;
    case PK_EDENIED:
        pk_html_staff_error(app, req, resp, 403, "Di luar cakupan",
                            "Wilayah tersebut di luar cakupan wilayah akun Anda.");
        break;
    default:
        pk_html_staff_error(app, req, resp, 503, "Layanan sibuk",
                            "Data belum dapat dibaca. Silakan coba lagi sebentar lagi.");
    }
}

static void describedby(pk_buf *b, const char *name, const char *hint, const char *error)
{
    if (hint == NULL && error == NULL)
        return;
    pk_buf_adds(b, " aria-describedby=\"");
    if (hint)
        pk_buf_printf(b, "%s-hint", name);
    if (error)
        pk_buf_printf(b, "%s%s-error", hint ? " " : "", name);
    pk_buf_adds(b, "\"");
    if (error)
        pk_buf_adds(b, " aria-invalid=\"true\"");
}

static void label_and_notes(pk_buf *b, const char *name, const char *label, const char *hint,
                            const char *error, bool required)
{
    pk_buf_printf(b, "<label for=\"%s\">", name);
    pk_html_esc(b, label);
    if (!required)
        pk_buf_adds(b, " <span class=\"opt\">(tidak wajib)</span>");
    pk_buf_adds(b, "</label>\n");
    if (hint) {
        pk_buf_printf(b, "<p class=\"hint\" id=\"%s-hint\">", name);
        pk_html_esc(b, hint);
        pk_buf_adds(b, "</p>\n");
    }
    if (error) {
        pk_buf_printf(b, "<p class=\"field-error\" id=\"%s-error\">", name);
        pk_html_esc(b, error);
        pk_buf_adds(b, "</p>\n");
    }
}

void pk_html_input(pk_buf *b, const char *name, const char *label, const char *type,
                   const char *value, const char *hint, const char *error, bool required)
{
    pk_buf_printf(b, "<div class=\"field%s\">\n", error ? " invalid" : "");
    label_and_notes(b, name, label, hint, error, required);
    /* "numeric": a text field that opens the number keypad on phones (a
     * NIK is digits but not a number: no spinner, leading zeros kept). */
    bool numeric = strcmp(type, "numeric") == 0;
    pk_buf_printf(b, "<input id=\"%s\" name=\"%s\" type=\"%s\"%s", name, name,
                  numeric ? "text" : type,
                  numeric ? " inputmode=\"numeric\" autocomplete=\"off\"" : "");
    if (required)
        pk_buf_adds(b, " required");
    describedby(b, name, hint, error);
    pk_buf_adds(b, " value=\"");
    pk_html_esc(b, value ? value : "");
    pk_buf_adds(b, "\">\n</div>\n");
}

void pk_html_select_begin(pk_buf *b, const char *name, const char *label, const char *hint,
                          const char *error, bool required)
{
    pk_buf_printf(b, "<div class=\"field%s\">\n", error ? " invalid" : "");
    label_and_notes(b, name, label, hint, error, required);
    pk_buf_printf(b, "<select id=\"%s\" name=\"%s\"", name, name);
    if (required)
        pk_buf_adds(b, " required");
    describedby(b, name, hint, error);
    pk_buf_adds(b, ">\n");
}

void pk_html_opt(pk_buf *b, const char *value, const char *label, const char *selected)
{
    pk_buf_adds(b, "<option value=\"");
    pk_html_esc(b, value);
    pk_buf_adds(b, "\"");
    if (selected && strcmp(selected, value) == 0)
        pk_buf_adds(b, " selected");
    pk_buf_adds(b, ">");
    pk_html_esc(b, label);
    pk_buf_adds(b, "</option>\n");
}

void pk_html_optgroup(pk_buf *b, const char *label)
{
    pk_buf_adds(b, "<optgroup label=\"");
    pk_html_esc(b, label);
    pk_buf_adds(b, "\">\n");
}

void pk_html_optgroup_end(pk_buf *b)
{
    pk_buf_adds(b, "</optgroup>\n");
}

void pk_html_select_end(pk_buf *b)
{
    pk_buf_adds(b, "</select>\n</div>\n");
}

void pk_html_select(pk_buf *b, const char *name, const char *label,
                    const pk_html_option *opts, size_t nopts, const char *selected,
                    const char *hint, const char *error, bool required)
{
    pk_html_select_begin(b, name, label, hint, error, required);
    for (size_t i = 0; i < nopts; i++)
        pk_html_opt(b, opts[i].value, opts[i].label, selected);
    pk_html_select_end(b);
}

void pk_html_radios(pk_buf *b, const char *name, const char *legend,
                    const pk_html_option *opts, size_t nopts, const char *selected,
                    const char *hint, const char *error)
{
    pk_buf_printf(b, "<fieldset class=\"field radios%s\" id=\"%s-group\"", error ? " invalid" : "",
                  name);
    describedby(b, name, hint, error);
    pk_buf_adds(b, "><legend>");
    pk_html_esc(b, legend);
    pk_buf_adds(b, "</legend>\n");
    if (hint) {
        pk_buf_printf(b, "<p class=\"hint\" id=\"%s-hint\">", name);
        pk_html_esc(b, hint);
        pk_buf_adds(b, "</p>\n");
    }
    if (error) {
        pk_buf_printf(b, "<p class=\"field-error\" id=\"%s-error\">", name);
        pk_html_esc(b, error);
        pk_buf_adds(b, "</p>\n");
    }
    for (size_t i = 0; i < nopts; i++) {
        /* the first choice carries the bare name as its id: the error
         * summary's link (#name) lands on it */
        char id[96];
        if (i == 0)
            snprintf(id, sizeof(id), "%s", name);
        else
            snprintf(id, sizeof(id), "%s-%zu", name, i + 1);
        pk_buf_printf(b, "<div class=\"choice\"><input type=\"radio\" id=\"%s\" name=\"%s\" "
                         "value=\"",
                      id, name);
        pk_html_esc(b, opts[i].value);
        pk_buf_printf(b, "\"%s> <label for=\"%s\">",
                      selected && strcmp(selected, opts[i].value) == 0 ? " checked" : "", id);
        pk_html_esc(b, opts[i].label);
        pk_buf_adds(b, "</label></div>\n");
    }
    pk_buf_adds(b, "</fieldset>\n");
}

void pk_html_checkbox(pk_buf *b, const char *name, const char *label, bool checked)
{
    pk_buf_printf(b, "<div class=\"field check\"><input type=\"checkbox\" id=\"%s\" "
                     "name=\"%s\" value=\"1\"%s> <label for=\"%s\">",
                  name, name, checked ? " checked" : "", name);
    pk_html_esc(b, label);
    pk_buf_adds(b, "</label></div>\n");
}

void pk_html_error_summary(pk_buf *b, const char *const *fields, const char *const *messages,
                           size_t n)
{
    size_t any = 0;
    for (size_t i = 0; i < n; i++)
        any += messages[i] != NULL;
    if (any == 0)
        return;
    pk_buf_adds(b, "<div class=\"error-summary\" role=\"alert\">\n"
                   "<h2>Periksa kembali isian berikut</h2>\n<ul>\n");
    for (size_t i = 0; i < n; i++) {
        if (messages[i] == NULL)
            continue;
        pk_buf_printf(b, "<li><a href=\"#%s\">", fields[i]);
        pk_html_esc(b, messages[i]);
        pk_buf_adds(b, "</a></li>\n");
    }
    pk_buf_adds(b, "</ul>\n</div>\n");
}

/* Home > city > district: the regions above the one shown, as far up as
 * the caller's scope reaches. */
void pk_html_trail(const pk_app *app, pk_buf *b, const char *scope, const char *code,
                   const char *page)
{
    char up[4][PK_REGION_CODE_MAX];
    size_t n = 0;
    char c[PK_REGION_CODE_MAX];
    snprintf(c, sizeof(c), "%s", code);
    for (char *dot; n < 4 && (dot = strrchr(c, '.')) != NULL;) {
        *dot = '\0';
        if (!pk_auth_region_within(scope, c))
            break;
        snprintf(up[n++], PK_REGION_CODE_MAX, "%s", c);
    }
    if (n == 0)
        return;
    pk_buf_adds(b, "<nav class=\"trail\" aria-label=\"Wilayah di atasnya\"><ol>");
    while (n-- > 0) {
        pk_buf_printf(b, "<li><a href=\"%s?wilayah=%s\">", page, up[n]);
        pk_html_region_name(app, b, up[n], up[n]);
        pk_buf_adds(b, "</a></li>");
    }
    pk_buf_adds(b, "</ol></nav>\n");
}
