/* journey_runs.h -- the event import's external sort (journey_import.c):
 * a staged row, a run of them sorted in a temporary file, and the merge
 * of runs in one of the passes' orders. */
#ifndef PK_APP_JOURNEY_RUNS_H
#define PK_APP_JOURNEY_RUNS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/pk.h"
#include "store/store.h"   /* PK_BI_LEN */

/* A staged row: this header, then the C__COUNT fields, each ending in NUL.
 * pid is 0 in the first runs, the participant's id in the second. */
typedef struct srec {
    int64_t pid;
    uint8_t bi[PK_BI_LEN];
    int64_t at;
    uint64_t line;
    uint32_t len;  /* bytes of the fields */
    uint32_t us;   /* the fraction of at's second, in microseconds (pk_event_seq) */
} srec;

/* A run: a stretch [off, end) of its stager's unlinked temporary file
 * (fd, shared by the runs written before pk_jr_take_runs, which own it);
 * merged, read from there through a buffer of its own. */
typedef struct run {
    int fd;
    int64_t off, end;
    int64_t kept;            /* [kept, off) read and not yet released (run_read) */
    char *buf;               /* the read buffer (bcap bytes): [bpos, blen) unread */
    size_t bcap, bpos, blen;
    srec h;
    char *data;
    size_t cap;
} run;

/* The order of staged rows: pass 1's runs, pass 2's, pass 3's; and the
 * rejected rows', by line. */
typedef enum order { BY_NIK, BY_REF, BY_PID, BY_LINE } order;

/* A merge of runs: a min-heap of run indexes by their heads. */
typedef struct merge {
    order order;
    run *runs;
    size_t *heap, n;
} merge;

/* Two staged rows (headers and fields) in order o: BY_NIK (NIK index,
 * waktu, line), BY_REF (ref, line: the ref is the first field), BY_PID
 * (participant id, waktu, line), BY_LINE (line); waktu to the
 * microsecond (at, then us). */
int pk_jr_srec_cmp(order o, const srec *a, const char *da, const srec *b, const char *db);
/* A row's place in a run being sorted (pk_jr_sort): its order's key
 * as unsigned integers compared in turn, so that most comparisons read
 * no row.  BY_REF's key holds the ref's first 16 bytes; tail says that
 * the ref goes on past them (compared from the row when both keys match). */
typedef struct jr_key {
    uint64_t k[4];
    uint32_t off;   /* the row's header in the arena */
    uint32_t tail;
} jr_key;

/* Sorts the n rows at arena + offs[i] in order o (keys: room for n). */
void pk_jr_sort(order o, const char *arena, size_t *offs, size_t n, jr_key *keys);
/* Rows staged in a bounded arena, sorted and written as runs to one
 * unlinked temporary file (0600: the rows carry NIKs).  The arena is two halves:
 * when the one being filled is full, a thread of its own sorts and writes
 * it while the caller fills the other (the import's second core), so a
 * run is half the arena.  One half is being written at a time. */
typedef struct jr_half {
    size_t *offs, n, cap; /* its rows' places (from the half's start) */
    jr_key *keys;         /* cap of them: the sort's */
} jr_half;
struct jr_job;
typedef struct stager {
    order order;
    char *arena;          /* cap bytes, the stager's (pk_jr_stager_init) */
    size_t cap, used;     /* used: of the half being filled */
    int cur;              /* the half being filled */
    jr_half half[2];
    struct jr_job *job;   /* the other half, being written; or NULL */
    int fd;               /* the runs' file, -1 before the first (one file:
                           * a descriptor per run ran out at 10M rows) */
    int64_t end;          /* its size, with the half being written */
    run *runs;            /* the runs written */
    size_t nruns, capruns;
    char *wbuf;           /* the buffer of the run being written */
} stager;

/* An empty stager in order o with an arena of cap bytes (PK_ENOMEM). */
int pk_jr_stager_init(stager *s, order o, size_t cap);
/* Room in the arena for a row with len bytes of fields (the half written
 * first when it is full); *h receives its header's place. */
int pk_jr_stage_room(stager *s, size_t len, srec **h);
/* Writes what is staged as a run and waits until every run is written;
 * on an error, errno says why (as the writing thread found it). */
int pk_jr_flush(stager *s);
/* pk_jr_flush, then the arena and the sort's memory freed: the runs stay
 * (pk_jr_take_runs, or s->runs until pk_jr_stager_free). */
int pk_jr_finish(stager *s);
/* Hands the runs written to the caller (*runs, *n), their file with them
 * (pk_jr_runs_close closes it), and empties s (after pk_jr_flush: none
 * being written); s writes its next runs to a new file. */
void pk_jr_take_runs(stager *s, run **runs, size_t *n);
/* Waits for a run being written, closes the runs and frees all s holds;
 * also a stager never initialised, if it is {.fd = -1} (a zeroed one
 * would close descriptor 0). */
void pk_jr_stager_free(stager *s);

/* Opens each run for reading (buffers of a total bounded whatever their
 * number), reads its first row and builds the heap. */
int pk_jr_merge_start(merge *m, order o, run *runs, size_t nruns);
/* The least head; NULL at the end. */
run *pk_jr_merge_top(const merge *m);
/* Past the least head. */
int pk_jr_merge_pop(merge *m);
/* Closes the runs' file and frees them. */
void pk_jr_runs_close(run *runs, size_t n);

#endif
