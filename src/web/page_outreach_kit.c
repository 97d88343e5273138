/* page_outreach_kit.c -- an outreach event's printed matter (issue #15):
 * its QR code as SVG (/acara/{id}/qr.svg), and the one-page kit as a
 * page that prints on one A4 sheet (/acara/{id}/kit: the poster with the
 * title, date and place, the large QR code and the short link, the
 * programme's steps and the anti-scam warning) and as a PDF generated
 * here with libharu (/acara/{id}/kit.pdf: the same text, the QR code
 * drawn as vector squares from libqrencode's matrix).  Staff of the
 * event's region only (app/outreach.c: outside it the event does not
 * exist).  The steps' numbers come from the current scheme
 * (data/schemes.ini), as on the front page. */
#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/outreach.h"
#include "core/date.h"
#include "core/ident.h"
#include "core/money.h"
#include "core/qr.h"
#include "web/html.h"
#include "web/web.h"

/* The event of /acara/{id}/... in the caller's scope, or an error page
 * written and false. */
static bool event_in_scope(const pk_app *app, pk_req *req, pk_resp *resp, pk_outreach *e)
{
    int64_t id;
    char scope[PK_REGION_CODE_MAX];
    pk_auth_scope(req->who, scope);
    int rc = pk_event_id_param(req, &id) ? pk_outreach_get(app, id, scope, e) : PK_ENOENT;
    if (rc == 0)
        return true;
    if (rc == PK_ENOENT)
        pk_html_staff_error(app, req, resp, 404, "Acara tidak ditemukan",
                            "Acara tersebut tidak ada di wilayah Anda.");
    else
        pk_html_staff_error(app, req, resp, 503, "Layanan sibuk",
                            "Data belum dapat dibaca. Silakan coba lagi sebentar lagi.");
    return false;
}

static bool event_qr(const pk_app *app, const pk_req *req, pk_resp *resp, const pk_outreach *e,
                     pk_qr *qr)
{
    if (pk_outreach_qr(app, e->code, qr) == 0)
        return true;
    pk_html_staff_error(app, req, resp, 500, "Kode QR gagal dibuat",
                        "Kode QR acara ini tidak dapat dibuat.");
    return false;
}

void pk_page_event_qr(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_outreach e;
    pk_qr qr;
    if (!event_in_scope(app, req, resp, &e) || !event_qr(app, req, resp, &e, &qr))
        return;
    char url[PK_OUTREACH_URL_MAX];
    pk_outreach_url(app, e.code, url);
    pk_qr_svg(&qr, url, &resp->body);
    pk_qr_free(&qr);
    resp->status = 200;
    resp->content_type = "image/svg+xml";
}

/* ---- the kit's text, shared by the page and the PDF ------------------------ */

#define STEPS 7
/* The programme's steps as the front page tells them (page_home.c), with
 * the current scheme's numbers; step i into out. */
static void step(const pk_app *app, int i, char *out, size_t cap)
{
    const pk_scheme *s = pk_schemes_current(&app->schemes);
    char balance[32];
    pk_rupiah_format(s->training_balance, balance);
    switch (i) {
    case 0:
        snprintf(out, cap, "Daftar: pindai kode QR atau buka tautan di bawahnya, lalu isi NIK, "
                           "nomor KK, tanggal lahir, nomor HP, dan kelurahan domisili.");
        break;
    case 1:
        snprintf(out, cap, "Ikuti tes motivasi dan kemampuan dasar, lalu gabung gelombang.");
        break;
    case 2:
        snprintf(out, cap, "Tunggu seleksi setelah gelombang ditutup. Seleksi bukan siapa cepat "
                           "dia dapat: data diverifikasi, lalu diundi sesuai kuota.");
        break;
    case 3:
        snprintf(out, cap, "Lolos? Anda menerima nomor Kartu Prakerja 16 angka dan saldo "
                           "pelatihan %s.", balance);
        break;
    case 4:
        snprintf(out, cap, "Beli pelatihan pertama dalam %d hari di platform digital mitra. "
                           "Jika tidak, kepesertaan dicabut dan saldo kembali ke negara.",
                 s->purchase_deadline_days);
        break;
    case 5:
        snprintf(out, cap, "Selesaikan pelatihan, beri ulasan dan rating, lalu dapatkan "
                           "sertifikat.");
        break;
    default:
        snprintf(out, cap, "Terima insentif ke rekening bank atau dompet digital atas NIK dan "
                           "nomor HP Anda sendiri, lalu isi survei kebekerjaan.");
        break;
    }
}

