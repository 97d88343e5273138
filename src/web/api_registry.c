/* api_registry.c -- the registry's API: registration and statistics. */
#include <string.h>

#include "app/operator.h"
#include "app/registry.h"
#include "app/stats.h"
#include "app/views.h"
#include "web/json.h"
#include "web/session.h"
#include "web/web.h"

/* Field errors of a validation, in the API's shape: a required field that
 * was not sent is "wajib_diisi" (unless it was sent with the wrong type,
 * already reported); a sent one gets the exchange file's reason codes;
 * bad bytes in a text field (baris_rusak) are named on that field. */
static void validation_fields(const pk_validation *v, unsigned given, unsigned bad,
                              json_t *fields)
{
    unsigned named = 0;
    for (pk_field f = 0; f < PK_F__COUNT; f++)
        if (pk_field_required(f) && !(given & (1u << f)) && !(bad & (1u << f)))
            pk_json_field_error(fields, pk_field_name(f), "wajib_diisi", "Wajib diisi.");
    for (pk_code c = 0; c < PK_C__COUNT; c++) {
        const char *field = pk_code_field(c);
        pk_field f = field ? pk_field_by_name(field, strlen(field)) : PK_F__COUNT;
        if (!(v->errors & PK_CODEBIT(c)) || f == PK_F__COUNT || !(given & (1u << f)))
            continue; /* not an error, or about a field reported as missing */
        pk_json_field_error(fields, field, pk_code_name(c), pk_code_message(c));
        named |= 1u << f;
    }
    for (pk_field f = 0; f < PK_F__COUNT; f++)
        if ((v->bad_fields & given & ~named) & (1u << f))
            pk_json_field_error(fields, pk_field_name(f), pk_code_name(PK_C_BARIS_RUSAK),
                                "Isian memuat karakter yang tidak diizinkan.");
}

/* POST /api/v1/participants is public; with a staff API token
 * (Authorization: Bearer) it is a registration by that account: recorded
 * as its ("user:NAME") and limited to its region, like /peserta/baru.
 * A token that does not work is refused (401), never taken as public.
 * False when the reply is made. */
static bool staff_caller(const pk_app *app, pk_req *req, pk_resp *resp, pk_principal *who,
                         char actor[PK_ACTOR_MAX], char scope[PK_REGION_CODE_MAX])
{
    int rc = pk_web_authenticate(app, req, true, who);
    if (rc == PK_EIO) {
        pk_reply_error(resp, 503, "layanan_sibuk", "Layanan sedang sibuk. Coba lagi.", NULL);
        return false;
    }
    if (rc != 0) {
        pk_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"prakerja\"");
        pk_reply_error(resp, 401, "perlu_autentikasi",
                       "Sertakan token API yang berlaku: Authorization: Bearer <token>.", NULL);
        return false;
    }
    pk_staff_actor(who, actor);
    if ((who->role & (PK_ROLE_ADMIN | PK_ROLE_OPERATOR)) == 0) {
        pk_access_record_refusal(app, actor, "route.forbidden", req->route, 0);
        pk_reply_error(resp, 403, "akses_ditolak",
                       "Akun Anda tidak berhak mendaftarkan peserta.", NULL);
        return false;
    }
    pk_auth_scope(who, scope);
    return true;
}

