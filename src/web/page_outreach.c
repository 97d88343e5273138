/* page_outreach.c -- outreach events on the staff pages (issue #15,
 * app/outreach.h): /acara (the events of the caller's region, filtered
 * by city, district or village and by upcoming or past), /acara/baru
 * (create: errors beside their fields) and /acara/{id} (one event: its
 * short link and QR code, the kit, the registrations attributed so far,
 * and the edit form with the attendance).  Every staff role reads the
 * events of its region; operators write in their region, admins
 * everywhere (routes.c, and app/outreach.c decides on the village).
 * Forms carry the CSRF field (page_form.c checks it); writes are audited
 * as the signed-in member. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/operator.h"
#include "app/outreach.h"
#include "app/stats.h"
#include "core/date.h"
#include "core/ident.h"
#include "core/participant.h"
#include "web/html.h"
#include "web/page_form.h"
#include "web/page_register.h"
#include "web/session.h"
#include "web/web.h"

#define LIST_MAX 200

static void busy(const pk_app *app, const pk_req *req, pk_resp *resp)
{
    pk_html_staff_error(app, req, resp, 503, "Layanan sibuk",
                        "Data belum dapat dibaca. Silakan coba lagi sebentar lagi.");
}

static void not_found(const pk_app *app, const pk_req *req, pk_resp *resp)
{
    pk_html_staff_error(app, req, resp, 404, "Acara tidak ditemukan",
                        "Acara tersebut tidak ada di wilayah Anda.");
}

static bool may_write(const pk_req *req)
{
    return req->who != NULL && (req->who->role & (PK_ROLE_ADMIN | PK_ROLE_OPERATOR)) != 0;
}

static const char *segment_label(const char *segmen)
{
    for (int s = 1; s < PK_SEG__COUNT; s++)
        if (strcmp(segmen, pk_segment_name((pk_segment)s)) == 0)
            return pk_segment_label((pk_segment)s);
    return "Semua warga";
}

/* The event id of /acara/{id}...: false when it is no id. */
bool pk_event_id_param(const pk_req *req, int64_t *id)
{
    if (req->nparams < 1)
        return false;
    const char *s = req->params[0];
    size_t n = strlen(s);
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return false;
    *id = strtoll(s, NULL, 10);
    return *id > 0;
}

/* ---- /acara ----------------------------------------------------------------- */

typedef struct list_ctx {
    pk_buf *b;
    const pk_app *app;
    int n;
    int64_t min_count; /* pk_stats_min_count of the caller */
} list_ctx;

/* A count of the event's registrants, or "disamarkan" where the caller
 * may not see it (pk_outreach_hide_small). */
static void registrants_count(pk_buf *b, int64_t n)
{
    if (n == PK_STATS_HIDDEN)
        pk_buf_adds(b, "<span data-hidden title=\"Angka kecil disamarkan agar tidak ada orang "
                       "yang dapat dikenali\">disamarkan</span>");
    else
        pk_html_count(b, n);
}

static int list_row(void *ctx, const pk_outreach *ev)
{
    list_ctx *l = ctx;
    pk_buf *b = l->b;
    pk_outreach shown = *ev;
    const pk_outreach *e = &shown;
    pk_outreach_hide_small(&shown, l->min_count);
    char when[32];
    pk_timestamp_format_wib(e->starts_at, when);
    pk_buf_printf(b, "<tr data-event=\"%lld\"><th scope=\"row\" data-label=\"Acara\">"
                     "<a href=\"/acara/%lld\">",
                  (long long)e->id, (long long)e->id);
    pk_html_esc(b, e->title);
    pk_buf_adds(b, "</a></th><td data-label=\"Jenis\">");
    pk_html_esc(b, pk_outreach_kind_label(e->kind));
    pk_buf_adds(b, "</td><td data-label=\"Waktu\">");
    pk_html_esc(b, when);
    pk_buf_adds(b, "</td><td data-label=\"Kelurahan\">");
    pk_html_region_name(l->app, b, e->kode_wilayah, e->kode_wilayah);
    pk_buf_adds(b, "</td><td data-label=\"Hadir\" data-count=\"hadir\">");
    if (e->attendance < 0)
        pk_buf_adds(b, "-");
    else
        pk_html_count(b, e->attendance);
    pk_buf_adds(b, "</td><td data-label=\"Pendaftar\" data-count=\"pendaftar\">");
    registrants_count(b, e->registrations);
    pk_buf_adds(b, "</td></tr>\n");
    l->n++;
    return 0;
}

