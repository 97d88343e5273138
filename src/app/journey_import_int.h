/* journey_import_int.h -- what the event import's files share
 * (journey_import.c: the passes that read and sort; journey_import_feed.c:
 * pass 4, each person's rows appended).  Not for other files. */
#ifndef PK_APP_JOURNEY_IMPORT_INT_H
#define PK_APP_JOURNEY_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/journey_import.h"
#include "app/journey_runs.h"
#include "app/wave_terms.h"
#include "core/journey.h"

/* The waves a file's rows name, at most: more, and pass 4 judges on the
 * writer's thread (journey_import_feed.c). */
#define WAVES_MAX 1024
/* The filters of the refs seen (once, twice), in bits: 4 and 1 MiB, a
 * fixed size, whatever the file (refs past some tens of millions stage
 * more and more of them: the second filter then says yes to most). */
#define SEEN_BITS ((size_t)1 << 25)
#define TWICE_BITS ((size_t)1 << 23)
/* The file's columns, in the spec's order (the rejects file's too). */
enum { C_REF, C_NIK, C_PERISTIWA, C_WAKTU, C_GELOMBANG, C_JUMLAH, C_KE, C_PELATIHAN,
       C_PLATFORM, C_REF_ASAL, C_KETERANGAN, C__COUNT };

/* An import's state, from its header to its summary. */
typedef struct eimporter {
    const pk_app *app;
    unsigned long long size; /* of the file, when known */
    const pk_import_opts *opts;
    pk_event_source source;
    pk_import_summary *sum;
    int col[C__COUNT];
    size_t ncols;
    stager st;        /* the rows */
    stager refs;      /* pass 2's: the refs of known people's rows */
    stager dups;      /* pass 3's: the rows that repeat a ref */
    stager rej;       /* the rejected rows, for the rejects file in line order */
    int rej_rc;       /* the first error staging them */
    uint64_t *seen;   /* SEEN_BITS: pass 1's refs */
    uint64_t *twice;  /* TWICE_BITS: those it had seen (or so the first said) */
    int64_t waves[2 * WAVES_MAX]; /* the wave numbers the rows name, hashed; 0 free */
    size_t nwaves;
    bool waves_over;  /* more than WAVES_MAX */
} eimporter;

/* The fields of a staged row (C__COUNT strings, each ending in NUL). */
void pk_ji_fields_of(const char *data, const char *f[C__COUNT]);
/* The row's fields as core/journey.c's parser takes them. */
void pk_ji_event_fields(const char *const *f, pk_event_fields *ef);
/* A rejected row: counted, and (with --rejects) kept for the rejects
 * file (column NULL: the code's own; f NULL: not a row). */
void pk_ji_reject(eimporter *im, unsigned long line, pk_code code, const char *column,
                  const char *const *f);

/* Pass 4 (journey_import_feed.c): the rows staged by person (im->st) and
 * the repeats of a ref (im->dups) merged, each person's rows appended;
 * tx: the bulk load's transaction (bulk), or NULL (transactions of its
 * own); waves: the feeder judges the batches (a bulk load of the office's
 * file), or NULL.  Ends tx. */
int pk_ji_pass4(eimporter *im, pk_tx *tx, bool bulk, const pk_wave_table *waves, char *err,
                size_t errlen);

#endif
