/* fuzz_journey.c -- libFuzzer target for one person's journey: the event
 * row parser (pk_event_parse, with pk_instant_parse inside), the order of
 * events (pk_event_cmp) and the fold (pk_fold_apply, core/journey.c).
 *
 * The input is text.  Its first line is the first-purchase deadline the
 * fold borrows (an integer, seconds since 1970; 0 or garbage: none);
 * every other line is one event row, the spec's columns without the NIK,
 * split at commas: ref, peristiwa, waktu, gelombang, jumlah, ke,
 * pelatihan, platform, ref_asal, keterangan (a ref that starts with 'L'
 * is of source lokal).  Whatever the bytes, the parser answers 0 or
 * PK_EINVAL naming a column; an instant it accepts formats and parses
 * back to itself; the events it accepts, sorted by pk_event_cmp and
 * folded, keep the journey's promises:
 *   - a refused event leaves the state as it was;
 *   - the balance never goes below zero, and credited = balance + spent
 *     - refunded + lapsed;
 *   - purchases (not cancelled) never exceed the purchases remembered,
 *     and the first purchase is one of them (or none);
 *   - the review the incentive waits for is 0 or a review's instant;
 *   - an event that may be applied alone (pk_journey_applies_alone),
 *     applied to the state before it, gives the fold's verdict and state;
 *   - a copy of the fold folds the rest to the same state, and folding
 *     again from the start gives the same state;
 *   - the deadlines of the end state are computed without overflow. */
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/journey.h"
#include "core/pk.h"

#define MAX_EVENTS 64

static int64_t deadline;

static int borrowed(void *ctx, int64_t wave, int64_t selected_at, int64_t *by)
{
    (void)ctx, (void)wave, (void)selected_at;
    *by = deadline;
    return 0;
}

static int by_order(const void *a, const void *b)
{
    return pk_event_cmp(a, b);
}

static void fold_init(pk_fold *f)
{
    pk_fold_init(f, 1);
    f->purchase_by = borrowed;
}

/* Folds ev[0..n) into f (initialised); the codes of the refused in why[]
 * (PK_C__COUNT for the applied). */
static void fold(pk_fold *f, const pk_event *ev, size_t n, pk_code *why)
{
    for (size_t i = 0; i < n; i++) {
        pk_journey before = f->j;
        size_t np = f->np, nr = f->nr;
        pk_code c = PK_C__COUNT;
        int rc = pk_fold_apply(f, &ev[i], &c);
        CHECK(rc == 0 || rc == PK_EINVAL);
        if (rc == PK_EINVAL) {
            CHECK(c < PK_C__COUNT);
            CHECK(memcmp(&before, &f->j, sizeof(before)) == 0);
            CHECK(f->np == np && f->nr == nr);
        }
        if (why != NULL)
            why[i] = rc == 0 ? PK_C__COUNT : c;
        const pk_journey *j = &f->j;
        CHECK(j->balance >= 0);
        CHECK(j->credited == j->balance + j->spent - j->refunded + j->lapsed);
        CHECK(j->purchases >= 0 && (size_t)j->purchases <= f->np);
        bool found = j->first_purchase_at == 0;
        for (size_t k = 0; k < f->np && !found; k++)
            found = f->p[k].at == j->first_purchase_at;
        CHECK(found);
        found = j->first_review_at == 0;
        for (size_t k = 0; k < f->nr && !found; k++)
            found = f->r[k].at == j->first_review_at;
        CHECK(found);
        CHECK(j->first_review_at == 0 || j->completions > 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    char *text = malloc(size + 1);
    CHECK(text);
    memcpy(text, data, size);
    text[size] = '\0';

    static pk_event ev[MAX_EVENTS];
    size_t n = 0;
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    deadline = line != NULL ? strtoll(line, NULL, 10) : 0;
    while (line != NULL && (line = strtok_r(NULL, "\n", &save)) != NULL && n < MAX_EVENTS) {
        const char *col[10] = {0};
        char *p = line;
        for (int c = 0; c < 10 && p != NULL; c++) {
            col[c] = p;
            p = strchr(p, ',');
            if (p != NULL)
                *p++ = '\0';
        }
        pk_event_fields f = {col[0], col[1], col[2], col[3], col[4],
                             col[5], col[6], col[7], col[8], col[9]};
        pk_event e;
        const char *column = NULL;
        memset(&e, 0, sizeof(e));
        int rc = pk_event_parse(&f, &e, &column);
        CHECK(rc == 0 || rc == PK_EINVAL);
        if (rc != 0) {
            CHECK(column != NULL);
            continue;
        }
        CHECK((unsigned)e.type < PK_EV__COUNT);
        CHECK(e.amount >= 0);
        /* an accepted instant formats and parses back to itself */
        char out[32];
        int64_t back;
        pk_instant_format(e.at, out);
        CHECK(pk_instant_parse(out, &back) == 0 && back == e.at);
        e.participant_id = 1;
        e.source = e.ref[0] == 'L' ? PK_SRC_LOKAL : PK_SRC_PMO;
        e.seq = (int64_t)n;
        ev[n++] = e;
    }
    qsort(ev, n, sizeof(ev[0]), by_order);

    pk_code why[MAX_EVENTS];
    pk_fold f;
    fold_init(&f);
    fold(&f, ev, n, why);

    /* applied alone onto the state before, each as the last event */
    pk_fold g;
    fold_init(&g);
    for (size_t i = 0; i < n; i++) {
        if (pk_journey_applies_alone(&g.j, ev[i].type)) {
            pk_journey alone = g.j;
            pk_code c = PK_C__COUNT;
            int rc = pk_journey_apply_last(&alone, &ev[i], &c);
            pk_fold h;
            fold_init(&h);
            CHECK(pk_fold_copy(&h, &g) == 0);
            pk_code c2 = PK_C__COUNT;
            int rc2 = pk_fold_apply(&h, &ev[i], &c2);
            CHECK(rc == rc2);
            if (rc == 0)
                CHECK(memcmp(&alone, &h.j, sizeof(alone)) == 0);
            else
                CHECK(c == c2);
            pk_fold_free(&h);
        }
        pk_code c = PK_C__COUNT;
        int rc = pk_fold_apply(&g, &ev[i], &c);
        CHECK(rc == 0 ? why[i] == PK_C__COUNT : c == why[i]);
        /* a copy halfway folds the rest to the same end */
        if (i == n / 2) {
            pk_fold h;
            fold_init(&h);
            CHECK(pk_fold_copy(&h, &g) == 0);
            fold(&h, ev + i + 1, n - i - 1, NULL);
            CHECK(memcmp(&h.j, &f.j, sizeof(h.j)) == 0);
            pk_fold_free(&h);
        }
    }
    CHECK(memcmp(&g.j, &f.j, sizeof(g.j)) == 0);

    /* the deadlines of the end state answer, whatever it is (the date
     * arithmetic at the ends of the instants' range) */
    pk_deadlines d;
    pk_journey_deadlines(&f.j, 30, 30, deadline, &d);
    CHECK(!d.first_purchase.met || f.j.first_purchase_at != 0);
    pk_fold_free(&g);
    pk_fold_free(&f);
    free(text);
    return 0;
}
