/* registry_export.c -- the export of the registry as an exchange file
 * (registry.h, participants-csv.md: the import's columns in order, then
 * eligible, alasan, peringatan), and the CSV output it shares with the
 * import's file of rejected rows.
 *
 * Nothing here reports to the user: a row that cannot be decrypted stops
 * the export and its id goes back to the caller (the CLI says which). */
#include "app/registry_int.h"

#include <stdbool.h>
#include <string.h>

#include "core/ident.h"
#include "core/pk.h"

/* ---- CSV output -------------------------------------------------------- */

void pk_reg_csv_field(FILE *f, const char *s, bool text)
{
    /* a free-text cell a spreadsheet would run gets the apostrophe guard
     * (pk_text_sheet_guard); import takes it off again */
    const char *guard = text && pk_text_sheet_guard(s, strlen(s)) ? "'" : "";
    if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' && (s[0] == '\0' || s[strlen(s) - 1] != ' ')) {
        fputs(guard, f);
        fputs(s, f);
        return;
    }
    fputc('"', f);
    fputs(guard, f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

bool pk_reg_free_text(pk_field f)
{
    /* an e-mail address may begin with '=', '+' or '-' and hold '|' and
     * '!' ("=cmd|'/Ccalc'!A0@x.id" is a valid one, and a formula cell) */
    return f == PK_F_NAMA || f == PK_F_ALAMAT || f == PK_F_EMAIL;
}

void pk_reg_csv_codes(FILE *f, pk_codeset set)
{
    bool first = true;
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (set & PK_CODEBIT(c)) {
            fprintf(f, "%s%s", first ? "" : ";", pk_code_name(c));
            first = false;
        }
}

/* ---- export ------------------------------------------------------------ */

typedef struct exporter {
    const pk_app *app;
    FILE *out;
    pk_buf tmp;
    long rows;
    int64_t unreadable;       /* the id of the row that did not open, or 0 */
} exporter;

static int export_row(void *ctx, const pk_prow *row)
{
    exporter *ex = ctx;
    pk_participant p;
    pk_reg_from_row(row, &p);
    snprintf(p.nama, sizeof(p.nama), "%s", row->nama);
    if (pk_reg_unseal_pii(ex->app, row, &ex->tmp, &p) != 0) {
        ex->unreadable = row->id;
        return PK_EINVAL;
    }
    char date[11];
    const char *text[PK_F__COUNT];
    pk_reg_field_texts(&p, date, text);
    for (int f = 0; f < PK_F__COUNT; f++) {
        if (f > 0)
            fputc(',', ex->out);
        pk_reg_csv_field(ex->out, text[f], pk_reg_free_text((pk_field)f));
    }
    fprintf(ex->out, ",%s,", row->reasons == 0 ? "ya" : "tidak");
    pk_reg_csv_codes(ex->out, row->reasons);
    fputc(',', ex->out);
    pk_reg_csv_codes(ex->out, row->warnings);
    fputc('\n', ex->out);
    ex->rows++;
    return ferror(ex->out) ? PK_EIO : 0;
}

int pk_registry_export(const pk_app *app, const char *region, FILE *out, long *rows,
                       int64_t *unreadable)
{
    exporter ex = {.app = app, .out = out};
    pk_buf_init(&ex.tmp, 8192);
    for (int f = 0; f < PK_F__COUNT; f++)
        fprintf(out, "%s%s", f ? "," : "", pk_field_name((pk_field)f));
    fputs(",eligible,alasan,peringatan\n", out);
    int rc = pk_store_participants_each(app->store, region, export_row, &ex);
    pk_buf_free(&ex.tmp);
    if (rows)
        *rows = ex.rows;
    if (unreadable)
        *unreadable = ex.unreadable;
    if (rc == 0 && fflush(out) != 0)
        rc = PK_EIO;
    return rc;
}
