/* card.c -- card numbers (card.h): Luhn, the spread of serials, checks. */
#include "core/card.h"

#include <stdio.h>
#include <string.h>

#include "core/pk.h"

char pk_card_luhn(const char *s, int n)
{
    /* from the right, every second digit starting with the last one given
     * is doubled (the check digit will sit to its right) */
    int sum = 0;
    for (int i = n - 1, dbl = 1; i >= 0; i--, dbl = !dbl) {
        int d = s[i] - '0';
        if (dbl) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

/* 10^9 = 2^9 * 5^9: a multiplier prime to 10 and an offset make an affine
 * bijection modulo 10^9. */
#define SPREAD_MUL 738219413ULL
#define SPREAD_ADD 209457631ULL

uint64_t pk_card_spread(uint64_t serial)
{
    return (serial % PK_CARD_SERIAL_MAX * SPREAD_MUL + SPREAD_ADD) % PK_CARD_SERIAL_MAX;
}

static bool all_digits(const char *s, size_t n)
{
    if (!s || strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool pk_card_prefix_valid(const char *s)
{
    return all_digits(s, PK_CARD_PREFIX_LEN);
}

int pk_card_make(const char *prefix, uint64_t serial, char out[PK_CARD_LEN + 1])
{
    if (!pk_card_prefix_valid(prefix) || serial >= PK_CARD_SERIAL_MAX)
        return PK_EINVAL;
    snprintf(out, PK_CARD_LEN + 1, "%s%09llu", prefix,
             (unsigned long long)pk_card_spread(serial));
    out[PK_CARD_LEN - 1] = pk_card_luhn(out, PK_CARD_LEN - 1);
    out[PK_CARD_LEN] = '\0';
    return 0;
}

bool pk_card_valid(const char *s)
{
    return all_digits(s, PK_CARD_LEN) && pk_card_luhn(s, PK_CARD_LEN - 1) == s[PK_CARD_LEN - 1];
}
