/* remind.c -- see remind.h. */
#include "app/remind.h"

#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "app/operator.h"
#include "app/vault.h"
#include "core/nik.h"
#include "store/store.h"

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
        rc = pk_tx_consent_set(tx, known.id, pname, r->stop, r->channel, r->actor, changed);
    if (rc == 0 && *changed) {
        char detail[64];
        snprintf(detail, sizeof detail, "purpose=%s channel=%s", pname, r->channel);
        rc = pk_tx_audit(tx, r->actor, r->source, r->stop ? "consent.stop" : "consent.start",
                         known.id, detail);
    }
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

int pk_remind_plan_staff(const pk_app *app, const char *scope, const char *region, const char *actor,
                         const char *route, pk_date day, pk_plan_line_fn line, void *ctx,
                         pk_remind_summary *sum, char *err, size_t errlen)
{
    memset(sum, 0, sizeof *sum);
    const char *want = region != NULL && region[0] != '\0' ? region : scope;
    size_t sl = strlen(scope);
    if (want[0] != '\0' && (pk_regions_find(app->regions, want) == NULL ||
                            strncmp(want, scope, sl) != 0 ||
                            (want[sl] != '\0' && want[sl] != '.' && sl > 0))) {
        snprintf(err, errlen, "the region is not a known code inside your area");
        return PK_EINVAL;
    }
    char day_s[11], detail[64];
    pk_date_format(day, day_s);
    snprintf(detail, sizeof detail, "day=%s region=%s", day_s, want[0] ? want : "*");
    if (pk_access_record(app, actor, "remind.plan", route, 0, detail) != 0) {
        snprintf(err, errlen, "cannot write the access log");
        return PK_EIO;
    }
    pk_remind_req q = {.day = day, .now = pk_day_start_wib(day), .actor = actor,
                       .source = "portal", .scope = want, .line = line, .ctx = ctx};
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
    }
    free(m);
    return rc;
}
