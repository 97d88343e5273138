/* registry.c -- the participant registry use cases (registry.h): the
 * records and the one way they reach the store.
 *
 * A record is prepared (normal form, blind indexes, field digest, sealed
 * personal data) into a batch, and a batch is saved by save_batch: find
 * the NIKs, decide insert / update / unchanged, eligibility on the
 * person's own grounds, the family-card limit (registry_family.c), write,
 * audit.  A registration is a batch of one, saved by the group committer
 * (alone, or with the others of its group on PostgreSQL); an import's
 * batches come from registry_import.c and are redone here after another
 * writer's rows (pk_reg_save_redo).  The other files of the registry are
 * listed in registry_int.h. */
#include "app/registry_int.h"

#include "app/auth.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/pk.h"
#include "app/committer.h"

/* ---- records ----------------------------------------------------------- */

static int enum_by_name(const char *(*name)(int), int count, const char *v)
{
    for (int i = 1; i < count; i++)
        if (strcmp(name(i), v) == 0)
            return i;
    return 0;
}

static const char *edu_name(int i) { return pk_education_name((pk_education)i); }
static const char *seg_name(int i) { return pk_segment_name((pk_segment)i); }
static const char *job_name(int i) { return pk_occupation_name((pk_occupation)i); }

/* The clear columns of a stored row back into a participant (what
 * eligibility needs: no personal data). */
void pk_reg_from_row(const pk_prow *row, pk_participant *p)
{
    memset(p, 0, sizeof(*p));
    pk_date_parse(row->tanggal_lahir, strlen(row->tanggal_lahir), &p->tanggal_lahir);
    p->jenis_kelamin = row->jenis_kelamin[0];
    snprintf(p->kode_wilayah, sizeof(p->kode_wilayah), "%s", row->kode_wilayah);
    p->pendidikan = (pk_education)enum_by_name(edu_name, PK_EDU__COUNT, row->pendidikan);
    p->segmen = (pk_segment)enum_by_name(seg_name, PK_SEG__COUNT, row->segmen);
    p->pekerjaan = (pk_occupation)enum_by_name(job_name, PK_JOB__COUNT, row->pekerjaan);
}

/* Normal-form text of every field, in pk_field order. */
void pk_reg_field_texts(const pk_participant *p, char date[11], const char *out[PK_F__COUNT])
{
    static const char *sex[] = {"L", "P"};
    pk_date_format(p->tanggal_lahir, date);
    out[PK_F_NIK] = p->nik;
    out[PK_F_NO_KK] = p->no_kk;
    out[PK_F_NAMA] = p->nama;
    out[PK_F_TANGGAL_LAHIR] = date;
    out[PK_F_JENIS_KELAMIN] = sex[p->jenis_kelamin == 'P'];
    out[PK_F_NO_HP] = p->no_hp;
    out[PK_F_EMAIL] = p->email;
    out[PK_F_KODE_WILAYAH] = p->kode_wilayah;
    out[PK_F_ALAMAT] = p->alamat;
    out[PK_F_PENDIDIKAN] = pk_education_name(p->pendidikan);
    out[PK_F_SEGMEN] = pk_segment_name(p->segmen);
    out[PK_F_PEKERJAAN] = pk_occupation_name(p->pekerjaan);
}

static int seal_pii(const pk_app *app, const pk_participant *p, const uint8_t nik_bi[PK_BI_LEN],
                    pk_buf *plain, pk_buf *box)
{
    pk_buf_reset(plain);
    const char *parts[] = {p->nik, p->no_kk, p->no_hp, p->email, p->alamat};
    for (size_t i = 0; i < PK_ARRAY_LEN(parts); i++) {
        if (i > 0 && pk_buf_addc(plain, PK_REG_SEP) != 0)
            return PK_ENOMEM;
        if (pk_buf_adds(plain, parts[i]) != 0)
            return PK_ENOMEM;
    }
    return pk_vault_seal(&app->vault, plain->data, plain->len, nik_bi, PK_BI_LEN, box);
}

