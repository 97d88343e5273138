/* test_journey.c -- the journey: events (events_insert, event_find,
 * events_of, events_each; unique by (source, ref); append only in the
 * database too), the derived state (journey_put, journey_get,
 * journey_ids, journey_state), and app/journey.c's pk_journey_append (and
 * its tail form, the daily job's, and the draw's batch) over them, the one
 * function every writer of events goes through, on a real database. */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/journey.h"
#include "core/date.h"
#include "store/store_impl.h"

static pk_tx *begin(pk_store *s)
{
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    return tx;
}

/* An event of type t at `at` (seconds) with ref and amount. */
static pk_event ev(pk_event_source src, const char *ref, pk_event_type t, int64_t at,
                   int64_t amount)
{
    pk_event e;
    memset(&e, 0, sizeof(e));
    e.source = src;
    snprintf(e.ref, sizeof(e.ref), "%s", ref);
    e.type = t;
    e.at = at;
    e.amount = amount;
    if (t <= PK_EV_TIDAK_LOLOS)
        e.wave = 3;
    if (t == PK_EV_PEMBELIAN || t == PK_EV_SELESAI_PELATIHAN) {
        strcpy(e.course, "kursus-1");
        strcpy(e.platform, "tokopedia");
    }
    return e;
}

typedef struct evs {
    size_t n;
    pk_event e[32];
} evs;

static int collect(void *ctx, const pk_event *e)
{
    evs *l = ctx;
    assert_true(l->n < 32);
    l->e[l->n++] = *e;
    return 0;
}

static void person(pk_store *s, st_person *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        st_person_init(&p[i], 500 + i, 500 + i, "Warga", "31.71.01.1001");
    st_insert(s, n, p);
}

/* Inserted events come back in (at, seq, id) order with every column;
 * (source, ref) is unique across people, the same ref in the other
 * source is another event; event_find names the participant. */