#define WARNINGS 4
static void warning(const pk_app *app, int i, char *out, size_t cap)
{
    switch (i) {
    case 0:
        snprintf(out, cap, "Kartu Prakerja gratis: pendaftaran tidak dipungut biaya dan tidak "
                           "perlu calo.");
        break;
    case 1:
        snprintf(out, cap, "Jangan pernah memberikan kode OTP, PIN, atau kata sandi kepada siapa "
                           "pun, termasuk yang mengaku petugas.");
        break;
    case 2:
        snprintf(out, cap, "Saldo pelatihan tidak dapat dicairkan menjadi uang tunai: tawaran "
                           "\"pencairan saldo\" adalah penipuan.");
        break;
    default:
        snprintf(out, cap, "Hanya percaya saluran resmi: prakerja.go.id dan %s.",
                 app->cfg.portal_url);
        break;
    }
}

/* "Sosialisasi, Kamis ... 09.00 WIB" pieces */
static void when_text(const pk_outreach *e, char out[32])
{
    pk_timestamp_format_wib(e->starts_at, out);
}

/* ---- /acara/{id}/kit --------------------------------------------------------- */

void pk_page_event_kit(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_outreach e;
    pk_qr qr;
    if (!event_in_scope(app, req, resp, &e) || !event_qr(app, req, resp, &e, &qr))
        return;
    char url[PK_OUTREACH_URL_MAX], when[32], line[512];
    pk_outreach_url(app, e.code, url);
    when_text(&e, when);
    pk_buf *b = &resp->body;
    pk_html_print_begin(b, e.title);
    pk_buf_printf(b, "<p class=\"no-print kit-note\"><a href=\"/acara/%lld\">&larr; Kembali ke "
                     "acara</a> &middot; Cetak halaman ini dengan menu cetak peramban (satu "
                     "lembar A4), atau <a href=\"/acara/%lld/kit.pdf\">unduh PDF</a>.</p>\n",
                  (long long)e.id, (long long)e.id);
    pk_buf_printf(b, "<article class=\"kit\" data-event=\"%lld\">\n<header>\n<p class=\"kit-brand\">"
                     "Kartu Prakerja &middot; Pemerintah Provinsi DKI Jakarta</p>\n<h1>",
                  (long long)e.id);
    pk_html_esc(b, e.title);
    pk_buf_adds(b, "</h1>\n<p class=\"kit-when\">");
    pk_html_esc(b, pk_outreach_kind_label(e.kind));
    pk_buf_adds(b, " &middot; <strong>");
    pk_html_esc(b, when);
    pk_buf_adds(b, "</strong><br>");
    pk_html_esc(b, e.place);
    pk_buf_adds(b, ", Kel. ");
    pk_html_region_name(app, b, e.kode_wilayah, e.kode_wilayah);
    pk_buf_adds(b, "</p>\n</header>\n<section class=\"kit-qr\" aria-label=\"Kode QR pendaftaran\">\n");
    pk_buf qrsvg;
    pk_buf_init(&qrsvg, 1u << 20);
    pk_qr_svg(&qr, url, &qrsvg);
    pk_qr_free(&qr);
    /* inline, without the XML declaration */
    const char *svg = qrsvg.data ? strstr((const char *)qrsvg.data, "<svg") : NULL;
    if (svg != NULL)
        pk_buf_adds(b, svg);
    pk_buf_free(&qrsvg);
    pk_buf_adds(b, "<p class=\"kit-scan\">Pindai untuk mendaftar, atau buka:</p>\n"
                   "<p class=\"kit-url\" data-short-url>");
    pk_html_esc(b, url);
    pk_buf_adds(b, "</p>\n</section>\n<section class=\"kit-steps\">\n<h2>Langkah Kartu Prakerja"
                   "</h2>\n<ol>\n");
    for (int i = 0; i < STEPS; i++) {
        step(app, i, line, sizeof(line));
        pk_buf_adds(b, "<li>");
        pk_html_esc(b, line);
        pk_buf_adds(b, "</li>\n");
    }
    pk_buf_adds(b, "</ol>\n</section>\n<section class=\"kit-warning\" data-warning>\n<h2>Waspada "
                   "penipuan</h2>\n<ul>\n");
    for (int i = 0; i < WARNINGS; i++) {
        warning(app, i, line, sizeof(line));
        pk_buf_adds(b, "<li>");
        pk_html_esc(b, line);
        pk_buf_adds(b, "</li>\n");
    }
    pk_buf_adds(b, "</ul>\n</section>\n<footer class=\"kit-foot\"><p>Penyelenggara: ");
    pk_html_esc(b, e.organiser);
    pk_buf_adds(b, ". Kode acara: ");
    pk_html_esc(b, e.code);
    pk_buf_adds(b, ".</p></footer>\n</article>\n");
    pk_html_print_finish(resp, 200);
}