/* Opens a row's sealed fields into p (nik, no_kk, no_hp, email, alamat). */
int pk_reg_unseal_pii(const pk_app *app, const pk_prow *row, pk_buf *tmp, pk_participant *p)
{
    int rc = pk_vault_unseal(&app->vault, row->pii, row->pii_len, row->nik_bi, PK_BI_LEN, tmp);
    if (rc != 0)
        return rc;
    char *fields[5] = {p->nik, p->no_kk, p->no_hp, p->email, p->alamat};
    size_t sizes[5] = {sizeof(p->nik), sizeof(p->no_kk), sizeof(p->no_hp), sizeof(p->email),
                       sizeof(p->alamat)};
    const char *s = tmp->data;
    for (int i = 0; i < 5; i++) {
        const char *e = strchr(s, PK_REG_SEP);
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n >= sizes[i] || (i < 4 && e == NULL))
            return PK_EINVAL;
        memcpy(fields[i], s, n);
        fields[i][n] = '\0';
        s = e ? e + 1 : s + n;
    }
    return 0;
}

int pk_registry_unseal_pii(const pk_app *app, const pk_prow *row, pk_participant *p)
{
    pk_buf tmp;
    pk_buf_init(&tmp, 4096);
    int rc = pk_reg_unseal_pii(app, row, &tmp, p);
    if (tmp.data != NULL)
        sodium_memzero(tmp.data, tmp.cap);
    pk_buf_free(&tmp);
    return rc;
}

int pk_registry_unseal(const pk_app *app, const pk_prow *row, pk_participant *p)
{
    pk_reg_from_row(row, p);
    snprintf(p->nama, sizeof(p->nama), "%s", row->nama);
    return pk_registry_unseal_pii(app, row, p);
}

/* ---- batches (the types: registry_int.h) ------------------------------- */

void pk_reg_batch_free(batch *b)
{
    if (b == NULL)
        return;
    pk_buf_free(&b->boxes);
    if (b->plain.data != NULL)
        sodium_memzero(b->plain.data, b->plain.cap);
    pk_buf_free(&b->plain);
    pk_buf_free(&b->box);
    free(b->rows);
    free(b->slots);
    free(b->keys);
    free(b->known);
    free(b->out);
    free(b->of);
    free(b->audit);
    free(b->detail);
    free(b->res);
    free(b);
}

batch *pk_reg_batch_new(size_t cap)
{
    batch *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    b->cap = cap;
    b->nslots = 1;
    while (b->nslots < 2 * cap)
        b->nslots <<= 1;
    pk_buf_init(&b->boxes, cap * 2048);
    pk_buf_init(&b->plain, 4096);
    pk_buf_init(&b->box, 4096);
    b->rows = malloc(cap * sizeof(*b->rows));
    b->slots = calloc(b->nslots, sizeof(*b->slots));
    b->keys = malloc(2 * cap * sizeof(*b->keys));
    b->known = malloc(cap * sizeof(*b->known));
    b->out = malloc(cap * sizeof(*b->out));
    b->of = malloc(cap * sizeof(*b->of));
    b->audit = malloc(cap * sizeof(*b->audit));
    b->detail = malloc(cap * sizeof(*b->detail));
    b->res = malloc(cap * sizeof(*b->res));
    if (!b->rows || !b->slots || !b->keys || !b->known || !b->out || !b->of || !b->audit ||
        !b->detail || !b->res) {
        pk_reg_batch_free(b);
        return NULL;
    }
    return b;
}

void pk_reg_batch_reset(batch *b)
{
    b->n = 0;
    b->last = false;
    pk_buf_reset(&b->boxes);
    memset(b->slots, 0, b->nslots * sizeof(*b->slots));
}

