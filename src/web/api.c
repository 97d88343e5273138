/* api.c -- the JSON API handlers (/healthz and /api/v1/...).  Each one
 * turns a request into a use-case call and its result into JSON; the
 * JSON shapes of domain objects live in app/views.c. */
#include <stdio.h>
#include <string.h>

#include "app/status.h"
#include "app/views.h"
#include "core/timeline.h"
#include "web/json.h"
#include "web/web.h"

void pk_api_healthz(const pk_app *app, pk_req *req, pk_resp *resp)
{
    int cur = 0;
    bool db_ok = pk_app_health(app, &cur) == 0;
    /* A full disk: the service still reads (200), but saves nothing. */
    bool full = db_ok && pk_app_disk_full(app);
    pk_reply_json(resp, db_ok ? 200 : 503,
                  json_pack("{s:s, s:s, s:s, s:i}", "status",
                            !db_ok ? "gagal" : full ? "degraded" : "ok", "version", PK_VERSION,
                            "database", !db_ok ? "gagal" : full ? "penuh" : "ok",
                            "schema_version", cur));
}

void pk_api_nik(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_nik_info info;
    const char *nik = req->params[0];
    pk_app_check_nik(app, nik, strlen(nik), &info);
    pk_reply_json(resp, 200, pk_json_nik(&info));
}

static const char *level_name(pk_region_level l)
{
    switch (l) {
    case PK_REGION_PROVINCE: return "provinsi";
    case PK_REGION_REGENCY: return "kabupaten_kota";
    case PK_REGION_DISTRICT: return "kecamatan";
    case PK_REGION_VILLAGE: return "kelurahan_desa";
    default: return "";
    }
}

void pk_reply_region_invalid(pk_resp *resp, const char *name)
{
    json_t *fields = json_array();
    pk_json_field_error(fields, name, "kode_wilayah_tidak_valid",
                        "Kode wilayah harus seperti 31, 31.74, 31.74.01 atau 31.74.01.1001.");
    pk_reply_error(resp, 400, "parameter_tidak_valid", "Parameter tidak valid.", fields);
}

bool pk_api_region_param(const pk_app *app, pk_req *req, pk_resp *resp, const char *name,
                         const pk_region **out)
{
    const char *q = pk_req_query(req, name);
    char code[PK_REGION_CODE_MAX];
    *out = NULL;
    if (q == NULL || q[0] == '\0')
        return true;
    if (pk_region_normalize(q, strlen(q), code) == PK_REGION_NONE) {
        pk_reply_region_invalid(resp, name);
        return false;
    }
    if ((*out = pk_regions_find(app->regions, code)) == NULL) {
        pk_reply_error(resp, 404, "tidak_ditemukan", "Kode wilayah tidak dikenal.", NULL);
        return false;
    }
    return true;
}

/* A region for the API: its code, its name as the Kemendagri table has
 * it (often in capitals), `title` the name as people read it (what the
 * pages show), its level. */
static json_t *region_json(const pk_region *r)
{
    char title[256];
    pk_region_title(r->name, title, sizeof title);
    return json_pack("{s:s, s:s, s:s, s:s}", "code", r->code, "name", r->name, "title", title,
                     "level", level_name(r->level));
}

void pk_api_regions(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const pk_region *parent;
    if (!pk_api_region_param(app, req, resp, "parent", &parent))
        return;
    const pk_region *kids;
    size_t n = pk_regions_children(app->regions, parent ? parent->code : NULL, &kids);
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++)
        json_array_append_new(arr, region_json(&kids[i]));
    json_t *p = parent ? region_json(parent) : json_null();
    resp->cache_control = "public, max-age=3600";
    pk_reply_json(resp, 200, json_pack("{s:o, s:o}", "parent", p, "regions", arr));
}

void pk_api_schemes(const pk_app *app, pk_req *req, pk_resp *resp)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < app->schemes.count; i++)
        json_array_append_new(arr, pk_json_scheme(&app->schemes.items[i]));
    resp->cache_control = "public, max-age=300";
    pk_reply_json(resp, 200, json_pack("{s:s, s:o}", "current", app->schemes.current,
                                       "schemes", arr));
}

void pk_api_scheme(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const pk_scheme *s = pk_schemes_find(&app->schemes, req->params[0]);
    if (s == NULL) {
        pk_reply_error(resp, 404, "tidak_ditemukan", "Skema tidak dikenal.", NULL);
        return;
    }
    resp->cache_control = "public, max-age=300";
    pk_reply_json(resp, 200, pk_json_scheme(s));
}

/* Field errors of a failed eligibility check, in the API's shape. */
static json_t *eligibility_fields(const pk_eligibility_result *res)
{
    json_t *fields = json_array();
    for (pk_field f = 0; f < PK_F__COUNT; f++)
        if (res->missing & (1u << f))
            pk_json_field_error(fields, pk_field_name(f), "wajib_diisi", "Wajib diisi.");
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (res->field_errors & PK_CODEBIT(c))
            pk_json_field_error(fields, pk_code_field(c) ? pk_code_field(c) : "participant",
                                pk_code_name(c), pk_code_message(c));
    return fields;
}

