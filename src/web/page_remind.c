/* page_remind.c -- /pengingat, the reminders for staff: "siapa menerima
 * apa, dan mengapa" on a day (tomorrow by default), the plan of
 * app/remind.h (nothing changes: the same decisions `prakerja remind plan`
 * prints) filtered by rule, status and region inside the caller's area,
 * and when the reminders last ran and what they did.  The read is
 * recorded in the access log (remind.plan); a person is shown by the
 * last digits of the NIK and a link to their page, not the whole NIK. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/operator.h"
#include "app/remind.h"
#include "app/webhook.h"
#include "core/date.h"
#include "web/html.h"
#include "web/web.h"

#define PAGE_ROWS 50 /* a page of the plan's lines (a card each on a phone) */

static const char *const status_label[PK_FS__COUNT] = {
    "Dikirim", "Ditunda (batas pesan)", "Dibatalkan (kondisi tidak berlaku)",
    "Terlewat (batas sudah lewat)", "Berhenti berlangganan",
    "Kelompok kontrol (tidak dikirimi)"};

/* A rule as staff read it: what its condition is about, then its id
 * ("Beli pelatihan pertama (beli_pelatihan)"); the id alone when the
 * rules no longer have it. */
static void rule_name(pk_buf *b, const pk_remind_rules *rules, const char *id)
{
    const pk_remind_rule *r = pk_remind_rule_find(rules, id);
    const char *title = r ? pk_remind_cond_title(r->cond) : NULL;
    if (title != NULL) {
        pk_html_esc(b, title);
        pk_buf_adds(b, " <span class=\"code\">(");
        pk_html_esc(b, id);
        pk_buf_adds(b, ")</span>");
    } else {
        pk_html_esc(b, id);
    }
}

typedef struct plan_ctx plan_ctx;
static void pages(pk_buf *b, const plan_ctx *p, const char *day, const char *region);

typedef struct plan_ctx {
    const pk_app *app;         /* the region table: villages by name */
    const pk_remind_rules *rules;
    pk_buf rows;
    const char *rule;          /* filter: NULL all */
    int status;                /* filter: -1 all */
    int64_t from;              /* the first line shown, counted from 0 */
    int64_t matched, shown;
    int64_t by_status[PK_FS__COUNT];
} plan_ctx;

static int plan_row(void *ctx, const pk_plan_line *l)
{
    plan_ctx *p = ctx;
    if ((p->rule != NULL && strcmp(p->rule, l->rule) != 0) ||
        (p->status >= 0 && (int)l->status != p->status))
        return 0;
    int64_t nth = p->matched++;
    p->by_status[l->status]++;
    if (nth < p->from || p->shown >= PAGE_ROWS)
        return 0;
    p->shown++;
    pk_buf *b = &p->rows;
    size_t nl = strlen(l->nik);
    pk_buf_printf(b, "<tr data-status=\"%s\" data-rule=\"%s\"><th scope=\"row\" "
                     "data-label=\"Peserta\"><a href=\"/peserta/%lld\">NIK &hellip;%s</a></th>"
                     "<td data-label=\"Kelurahan\" data-region=\"%s\">",
                  pk_fire_status_name(l->status), l->rule, (long long)l->participant_id,
                  nl >= 4 ? l->nik + nl - 4 : "", l->region);
    pk_html_region_name(p->app, b, l->region, "-");
    pk_buf_printf(b, " <span class=\"code\">(%s)</span></td><td data-label=\"Aturan\">",
                  l->region);
    rule_name(b, p->rules, l->rule);
    pk_buf_printf(b, "</td><td data-label=\"Status\">%s</td><td data-label=\"Saluran\">%s</td>"
                     "<td data-label=\"Waktu kirim\">",
                  status_label[l->status], l->channel ? l->channel : "-");
    if (l->send_at != 0) {
        char iso[32], wib[32];
        pk_instant_format(l->send_at, iso);
        pk_timestamp_format_wib(l->send_at, wib);
        pk_buf_printf(b, "<time datetime=\"%s\">%s</time>", iso, wib);
    } else {
        pk_buf_adds(b, "-");
    }
    pk_buf_adds(b, "</td><td data-label=\"Alasan\">");
    pk_html_esc(b, l->reason);
    pk_buf_adds(b, "</td></tr>\n");
    return 0;
}

