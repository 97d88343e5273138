/* money.h -- Rupiah amounts: whole rupiah in int64, never floating point. */
#ifndef PK_MONEY_H
#define PK_MONEY_H

#include <stdint.h>

typedef int64_t pk_rupiah;

/* "Rp3.550.000", "-Rp50.000", "Rp0".  out >= 32 bytes. */
void pk_rupiah_format(pk_rupiah v, char out[32]);

#endif
