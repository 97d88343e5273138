/* purchase.c -- the platforms' operations on a participant's balance
 * (purchase.h), each inside the transaction of a verified request. */
#include "app/purchase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/journey.h"
#include "app/wave.h"
#include "core/card.h"
#include "store/store.h"

/* The platforms' events sort after every other event of the same
 * instant (the draw's lolos and saldo_masuk come with seq 1 and 2): a
 * purchase in the second a person was selected comes after it. */
#define PLATFORM_SEQ ((int64_t)1 << 62)

static void result_init(pk_purchase_result *out)
{
    memset(out, 0, sizeof(*out));
    out->refused = PK_C__COUNT;
}

/* A person's events, in (at, seq, id) order. */
typedef struct evs {
    pk_event *v;
    size_t n, cap;
} evs;

static int collect(void *ctx, const pk_event *e)
{
    evs *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        pk_event *v = realloc(l->v, cap * sizeof(*v));
        if (v == NULL)
            return PK_ENOMEM;
        l->v = v, l->cap = cap;
    }
    l->v[l->n++] = *e;
    return 0;
}

/* The balance the events leave (those the rules refuse are skipped, as
 * app/journey.c folds them). */
static int balance_of(const evs *l, int64_t pid, int64_t *balance)
{
    pk_fold f;
    pk_fold_init(&f, pid);
    int rc = 0;
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        pk_code why;
        rc = pk_fold_apply(&f, &l->v[i], &why);
        if (rc == PK_EINVAL)
            rc = 0;
    }
    *balance = f.j.balance;
    pk_fold_free(&f);
    return rc;
}

static const pk_event *by_ref(const evs *l, const char *ref)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].source == PK_SRC_LOKAL && strcmp(l->v[i].ref, ref) == 0)
            return &l->v[i];
    return NULL;
}

/* a field of an event or of the result, whatever its size */
#define copy(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

/* The event op_ref exists: the operation of this key was done before
 * (its answer forgotten, or a retry that raced the first): *out as its
 * answer, the balance as it is now; or a clash when op_ref is another
 * operation (another type, person, course or purchase). */
static int done_before(const pk_platform_caller *c, const char *op_ref, pk_event_type type,
                       int64_t pid, const char *purchase_ref, const char *course,
                       pk_purchase_result *out)
{
    int64_t who;
    int rc = pk_tx_event_find(c->tx, PK_SRC_LOKAL, op_ref, &who);
    if (rc != 0)
        return rc == PK_ENOENT ? PK_ECONFLICT : rc;
    evs l = {0};
    if ((rc = pk_tx_events_of(c->tx, who, collect, &l)) != 0)
        goto out;
    const pk_event *e = by_ref(&l, op_ref);
    const pk_event *p = type == PK_EV_PEMBELIAN ? e : purchase_ref ? by_ref(&l, purchase_ref) : NULL;
    if (e == NULL || p == NULL || e->type != type || strcmp(e->platform, c->code) != 0 ||
        (pid != 0 && who != pid) || (course != NULL && strcmp(e->course, course) != 0) ||
        (purchase_ref != NULL && strcmp(e->ref_asal, purchase_ref) != 0)) {
        out->clash = true;
        goto out;
    }
    out->again = true;
    out->at = e->at;
    out->amount = p->amount;
    copy(out->ref, p->ref);
    copy(out->op_ref, e->ref);
    copy(out->course, p->course);
    rc = balance_of(&l, who, &out->balance);
out:
    free(l.v);
    return rc;
}

int pk_purchase_buy(const pk_app *app, const pk_platform_caller *c, const char *card,
                    const char *course_ref, pk_purchase_result *out)
{
    result_init(out);
    int64_t pid;
    bool retired = false;
    int rc = pk_card_valid(card) ? pk_tx_card_find(c->tx, card, &pid, &retired) : PK_ENOENT;
    if (rc == PK_ENOENT)
        out->refused = PK_C_KARTU_TIDAK_DIKENAL;
    if (rc != 0)
        return rc == PK_ENOENT ? 0 : rc;
    if (retired) { /* replaced by `prakerja cards reissue`: its holder has the new one */
        out->refused = PK_C_KARTU_DIGANTI;
        return 0;
    }
    pk_course course;
    rc = pk_tx_course_find(c->tx, c->code, course_ref, &course);
    if (rc == PK_ENOENT)
        out->refused = PK_C_PELATIHAN_TIDAK_DIKENAL;
    if (rc != 0)
        return rc == PK_ENOENT ? 0 : rc;

    pk_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.source = PK_SRC_LOKAL;
    ev.type = PK_EV_PEMBELIAN;
    ev.at = c->now;
    ev.seq = PLATFORM_SEQ;
    ev.amount = course.price;
    pk_purchase_ref(c->code, c->key, ev.ref);
    copy(ev.course, course.course_ref);
    copy(ev.platform, c->code);
    pk_append_result res;
    pk_journey j;
    if ((rc = pk_journey_append_checked(c->tx, pid, &ev, 1, &res, pk_wave_lokal_rule,
                                        (void *)app, &j)) != 0)
        return rc;
    if (res.verdict == PK_APPEND_DUPLICATE)
        return done_before(c, ev.ref, PK_EV_PEMBELIAN, pid, NULL, ev.course, out);
    copy(out->ref, ev.ref);
    copy(out->op_ref, ev.ref);
    copy(out->course, ev.course);
    out->amount = ev.amount;
    out->at = ev.at;
    if (res.verdict == PK_APPEND_REJECTED)
        out->refused = res.why;
    else
        out->balance = j.balance;
    return 0;
}

