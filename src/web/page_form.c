/* page_form.c -- posted-form reading shared by the portal pages (a
 * refusal on a staff page answers in the staff layout). */
#include "web/page_form.h"

#include <string.h>

#include "core/ident.h"
#include "web/html.h"
#include "web/session.h"

bool pk_page_read_form(const pk_app *app, pk_req *req, pk_resp *resp, pk_form *f)
{
    memset(f, 0, sizeof(*f));
    if (strcmp(req->method, "POST") != 0)
        return true;
    char ct[64];
    pk_req_content_type(req, ct, sizeof(ct));
    if (strcmp(ct, "application/x-www-form-urlencoded") != 0) {
        pk_html_staff_error(app, req, resp, 415, "Format tidak didukung",
                            "Formulir harus dikirim sebagai application/x-www-form-urlencoded.");
        return false;
    }
    int rc = pk_form_parse(req->body, req->body_len, f);
    /* The decoded fields may be personal data: the request owns them
     * from here, and wipes them when it ends (pk_req_adopt). */
    if (pk_req_adopt(req, f->storage, f->storage ? req->body_len + 1 : 0) != 0) {
        memset(f, 0, sizeof(*f));
        pk_html_staff_error(app, req, resp, 503, "Layanan sibuk",
                            "Formulir belum dapat diproses. Silakan coba lagi sebentar lagi.");
        return false;
    }
    f->storage = NULL;
    if (rc != 0) {
        memset(f, 0, sizeof(*f));
        pk_html_staff_error(app, req, resp, 400, "Formulir rusak",
                            "Isian formulir tidak dapat dibaca. Silakan isi ulang formulirnya.");
        return false;
    }
    /* Every posted form carries a CSRF token (session.h): a form posted
     * from another site, or without its token, changes nothing. */
    if (!pk_web_csrf_ok(app, req, pk_form_get(f, PK_CSRF_FIELD))) {
        memset(f, 0, sizeof(*f));
        pk_html_staff_error(app, req, resp, 403, "Formulir kedaluwarsa",
                            "Formulir ini tidak dapat diproses karena tanda keamanannya hilang "
                            "atau tidak cocok. Muat ulang halaman, lalu kirim ulang formulirnya.");
        return false;
    }
    return true;
}

/* Per field: the form's label words when nothing was given, and the
 * sentence for a value that breaks the field's rule. */
static const struct {
    const char *empty;
    const char *wrong;
} field_msgs[PK_F__COUNT] = {
    [PK_F_NIK] = {"NIK wajib diisi.",
                  "NIK harus 16 angka seperti tertulis di KTP, dan 4 angka terakhirnya bukan "
                  "0000."},
    [PK_F_NO_KK] = {"Nomor Kartu Keluarga wajib diisi.",
                    "Nomor Kartu Keluarga harus 16 angka seperti tertulis di Kartu Keluarga."},
    [PK_F_NAMA] = {"Nama lengkap wajib diisi.", NULL},
    [PK_F_TANGGAL_LAHIR] = {"Tanggal lahir wajib diisi.", PK_DATE_INVALID_MSG},
    [PK_F_JENIS_KELAMIN] = {"Pilih jenis kelamin.", "Pilih jenis kelamin dari daftar."},
    [PK_F_NO_HP] = {"Nomor HP wajib diisi.",
                    "Nomor HP harus nomor seluler Indonesia, misalnya 0812 3456 7890."},
    [PK_F_EMAIL] = {NULL, "Alamat e-mail tidak valid. Contoh yang benar: nama@contoh.id."},
    [PK_F_KODE_WILAYAH] = {"Pilih kelurahan domisili.", "Pilih kelurahan domisili dari daftar."},
    [PK_F_ALAMAT] = {NULL, NULL},
    [PK_F_PENDIDIKAN] = {NULL, "Pilih pendidikan terakhir dari daftar."},
    [PK_F_SEGMEN] = {"Pilih status kerja.", "Pilih status kerja dari daftar."},
    [PK_F_PEKERJAAN] = {NULL, "Pilih pekerjaan saat ini dari daftar."},
};

const char *pk_form_field_message(pk_field f, pk_code c, bool empty)
{
    if ((unsigned)f >= PK_F__COUNT)
        return pk_code_message(c);
    if (empty && field_msgs[f].empty)
        return field_msgs[f].empty;
    /* Only a value that breaks the field's own format rule gets the
     * form's sentence; a reason about the value's meaning (the NIK's
     * birth date, an area outside the service) keeps the table's. */
    switch (c) {
    case PK_C_NIK_FORMAT:
    case PK_C_KK_FORMAT:
    case PK_C_TANGGAL_LAHIR_INVALID:
    case PK_C_JENIS_KELAMIN_INVALID:
    case PK_C_NO_HP_INVALID:
    case PK_C_EMAIL_INVALID:
    case PK_C_WILAYAH_TIDAK_DIKENAL:
    case PK_C_PENDIDIKAN_INVALID:
    case PK_C_SEGMEN_INVALID:
    case PK_C_PEKERJAAN_INVALID:
        if (field_msgs[f].wrong)
            return field_msgs[f].wrong;
        break;
    default:
        break;
    }
    return pk_code_message(c);
}

const char *pk_form_id16(pk_req *req, const char *v)
{
    char digits[17];
    if (v == NULL || !pk_digits16(v, digits) || strcmp(digits, v) == 0)
        return v;
    char *s = pk_req_scratch(req, sizeof digits);
    if (s == NULL)
        return v;
    memcpy(s, digits, sizeof digits);
    return s;
}

const char *pk_form_count(pk_req *req, const char *v)
{
    if (v == NULL)
        return NULL;
    size_t n = strlen(v), lead = strcspn(v, ".");
    /* 1-3 digits, then groups of a dot and 3 digits, at least one */
    if (lead == 0 || lead > 3 || lead == n || strspn(v, "0123456789") != lead)
        return v;
    for (size_t i = lead; i < n; i += 4)
        if (v[i] != '.' || i + 4 > n || strspn(v + i + 1, "0123456789") < 3)
            return v;
    char *s = pk_req_scratch(req, n + 1);
    if (s == NULL)
        return v;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] != '.')
            s[k++] = v[i];
    s[k] = '\0';
    return s;
}

const char *pk_form_wib_instant(pk_req *req, const char *v)
{
    if (v == NULL)
        return NULL;
    size_t n = strlen(v);
    bool shape = (n == 16 || n == 19) && v[4] == '-' && v[7] == '-' && v[10] == 'T' &&
                 v[13] == ':' && (n == 16 || v[16] == ':');
    if (!shape)
        return v;
    char *s = pk_req_scratch(req, 32);
    if (s == NULL)
        return v;
    snprintf(s, 32, "%.*s%s+07:00", (int)n, v, n == 16 ? ":00" : "");
    return s;
}