/* Links to the plan's pages before and after this one, its filters kept. */
static void page_link(pk_buf *b, const plan_ctx *p, const char *day, const char *region,
                      int64_t from, const char *rel, const char *text)
{
    pk_buf_printf(b, "<a rel=\"%s\" href=\"/pengingat?tanggal=%s", rel, day);
    if (p->rule != NULL) {
        pk_buf_adds(b, "&amp;aturan=");
        pk_html_url_value(b, p->rule);
    }
    if (p->status >= 0)
        pk_buf_printf(b, "&amp;status=%s", pk_fire_status_name((pk_fire_status)p->status));
    if (region != NULL && region[0] != '\0') {
        pk_buf_adds(b, "&amp;wilayah=");
        pk_html_url_value(b, region);
    }
    pk_buf_printf(b, "&amp;dari=%lld\">%s</a>", (long long)from, text);
}

static void pages(pk_buf *b, const plan_ctx *p, const char *day, const char *region)
{
    bool before = p->from > 0, after = p->from + p->shown < p->matched;
    if (!before && !after)
        return;
    pk_buf_adds(b, "<nav class=\"pages\" aria-label=\"Halaman rencana\"><p>");
    if (before)
        page_link(b, p, day, region, p->from > PAGE_ROWS ? p->from - PAGE_ROWS : 0, "prev",
                  "&larr; Sebelumnya");
    if (after) {
        if (before)
            pk_buf_adds(b, " &middot; ");
        page_link(b, p, day, region, p->from + PAGE_ROWS, "next", "Berikutnya &rarr;");
    }
    pk_buf_adds(b, "</p></nav>\n");
}

static void select_open(pk_buf *b, const char *name, const char *label)
{
    pk_buf_printf(b, "<p><label for=\"%s\">%s</label>\n<select id=\"%s\" name=\"%s\">\n", name,
                  label, name, name);
}

static void option(pk_buf *b, const char *value, const char *label, bool selected)
{
    pk_buf_adds(b, "<option value=\"");
    pk_html_esc(b, value);
    pk_buf_printf(b, "\"%s>", selected ? " selected" : "");
    pk_html_esc(b, label);
    pk_buf_adds(b, "</option>\n");
}

/* The value of `key` in the last run's "day=... people=... kirim=..." (as
 * pk_remind_day records it), or NULL; its length in *len. */
static const char *detail_value(const char *detail, const char *key, size_t *len)
{
    size_t klen = strlen(key);
    for (const char *p = detail; *p != '\0';) {
        size_t wlen = strcspn(p, " ");
        if (wlen > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            *len = wlen - klen - 1;
            return p + klen + 1;
        }
        p += wlen;
        p += strspn(p, " ");
    }
    return NULL;
}

/* What the last run did, in words: "Hari 18 Mar 2021: 3 orang ditinjau,
 * 2 dikirim, 0 ditunda; 2 pesan diantrekan, 2 terkirim, 0 gagal." The
 * recorded text stays in data-last-detail. */
static void last_run_detail(pk_buf *b, const char *detail)
{
    static const struct {
        const char *key, *words;
    } parts[] = {
        {"people", " orang ditinjau, "}, {"kirim", " dikirim, "},
        {"ditunda", " ditunda; "},       {"queued", " pesan diantrekan, "},
        {"sent", " terkirim, "},         {"failed", " gagal."},
    };
    pk_buf_adds(b, "<p class=\"small\" data-last-detail=\"");
    pk_html_esc(b, detail);
    pk_buf_adds(b, "\">");
    size_t len = 0;
    const char *day_s = detail_value(detail, "day", &len);
    pk_date day;
    if (day_s != NULL && pk_date_parse(day_s, len, &day) == 0) {
        char words[32];
        pk_date_format_short(day, words);
        pk_buf_printf(b, "Hari %s: ", words);
    }
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        const char *v = detail_value(detail, parts[k].key, &len);
        char num[24];
        if (v == NULL || len == 0 || len >= sizeof num || strspn(v, "0123456789") < len)
            continue;
        memcpy(num, v, len);
        num[len] = '\0';
        pk_html_count(b, strtoll(num, NULL, 10));
        pk_buf_adds(b, parts[k].words);
    }
    pk_buf_adds(b, "</p>\n");
}

/* When the reminders last ran; what that run did (the whole province's
 * counts) only for a caller whose scope is everything ("" scope): a
 * caller of one region sees its own plan below, not the others'. */
