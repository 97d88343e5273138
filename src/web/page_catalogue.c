/* page_catalogue.c -- /katalog: the training catalogue on the staff
 * pages (every staff role: the catalogue is public data, also at GET
 * /api/v1/courses), a page of 50 courses at a time in id order
 * (?setelah=ID), and how to fill it: `prakerja import courses FILE`
 * (app/catalogue.c; a file upload is not offered here). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/catalogue.h"
#include "core/money.h"
#include "web/html.h"
#include "web/web.h"

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
                   "untuk umum di <code>GET /api/v1/courses</code>.</p>\n</section>\n");
    pk_buf_free(&rows);
    pk_html_staff_finish(resp, 200);
}
