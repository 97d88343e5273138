/* operator.c -- staff reads of personal data (see operator.h). */
#include "app/operator.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app/committer.h"
#include "app/registry.h"
#include "core/hash.h"
#include "core/pk.h"
#include "store/store.h"

void pk_staff_actor(const pk_principal *who, char out[PK_ACTOR_MAX])
{
    snprintf(out, PK_ACTOR_MAX, "user:%s", who->username);
}

/* query without the blanks around it, in out; false when too long */
static bool trimmed(const char *q, char *out, size_t cap)
{
    while (*q == ' ' || *q == '\t')
        q++;
    size_t n = strlen(q);
    while (n > 0 && (q[n - 1] == ' ' || q[n - 1] == '\t'))
        n--;
    if (n >= cap)
        return false;
    memcpy(out, q, n);
    out[n] = '\0';
    return true;
}

bool pk_query_is_nik(const char *q)
{
    char t[32];
    if (q == NULL || !trimmed(q, t, sizeof(t)) || strlen(t) != 16)
        return false;
    for (const char *p = t; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return true;
}

static int access_in_tx(pk_tx *tx, void *arg)
{
    return pk_tx_access_log_add(tx, arg);
}

/* Durable before the caller goes on, as a registration is: through the
 * group committer, so that the entries of concurrent reads share one
 * commit (one fsync) instead of one each. */
int pk_access_record(const pk_app *app, const char *actor, const char *action,
                     const char *route, int64_t subject, const char *detail)
{
    pk_access_entry e = {.actor = actor, .action = action, .route = route, .subject = subject,
                         .detail = detail};
    int rc = app->committer != NULL ? pk_committer_run(app->committer, access_in_tx, NULL, &e)
                                    : pk_store_access_log_add(app->store, &e);
    if (rc != 0)
        pk_app_log(app, "access log: cannot record %s", action);
    return rc;
}

/* ---- refused reads, recorded at a bounded rate ---------------------------- */

#define REFUSAL_SLOTS 256

struct pk_refusals {
    pthread_mutex_t mu;
    struct {
        uint64_t actor;  /* hash of the actor; 0: free */
        int64_t minute;
        int count;
    } slot[REFUSAL_SLOTS];
};

pk_refusals *pk_refusals_new(void)
{
    pk_refusals *r = calloc(1, sizeof(*r));
    if (r != NULL)
        pthread_mutex_init(&r->mu, NULL);
    return r;
}

void pk_refusals_free(pk_refusals *r)
{
    if (r == NULL)
        return;
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* How many refusals of this actor this minute, this one included. */
static int refusal_count(pk_refusals *r, const char *actor)
{
    uint64_t h = pk_hash_mix(pk_hash_str(PK_HASH_INIT, actor)) | 1;
    int64_t minute = (int64_t)time(NULL) / 60;
    pthread_mutex_lock(&r->mu);
    size_t i = (size_t)(h % REFUSAL_SLOTS);
    /* a slot of another actor from an older minute is taken over */
    if (r->slot[i].actor != h || r->slot[i].minute != minute) {
        r->slot[i].actor = h;
        r->slot[i].minute = minute;
        r->slot[i].count = 0;
    }
    int n = ++r->slot[i].count;
    pthread_mutex_unlock(&r->mu);
    return n;
}

int pk_access_record_refusal(const pk_app *app, const char *actor, const char *action,
                             const char *route, int64_t subject)
{
    int n = app->refusals ? refusal_count(app->refusals, actor) : 1;
    if (n > PK_REFUSALS_PER_MINUTE + 1)
        return 0;
    return pk_access_record(app, actor, action, route, subject,
                            n > PK_REFUSALS_PER_MINUTE ? "more=not-recorded" : "");
}

/* ---- search ------------------------------------------------------------ */

#define PK_SEARCH_TIERS_ROUND 4 /* the key's tiers in two bits */

typedef struct searcher {
    pk_search_hit *hits;
    size_t cap, n;
    bool more;
    /* each hit's sealed fields as read, opened once the read is recorded */
    uint8_t nik_bi[PK_SEARCH_MAX][PK_BI_LEN];
    size_t box_off[PK_SEARCH_MAX], box_len[PK_SEARCH_MAX];
    pk_buf boxes;
    pk_search_key last;  /* of the last row listed */
} searcher;

/* Each row of the page as read, still sealed (nothing is opened before
 * the read is recorded); one row past the page tells that another page
 * follows. */
static int collect_hit(void *ctx, const pk_prow *row)
{
    searcher *s = ctx;
    if (s->n >= s->cap) {
        s->more = true;
        return 0;
    }
    pk_search_hit *h = &s->hits[s->n];
    memset(h, 0, sizeof(*h));
    h->id = row->id;
    snprintf(h->nama, sizeof(h->nama), "%s", row->nama);
    snprintf(h->tanggal_lahir, sizeof(h->tanggal_lahir), "%s", row->tanggal_lahir);
    snprintf(h->kode_wilayah, sizeof(h->kode_wilayah), "%s", row->kode_wilayah);
    h->reasons = row->reasons;
    memcpy(s->nik_bi[s->n], row->nik_bi, PK_BI_LEN);
    s->box_off[s->n] = s->boxes.len;
    s->box_len[s->n] = row->pii_len;
    pk_buf_add(&s->boxes, row->pii, row->pii_len);
    s->last = (pk_search_key){row->tier, row->id};
    s->n++;
    return 0;
}

/* The NIK of hit i, masked: its box opened. */
static void open_hit(const pk_app *app, searcher *s, size_t i)
{
    pk_prow row = {.id = s->hits[i].id,
                   .pii = (const uint8_t *)s->boxes.data + s->box_off[i],
                   .pii_len = s->box_len[i]};
    memcpy(row.nik_bi, s->nik_bi[i], PK_BI_LEN);
    pk_participant p;
    memset(&p, 0, sizeof(p));
    if (pk_registry_unseal_pii(app, &row, &p) == 0)
        pk_nik_mask(p.nik, s->hits[i].nik_masked);
    else
        pk_nik_mask("", s->hits[i].nik_masked);
    sodium_memzero(&p, sizeof(p));
}

/* One read of the page (the rows as they are, sealed), then its record in
 * the access log, durable; only then are the NIKs opened and masked.  (It
 * read the page twice, the ids first and the rows again after the
 * record: at 10M the second read was as dear as the first.) */
int pk_staff_search(const pk_app *app, const char *scope, const char *actor, const char *route,
                    const char *query, const pk_page_key *page, pk_search_hit *hits,
                    size_t cap, size_t *n, bool *by_nik, pk_page_key *next, bool *more)
{
    pk_search_key after_key, *after = NULL;
    if (page != NULL) {
        after_key = (pk_search_key){page->tier, page->id};
        after = &after_key;
    }
    char q[128];
    *n = 0;
    *by_nik = false;
    *more = false;
    if (query == NULL || !trimmed(query, q, 101) || strlen(q) < 3)
        return PK_EINVAL;
    for (const unsigned char *p = (const unsigned char *)q; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return PK_EINVAL;
    uint8_t bi[PK_BI_LEN];
    *by_nik = pk_query_is_nik(q);
    if (*by_nik)
        pk_vault_blind(&app->vault, "nik", q, bi);
    if (cap > PK_SEARCH_MAX)
        cap = PK_SEARCH_MAX;
    searcher *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return PK_ENOMEM;
    s->hits = hits;
    s->cap = cap;
    pk_buf_init(&s->boxes, (size_t)PK_SEARCH_MAX * 64 * 1024);
    int rc = pk_store_participants_search(app->store, scope, *by_nik ? NULL : q,
                                          *by_nik ? bi : NULL, after, (int)cap + 1,
                                          collect_hit, s);
    if (rc == 0 && pk_buf_failed(&s->boxes))
        rc = PK_ENOMEM;
    /* The record: how it searched and what it found, never a NIK. */
    if (rc == 0) {
        char detail[1024];
        size_t dl = (size_t)snprintf(detail, sizeof(detail), "by=%s;results=%zu;ids=",
                                     *by_nik ? "nik" : "nama", s->n);
        for (size_t i = 0; i < s->n && dl < sizeof(detail) - 24; i++)
            dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl, "%s%lld", i ? "," : "",
                                   (long long)hits[i].id);
        if (pk_access_record(app, actor, "participant.search", route, 0, detail) != 0)
            rc = PK_EIO;
    }
    if (rc == 0) {
        for (size_t i = 0; i < s->n; i++)
            open_hit(app, s, i);
        *n = s->n;
        *more = s->more;
        if (s->more)
            *next = (pk_page_key){s->last.tier, s->last.id};
    } else {
        sodium_memzero(hits, cap * sizeof(*hits));
    }
    sodium_memzero(q, sizeof(q));
    pk_buf_wipe_free(&s->boxes);
    sodium_memzero(s, sizeof(*s));
    free(s);
    return rc;
}

/* The key as hex of id * 4 + tier: short, and it reads as a token. */
void pk_page_key_format(const pk_page_key *k, char out[PK_SEARCH_KEY_MAX])
{
    snprintf(out, PK_SEARCH_KEY_MAX, "%llx",
             (unsigned long long)k->id * PK_SEARCH_TIERS_ROUND + (unsigned long long)k->tier);
}

bool pk_page_key_parse(const char *s, pk_page_key *k)
{
    size_t len = s ? strlen(s) : 0;
    /* 15 hex digits: id * 4 + tier stays below 2^60 */
    if (len == 0 || len > 15 || strspn(s, "0123456789abcdef") != len || s[0] == '0')
        return false;
    unsigned long long v = strtoull(s, NULL, 16);
    k->tier = (int)(v % PK_SEARCH_TIERS_ROUND);
    k->id = (int64_t)(v / PK_SEARCH_TIERS_ROUND);
    return k->tier < PK_SEARCH_TIERS && k->id > 0;
}

/* ---- one record -------------------------------------------------------- */

typedef struct getter {
    const pk_app *app;
    pk_person *out;
    bool open;  /* second pass: open the sealed fields */
    int rc;
} getter;

static int got(void *ctx, const pk_prow *row)
{
    getter *g = ctx;
    pk_person *o = g->out;
    if (!g->open)
        return 0;
    memset(o, 0, sizeof(*o));
    o->id = row->id;
    if ((g->rc = pk_registry_unseal(g->app, row, &o->p)) != 0)
        return 0;
    snprintf(o->tanggal_lahir, sizeof(o->tanggal_lahir), "%s", row->tanggal_lahir);
    snprintf(o->pendidikan, sizeof(o->pendidikan), "%s", row->pendidikan);
    snprintf(o->segmen, sizeof(o->segmen), "%s", row->segmen);
    snprintf(o->pekerjaan, sizeof(o->pekerjaan), "%s", row->pekerjaan);
    snprintf(o->scheme, sizeof(o->scheme), "%s", row->scheme);
    snprintf(o->source, sizeof(o->source), "%s", row->source);
    snprintf(o->created_at, sizeof(o->created_at), "%s", row->created_at);
    snprintf(o->updated_at, sizeof(o->updated_at), "%s", row->updated_at);
    o->reasons = row->reasons;
    o->warnings = row->warnings;
    return 0;
}

int pk_staff_get(const pk_app *app, const char *scope, int64_t id, const char *actor,
                 const char *route, bool full_nik, pk_person *out)
{
    getter g = {.app = app, .out = out};
    memset(out, 0, sizeof(*out));
    /* exists in scope?  Then record, then open. */
    int rc = pk_store_participant_get(app->store, scope, id, got, &g);
    if (rc == PK_ENOENT)
        pk_access_record_refusal(app, actor, "participant.notfound", route, id);
    if (rc != 0)
        return rc;
    if (pk_access_record(app, actor, full_nik ? "participant.nik" : "participant.view", route,
                         id, full_nik ? "nik=full" : "nik=masked") != 0)
        return PK_EIO;
    g.open = true;
    rc = pk_store_participant_get(app->store, scope, id, got, &g);
    if (rc == 0 && g.rc != 0) {
        pk_app_log(app, "participant %lld cannot be decrypted with this key",
                (long long)id);
        rc = PK_EIO;
    }
    if (rc != 0)
        sodium_memzero(out, sizeof(*out));
    return rc;
}