static void last_run(const pk_app *app, pk_buf *b, const char *scope)
{
    char last[300];
    pk_buf_adds(b, "<section aria-labelledby=\"terakhir\">\n<h2 id=\"terakhir\">Terakhir "
                   "dijalankan</h2>\n");
    if (pk_remind_last_run(app, last, sizeof last) != 0 || last[0] == '\0') {
        pk_buf_adds(b, "<p data-last-run=\"\">Pengingat belum pernah dijalankan.</p>\n");
    } else {
        /* "<instant> day=... people=... kirim=... ..." */
        char *sp = strchr(last, ' ');
        int64_t t = 0;
        if (sp != NULL)
            *sp = '\0';
        pk_buf_adds(b, "<p data-last-run=\"");
        pk_html_esc(b, last);
        pk_buf_adds(b, "\">");
        if (pk_instant_parse(last, &t) == 0) {
            char wib[32];
            pk_timestamp_format_wib(t, wib);
            pk_buf_printf(b, "<time datetime=\"%s\">%s</time>", last, wib);
        }
        pk_buf_adds(b, "</p>\n");
        if (scope[0] == '\0')
            last_run_detail(b, sp ? sp + 1 : "");
        else
            pk_buf_adds(b, "<p class=\"small\" data-last-detail-scoped>Jumlah pesan per jalannya "
                           "mencakup seluruh provinsi dan hanya ditampilkan kepada admin; rencana "
                           "di bawah ini menghitung wilayah kerja Anda.</p>\n");
    }
    pk_buf_adds(b, "<p class=\"small\">Server menjalankan pengingat sekali sehari pada pukul "
                   "<code>remind_at</code> (WIB) bila saluran pengiriman sudah diatur; "
                   "perintah <code>prakerja remind run</code> melakukan hal yang sama.</p>\n"
                   "</section>\n");
}

/* The effect of reminders, per rule (pk_remind_effect_of): counts of
 * groups of recipients, not persons. */
static void effect_cell(pk_buf *b, const char *group, const pk_remind_effect_cell *c)
{
    /* a card per group on phones (table.cards): each cell says what it is */
    pk_buf_printf(b, "<tr data-group=\"%s\"><th scope=\"row\">%s</th><td data-label=\"Penerima\">",
                  group,
                  strcmp(group, "diingatkan") == 0 ? "Diingatkan"
                  : strcmp(group, "kontrol") == 0  ? "Kelompok kontrol"
                                                   : "Tidak diingatkan");
    pk_html_count(b, c->people);
    pk_buf_adds(b, "</td><td data-label=\"Dicabut\">");
    pk_html_count(b, c->revoked);
    if (c->people > 0) {
        pk_buf_adds(b, " (");
        pk_html_percent(b, c->revoked, c->people);
        pk_buf_addc(b, ')');
    }
    pk_buf_adds(b, "</td><td data-label=\"Membeli pelatihan\">");
    pk_html_count(b, c->bought);
    if (c->people > 0) {
        pk_buf_adds(b, " (");
        pk_html_percent(b, c->bought, c->people);
        pk_buf_addc(b, ')');
    }
    pk_buf_adds(b, "</td><td data-label=\"Median hari sampai pembelian pertama\">");
    if (c->median_days < 0)
        pk_buf_adds(b, "&mdash;");
    else
        pk_html_days(b, c->median_days);
    pk_buf_adds(b, "</td></tr>\n");
}

