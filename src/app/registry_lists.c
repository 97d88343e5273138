/* registry_lists.c -- exclusion lists (registry.h, participants-csv.md
 * "Exclusion lists"): a list is replaced as a whole in one transaction,
 * then everyone it added or removed is evaluated again, on the record's
 * own reference date, and the family-card limit applied again to their
 * families (registry_family.c). */
#include "app/registry_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/ident.h"
#include "core/pk.h"

/* ---- exclusion lists --------------------------------------------------- */

typedef struct reeval {
    const pk_app *app;
    pk_tx *tx;
    const char *actor;
    long count;
} reeval;

static uint64_t reeval_fn(void *ctx, const pk_prow *row, unsigned lists)
{
    const pk_app *app = ctx;
    pk_participant p;
    pk_reg_from_row(row, &p);
    const pk_scheme *s = pk_schemes_find(&app->schemes, row->scheme);
    pk_date as_of;
    if (s == NULL || pk_date_parse(row->as_of, strlen(row->as_of), &as_of) != 0)
        return row->base_reasons;
    pk_eligibility_context c = {.on_lists = lists};
    /* Ages are judged on the record's own reference date: a list change
     * must not also change verdicts for the passing of time.  These are
     * base reasons: the family limit follows (reeval_one). */
    return pk_eligibility(&p, s, as_of, &c);
}

static int reeval_one(void *ctx, const uint8_t bi[PK_BI_LEN])
{
    reeval *re = ctx;
    uint8_t kk[PK_BI_LEN];
    int changed = 0;
    int rc = pk_tx_reevaluate(re->tx, bi, reeval_fn, (void *)re->app, kk, &changed);
    if (rc == PK_ENOENT)
        return 0; /* listed but not registered */
    if (rc != 0)
        return rc;
    re->count++;
    if (changed) {
        rc = pk_reg_apply_families(re->app, re->tx, (const pk_bi *)kk, 1, NULL, 0);
        if (rc == 0)
            rc = pk_tx_audit(re->tx, re->actor, "exclusion", "participant.reevaluate", 0, "");
    }
    return rc;
}

int pk_reg_list_add_one(const pk_app *app, pk_tx *tx, const char *list,
                        const uint8_t nik_bi[PK_BI_LEN], const char *note, const char *actor)
{
    pk_buf box;
    pk_buf_init(&box, 1024);
    size_t len = strlen(note);
    int rc = len > 0 ? pk_vault_seal(&app->vault, note, len, nik_bi, PK_BI_LEN, &box) : 0;
    if (rc == 0)
        rc = pk_tx_list_add(tx, list, nik_bi, len ? (const uint8_t *)box.data : NULL,
                            len ? box.len : 0);
    reeval re = {.app = app, .tx = tx, .actor = actor};
    if (rc == 0)
        rc = reeval_one(&re, nik_bi);
    pk_buf_free(&box);
    return rc;
}