/* The regions of scope a list may be narrowed to: cities, districts and
 * villages, grouped by city. */
static void region_filter(const pk_app *app, pk_buf *b, const char *scope, const char *selected)
{
    pk_html_select_begin(b, "wilayah", "Wilayah", NULL, NULL, false);
    pk_html_opt(b, "", "Semua wilayah Anda", selected);
    const pk_region *cities, *districts, *villages;
    size_t nc = pk_regions_children(app->regions, app->cfg.service_province, &cities);
    for (size_t c = 0; c < nc; c++) {
        bool city_in = pk_auth_region_within(scope, cities[c].code);
        size_t nd = pk_regions_children(app->regions, cities[c].code, &districts);
        bool any = city_in;
        for (size_t d = 0; !any && d < nd; d++)
            any = pk_auth_region_within(scope, districts[d].code) ||
                  pk_auth_region_within(districts[d].code, scope);
        if (!any && !pk_auth_region_within(cities[c].code, scope))
            continue;
        char city[128];
        pk_region_title(cities[c].name, city, sizeof(city));
        pk_html_optgroup(b, city);
        if (city_in)
            pk_html_opt(b, cities[c].code, city, selected);
        for (size_t d = 0; d < nd; d++) {
            char district[160], label[200];
            pk_region_title(districts[d].name, district, sizeof(district));
            snprintf(label, sizeof(label), "Kec. %s", district);
            if (pk_auth_region_within(scope, districts[d].code))
                pk_html_opt(b, districts[d].code, label, selected);
            size_t nv = pk_regions_children(app->regions, districts[d].code, &villages);
            for (size_t v = 0; v < nv; v++)
                if (pk_auth_region_within(scope, villages[v].code)) {
                    char village[160];
                    pk_region_title(villages[v].name, village, sizeof(village));
                    snprintf(label, sizeof(label), "Kel. %s", village);
                    pk_html_opt(b, villages[v].code, label, selected);
                }
        }
        pk_html_optgroup_end(b);
    }
    pk_html_select_end(b);
}

