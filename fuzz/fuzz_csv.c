/* fuzz_csv.c -- libFuzzer target for the streaming CSV reader (core/csv.c).
 *
 * Reads the input to the end with a small record cap and checks the
 * reader's promises: it always terminates, records have at least one
 * field, NUL-terminated and within the cap, line numbers never go
 * backwards, and the whole input is consumed.  A second reader streams
 * the same input in small chunks (size picked from the input) in lockstep
 * and must give exactly the same results: buffer boundaries must not
 * matter. */
#include "fuzz.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/csv.h"
#include "core/pk.h"

#define FUZZ_MAX_RECORD 4096

typedef struct chunks {
    const uint8_t *data;
    size_t size, pos, chunk;
} chunks;

static ssize_t chunk_read(void *ctx, char *buf, size_t cap)
{
    chunks *k = ctx;
    size_t n = k->size - k->pos;
    if (n > k->chunk)
        n = k->chunk;
    if (n > cap)
        n = cap;
    memcpy(buf, k->data + k->pos, n);
    k->pos += n;
    return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pk_csv *c = pk_csv_new_mem((const char *)data, size, FUZZ_MAX_RECORD);
    chunks src = {data, size, 0, size ? 1 + data[size - 1] % 17 : 1};
    pk_csv *s = pk_csv_new(chunk_read, &src, FUZZ_MAX_RECORD);
    if (!c || !s) {
        pk_csv_free(c);
        pk_csv_free(s);
        return 0;
    }
    pk_csv_record rec, rec2;
    unsigned long last_end = 0;
    unsigned long long last_off = 0;
    size_t calls = 0;
    int r;
    for (;;) {
        r = pk_csv_next(c, &rec);
        CHECK(pk_csv_next(s, &rec2) == r);
        if (r == 0)
            break;
        CHECK(r == 1 || r == PK_EINVAL || r == PK_ETOOBIG);
        CHECK(rec.line == rec2.line && rec.end_line == rec2.end_line);
        CHECK(pk_csv_offset(s) == pk_csv_offset(c));
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
        CHECK(rec2.nfields == rec.nfields);
        size_t total = 0;
        for (size_t i = 0; i < rec.nfields; i++) {
            CHECK(rec.field[i] != NULL);
            CHECK(rec.field[i][rec.len[i]] == '\0');
            CHECK(rec.len[i] == rec2.len[i]);
            CHECK(memcmp(rec.field[i], rec2.field[i], rec.len[i]) == 0);
            total += rec.len[i];
        }
        CHECK(total <= FUZZ_MAX_RECORD);
    }
    CHECK(pk_csv_offset(c) == size);
    CHECK(pk_csv_offset(s) == size);
    pk_csv_free(c);
    pk_csv_free(s);
    return 0;
}