static void effect(const pk_app *app, const pk_remind_rules *rules, pk_buf *b, const char *scope,
                   const char *region)
{
    pk_remind_effect *e = malloc(sizeof *e);
    char err[256];
    if (e == NULL || pk_remind_effect_of(app, scope, region, e, err, sizeof err) != 0) {
        free(e);
        pk_buf_adds(b, "<h2>Dampak pengingat</h2>\n<p class=\"error\">Dampak pengingat belum "
                       "dapat dihitung.</p>\n");
        return;
    }
    pk_buf_adds(b, "<h2>Dampak pengingat</h2>\n<p class=\"small\">Penerima dengan pengingat "
                   "yang tercatat, per aturan: yang dikirimi pengingat, kelompok kontrol (tidak "
                   "dikirimi dengan sengaja, dipilih acak dari benih yang tercatat) dan yang "
                   "tidak dikirimi karena alasan lain (kondisi sudah tidak berlaku, terlewat, "
                   "berhenti berlangganan). Perbandingan yang adil hanya antara yang diingatkan "
                   "dan kelompok kontrol.</p>\n");
    if (e->control_ppm > 0)
        pk_buf_printf(b, "<p class=\"small\" data-hold-out=\"%u\">Kelompok kontrol: %u,%04u%% "
                         "penerima; benih <code class=\"wrap\">%s</code>.</p>\n",
                      (unsigned)e->control_ppm, (unsigned)(e->control_ppm / 10000),
                      (unsigned)(e->control_ppm % 10000), e->control_seed);
    else
        pk_buf_adds(b, "<p class=\"small\" data-hold-out=\"0\">Kelompok kontrol tidak aktif "
                       "(<code>kelompok_kontrol</code> di berkas aturan).</p>\n");
    if (e->nrules == 0)
        pk_buf_adds(b, "<p data-effect=\"0\">Belum ada pengingat yang tercatat.</p>\n");
    for (size_t r = 0; r < e->nrules; r++) {
        pk_buf_printf(b, "<table class=\"results cards\" data-effect=\"%s\">\n<caption>",
                      e->rules[r].rule);
        rule_name(b, rules, e->rules[r].rule);
        pk_buf_adds(b, "</caption>\n<thead><tr><th scope=\"col\">Kelompok</th><th scope=\"col\">"
                       "Penerima</th><th scope=\"col\">Dicabut</th><th scope=\"col\">Membeli "
                       "pelatihan</th><th scope=\"col\">Median hari sampai pembelian "
                       "pertama</th></tr></thead>\n<tbody>\n");
        effect_cell(b, "diingatkan", &e->rules[r].group[PK_EFF_DIINGATKAN]);
        effect_cell(b, "kontrol", &e->rules[r].group[PK_EFF_KONTROL]);
        effect_cell(b, "tidak", &e->rules[r].group[PK_EFF_TIDAK]);
        pk_buf_adds(b, "</tbody>\n</table>\n");
    }
    free(e);
}