void pk_page_events(const pk_app *app, pk_req *req, pk_resp *resp)
{
    char scope[PK_REGION_CODE_MAX];
    pk_auth_scope(req->who, scope);
    const char *region = pk_req_query(req, "wilayah");
    const char *waktu = pk_req_query(req, "waktu");
    if (waktu == NULL || waktu[0] == '\0')
        waktu = "akan_datang";
    pk_outreach_when when = strcmp(waktu, "akan_datang") == 0 ? PK_OUTREACH_UPCOMING
                            : strcmp(waktu, "lewat") == 0     ? PK_OUTREACH_PAST
                            : strcmp(waktu, "semua") == 0     ? PK_OUTREACH_ALL
                                                              : (pk_outreach_when)-1;
    if ((int)when < 0) {
        pk_html_staff_error(app, req, resp, 400, "Permintaan tidak valid",
                            "Pilih acara yang akan datang, yang sudah lewat, atau semua.");
        return;
    }
    pk_buf rows;
    pk_buf_init(&rows, 4u << 20);
    list_ctx l = {&rows, app, 0, pk_stats_min_count(app, req->who)};
    int rc = pk_outreach_list(app, scope, region, when, LIST_MAX, list_row, &l);
    if (rc == PK_EINVAL || rc == PK_ENOENT || rc == PK_EDENIED) {
        pk_buf_free(&rows);
        pk_html_staff_error(app, req, resp, rc == PK_EDENIED ? 403 : 400,
                            rc == PK_EDENIED ? "Akses ditolak" : "Wilayah tidak valid",
                            rc == PK_EDENIED ? "Wilayah itu di luar wilayah Anda."
                                             : "Pilih wilayah dari daftar.");
        return;
    }
    if (rc != 0 || pk_buf_failed(&rows)) {
        pk_buf_free(&rows);
        busy(app, req, resp);
        return;
    }
    pk_buf *b = &resp->body;
    pk_html_staff_begin(app, req, resp, "Acara", "/acara");
    pk_buf_adds(b, "<h1>Acara sosialisasi dan literasi digital</h1>\n");
    if (may_write(req))
        pk_buf_adds(b, "<p><a class=\"button\" href=\"/acara/baru\">Buat acara baru</a></p>\n");
    pk_buf_adds(b, "<form method=\"get\" action=\"/acara\" class=\"filters\">\n");
    region_filter(app, b, scope, region ? region : "");
    static const pk_html_option whens[] = {
        {"akan_datang", "Akan datang (mulai hari ini)"},
        {"lewat", "Sudah lewat"},
        {"semua", "Semua"},
    };
    pk_html_select(b, "waktu", "Waktu", whens, 3, waktu, NULL, NULL, false);
    pk_buf_adds(b, "<button type=\"submit\" class=\"secondary\">Tampilkan</button>\n</form>\n");
    if (l.n == 0) {
        pk_buf_adds(b, "<p data-events=\"0\">Tidak ada acara untuk pilihan ini.</p>\n");
    } else {
        pk_buf_printf(b, "<table class=\"results cards\" data-events=\"%d\">\n<caption>Acara"
                         "%s</caption>\n<thead><tr><th scope=\"col\">Acara</th>"
                         "<th scope=\"col\">Jenis</th><th scope=\"col\">Waktu</th>"
                         "<th scope=\"col\">Kelurahan</th><th scope=\"col\" class=\"num\">Hadir"
                         "</th><th scope=\"col\" class=\"num\">Pendaftar lewat tautan</th></tr>"
                         "</thead>\n<tbody>\n",
                      l.n, l.n == LIST_MAX ? " (200 pertama)" : "");
        pk_buf_add(b, rows.data, rows.len);
        pk_buf_adds(b, "</tbody>\n</table>\n");
    }
    pk_buf_adds(b, "<p class=\"small\">Acara juga dapat dikelola dengan perintah "
                   "<code>prakerja outreach</code> (create, list, show, attendance).</p>\n");
    pk_buf_free(&rows);
    pk_html_staff_finish(resp, 200);
}

/* ---- the form: create and edit ------------------------------------------------ */

enum { F_KIND, F_TITLE, F_STARTS, F_PLACE, F_VILLAGE, F_ORGANISER, F_SEGMENT, F_ATTENDANCE,
       F__COUNT };
static const char *const field_names[F__COUNT] = {
    "jenis", "judul", "mulai", "tempat", "kode_wilayah", "penyelenggara", "segmen", "hadir"};

static int field_of(pk_outreach_field f)
{
    switch (f) {
    case PK_OF_KIND: return F_KIND;
    case PK_OF_TITLE: return F_TITLE;
    case PK_OF_STARTS: return F_STARTS;
    case PK_OF_PLACE: return F_PLACE;
    case PK_OF_VILLAGE: return F_VILLAGE;
    case PK_OF_ORGANISER: return F_ORGANISER;
    case PK_OF_SEGMENT: return F_SEGMENT;
    case PK_OF_ATTENDANCE: return F_ATTENDANCE;
    default: return -1;
    }
}

