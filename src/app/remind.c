/* remind.c -- see remind.h. */
#include "app/remind.h"

#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "app/vault.h"
#include "core/median.h"
#include "core/nik.h"
#include "store/store.h"

int pk_consent_set_tx(pk_tx *tx, int64_t participant_id, pk_purpose purpose, bool stop,
                      const char *channel, const char *source, const char *actor,
                      bool *changed)
{
    *changed = false;
    const char *pname = pk_purpose_name(purpose);
    if (pname == NULL)
        return PK_EINVAL;
    int rc = pk_tx_consent_set(tx, participant_id, pname, stop, channel, actor, changed);
    if (rc == 0 && *changed) {
        char detail[64];
        snprintf(detail, sizeof detail, "purpose=%s channel=%s", pname, channel);
        rc = pk_tx_audit(tx, actor, source, stop ? "consent.stop" : "consent.start",
                         participant_id, detail);
    }
    return rc;
}

int pk_consent_change(const pk_app *app, const pk_consent_req *r, bool *changed,
                      int64_t *participant_id, char *err, size_t errlen)
{
    *changed = false;
    *participant_id = 0;
    const char *pname = pk_purpose_name(r->purpose);
    if (pname == NULL) {
        snprintf(err, errlen, "the purpose is program or informasi");
        return PK_EINVAL;
    }
    if (!pk_nik_digits(r->nik)) {
        snprintf(err, errlen, "a NIK is 16 digits");
        return PK_EINVAL;
    }
    pk_bi bi;
    pk_vault_blind(&app->vault, "nik", r->nik, bi);
    pk_tx *tx = NULL;
    pk_pknown known;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_tx_participants_find(tx, 1, (const pk_bi *)&bi, &known);
    if (rc == 0 && known.id == 0) {
        snprintf(err, errlen, "no participant has this NIK");
        rc = PK_ENOENT;
        goto out;
    }
    if (rc == 0)
        rc = pk_consent_set_tx(tx, known.id, r->purpose, r->stop, r->channel, r->source,
                               r->actor, changed);
    if (rc == 0) {
        rc = pk_tx_commit(tx);
        tx = NULL;
    }
    if (rc != 0) {
        snprintf(err, errlen, "database error");
        *changed = false;
    } else {
        *participant_id = known.id;
    }
out:
    pk_tx_rollback(tx);
    sodium_memzero(bi, sizeof bi);
    return rc;
}

/* The region a staff read is about: `region` when it is a known code
 * inside `scope`, the scope itself when none is given; NULL (a sentence
 * in err) otherwise. */
static const char *region_in(const pk_app *app, const char *scope, const char *region,
                             char *err, size_t errlen)
{
    const char *want = region != NULL && region[0] != '\0' ? region : scope;
    size_t sl = strlen(scope);
    if (want[0] != '\0' && (pk_regions_find(app->regions, want) == NULL ||
                            strncmp(want, scope, sl) != 0 ||
                            (want[sl] != '\0' && want[sl] != '.' && sl > 0))) {
        snprintf(err, errlen, sl == 0 ? "the region is not a known region code (e.g. 31.74)"
                                      : "the region is not a known code inside your area");
        return NULL;
    }
    return want;
}

int pk_remind_plan_staff(const pk_app *app, const char *scope, const char *region, const char *actor,
                         const char *route, pk_date day, pk_plan_line_fn line, void *ctx,
                         pk_remind_summary *sum, char *err, size_t errlen)
{
    memset(sum, 0, sizeof *sum);
    const char *want = region_in(app, scope, region, err, errlen);
    if (want == NULL)
        return PK_EINVAL;
    pk_remind_req q = {.day = day, .now = pk_day_start_wib(day), .actor = actor,
                       .source = "portal", .scope = want, .route = route, .line = line,
                       .ctx = ctx};
    return pk_remind_day(app, &q, sum, err, errlen);
}

int pk_remind_last_run(const pk_app *app, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    if (cap == 0)
        return PK_ETOOBIG;
    int rc = pk_store_meta_get(app->store, PK_META_REMIND_LAST, (uint8_t *)out, cap - 1, &len);
    if (rc == PK_ENOENT)
        return 0;
    out[rc == 0 ? len : 0] = '\0';
    return rc;
}

int pk_remind_consent_of(const pk_app *app, int64_t participant_id,
                         bool stopped[PK_PURPOSE__COUNT])
{
    int rc = 0;
    for (int p = 0; rc == 0 && p < PK_PURPOSE__COUNT; p++) {
        char since[32];
        rc = pk_store_consent_get(app->store, participant_id, pk_purpose_name((pk_purpose)p),
                                  &stopped[p], since);
    }
    return rc;
}

