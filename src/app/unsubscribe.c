/* unsubscribe.c -- see unsubscribe.h. */
#include "app/unsubscribe.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/registry.h"
#include "app/remind.h"
#include "app/vault.h"
#include "core/nik.h"
#include "core/pk.h"
#include "store/store.h"

#define MAC_B64 23 /* 16 bytes in base64url without padding: 22 characters + NUL */

static void mac_of(const pk_app *app, int64_t id, pk_purpose p, char out[MAC_B64])
{
    char what[48];
    uint8_t mac[PK_BLIND_LEN];
    snprintf(what, sizeof what, "%lld.%s", (long long)id, pk_purpose_name(p));
    pk_vault_blind(&app->vault, "unsubscribe", what, mac);
    sodium_bin2base64(out, MAC_B64, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(mac, sizeof mac);
}

int pk_unsub_token(const pk_app *app, int64_t participant_id, pk_purpose p, char *out,
                   size_t cap)
{
    if (participant_id <= 0 || pk_purpose_name(p) == NULL)
        return PK_EINVAL;
    char mac[MAC_B64];
    mac_of(app, participant_id, p, mac);
    int n = snprintf(out, cap, "%lld-%c-%s", (long long)participant_id,
                     p == PK_PURPOSE_PROGRAM ? 'p' : 'i', mac);
    return n > 0 && (size_t)n < cap ? 0 : PK_ETOOBIG;
}

int pk_unsub_url(const pk_app *app, int64_t participant_id, pk_purpose p, char *out, size_t cap)
{
    char token[PK_UNSUB_TOKEN_MAX];
    int rc = pk_unsub_token(app, participant_id, p, token, sizeof token);
    if (rc != 0)
        return rc;
    int n = snprintf(out, cap, "https://%s/berhenti/%s", app->cfg.portal_url, token);
    return n > 0 && (size_t)n < cap ? 0 : PK_ETOOBIG;
}

int pk_unsub_check(const pk_app *app, const char *token, int64_t *participant_id, pk_purpose *p)
{
    *participant_id = 0;
    *p = PK_PURPOSE__COUNT;
    if (token == NULL || strlen(token) >= PK_UNSUB_TOKEN_MAX)
        return PK_EINVAL;
    size_t digits = strspn(token, "0123456789");
    if (digits == 0 || digits > 18 || token[0] == '0' || token[digits] != '-' ||
        (token[digits + 1] != 'p' && token[digits + 1] != 'i') || token[digits + 2] != '-')
        return PK_EINVAL;
    int64_t id = strtoll(token, NULL, 10);
    pk_purpose purpose = token[digits + 1] == 'p' ? PK_PURPOSE_PROGRAM : PK_PURPOSE_INFORMASI;
    const char *given = token + digits + 3;
    char want[MAC_B64];
    mac_of(app, id, purpose, want);
    bool ok = strlen(given) == MAC_B64 - 1 && sodium_memcmp(given, want, MAC_B64 - 1) == 0;
    sodium_memzero(want, sizeof want);
    if (!ok)
        return PK_EINVAL;
    *participant_id = id;
    *p = purpose;
    return 0;
}

int pk_unsub_apply(const pk_app *app, const char *token, const char *source, bool *changed,
                   pk_purpose *p, char *err, size_t errlen)
{
    *changed = false;
    int64_t id;
    if (pk_unsub_check(app, token, &id, p) != 0) {
        snprintf(err, errlen, "not an unsubscribe address of this service");
        return PK_EINVAL;
    }
    pk_tx *tx = NULL;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_consent_set_tx(tx, id, *p, true, "email", source, "public", changed);
    if (rc == 0) {
        rc = pk_tx_commit(tx);
        tx = NULL;
    }
    pk_tx_rollback(tx);
    if (rc != 0) {
        *changed = false;
        snprintf(err, errlen, rc == PK_ECONFLICT || rc == PK_ENOENT
                                  ? "the participant is no longer registered"
                                  : "database error");
        if (rc == PK_ECONFLICT)
            rc = PK_ENOENT;
    }
    return rc;
}

int pk_unsub_url_for_nik(const pk_app *app, const char *nik, pk_purpose p, char *out,
                         size_t cap, int64_t *participant_id, char *err, size_t errlen)
{
    *participant_id = 0;
    if (pk_purpose_name(p) == NULL) {
        snprintf(err, errlen, "the purpose is program or informasi");
        return PK_EINVAL;
    }
    if (!pk_nik_digits(nik)) {
        snprintf(err, errlen, "a NIK is 16 digits");
        return PK_EINVAL;
    }
    int64_t id = 0;
    int rc = pk_registry_nik_id(app, nik, &id);
    if (rc != 0) {
        snprintf(err, errlen, "database error");
        return rc;
    }
    if (id == 0) {
        snprintf(err, errlen, "no participant has this NIK");
        return PK_ENOENT;
    }
    *participant_id = id;
    return pk_unsub_url(app, id, p, out, cap);
}
