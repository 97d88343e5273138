/* page_eligibility.c -- the eligibility self-check: a form that answers
 * with every reason in plain Indonesian and keeps what was typed.  It
 * calls the same use case as POST /api/v1/eligibility. */
#include <string.h>

#include "core/eligibility.h"
#include "web/html.h"
#include "web/page_form.h"
#include "web/session.h"
#include "web/web.h"

static void scheme_options(const pk_app *app, pk_html_option *opts, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < app->schemes.count && *n < PK_SCHEMES_MAX; i++) {
        opts[*n].value = app->schemes.items[i].id;
        opts[*n].label = app->schemes.items[i].name;
        (*n)++;
    }
}

void pk_page_eligibility(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    bool posted = strcmp(req->method, "POST") == 0;
    const char *skema = pk_form_get(&f, "skema");
    const char *lahir = pk_form_get(&f, "tanggal_lahir");
    const char *kerja = pk_form_get(&f, "pekerjaan");
    bool bansos = pk_form_get(&f, "bansos") != NULL;
    bool pernah = pk_form_get(&f, "pernah_menerima") != NULL;
    if (skema == NULL || skema[0] == '\0')
        skema = app->schemes.current;

    const char *err_lahir = NULL, *err_kerja = NULL, *err_skema = NULL;
    pk_eligibility_result res;
    int rc = -1;
    if (posted) {
        pk_participant_input in = {0};
        unsigned given = 0;
        if (lahir && lahir[0]) {
            in.v[PK_F_TANGGAL_LAHIR] = lahir;
            in.len[PK_F_TANGGAL_LAHIR] = strlen(lahir);
            given |= 1u << PK_F_TANGGAL_LAHIR;
        }
        if (kerja && kerja[0]) {
            in.v[PK_F_PEKERJAAN] = kerja;
            in.len[PK_F_PEKERJAAN] = strlen(kerja);
            given |= 1u << PK_F_PEKERJAAN;
        }
        unsigned lists = (bansos ? PK_LIST_DTKS : 0) | (pernah ? PK_LIST_PENERIMA_SEBELUMNYA : 0);
        rc = pk_app_check_eligibility(app, skema, pk_app_today(), &in, given, lists, &res);
        if (rc == PK_ENOENT)
            err_skema = "Pilih salah satu skema yang tersedia.";
        if (rc == PK_EINVAL) {
            if (res.missing & (1u << PK_F_TANGGAL_LAHIR))
                err_lahir = "Tanggal lahir wajib diisi.";
            if (res.field_errors & PK_CODEBIT(PK_C_TANGGAL_LAHIR_INVALID))
                err_lahir = PK_DATE_INVALID_MSG;
            if (res.field_errors & PK_CODEBIT(PK_C_PEKERJAAN_INVALID))
                err_kerja = "Pilih pekerjaan dari daftar.";
        }
    }

    pk_buf *b = &resp->body;
    pk_html_begin(b, "Cek Kelayakan", "/cek-kelayakan");
    pk_buf_adds(b, "<h1>Cek kelayakan</h1>\n<p class=\"lead\">Jawab beberapa pertanyaan untuk "
                   "mengetahui apakah Anda memenuhi syarat Kartu Prakerja. Hasil ini hanya "
                   "perkiraan: keputusan akhir ada pada seleksi resmi setelah gelombang "
                   "ditutup.</p>\n");

    if (posted && rc == 0) {
        bool ok = res.reasons == 0;
        pk_buf_printf(b, "<section class=\"result %s\" role=\"status\" aria-live=\"polite\">\n"
                         "<h2>%s</h2>\n",
                      ok ? "ok" : "no",
                      ok ? "Anda memenuhi syarat" : "Anda belum memenuhi syarat");
        /* the scheme's name starts with "Skema": not "skema Skema 2021" */
        pk_buf_adds(b, "<p>Menurut <strong>");
        pk_html_esc(b, res.scheme->name);
        pk_buf_adds(b, "</strong>");
        if (ok)
            pk_buf_adds(b, ", Anda dapat mendaftar dan mengikuti seleksi gelombang.</p>\n"
                           "<p class=\"actions\"><a class=\"button\" href=\"/daftar\">"
                           "Lanjutkan ke pendaftaran</a></p>\n");
        else {
            pk_buf_adds(b, ", alasannya:</p>\n<ul>\n");
            for (pk_code c = 0; c < PK_C__COUNT; c++)
                if (res.reasons & PK_CODEBIT(c)) {
                    char why[256];
                    pk_buf_printf(b, "<li data-code=\"%s\">", pk_code_name(c));
                    pk_html_esc(b, pk_eligibility_reason(c, res.scheme, why, sizeof(why)));
                    pk_buf_adds(b, "</li>\n");
                }
            pk_buf_adds(b, "</ul>\n<p>Selama alasan di atas masih berlaku, Anda tidak akan "
                           "lolos seleksi, walaupun sudah mendaftar. Jika keadaan Anda berubah "
                           "(misalnya usia atau pekerjaan), periksa lagi; bila menurut Anda "
                           "hasil ini keliru, Anda tetap dapat <a href=\"/daftar\">mendaftar</a> "
                           "dan hasil akhir ditentukan saat seleksi.</p>\n");
        }
        pk_buf_adds(b, "</section>\n");
    } else if (posted) {
        const char *fields[3], *msgs[3];
        size_t n = 0;
        if (err_skema) { fields[n] = "skema"; msgs[n++] = err_skema; }
        if (err_lahir) { fields[n] = "tanggal_lahir"; msgs[n++] = err_lahir; }
        if (err_kerja) { fields[n] = "pekerjaan"; msgs[n++] = err_kerja; }
        pk_html_error_summary(b, fields, msgs, n);
    }

    pk_html_option sopts[PK_SCHEMES_MAX];
    size_t ns;
    scheme_options(app, sopts, &ns);
    pk_html_option jobs[PK_JOB__COUNT];
    jobs[0] = (pk_html_option){"", "Pilih pekerjaan"};
    for (int j = 1; j < PK_JOB__COUNT; j++)
        jobs[j] = (pk_html_option){pk_occupation_name(j), pk_occupation_label(j)};

    pk_buf_adds(b, "<form method=\"post\" action=\"/cek-kelayakan\" novalidate>\n");
    pk_web_csrf_field(app, req, resp);
    pk_html_radios(b, "skema", "Skema", sopts, ns, skema,
                   "Skema yang berlaku untuk gelombang yang Anda ikuti.", err_skema);
    pk_html_input(b, "tanggal_lahir", "Tanggal lahir", "date", lahir, PK_DATE_HINT, err_lahir,
                  true);
    pk_html_select(b, "pekerjaan", "Pekerjaan saat ini", jobs, PK_JOB__COUNT, kerja,
                   NULL, err_kerja, false);
    pk_buf_adds(b, "<fieldset><legend>Keterangan lain</legend>\n");
    pk_html_checkbox(b, "bansos",
                     "Saya terdaftar sebagai penerima bantuan sosial lain (DTKS termasuk PKH "
                     "dan BPNT, BSU, atau BPUM).",
                     bansos);
    pk_html_checkbox(b, "pernah_menerima", "Saya pernah menjadi penerima Kartu Prakerja.",
                     pernah);
    pk_buf_adds(b, "</fieldset>\n<button type=\"submit\">Periksa</button>\n</form>\n");
    /* never cached: the form carries this browser's CSRF token */
    pk_html_finish(resp, posted && rc != 0 ? 422 : 200, false);
}
