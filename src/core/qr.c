/* qr.c -- QR codes through libqrencode, and their SVG (qr.h). */
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"
#include "core/qr.h"

int pk_qr_encode(const char *text, pk_qr *out)
{
    memset(out, 0, sizeof(*out));
    if (text == NULL || text[0] == '\0')
        return PK_EINVAL;
    QRcode *c = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (c == NULL)
        return PK_EINVAL; /* too long (ERANGE) or out of memory: the text is the cause */
    size_t n = (size_t)c->width * (size_t)c->width;
    out->dark = malloc(n);
    if (out->dark == NULL) {
        QRcode_free(c);
        return PK_ENOMEM;
    }
    out->width = c->width;
    for (size_t i = 0; i < n; i++)
        out->dark[i] = c->data[i] & 1; /* bit 0: dark; the others say what the module is */
    QRcode_free(c);
    return 0;
}

void pk_qr_free(pk_qr *q)
{
    if (q == NULL)
        return;
    free(q->dark);
    q->dark = NULL;
    q->width = 0;
}

bool pk_qr_dark(const pk_qr *q, int x, int y)
{
    if (x < 0 || y < 0 || x >= q->width || y >= q->width)
        return false;
    return q->dark[(size_t)y * (size_t)q->width + (size_t)x] != 0;
}

/* The few characters that matter in an SVG title. */
static void esc(pk_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': pk_buf_adds(b, "&lt;"); break;
        case '>': pk_buf_adds(b, "&gt;"); break;
        case '&': pk_buf_adds(b, "&amp;"); break;
        case '"': pk_buf_adds(b, "&quot;"); break;
        default: pk_buf_add(b, s, 1);
        }
    }
}

void pk_qr_svg(const pk_qr *q, const char *label, pk_buf *b)
{
    int size = q->width + 2 * PK_QR_QUIET;
    pk_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                     "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\" "
                     "data-modules=\"%d\" role=\"img\">\n",
                  size, size, size * 8, size * 8, q->width);
    if (label != NULL) {
        pk_buf_adds(b, "<title>");
        esc(b, label);
        pk_buf_adds(b, "</title>\n");
    }
    pk_buf_printf(b, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
                  size, size);
    for (int y = 0; y < q->width; y++)
        for (int x = 0; x < q->width;) {
            if (!pk_qr_dark(q, x, y)) {
                x++;
                continue;
            }
            int run = 1;
            while (pk_qr_dark(q, x + run, y))
                run++;
            pk_buf_printf(b, "M%d %dh%dv1h-%dz", x + PK_QR_QUIET, y + PK_QR_QUIET, run, run);
            x += run;
        }
    pk_buf_adds(b, "\"/>\n</svg>\n");
}
