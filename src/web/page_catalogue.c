/* page_catalogue.c -- /katalog: the training catalogue on the staff
 * pages (every staff role: the catalogue is public data, also at GET
 * /api/v1/courses), a page of 50 courses at a time in id order
 * (?setelah=ID), and how to fill it: `prakerja import courses FILE`, or
 * for an admin the file's text pasted into a form (POST /katalog, within
 * the server's max_body), imported by the same code (app/catalogue.c:
 * pk_catalogue_import, audited as the admin), its summary and rejected
 * lines shown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "app/catalogue.h"
#include "app/operator.h"
#include "core/money.h"
#include "web/html.h"
#include "web/page_form.h"
#include "web/session.h"
#include "web/web.h"

#define REJECTS_SHOWN 20

/* The outcome of a pasted import, for the page. */
typedef struct imported {
    bool done;
    pk_course_summary sum;
    const char *error;        /* beside the text field */
    char reject_lines[REJECTS_SHOWN][96];   /* "baris 5: harga_tidak_valid" */
    size_t nrejects;
} imported;

/* Imports the pasted text through a memory file (the import reads an
 * fd); the rejects file is a temporary one whose lines' last two columns
 * (baris, alasan) are kept for the page.  false: the store failed. */
static bool import_text(const pk_app *app, pk_req *req, const char *text, imported *im)
{
    char actor[PK_ACTOR_MAX], err[256];
    pk_staff_actor(req->who, actor);
    int fd = memfd_create("katalog", MFD_CLOEXEC);
    FILE *rej = tmpfile();
    size_t len = strlen(text);
    bool ok = fd >= 0 && rej != NULL && write(fd, text, len) == (ssize_t)len &&
              lseek(fd, 0, SEEK_SET) == 0;
    int rc = ok ? pk_catalogue_import(app, fd, actor, rej, &im->sum, err, sizeof(err)) : PK_EIO;
    if (fd >= 0)
        close(fd);
    if (rc == PK_EINVAL) {
        im->error = "Baris pertama harus judul kolom: " PK_COURSE_COLUMNS ".";
    } else if (rc == 0) {
        im->done = true;
        char line[4096];
        rewind(rej);
        bool header = true;
        while (im->nrejects < REJECTS_SHOWN && fgets(line, sizeof(line), rej) != NULL) {
            if (header) {
                header = false;
                continue;
            }
            line[strcspn(line, "\r\n")] = '\0';
            char *why = strrchr(line, ',');
            if (why == NULL)
                continue;
            *why++ = '\0';
            char *at = strrchr(line, ',');
            snprintf(im->reject_lines[im->nrejects++], sizeof(im->reject_lines[0]),
                     "baris %.12s: %.60s", at ? at + 1 : "?", why);
        }
    }
    if (rej != NULL)
        fclose(rej);
    return rc == 0 || rc == PK_EINVAL;
}