/* The slot of a NIK index in the batch's set (its own, or a free one). */
static uint32_t *nik_slot(batch *b, const uint8_t *bi)
{
    uint64_t h;
    memcpy(&h, bi, sizeof(h)); /* a keyed hash already: any 8 bytes will do */
    for (size_t i = (size_t)h & (b->nslots - 1);; i = (i + 1) & (b->nslots - 1))
        if (b->slots[i] == 0 || memcmp(b->rows[b->slots[i] - 1].nik_bi, bi, PK_BI_LEN) == 0)
            return &b->slots[i];
}

/* Adds a valid record: its clear fields, indexes, digest and sealed
 * fields.  Returns 1, adding nothing, when its NIK is already in the
 * batch: the batch must be written first, since a later row for the same
 * NIK replaces the earlier one, which the store must know of then. */
int pk_reg_batch_add(batch *b, const pk_app *app, const pk_participant *p, pk_codeset warnings)
{
    prepared *r = &b->rows[b->n];
    const char *text[PK_F__COUNT];
    pk_vault_blind(&app->vault, "nik", p->nik, r->nik_bi);
    uint32_t *slot = nik_slot(b, r->nik_bi);
    if (*slot != 0)
        return 1;
    memcpy(r->nama, p->nama, sizeof(r->nama));
    memcpy(r->kode_wilayah, p->kode_wilayah, sizeof(r->kode_wilayah));
    r->tanggal_lahir = p->tanggal_lahir;
    r->jenis_kelamin = p->jenis_kelamin;
    r->pendidikan = p->pendidikan;
    r->segmen = p->segmen;
    r->pekerjaan = p->pekerjaan;
    r->warnings = warnings;
    r->kk_before = false;
    pk_reg_field_texts(p, r->date, text);
    pk_vault_blind(&app->vault, "kk", p->no_kk, r->kk_bi);
    for (int f = 0; f < PK_F__COUNT; f++)
        pk_vault_field_hash(&app->vault, (unsigned)f, text[f], r->digest + 8 * f);
    int rc = seal_pii(app, p, r->nik_bi, &b->plain, &b->box);
    if (rc != 0)
        return rc;
    r->box_off = b->boxes.len;
    r->box_len = b->box.len;
    if (pk_buf_add(&b->boxes, b->box.data, b->box.len) != 0)
        return PK_ENOMEM;
    *slot = (uint32_t)++b->n;
    return 0;
}

/* The audit detail of an update: "fields=" and the names of the fields
 * whose digests differ (and "scheme" when the schemes do; NULL: same),
 * never their values. */
void pk_reg_changed_fields(char *d, size_t cap, const uint8_t *old, const uint8_t *now,
                           const char *old_scheme, const char *scheme)
{
    size_t dl = (size_t)snprintf(d, cap, "fields=");
    for (int f = 0; f < PK_F__COUNT && dl + 16 < cap; f++)
        if (memcmp(old + 8 * f, now + 8 * f, 8) != 0)
            dl += (size_t)snprintf(d + dl, cap - dl, "%s%s", dl > 7 ? "," : "",
                                   pk_field_name((pk_field)f));
    if (old_scheme != NULL && scheme != NULL && strcmp(old_scheme, scheme) != 0 && dl + 8 < cap)
        snprintf(d + dl, cap - dl, "%sscheme", dl > 7 ? "," : "");
}

/* Saves every record of the batch inside tx (insert, or replace when
 * `upsert`), evaluates eligibility under `scheme` (NULL: a known person
 * keeps theirs, a new one gets the current scheme) on `as_of`, writes the
 * audit log and re-applies the KK limit to every family touched.  b->res
 * receives each outcome.  PK_ECONFLICT when a NIK exists and !upsert. */
