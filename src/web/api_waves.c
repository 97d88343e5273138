/* api_waves.c -- the waves of this deployment: GET /api/v1/waves, every
 * wave as `prakerja wave list` gives it (public: number, scheme, instants,
 * quotas, balance cut-off, state);
 * and POST /api/v1/waves/{n}/applications: a signed-in resident joins
 * wave n (issue #14; the same join as the button on Akun saya:
 * app/wave.h's pk_wave_join_self).  The resident
 * is the one of the session cookie (page_account.c, pk_web_resident:
 * SameSite=Lax, so another site's POST never carries it), and the body
 * must be JSON (a form posted across sites cannot be). */
#include <stdbool.h>
#include <time.h>

#include "app/wave.h"
#include "web/form.h"
#include "web/web.h"

static int add_wave(void *ctx, json_t *wave)
{
    return json_array_append_new(ctx, wave) == 0 ? 0 : PK_ENOMEM;
}

void pk_api_waves(const pk_app *app, pk_req *req, pk_resp *resp)
{
    (void)req;
    json_t *all = json_array();
    int rc = all == NULL ? PK_ENOMEM : pk_wave_list(app, add_wave, all);
    if (rc != 0) {
        json_decref(all);
        pk_reply_error(resp, 503, "layanan_sibuk", "Layanan sedang sibuk. Coba lagi.", NULL);
        return;
    }
    pk_reply_json(resp, 200, json_pack("{s:o}", "gelombang", all));
}

void pk_api_wave_apply(const pk_app *app, pk_req *req, pk_resp *resp)
{
    int64_t wave;
    if (req->nparams < 1 || !pk_form_positive(req->params[0], &wave)) {
        pk_reply_error(resp, 404, "gelombang_tidak_dikenal",
                       pk_code_message(PK_C_GELOMBANG_TIDAK_DIKENAL), NULL);
        return;
    }
    pk_resident who;
    int rc = pk_web_resident(app, req, &who);
    if (rc == PK_EIO) {
        pk_reply_error(resp, 503, "layanan_sibuk", "Layanan sedang sibuk. Coba lagi.", NULL);
        return;
    }
    if (rc != 0) {
        /* the resident's credential is the session of /akun/masuk */
        pk_resp_header(resp, "WWW-Authenticate", "Session realm=\"prakerja-warga\"");
        pk_reply_error(resp, 401, "belum_masuk",
                       "Masuk dulu di Akun saya (/akun/masuk) dengan NIK dan kode.", NULL);
        return;
    }
    json_t *body = pk_read_json_object(req, resp);
    if (body == NULL)
        return;
    json_decref(body);
    pk_code why;
    bool before;
    rc = pk_wave_join_self(app, wave, who.participant_id, (int64_t)time(NULL), "api", false,
                           &why, &before);
    if (rc == 0) {
        pk_reply_json(resp, before ? 200 : 201,
                      json_pack("{s:I, s:s, s:b}", "gelombang", (json_int_t)wave, "status",
                                "pendaftar", "sudah_sebelumnya", before));
        return;
    }
    if (rc == PK_ENOENT || rc == PK_EDENIED) {
        pk_code c = rc == PK_ENOENT ? PK_C_GELOMBANG_TIDAK_DIKENAL : why;
        pk_reply_error(resp, rc == PK_ENOENT ? 404 : 409, pk_code_name(c), pk_code_message(c),
                       NULL);
        return;
    }
    if (pk_web_disk_full(app, rc)) {
        pk_reply_disk_full(app, resp, true);
        return;
    }
    pk_reply_error(resp, 503, "layanan_sibuk", "Layanan sedang sibuk. Coba lagi.", NULL);
}