static int import_list_once(const pk_app *app, const char *list, int fd, const char *actor,
                            pk_list_summary *sum, char *err, size_t errlen)
{
    memset(sum, 0, sizeof(*sum));
    if (pk_list_by_name(list) == 0) {
        snprintf(err, errlen, "unknown list '%s' (dtks, bsu, bpum, daftar_hitam, "
                              "penerima_sebelumnya, prioritas)", list);
        return PK_EINVAL;
    }
    pk_csv *csv = pk_csv_new(pk_reg_read_fd, &fd, PK_REG_MAX_RECORD);
    pk_csv_record *rec = malloc(sizeof(*rec));
    pk_buf note, box;
    pk_buf_init(&note, PK_REG_MAX_RECORD);
    pk_buf_init(&box, PK_REG_MAX_RECORD + 64);
    pk_tx *tx = NULL;
    int rc = 0, r, nikcol = -1;
    if (csv == NULL || rec == NULL) {
        rc = PK_ENOMEM;
        goto out;
    }
    /* The whole list is replaced in one transaction: readers see the old
     * list or the new one, never half of it. */
    int64_t count = 0;
    if ((rc = pk_store_begin(app->store, &tx)) != 0 ||
        (rc = pk_tx_list_count(tx, list, &count)) != 0 || (rc = pk_tx_list_clear(tx, list)) != 0) {
        snprintf(err, errlen, "database error");
        goto out;
    }
    bool header = true;
    while ((r = pk_csv_next(csv, rec)) != 0) {
        if (r == PK_EIO) {
            rc = PK_EIO;
            snprintf(err, errlen, "read error");
            goto out;
        }
        if (header) {
            static const char *const names[] = {"nik"};
            static const bool required[] = {true};
            if (r != 1) {
                rc = PK_EINVAL;
                snprintf(err, errlen, "kolom_wajib_hilang: the list's header cannot be read");
                goto out;
            }
            if ((rc = pk_reg_map_header(rec, names, required, 1, &nikcol, NULL, err, errlen)) != 0)
                goto out;
            header = false;
            continue;
        }
        sum->read++;
        size_t len = r == 1 && (size_t)nikcol < rec->nfields ? rec->len[nikcol] : 0;
        const char *nik = len ? pk_trim(rec->field[nikcol], &len) : "";
        /* Lists come from other agencies: any 16 digits count, whatever
         * the region table says. */
        if (r != 1 || len != 16 || strspn(nik, "0123456789") < 16) {
            sum->rejected++;
            continue;
        }
        char digits[17];
        memcpy(digits, nik, 16);
        digits[16] = '\0';
        uint8_t bi[PK_BI_LEN];
        pk_vault_blind(&app->vault, "nik", digits, bi);
        pk_buf_reset(&note);
        for (size_t i = 0; i < rec->nfields; i++)
            if ((int)i != nikcol && rec->len[i] > 0) {
                if (note.len > 0)
                    pk_buf_addc(&note, PK_REG_SEP);
                pk_buf_adds(&note, rec->field[i]);
            }
        if (note.len > 0 && pk_vault_seal(&app->vault, note.data, note.len, bi, PK_BI_LEN, &box) != 0)
            pk_buf_reset(&box);
        if ((rc = pk_tx_list_add(tx, list, bi, note.len ? (const uint8_t *)box.data : NULL,
                                 note.len ? box.len : 0)) != 0) {
            snprintf(err, errlen, "database error");
            goto out;
        }
        sum->listed++;
    }
    if (header) {
        rc = PK_EINVAL;
        snprintf(err, errlen, "the file is empty: no header line");
        goto out;
    }
    reeval re = {.app = app, .tx = tx, .actor = actor};
    if ((rc = pk_tx_list_changes(tx, list, reeval_one, &re)) != 0) {
        snprintf(err, errlen, "database error while re-evaluating eligibility%s",
                 rc == PK_EBUSY ? " (a deadlock with other writers)" : "");
        goto out;
    }
    sum->reevaluated = re.count;
    sum->before = (long)count;
    if ((rc = pk_tx_list_count(tx, list, &count)) != 0) {
        snprintf(err, errlen, "database error");
        goto out;
    }
    sum->after = (long)count;
    char detail[128];
    snprintf(detail, sizeof(detail), "list=%s entries=%ld reevaluated=%ld", list, sum->listed,
             re.count);
    if ((rc = pk_tx_audit(tx, actor, "exclusion", "list.replace", 0, detail)) != 0)
        goto out;
    rc = pk_tx_commit(tx);
    tx = NULL;
    if (rc != 0)
        snprintf(err, errlen, "database error at commit");
out:
    pk_tx_rollback(tx);
    pk_buf_free(&note);
    pk_buf_free(&box);
    free(rec);
    pk_csv_free(csv);
    return rc;
}

/* The whole replacement is one transaction, which on PostgreSQL may meet
 * other writers of the same rows (registrations re-evaluating a family,
 * the counters of a village) in another order: the server breaks such a
 * deadlock by failing one of them (PK_EBUSY).  Nothing of the failed
 * attempt stays, so a file that can be read again is imported again from
 * its start, a few times, after a short wait; a pipe cannot be, and the
 * error says to run it again. */
int pk_registry_import_list(const pk_app *app, const char *list, int fd, const char *actor,
                            pk_list_summary *sum, char *err, size_t errlen)
{
    int rc = PK_EBUSY;
    for (int attempt = 0; attempt < 5; attempt++) {
        if (attempt > 0) {
            if (lseek(fd, 0, SEEK_SET) != 0)
                break;
            struct timespec wait = {0, 50000000L * attempt};
            nanosleep(&wait, NULL);
        }
        rc = import_list_once(app, list, fd, actor, sum, err, errlen);
        if (rc != PK_EBUSY)
            break;
    }
    return rc;
}