void pk_api_participants_create(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_principal who;
    char actor[PK_ACTOR_MAX] = PK_ACTOR_PUBLIC, scope[PK_REGION_CODE_MAX] = "";
    bool staff = pk_req_header(req, "Authorization") != NULL;
    if (staff && !staff_caller(app, req, resp, &who, actor, scope))
        return;
    json_t *root = pk_read_json_object(req, resp);
    if (root == NULL)
        return;
    json_t *fields = json_array();
    pk_participant_input in = {0};
    unsigned given = 0, bad = 0;
    pk_decode_participant(root, "", &in, &given, &bad, fields);
    pk_register_result res;
    int rc;
    if (json_array_size(fields) > 0) {
        /* Shape errors: report the rule errors of the rest too, save nothing. */
        pk_participant p;
        pk_app_validate(app, &in, pk_app_today(), &p, &res.v);
        rc = PK_EINVAL;
    } else {
        rc = pk_registry_register(app, &in, "api", actor, staff ? scope : NULL, &res);
    }
    if (rc == PK_EINVAL) {
        validation_fields(&res.v, given, bad, fields);
        pk_reply_error(resp, 422, "data_tidak_valid", "Periksa kembali data yang dikirim.",
                       fields);
    } else if (rc == PK_EDENIED) {
        json_decref(fields);
        pk_reply_error(resp, 403, "di_luar_wilayah_kerja",
                       "Kelurahan ini di luar wilayah kerja akun Anda.", NULL);
    } else if (rc == PK_ECONFLICT) {
        json_decref(fields);
        /* Says only that the NIK is taken: nothing of the existing record. */
        pk_reply_error(resp, 409, "nik_sudah_terdaftar",
                       "NIK ini sudah terdaftar. Jika Anda merasa belum pernah mendaftar, "
                       "hubungi layanan pengaduan.",
                       NULL);
    } else if (pk_web_disk_full(app, rc)) {
        json_decref(fields);
        pk_reply_disk_full(app, resp, true);
    } else if (rc != 0) {
        json_decref(fields);
        pk_reply_error(resp, 503, "layanan_sibuk",
                       "Pendaftaran belum dapat disimpan. Silakan coba lagi sebentar lagi.", NULL);
    } else {
        json_decref(fields);
        /* A public caller learns the verdict on what they sent (age,
         * occupation), never what the registry knew (exclusion lists,
         * kuota_kk_penuh): whoever sends someone else's NIK and KK must
         * not learn them, as on the portal's receipt (docs/PRIVACY.md).
         * Staff see every reason. */
        pk_codeset told = staff ? res.saved.reasons : res.saved.reasons & PK_REASONS_OWN;
        pk_reply_json(resp, 201,
                      json_pack("{s:I, s:s, s:b, s:o, s:o}", "id", (json_int_t)res.saved.id,
                                "scheme", res.scheme->id, "eligible", told == 0, "reasons",
                                pk_json_codes(told), "warnings", pk_json_codes(res.v.warnings)));
    }
    json_decref(root);
}

/* A count, or null where it was too small to show this caller. */
static json_t *count(int64_t n)
{
    return n == PK_STATS_HIDDEN ? json_null() : json_integer(n);
}

void pk_api_stats(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_region_stats st;
    int rc = pk_stats_region(app, req->who, pk_req_query(req, "region"), &st);
    if (rc == PK_EINVAL) {
        pk_reply_region_invalid(resp, "region");
        return;
    }
    if (rc == PK_ENOENT) {
        pk_reply_error(resp, 404, "tidak_ditemukan", "Kode wilayah tidak dikenal.", NULL);
        return;
    }
    if (rc == PK_EDENIED) {
        pk_reply_error(resp, 403, "di_luar_wilayah",
                       "Wilayah tersebut di luar cakupan wilayah akun Anda.", NULL);
        return;
    }
    if (rc != 0) {
        pk_reply_error(resp, 503, "layanan_sibuk", "Data belum dapat dibaca. Coba lagi.", NULL);
        return;
    }
    json_t *seg = json_object(), *sex = json_object(), *why = json_object();
    for (int i = 1; i < PK_SEG__COUNT; i++)
        json_object_set_new(seg, pk_segment_name((pk_segment)i), count(st.by_segment[i]));
    json_object_set_new(sex, "L", count(st.by_sex[0]));
    json_object_set_new(sex, "P", count(st.by_sex[1]));
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (st.by_reason[c] != 0)
            json_object_set_new(why, pk_code_name(c), count(st.by_reason[c]));
    json_t *body = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "region",
                             pk_json_region(st.region), "total", count(st.total), "eligible",
                             count(st.eligible), "not_eligible", count(st.not_eligible),
                             "by_segment", seg, "by_sex", sex, "by_reason", why);
    if (body != NULL && st.min_count > 0)
        json_object_set_new(body, "hidden_below", json_integer(st.min_count));
    pk_reply_json(resp, 200, body);
}
