/* fuzz_header.c -- libFuzzer target for the header of an imported file
 * (app/registry_import.c: pk_reg_map_header), read as the imports read
 * it: the first record of the input, mapped against the event file's
 * columns (journey-events-csv.md) and the participants file's.
 *
 * Checks: a mapped column points at a cell of the record and no cell is
 * mapped twice; on success every required column is mapped; a refusal
 * says why in a NUL-terminated message; the unknown columns said back fit
 * their buffer and hold no run of four digits (a cell that may be a row's
 * data: a NIK, a phone number, is counted, never said back). */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include "app/registry.h"
#include "app/registry_int.h"
#include "core/csv.h"
#include "core/participant.h"
#include "core/pk.h"

static const char *const events[] = {"ref",       "nik",      "peristiwa", "waktu",
                                     "gelombang", "jumlah",   "ke",        "pelatihan",
                                     "platform",  "ref_asal", "keterangan"};

static void one(const pk_csv_record *rec, const char *const *names, const bool *required, int n)
{
    int col[PK_F__COUNT + 16];
    pk_import_summary sum;
    memset(&sum, 0, sizeof sum);
    char err[256];
    memset(err, 0x5a, sizeof err);
    int rc = pk_reg_map_header(rec, names, required, n, col, &sum, err, sizeof err);
    CHECK(rc == 0 || rc == PK_EINVAL);
    if (rc != 0) {
        CHECK(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0');
        return;
    }
    bool used[PK_CSV_MAX_FIELDS] = {false};
    for (int k = 0; k < n; k++) {
        CHECK(col[k] >= -1 && col[k] < (int)rec->nfields);
        CHECK(!required[k] || col[k] >= 0);
        if (col[k] >= 0) {
            CHECK(!used[col[k]]);
            used[col[k]] = true;
        }
    }
    const char *u = sum.unknown_columns;
    CHECK(memchr(u, '\0', sizeof sum.unknown_columns) != NULL);
    size_t digits = 0;
    for (; *u; u++) {
        digits = *u >= '0' && *u <= '9' ? digits + 1 : 0;
        CHECK(digits < 4);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pk_csv *c = pk_csv_new_mem((const char *)data, size, 1 << 16);
    if (c == NULL)
        return 0;
    pk_csv_record rec;
    if (pk_csv_next(c, &rec) == 1) {
        bool req[PK_F__COUNT > 11 ? PK_F__COUNT : 11];
        for (int k = 0; k < 11; k++)
            req[k] = k < 4;
        one(&rec, events, req, 11);
        const char *names[PK_F__COUNT];
        for (int f = 0; f < PK_F__COUNT; f++) {
            names[f] = pk_field_name((pk_field)f);
            req[f] = pk_field_required((pk_field)f);
        }
        one(&rec, names, req, PK_F__COUNT);
    }
    pk_csv_free(c);
    return 0;
}