int pk_remind_messages_of(const pk_app *app, int64_t participant_id, size_t limit,
                          pk_message_view *rows, size_t *n)
{
    *n = 0;
    pk_outbox_msg *m = calloc(limit ? limit : 1, sizeof *m);
    if (m == NULL)
        return PK_ENOMEM;
    int rc = pk_store_outbox_of(app->store, participant_id, limit, m, n);
    for (size_t i = 0; rc == 0 && i < *n; i++) {
        pk_message_view *v = &rows[i];
        memset(v, 0, sizeof *v);
        snprintf(v->rule, sizeof v->rule, "%s", m[i].rule);
        snprintf(v->day, sizeof v->day, "%s", m[i].day);
        snprintf(v->channel, sizeof v->channel, "%s", m[i].channel);
        snprintf(v->state, sizeof v->state, "%s", m[i].state);
        snprintf(v->error, sizeof v->error, "%s", m[i].error);
        v->send_at = m[i].send_at;
        v->delivered_at = m[i].delivered_at;
        v->read_at = m[i].read_at;
    }
    free(m);
    return rc;
}

/* ---- the effect of reminders ---- */

typedef struct effect_ctx {
    pk_remind_effect *out;
    pk_remind_effect_rule *cur;
    /* the current rule's purchases: (days, people) per group */
    pk_tally *hist[PK_EFF__COUNT];
    size_t nhist[PK_EFF__COUNT], caphist[PK_EFF__COUNT];
} effect_ctx;

static int days_cmp(const void *a, const void *b)
{
    const pk_tally *x = a, *y = b;
    return (x->value > y->value) - (x->value < y->value);
}

/* The median (core/median.h) of the current rule's days per group, then
 * the histograms emptied. */
static void effect_close(effect_ctx *e)
{
    for (int g = 0; e->cur != NULL && g < PK_EFF__COUNT; g++) {
        pk_remind_effect_cell *c = &e->cur->group[g];
        if (e->nhist[g] > 0)
            qsort(e->hist[g], e->nhist[g], sizeof *e->hist[g], days_cmp);
        if (!pk_median(e->hist[g], e->nhist[g], &c->median_days))
            c->median_days = -1;
        e->nhist[g] = 0;
    }
}

static int effect_row(void *ctx, const pk_remind_effect_row *r)
{
    effect_ctx *e = ctx;
    if (e->cur == NULL || strcmp(e->cur->rule, r->rule) != 0) {
        effect_close(e);
        if (e->out->nrules == PK_REMIND_RULES_MAX)
            return PK_ETOOBIG;
        e->cur = &e->out->rules[e->out->nrules++];
        memset(e->cur, 0, sizeof *e->cur);
        snprintf(e->cur->rule, sizeof e->cur->rule, "%s", r->rule);
    }
    int g = r->sent ? PK_EFF_DIINGATKAN : r->held ? PK_EFF_KONTROL : PK_EFF_TIDAK;
    pk_remind_effect_cell *c = &e->cur->group[g];
    c->people += r->n;
    if (r->revoked)
        c->revoked += r->n;
    if (r->days >= 0) {
        c->bought += r->n;
        if (e->nhist[g] == e->caphist[g]) {
            size_t cap = e->caphist[g] ? 2 * e->caphist[g] : 64;
            void *p = realloc(e->hist[g], cap * sizeof *e->hist[g]);
            if (p == NULL)
                return PK_ENOMEM;
            e->hist[g] = p;
            e->caphist[g] = cap;
        }
        e->hist[g][e->nhist[g]++] = (pk_tally){r->days, r->n};
    }
    return 0;
}

int pk_remind_effect_of(const pk_app *app, const char *scope, const char *region,
                        pk_remind_effect *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *want = region_in(app, scope ? scope : "", region, err, errlen);
    if (want == NULL)
        return PK_EINVAL;
    pk_remind_rules rules;
    int rc = pk_remind_rules_load(&app->cfg, &rules, err, errlen);
    if (rc != 0)
        return rc;
    out->control_ppm = rules.set.control_ppm;
    if (rules.set.control_ppm > 0)
        sodium_bin2hex(out->control_seed, sizeof out->control_seed, rules.set.control_seed,
                       sizeof rules.set.control_seed);
    effect_ctx e = {.out = out};
    rc = pk_store_remind_effect(app->store, want, effect_row, &e);
    if (rc == 0)
        effect_close(&e);
    for (int g = 0; g < PK_EFF__COUNT; g++)
        free(e.hist[g]);
    if (rc != 0)
        snprintf(err, errlen, "cannot read the recorded reminders (error %d)", rc);
    return rc;
}

int pk_remind_consent_changes_of(const pk_app *app, int64_t participant_id, size_t limit,
                                 pk_consent_view *rows, size_t *n)
{
    *n = 0;
    pk_consent_change_row *c = calloc(limit ? limit : 1, sizeof *c);
    if (c == NULL)
        return PK_ENOMEM;
    int rc = pk_store_consent_changes(app->store, participant_id, limit, c, n);
    for (size_t i = 0; rc == 0 && i < *n; i++) {
        pk_consent_view *v = &rows[i];
        memset(v, 0, sizeof *v);
        snprintf(v->purpose, sizeof v->purpose, "%s", c[i].purpose);
        v->stopped = c[i].stopped;
        snprintf(v->channel, sizeof v->channel, "%s", c[i].channel);
        snprintf(v->actor, sizeof v->actor, "%s", c[i].actor);
        snprintf(v->at, sizeof v->at, "%s", c[i].at);
    }
    free(c);
    return rc;
}
