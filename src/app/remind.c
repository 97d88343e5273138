/* remind.c -- see remind.h. */
#include "app/remind.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

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