/* ---- /acara/{id}/kit.pdf ------------------------------------------------------- */

/* libharu reports errors through this: the first one is kept. */
static void pdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    (void)detail_no;
    HPDF_STATUS *first = user_data;
    if (*first == 0)
        *first = error_no;
}

/* UTF-8 to the base-14 fonts' WinAnsiEncoding: Latin-1 code points as
 * themselves, a few typographic ones mapped, anything else '?'. */
static void winansi(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s), o = 0;
    for (size_t i = 0; i < n && o + 1 < cap;) {
        uint32_t cp = 0;
        size_t k = pk_utf8_seq(s + i, n - i, &cp);
        if (k == 0) {
            k = 1;
            cp = '?';
        }
        i += k;
        if (cp == 0x2013 || cp == 0x2014)
            cp = '-';
        else if (cp == 0x2018 || cp == 0x2019)
            cp = '\'';
        else if (cp == 0x201C || cp == 0x201D)
            cp = '"';
        else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp > 0xff)
            cp = cp == '\t' ? ' ' : '?';
        out[o++] = (char)(unsigned char)cp;
    }
    out[o] = '\0';
}

/* Writes text from (x, *y) downwards, wrapped at word boundaries within
 * width, in `size` points with a leading of 1.3; *y ends below it. */
static void para(HPDF_Page page, HPDF_Font font, float size, float x, float *y, float width,
                 const char *utf8)
{
    char text[1024];
    winansi(utf8, text, sizeof(text));
    HPDF_Page_SetFontAndSize(page, font, size);
    const char *p = text;
    while (*p) {
        HPDF_REAL real = 0;
        HPDF_UINT fit = HPDF_Page_MeasureText(page, p, width, HPDF_TRUE, &real);
        if (fit == 0) /* a word longer than the line: cut it */
            fit = HPDF_Page_MeasureText(page, p, width, HPDF_FALSE, &real);
        if (fit == 0)
            break;
        char line[1024];
        size_t n = fit < sizeof(line) ? fit : sizeof(line) - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        *y -= size * 1.3f;
        HPDF_Page_BeginText(page);
        HPDF_Page_TextOut(page, x, *y, line);
        HPDF_Page_EndText(page);
        p += n;
        while (*p == ' ')
            p++;
    }
}

/* The QR code's dark modules as filled squares, a row's run as one
 * rectangle, top-left corner at (x, top), `side` points wide with its
 * quiet zone. */
static void pdf_qr(HPDF_Page page, const pk_qr *qr, float x, float top, float side)
{
    float m = side / (float)(qr->width + 2 * PK_QR_QUIET);
    HPDF_Page_SetRGBFill(page, 0, 0, 0);
    for (int r = 0; r < qr->width; r++)
        for (int c = 0; c < qr->width;) {
            if (!pk_qr_dark(qr, c, r)) {
                c++;
                continue;
            }
            int run = 1;
            while (pk_qr_dark(qr, c + run, r))
                run++;
            HPDF_Page_Rectangle(page, x + (float)(c + PK_QR_QUIET) * m,
                                top - (float)(r + PK_QR_QUIET + 1) * m, (float)run * m, m);
            c += run;
        }
    HPDF_Page_Fill(page);
}

/* The kit as one A4 page into out (malloc'ed, *len bytes).  0, or
 * PK_EIO when libharu failed, PK_ENOMEM. */