/* The sentence beside a field, for a refusal rc of app/outreach.c. */
static const char *field_message(int at, int rc, bool empty)
{
    if (rc == PK_EDENIED)
        return "Kelurahan ini di luar wilayah Anda. Pilih kelurahan di wilayah Anda.";
    switch (at) {
    case F_KIND: return "Pilih jenis acara.";
    case F_TITLE:
        return empty ? "Nama acara wajib diisi."
                     : "Nama acara paling banyak 150 karakter, tanpa karakter tersembunyi.";
    case F_STARTS:
        return empty ? "Waktu mulai wajib diisi."
                     : "Waktu mulai tidak valid. Pilih tanggal dan jam (WIB).";
    case F_PLACE:
        return empty ? "Tempat wajib diisi."
                     : "Tempat paling banyak 200 karakter, tanpa karakter tersembunyi.";
    case F_VILLAGE: return "Pilih kelurahan.";
    case F_ORGANISER:
        return empty ? "Penyelenggara wajib diisi."
                     : "Penyelenggara paling banyak 150 karakter, tanpa karakter tersembunyi.";
    case F_SEGMENT: return "Pilih sasaran dari daftar.";
    case F_ATTENDANCE: return "Jumlah hadir harus bilangan bulat 0 sampai 100.000.";
    default: return NULL;
    }
}

static void event_form(const pk_app *app, const pk_req *req, pk_resp *resp, const char *action,
                       const char *scope, const char *const *val, const char *const *err,
                       bool attendance, const char *submit)
{
    pk_buf *b = &resp->body;
    pk_buf_adds(b, "<form method=\"post\" action=\"");
    pk_html_esc(b, action);
    pk_buf_adds(b, "\" novalidate>\n");
    pk_web_csrf_field(app, req, resp);
    static const pk_html_option kinds[] = {
        {"sosialisasi", "Sosialisasi"},
        {"literasi_digital", "Kelas literasi digital"},
    };
    pk_html_radios(b, "jenis", "Jenis acara", kinds, 2, val[F_KIND], NULL, err[F_KIND]);
    pk_html_input(b, "judul", "Nama acara", "text", val[F_TITLE],
                  "Tercetak besar di poster, misalnya: Sosialisasi Kartu Prakerja RW 05.",
                  err[F_TITLE], true);
    pk_html_input(b, "mulai", "Mulai", "datetime-local", val[F_STARTS],
                  "Tanggal dan jam, waktu Jakarta (WIB).", err[F_STARTS], true);
    pk_html_input(b, "tempat", "Tempat", "text", val[F_PLACE],
                  "Misalnya: Aula Kantor Kelurahan, Jl. ...", err[F_PLACE], true);
    pk_village_select(app, b, "Kelurahan", "Kelurahan tempat acara diadakan.", val[F_VILLAGE],
                      err[F_VILLAGE], scope);
    pk_html_input(b, "penyelenggara", "Penyelenggara", "text", val[F_ORGANISER],
                  "Misalnya: Kelurahan Menteng bersama Dinas Tenaga Kerja.", err[F_ORGANISER],
                  true);
    pk_html_select_begin(b, "segmen", "Sasaran", NULL, err[F_SEGMENT], false);
    pk_html_opt(b, "", "Semua warga", val[F_SEGMENT] ? val[F_SEGMENT] : "");
    for (int s = 1; s < PK_SEG__COUNT; s++)
        pk_html_opt(b, pk_segment_name((pk_segment)s), pk_segment_label((pk_segment)s),
                    val[F_SEGMENT]);
    pk_html_select_end(b);
    if (attendance)
        pk_html_input(b, "hadir", "Jumlah hadir", "numeric", val[F_ATTENDANCE],
                      "Diisi sesudah acara. Kosongkan jika belum dihitung.", err[F_ATTENDANCE],
                      false);
    pk_buf_adds(b, "<button type=\"submit\">");
    pk_html_esc(b, submit);
    pk_buf_adds(b, "</button>\n</form>\n");
}

/* Reads the posted fields into val (empty as NULL) and in. */
static void read_fields(pk_req *req, const pk_form *f, const char **val, pk_outreach_input *in)
{
    for (int i = 0; i < F__COUNT; i++) {
        val[i] = pk_form_get(f, field_names[i]);
        if (val[i] != NULL && val[i][0] == '\0' && i != F_SEGMENT && i != F_ATTENDANCE)
            val[i] = NULL;
    }
    *in = (pk_outreach_input){.kind = val[F_KIND], .title = val[F_TITLE],
                              .starts_at = pk_form_wib_instant(req, val[F_STARTS]),
                              .place = val[F_PLACE], .village = val[F_VILLAGE],
                              .organiser = val[F_ORGANISER], .segment = val[F_SEGMENT],
                              .attendance = val[F_ATTENDANCE]};
}

