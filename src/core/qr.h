/* qr.h -- QR codes (libqrencode): a text as a square matrix of modules,
 * and that matrix as SVG.  The PDF kit (web/page_outreach_kit.c) draws
 * the same matrix as squares of its own. */
#ifndef PK_QR_H
#define PK_QR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"

/* The quiet zone around a code, in modules (ISO/IEC 18004 asks for 4). */
#define PK_QR_QUIET 4

typedef struct pk_qr {
    int width;        /* modules per side (21 for version 1, +4 per version) */
    uint8_t *dark;    /* width * width bytes, row by row: 1 dark, 0 light */
} pk_qr;

/* Encodes text (8-bit mode, error correction level M: a poster may get a
 * little dirty) in the smallest version that holds it.  0, PK_EINVAL
 * (empty, or too long for a QR code), PK_ENOMEM.  Free with pk_qr_free. */
int pk_qr_encode(const char *text, pk_qr *out);
void pk_qr_free(pk_qr *q);
/* Whether module (x, y) is dark; false outside the matrix (the quiet zone). */
bool pk_qr_dark(const pk_qr *q, int x, int y);
/* A complete SVG document of the code with its quiet zone: a viewBox of
 * width + 2 * PK_QR_QUIET units, one path of the dark modules (a run of
 * them in a row is one rectangle), crisp edges, and `label` as its
 * accessible title (escaped; NULL: none). */
void pk_qr_svg(const pk_qr *q, const char *label, pk_buf *b);

#endif
