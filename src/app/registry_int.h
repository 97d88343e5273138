/* registry_int.h -- what the files of the registry share (not for
 * callers: they use registry.h).
 *
 *   registry.c         records, batches, save_batch (the one way rows reach
 *                      the store), registration, the redo of a batch
 *   registry_family.c  the family-card limit: families gathered from the
 *                      store and the batch, core/family.h applied, changes
 *                      written; the families of a bulk load
 *   registry_import.c  the import pipeline: reader thread, transactions,
 *                      bulk load, folding repeated NIKs
 *   registry_export.c  export, and the CSV output the import's rejects share
 *   registry_lists.c   exclusion lists: replace, then re-evaluate */
#ifndef PK_REGISTRY_INT_H
#define PK_REGISTRY_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "app/registry.h"
#include "core/csv.h"
#include "store/store.h"

#define PK_REG_MAX_RECORD (64 * 1024) /* bytes of one CSV record, at most */
#define PK_REG_SEP '\x1f' /* between sealed fields: validated values hold no control characters */

/* ---- records (registry.c) ---------------------------------------------- */

/* The clear columns of a stored row back into a participant (what
 * eligibility needs: no personal data). */
void pk_reg_from_row(const pk_prow *row, pk_participant *p);
/* Normal-form text of every field, in pk_field order. */
void pk_reg_field_texts(const pk_participant *p, char date[11], const char *out[PK_F__COUNT]);
/* Opens a row's sealed fields into p (nik, no_kk, no_hp, email, alamat);
 * tmp is scratch.  PK_EINVAL when the box does not open with this key. */
int pk_reg_unseal_pii(const pk_app *app, const pk_prow *row, pk_buf *tmp, pk_participant *p);

/* ---- batches (registry.c) -------------------------------------------------
 *
 * Records reach the store a batch at a time: an import hands over up to
 * UNIT rows (registry_import.c) per call, a registration one, through
 * the same code.  A batch holds each record prepared (normal form, blind
 * indexes, field digest, sealed personal data): the work that needs no
 * database, which an import does on a second thread while the first
 * writes. */

typedef struct prepared {
    /* the clear fields (the sealed ones are in the box) */
    char nama[4 * PK_NAMA_MAX_CHARS + 1];
    char kode_wilayah[PK_REGION_CODE_MAX];
    pk_date tanggal_lahir;
    char jenis_kelamin;
    pk_education pendidikan;
    pk_segment segmen;
    pk_occupation pekerjaan;
    pk_codeset warnings;
    uint8_t nik_bi[PK_BI_LEN], kk_bi[PK_BI_LEN], digest[PK_DIGEST_LEN];
    char date[11];
    size_t box_off, box_len;  /* the sealed fields, in batch.boxes */
    bool kk_before;           /* bulk load: the KK may have members in earlier batches */
} prepared;

typedef struct batch {
    size_t n, cap;
    prepared *rows;
    pk_buf boxes, plain, box;
    uint32_t *slots;          /* the batch's NIK indexes, hashed: 0 or row + 1 */
    size_t nslots;
    /* the writer's scratch */
    pk_bi *keys;              /* NIK indexes, then the KKs to re-apply */
    pk_pknown *known;
    pk_prow *out;
    size_t *of;               /* out[j] is rows[of[j]] */
    pk_audit_entry *audit;
    char (*detail)[128];
    pk_save_result *res;
    bool last;                /* import: the end of the file (or of the reading) */
    unsigned long line;       /* import: the line of the last record */
    struct batch *next;
} batch;

/* A batch of up to cap records; NULL when out of memory. */
batch *pk_reg_batch_new(size_t cap);
void pk_reg_batch_free(batch *b); /* safe with NULL */
void pk_reg_batch_reset(batch *b);
/* Adds a valid record; 1, adding nothing, when its NIK is in the batch
 * already (write the batch first); or a negative error. */
int pk_reg_batch_add(batch *b, const pk_app *app, const pk_participant *p, pk_codeset warnings);
/* The audit detail of an update: "fields=" and the names of the fields
 * whose digests differ (and "scheme" when the schemes do; NULL: same). */
void pk_reg_changed_fields(char *d, size_t cap, const uint8_t *old, const uint8_t *now,
                           const char *old_scheme, const char *scheme);
/* Saves a batch of an import (upsert) inside *tx, redoing it after
 * another writer's rows or a deadlock (PostgreSQL), see registry.c. */
int pk_reg_save_redo(const pk_app *app, pk_tx **tx, batch *b, const pk_scheme *scheme,
                     pk_date as_of, const char *actor, bool bulk, long *in_tx);

/* ---- the family-card limit (registry_family.c) ------------------------- */

/* Applies the limit to the families kk[0..nk) (which include those of
 * rows[0..nw), the rows about to be written, and of the families they
 * leave): sets each row's reasons, writes stored members whose verdict
 * changes.  Must come before the rows are written. */
int pk_reg_apply_families(const pk_app *app, pk_tx *tx, const pk_bi *kk, size_t nk,
                          pk_prow *rows, size_t nw);
/* Bulk load: marks the families of b with members in earlier batches
 * (kk_before), to be revisited by pk_reg_bulk_families. */
int pk_reg_mark_families(pk_tx *tx, batch *b);
/* Bulk load, after the indexes are built: the limit again over the marked
 * families (every one of them after `folded` repeats). */
int pk_reg_bulk_families(const pk_app *app, pk_tx *tx, bool folded);
/* The bulk load's filter of the KKs of earlier batches: PK_REG_SEEN_BYTES,
 * zeroed.  Whether bi may be in it already; adds it when `add`. */
#define PK_REG_SEEN_BYTES ((size_t)8 << 20)
bool pk_reg_seen(uint64_t *seen, const uint8_t *bi, bool add);

/* ---- CSV (registry_export.c, registry_import.c) ------------------------ */

/* One CSV field, quoted when it must be; a free-text one (name, address,
 * e-mail) that a spreadsheet would run gets the apostrophe guard (core/ident.h:
 * pk_text_sheet_guard), which import takes off again. */
void pk_reg_csv_field(FILE *f, const char *s, bool text);
bool pk_reg_free_text(pk_field f);                  /* nama, alamat, email */
void pk_reg_csv_codes(FILE *f, pk_codeset set);     /* names, ';'-separated */
/* A pk_csv reader over the file descriptor *(int *)ctx. */
ssize_t pk_reg_read_fd(void *ctx, char *buf, size_t cap);
/* The header of an imported file: col[k] = the cell of column names[k]
 * (n of them; case and padding ignored, a BOM too), -1 when absent.
 * PK_EINVAL with err for a file separated by ';' (a spreadsheet's CSV in
 * a locale whose list separator is ';'), lines that end with a lone CR,
 * a first line with no column's name in it (a row, not a header), a
 * column twice, or a required[k] one missing.  The other cells go to
 * sum->unknown_columns (sum may be NULL), only those shaped like a name:
 * a cell that may be a row's data (a NIK, an address) is counted, not
 * said back. */
int pk_reg_map_header(const pk_csv_record *rec, const char *const *names, const bool *required,
                      int n, int *col, pk_import_summary *sum, char *err, size_t errlen);

/* registry_lists.c: puts one NIK index on an exclusion list inside tx
 * (note, sealed, says why: a reason code), then evaluates the person
 * again and the family-card limit of their family, as replacing a list
 * does.  The daily job's revocations use it (daftar_hitam). */
int pk_reg_list_add_one(const pk_app *app, pk_tx *tx, const char *list,
                        const uint8_t nik_bi[PK_BI_LEN], const char *note, const char *actor);

#endif