void pk_page_remind(const pk_app *app, pk_req *req, pk_resp *resp)
{
    char scope[PK_REGION_CODE_MAX], actor[PK_ACTOR_MAX];
    pk_auth_scope(req->who, scope);
    pk_staff_actor(req->who, actor);
    pk_date day = pk_date_add_days(pk_app_today(), 1);
    const char *ds = pk_req_query(req, "tanggal");
    const char *rule = pk_req_query(req, "aturan");
    const char *st = pk_req_query(req, "status");
    const char *region = pk_req_query(req, "wilayah");
    const char *from = pk_req_query(req, "dari");
    const char *error = NULL;
    if (ds != NULL && ds[0] != '\0' && (strlen(ds) != 10 || pk_date_parse(ds, 10, &day) != 0))
        error = "Tanggal harus berbentuk TTTT-BB-HH, misalnya 2021-03-18.";
    size_t nfrom = from ? strlen(from) : 0;
    if (nfrom > 0 && (nfrom > 9 || strspn(from, "0123456789") != nfrom) && error == NULL)
        error = "Nomor urut halaman harus berupa angka.";
    pk_remind_rules *rules = malloc(sizeof *rules);
    char err[256] = "";
    if (rules == NULL || pk_remind_rules_load(&app->cfg, rules, err, sizeof err) != 0) {
        free(rules);
        pk_html_staff_error(app, req, resp, 503, "Aturan pengingat tidak terbaca",
                            "Berkas aturan pengingat (reminders.ini) tidak dapat dibaca. "
                            "Hubungi administrator.");
        return;
    }
    plan_ctx p = {.app = app, .rules = rules, .status = -1,
                  .from = nfrom > 0 && nfrom <= 9 && strspn(from, "0123456789") == nfrom
                              ? strtoll(from, NULL, 10)
                              : 0};
    pk_buf_init(&p.rows, 4u << 20);
    if (rule != NULL && rule[0] != '\0') {
        if (pk_remind_rule_find(rules, rule) != NULL)
            p.rule = rule;
        else if (error == NULL)
            error = "Aturan itu tidak dikenal.";
    }
    for (int s = 0; st != NULL && st[0] != '\0' && s < PK_FS__COUNT; s++)
        if (strcmp(st, pk_fire_status_name((pk_fire_status)s)) == 0)
            p.status = s;
    if (st != NULL && st[0] != '\0' && p.status < 0 && error == NULL)
        error = "Status itu tidak dikenal.";
    pk_remind_summary sum;
    memset(&sum, 0, sizeof sum);
    int rc = 0;
    if (error == NULL) {
        rc = pk_remind_plan_staff(app, scope, region, actor, req->route, day, plan_row, &p, &sum,
                                  err, sizeof err);
        if (rc == PK_EINVAL)
            error = "Kode wilayah itu tidak dikenal atau di luar wilayah kerja Anda.";
        else if (rc != 0) {
            pk_buf_wipe_free(&p.rows);
            free(rules);
            pk_html_staff_error(app, req, resp, 503, "Layanan sibuk",
                                "Rencana pengingat belum dapat dihitung. Silakan coba lagi.");
            return;
        }
    }
    char day_s[11], day_long[32];
    pk_date_format(day, day_s);
    pk_date_format_long(day, day_long);
    pk_buf *b = &resp->body;
    pk_html_staff_begin(app, req, resp, "Pengingat", "/pengingat");
    pk_buf_adds(b, "<h1>Pengingat</h1>\n<p>Siapa menerima pesan apa, dan mengapa: keputusan "
                   "yang sama dengan yang akan dijalankan, tanpa mengubah apa pun.</p>\n");
    last_run(app, b, scope);
    pk_buf_adds(b, "<form method=\"get\" action=\"/pengingat\" class=\"filters\">\n");
    pk_buf_printf(b, "<p><label for=\"tanggal\">Tanggal</label>\n<input id=\"tanggal\" "
                     "name=\"tanggal\" type=\"date\" value=\"%s\"></p>\n",
                  day_s);
    select_open(b, "aturan", "Aturan");
    option(b, "", "Semua aturan", p.rule == NULL);
    for (size_t i = 0; i < rules->count; i++) {
        char label[PK_REMIND_ID_MAX + 48];
        const char *title = pk_remind_cond_title(rules->items[i].cond);
        snprintf(label, sizeof label, "%s (%s)", title ? title : "", rules->items[i].id);
        option(b, rules->items[i].id, title ? label : rules->items[i].id,
               p.rule != NULL && strcmp(p.rule, rules->items[i].id) == 0);
    }
    pk_buf_adds(b, "</select></p>\n");
    select_open(b, "status", "Status");
    option(b, "", "Semua status", p.status < 0);
    for (int s = 0; s < PK_FS__COUNT; s++)
        if (s != PK_FS_KONTROL || rules->set.control_ppm > 0)
            option(b, pk_fire_status_name((pk_fire_status)s), status_label[s], p.status == s);
    pk_buf_adds(b, "</select></p>\n<p><label for=\"wilayah\">Kode wilayah</label>\n"
                   "<input id=\"wilayah\" name=\"wilayah\" inputmode=\"decimal\" "
                   "placeholder=\"31.74.01\" value=\"");
    pk_html_esc(b, region ? region : "");
    pk_buf_adds(b, "\"></p>\n<p><button type=\"submit\">Tampilkan</button></p>\n</form>\n");
    if (error != NULL) {
        pk_buf_adds(b, "<p class=\"error\" role=\"alert\" data-error>");
        pk_html_esc(b, error);
        pk_buf_adds(b, "</p>\n");
    } else {
        pk_buf_printf(b, "<h2>Rencana %s</h2>\n<ul class=\"summary\" data-matched=\"%lld\">\n",
                      day_long, (long long)p.matched);
        for (int s = 0; s < PK_FS__COUNT; s++) {
            if (s == PK_FS_KONTROL && rules->set.control_ppm == 0 && p.by_status[s] == 0)
                continue;
            pk_buf_printf(b, "<li data-count=\"%s\">%s: ", pk_fire_status_name((pk_fire_status)s),
                          status_label[s]);
            pk_html_count(b, p.by_status[s]);
            pk_buf_adds(b, "</li>\n");
        }
        pk_buf_adds(b, "</ul>\n");
        if (p.matched == 0) {
            pk_buf_adds(b, "<p data-plan=\"0\">Tidak ada pengingat pada hari itu untuk pilihan "
                           "ini.</p>\n");
        } else {
            pk_buf_adds(b, "<table class=\"results cards\" data-plan>\n<caption>");
            if (p.shown == 0) { /* a page past the last */
                pk_buf_adds(b, "Halaman ini kosong; ");
                pk_html_count(b, p.matched);
                pk_buf_adds(b, " pengingat seluruhnya");
            } else if (p.shown < p.matched) {
                pk_buf_adds(b, "Pengingat ");
                pk_html_count(b, p.from + 1);
                pk_buf_adds(b, "&ndash;");
                pk_html_count(b, p.from + p.shown);
                pk_buf_adds(b, " dari ");
                pk_html_count(b, p.matched);
            } else {
                pk_html_count(b, p.matched);
                pk_buf_adds(b, " pengingat");
            }
            pk_buf_adds(b, "</caption>\n<thead><tr><th scope=\"col\">Peserta</th>"
                           "<th scope=\"col\">Kelurahan</th><th scope=\"col\">Aturan</th>"
                           "<th scope=\"col\">Status</th><th scope=\"col\">Saluran</th>"
                           "<th scope=\"col\">Waktu kirim</th><th scope=\"col\">Alasan</th>"
                           "</tr></thead>\n<tbody>\n");
            pk_buf_add(b, p.rows.data, p.rows.len);
            pk_buf_adds(b, "</tbody>\n</table>\n");
            pages(b, &p, day_s, region);
        }
        effect(app, rules, b, scope, region);
    }
    pk_buf_wipe_free(&p.rows);
    free(rules);
    pk_html_staff_finish(resp, error != NULL ? 400 : 200);
}