static void import_form(const pk_app *app, const pk_req *req, pk_resp *resp, const char *text,
                        const imported *im)
{
    pk_buf *b = &resp->body;
    if (im->done) {
        pk_buf_printf(b, "<div class=\"result ok\" role=\"status\" data-imported "
                         "data-rows=\"%ld\" data-inserted=\"%ld\" data-updated=\"%ld\" "
                         "data-unchanged=\"%ld\" data-rejected=\"%ld\">\n<p>Impor selesai: ",
                      im->sum.rows, im->sum.inserted, im->sum.updated, im->sum.unchanged,
                      im->sum.rejected);
        pk_html_count(b, im->sum.rows);
        pk_buf_adds(b, " baris, ");
        pk_html_count(b, im->sum.inserted);
        pk_buf_adds(b, " baru, ");
        pk_html_count(b, im->sum.updated);
        pk_buf_adds(b, " diperbarui, ");
        pk_html_count(b, im->sum.unchanged);
        pk_buf_adds(b, " tidak berubah, ");
        pk_html_count(b, im->sum.rejected);
        pk_buf_adds(b, " ditolak.</p>\n");
        if (im->nrejects > 0) {
            pk_buf_adds(b, "<ul class=\"reasons\">\n");
            for (size_t i = 0; i < im->nrejects; i++) {
                pk_buf_adds(b, "<li data-reject>");
                pk_html_esc(b, im->reject_lines[i]);
                pk_buf_adds(b, "</li>\n");
            }
            pk_buf_adds(b, "</ul>\n");
            if (im->sum.rejected > (long)im->nrejects)
                pk_buf_printf(b, "<p class=\"small\">Hanya %d penolakan pertama yang "
                                 "ditampilkan.</p>\n",
                              REJECTS_SHOWN);
        }
        pk_buf_adds(b, "</div>\n");
    }
    if (im->error != NULL) {
        const char *fields[1] = {"csv"}, *msgs[1] = {im->error};
        pk_html_error_summary(b, fields, msgs, 1);
    }
    pk_buf_adds(b, "<form method=\"post\" action=\"/katalog\" class=\"import\" novalidate>\n");
    pk_web_csrf_field(app, req, resp);
    pk_buf_printf(b, "<div class=\"field%s\">\n<label for=\"csv\">Isi berkas CSV</label>\n"
                     "<p class=\"hint\" id=\"csv-hint\">Tempel isi berkas, termasuk baris judul "
                     "kolom. Berkas besar diimpor lewat baris perintah.</p>\n",
                  im->error ? " invalid" : "");
    if (im->error != NULL) {
        pk_buf_adds(b, "<p class=\"field-error\" id=\"csv-error\">");
        pk_html_esc(b, im->error);
        pk_buf_adds(b, "</p>\n");
    }
    pk_buf_printf(b, "<textarea id=\"csv\" name=\"csv\" rows=\"8\" spellcheck=\"false\" "
                     "aria-describedby=\"csv-hint%s\">",
                  im->error ? " csv-error" : "");
    pk_html_esc(b, text && !im->done ? text : "");
    pk_buf_adds(b, "</textarea>\n</div>\n<button type=\"submit\">Impor</button>\n</form>\n");
}

#define PAGE_SIZE 50

static const char *mode_label(const char *m)
{
    if (strcmp(m, "webinar") == 0)
        return "Webinar";
    if (strcmp(m, "mandiri") == 0)
        return "Belajar mandiri";
    if (strcmp(m, "luring") == 0)
        return "Luring (tatap muka)";
    return m;
}

typedef struct rows_ctx {
    pk_buf *b;
    size_t n;
} rows_ctx;

static int course_row(void *ctx, const pk_course_view *c)
{
    rows_ctx *r = ctx;
    pk_buf *b = r->b;
    char price[32];
    pk_rupiah_format(c->price, price);
    pk_buf_printf(b, "<tr data-course=\"%lld\"><th scope=\"row\" data-label=\"Judul\">",
                  (long long)c->id);
    pk_html_esc(b, c->title);
    pk_buf_adds(b, "</th><td data-label=\"Platform\">");
    pk_html_esc(b, c->platform);
    pk_buf_adds(b, "</td><td data-label=\"Kode\"><code>");
    pk_html_esc(b, c->course_ref);
    pk_buf_adds(b, "</code></td><td data-label=\"LPK\">");
    pk_html_esc(b, c->provider);
    pk_buf_printf(b, "</td><td data-label=\"Harga\" data-cell data-price=\"%lld\">%s</td>"
                     "<td data-label=\"Mode\">%s</td></tr>\n",
                  (long long)c->price, price, mode_label(c->mode));
    r->n++;
    return 0;
}