/* Every required field left empty, each with its sentence: whether any. */
static bool missing(const char **val, const char **err)
{
    bool any = false;
    for (int i = 0; i < F__COUNT; i++)
        if (val[i] == NULL && i != F_SEGMENT && i != F_ATTENDANCE) {
            err[i] = field_message(i, PK_EINVAL, true);
            any = true;
        }
    return any;
}

/* A refusal of app/outreach.c beside its field: the page's status, or 0
 * when rc is no refusal of a field. */
static int refusal(int rc, pk_outreach_field wf, const char **val, const char **err)
{
    int at = field_of(wf);
    if ((rc != PK_EINVAL && rc != PK_EDENIED) || at < 0)
        return 0;
    size_t n = val[at] ? strlen(val[at]) : 0;
    bool blank = val[at] == NULL || pk_trim(val[at], &n) == NULL || n == 0;
    err[at] = field_message(at, rc, blank);
    return rc == PK_EDENIED ? 403 : 422;
}

void pk_page_event_new(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    char scope[PK_REGION_CODE_MAX];
    pk_auth_scope(req->who, scope);
    const char *val[F__COUNT] = {0}, *err[F__COUNT] = {0};
    int status = 200;
    if (strcmp(req->method, "POST") == 0) {
        pk_outreach_input in;
        read_fields(req, &f, val, &in);
        in.attendance = NULL; /* recorded after the event */
        char actor[PK_ACTOR_MAX], msg[256];
        pk_staff_actor(req->who, actor);
        pk_outreach_field wf = PK_OF_NONE;
        pk_outreach e;
        int rc = missing(val, err) ? PK_EINVAL
                                   : pk_outreach_create(app, &in, actor, scope, &e, &wf, msg,
                                                        sizeof(msg));
        if (rc == 0) {
            char loc[64];
            snprintf(loc, sizeof(loc), "/acara/%lld", (long long)e.id);
            pk_resp_header(resp, "Location", loc);
            pk_html_staff_error(app, req, resp, 303, "Acara dibuat", "Acara sudah dibuat.");
            return;
        }
        if (wf == PK_OF_NONE && rc == PK_EINVAL) {
            status = 422; /* fields left empty */
        } else if ((status = refusal(rc, wf, val, err)) == 0) {
            if (pk_web_disk_full(app, rc))
                pk_reply_disk_full(app, resp, false);
            else
                busy(app, req, resp);
            return;
        }
    }
    pk_buf *b = &resp->body;
    pk_html_staff_begin(app, req, resp, "Buat acara", "/acara");
    pk_buf_adds(b, "<p class=\"back\"><a href=\"/acara\">&larr; Semua acara</a></p>\n"
                   "<h1>Buat acara</h1>\n");
    pk_html_error_summary(b, field_names, err, F__COUNT);
    event_form(app, req, resp, "/acara/baru", scope, val, err, false, "Buat acara");
    pk_html_staff_finish(resp, status);
}

/* ---- /acara/{id} ------------------------------------------------------------------ */

static void fact(pk_buf *b, const char *label, const char *attr)
{
    pk_buf_printf(b, "<div><dt>%s</dt><dd%s%s>", label, attr ? " " : "", attr ? attr : "");
}

/* scope: the caller's ("" everything), whose registrants alone the
 * counts are of (pk_outreach_get) */
