/* pg_resident.c -- residents' one-time codes, sessions and contact
 * preferences on PostgreSQL (store_programme.h "residents"; SQL shared
 * with SQLite: sql_resident.h).  Every op runs inside the caller's
 * transaction. */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/pg_int.h"

int pg_resident_code_put(pk_tx *tx, int64_t pid, const char *purpose, const uint8_t *code,
                         int64_t expires)
{
    params p = {0};
    p_int(&p, pid);
    p_text(&p, purpose);
    p_bytes(&p, code, PK_AUTH_HASH_LEN);
    p_int(&p, expires);
    return pg_run(pg_txc(tx), S_RCODE_PUT, &p, NULL);
}

int pg_resident_code_get(pk_tx *tx, int64_t pid, const char *purpose, uint8_t *code,
                         int64_t *expires, int64_t *attempts)
{
    params p = {0};
    p_int(&p, pid);
    p_text(&p, purpose);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(tx), S_RCODE_GET, &p, &r);
    if (rc == 0 && PQntuples(r) == 0)
        rc = PK_ENOENT;
    if (rc == 0) {
        memset(code, 0, PK_AUTH_HASH_LEN);
        get_bytes(r, 0, 0, code, PK_AUTH_HASH_LEN);
        *expires = get_i64(r, 0, 1);
        *attempts = get_i64(r, 0, 2);
    }
    PQclear(r);
    return rc;
}

int pg_resident_code_set(pk_tx *tx, int64_t pid, const char *purpose, int64_t attempts)
{
    params p = {0};
    if (attempts >= 0)
        p_int(&p, attempts);
    p_int(&p, pid);
    p_text(&p, purpose);
    return pg_run(pg_txc(tx), attempts >= 0 ? S_RCODE_SET : S_RCODE_DROP, &p, NULL);
}

int pg_rsession_put(pk_tx *tx, const uint8_t *id, int64_t pid, int64_t now, int64_t idle_before,
                    int64_t created_before)
{
    params e = {0};
    p_int(&e, idle_before);
    p_int(&e, created_before);
    int rc = pg_run(pg_txc(tx), S_RSESSIONS_EXPIRE, &e, NULL);
    if (rc != 0)
        return rc;
    params p = {0};
    p_bytes(&p, id, PK_AUTH_HASH_LEN);
    p_int(&p, pid);
    p_int(&p, now);
    return pg_run(pg_txc(tx), S_RSESSION_PUT, &p, NULL);
}

int pg_rsession_get(pk_tx *tx, const uint8_t *id, int64_t *pid, int64_t *created, int64_t *seen)
{
    params p = {0};
    p_bytes(&p, id, PK_AUTH_HASH_LEN);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(tx), S_RSESSION_GET, &p, &r);
    if (rc == 0 && PQntuples(r) == 0)
        rc = PK_ENOENT;
    if (rc == 0) {
        *pid = get_i64(r, 0, 0);
        *created = get_i64(r, 0, 1);
        *seen = get_i64(r, 0, 2);
    }
    PQclear(r);
    return rc;
}

int pg_rsession_set(pk_tx *tx, const uint8_t *id, int64_t seen)
{
    params p = {0};
    if (seen >= 0)
        p_int(&p, seen);
    p_bytes(&p, id, PK_AUTH_HASH_LEN);
    return pg_run(pg_txc(tx), seen >= 0 ? S_RSESSION_TOUCH : S_RSESSION_DROP, &p, NULL);
}

int pg_contact_pref_get(pk_tx *tx, int64_t pid, char *channel, int64_t *verified)
{
    params p = {0};
    p_int(&p, pid);
    PGresult *r = NULL;
    channel[0] = '\0';
    *verified = 0;
    int rc = pg_run(pg_txc(tx), S_PREF_GET, &p, &r);
    if (rc == 0 && PQntuples(r) == 1) {
        snprintf(channel, 16, "%s", PQgetvalue(r, 0, 0));
        *verified = get_i64(r, 0, 1);
    }
    PQclear(r);
    return rc;
}

int pg_contact_pref_set(pk_tx *tx, int64_t pid, const char *channel, int64_t verified)
{
    int rc = 0;
    if (channel != NULL) {
        params p = {0};
        p_int(&p, pid);
        p_text(&p, channel);
        rc = pg_run(pg_txc(tx), S_PREF_CHANNEL, &p, NULL);
    }
    if (rc == 0 && verified >= 0) {
        params p = {0};
        p_int(&p, pid);
        p_int(&p, verified);
        rc = pg_run(pg_txc(tx), S_PREF_VERIFIED, &p, NULL);
    }
    return rc;
}