static int save_batch(const pk_app *app, pk_tx *tx, batch *b, const pk_scheme *scheme,
                      pk_date as_of, const char *source, const char *actor, bool upsert,
                      bool bulk)
{
    char as_of_text[11];
    pk_date_format(as_of, as_of_text);
    for (size_t i = 0; i < b->n; i++)
        memcpy(b->keys[i], b->rows[i].nik_bi, PK_BI_LEN);
    int rc = pk_tx_participants_find(tx, b->n, (const pk_bi *)b->keys, b->known);
    if (rc != 0)
        return rc;
    size_t nw = 0;
    for (size_t i = 0; i < b->n; i++) {
        prepared *r = &b->rows[i];
        pk_pknown *old = &b->known[i];
        pk_save_result *res = &b->res[i];
        bool exists = old->id != 0;
        memset(res, 0, sizeof(*res));
        if (exists && !upsert)
            return PK_ECONFLICT;
        /* No scheme given (an import without --scheme): a known person
         * keeps theirs, so importing an export changes nothing. */
        const pk_scheme *s = scheme;
        if (s == NULL && exists)
            s = pk_schemes_find(&app->schemes, old->scheme);
        if (s == NULL)
            s = pk_schemes_current(&app->schemes);
        if (exists && memcmp(old->digest, r->digest, PK_DIGEST_LEN) == 0 &&
            strcmp(old->scheme, s->id) == 0) {
            res->id = old->id;
            res->outcome = PK_SAVED_UNCHANGED;
            res->reasons = old->reasons;
            continue;
        }
        pk_eligibility_context ctx = {.on_lists = old->lists};
        pk_prow *row = &b->out[nw];
        memset(row, 0, sizeof(*row));
        row->id = old->id;
        memcpy(row->nik_bi, r->nik_bi, PK_BI_LEN);
        memcpy(row->kk_bi, r->kk_bi, PK_BI_LEN);
        memcpy(row->digest, r->digest, PK_DIGEST_LEN);
        row->pii = (const uint8_t *)b->boxes.data + r->box_off;
        row->pii_len = r->box_len;
        pk_participant clear = {.tanggal_lahir = r->tanggal_lahir,
                                .jenis_kelamin = r->jenis_kelamin,
                                .pendidikan = r->pendidikan,
                                .segmen = r->segmen,
                                .pekerjaan = r->pekerjaan};
        memcpy(clear.kode_wilayah, r->kode_wilayah, sizeof(clear.kode_wilayah));
        row->base_reasons = row->reasons = pk_eligibility(&clear, s, as_of, &ctx);
        row->nama = r->nama;
        row->tanggal_lahir = r->date;
        row->jenis_kelamin = r->jenis_kelamin == 'P' ? "P" : "L";
        row->kode_wilayah = r->kode_wilayah;
        row->pendidikan = pk_education_name(r->pendidikan);
        row->segmen = pk_segment_name(r->segmen);
        row->pekerjaan = pk_occupation_name(r->pekerjaan);
        row->warnings = r->warnings;
        row->scheme = s->id;
        row->source = source;
        row->as_of = as_of_text;
        res->outcome = exists ? PK_SAVED_UPDATED : PK_SAVED_INSERTED;
        /* Audit: which fields changed (names only, never values). */
        if (!exists)
            snprintf(b->detail[nw], sizeof(b->detail[nw]), "fields=all");
        else
            pk_reg_changed_fields(b->detail[nw], sizeof(b->detail[nw]), old->digest, r->digest,
                           old->scheme, s->id);
        b->of[nw++] = i;
    }
    /* The family-card limit depends on the other members: apply it to
     * every family written to and, after a move, to the one left. */
    size_t nk = 0;
    for (size_t j = 0; j < nw; j++) {
        size_t i = b->of[j];
        memcpy(b->keys[nk++], b->out[j].kk_bi, PK_BI_LEN);
        if (b->known[i].id != 0 && memcmp(b->known[i].kk_bi, b->out[j].kk_bi, PK_BI_LEN) != 0)
            memcpy(b->keys[nk++], b->known[i].kk_bi, PK_BI_LEN);
    }
    /* (In a bulk load the store finds no stored members: the limit is
     * applied within the batch now, and after the load again to the
     * families spread over several batches, see pk_reg_bulk_families.) */
    if ((rc = pk_reg_apply_families(app, tx, (const pk_bi *)b->keys, nk, b->out, nw)) != 0 ||
        (rc = pk_tx_participants_write(tx, nw, b->out)) != 0)
        return rc;
    for (size_t j = 0; j < nw; j++) {
        size_t i = b->of[j];
        b->res[i].id = b->out[j].id;
        b->res[i].reasons = b->out[j].reasons;
    }
    if (bulk && nw > 0) {
        /* Every row of a bulk batch is new, with consecutive ids: one
         * entry says it all. */
        snprintf(b->detail[0], sizeof(b->detail[0]), "ids=%lld-%lld count=%zu fields=all",
                 (long long)b->out[0].id, (long long)b->out[nw - 1].id, nw);
        b->audit[0] =
            (pk_audit_entry){actor, source, "participants.insert", b->out[0].id, b->detail[0]};
        return pk_tx_audit_many(tx, 1, b->audit);
    }
    for (size_t j = 0; j < nw; j++)
        b->audit[j] = (pk_audit_entry){actor, source,
                                       b->known[b->of[j]].id ? "participant.update"
                                                             : "participant.insert",
                                       b->out[j].id, b->detail[j]};
    return pk_tx_audit_many(tx, nw, b->audit);
}