static void facts(const pk_app *app, pk_buf *b, const pk_outreach *e, const char *scope)
{
    char when[32], url[PK_OUTREACH_URL_MAX];
    pk_timestamp_format_wib(e->starts_at, when);
    pk_outreach_url(app, e->code, url);
    pk_buf_printf(b, "<section class=\"card\" aria-labelledby=\"ringkas\" data-event=\"%lld\">\n"
                     "<h2 id=\"ringkas\">Ringkasan</h2>\n<dl class=\"facts\">\n",
                  (long long)e->id);
    fact(b, "Jenis", NULL);
    pk_html_esc(b, pk_outreach_kind_label(e->kind));
    pk_buf_adds(b, "</dd></div>\n");
    fact(b, "Mulai", NULL);
    pk_html_esc(b, when);
    pk_buf_adds(b, "</dd></div>\n");
    fact(b, "Tempat", NULL);
    pk_html_esc(b, e->place);
    pk_buf_adds(b, "</dd></div>\n");
    fact(b, "Kelurahan", NULL);
    pk_html_region_name(app, b, e->kode_wilayah, e->kode_wilayah);
    pk_buf_adds(b, " (");
    pk_html_esc(b, e->kode_wilayah);
    pk_buf_adds(b, ")</dd></div>\n");
    fact(b, "Penyelenggara", NULL);
    pk_html_esc(b, e->organiser);
    pk_buf_adds(b, "</dd></div>\n");
    fact(b, "Sasaran", NULL);
    pk_html_esc(b, segment_label(e->segmen));
    pk_buf_adds(b, "</dd></div>\n");
    fact(b, "Jumlah hadir", "data-count=\"hadir\"");
    if (e->attendance < 0)
        pk_buf_adds(b, "Belum dicatat");
    else
        pk_html_count(b, e->attendance);
    pk_buf_adds(b, "</dd></div>\n");
    fact(b, "Pendaftar lewat tautan acara", "data-count=\"pendaftar\"");
    registrants_count(b, e->registrations);
    pk_buf_adds(b, "</dd></div>\n");
    fact(b, "Di antaranya memenuhi syarat", "data-count=\"memenuhi_syarat\"");
    registrants_count(b, e->eligible);
    pk_buf_adds(b, "</dd></div>\n");
    if (scope[0] != '\0') {
        pk_buf_printf(b, "<div><dt>Yang dihitung</dt><dd data-counted-within=\"%s\">Hanya "
                         "pendaftar yang berdomisili di wilayah kerja Anda (", scope);
        pk_html_region_name(app, b, scope, scope);
        pk_buf_adds(b, "); pendaftar dari wilayah lain tidak ditampilkan.</dd></div>\n");
    }
    fact(b, "Corong acara", NULL);
    pk_buf_printf(b, "<a href=\"/corong?acara=%lld\" data-funnel>Lihat corong pendaftar acara "
                     "ini</a></dd></div>\n", (long long)e->id);
    fact(b, "Tautan pendek", "data-short-url");
    pk_buf_adds(b, "<code>");
    pk_html_esc(b, url);
    pk_buf_adds(b, "</code></dd></div>\n");
    fact(b, "Dibuat oleh", NULL);
    char created[32];
    pk_timestamp_format_wib(e->created_at, created);
    pk_html_esc(b, e->created_by);
    pk_buf_adds(b, ", ");
    pk_html_esc(b, created);
    pk_buf_adds(b, "</dd></div>\n</dl>\n</section>\n");

    pk_buf_printf(b, "<section class=\"card\" aria-labelledby=\"materi\">\n<h2 id=\"materi\">"
                     "Kode QR dan materi cetak</h2>\n<p><img class=\"qr\" src=\"/acara/%lld/"
                     "qr.svg\" alt=\"Kode QR menuju ",
                  (long long)e->id);
    pk_html_esc(b, url);
    pk_buf_printf(b, "\" width=\"240\" height=\"240\"></p>\n<p>Pendaftaran yang masuk lewat "
                     "tautan atau kode QR ini tercatat untuk acara ini.</p>\n<ul>\n"
                     "<li><a href=\"/acara/%lld/kit\">Materi cetak (poster satu halaman)</a></li>\n"
                     "<li><a href=\"/acara/%lld/kit.pdf\">Materi cetak sebagai PDF</a></li>\n"
                     "<li><a href=\"/acara/%lld/qr.svg\" download>Unduh kode QR (SVG)</a></li>\n"
                     "</ul>\n</section>\n",
                  (long long)e->id, (long long)e->id, (long long)e->id);
}

