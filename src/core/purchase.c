/* purchase.c -- the platforms' trainings in the journey (purchase.h). */
#include "core/purchase.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/ident.h"

#define REF_PREFIX "pf:"

void pk_purchase_ref(const char *code, const char *key, char out[PK_EVENT_REF_MAX])
{
    size_t max = PK_EVENT_REF_MAX - 1;
    int n = snprintf(out, PK_EVENT_REF_MAX, REF_PREFIX "%s:%s", code, key);
    if (n >= 0 && (size_t)n <= max)
        return;
    uint8_t h[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof(h) + 1];
    crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    /* the prefix and code take at most 3 + 32 + 2: 29 or more hex digits */
    size_t head = strlen(REF_PREFIX) + strlen(code) + 2;
    int room = head < max ? (int)(max - head) : 0;
    snprintf(out, PK_EVENT_REF_MAX, REF_PREFIX "%s:~%.*s", code, room, hex);
}

void pk_purchase_find(const pk_event *ev, size_t n, const char *ref, pk_purchase_state *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        if (ev[i].source == PK_SRC_LOKAL && ev[i].type == PK_EV_PEMBELIAN &&
            strcmp(ev[i].ref, ref) == 0)
            out->purchase = &ev[i];
    if (out->purchase == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].source != PK_SRC_LOKAL || strcmp(ev[i].ref_asal, ref) != 0)
            continue;
        if (ev[i].type == PK_EV_PEMBATALAN)
            out->cancelled = true;
        else if (ev[i].type == PK_EV_SELESAI_PELATIHAN)
            out->completed = true;
        else if (ev[i].type == PK_EV_ULASAN)
            out->reviewed = true;
    }
}

pk_code pk_purchase_check(const pk_purchase_state *st, const char *code, pk_purchase_op op)
{
    if (st->purchase == NULL || strcmp(st->purchase->platform, code) != 0)
        return PK_C_PEMBELIAN_TIDAK_DIKENAL;
    if (st->cancelled)
        return PK_C_SUDAH_DIBATALKAN;
    switch (op) {
    case PK_PURCHASE_CANCEL:
    case PK_PURCHASE_COMPLETE:
        return st->completed ? PK_C_SUDAH_SELESAI : PK_C__COUNT;
    case PK_PURCHASE_REVIEW:
        if (!st->completed)
            return PK_C_BELUM_SELESAI;
        return st->reviewed ? PK_C_SUDAH_DIULAS : PK_C__COUNT;
    }
    return PK_C_PEMBELIAN_TIDAK_DIKENAL;
}

bool pk_certificate_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > PK_CERT_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '/' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

bool pk_review_note(int stars, const char *text, char *note, size_t cap)
{
    if (stars < 1 || stars > 5)
        return false;
    size_t n = text ? strlen(text) : 0;
    if (n > 0) {
        /* no bidirectional or zero-width character: a review shows on
         * staff pages and in exports as the platform wrote it (an outside
         * test sent U+202E, which reorders what follows it) */
        if (pk_utf8_chars(text, n) < 0 || pk_text_has_invisible(text, n))
            return false;
        size_t chars = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)text[i];
            if (c < 0x20 || c == 0x7f)
                return false;
            chars += (c & 0xc0) != 0x80;
        }
        if (chars > PK_REVIEW_TEXT_MAX)
            return false;
    }
    int w = n > 0 ? snprintf(note, cap, "%d/5 %s", stars, text) : snprintf(note, cap, "%d/5", stars);
    return w >= 0 && (size_t)w < cap;
}
