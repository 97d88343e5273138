/* fuzz_csv.c -- libFuzzer target for the streaming CSV reader (core/csv.c).
 *
 * Reads the input to the end with a small record cap and checks the
 * reader's promises: it always terminates, records have at least one
 * field, NUL-terminated and within the cap, line numbers never go
 * backwards, and the whole input is consumed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/csv.h"
#include "core/pk.h"

#define FUZZ_MAX_RECORD 4096

/* abort() rather than assert(): checks must survive -DNDEBUG builds. */
#define CHECK(x)              \
    do {                      \
        if (!(x))             \
            abort();          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pk_csv *c = pk_csv_new_mem((const char *)data, size, FUZZ_MAX_RECORD);
    if (!c)
        return 0;
    pk_csv_record rec;
    unsigned long last_end = 0;
    unsigned long long last_off = 0;
    size_t calls = 0;
    int r;
    while ((r = pk_csv_next(c, &rec)) != 0) {
        CHECK(r == 1 || r == PK_EINVAL || r == PK_ETOOBIG);
        /* every call consumes at least one byte, so this terminates */
        CHECK(++calls <= size);
        unsigned long long off = pk_csv_offset(c);
        CHECK(off > last_off && off <= size);
        last_off = off;
        CHECK(rec.line >= 1 && rec.line <= rec.end_line);
        CHECK(rec.line > last_end);
        last_end = rec.end_line;
        if (r != 1)
            continue;
        CHECK(rec.nfields >= 1 && rec.nfields <= PK_CSV_MAX_FIELDS);
        size_t total = 0;
        for (size_t i = 0; i < rec.nfields; i++) {
            CHECK(rec.field[i] != NULL);
            CHECK(rec.field[i][rec.len[i]] == '\0');
            total += rec.len[i];
        }
        CHECK(total <= FUZZ_MAX_RECORD);
    }
    CHECK(pk_csv_offset(c) == size);
    pk_csv_free(c);
    return 0;
}