void pk_page_catalogue(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    bool posted = strcmp(req->method, "POST") == 0;
    bool admin = req->who != NULL && (req->who->role & PK_ROLE_ADMIN) != 0;
    imported im;
    memset(&im, 0, sizeof(im));
    const char *text = posted ? pk_form_get(&f, "csv") : NULL;
    int status = 200;
    if (posted) {
        if (text == NULL || strspn(text, " \t\r\n") == strlen(text)) {
            im.error = "Tempel isi berkas CSV, termasuk baris judul kolom.";
        } else if (!import_text(app, req, text, &im)) {
            pk_html_staff_error(app, req, resp, 503, "Layanan sibuk",
                                "Katalog belum dapat disimpan. Silakan coba lagi sebentar lagi.");
            return;
        }
        if (im.error != NULL)
            status = 422;
    }
    const char *q = pk_req_query(req, "setelah");
    int64_t after = 0;
    if (q != NULL && q[0] != '\0') {
        size_t n = strlen(q);
        if (n > 18 || strspn(q, "0123456789") != n) {
            pk_html_staff_error(app, req, resp, 400, "Alamat halaman tidak valid",
                                "Parameter setelah harus bilangan bulat 0 atau lebih.");
            return;
        }
        after = strtoll(q, NULL, 10);
    }
    pk_buf rows;
    pk_buf_init(&rows, 4u << 20);
    rows_ctx r = {.b = &rows};
    int64_t next = 0;
    int rc = pk_catalogue_page(app, after, PAGE_SIZE, course_row, &r, &next);
    if (rc != 0 || pk_buf_failed(&rows)) {
        pk_buf_free(&rows);
        pk_html_staff_error(app, req, resp, 503, "Layanan sibuk",
                            "Data belum dapat dibaca. Silakan coba lagi sebentar lagi.");
        return;
    }
    pk_buf *b = &resp->body;
    pk_html_staff_begin(app, req, resp, "Katalog pelatihan", "/katalog");
    pk_buf_adds(b, "<h1>Katalog pelatihan</h1>\n");
    if (posted)
        import_form(app, req, resp, text, &im);
    if (r.n == 0) {
        pk_buf_printf(b, "<p data-courses=\"0\">%s</p>\n",
                      after ? "Tidak ada pelatihan lagi." : "Katalog masih kosong.");
    } else {
        pk_buf_printf(b, "<table class=\"results cards\" data-courses=\"%zu\">\n<caption>"
                         "Pelatihan %s</caption>\n<thead><tr><th scope=\"col\">Judul</th>"
                         "<th scope=\"col\">Platform</th><th scope=\"col\">Kode</th>"
                         "<th scope=\"col\">LPK</th><th scope=\"col\" class=\"num\">Harga</th>"
                         "<th scope=\"col\">Mode</th></tr></thead>\n<tbody>\n",
                      r.n, after ? "(lanjutan)" : "");
        pk_buf_add(b, rows.data, rows.len);
        pk_buf_adds(b, "</tbody>\n</table>\n");
    }
    pk_buf_adds(b, "<nav class=\"pages\" aria-label=\"Halaman katalog\"><p>");
    if (after)
        pk_buf_adds(b, "<a href=\"/katalog\">Halaman pertama</a>");
    if (next)
        pk_buf_printf(b, "%s<a href=\"/katalog?setelah=%lld\" rel=\"next\">Halaman "
                         "berikutnya</a>",
                      after ? " · " : "", (long long)next);
    pk_buf_adds(b, "</p></nav>\n");
    pk_buf_adds(b, "<section class=\"card\" aria-labelledby=\"impor\">\n<h2 id=\"impor\">Mengisi "
                   "katalog</h2>\n<p>Katalog diisi dari berkas CSV (UTF-8, baris judul) "
                   "dengan kolom <code>" PK_COURSE_COLUMNS "</code>; <code>harga</code> dalam "
                   "Rupiah tanpa pemisah, <code>mode</code> salah satu dari <code>webinar</code>, "
                   "<code>mandiri</code>, <code>luring</code>. Pelatihan dengan platform dan "
                   "kode yang sama diperbarui. Di server, jalankan:</p>\n"
                   "<pre><code>prakerja import courses BERKAS.csv --rejects DITOLAK.csv"
                   "</code></pre>\n<p class=\"small\">Baris yang ditolak ditulis ke berkas "
                   "DITOLAK.csv beserta nomor baris dan alasannya. Katalog yang sama tersedia "
                   "untuk umum di <code>GET /api/v1/courses</code>.</p>\n");
    if (admin && !posted) {
        pk_buf_adds(b, "<p>Administrator dapat juga menempelkan isi berkas yang kecil di "
                       "sini:</p>\n");
        import_form(app, req, resp, NULL, &im);
    }
    pk_buf_adds(b, "</section>\n");
    pk_buf_free(&rows);
    pk_html_staff_finish(resp, status);
}