/* What cancel, complete and review share: the purchase `ref` found and
 * checked, then one event of `type` (note: its keterangan) appended. */
static int on_purchase(const pk_platform_caller *c, const char *ref, pk_purchase_op op,
                       pk_event_type type, const char *note, pk_purchase_result *out)
{
    char op_ref[PK_EVENT_REF_MAX];
    pk_purchase_ref(c->code, c->key, op_ref);
    int64_t pid, who;
    size_t n = strlen(ref);
    int rc = n == 0 || n >= PK_EVENT_REF_MAX ? PK_ENOENT
                                              : pk_tx_event_find(c->tx, PK_SRC_LOKAL, ref, &pid);
    if (rc == PK_ENOENT)
        out->refused = PK_C_PEMBELIAN_TIDAK_DIKENAL;
    if (rc != 0)
        return rc == PK_ENOENT ? 0 : rc;
    /* this key's operation done before: the same answer */
    rc = pk_tx_event_find(c->tx, PK_SRC_LOKAL, op_ref, &who);
    if (rc == 0)
        return done_before(c, op_ref, type, pid, ref, NULL, out);
    if (rc != PK_ENOENT)
        return rc;

    evs l = {0};
    if ((rc = pk_tx_events_of(c->tx, pid, collect, &l)) != 0)
        goto out;
    pk_purchase_state st;
    pk_purchase_find(l.v, l.n, ref, &st);
    if ((out->refused = pk_purchase_check(&st, c->code, op)) != PK_C__COUNT)
        goto out;
    const pk_event *p = st.purchase;
    pk_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.source = PK_SRC_LOKAL;
    ev.type = type;
    ev.at = c->now > p->at ? c->now : p->at;
    ev.seq = PLATFORM_SEQ;
    copy(ev.ref, op_ref);
    copy(ev.ref_asal, p->ref);
    copy(ev.course, p->course);
    copy(ev.platform, p->platform);
    if (type == PK_EV_PEMBATALAN)
        ev.amount = p->amount;
    snprintf(ev.note, sizeof(ev.note), "%s", note ? note : "");
    copy(out->ref, p->ref);
    copy(out->op_ref, ev.ref);
    copy(out->course, p->course);
    out->amount = p->amount;
    out->at = ev.at;
    pk_append_result res;
    pk_journey j;
    if ((rc = pk_journey_append_get(c->tx, pid, &ev, 1, &res, &j)) != 0)
        goto out;
    if (res.verdict == PK_APPEND_DUPLICATE)
        rc = done_before(c, op_ref, type, pid, ref, NULL, out);
    else if (res.verdict == PK_APPEND_REJECTED)
        out->refused = res.why;
    else
        out->balance = j.balance;
out:
    free(l.v);
    return rc;
}

int pk_purchase_cancel(const pk_app *app, const pk_platform_caller *c, const char *ref,
                       pk_purchase_result *out)
{
    (void)app;
    result_init(out);
    return on_purchase(c, ref, PK_PURCHASE_CANCEL, PK_EV_PEMBATALAN, NULL, out);
}

int pk_purchase_complete(const pk_app *app, const pk_platform_caller *c, const char *ref,
                         const char *certificate, pk_purchase_result *out)
{
    (void)app;
    result_init(out);
    if (!pk_certificate_valid(certificate)) {
        out->refused = PK_C_SERTIFIKAT_TIDAK_VALID;
        return 0;
    }
    return on_purchase(c, ref, PK_PURCHASE_COMPLETE, PK_EV_SELESAI_PELATIHAN, certificate, out);
}

int pk_purchase_review(const pk_app *app, const pk_platform_caller *c, const char *ref,
                       int stars, const char *text, pk_purchase_result *out)
{
    (void)app;
    result_init(out);
    char note[PK_EVENT_NOTE_MAX];
    if (!pk_review_note(stars, text, note, sizeof(note))) {
        out->refused = PK_C_ULASAN_TIDAK_VALID;
        return 0;
    }
    return on_purchase(c, ref, PK_PURCHASE_REVIEW, PK_EV_ULASAN, note, out);
}