void pk_api_eligibility(const pk_app *app, pk_req *req, pk_resp *resp)
{
    json_t *root = pk_read_json_object(req, resp);
    if (root == NULL)
        return;
    /* Shape errors and rule errors are reported together, so a client
     * learns everything wrong with a request in one round trip. */
    json_t *fields = json_array();
    pk_eligibility_request r;
    pk_decode_eligibility(root, &r, fields);
    pk_eligibility_result res = {0};
    int rc = 0;
    if (json_is_object(json_object_get(root, "participant"))) {
        rc = pk_app_check_eligibility(app, r.scheme,
                                      r.has_as_of ? r.as_of : pk_app_today(), &r.in, r.given,
                                      r.declared_lists, &res);
        if (rc == PK_ENOENT)
            pk_json_field_error(fields, "scheme", "skema_tidak_dikenal", "Skema tidak dikenal.");
        else if (rc != 0) {
            json_t *more = eligibility_fields(&res);
            json_array_extend(fields, more);
            json_decref(more);
        }
    }
    if (json_array_size(fields) > 0) {
        pk_reply_error(resp, 422, "data_tidak_valid", "Periksa kembali data yang dikirim.",
                       fields);
    } else {
        json_decref(fields);
        pk_reply_json(resp, 200,
                      json_pack("{s:b, s:s, s:o, s:o, s:o}", "eligible", res.reasons == 0,
                                "scheme", res.scheme->id, "as_of", pk_json_date(res.as_of),
                                "reasons", pk_json_codes(res.reasons),
                                "warnings", pk_json_codes(res.warnings)));
    }
    json_decref(root);
}

void pk_api_timeline(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const char *sid = pk_req_query(req, "scheme");
    const char *sel = pk_req_query(req, "selected");
    const char *done = pk_req_query(req, "completed");
    json_t *fields = json_array();
    const pk_scheme *s = sid && sid[0] ? pk_schemes_find(&app->schemes, sid)
                                       : pk_schemes_current(&app->schemes);
    pk_date selected = {0}, completed = {0};
    if (s == NULL)
        pk_json_field_error(fields, "scheme", "skema_tidak_dikenal", "Skema tidak dikenal.");
    if (sel == NULL || sel[0] == '\0')
        pk_json_field_error(fields, "selected", "wajib_diisi",
                            "Tanggal dinyatakan lolos wajib diisi.");
    else if (pk_date_parse(sel, strlen(sel), &selected) != 0)
        pk_json_field_error(fields, "selected", "tanggal_tidak_valid",
                            "Tanggal harus berformat TTTT-BB-HH.");
    if (done != NULL && done[0] != '\0' && pk_date_parse(done, strlen(done), &completed) != 0)
        pk_json_field_error(fields, "completed", "tanggal_tidak_valid",
                            "Tanggal harus berformat TTTT-BB-HH.");
    pk_timeline t;
    int rc = json_array_size(fields) == 0
                 ? pk_timeline_compute(s, selected, done && done[0] ? &completed : NULL, &t)
                 : 0;
    if (rc == PK_ETOOBIG)
        pk_json_field_error(fields, done && done[0] ? "completed" : "selected",
                            "tanggal_di_luar_rentang",
                            "Tanggal terlalu jauh: linimasanya melewati 31 Desember 9999.");
    else if (rc != 0)
        pk_json_field_error(fields, "completed", "tanggal_tidak_valid",
                            "Tanggal selesai pelatihan tidak boleh sebelum tanggal lolos.");
    if (json_array_size(fields) != 0) {
        pk_reply_error(resp, 422, "data_tidak_valid", "Periksa kembali parameter.", fields);
        return;
    }
    json_decref(fields);
    json_t *body = pk_json_timeline(&t);
    json_object_set_new(body, "scheme", json_string(s->id));
    resp->cache_control = "public, max-age=300";
    pk_reply_json(resp, 200, body);
}

/* ---- the residents' status look-up (app/status.h) ---- */

void pk_api_status(const pk_app *app, pk_req *req, pk_resp *resp)
{
    json_t *root = pk_read_json_object(req, resp);
    if (root == NULL)
        return;
    json_t *nik = json_object_get(root, "nik");
    json_t *lahir = json_object_get(root, "tanggal_lahir");
    json_t *fields = json_array();
    if (!json_is_string(nik))
        pk_json_field_error(fields, "nik", "wajib_diisi", "NIK wajib diisi (teks 16 angka).");
    if (!json_is_string(lahir))
        pk_json_field_error(fields, "tanggal_lahir", "wajib_diisi",
                            "Tanggal lahir wajib diisi (TTTT-BB-HH).");
    if (json_array_size(fields) > 0) {
        pk_reply_error(resp, 422, "data_tidak_valid", "Periksa kembali data yang dikirim.",
                       fields);
        json_decref(root);
        return;
    }
    json_decref(fields);
    pk_status_result r;
    int rc = pk_app_status(app, json_string_value(nik), json_string_length(nik),
                           json_string_value(lahir), json_string_length(lahir), &r);
    json_decref(root);
    if (rc != 0) {
        pk_reply_error(resp, 503, "layanan_sibuk", "Layanan sedang sibuk. Coba lagi.", NULL);
        return;
    }
    /* one shape whatever the answer (app/status.h) */
    pk_reply_json(resp, 200,
                  json_pack("{s:b, s:s, s:s}", "found", r.found, "message", r.message,
                            "next_step", r.next_step));
}

/* ---- who is calling (an API token) ---- */

void pk_api_me(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const pk_principal *who = req->who;
    const pk_region *r = who->region[0] ? pk_regions_find(app->regions, who->region) : NULL;
    pk_reply_json(resp, 200,
                  json_pack("{s:s, s:s, s:o}", "username", who->username, "role",
                            pk_role_name(who->role), "region", pk_json_region(r)));
}
