/* page_unsubscribe.c -- the one-click unsubscribe of reminder e-mails
 * (app/unsubscribe.h, RFC 8058), without a session:
 *
 *   GET  /berhenti/{ref}  a page that says what stopping means, with a
 *                           button (a GET never changes anything: mail
 *                           scanners open links);
 *   POST /berhenti/{ref}  stops the purpose: what a mail client's
 *                           one-click sends (body List-Unsubscribe=One-Click)
 *                           and what the button posts.
 * The token is the authority (signed; it names the participant's id and
 * the purpose, never a NIK); a token not ours is 404 and changes nothing.
 * The access log has the route pattern, never the token; the answers are
 * not cached. */
#include <string.h>

#include "app/remind.h"
#include "app/unsubscribe.h"
#include "web/html.h"
#include "web/web.h"

/* How to have them again: Akun saya's button too (an outside review
 * found it left out). */
#define RESTART                                                                              \
    "Untuk menerimanya kembali, pilih Terima lagi di <a href=\"/akun\">Akun saya</a>, balas "   \
    "MULAI pada pesan WhatsApp atau SMS kami, atau hubungi petugas."

static const char *purpose_words(pk_purpose p)
{
    return p == PK_PURPOSE_PROGRAM
               ? "pengingat tentang kewajiban dan saldo Kartu Prakerja Anda (batas pembelian "
                 "pelatihan, insentif, survei)"
               : "informasi Kartu Prakerja (misalnya gelombang pendaftaran yang dibuka)";
}

void pk_page_unsubscribe(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const char *token = req->nparams > 0 ? req->params[0] : "";
    int64_t id;
    pk_purpose p;
    if (pk_unsub_check(app, token, &id, &p) != 0) {
        pk_html_error_page(app, resp, 404, "Tautan tidak dikenal",
                           "Tautan berhenti berlangganan ini tidak dikenal. Periksa kembali "
                           "tautan di e-mail Anda.");
        return;
    }
    pk_buf *b = &resp->body;
    if (strcmp(req->method, "POST") != 0) {
        /* as it stands: a link opened again after stopping says so (an
         * outside review was asked again to stop) */
        bool stopped[PK_PURPOSE__COUNT] = {0};
        bool already = pk_remind_consent_of(app, id, stopped) == 0 && stopped[p];
        pk_html_begin(b, "Berhenti menerima pengingat", "");
        if (already) {
            pk_buf_adds(b, "<h1>Sudah dihentikan</h1>\n<p data-stopped>Anda sudah tidak "
                           "menerima ");
            pk_html_esc(b, purpose_words(p));
            pk_buf_adds(b, ". " RESTART "</p>\n");
        } else {
            pk_buf_adds(b, "<h1>Berhenti menerima pengingat</h1>\n<p>Anda akan berhenti "
                           "menerima ");
            pk_html_esc(b, purpose_words(p));
            pk_buf_adds(b, " melalui WhatsApp, SMS, dan e-mail.</p>\n");
            if (p == PK_PURPOSE_PROGRAM)
                pk_buf_adds(b, "<p>Tanpa pengingat ini, batas pembelian pelatihan atau "
                               "penggunaan saldo yang terlewat dapat membuat kepesertaan "
                               "dicabut atau saldo hangus.</p>\n");
            pk_buf_adds(b, "<form method=\"post\"><button type=\"submit\">Berhenti</button>"
                           "</form>\n");
        }
        pk_html_finish(resp, 200, false);
        return;
    }
    bool changed = false;
    char err[128];
    int rc = pk_unsub_apply(app, token, "public", &changed, &p, err, sizeof err);
    if (rc == PK_ENOENT) {
        pk_html_error_page(app, resp, 404, "Tautan tidak dikenal",
                           "Data peserta untuk tautan ini tidak ditemukan.");
        return;
    }
    if (rc == PK_ENOSPC) {
        pk_reply_disk_full(app, resp, false);
        return;
    }
    if (rc != 0) {
        pk_html_error_page(app, resp, 503, "Coba lagi nanti",
                           "Permintaan Anda belum dapat diproses. Silakan coba lagi nanti.");
        return;
    }
    pk_html_begin(b, "Berhenti menerima pengingat", "");
    pk_buf_adds(b, "<h1>Permintaan Anda sudah dicatat</h1>\n<p data-changed=\"");
    pk_buf_adds(b, changed ? "1" : "0");
    pk_buf_adds(b, "\">Anda tidak akan menerima ");
    pk_html_esc(b, purpose_words(p));
    pk_buf_adds(b, " lagi. " RESTART "</p>\n");
    pk_html_finish(resp, 200, false);
}
