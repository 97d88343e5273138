/* pg_remind.c -- reminders on PostgreSQL (store.h "reminders"): consent
 * per purpose, its current stops and the history of its changes.  A stop
 * is one INSERT ... ON CONFLICT DO NOTHING and a start one DELETE, so of
 * two processes changing the same consent at once exactly one changes it
 * (and appends to the history). */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/pg_int.h"

int pg_consent_set(pk_tx *t, int64_t participant_id, const char *purpose, bool stop,
                   const char *channel, const char *actor, bool *changed)
{
    pgc *c = pg_txc(t);
    params p = {0};
    p_int(&p, participant_id);
    p_text(&p, purpose);
    PGresult *r = NULL;
    int rc = pg_run(c, stop ? S_CONSENT_STOP : S_CONSENT_START, &p, &r);
    if (rc != 0)
        return rc;
    *changed = pg_touched(r) > 0;
    PQclear(r);
    if (!*changed)
        return 0;
    params h = {0};
    p_int(&h, participant_id);
    p_text(&h, purpose);
    p_int(&h, stop ? 1 : 0);
    p_text(&h, channel);
    p_text(&h, actor);
    return pg_run(c, S_CONSENT_CHANGE, &h, NULL);
}

int pg_consent_get(pk_store *s, int64_t participant_id, const char *purpose, bool *stopped,
                   char *since)
{
    params p = {0};
    p_int(&p, participant_id);
    p_text(&p, purpose);
    PGresult *r = NULL;
    int rc = pg_run1(s, S_CONSENT_GET, &p, &r);
    if (rc != 0)
        return rc;
    *stopped = PQntuples(r) == 1;
    since[0] = '\0';
    if (*stopped)
        snprintf(since, 32, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}