static int kit_pdf(const pk_app *app, const pk_outreach *e, const pk_qr *qr, uint8_t **out,
                   size_t *len)
{
    HPDF_STATUS err = 0;
    HPDF_Doc pdf = HPDF_New(pdf_error, &err);
    if (pdf == NULL)
        return PK_ENOMEM;
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "prakerja");
    char title[PK_OUTREACH_TEXT_MAX], url[PK_OUTREACH_URL_MAX], when[32], line[1024];
    winansi(e->title, title, sizeof(title));
    HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, title);
    HPDF_Font regular = HPDF_GetFont(pdf, "Helvetica", "WinAnsiEncoding");
    HPDF_Font bold = HPDF_GetFont(pdf, "Helvetica-Bold", "WinAnsiEncoding");
    HPDF_Font mono = HPDF_GetFont(pdf, "Courier-Bold", "WinAnsiEncoding");
    HPDF_Page page = HPDF_AddPage(pdf);
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    float pw = HPDF_Page_GetWidth(page), ph = HPDF_Page_GetHeight(page);
    float margin = 42, x = margin, w = pw - 2 * margin, y = ph - margin;

    pk_outreach_url(app, e->code, url);
    when_text(e, when);
    para(page, bold, 11, x, &y, w, "Kartu Prakerja - Pemerintah Provinsi DKI Jakarta");
    y -= 4;
    para(page, bold, 24, x, &y, w, e->title);
    y -= 4;
    char village[160] = "";
    const pk_region *r = pk_regions_find(app->regions, e->kode_wilayah);
    if (r != NULL)
        pk_region_title(r->name, village, sizeof(village));
    snprintf(line, sizeof(line), "%s - %s", pk_outreach_kind_label(e->kind), when);
    para(page, bold, 13, x, &y, w, line);
    snprintf(line, sizeof(line), "%s, Kel. %s", e->place, village[0] ? village : e->kode_wilayah);
    para(page, regular, 12, x, &y, w, line);

    float side = 200;
    y -= 10;
    pdf_qr(page, qr, x + (w - side) / 2, y, side);
    y -= side;
    para(page, regular, 12, x + (w - 200) / 2, &y, w, "Pindai untuk mendaftar, atau buka:");
    HPDF_Page_SetFontAndSize(page, mono, 15);
    float uw = HPDF_Page_TextWidth(page, url);
    y -= 20;
    HPDF_Page_BeginText(page);
    HPDF_Page_TextOut(page, x + (w - uw) / 2, y, url);
    HPDF_Page_EndText(page);

    y -= 14;
    para(page, bold, 14, x, &y, w, "Langkah Kartu Prakerja");
    for (int i = 0; i < STEPS; i++) {
        char s[512];
        step(app, i, s, sizeof(s));
        snprintf(line, sizeof(line), "%d. %s", i + 1, s);
        para(page, regular, 10.5f, x, &y, w, line);
    }
    y -= 12;
    /* the warning in a red frame */
    float top = y;
    y -= 4;
    para(page, bold, 14, x + 10, &y, w - 20, "Waspada penipuan");
    for (int i = 0; i < WARNINGS; i++) {
        char s[512];
        warning(app, i, s, sizeof(s));
        snprintf(line, sizeof(line), "- %s", s);
        para(page, regular, 10.5f, x + 10, &y, w - 20, line);
    }
    y -= 8;
    HPDF_Page_SetRGBStroke(page, 0.69f, 0.07f, 0.1f);
    HPDF_Page_SetLineWidth(page, 2);
    HPDF_Page_Rectangle(page, x, y, w, top - y);
    HPDF_Page_Stroke(page);
    y -= 6;
    snprintf(line, sizeof(line), "Penyelenggara: %s. Kode acara: %s.", e->organiser, e->code);
    para(page, regular, 9, x, &y, w, line);

    int rc = 0;
    if (err != 0 || HPDF_SaveToStream(pdf) != HPDF_OK) {
        rc = PK_EIO;
    } else {
        HPDF_UINT32 size = HPDF_GetStreamSize(pdf);
        *out = malloc(size ? size : 1);
        if (*out == NULL) {
            rc = PK_ENOMEM;
        } else {
            HPDF_ResetStream(pdf);
            HPDF_UINT32 got = size;
            HPDF_STATUS st = HPDF_ReadFromStream(pdf, *out, &got);
            if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || got != size) {
                free(*out);
                *out = NULL;
                rc = PK_EIO;
            }
            *len = got;
        }
    }
    HPDF_Free(pdf);
    return rc;
}

void pk_page_event_kit_pdf(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_outreach e;
    pk_qr qr;
    if (!event_in_scope(app, req, resp, &e) || !event_qr(app, req, resp, &e, &qr))
        return;
    uint8_t *pdf = NULL;
    size_t len = 0;
    int rc = kit_pdf(app, &e, &qr, &pdf, &len);
    pk_qr_free(&qr);
    if (rc != 0) {
        pk_html_staff_error(app, req, resp, 500, "PDF gagal dibuat",
                            "Materi cetak sebagai PDF tidak dapat dibuat. Cetak halaman "
                            "materinya saja.");
        return;
    }
    pk_buf_add(&resp->body, pdf, len);
    free(pdf);
    char disp[64];
    snprintf(disp, sizeof(disp), "inline; filename=\"acara-%s.pdf\"", e.code);
    pk_resp_header(resp, "Content-Disposition", disp);
    resp->status = 200;
    resp->content_type = "application/pdf";
}
