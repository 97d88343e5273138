/* card.c -- card numbers (card.h): Luhn, the spread of serials, checks. */
#include "core/card.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

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

/* The Feistel network: 30 bits as two halves of 15, 8 rounds. */
#define HALF_BITS 15
#define HALF_MASK ((1u << HALF_BITS) - 1)
#define ROUNDS 8

static uint32_t round_f(const uint8_t key[PK_CARD_KEY_LEN], unsigned round, uint32_t half)
{
    const uint8_t in[3] = {(uint8_t)round, (uint8_t)(half >> 8), (uint8_t)half};
    uint8_t out[crypto_shorthash_siphash24_BYTES];
    crypto_shorthash_siphash24(out, in, sizeof in, key);
    return ((uint32_t)out[0] | (uint32_t)out[1] << 8) & HALF_MASK;
}

static uint64_t feistel(const uint8_t key[PK_CARD_KEY_LEN], uint64_t x)
{
    uint32_t l = (uint32_t)(x >> HALF_BITS) & HALF_MASK, r = (uint32_t)x & HALF_MASK;
    for (unsigned i = 0; i < ROUNDS; i++) {
        uint32_t t = l ^ round_f(key, i, r);
        l = r;
        r = t;
    }
    return (uint64_t)l << HALF_BITS | r;
}

uint64_t pk_card_spread(const uint8_t key[PK_CARD_KEY_LEN], uint64_t serial)
{
    /* a permutation of [0, 2^30) walked until it lands below 10^9 (cycle
     * walking): a permutation of [0, 10^9), since 10^9 < 2^30; the walk
     * ends, the cycle of a start below 10^9 coming back to it, and takes
     * 2^30 / 10^9 = 1.07 steps on average */
    uint64_t x = serial % PK_CARD_SERIAL_MAX;
    do
        x = feistel(key, x);
    while (x >= PK_CARD_SERIAL_MAX);
    return x;
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

/* prefix + the 9 middle digits + the check digit into out. */
static void format(const char *prefix, uint64_t middle, char out[PK_CARD_LEN + 1])
{
    snprintf(out, PK_CARD_LEN + 1, "%s%09llu", prefix, (unsigned long long)middle);
    out[PK_CARD_LEN - 1] = pk_card_luhn(out, PK_CARD_LEN - 1);
    out[PK_CARD_LEN] = '\0';
}

int pk_card_make(const char *prefix, const uint8_t key[PK_CARD_KEY_LEN], uint64_t serial,
                 char out[PK_CARD_LEN + 1])
{
    if (!pk_card_prefix_valid(prefix) || serial >= PK_CARD_SERIAL_MAX)
        return PK_EINVAL;
    format(prefix, pk_card_spread(key, serial), out);
    return 0;
}

/* The first release's spread: 10^9 = 2^9 * 5^9, so a multiplier prime to
 * 10 and an offset make an affine bijection modulo 10^9. */
#define V1_MUL 738219413ULL
#define V1_ADD 209457631ULL

int pk_card_make_v1(const char *prefix, uint64_t serial, char out[PK_CARD_LEN + 1])
{
    if (!pk_card_prefix_valid(prefix) || serial >= PK_CARD_SERIAL_MAX)
        return PK_EINVAL;
    format(prefix, (serial * V1_MUL + V1_ADD) % PK_CARD_SERIAL_MAX, out);
    return 0;
}


bool pk_card_valid(const char *s)
{
    return all_digits(s, PK_CARD_LEN) && pk_card_luhn(s, PK_CARD_LEN - 1) == s[PK_CARD_LEN - 1];
}