typedef struct register_job {
    const pk_app *app;
    batch *b;
    const pk_scheme *scheme;
    pk_date today;
    const char *source, *actor;
    int64_t event;     /* the outreach event it came through; 0: none */
} register_job;

/* A new participant of a job with an event: the attribution, with the
 * registration (its savepoint undoes both). */
static int attribute(pk_tx *tx, const register_job *j)
{
    const pk_save_result *r = &j->b->res[0];
    if (j->event == 0 || r->outcome != PK_SAVED_INSERTED)
        return 0;
    return pk_tx_outreach_attribute(tx, r->id, j->event, (int64_t)time(NULL));
}

static int register_in_tx(pk_tx *tx, void *arg)
{
    register_job *j = arg;
    int rc = save_batch(j->app, tx, j->b, j->scheme, j->today, j->source, j->actor, false, false);
    return rc == 0 ? attribute(tx, j) : rc;
}

/* The registrations of one group commit as one batch: one lookup, one
 * insert and one audit write for all (on PostgreSQL each is a round trip;
 * used there only, see pk_registry_register).
 * The rows keep their order, so ids and the family-card limit come out as
 * one by one.  Declines (non-zero), for the committer to run them one by
 * one, when they differ in scheme, day or source, when two share a NIK,
 * or when a NIK is already registered (PK_ECONFLICT: a 409 for that one
 * only, decided one by one). */
static int register_many_in_tx(pk_tx *tx, void *const *args, int *rcs, size_t n)
{
    const register_job *j0 = args[0];
    for (size_t i = 1; i < n; i++) {
        const register_job *j = args[i];
        if (j->scheme != j0->scheme || pk_date_cmp(j->today, j0->today) != 0 ||
            strcmp(j->source, j0->source) != 0 || strcmp(j->actor, j0->actor) != 0)
            return PK_EINVAL;
    }
    batch *m = pk_reg_batch_new(n);
    if (m == NULL)
        return PK_ENOMEM;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const batch *b = ((const register_job *)args[i])->b;
        const prepared *r = &b->rows[0];
        uint32_t *slot = nik_slot(m, r->nik_bi);
        if (*slot != 0) {
            rc = PK_ECONFLICT; /* the same NIK twice */
            break;
        }
        m->rows[m->n] = *r;
        m->rows[m->n].box_off = m->boxes.len;
        if (pk_buf_add(&m->boxes, (const char *)b->boxes.data + r->box_off, r->box_len) != 0)
            rc = PK_ENOMEM;
        else
            *slot = (uint32_t)++m->n;
    }
    if (rc == 0)
        rc = save_batch(j0->app, tx, m, j0->scheme, j0->today, j0->source, j0->actor, false,
                        false);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ((register_job *)args[i])->b->res[0] = m->res[i];
        rc = attribute(tx, args[i]);
        rcs[i] = 0;
    }
    pk_reg_batch_free(m);
    return rc;
}

