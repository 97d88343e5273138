/* sqlite_remind.c -- reminders on SQLite (store.h "reminders"): consent
 * per purpose, its current stops and the history of its changes. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/sqlite_int.h"

int sq_consent_set(pk_tx *t, int64_t participant_id, const char *purpose, bool stop,
                   const char *channel, const char *actor, bool *changed)
{
    sqc *c = sq_txc(t);
    sqlite3_stmt *st = sq_stmt(c, stop ? S_CONSENT_STOP : S_CONSENT_START);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, participant_id);
    sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
    int rc = sq_step_done(st);
    if (rc != 0)
        return rc;
    *changed = sqlite3_changes(c->db) > 0;
    if (!*changed)
        return 0;
    if ((st = sq_stmt(c, S_CONSENT_CHANGE)) == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, participant_id);
    sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, stop ? 1 : 0);
    sqlite3_bind_text(st, 4, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_consent_get(pk_store *s, int64_t participant_id, const char *purpose, bool *stopped,
                   char *since)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_CONSENT_GET, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, participant_id);
    sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    *stopped = r == SQLITE_ROW;
    since[0] = '\0';
    if (r == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(since, 32, "%s", t ? (const char *)t : "");
    }
    rc = r == SQLITE_ROW || r == SQLITE_DONE ? 0 : PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}
