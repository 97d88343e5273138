/* median.c -- the median of a tally and how it is written (median.h). */
#include "core/median.h"

#include <stdio.h>
#include <string.h>

bool pk_median(const pk_tally *t, size_t len, double *out)
{
    int64_t total = 0;
    for (size_t i = 0; i < len; i++)
        if (t[i].n > 0)
            total += t[i].n;
    if (total == 0)
        return false;
    /* the 0-based positions of the middle one or two in ascending order */
    int64_t lo = (total - 1) / 2, hi = total / 2, seen = 0, a = 0, b = 0;
    bool have_a = false;
    for (size_t i = 0; i < len; i++) {
        if (t[i].n <= 0)
            continue;
        if (!have_a && seen + t[i].n > lo) {
            a = t[i].value;
            have_a = true;
        }
        if (seen + t[i].n > hi) {
            b = t[i].value;
            break;
        }
        seen += t[i].n;
    }
    *out = ((double)a + (double)b) / 2.0;
    return true;
}

void pk_median_format(double m, char dec, char out[32])
{
    if (m == (double)(long long)m) {
        snprintf(out, 32, "%lld", (long long)m);
        return;
    }
    snprintf(out, 32, "%.1f", m);
    char *p = strchr(out, '.');
    if (p != NULL)
        *p = dec;
}
