/* wave_draw.c -- the draw of a wave (wave.h, spec selection.md): the
 * table from the registry (applicants with their lists, the rules on the
 * closing date, tier, families and their recipients of earlier waves),
 * the computation of wave_compute.c, and everything written in one
 * transaction: the draw row, each applicant's record, the events, the
 * card numbers, the journeys' counters (filled once at the end for a
 * large wave: pk_tx_journey_counts_defer), the state and the audit
 * entry. */
#include "app/wave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/journey.h"
#include "app/registry_int.h"
#include "app/wave_int.h"
#include "core/card.h"
#include "core/sort.h"
#include "core/date.h"
#include "core/eligibility.h"
#include "store/store.h"

#define ROWS_BATCH 1000

static int cmp_pid(const void *a, const void *b)
{
    const appl *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

static uint64_t key_pid(const void *a)
{
    return pk_sort_signed(((const appl *)a)->pid);
}

/* ---- the table from the registry (the draw) ------------------------------ */

typedef struct gather {
    const pk_app *app;
    const pk_scheme *scheme;
    pk_date closing;
    const quotas *q;
    table *t;
    pk_buf tmp;
    int64_t unreadable;
} gather;

static int gather_one(void *ctx, const pk_applicant *a)
{
    gather *g = ctx;
    const pk_prow *row = a->row;
    pk_participant p;
    memset(&p, 0, sizeof(p));
    pk_reg_from_row(row, &p);
    appl x;
    memset(&x, 0, sizeof(x));
    if (pk_reg_unseal_pii(g->app, row, &g->tmp, &p) != 0 || !pk_wv_nik_number(p.nik, &x.nik)) {
        g->unreadable++;
        return PK_EINVAL;
    }
    sodium_memzero(&p.no_hp, sizeof(p.no_hp));
    x.pid = row->id;
    memcpy(x.kk, row->kk_bi, PK_BI_LEN);
    pk_eligibility_context c = {.on_lists = a->lists};
    x.reasons = pk_eligibility(&p, g->scheme, g->closing, &c) & ~PK_CODEBIT(PK_C_KUOTA_KK_PENUH);
    /* once a recipient, never again (domain.md): selected since joining,
     * by another wave's draw or the programme office's file; the
     * registry's code for it, as for the penerima_sebelumnya list (step 1
     * of selection.md: the rules as the registry applies them) */
    if (a->selected_at != 0) {
        x.reasons |= PK_CODEBIT(PK_C_PERNAH_MENERIMA);
        x.recipient = 1;
    }
    x.tier = (a->lists & PK_LIST_PRIORITAS) ? 0 : 1;
    char reg[16];
    pk_wv_regency_of(row->kode_wilayah, reg);
    x.region = pk_wv_quota_index(g->q, reg);
    sodium_memzero(&p, sizeof(p));
    return pk_wv_table_add(g->t, &x);
}

static int fam_cmp(const void *key, const void *elem)
{
    return memcmp(key, elem, PK_BI_LEN);
}

static int prior_one(void *ctx, const uint8_t bi[PK_BI_LEN])
{
    table *t = ctx;
    const uint8_t(*f)[PK_BI_LEN] = t->n_fam ? bsearch(bi, t->fam_kk, t->n_fam, PK_BI_LEN, fam_cmp)
                                            : NULL;
    if (f != NULL)
        t->prior[f - (const uint8_t(*)[PK_BI_LEN])t->fam_kk]++;
    return 0;
}

/* ---- the draw ------------------------------------------------------------- */

/* A batch of applicants' events as they are written (ROWS_BATCH at a time). */
typedef struct wbatch {
    pk_append_group g[ROWS_BATCH];
    pk_event ev[ROWS_BATCH][2];
    pk_append_result res[ROWS_BATCH][2];
} wbatch;

/* An applicant's events of the draw into ev[0..2); how many: none for a
 * recipient already, whose journey holds their selection (it refuses a
 * second outcome, journey-events-csv.md: sudah_penerima; the draw's
 * record says pernah_menerima). */
static size_t draw_events(const appl *x, int64_t wave, int64_t at, const pk_scheme *s,
                          pk_event ev[2])
{
    memset(ev, 0, 2 * sizeof(*ev));
    if (x->recipient)
        return 0;
    ev[0].participant_id = x->pid;
    ev[0].source = PK_SRC_LOKAL;
    ev[0].at = at;
    ev[0].seq = 1;
    ev[0].wave = wave;
    if (!x->selected) {
        ev[0].type = PK_EV_TIDAK_LOLOS;
        pk_wave_draw_ref(ev[0].ref, wave, "tidak-lolos", x->pid);
        pk_wv_codes_text(x->reasons, ev[0].note, sizeof(ev[0].note));
        return 1;
    }
    ev[0].type = PK_EV_LOLOS;
    pk_wave_draw_ref(ev[0].ref, wave, "lolos", x->pid);
    ev[1] = ev[0];
    ev[1].type = PK_EV_SALDO_MASUK;
    ev[1].seq = 2;
    ev[1].wave = 0;
    ev[1].amount = s->training_balance;
    pk_wave_draw_ref(ev[1].ref, wave, "saldo", x->pid);
    return 2;
}

/* A batch of applicants' events (g[0..ng), in participant order): the
 * refs name this wave, whose draw record was just inserted (a second draw
 * fails there): none is stored, so none is looked up. */
static int write_events(pk_tx *tx, pk_append_group *g, size_t ng, int64_t wave, char *err,
                        size_t errlen)
{
    int rc = pk_journey_append_fresh_many(tx, g, ng);
    if (rc == PK_ECONFLICT) {
        snprintf(err, errlen, "an event named like this draw's (undian-%lld-...) is stored "
                 "already: the draw is not written", (long long)wave);
        return rc;
    }
    if (rc != 0) {
        snprintf(err, errlen, "database error while writing the events");
        return rc;
    }
    for (size_t k = 0; k < ng; k++)
        for (size_t i = 0; i < g[k].n; i++)
            if (g[k].out[i].verdict == PK_APPEND_REJECTED) {
                snprintf(err, errlen, "the journey of participant %lld refuses its %s event: %s",
                         (long long)g[k].participant_id,
                         pk_event_info_of(g[k].ev[i].type)->name,
                         pk_code_name(g[k].out[i].why));
                return PK_ECONFLICT;
            }
    return 0;
}

int pk_wave_draw(const pk_app *app, int64_t number, const char *seed_hex, int64_t at,
                 const char *actor, pk_draw_summary *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    uint8_t seed[32];
    if (pk_draw_seed_parse(seed_hex, seed) != 0) {
        snprintf(err, errlen, "--seed must be exactly 64 hexadecimal digits (32 bytes)");
        return PK_EINVAL;
    }
    table t = {0};
    gather g = {.app = app, .t = &t};
    pk_buf_init(&g.tmp, 4096);
    pk_draw_rec *d = calloc(1, sizeof(*d));
    pk_draw_row *rows = malloc(ROWS_BATCH * sizeof(*rows));
    pk_card_new *cards = malloc(ROWS_BATCH * sizeof(*cards));
    wbatch *wb = malloc(sizeof(*wb));
    pk_tx *tx = NULL;
    pk_card_issuer ci;
    memset(&ci, 0, sizeof ci);
    pk_wave w;
    quotas q;
    int rc = d && rows && cards && wb ? 0 : PK_ENOMEM;
    bool large = false;
    if (rc == 0)
        rc = pk_store_begin(app->store, &tx);
    /* every applicant's rows are written (millions at the 2021 size) */
    if (rc == 0)
        rc = pk_tx_large_writes(tx, &large);
    if (rc == 0 && (rc = pk_tx_wave_get(tx, number, &w)) == PK_ENOENT) {
        snprintf(err, errlen, "no wave %lld", (long long)number);
        goto out;
    }
    if (rc != 0)
        goto db;
    if (strcmp(w.state, "diundi") == 0) {
        pk_tx_rollback(tx);
        tx = NULL;
        rc = pk_wv_draw_repeat(app, number, seed, out, err, errlen);
        goto out;
    }
    const char *now = pk_wave_state_now(w.opens_at, w.closes_at, w.state, pk_wv_now());
    if (strcmp(now, "dibuka") == 0 || strcmp(now, "belum_dibuka") == 0) {
        bool early = strcmp(now, "belum_dibuka") == 0;
        char when[32];
        pk_instant_format(early ? w.opens_at : w.closes_at, when);
        snprintf(err, errlen, "wave %lld is %s (it %s at %s): close it first "
                 "(prakerja wave close --wave %lld)", (long long)number,
                 early ? "not open yet, nor closed" : "still open", early ? "opens" : "closes",
                 when, (long long)number);
        rc = PK_EDENIED;
        goto out;
    }
    if ((g.scheme = pk_schemes_find(&app->schemes, w.scheme)) == NULL) {
        snprintf(err, errlen, "wave %lld's scheme '%s' is not in the schemes file",
                 (long long)number, w.scheme);
        rc = PK_EINVAL;
        goto out;
    }
    if (!pk_card_prefix_valid(app->cfg.card_issuer)) {
        snprintf(err, errlen, "the card_issuer setting must be 6 digits");
        rc = PK_EINVAL;
        goto out;
    }
    if (!pk_wv_quotas_parse(w.region_quotas, &q)) {
        snprintf(err, errlen, "wave %lld's regency quotas are unreadable", (long long)number);
        rc = PK_EIO;
        goto out;
    }
    /* a draw comes after its wave closed (selection.md: dibuka, ditutup,
     * diundi): after its closing instant when that closed it; when an
     * admin closed it earlier (the stored state), at least after it
     * opened (the close itself is in the audit log, not in the wave) */
    bool by_time = strcmp(w.state, "dibuka") == 0;
    int64_t closed = by_time ? w.closes_at : w.opens_at;
    if (at < closed) {
        char drawn[32], when[32];
        pk_instant_format(at, drawn);
        pk_instant_format(closed, when);
        snprintf(err, errlen, "the draw's instant %s is before wave %lld %s at %s: a draw "
                 "comes after its wave has closed (give --at a later instant)", drawn,
                 (long long)number, by_time ? "closes" : "opens", when);
        rc = PK_EINVAL;
        goto out;
    }
    /* a draw comes after every join of its wave: its events (seq 1 and
     * 2 at `at`) go after them in each journey (pk_event_cmp: a join
     * later, or at the same instant further down its file, was not an
     * applicant yet) */
    int64_t last_join, last_seq;
    if ((rc = pk_tx_wave_last_join(tx, number, &last_join, &last_seq)) != 0)
        goto db;
    if (last_join > at || (last_join == at && last_seq > 1)) {
        char joined[32], drawn[32];
        pk_instant_format(last_join, joined);
        pk_instant_format(at, drawn);
        snprintf(err, errlen, "wave %lld's last join is at %s, not before the draw's instant "
                 "%s: a draw comes after every join (give --at a later instant)",
                 (long long)number, joined, drawn);
        rc = PK_EINVAL;
        goto out;
    }
    g.closing = pk_instant_day_wib(w.closes_at);
    g.q = &q;
    /* 1-2. everyone who joined, the rules on the closing date, the tier */
    if ((rc = pk_tx_wave_applicants(tx, number, gather_one, &g)) != 0) {
        if (g.unreadable)
            snprintf(err, errlen, "a participant's record does not open with this key file");
        else
            goto db;
        goto out;
    }
    /* the families, and their recipients of earlier waves */
    if ((rc = pk_wv_families(&t, false)) != 0 || (rc = pk_tx_recipient_families(tx, at, prior_one, &t)) != 0)
        goto db;
    outcome *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        rc = PK_ENOMEM;
        goto db;
    }
    /* 3-4. rank, order, walk; 5. the digests */
    rc = pk_wv_draw_compute(&t, seed, w.quota, &q, g.scheme->kk_max, o);
    if (rc != 0) {
        free(o);
        goto db;
    }
    d->wave = number;
    memcpy(d->seed, seed, 32);
    d->algorithm = PK_DRAW_ALGORITHM;
    memcpy(d->snapshot, o->snapshot, 32);
    memcpy(d->result, o->result, 32);
    d->drawn_at = at;
    d->applicants = (int64_t)t.n;
    d->eligible = o->eligible;
    d->selected = o->selected;
    d->not_selected = (int64_t)t.n - o->selected;
    pk_wv_reasons_text(o->by_reason, d->reasons, sizeof(d->reasons));
    free(o);
    if ((rc = pk_tx_draw_insert(tx, d)) != 0)
        goto db;
    /* every applicant's journey is written: a large wave's counters are
     * filled once at the end rather than by triggers per journey (the
     * store decides; store_programme.h) */
    bool deferred = false;
    if ((rc = pk_tx_journey_counts_defer(tx, (int64_t)t.n, &deferred)) != 0)
        goto db;
    if ((rc = pk_card_issuer_begin(app, tx, &ci)) != 0)
        goto db;
    /* The rows are written in participant order, the order of every table
     * and index they go to: in NIK order each write landed on a page of
     * its own, which made the draw three times its import (bench/draw.sh).
     * The card serials follow it too (selection.md leaves their order
     * open), so the index of serials takes them in order. */
    pk_sort_keyed(t.a, t.n, sizeof(appl), key_pid, cmp_pid);
    for (size_t b0 = 0; b0 < t.n; b0 += ROWS_BATCH) {
        size_t nb = t.n - b0 < ROWS_BATCH ? t.n - b0 : ROWS_BATCH, ng = 0;
        for (size_t k = 0; k < nb; k++) {
            const appl *x = &t.a[b0 + k];
            pk_draw_row *r = &rows[k];
            memset(r, 0, sizeof(*r));
            r->participant_id = x->pid;
            r->tier = x->tier;
            r->reasons = x->reasons;
            r->selected = x->selected;
            bool quota_code = x->reasons == PK_CODEBIT(PK_C_KUOTA_GELOMBANG_PENUH) ||
                              x->reasons == PK_CODEBIT(PK_C_KUOTA_WILAYAH_PENUH) ||
                              x->reasons == PK_CODEBIT(PK_C_KUOTA_KK_PENUH);
            r->eligible = x->selected || quota_code;
            if (x->region != PK_DRAW_NONE)
                snprintf(r->regency, sizeof(r->regency), "%s", q.code[x->region]);
            memcpy(r->kk_bi, x->kk, PK_BI_LEN);
            r->kk_prior = t.prior[x->family];
            wb->g[ng] = (pk_append_group){.participant_id = x->pid, .ev = wb->ev[ng],
                                          .out = wb->res[ng]};
            wb->g[ng].n = draw_events(x, number, at, g.scheme, wb->ev[ng]);
            ng += wb->g[ng].n > 0;
        }
        if ((rc = pk_tx_draw_rows_insert(tx, number, nb, rows)) != 0)
            goto db;
        if ((rc = write_events(tx, wb->g, ng, number, err, errlen)) != 0)
            goto out;
        size_t nc = 0;
        for (size_t k = 0; k < nb; k++) {
            const appl *x = &t.a[b0 + k];
            if (!x->selected)
                continue;
            pk_card_new *c = &cards[nc++];
            c->participant_id = x->pid;
            if ((rc = pk_card_issue(&ci, c)) == PK_ETOOBIG) {
                snprintf(err, errlen, "no card numbers left under the issuer prefix");
                goto out;
            }
            if (rc != 0)
                goto db;
        }
        if ((rc = pk_tx_cards_insert(tx, number, at, nc, cards)) != 0)
            goto db;
    }
    char seedhex[65], detail[256];
    pk_draw_hex(seed, seedhex);
    snprintf(detail, sizeof(detail), "wave=%lld seed=%s applicants=%lld selected=%lld",
             (long long)number, seedhex, (long long)t.n, (long long)d->selected);
    if ((deferred && (rc = pk_tx_journey_counts_end(tx)) != 0) ||
        (rc = pk_tx_wave_set_state(tx, number, "diundi")) != 0 ||
        (rc = pk_tx_audit(tx, actor, "cli", "wave.draw", 0, detail)) != 0)
        goto db;
    rc = pk_tx_commit(tx);
    tx = NULL;
    if (rc != 0)
        goto db;
    out->json = pk_wv_summary_json(d);
    if (out->json == NULL)
        rc = PK_ENOMEM;
    goto out;
db:
    if (rc == PK_ECONFLICT)
        snprintf(err, errlen, "another process changed the wave meanwhile: run the draw again");
    else if (rc == PK_ENOMEM)
        snprintf(err, errlen, "out of memory");
    else
        snprintf(err, errlen, "database error");
out:
    pk_tx_rollback(tx);
    pk_card_issuer_end(&ci);
    if (g.tmp.data != NULL)
        sodium_memzero(g.tmp.data, g.tmp.cap);
    pk_buf_free(&g.tmp);
    pk_wv_table_free(&t);
    free(rows);
    free(cards);
    free(wb);
    free(d);
    return rc;
}
