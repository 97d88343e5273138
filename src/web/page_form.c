/* page_form.c -- posted-form reading shared by the portal pages (a
 * refusal on a staff page answers in the staff layout). */
#include "web/page_form.h"

#include <string.h>

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
