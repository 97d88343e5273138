/* money.h -- Rupiah amounts: whole rupiah in int64, never floating point;
 * and counts written with the same thousands separator. */
#ifndef PK_MONEY_H
#define PK_MONEY_H

#include <stdint.h>

typedef int64_t pk_rupiah;

/* "Rp3.550.000", "-Rp50.000", "Rp0".  out >= 32 bytes. */
void pk_rupiah_format(pk_rupiah v, char out[32]);

/* A count with '.' between thousands, as Indonesian readers write it:
 * "2.834", "1.000.000", "0", "-12".  out >= 32 bytes. */
void pk_count_format(int64_t n, char out[32]);

/* A number with one decimal from its tenths, with Indonesian separators:
 * 125 -> "12,5", 12345 -> "1.234,5", -5 -> "-0,5".  out >= 32 bytes. */
void pk_tenths_format(int64_t tenths, char out[32]);

#endif
