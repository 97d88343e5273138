/* money.c -- Rupiah and count formatting (money.h): "Rp3.550.000",
 * "2.834", "12,5": '.' for thousands, ',' before a decimal. */
#include "core/money.h"

#include <stddef.h>

/* Writes sign, prefix and the grouped magnitude of v into out. */
static void grouped(int64_t v, const char *prefix, char out[32])
{
    /* Work on the magnitude as unsigned so INT64_MIN has no overflow. */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char rev[32];
    size_t n = 0;
    int group = 0;
    do {
        if (group == 3) {
            rev[n++] = '.';
            group = 0;
        }
        rev[n++] = (char)('0' + mag % 10);
        mag /= 10;
        group++;
    } while (mag);
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    while (*prefix)
        out[o++] = *prefix++;
    while (n)
        out[o++] = rev[--n];
    out[o] = '\0';
}

void pk_rupiah_format(pk_rupiah v, char out[32])
{
    grouped(v, "Rp", out);
}

void pk_count_format(int64_t n, char out[32])
{
    grouped(n, "", out);
}

void pk_tenths_format(int64_t tenths, char out[32])
{
    uint64_t mag = tenths < 0 ? (uint64_t)0 - (uint64_t)tenths : (uint64_t)tenths;
    size_t o = 0;
    if (tenths < 0)
        out[o++] = '-';
    grouped((int64_t)(mag / 10), "", out + o);
    while (out[o] != '\0')
        o++;
    out[o++] = ',';
    out[o++] = (char)('0' + mag % 10);
    out[o] = '\0';
}
