/* pg_conn.c -- the PostgreSQL backend's connections (pg.c): opened with
 * the URL's password kept out of messages, pooled per process (a thread
 * takes one, uses it alone, gives it back), and given the taking
 * thread's lock wait (pk_store_thread_lock_wait). */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pk.h"
#include "store/pg_int.h"

/* (pg_int.h) */
char *pg_redact(const char *url)
{
    size_t n = strlen(url);
    char *out = malloc(2 * n + 16);
    if (out == NULL)
        return NULL;
    const char *s = strstr(url, "://");
    const char *auth = s ? s + 3 : url;
    size_t alen = strcspn(auth, "/?");
    const char *at = memchr(auth, '@', alen);
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    size_t o = 0;
    const char *q = url;
    if (colon != NULL) {
        o = (size_t)(colon - url) + 1;
        memcpy(out, url, o);
        memcpy(out + o, "***", 3);
        o += 3;
        q = at;
    }
    while (*q) {
        if (q > url && (q[-1] == '?' || q[-1] == '&') && strncmp(q, "password=", 9) == 0) {
            memcpy(out + o, "password=***", 12);
            o += 12;
            q += 9 + strcspn(q + 9, "&");
            continue;
        }
        out[o++] = *q++;
    }
    out[o] = '\0';
    return out;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* notices may quote values: never print them */
}

int pg_conn_open(pg *p, pgc **out, char *err, size_t errlen)
{
    const char *const keys[] = {"dbname", "client_encoding", "fallback_application_name", NULL};
    const char *const vals[] = {p->url, "UTF8", "prakerja", NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", conn ? PQerrorMessage(conn) : "out of memory");
        msg[strcspn(msg, "\n")] = '\0';
        snprintf(err, errlen, "cannot connect to PostgreSQL at %s: %s", p->shown, msg);
        PQfinish(conn);
        return PK_EIO;
    }
    PQsetNoticeProcessor(conn, quiet, NULL);
    pgc *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        PQfinish(conn);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    c->conn = conn;
    c->p = p;
    *out = c;
    return 0;
}

void pg_conn_close(pgc *c)
{
    if (c != NULL) {
        PQfinish(c->conn);
        free(c);
    }
}

/* The taking thread's lock wait on c (a SET only when it differs: set
 * here, not in the connection's options, which the URL may carry);
 * 0 restores the server's own.  A connection that cannot take it is
 * closed. */
static int lock_wait(pgc *c)
{
    int want = pk_store_thread_lock_wait_ms();
    c->waited_out = false;
    if (c->lock_wait_ms == want)
        return 0;
    char set[64];
    snprintf(set, sizeof(set), want > 0 ? "SET lock_timeout = %d" : "RESET lock_timeout", want);
    int rc = pg_exec(c, set, PGRES_COMMAND_OK, "lock_timeout");
    if (rc == 0)
        c->lock_wait_ms = want;
    else
        pg_conn_close(c);
    return rc;
}

int pg_conn_get(pg *p, pgc **out)
{
    char err[512];
    pthread_mutex_lock(&p->mu);
    while (p->nidle > 0) {
        pgc *c = p->idle[--p->nidle];
        if (PQstatus(c->conn) == CONNECTION_OK) {
            pthread_mutex_unlock(&p->mu);
            pk_backend_pool_count(&p->base, false, 0);
            int rc = lock_wait(c);
            *out = rc == 0 ? c : NULL;
            return rc;
        }
        pg_conn_close(c);
    }
    pthread_mutex_unlock(&p->mu);
    /* None idle: this taking waits for a new connection. */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = pg_conn_open(p, out, err, sizeof(err));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    uint64_t ns = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec));
    pk_backend_pool_count(&p->base, true, ns > 0 ? ns : 1);
    if (rc != 0)
        pk_backend_log(&p->base, "%s", err);
    if (rc == 0 && (rc = lock_wait(*out)) != 0)
        *out = NULL;
    return rc;
}

/* Gives a connection back; a broken one, or one left inside a
 * transaction, is closed instead. */
void pg_conn_put(pg *p, pgc *c)
{
    if (c == NULL)
        return;
    if (PQstatus(c->conn) == CONNECTION_OK && PQtransactionStatus(c->conn) == PQTRANS_IDLE) {
        pthread_mutex_lock(&p->mu);
        if (p->nidle < PG_POOL_MAX) {
            p->idle[p->nidle++] = c;
            c = NULL;
        }
        pthread_mutex_unlock(&p->mu);
    }
    pg_conn_close(c);
}