/* ---- the reminders on a participant's page -------------------------------- */

static const char *state_label(const char *s)
{
    return strcmp(s, "antri") == 0      ? "Menunggu dikirim"
           : strcmp(s, "mengirim") == 0 ? "Sedang diserahkan"
           : strcmp(s, "terkirim") == 0 ? "Diserahkan ke saluran"
           : strcmp(s, "gagal") == 0    ? "Gagal di semua saluran"
           : strcmp(s, "tidak_pasti") == 0
               ? "Tidak pasti (proses terhenti saat diserahkan)"
               : s;
}

static void text_block(pk_buf *b, const char *label, const char *text)
{
    pk_buf_printf(b, "<p class=\"small\"><strong>%s</strong></p>\n<p class=\"message\">", label);
    pk_html_esc(b, text);
    pk_buf_adds(b, "</p>\n");
}

static int preview_one(void *ctx, const pk_preview *p)
{
    pk_buf *b = ctx;
    char anchor[32];
    pk_timestamp_format_wib(p->anchor, anchor);
    pk_buf_printf(b, "<details data-preview=\"%s\" data-holds=\"%d\"%s>\n<summary>%s",
                  p->rule, p->holds ? 1 : 0, p->cancelled ? " data-cancelled" : "", p->rule);
    if (p->k > 0)
        pk_buf_printf(b, " ke-%lld", (long long)p->k);
    pk_buf_printf(b, " &mdash; %s</summary>\n<p>Patokan: %s. Jadwal:",
                  p->cancelled ? "sudah dibatalkan (tidak dikirim lagi)"
                  : p->holds   ? "berlaku"
                               : "tidak berlaku lagi (tidak dikirim)",
                  anchor);
    for (size_t i = 0; i < p->nfires; i++) {
        char day[11];
        pk_date_format(pk_instant_day_wib(p->fires[i]), day);
        pk_buf_printf(b, "%s %s", i ? "," : "", day);
    }
    pk_buf_printf(b, ". Tujuan: %s.</p>\n", p->purpose);
    text_block(b, "SMS", p->sms);
    text_block(b, "WhatsApp", p->whatsapp);
    text_block(b, "Subjek e-mail", p->email_subject);
    text_block(b, "E-mail", p->email);
    pk_buf_adds(b, "</details>\n");
    return 0;
}

/* Who asked for each change of consent: staff, the e-mail's link, a reply. */
static const char *consent_by(const pk_consent_view *r)
{
    if (strcmp(r->actor, PK_WEBHOOK_ACTOR) == 0)
        return strcmp(r->channel, "sms") == 0 ? "balasan SMS peserta"
                                              : "balasan WhatsApp peserta";
    if (strcmp(r->channel, "email") == 0)
        return "tautan berhenti di e-mail";
    return "petugas";
}

