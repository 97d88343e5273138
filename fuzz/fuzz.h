/* fuzz.h -- what every fuzz target shares: libFuzzer's entry point, which
 * replay.c calls over a corpus when the targets are built as tests, and
 * CHECK, which aborts (not assert(): the checks must survive -DNDEBUG
 * builds). */
#ifndef PK_FUZZ_H
#define PK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)        \
    do {                   \
        if (!(cond))       \
            abort();       \
    } while (0)

#endif