int pk_registry_register(const pk_app *app, const pk_participant_input *in, const char *source,
                         const char *actor, const char *scope, pk_register_result *out)
{
    return pk_registry_register_via(app, in, source, actor, scope, 0, out);
}

int pk_registry_nik_id(const pk_app *app, const char *nik, int64_t *pid)
{
    pk_bi bi;
    pk_vault_blind(&app->vault, "nik", nik, bi);
    pk_tx *tx = NULL;
    *pid = 0;
    /* the NIK index only: no row read, nothing locked */
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_tx_participant_ids(tx, 1, (const pk_bi *)&bi, pid);
    pk_tx_rollback(tx);
    sodium_memzero(bi, sizeof bi);
    if (rc != 0)
        *pid = 0;
    return rc;
}

int pk_registry_register_via(const pk_app *app, const pk_participant_input *in,
                             const char *source, const char *actor, const char *scope,
                             int64_t event, pk_register_result *out)
{
    memset(out, 0, sizeof(*out));
    out->scheme = pk_schemes_current(&app->schemes);
    pk_date today = pk_app_today();
    pk_participant p;
    if (pk_app_validate(app, in, today, &p, &out->v) != 0)
        return PK_EINVAL;
    if (scope != NULL && !pk_auth_region_within(scope, p.kode_wilayah))
        return PK_EDENIED; /* the normalised village, outside the staff member's region */
    batch *b = pk_reg_batch_new(1);
    if (b == NULL)
        return PK_ENOMEM;
    int rc = pk_reg_batch_add(b, app, &p, out->v.warnings);
    register_job job = {app, b, out->scheme, today, source, actor ? actor : PK_ACTOR_PUBLIC,
                        event};
    if (rc == 0)
        /* Together only on a shared store (PostgreSQL), where it saves the
         * round trips; on SQLite, a savepoint each costs no round trip, and
         * together cost more CPU per registration in interleaved runs
         * (median 185 against 165 us: bench/README). */
        rc = pk_committer_run(app->committer, register_in_tx,
                              pk_store_shared(app->store) ? register_many_in_tx : NULL, &job);
    if (rc == 0)
        out->saved = b->res[0];
    pk_reg_batch_free(b);
    return rc;
}

/* ---- the redo of an import's batch ----------------------------------------
 *
 * Saves a batch inside a savepoint of *tx.  On PostgreSQL another process
 * may insert one of its NIKs after our lookup (PK_ECONFLICT) or a deadlock
 * may be broken by failing us (PK_EBUSY): then the batch is undone and
 * done again, and now sees the other side's rows.  After a deadlock the
 * batches before it in the transaction (*in_tx rows) are committed first:
 * the other side may be waiting for their locks, and would still be, in a
 * cycle again, if the batch were redone in the same transaction. */
int pk_reg_save_redo(const pk_app *app, pk_tx **tx, batch *b, const pk_scheme *scheme,
                     pk_date as_of, const char *actor, bool bulk, long *in_tx)
{
    /* A single writer (SQLite) never meets another's rows: no savepoint,
     * which would also cost a journal of every page the batch touches. */
    if (bulk || !pk_store_shared(app->store))
        return save_batch(app, *tx, b, scheme, as_of, "import", actor, true, bulk);
    for (int attempt = 1;; attempt++) {
        int rc = pk_tx_savepoint(*tx);
        if (rc != 0)
            return rc;
        rc = save_batch(app, *tx, b, scheme, as_of, "import", actor, true, false);
        if (rc == 0)
            return pk_tx_release(*tx);
        if ((rc != PK_ECONFLICT && rc != PK_EBUSY) || attempt == PK_REDO_MAX ||
            pk_tx_rollback_to(*tx) != 0)
            return rc;
        if (rc == PK_EBUSY && *in_tx > 0) {
            rc = pk_tx_commit(*tx);
            *tx = NULL;
            *in_tx = 0;
            if (rc != 0 || (rc = pk_store_begin(app->store, tx)) != 0)
                return rc;
        }
    }
}
