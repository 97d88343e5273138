/* cards.c -- card numbers (selection.md "Card numbers"; wave.h): the next
 * serials' keyed numbers, one way for the draw and the reissue, and
 * `prakerja cards reissue`, which gives every card of the first release
 * (an affine spread of its serial, computable from the public source) a
 * keyed number and keeps the old one retired. */
#include "app/wave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app/wave_int.h"
#include "core/card.h"
#include "store/store.h"

#define CARDS_PAGE 1000

/* Whether a number was ever issued (a card's, or retired by a reissue). */
static int taken(pk_tx *tx, const char *number, bool *out)
{
    int64_t holder;
    bool retired;
    int rc = pk_tx_card_find(tx, number, &holder, &retired);
    *out = rc == 0;
    return rc == PK_ENOENT ? 0 : rc;
}

int pk_card_issuer_begin(const pk_app *app, pk_tx *tx, pk_card_issuer *ci)
{
    memset(ci, 0, sizeof(*ci));
    ci->tx = tx;
    ci->prefix = app->cfg.card_issuer;
    int64_t serial = -1;
    int rc = pk_tx_card_serial_max(tx, &serial);
    if (rc != 0)
        return rc;
    ci->next = serial + 1;
    /* the spread is keyed: a number pays for trainings, and one card's
     * number (or the count issued) must not give another's */
    pk_vault_subkey(&app->vault, "kartu", ci->key, sizeof ci->key);
    /* Cards of the first release (or the numbers a reissue retired) may
     * hold a number the keyed spread gives a new serial: then that
     * serial is skipped, as a number is never reused.  Looked up only in
     * a store that has had such cards: its first card's (serial 0) first
     * number is one. */
    char old[PK_CARD_LEN + 1];
    if (serial >= 0 && pk_card_make_v1(ci->prefix, 0, old) == 0)
        rc = taken(tx, old, &ci->legacy);
    return rc;
}

int pk_card_issue(pk_card_issuer *ci, pk_card_new *c)
{
    for (;;) {
        c->serial = ci->next++;
        if (pk_card_make(ci->prefix, ci->key, (uint64_t)c->serial, c->number) != 0)
            return PK_ETOOBIG;
        bool used = false;
        int rc = ci->legacy ? taken(ci->tx, c->number, &used) : 0;
        if (rc != 0 || !used)
            return rc;
    }
}

void pk_card_issuer_end(pk_card_issuer *ci)
{
    sodium_memzero(ci->key, sizeof ci->key);
}

/* A card of the first release: its number is the affine spread of its
 * serial under its own prefix. */
static bool first_release(const pk_card_new *c)
{
    char prefix[PK_CARD_PREFIX_LEN + 1], v1[PK_CARD_LEN + 1];
    memcpy(prefix, c->number, PK_CARD_PREFIX_LEN);
    prefix[PK_CARD_PREFIX_LEN] = '\0';
    return pk_card_make_v1(prefix, (uint64_t)c->serial, v1) == 0 &&
           strcmp(v1, c->number) == 0;
}

int pk_cards_reissue(const pk_app *app, bool dry_run, int64_t at, const char *actor,
                     pk_reissue_summary *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (!pk_card_prefix_valid(app->cfg.card_issuer)) {
        snprintf(err, errlen, "the card_issuer setting must be 6 digits");
        return PK_EINVAL;
    }
    pk_card_new *page = malloc(CARDS_PAGE * sizeof(*page));
    pk_tx *tx = NULL;
    pk_card_issuer ci;
    memset(&ci, 0, sizeof ci);
    int rc = page != NULL ? pk_store_begin(app->store, &tx) : PK_ENOMEM;
    if (rc == 0)
        rc = pk_card_issuer_begin(app, tx, &ci);
    /* The legacy cards are read first, a page at a time, and renumbered
     * as found: a new number is looked up among the cards and the
     * retired numbers (ci.legacy), so one still waiting its turn is
     * never given to another. */
    ci.legacy = true;
    int64_t after = 0;
    for (size_t n = CARDS_PAGE; rc == 0 && n == CARDS_PAGE;) {
        if ((rc = pk_tx_cards_page(tx, after, CARDS_PAGE, page, &n)) != 0)
            break;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            out->cards++;
            after = page[i].participant_id;
            if (!first_release(&page[i]))
                continue;
            out->legacy++;
            if (dry_run)
                continue;
            pk_card_new c = {.participant_id = page[i].participant_id};
            if ((rc = pk_card_issue(&ci, &c)) == 0 && (rc = pk_tx_card_reissue(tx, &c, at)) == 0)
                out->reissued++;
        }
    }
    char detail[128];
    snprintf(detail, sizeof detail, "cards=%lld legacy=%lld reissued=%lld",
             (long long)out->cards, (long long)out->legacy, (long long)out->reissued);
    if (rc == 0 && out->reissued > 0 &&
        (rc = pk_tx_audit(tx, actor, "cli", "cards.reissue", 0, detail)) == 0) {
        rc = pk_tx_commit(tx);
        tx = NULL;
    }
    if (rc == PK_ETOOBIG)
        snprintf(err, errlen, "no card numbers left under the issuer prefix");
    else if (rc == PK_ENOMEM)
        snprintf(err, errlen, "out of memory");
    else if (rc == PK_ECONFLICT || rc == PK_EBUSY)
        snprintf(err, errlen, "another process issued cards meanwhile (a draw?): nothing was "
                 "changed; run it again");
    else if (rc != 0)
        snprintf(err, errlen, "database error: nothing was changed");
    pk_tx_rollback(tx); /* a dry run, nothing to reissue, or an error */
    pk_card_issuer_end(&ci);
    if (page != NULL)
        sodium_memzero(page, CARDS_PAGE * sizeof(*page));
    free(page);
    if (rc != 0)
        memset(out, 0, sizeof(*out));
    return rc;
}