static void consent_history(const pk_app *app, pk_buf *b, int64_t id)
{
    pk_consent_view rows[10];
    size_t n = 0;
    if (pk_remind_consent_changes_of(app, id, PK_ARRAY_LEN(rows), rows, &n) != 0 || n == 0)
        return;
    pk_buf_printf(b, "<h3>Riwayat persetujuan</h3>\n<ul data-consent-changes=\"%zu\">\n", n);
    for (size_t i = 0; i < n; i++) {
        char at[32];
        pk_timestamp_wib(rows[i].at, at);
        pk_buf_printf(b, "<li data-change=\"%s:%s:%s\">%s: pesan %s %s oleh %s</li>\n",
                      rows[i].purpose, rows[i].stopped ? "berhenti" : "mulai", rows[i].channel,
                      at, rows[i].purpose, rows[i].stopped ? "dihentikan" : "diterima lagi",
                      consent_by(&rows[i]));
    }
    pk_buf_adds(b, "</ul>\n");
}

void pk_page_remind_person(const pk_app *app, pk_buf *b, int64_t id, const char *region)
{
    pk_buf_adds(b, "<section class=\"card\" aria-labelledby=\"pengingat\" data-reminders>\n"
                   "<h2 id=\"pengingat\">Pengingat</h2>\n");
    bool stopped[PK_PURPOSE__COUNT] = {false};
    if (pk_remind_consent_of(app, id, stopped) == 0) {
        pk_buf_adds(b, "<dl class=\"facts\">\n");
        for (int p = 0; p < PK_PURPOSE__COUNT; p++)
            pk_buf_printf(b, "<div><dt>Pesan %s</dt><dd data-consent=\"%s\">%s</dd></div>\n",
                          p == PK_PURPOSE_PROGRAM ? "program" : "informasi",
                          pk_purpose_name((pk_purpose)p),
                          stopped[p] ? "Dihentikan oleh peserta" : "Diterima");
        pk_buf_adds(b, "</dl>\n");
    }
    consent_history(app, b, id);
    pk_message_view m[20];
    size_t n = 0;
    pk_buf_adds(b, "<h3>Pesan terakhir</h3>\n");
    if (pk_remind_messages_of(app, id, PK_ARRAY_LEN(m), m, &n) != 0) {
        pk_buf_adds(b, "<p>Pesan belum dapat dibaca.</p>\n");
    } else if (n == 0) {
        pk_buf_adds(b, "<p data-messages=\"0\">Belum ada pesan untuk peserta ini.</p>\n");
    } else {
        pk_buf_printf(b, "<ul data-messages=\"%zu\">\n", n);
        for (size_t i = 0; i < n; i++) {
            pk_buf_printf(b, "<li data-state=\"%s\">%s &mdash; %s lewat %s: %s", m[i].state,
                          m[i].day, m[i].rule, m[i].channel[0] ? m[i].channel : "-",
                          state_label(m[i].state));
            if (m[i].error[0] != '\0') {
                pk_buf_adds(b, " (");
                pk_html_esc(b, m[i].error);
                pk_buf_adds(b, ")");
            }
            /* the gateway's receipts (webhooks) */
            char at[32];
            if (m[i].read_at > 0) {
                pk_timestamp_format_wib(m[i].read_at, at);
                pk_buf_printf(b, "; <span data-receipt=\"dibaca\">dibaca %s</span>", at);
            } else if (m[i].delivered_at > 0) {
                pk_timestamp_format_wib(m[i].delivered_at, at);
                pk_buf_printf(b, "; <span data-receipt=\"diterima\">sampai di ponsel %s</span>",
                              at);
            }
            pk_buf_adds(b, "</li>\n");
        }
        pk_buf_adds(b, "</ul>\n");
    }
    pk_buf_adds(b, "<h3>Pratinjau pesan</h3>\n<p class=\"small\">Teks tiap saluran diisi "
                   "dengan data peserta ini, dari aturan yang berlaku sekarang.</p>\n");
    char err[160] = "";
    size_t before = b->len;
    if (pk_remind_preview(app, id, region, pk_app_today(), preview_one, b, err, sizeof err) != 0)
        pk_buf_adds(b, "<p>Pratinjau belum dapat disusun.</p>\n");
    else if (b->len == before)
        pk_buf_adds(b, "<p data-previews=\"0\">Tidak ada pengingat yang berlaku untuk peserta "
                       "ini.</p>\n");
    pk_buf_adds(b, "</section>\n");
}