static void events_round_trip_and_unique_refs(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[2];
    person(s, p, 2);
    int64_t a = p[0].r.id, b = p[1].r.id;
    pk_tx *tx = begin(s);
    pk_event e[4] = {
        ev(PK_SRC_PMO, "x-2", PK_EV_SALDO_MASUK, 2000, 3500000),
        ev(PK_SRC_PMO, "x-1", PK_EV_LOLOS, 1000, 0),
        ev(PK_SRC_PMO, "x-3", PK_EV_PEMBELIAN, 2000, 100000),
        ev(PK_SRC_LOKAL, "x-1", PK_EV_GABUNG_GELOMBANG, 500, 0),
    };
    e[0].seq = 7, e[2].seq = 3;
    strcpy(e[2].note, "catatan \xc3\xa9");
    for (int i = 0; i < 4; i++)
        e[i].participant_id = a;
    assert_int_equal(pk_tx_events_insert(tx, 4, e), 0);
    for (int i = 0; i < 4; i++)
        assert_true(e[i].id > 0);
    assert_true(e[1].id > e[0].id);
    int64_t who = 0;
    assert_int_equal(pk_tx_event_find(tx, PK_SRC_PMO, "x-3", &who), 0);
    assert_int_equal(who, a);
    assert_int_equal(pk_tx_event_find(tx, PK_SRC_LOKAL, "x-3", &who), PK_ENOENT);
    evs l = {0};
    assert_int_equal(pk_tx_events_of(tx, a, collect, &l), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.e[0].ref, "x-1");
    assert_int_equal(l.e[0].source, PK_SRC_LOKAL);
    assert_string_equal(l.e[1].ref, "x-1");
    assert_int_equal(l.e[1].source, PK_SRC_PMO);
    assert_string_equal(l.e[2].ref, "x-3");   /* seq 3 before seq 7 */
    assert_string_equal(l.e[3].ref, "x-2");
    assert_int_equal(l.e[2].type, PK_EV_PEMBELIAN);
    assert_int_equal(l.e[2].amount, 100000);
    assert_string_equal(l.e[2].course, "kursus-1");
    assert_string_equal(l.e[2].platform, "tokopedia");
    assert_string_equal(l.e[2].note, "catatan \xc3\xa9");
    assert_int_equal(l.e[2].seq, 3);
    assert_int_equal(l.e[2].at, 2000);
    assert_int_equal(l.e[1].wave, 3);
    assert_int_equal(l.e[2].participant_id, a);
    int64_t t;
    assert_int_equal(pk_timestamp_parse(l.e[2].received_at, &t), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    /* the same (source, ref) for someone else: a conflict, nothing written */
    tx = begin(s);
    pk_event dup = ev(PK_SRC_PMO, "x-2", PK_EV_LOLOS, 10, 0);
    dup.participant_id = b;
    assert_int_equal(pk_tx_events_insert(tx, 1, &dup), PK_ECONFLICT);
    pk_tx_rollback(tx);
    evs r = {0};
    assert_int_equal(pk_store_events_each(s, b, collect, &r), 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(pk_store_events_each(s, a, collect, &r), 0);
    assert_int_equal(r.n, 4);
}

/* Many events in one call (SQLite inserts them several rows a
 * statement): each gets the id it is stored under, for either person. */
static void many_events_in_one_call_get_their_ids(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[2];
    person(s, p, 2);
    enum { N = 19 };
    pk_event e[N];
    for (int i = 0; i < N; i++) {
        char ref[16];
        snprintf(ref, sizeof(ref), "m-%02d", i);
        e[i] = ev(PK_SRC_PMO, ref, PK_EV_SURVEI_DIBUKA, 1000 + i, 0);
        e[i].k = i + 1;
        e[i].seq = i;
        e[i].participant_id = p[i % 3 == 0].r.id;
    }
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_events_insert(tx, N, e), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    int seen = 0;
    for (int who = 0; who < 2; who++) {
        evs l = {0};
        assert_int_equal(pk_store_events_each(s, p[who].r.id, collect, &l), 0);
        for (size_t j = 0; j < l.n; j++) {
            int i = atoi(l.e[j].ref + 2);
            assert_true(i >= 0 && i < N);
            assert_int_equal(l.e[j].id, e[i].id);
            assert_int_equal(l.e[j].participant_id, e[i].participant_id);
            assert_int_equal(l.e[j].k, i + 1);
            assert_int_equal(l.e[j].at, 1000 + i);
            seen++;
        }
    }
    assert_int_equal(seen, N);
}

/* The database refuses changing or deleting an event, whatever the
 * store's ops do. */
static void events_are_append_only(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[1];
    person(s, p, 1);
    pk_tx *tx = begin(s);
    pk_event e = ev(PK_SRC_PMO, "only", PK_EV_LOLOS, 1000, 0);
    e.participant_id = p[0].r.id;
    assert_int_equal(pk_tx_events_insert(tx, 1, &e), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(st_sql_try(ST_FX(state), "UPDATE pk_event SET amount = 5"), -1);
    assert_int_equal(st_sql_try(ST_FX(state), "DELETE FROM pk_event"), -1);
    evs l = {0};
    assert_int_equal(pk_store_events_each(s, p[0].r.id, collect, &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.e[0].amount, 0);
}

/* journey_put writes or replaces the state; journey_get reads every
 * column back; journey_ids walks the people with a state. */
static void journey_state_round_trip(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    person(s, p, 3);
    pk_journey j, got;
    memset(&j, 0, sizeof(j));
    j.participant_id = p[2].r.id;
    j.status = PK_JS_PENERIMA;
    strcpy(j.payout, "gopay");
    int64_t v[PK_JOURNEY_INTS];
    for (int i = 0; i < PK_JOURNEY_INTS; i++)
        v[i] = 1000 + i;
    v[4] = INT64_MAX;   /* balance */
    pk_journey_from_ints(&j, v);
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_journey_put(tx, &j), 0);
    j.participant_id = p[0].r.id;
    assert_int_equal(pk_tx_journey_put(tx, &j), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(pk_store_journey_get(s, p[2].r.id, &got), 0);
    assert_int_equal(got.participant_id, p[2].r.id);
    assert_int_equal(got.status, PK_JS_PENERIMA);
    assert_string_equal(got.payout, "gopay");
    int64_t w[PK_JOURNEY_INTS];
    pk_journey_ints(&got, w);
    for (int i = 0; i < PK_JOURNEY_INTS; i++)
        assert_int_equal(w[i], v[i]);
    assert_int_equal(pk_store_journey_get(s, p[1].r.id, &got), PK_ENOENT);
    /* replaced */
    tx = begin(s);
    j.status = PK_JS_DICABUT;
    j.balance = 0;
    assert_int_equal(pk_tx_journey_put(tx, &j), 0);
    int64_t ids[4];
    size_t n = 9;
    assert_int_equal(pk_tx_journey_ids(tx, 0, 4, ids, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], p[0].r.id);
    assert_int_equal(ids[1], p[2].r.id);
    assert_int_equal(pk_tx_journey_ids(tx, p[0].r.id, 1, ids, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], p[2].r.id);
    /* a negative balance is refused by the database too */
    j.balance = -1;
    assert_int_not_equal(pk_tx_journey_put(tx, &j), 0);
    pk_tx_rollback(tx);
    assert_int_equal(pk_store_journey_get(s, p[0].r.id, &got), 0);
    assert_int_equal(got.status, PK_JS_PENERIMA);
    assert_int_equal(got.balance, INT64_MAX);
}

/* journey_tail reads the state in the transaction and tells whether an
 * event at (at, seq) would come after every stored one (an equal (at,
 * seq) does: the stored one was first); journey_ids walks the people with
 * a state and those with events but none (ledger verify, a rebuild). */
static void journey_tail_and_people_with_events(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    person(s, p, 3);
    int64_t a = p[0].r.id, b = p[1].r.id, c = p[2].r.id;
    pk_tx *tx = begin(s);
    pk_event e[3] = {
        ev(PK_SRC_PMO, "t-1", PK_EV_LOLOS, 1000, 0),
        ev(PK_SRC_PMO, "t-2", PK_EV_SALDO_MASUK, 2000, 3500000),
        ev(PK_SRC_PMO, "t-3", PK_EV_LOLOS, 500, 0),
    };
    e[1].seq = 7;
    e[0].participant_id = e[1].participant_id = a;
    e[2].participant_id = b;
    assert_int_equal(pk_tx_events_insert(tx, 3, e), 0);
    pk_journey j, got;
    memset(&j, 0, sizeof(j));
    j.participant_id = a;
    j.status = PK_JS_PENERIMA;
    j.balance = j.credited = 3500000;
    j.events = 2;
    j.last_at = 2000;
    assert_int_equal(pk_tx_journey_put(tx, &j), 0);
    j.participant_id = c; /* a state without events */
    assert_int_equal(pk_tx_journey_put(tx, &j), 0);
    assert_int_equal(pk_tx_commit(tx), 0);

    tx = begin(s);
    bool last = false;
    assert_int_equal(pk_tx_journey_tail(tx, a, 3000, 0, &got, &last), 0);
    assert_true(last);
    assert_int_equal(got.participant_id, a);
    assert_int_equal(got.status, PK_JS_PENERIMA);
    assert_int_equal(got.balance, 3500000);
    assert_int_equal(got.events, 2);
    assert_int_equal(pk_tx_journey_tail(tx, a, 2000, 7, &got, &last), 0);
    assert_true(last);
    assert_int_equal(pk_tx_journey_tail(tx, a, 2000, 8, &got, &last), 0);
    assert_true(last);
    assert_int_equal(pk_tx_journey_tail(tx, a, 2000, 6, &got, &last), 0);
    assert_false(last);
    assert_int_equal(pk_tx_journey_tail(tx, a, 1999, INT64_MAX, &got, &last), 0);
    assert_false(last);
    assert_int_equal(pk_tx_journey_tail(tx, b, 3000, 0, &got, &last), PK_ENOENT);
    assert_int_equal(pk_tx_journey_tail(tx, c, 0, 0, &got, &last), 0);
    assert_true(last);
    /* the same for many at once: a state after everything, one before a
     * stored event, none, a state without events */
    const int64_t at[1] = {3000}, seq[1] = {0};
    pk_tail tails[3];
    memset(tails, 0xff, sizeof(tails));
    const int64_t one[3] = {a, b, c}, one_at[3] = {2000, 3000, 0}, one_seq[3] = {6, 0, 0};
    assert_int_equal(pk_tx_journey_tails(tx, 3, one, one_at, one_seq, tails), 0);
    assert_true(tails[0].found);
    assert_false(tails[0].last);
    assert_int_equal(tails[0].j.participant_id, a);
    assert_int_equal(tails[0].j.balance, 3500000);
    assert_int_equal(tails[0].j.last_at, 2000);
    assert_false(tails[1].found);
    assert_true(tails[2].found);
    assert_true(tails[2].last);
    assert_int_equal(tails[2].j.participant_id, c);
    assert_int_equal(pk_tx_journey_tails(tx, 1, one, at, seq, tails), 0);
    assert_true(tails[0].found);
    assert_true(tails[0].last);
    assert_int_equal(pk_tx_journey_tails(tx, 0, one, at, seq, tails), 0);
    int64_t ids[8];
    size_t n = 0;
    assert_int_equal(pk_tx_journey_ids(tx, 0, 8, ids, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], a);
    assert_int_equal(ids[1], b);
    assert_int_equal(ids[2], c);
    assert_int_equal(pk_tx_journey_ids(tx, a, 1, ids, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], b);
    pk_tx_rollback(tx);
}

/* pk_journey_append: duplicates by (source, ref), the rules with their
 * codes, events older than stored ones merged at their place (the
 * office's older purchase that leaves its later stored one uncovered is
 * taken, and the later one skipped by the fold; a local one is refused),
 * the state kept equal to a fold of every stored event. */
static void append_merges_and_applies_the_rules(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[1];
    person(s, p, 1);
    int64_t id = p[0].r.id;
    pk_tx *tx = begin(s);
    pk_event e[5] = {
        ev(PK_SRC_PMO, "s1", PK_EV_SALDO_MASUK, 2000, 1000),
        ev(PK_SRC_PMO, "l1", PK_EV_LOLOS, 1000, 0),
        ev(PK_SRC_PMO, "b1", PK_EV_PEMBELIAN, 3000, 600),
        ev(PK_SRC_PMO, "b1", PK_EV_PEMBELIAN, 3000, 600),   /* the same ref again */
        ev(PK_SRC_PMO, "b2", PK_EV_PEMBELIAN, 3500, 600),   /* more than is left */
    };
    for (int i = 0; i < 5; i++)
        e[i].seq = i + 2;
    pk_append_result out[5];
    assert_int_equal(pk_journey_append(tx, id, e, 5, out), 0);
    assert_int_equal(out[0].verdict, PK_APPEND_INSERTED);
    assert_int_equal(out[1].verdict, PK_APPEND_INSERTED);
    assert_int_equal(out[2].verdict, PK_APPEND_INSERTED);
    assert_int_equal(out[3].verdict, PK_APPEND_DUPLICATE);
    assert_int_equal(out[4].verdict, PK_APPEND_REJECTED);
    assert_int_equal(out[4].why, PK_C_SALDO_TIDAK_CUKUP);
    assert_true(out[4].kept); /* the office's: stored, skipped */
    assert_false(out[2].kept);
    assert_int_equal(pk_tx_commit(tx), 0);
    pk_journey j;
    assert_int_equal(pk_store_journey_get(s, id, &j), 0);
    assert_int_equal(j.status, PK_JS_PENERIMA);
    assert_int_equal(j.balance, 400);
    assert_int_equal(j.spent, 600);
    assert_int_equal(j.selected_at, 1000);
    assert_int_equal(j.first_purchase_at, 3000);
    assert_int_equal(j.events, 3);

    /* a local purchase older than b1 that would leave b1 uncovered:
     * refused (this deployment's writes never undo a stored event) */
    tx = begin(s);
    pk_event mine = ev(PK_SRC_LOKAL, "m0", PK_EV_PEMBELIAN, 2500, 500);
    assert_int_equal(pk_journey_append(tx, id, &mine, 1, out), 0);
    assert_int_equal(out[0].verdict, PK_APPEND_REJECTED);
    assert_int_equal(out[0].why, PK_C_SALDO_TIDAK_CUKUP);
    /* a late file: the same events again (duplicates), the office's
     * purchase older than b1 that leaves b1 uncovered (taken: b1 is
     * skipped, as it would have been refused had the files come in
     * order), a completion older than b1 (accepted), a second lolos
     * (refused) */
    pk_event late[4] = {
        ev(PK_SRC_PMO, "l1", PK_EV_LOLOS, 1000, 0),
        ev(PK_SRC_PMO, "b0", PK_EV_PEMBELIAN, 2500, 500),
        ev(PK_SRC_PMO, "c0", PK_EV_SELESAI_PELATIHAN, 2600, 0),
        ev(PK_SRC_PMO, "l2", PK_EV_LOLOS, 1500, 0),
    };
    assert_int_equal(pk_journey_append(tx, id, late, 4, out), 0);
    assert_int_equal(out[0].verdict, PK_APPEND_DUPLICATE);
    assert_int_equal(out[1].verdict, PK_APPEND_INSERTED);
    assert_int_equal(out[1].made_inert + out[0].made_inert + out[2].made_inert +
                         out[3].made_inert,
                     1); /* b1 */
    assert_int_equal(out[2].verdict, PK_APPEND_INSERTED);
    assert_int_equal(out[3].verdict, PK_APPEND_REJECTED);
    assert_int_equal(out[3].why, PK_C_SUDAH_PENERIMA);
    assert_false(out[3].kept); /* no older event can make it meet the rule */
    /* the state equals a fold of the stored events */
    pk_journey again;
    assert_int_equal(pk_journey_refold(tx, id, &again), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(pk_store_journey_get(s, id, &j), 0);
    int64_t vj[PK_JOURNEY_INTS], va[PK_JOURNEY_INTS];
    pk_journey_ints(&j, vj);
    pk_journey_ints(&again, va);
    assert_memory_equal(vj, va, sizeof(vj));
    assert_int_equal(j.status, again.status);
    assert_string_equal(j.payout, again.payout);
    assert_int_equal(j.completions, 1);
    assert_int_equal(j.first_completion_at, 2600);
    assert_int_equal(j.balance, 500);
    assert_int_equal(j.spent, 500);
    assert_int_equal(j.purchases, 1);
    assert_int_equal(j.first_purchase_at, 2500);
    assert_int_equal(j.events, 4);
    evs l = {0};
    assert_int_equal(pk_store_events_each(s, id, collect, &l), 0);
    assert_int_equal(l.n, 6); /* b2 kept, b1 made inert: both skipped */
    assert_string_equal(l.e[0].ref, "l1");
    assert_string_equal(l.e[1].ref, "s1");
    assert_string_equal(l.e[2].ref, "b0");
    assert_string_equal(l.e[3].ref, "c0");
    assert_string_equal(l.e[4].ref, "b1");
    assert_string_equal(l.e[5].ref, "b2");
    /* a cancellation gives the money back; a second one is refused; one
     * of the skipped purchase names none the journey knows */
    tx = begin(s);
    pk_event c[3] = {ev(PK_SRC_PMO, "k1", PK_EV_PEMBATALAN, 4000, 500),
                     ev(PK_SRC_PMO, "k2", PK_EV_PEMBATALAN, 4100, 500),
                     ev(PK_SRC_PMO, "k3", PK_EV_PEMBATALAN, 4200, 600)};
    strcpy(c[0].ref_asal, "b0");
    strcpy(c[1].ref_asal, "b0");
    strcpy(c[2].ref_asal, "b1");
    assert_int_equal(pk_journey_append(tx, id, c, 3, out), 0);
    assert_int_equal(out[0].verdict, PK_APPEND_INSERTED);
    assert_int_equal(out[1].verdict, PK_APPEND_REJECTED);
    assert_int_equal(out[1].why, PK_C_SUDAH_DIBATALKAN);
    assert_int_equal(out[2].verdict, PK_APPEND_REJECTED);
    assert_int_equal(out[2].why, PK_C_PEMBELIAN_TIDAK_DIKENAL);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(pk_store_journey_get(s, id, &j), 0);
    assert_int_equal(j.balance, 1000);
    assert_int_equal(j.refunded, 500);
    assert_int_equal(j.first_purchase_at, 0);
}

/* The state and its fold compared (ints, status, payout). */
static void assert_same_state(const pk_journey *a, const pk_journey *b)
{
    int64_t va[PK_JOURNEY_INTS], vb[PK_JOURNEY_INTS];
    pk_journey_ints(a, va);
    pk_journey_ints(b, vb);
    assert_memory_equal(va, vb, sizeof(va));
    assert_int_equal(a->status, b->status);
    assert_string_equal(a->payout, b->payout);
}

/* pk_journey_append_tail (the daily job's): dicabut and saldo_hangus
 * after everything stored are folded onto the stored state
 * (pk_tx_journey_state, inside the transaction); the verdicts and the
 * state are those of pk_journey_append: a balance lapsed twice is
 * refused, events again are duplicates, an event before a stored one
 * is merged at its place (and refused when a later one breaks).  A lazy
 * transaction's commit is seen like any other. */
static void append_tail_agrees_with_append(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    person(s, p, 3);
    pk_append_result out[3];
    pk_tx *tx = begin(s);
    pk_journey j, again;
    assert_int_equal(pk_tx_journey_state(tx, p[0].r.id, &j), PK_ENOENT);
    for (int k = 0; k < 3; k++) {
        char r1[16], r2[16];
        snprintf(r1, sizeof(r1), "t-l%d", k);
        snprintf(r2, sizeof(r2), "t-s%d", k);
        pk_event e[2] = {ev(PK_SRC_LOKAL, r1, PK_EV_LOLOS, 1000, 0),
                         ev(PK_SRC_LOKAL, r2, PK_EV_SALDO_MASUK, 1000, 900)};
        e[1].seq = 2;
        assert_int_equal(pk_journey_append(tx, p[k].r.id, e, 2, out), 0);
    }
    /* person 2 bought after the instant the job will write at */
    pk_event b = ev(PK_SRC_LOKAL, "t-b2", PK_EV_PEMBELIAN, 5000, 100);
    assert_int_equal(pk_journey_append(tx, p[2].r.id, &b, 1, out), 0);
    assert_int_equal(pk_tx_commit(tx), 0);

    assert_int_equal(pk_store_begin_lazy(s, &tx), 0);
    assert_int_equal(pk_tx_journey_state(tx, p[0].r.id, &j), 0);
    assert_int_equal(j.balance, 900);
    assert_int_equal(j.last_at, 1000);
    /* revoked with the rest lapsed, and a lapse of more than is left */
    pk_event t[3] = {ev(PK_SRC_LOKAL, "t-c0", PK_EV_DICABUT, 3000, 0),
                     ev(PK_SRC_LOKAL, "t-h0", PK_EV_SALDO_HANGUS, 3000, 900),
                     ev(PK_SRC_LOKAL, "t-x0", PK_EV_SALDO_HANGUS, 3001, 1)};
    t[1].seq = 2;
    assert_int_equal(pk_journey_append_tail(tx, p[0].r.id, t, 3, out), 0);
    assert_int_equal(out[0].verdict, PK_APPEND_INSERTED);
    assert_int_equal(out[1].verdict, PK_APPEND_INSERTED);
    assert_int_equal(out[2].verdict, PK_APPEND_REJECTED);
    assert_int_equal(out[2].why, PK_C_SALDO_TIDAK_CUKUP);
    assert_true(t[0].id > 0 && t[1].id > t[0].id);
    /* the same again: duplicates, nothing changes */
    pk_event t2[2] = {t[0], t[1]};
    assert_int_equal(pk_journey_append_tail(tx, p[0].r.id, t2, 2, out), 0);
    assert_int_equal(out[0].verdict, PK_APPEND_DUPLICATE);
    assert_int_equal(out[1].verdict, PK_APPEND_DUPLICATE);
    /* before person 2's purchase: merged, and refused (the purchase
     * would follow a revocation), as pk_journey_append refuses it */
    pk_event c2 = ev(PK_SRC_LOKAL, "t-c2", PK_EV_DICABUT, 3000, 0);
    assert_int_equal(pk_journey_append_tail(tx, p[2].r.id, &c2, 1, out), 0);
    assert_int_equal(out[0].verdict, PK_APPEND_REJECTED);
    assert_int_equal(out[0].why, PK_C_SUDAH_DICABUT);
    assert_int_equal(pk_tx_commit(tx), 0);

    tx = begin(s);
    for (int k = 0; k < 3; k += 2) {
        assert_int_equal(pk_tx_journey_state(tx, p[k].r.id, &j), 0);
        assert_int_equal(pk_journey_refold(tx, p[k].r.id, &again), 0);
        assert_same_state(&j, &again);
    }
    pk_tx_rollback(tx);
    assert_int_equal(pk_store_journey_get(s, p[0].r.id, &j), 0);
    assert_int_equal(j.status, PK_JS_DICABUT);
    assert_int_equal(j.balance, 0);
    assert_int_equal(j.lapsed, 900);
    assert_int_equal(j.revoked_at, 3000);
    assert_int_equal(j.events, 4);
    assert_int_equal(pk_store_journey_get(s, p[2].r.id, &j), 0);
    assert_int_equal(j.status, PK_JS_PENERIMA);
    /* a lazy transaction rolled back leaves nothing */
    assert_int_equal(pk_store_begin_lazy(s, &tx), 0);
    pk_event h1 = ev(PK_SRC_LOKAL, "t-h1", PK_EV_SALDO_HANGUS, 3000, 900);
    assert_int_equal(pk_journey_append_tail(tx, p[1].r.id, &h1, 1, out), 0);
    assert_int_equal(out[0].verdict, PK_APPEND_INSERTED);
    pk_tx_rollback(tx);
    assert_int_equal(pk_store_journey_get(s, p[1].r.id, &j), 0);
    assert_int_equal(j.balance, 900);
}

/* Four people's draw events written one by one (pk_journey_append, which
 * looks every ref up and may fold the whole journey), or into a copy of
 * the same store as one batch (pk_journey_append_fresh_many): the same
 * verdicts, event ids and states.  Person 0 and 3 joined before (onto the stored state), person 1
 * has a purchase after the draw's instant (the whole way, at its place),
 * person 2 has no state yet (the whole way), and person 3 was selected
 * already (lolos refused: sudah_penerima). */
static void draw_events_one_by_one_or_as_a_batch(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[4];
    person(s, p, 4);
    pk_append_result out[2];
    pk_tx *tx = begin(s);
    for (int k = 0; k < 4; k += 1 + (k == 1)) { /* 0, 1, 3 */
        char r[16];
        snprintf(r, sizeof(r), "f-j%d", k);
        pk_event e = ev(PK_SRC_LOKAL, r, PK_EV_GABUNG_GELOMBANG, 1000, 0);
        assert_int_equal(pk_journey_append(tx, p[k].r.id, &e, 1, out), 0);
        assert_int_equal(out[0].verdict, PK_APPEND_INSERTED);
    }
    pk_event sel[2] = {ev(PK_SRC_LOKAL, "f-l1", PK_EV_LOLOS, 1500, 0),
                       ev(PK_SRC_LOKAL, "f-s1", PK_EV_SALDO_MASUK, 1500, 900)};
    sel[1].seq = 2;
    assert_int_equal(pk_journey_append(tx, p[3].r.id, sel, 2, out), 0);
    pk_event late = ev(PK_SRC_PMO, "f-x1", PK_EV_GABUNG_GELOMBANG, 9000, 0);
    assert_int_equal(pk_journey_append(tx, p[1].r.id, &late, 1, out), 0);
    assert_int_equal(pk_tx_commit(tx), 0);

    /* the draw's events at 5000: 0 and 3 selected, 1 and 2 not */
    pk_event d[2][4][2];
    pk_append_result res[2][4][2];
    size_t n[4];
    for (int way = 0; way < 2; way++)
        for (int k = 0; k < 4; k++) {
            char r[24];
            memset(d[way][k], 0, sizeof(d[way][k]));
            bool lolos = k == 0 || k == 3;
            snprintf(r, sizeof(r), "undian-3-%s-%d", lolos ? "lolos" : "tidak", k);
            d[way][k][0] = ev(PK_SRC_LOKAL, r, lolos ? PK_EV_LOLOS : PK_EV_TIDAK_LOLOS, 5000, 0);
            d[way][k][0].seq = 1;
            n[k] = 1;
            if (lolos) {
                snprintf(r, sizeof(r), "undian-3-saldo-%d", k);
                d[way][k][1] = ev(PK_SRC_LOKAL, r, PK_EV_SALDO_MASUK, 5000, 700);
                d[way][k][1].seq = 2;
                n[k] = 2;
            }
        }
    tx = begin(s);
    /* the batch first, rolled back; then one by one, committed: the same
     * store before each, so the same ids (PostgreSQL: the same steps from
     * the first, its sequence not being rolled back) */
    pk_append_group g[4];
    for (int k = 0; k < 4; k++)
        g[k] = (pk_append_group){p[k].r.id, d[1][k], n[k], res[1][k]};
    assert_int_equal(pk_journey_append_fresh_many(tx, g, 4), 0);
    pk_journey batch_state[4];
    for (int k = 0; k < 4; k++)
        assert_int_equal(pk_tx_journey_state(tx, p[k].r.id, &batch_state[k]), 0);
    pk_tx_rollback(tx);
    tx = begin(s);
    for (int k = 0; k < 4; k++)
        assert_int_equal(pk_journey_append(tx, p[k].r.id, d[0][k], n[k], res[0][k]), 0);
    for (int k = 0; k < 4; k++) {
        pk_journey one;
        assert_int_equal(pk_tx_journey_state(tx, p[k].r.id, &one), 0);
        assert_same_state(&one, &batch_state[k]);
        for (size_t i = 0; i < n[k]; i++) {
            assert_int_equal(res[0][k][i].verdict, res[1][k][i].verdict);
            assert_int_equal(res[0][k][i].why, res[1][k][i].why);
            if (res[0][k][i].verdict != PK_APPEND_INSERTED)
                continue;
            assert_int_equal(d[0][k][i].id - d[0][0][0].id, d[1][k][i].id - d[1][0][0].id);
            if (!st_pg)
                assert_int_equal(d[0][k][i].id, d[1][k][i].id);
        }
    }
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(res[0][0][0].verdict, PK_APPEND_INSERTED);
    assert_int_equal(res[0][3][0].verdict, PK_APPEND_REJECTED);
    assert_int_equal(res[0][3][0].why, PK_C_SUDAH_PENERIMA);
    assert_int_equal(res[0][3][1].verdict, PK_APPEND_INSERTED); /* a second credit */
    assert_true(d[0][0][0].id > 0 && d[0][0][1].id == d[0][0][0].id + 1);
    assert_true(d[0][1][0].id > d[0][0][1].id && d[0][2][0].id > d[0][1][0].id);
    assert_true(d[0][3][1].id > d[0][2][0].id);
    pk_journey j;
    assert_int_equal(pk_store_journey_get(s, p[0].r.id, &j), 0);
    assert_int_equal(j.status, PK_JS_PENERIMA);
    assert_int_equal(j.balance, 700);
    assert_int_equal(pk_store_journey_get(s, p[1].r.id, &j), 0);
    assert_int_equal(j.status, PK_JS_PENDAFTAR); /* the later join stays the last word */
    assert_int_equal(pk_store_journey_get(s, p[2].r.id, &j), 0);
    assert_int_equal(j.status, PK_JS_TIDAK_LOLOS);
    assert_int_equal(pk_store_journey_get(s, p[3].r.id, &j), 0);
    assert_int_equal(j.balance, 1600);
    /* the groups' participants must ascend */
    tx = begin(s);
    pk_append_group two[2] = {g[1], g[0]};
    assert_int_equal(pk_journey_append_fresh_many(tx, two, 2), PK_EINVAL);
    pk_tx_rollback(tx);
}

/* The reads staff pages make of waves and cards: a wave's applicants
 * counted once each (two joins of one person are one applicant), and a
 * participant's card with the wave that gave it (none: PK_ENOENT); cards
 * written many at once (the draw's), refused if one is taken. */
static void applicants_count_and_card_get(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    person(s, p, 3);
    pk_tx *tx = begin(s);
    pk_event e[4] = {
        ev(PK_SRC_LOKAL, "j-1", PK_EV_GABUNG_GELOMBANG, 100, 0),
        ev(PK_SRC_PMO, "j-2", PK_EV_GABUNG_GELOMBANG, 200, 0),
        ev(PK_SRC_LOKAL, "j-3", PK_EV_GABUNG_GELOMBANG, 100, 0),
        ev(PK_SRC_LOKAL, "j-4", PK_EV_GABUNG_GELOMBANG, 100, 0),
    };
    e[0].participant_id = e[1].participant_id = p[0].r.id;
    e[2].participant_id = p[1].r.id;
    e[3].participant_id = p[2].r.id;
    e[3].wave = 4;
    assert_int_equal(pk_tx_events_insert(tx, 4, e), 0);
    assert_int_equal(pk_tx_card_insert(tx, p[0].r.id, 3, 0, "9900310000000017", 300), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    /* many cards at once; a participant, serial or number taken: refused */
    pk_card_new cards[2] = {{p[1].r.id, 1, "9900310000000025"}, {p[2].r.id, 2, "9900310000000033"}};
    tx = begin(s);
    pk_card_new taken = {p[1].r.id, 9, "9900310000000090"};
    cards[0].serial = 0; /* p[0]'s serial */
    assert_int_equal(pk_tx_cards_insert(tx, 3, 300, 2, cards), PK_ECONFLICT);
    pk_tx_rollback(tx);
    cards[0].serial = 1;
    tx = begin(s);
    assert_int_equal(pk_tx_cards_insert(tx, 3, 300, 2, cards), 0);
    assert_int_equal(pk_tx_cards_insert(tx, 3, 300, 0, cards), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    tx = begin(s);
    assert_int_equal(pk_tx_cards_insert(tx, 3, 300, 1, &taken), PK_ECONFLICT);
    pk_tx_rollback(tx);
    int64_t n = -1;
    assert_int_equal(pk_store_wave_applicants_count(s, 3, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(pk_store_wave_applicants_count(s, 4, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(pk_store_wave_applicants_count(s, 9, &n), 0);
    assert_int_equal(n, 0);
    char card[17] = "";
    int64_t wave = 0, replaced = -1;
    assert_int_equal(pk_store_card_get(s, p[0].r.id, card, &wave, &replaced), 0);
    assert_int_equal(replaced, 0);
    assert_string_equal(card, "9900310000000017");
    assert_int_equal(wave, 3);
    assert_int_equal(pk_store_card_get(s, p[1].r.id, card, &wave, &replaced), 0);
    assert_string_equal(card, "9900310000000025");
    assert_int_equal(pk_store_card_get(s, p[2].r.id, card, &wave, &replaced), 0);
    assert_string_equal(card, "9900310000000033");
    assert_int_equal(wave, 3);
}

/* What the daily job reads: journey_due_wave walks the waves that have
 * recipients without a purchase (or a balance left), journey_due pages
 * them by (selected_at, id) below a bound, with each one's NIK index;
 * tx_meta_get/put_max keep the greater value. */
static void journey_due_and_meta(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[4];
    person(s, p, 4);
    pk_journey j;
    pk_tx *tx = begin(s);
    for (int i = 0; i < 4; i++) {
        memset(&j, 0, sizeof(j));
        j.participant_id = p[i].r.id;
        j.status = i == 3 ? PK_JS_DICABUT : PK_JS_PENERIMA;
        j.wave = i == 0 ? 7 : 5;
        j.selected_at = 1000 + (i == 2 ? 0 : 10 * i);
        j.balance = i == 1 ? 0 : 100 * (i + 1);
        j.first_purchase_at = i == 1 ? 1500 : 0;
        assert_int_equal(pk_tx_journey_put(tx, &j), 0);
    }
    int64_t w = 0;
    /* unbought: p0 (wave 7), p2 (wave 5); p1 bought, p3 revoked */
    assert_int_equal(pk_tx_journey_due_wave(tx, PK_DUE_UNBOUGHT, 0, &w), 0);
    assert_int_equal(w, 5);
    assert_int_equal(pk_tx_journey_due_wave(tx, PK_DUE_UNBOUGHT, 5, &w), 0);
    assert_int_equal(w, 7);
    assert_int_equal(pk_tx_journey_due_wave(tx, PK_DUE_UNBOUGHT, 7, &w), PK_ENOENT);
    pk_due_row rows[4];
    size_t n = 9;
    assert_int_equal(pk_tx_journey_due(tx, PK_DUE_UNBOUGHT, 5, INT64_MAX, INT64_MIN, 0, 4, rows,
                                       &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].participant_id, p[2].r.id);
    assert_int_equal(rows[0].selected_at, 1000);
    assert_int_equal(rows[0].balance, 300);
    assert_true(rows[0].unbought);
    assert_memory_equal(rows[0].nik_bi, p[2].r.nik_bi, PK_BI_LEN);
    assert_int_equal(pk_tx_journey_due(tx, PK_DUE_UNBOUGHT, 5, 1000, INT64_MIN, 0, 4, rows, &n),
                     0);
    assert_int_equal(n, 0);   /* selected at 1000: not before 1000 */
    /* balance left: p2 and p3 in wave 5 (p1 has none), paged one at a time */
    assert_int_equal(pk_tx_journey_due_wave(tx, PK_DUE_BALANCE, 0, &w), 0);
    assert_int_equal(w, 5);
    assert_int_equal(pk_tx_journey_due(tx, PK_DUE_BALANCE, 5, INT64_MAX, INT64_MIN, 0, 1, rows,
                                       &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].participant_id, p[2].r.id);
    assert_int_equal(pk_tx_journey_due(tx, PK_DUE_BALANCE, 5, INT64_MAX, rows[0].selected_at,
                                       rows[0].participant_id, 1, rows, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].participant_id, p[3].r.id);
    assert_int_equal(rows[0].selected_at, 1030);
    assert_false(rows[0].unbought);
    assert_int_equal(pk_tx_journey_due(tx, PK_DUE_BALANCE, 5, INT64_MAX, rows[0].selected_at,
                                       rows[0].participant_id, 1, rows, &n), 0);
    assert_int_equal(n, 0);
    /* named values in the transaction: the greater one stays */
    uint8_t buf[16];
    size_t len = 0;
    assert_int_equal(pk_tx_meta_get(tx, "jobs_test", buf, sizeof(buf), &len), PK_ENOENT);
    assert_int_equal(pk_tx_meta_put_max(tx, "jobs_test", (const uint8_t *)"2021-10-21", 10), 0);
    assert_int_equal(pk_tx_meta_put_max(tx, "jobs_test", (const uint8_t *)"2021-10-20", 10), 0);
    assert_int_equal(pk_tx_meta_get(tx, "jobs_test", buf, sizeof(buf), &len), 0);
    assert_int_equal(len, 10);
    assert_memory_equal(buf, "2021-10-21", 10);
    assert_int_equal(pk_tx_meta_get(tx, "jobs_test", buf, 4, &len), PK_ETOOBIG);
    assert_int_equal(pk_tx_meta_put_max(tx, "jobs_test", (const uint8_t *)"2021-11-01", 10), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(pk_store_meta_get(s, "jobs_test", buf, sizeof(buf), &len), 0);
    assert_memory_equal(buf, "2021-11-01", 10);
}

typedef struct ref_ids {
    size_t n;
    char ref[160][sizeof(((pk_event *)0)->ref)];
    int64_t id[160];
} ref_ids;

static int collect_ids(void *ctx, const pk_event *e)
{
    ref_ids *l = ctx;
    assert_true(l->n < 160);
    snprintf(l->ref[l->n], sizeof(l->ref[0]), "%s", e->ref);
    l->id[l->n++] = e->id;
    return 0;
}

/* Many events in one call (PostgreSQL: binary COPY from two on, the ids
 * taken from the sequence first; in a bulk load a block of it): each
 * gets the id it is stored under, rising in the array's order, in a bulk
 * load and out of one. */
static void many_events_get_the_ids_they_are_stored_under(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[2];
    person(s, p, 2);
    enum { N = 70 };
    pk_event e[2][N];
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < N; i++) {
            char ref[16];
            snprintf(ref, sizeof(ref), "c%d-%02d", k, i);
            e[k][i] = ev(PK_SRC_PMO, ref, PK_EV_SURVEI_DIISI, 100 + i, 0);
            e[k][i].participant_id = p[i % 2].r.id;
            e[k][i].k = 1;
            e[k][i].seq = i;
        }
    for (int k = 0; k < 2; k++) { /* k 0: into a store without events, in bulk */
        pk_tx *tx = begin(s);
        bool on = false;
        assert_int_equal(pk_tx_events_bulk_begin(tx, &on), 0);
        assert_int_equal(on, k == 0);
        assert_int_equal(pk_tx_events_insert(tx, N, e[k]), 0);
        for (int i = 0; i < N; i++)
            assert_true(e[k][i].id > (i > 0 ? e[k][i - 1].id : k > 0 ? e[0][N - 1].id : 0));
        if (on)
            assert_int_equal(pk_tx_events_bulk_end(tx), 0);
        assert_int_equal(pk_tx_commit(tx), 0);
    }
    ref_ids got = {0};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pk_store_events_each(s, p[i].r.id, collect_ids, &got), 0);
    assert_int_equal(got.n, 2 * N);
    for (size_t j = 0; j < got.n; j++) {
        int k = got.ref[j][1] - '0', i = atoi(got.ref[j] + 3);
        assert_int_equal(got.id[j], e[k][i].id);
    }
}

/* The ops that serve many people at once (pk_journey_append_many):
 * events_insert of many people's events (ids back to each), their events
 * read together in (participant, at) order, refs looked up together, the
 * states written together; and a bulk load of events into a store
 * without any: a repeated (source, ref) fails its end, and nothing is
 * left; then a good one commits (ids from the sequence's block on
 * PostgreSQL), the index is back, and a store with events is no bulk
 * load. */
static void many_people_at_once_and_events_bulk(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    person(s, p, 3);
    int64_t a = p[0].r.id, b = p[1].r.id, c = p[2].r.id;
    /* bulk: a repeated ref fails at the end */
    pk_tx *tx = begin(s);
    bool on = true;
    assert_int_equal(pk_tx_events_bulk_begin(tx, &on), 0);
    assert_true(on);
    pk_event d[2] = {ev(PK_SRC_PMO, "d-1", PK_EV_LOLOS, 10, 0),
                     ev(PK_SRC_PMO, "d-1", PK_EV_LOLOS, 20, 0)};
    d[0].participant_id = a, d[1].participant_id = b;
    assert_int_equal(pk_tx_events_insert(tx, 2, d), 0);
    assert_int_equal(pk_tx_events_bulk_end(tx), PK_ECONFLICT);
    pk_tx_rollback(tx);
    /* many people's events in one call, in bulk where there is one */
    tx = begin(s);
    assert_int_equal(pk_tx_events_bulk_begin(tx, &on), 0);
    assert_true(on);
    pk_event e[4] = {
        ev(PK_SRC_PMO, "m-1", PK_EV_LOLOS, 1000, 0),
        ev(PK_SRC_PMO, "m-2", PK_EV_SALDO_MASUK, 2000, 3500000),
        ev(PK_SRC_PMO, "m-3", PK_EV_LOLOS, 500, 0),
        ev(PK_SRC_LOKAL, "m-1", PK_EV_GABUNG_GELOMBANG, 100, 0),
    };
    e[0].participant_id = e[1].participant_id = a;
    e[2].participant_id = e[3].participant_id = c;
    assert_int_equal(pk_tx_events_insert(tx, 4, e), 0);
    for (int i = 0; i < 4; i++)
        assert_true(e[i].id > 0);
    assert_int_equal(pk_tx_events_bulk_end(tx), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    tx = begin(s);
    assert_int_equal(pk_tx_events_bulk_begin(tx, &on), 0);
    assert_false(on); /* events stored: no bulk load */
    evs l = {0};
    const int64_t ids[3] = {a, b, c};
    assert_int_equal(pk_tx_events_of_many(tx, 3, ids, collect, &l), 0);
    assert_int_equal(l.n, 4);
    const char *order[4] = {"m-1", "m-2", "m-1", "m-3"};
    const int64_t who[4] = {a, a, c, c};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(l.e[i].ref, order[i]);
        assert_int_equal(l.e[i].participant_id, who[i]);
        for (int k = 0; k < 4; k++) /* each id is its event's */
            if (e[k].source == l.e[i].source && strcmp(e[k].ref, l.e[i].ref) == 0)
                assert_int_equal(e[k].id, l.e[i].id);
    }
    int64_t found = 0;
    assert_int_equal(pk_tx_event_find(tx, PK_SRC_PMO, "m-3", &found), 0);
    assert_int_equal(found, c);
    pk_event q[3] = {ev(PK_SRC_PMO, "m-2", PK_EV_LOLOS, 0, 0),
                     ev(PK_SRC_PMO, "nope", PK_EV_LOLOS, 0, 0),
                     ev(PK_SRC_LOKAL, "m-1", PK_EV_LOLOS, 0, 0)};
    const pk_event *qp[3] = {&q[0], &q[1], &q[2]};
    bool known[3] = {false, true, false};
    assert_int_equal(pk_tx_events_known(tx, 3, qp, known), 0);
    assert_true(known[0]);
    assert_false(known[1]);
    assert_true(known[2]);
    /* states of two people in one call, then replaced */
    pk_journey j[2], got;
    memset(j, 0, sizeof(j));
    j[0].participant_id = a, j[0].status = PK_JS_PENERIMA, j[0].balance = 3500000;
    strcpy(j[0].payout, "ovo");
    j[1].participant_id = c, j[1].status = PK_JS_PENDAFTAR, j[1].wave = 3;
    /* fresh: neither has a state yet (PostgreSQL writes them by COPY) */
    assert_int_equal(pk_tx_journeys_put(tx, 2, j, true), 0);
    j[0].balance = 100;
    assert_int_equal(pk_tx_journeys_put(tx, 2, j, false), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(pk_store_journey_get(s, a, &got), 0);
    assert_int_equal(got.balance, 100);
    assert_string_equal(got.payout, "ovo");
    assert_int_equal(got.status, PK_JS_PENERIMA);
    assert_int_equal(pk_store_journey_get(s, c, &got), 0);
    assert_int_equal(got.wave, 3);
    assert_int_equal(got.status, PK_JS_PENDAFTAR);
    assert_int_equal(pk_store_journey_get(s, b, &got), PK_ENOENT);
    /* the index is back: the same (source, ref) again conflicts */
    tx = begin(s);
    pk_event dup = ev(PK_SRC_PMO, "m-1", PK_EV_LOLOS, 10, 0);
    dup.participant_id = b;
    assert_int_equal(pk_tx_events_insert(tx, 1, &dup), PK_ECONFLICT);
    pk_tx_rollback(tx);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(events_round_trip_and_unique_refs),
    ST_TEST(many_events_in_one_call_get_their_ids),
    ST_TEST(events_are_append_only),
    ST_TEST(journey_state_round_trip),
    ST_TEST(journey_tail_and_people_with_events),
    ST_TEST(append_merges_and_applies_the_rules),
    ST_TEST(append_tail_agrees_with_append),
    ST_TEST(draw_events_one_by_one_or_as_a_batch),
    ST_TEST(applicants_count_and_card_get),
    ST_TEST(journey_due_and_meta),
    ST_TEST(many_people_at_once_and_events_bulk),
    ST_TEST(many_events_get_the_ids_they_are_stored_under),
};
const st_division st_journey = {tests, sizeof(tests) / sizeof(tests[0])};