/* What an event's edit form shows at first: its stored values. */
static void stored_values(pk_req *req, const pk_outreach *e, const char **val)
{
    char starts[32];
    pk_instant_format(e->starts_at, starts); /* 2026-12-10T09:00:00+07:00 */
    char *mulai = pk_req_scratch(req, 17);
    if (mulai != NULL)
        snprintf(mulai, 17, "%.16s", starts);
    char *hadir = pk_req_scratch(req, 24);
    if (hadir != NULL && e->attendance >= 0)
        snprintf(hadir, 24, "%lld", (long long)e->attendance);
    val[F_KIND] = e->kind;
    val[F_TITLE] = e->title;
    val[F_STARTS] = mulai;
    val[F_PLACE] = e->place;
    val[F_VILLAGE] = e->kode_wilayah;
    val[F_ORGANISER] = e->organiser;
    val[F_SEGMENT] = e->segmen;
    val[F_ATTENDANCE] = e->attendance >= 0 ? hadir : "";
}

void pk_page_event(const pk_app *app, pk_req *req, pk_resp *resp)
{
    int64_t id;
    if (!pk_event_id_param(req, &id)) {
        not_found(app, req, resp);
        return;
    }
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    char scope[PK_REGION_CODE_MAX];
    pk_auth_scope(req->who, scope);
    const char *val[F__COUNT] = {0}, *err[F__COUNT] = {0};
    int status = 200;
    bool posted = strcmp(req->method, "POST") == 0;
    pk_outreach e;
    int rc;
    if (posted) {
        pk_outreach_input in;
        read_fields(req, &f, val, &in);
        char actor[PK_ACTOR_MAX], msg[256];
        pk_staff_actor(req->who, actor);
        pk_outreach_field wf = PK_OF_NONE;
        /* every field of the form is required but the segment and the attendance */
        if (missing(val, err))
            status = 422;
        rc = status == 422 ? PK_EINVAL
                           : pk_outreach_update(app, id, &in, actor, scope, &e, &wf, msg,
                                                sizeof(msg));
        if (rc == PK_ENOENT) {
            not_found(app, req, resp);
            return;
        }
        if (rc == 0) {
            char loc[64];
            snprintf(loc, sizeof(loc), "/acara/%lld?disimpan=1", (long long)id);
            pk_resp_header(resp, "Location", loc);
            pk_html_staff_error(app, req, resp, 303, "Acara disimpan", "Acara sudah disimpan.");
            return;
        }
        if (status != 422 && (status = refusal(rc, wf, val, err)) == 0) {
            if (pk_web_disk_full(app, rc))
                pk_reply_disk_full(app, resp, false);
            else
                busy(app, req, resp);
            return;
        }
    }
    rc = pk_outreach_get(app, id, scope, &e);
    if (rc == PK_ENOENT) {
        not_found(app, req, resp);
        return;
    }
    if (rc != 0) {
        busy(app, req, resp);
        return;
    }
    if (!posted)
        stored_values(req, &e, val);
    pk_outreach_hide_small(&e, pk_stats_min_count(app, req->who)); /* viewers */
    pk_buf *b = &resp->body;
    pk_html_staff_begin(app, req, resp, e.title, "/acara");
    pk_buf_adds(b, "<p class=\"back\"><a href=\"/acara\">&larr; Semua acara</a></p>\n<h1>");
    pk_html_esc(b, e.title);
    pk_buf_adds(b, "</h1>\n");
    const char *saved = pk_req_query(req, "disimpan");
    if (!posted && saved != NULL && strcmp(saved, "1") == 0)
        pk_buf_adds(b, "<p class=\"result ok\" role=\"status\">Perubahan disimpan.</p>\n");
    pk_html_error_summary(b, field_names, err, F__COUNT);
    facts(app, b, &e, scope);
    if (may_write(req)) {
        char action[48];
        snprintf(action, sizeof(action), "/acara/%lld", (long long)id);
        pk_buf_adds(b, "<section class=\"card\" aria-labelledby=\"ubah\">\n<h2 id=\"ubah\">"
                       "Ubah acara dan catat kehadiran</h2>\n");
        event_form(app, req, resp, action, scope, val, err, true, "Simpan");
        pk_buf_adds(b, "</section>\n");
    }
    pk_html_staff_finish(resp, status);
}
