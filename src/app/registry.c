/* registry.c -- the participant registry use cases (see registry.h). */
#include "app/registry.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/csv.h"
#include "core/ident.h"
#include "core/pk.h"

/* Rows per import transaction: the first, and the cap (see write_batches). */
#define TX_FIRST 5000
#define TX_MAX 160000
#define MAX_RECORD (64 * 1024)
#define SEP '\x1f' /* between sealed fields: validated values hold no control characters */

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
static void from_row(const pk_prow *row, pk_participant *p)
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
static void field_texts(const pk_participant *p, char date[11], const char *out[PK_F__COUNT])
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
        if (i > 0 && pk_buf_addc(plain, SEP) != 0)
            return PK_ENOMEM;
        if (pk_buf_adds(plain, parts[i]) != 0)
            return PK_ENOMEM;
    }
    return pk_vault_seal(&app->vault, plain->data, plain->len, nik_bi, PK_BI_LEN, box);
}

/* Opens a row's sealed fields into p (nik, no_kk, no_hp, email, alamat). */
static int unseal_pii(const pk_app *app, const pk_prow *row, pk_buf *tmp, pk_participant *p)
{
    int rc = pk_vault_unseal(&app->vault, row->pii, row->pii_len, row->nik_bi, PK_BI_LEN, tmp);
    if (rc != 0)
        return rc;
    char *fields[5] = {p->nik, p->no_kk, p->no_hp, p->email, p->alamat};
    size_t sizes[5] = {sizeof(p->nik), sizeof(p->no_kk), sizeof(p->no_hp), sizeof(p->email),
                       sizeof(p->alamat)};
    const char *s = tmp->data;
    for (int i = 0; i < 5; i++) {
        const char *e = strchr(s, SEP);
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n >= sizes[i] || (i < 4 && e == NULL))
            return PK_EINVAL;
        memcpy(fields[i], s, n);
        fields[i][n] = '\0';
        s = e ? e + 1 : s + n;
    }
    return 0;
}

int pk_registry_unseal(const pk_app *app, const pk_prow *row, pk_participant *p)
{
    pk_buf tmp;
    pk_buf_init(&tmp, 4096);
    from_row(row, p);
    snprintf(p->nama, sizeof(p->nama), "%s", row->nama);
    int rc = unseal_pii(app, row, &tmp, p);
    if (tmp.data != NULL)
        sodium_memzero(tmp.data, tmp.cap);
    pk_buf_free(&tmp);
    return rc;
}

/* ---- batches -----------------------------------------------------------
 *
 * Records reach the store a batch at a time: an import hands over up to
 * UNIT rows per call, a registration one, through the same code.  A
 * batch holds each record prepared (normal form, blind indexes, field
 * digest, sealed personal data): the work that needs no database, which
 * an import does on a second thread while the first writes. */

#define UNIT 2048

typedef struct prepared {
    /* the clear fields (the sealed ones are in the box) */
    char nama[4 * PK_NAMA_MAX_CHARS + 1];
    char kode_wilayah[PK_REGION_CODE_MAX];
    pk_date tanggal_lahir;
    char jenis_kelamin;
    pk_education pendidikan;
    pk_segment segmen;
    pk_occupation pekerjaan;
    pk_codeset warnings;
    uint8_t nik_bi[PK_BI_LEN], kk_bi[PK_BI_LEN], digest[PK_DIGEST_LEN];
    char date[11];
    size_t box_off, box_len;  /* the sealed fields, in batch.boxes */
    bool kk_before;           /* bulk load: the KK may have members in earlier batches */
} prepared;

typedef struct batch {
    size_t n, cap;
    prepared *rows;
    pk_buf boxes, plain, box;
    uint32_t *slots;          /* the batch's NIK indexes, hashed: 0 or row + 1 */
    size_t nslots;
    /* the writer's scratch */
    pk_bi *keys;              /* NIK indexes, then the KKs to re-apply */
    pk_pknown *known;
    pk_prow *out;
    size_t *of;               /* out[j] is rows[of[j]] */
    pk_audit_entry *audit;
    char (*detail)[128];
    pk_save_result *res;
    bool last;                /* import: the end of the file (or of the reading) */
    unsigned long line;       /* import: the line of the last record */
    struct batch *next;
} batch;

static void batch_free(batch *b)
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

static batch *batch_new(size_t cap)
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
        batch_free(b);
        return NULL;
    }
    return b;
}

static void batch_reset(batch *b)
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
static int batch_add(batch *b, const pk_app *app, const pk_participant *p, pk_codeset warnings)
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
    field_texts(p, r->date, text);
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

static int kk_max_of(const pk_app *app, const char *scheme)
{
    const pk_scheme *s = pk_schemes_find(&app->schemes, scheme);
    return s ? s->kk_max : 0;
}

/* ---- the family-card limit ---------------------------------------------
 *
 * A member eligible on every other ground gets kuota_kk_penuh once
 * kk_max(scheme) earlier members, in order of registration (id order),
 * are eligible.  The store gives each family's members as stored; the
 * rows about to be written join them: an updated person in place of
 * their stored self, a new one after everybody, in batch order (the ids
 * they are about to get).  So rows are written with their final verdict,
 * and only stored members whose verdict changes are written again. */

typedef struct member {
    uint8_t kk[PK_BI_LEN];
    int64_t id;
    char scheme[16];
    uint64_t base, reasons;
} member;

typedef struct family {
    member *m;
    size_t n, cap;
} family;

static int collect_member(void *ctx, const pk_member *mb)
{
    family *f = ctx;
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 256;
        member *bigger = realloc(f->m, cap * sizeof(*bigger));
        if (bigger == NULL)
            return PK_ENOMEM;
        f->m = bigger;
        f->cap = cap;
    }
    member *m = &f->m[f->n++];
    memcpy(m->kk, mb->kk_bi, PK_BI_LEN);
    m->id = mb->id;
    snprintf(m->scheme, sizeof(m->scheme), "%s", mb->scheme);
    m->base = mb->base_reasons;
    m->reasons = mb->reasons;
    return 0;
}

typedef struct fam_entry {
    uint64_t key;         /* kk's first 8 bytes, in memcmp order: sorts without a load */
    const uint8_t *kk;
    int64_t order;        /* the id, or after every id for a new row */
    const member *m;      /* a stored member, or */
    pk_prow *row;         /* a row of the batch */
} fam_entry;

static int fam_cmp(const void *a, const void *b)
{
    const fam_entry *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    int c = memcmp(x->kk, y->kk, PK_BI_LEN);
    return c != 0 ? c : (x->order > y->order) - (x->order < y->order);
}

static fam_entry fam_entry_of(const uint8_t *kk, int64_t order, const member *m, pk_prow *row)
{
    return (fam_entry){pk_bi_key(kk), kk, order, m, row};
}

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Applies the limit to the families kk[0..nk) (which include those of
 * rows[0..nw), the rows about to be written, and of the families they
 * leave): sets each row's reasons, writes stored members whose verdict
 * changes.  Must come before the rows are written: it reads the
 * families and, on PostgreSQL, locks them before ids are handed out. */
static int apply_families(const pk_app *app, pk_tx *tx, const pk_bi *kk, size_t nk,
                          pk_prow *rows, size_t nw)
{
    family f = {0};
    fam_entry *e = NULL;
    int64_t *rewritten = NULL, *ids = NULL;
    uint64_t *reasons = NULL;
    size_t ne = 0, nr = 0, nu = 0;
    int rc = pk_tx_kk_members(tx, nk, kk, collect_member, &f);
    if (rc != 0)
        goto out;
    e = malloc((f.n + nw + 1) * sizeof(*e));
    rewritten = malloc((nw + 1) * sizeof(*rewritten));
    ids = malloc((f.n + 1) * sizeof(*ids));
    reasons = malloc((f.n + 1) * sizeof(*reasons));
    if (e == NULL || rewritten == NULL || ids == NULL || reasons == NULL) {
        rc = PK_ENOMEM;
        goto out;
    }
    for (size_t j = 0; j < nw; j++) {
        if (rows[j].id != 0)
            rewritten[nr++] = rows[j].id;
        e[ne++] = fam_entry_of(rows[j].kk_bi,
                               rows[j].id ? rows[j].id : INT64_MAX / 2 + (int64_t)j, NULL, &rows[j]);
    }
    qsort(rewritten, nr, sizeof(*rewritten), id_cmp);
    for (size_t i = 0; i < f.n; i++)
        if (bsearch(&f.m[i].id, rewritten, nr, sizeof(*rewritten), id_cmp) == NULL)
            e[ne++] = fam_entry_of(f.m[i].kk, f.m[i].id, &f.m[i], NULL);
    qsort(e, ne, sizeof(*e), fam_cmp);
    int eligible = 0;
    for (size_t i = 0; i < ne; i++) {
        if (i == 0 || memcmp(e[i].kk, e[i - 1].kk, PK_BI_LEN) != 0)
            eligible = 0;
        uint64_t base = e[i].row ? e[i].row->base_reasons : e[i].m->base;
        uint64_t now = base;
        if (base == 0) {
            int max = kk_max_of(app, e[i].row ? e[i].row->scheme : e[i].m->scheme);
            if (max > 0 && eligible >= max)
                now |= PK_CODEBIT(PK_C_KUOTA_KK_PENUH);
            else
                eligible++;
        }
        if (e[i].row != NULL) {
            e[i].row->reasons = now;
        } else if (now != e[i].m->reasons) {
            ids[nu] = e[i].m->id;
            reasons[nu++] = now;
        }
    }
    rc = pk_tx_set_reasons(tx, nu, ids, reasons);
out:
    free(f.m);
    free(e);
    free(rewritten);
    free(ids);
    free(reasons);
    return rc;
}

/* The audit detail of an update: "fields=" and the names of the fields
 * whose digests differ (and "scheme" when the schemes do; NULL: same),
 * never their values. */
static void changed_fields(char *d, size_t cap, const uint8_t *old, const uint8_t *now,
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
                      pk_date as_of, const char *source, bool upsert, bool bulk)
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
        pk_eligibility_context ctx = {.on_lists = old->lists, .kk_eligible_before = 0};
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
            changed_fields(b->detail[nw], sizeof(b->detail[nw]), old->digest, r->digest,
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
     * families spread over several batches, see end_bulk.) */
    if ((rc = apply_families(app, tx, (const pk_bi *)b->keys, nk, b->out, nw)) != 0 ||
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
        b->audit[0] = (pk_audit_entry){source, "participants.insert", b->out[0].id, b->detail[0]};
        return pk_tx_audit_many(tx, 1, b->audit);
    }
    for (size_t j = 0; j < nw; j++)
        b->audit[j] = (pk_audit_entry){source,
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
    const char *source;
} register_job;

static int register_in_tx(pk_tx *tx, void *arg)
{
    register_job *j = arg;
    return save_batch(j->app, tx, j->b, j->scheme, j->today, j->source, false, false);
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
            strcmp(j->source, j0->source) != 0)
            return PK_EINVAL;
    }
    batch *m = batch_new(n);
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
        rc = save_batch(j0->app, tx, m, j0->scheme, j0->today, j0->source, false, false);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ((register_job *)args[i])->b->res[0] = m->res[i];
        rcs[i] = 0;
    }
    batch_free(m);
    return rc;
}

int pk_registry_register(const pk_app *app, const pk_participant_input *in, const char *source,
                         pk_register_result *out)
{
    memset(out, 0, sizeof(*out));
    out->scheme = pk_schemes_current(&app->schemes);
    pk_date today = pk_app_today();
    pk_participant p;
    if (pk_participant_validate(in, app->regions, app->cfg.service_province, today, &p,
                                &out->v) != 0)
        return PK_EINVAL;
    batch *b = batch_new(1);
    if (b == NULL)
        return PK_ENOMEM;
    int rc = batch_add(b, app, &p, out->v.warnings);
    register_job job = {app, b, out->scheme, today, source};
    if (rc == 0)
        /* Together only on a shared store (PostgreSQL), where it saves the
         * round trips; on SQLite, a savepoint each costs no round trip, and
         * together cost more CPU per registration in interleaved runs
         * (median 185 against 165 us: bench/README). */
        rc = pk_committer_run(app->committer, register_in_tx,
                              pk_store_shared(app->store) ? register_many_in_tx : NULL, &job);
    if (rc == 0)
        out->saved = b->res[0];
    batch_free(b);
    return rc;
}

/* ---- CSV output -------------------------------------------------------- */

static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' && (s[0] == '\0' || s[strlen(s) - 1] != ' ')) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_codes(FILE *f, pk_codeset set)
{
    bool first = true;
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (set & PK_CODEBIT(c)) {
            fprintf(f, "%s%s", first ? "" : ";", pk_code_name(c));
            first = false;
        }
}

/* ---- import ------------------------------------------------------------ */

static ssize_t read_fd(void *ctx, char *buf, size_t cap)
{
    int fd = *(int *)ctx;
    ssize_t n;
    do
        n = read(fd, buf, cap);
    while (n < 0 && errno == EINTR);
    return n;
}

typedef struct importer {
    const pk_app *app;
    const pk_import_opts *opts;
    pk_import_summary *sum;
    int col[PK_F__COUNT];     /* field -> column index, -1 when absent */
    size_t ncols;
    pk_csv *csv;
    pk_csv_record *rec;
    /* The reader thread parses, validates and seals into batches; the
     * writer (the calling thread) saves them.  Three batches go round:
     * one filling, one waiting, one writing. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch *idle, *full, **full_tail;
    bool stop;                /* the writer failed: the reader stops */
    int read_rc;              /* the reader's error, with read_err */
    char read_err[128];
    /* A bulk load (see start_bulk) and the reader's filter of the KKs
     * of earlier batches (it frees it at its end). */
    bool bulk;
    uint64_t *seen_kk;
} importer;

/* A family with members in several batches of a bulk load is revisited
 * after it (end_bulk).  The reader remembers the KKs of the batches it
 * has handed over in a blocked Bloom filter of fixed size (one 1024-bit
 * block per KK, 10 bits set).  A false positive only revisits a family
 * for nothing: a model of the filter expects 0.002 of them in a million
 * rows, more in larger files (the blocks fill unevenly, so the rate
 * climbs past 1.5 million). */
#define SEEN_BYTES ((size_t)8 << 20)
#define SEEN_BLOCK_WORDS 16 /* 1024 bits */

/* Whether bi may be in the filter already; adds it when `add`.  bi is a
 * keyed hash already: its bytes are uniform, 2 pick the block, 12 of
 * the rest give 10 positions of 10 bits. */
static bool seen_bits(uint64_t *seen, const uint8_t *bi, bool add)
{
    uint16_t block;
    uint64_t lo, hi;
    memcpy(&block, bi, sizeof(block));
    memcpy(&lo, bi + 2, sizeof(lo));
    memcpy(&hi, bi + 8, sizeof(hi));
    hi >>= 24; /* bytes 11-15: 40 bits after lo's 60 */
    uint64_t *w = seen + (block & (SEEN_BYTES / 8 / SEEN_BLOCK_WORDS - 1)) * SEEN_BLOCK_WORDS;
    bool before = true;
    for (int i = 0; i < 10; i++) {
        unsigned pos = (unsigned)((i < 6 ? lo >> (10 * i) : hi >> (10 * (i - 6))) & 1023);
        uint64_t m = (uint64_t)1 << (pos & 63);
        before &= (w[pos >> 6] & m) != 0;
        if (add)
            w[pos >> 6] |= m;
    }
    return before;
}

/* After a row is batched: whether its KK came in an earlier batch.  A
 * batch's KKs join the filter when the batch is handed over, so a family
 * within one batch is not marked. */
static void seen_row(importer *im, batch *b)
{
    prepared *r = &b->rows[b->n - 1];
    if (im->seen_kk != NULL)
        r->kk_before = seen_bits(im->seen_kk, r->kk_bi, false);
}

static void seen_batch(importer *im, const batch *b)
{
    for (size_t i = 0; im->seen_kk != NULL && i < b->n; i++)
        seen_bits(im->seen_kk, b->rows[i].kk_bi, true);
}

static void reject(importer *im, const pk_csv_record *rec, unsigned long line, pk_codeset codes)
{
    im->sum->rejected++;
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (codes & PK_CODEBIT(c))
            im->sum->reasons[c]++;
    FILE *f = im->opts->rejects;
    if (f == NULL)
        return;
    fprintf(f, "%lu,", line);
    csv_codes(f, codes);
    for (size_t i = 0; rec != NULL && i < rec->nfields; i++) {
        fputc(',', f);
        csv_field(f, rec->field[i]);
    }
    fputc('\n', f);
}

static int map_header(importer *im, const pk_csv_record *rec, char *err, size_t errlen)
{
    size_t ul = 0;
    for (int f = 0; f < PK_F__COUNT; f++)
        im->col[f] = -1;
    im->ncols = rec->nfields;
    for (size_t i = 0; i < rec->nfields; i++) {
        size_t len = rec->len[i];
        const char *name = rec->field[i];
        if (i == 0 && len >= 3 && memcmp(name, "\xEF\xBB\xBF", 3) == 0) {
            name += 3; /* a BOM the reader left */
            len -= 3;
        }
        const char *t = pk_trim(name, &len);
        pk_field f = pk_field_by_name(t, len);
        if (f == PK_F__COUNT) {
            size_t room = sizeof(im->sum->unknown_columns) - ul;
            if (room > len + 2)
                ul += (size_t)snprintf(im->sum->unknown_columns + ul, room, "%s%.*s",
                                       ul ? "," : "", (int)len, t);
            continue;
        }
        if (im->col[f] != -1) {
            snprintf(err, errlen, "column '%s' appears twice in the header", pk_field_name(f));
            return PK_EINVAL;
        }
        im->col[f] = (int)i;
    }
    char missing[256] = "";
    size_t ml = 0;
    for (int f = 0; f < PK_F__COUNT; f++)
        if (pk_field_required((pk_field)f) && im->col[f] == -1)
            ml += (size_t)snprintf(missing + ml, sizeof(missing) - ml, "%s%s", ml ? ", " : "",
                                   pk_field_name((pk_field)f));
    if (ml > 0) {
        snprintf(err, errlen, "kolom_wajib_hilang: required column(s) missing: %s", missing);
        return PK_EINVAL;
    }
    return 0;
}

/* A free batch for the reader; NULL once the writer has stopped. */
static batch *take_idle(importer *im)
{
    pthread_mutex_lock(&im->mu);
    while (im->idle == NULL && !im->stop)
        pthread_cond_wait(&im->cv, &im->mu);
    batch *b = im->stop ? NULL : im->idle;
    if (b != NULL)
        im->idle = b->next;
    pthread_mutex_unlock(&im->mu);
    if (b != NULL)
        batch_reset(b);
    return b;
}

static void put_full(importer *im, batch *b)
{
    pthread_mutex_lock(&im->mu);
    b->next = NULL;
    *im->full_tail = b;
    im->full_tail = &b->next;
    pthread_cond_broadcast(&im->cv);
    pthread_mutex_unlock(&im->mu);
}

static batch *take_full(importer *im)
{
    pthread_mutex_lock(&im->mu);
    while (im->full == NULL)
        pthread_cond_wait(&im->cv, &im->mu);
    batch *b = im->full;
    if ((im->full = b->next) == NULL)
        im->full_tail = &im->full;
    pthread_mutex_unlock(&im->mu);
    return b;
}

static void put_idle(importer *im, batch *b, bool stop)
{
    pthread_mutex_lock(&im->mu);
    b->next = im->idle;
    im->idle = b;
    im->stop |= stop;
    pthread_cond_broadcast(&im->cv);
    pthread_mutex_unlock(&im->mu);
}

/* Validates one record into p; false when rejected. */
static bool validate_row(importer *im, pk_participant *p, const pk_csv_record *rec,
                         pk_codeset *warnings)
{
    const pk_app *app = im->app;
    if (rec->nfields != im->ncols) {
        reject(im, rec, rec->line, PK_CODEBIT(PK_C_BARIS_RUSAK));
        return false;
    }
    pk_participant_input in = {0};
    for (int f = 0; f < PK_F__COUNT; f++)
        if (im->col[f] >= 0) {
            in.v[f] = rec->field[im->col[f]];
            in.len[f] = rec->len[im->col[f]];
        }
    pk_validation v;
    if (pk_participant_validate(&in, app->regions, app->cfg.service_province, im->opts->as_of,
                                p, &v) != 0) {
        reject(im, rec, rec->line, v.errors);
        return false;
    }
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (v.warnings & PK_CODEBIT(c))
            im->sum->warnings[c]++;
    *warnings = v.warnings;
    return true;
}

/* The reader thread: records into batches until the end of the file. */
static void *reader_main(void *arg)
{
    importer *im = arg;
    pk_import_summary *sum = im->sum;
    batch *b = take_idle(im);
    pk_participant *p = malloc(sizeof(*p));
    int r;
    if (p == NULL) {
        im->read_rc = PK_ENOMEM;
        snprintf(im->read_err, sizeof(im->read_err), "out of memory");
    }
    while (b != NULL && p != NULL && (r = pk_csv_next(im->csv, im->rec)) != 0) {
        if (r == PK_EIO) {
            im->read_rc = PK_EIO;
            snprintf(im->read_err, sizeof(im->read_err), "read error: %s", strerror(errno));
            break;
        }
        sum->read++;
        pk_codeset warnings;
        if (b->n == b->cap) {
            seen_batch(im, b);
            put_full(im, b);
            if ((b = take_idle(im)) == NULL)
                break;
        }
        if (r < 0)
            reject(im, NULL, im->rec->line, PK_CODEBIT(PK_C_BARIS_RUSAK));
        else if (validate_row(im, p, im->rec, &warnings)) {
            int rc = batch_add(b, im->app, p, warnings);
            if (rc == 1) { /* the NIK repeats: write this batch first */
                seen_batch(im, b);
                put_full(im, b);
                if ((b = take_idle(im)) == NULL)
                    break;
                rc = batch_add(b, im->app, p, warnings);
            }
            if (rc != 0) {
                im->read_rc = rc;
                snprintf(im->read_err, sizeof(im->read_err), "cannot seal a record");
                break;
            }
            b->line = im->rec->line;
            seen_row(im, b);
        }
        if (im->opts->progress != NULL && sum->read % 100000 == 0)
            fprintf(im->opts->progress, "prakerja: import: %ld rows (%llu MB)\n", sum->read,
                    pk_csv_offset(im->csv) / 1000000ULL);
    }
    if (b != NULL) {
        b->last = true;
        put_full(im, b);
    }
    if (p != NULL)
        sodium_memzero(p, sizeof(*p));
    free(p);
    free(im->seen_kk);
    im->seen_kk = NULL;
    return NULL;
}

/* Saves a batch inside a savepoint of *tx.  On PostgreSQL another process
 * may insert one of its NIKs after our lookup (PK_ECONFLICT) or a deadlock
 * may be broken by failing us (PK_EBUSY): then the batch is undone and
 * done again, and now sees the other side's rows.  After a deadlock the
 * batches before it in the transaction (*in_tx rows) are committed first:
 * the other side may be waiting for their locks, and would still be, in a
 * cycle again, if the batch were redone in the same transaction. */
static int save_redo(importer *im, pk_tx **tx, batch *b, long *in_tx)
{
    /* A single writer (SQLite) never meets another's rows: no savepoint,
     * which would also cost a journal of every page the batch touches. */
    if (im->bulk || !pk_store_shared(im->app->store))
        return save_batch(im->app, *tx, b, im->opts->scheme, im->opts->as_of, "import", true,
                          im->bulk);
    for (int attempt = 1;; attempt++) {
        int rc = pk_tx_savepoint(*tx);
        if (rc != 0)
            return rc;
        rc = save_batch(im->app, *tx, b, im->opts->scheme, im->opts->as_of, "import", true,
                        false);
        if (rc == 0)
            return pk_tx_release(*tx);
        if ((rc != PK_ECONFLICT && rc != PK_EBUSY) || attempt == PK_REDO_MAX ||
            pk_tx_rollback_to(*tx) != 0)
            return rc;
        if (rc == PK_EBUSY && *in_tx > 0) {
            rc = pk_tx_commit(*tx);
            *tx = NULL;
            *in_tx = 0;
            if (rc != 0 || (rc = pk_store_begin(im->app->store, tx)) != 0)
                return rc;
        }
    }
}

/* Bulk load: the families of this batch that also have members in
 * earlier ones, to revisit after the load (see end_bulk). */
static int mark_families(importer *im, pk_tx *tx, batch *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->rows[i].kk_before)
            memcpy(b->keys[n++], b->rows[i].kk_bi, PK_BI_LEN);
    return pk_tx_bulk_mark(tx, n, (const pk_bi *)b->keys);
}

/* A NIK that repeats in a bulk load: each of its rows after the first is
 * folded into the first, as if written row by row: the first keeps its
 * id and takes the later row's fields, counted as updated (audited with
 * the fields that changed) or unchanged, and the later row goes.  So ids
 * have a gap for each repeat.  The families of every row involved are
 * marked for end_bulk.  A page at a time: constant memory. */
static int fold_repeats(importer *im, pk_tx *tx)
{
    enum { PAGE = 1024 };
    pk_repeat *rp = malloc(PAGE * sizeof(*rp)), keep = {0}, prev;
    pk_bi *kk = malloc(PAGE * sizeof(*kk));
    pk_audit_entry *audit = malloc(PAGE * sizeof(*audit));
    char(*detail)[160] = malloc(PAGE * sizeof(*detail));
    int rc = rp && kk && audit && detail ? 0 : PK_ENOMEM;
    long folded = 0;
    size_t n = PAGE;
    while (rc == 0 && n == PAGE) {
        size_t na = 0;
        rc = pk_tx_bulk_repeats(tx, keep.id ? prev.nik_bi : NULL, keep.id ? prev.id : 0, PAGE,
                                rp, &n);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            const pk_repeat *r = &rp[i];
            memcpy(kk[i], r->kk_bi, PK_BI_LEN);
            if (keep.id == 0 || memcmp(r->nik_bi, keep.nik_bi, PK_BI_LEN) != 0) {
                keep = prev = *r; /* the first row of its NIK */
                continue;
            }
            bool changed = memcmp(prev.digest, r->digest, PK_DIGEST_LEN) != 0;
            if ((rc = pk_tx_bulk_fold(tx, keep.id, r->id, changed)) != 0)
                break;
            im->sum->inserted--;
            folded++;
            if (changed) {
                im->sum->updated++;
                changed_fields(detail[na], sizeof(detail[na]), prev.digest, r->digest, NULL,
                               NULL);
                size_t dl = strlen(detail[na]);
                snprintf(detail[na] + dl, sizeof(detail[na]) - dl, " repeat=%lld",
                         (long long)r->id);
                audit[na] = (pk_audit_entry){"import", "participant.update", keep.id, detail[na]};
                na++;
            } else {
                im->sum->unchanged++;
            }
            prev = *r;
        }
        if (rc == 0)
            rc = pk_tx_bulk_mark(tx, n, (const pk_bi *)kk);
        if (rc == 0)
            rc = pk_tx_audit_many(tx, na, audit);
    }
    if (rc == 0 && im->opts->progress != NULL)
        fprintf(im->opts->progress,
                "prakerja: import: %ld rows repeated a NIK of an earlier row: each folded into "
                "the first row of its NIK\n",
                folded);
    free(rp);
    free(kk);
    free(audit);
    free(detail);
    return rc;
}

/* Ends a bulk load: the store builds the indexes (after folding repeated
 * NIKs, if any), then the family-card limit is applied again to the
 * marked families large enough to reach it (the others were whole
 * within one batch; after folding, to every marked family: one may have
 * lost a member), a page at a time. */
static int end_bulk(importer *im, pk_tx *tx)
{
    im->bulk = false;
    if (im->opts->progress != NULL)
        fprintf(im->opts->progress, "prakerja: import: building the indexes\n");
    int rc = pk_tx_bulk_end(tx);
    bool folded = rc == PK_ECONFLICT;
    if (folded && (rc = fold_repeats(im, tx)) == 0)
        rc = pk_tx_bulk_end(tx);
    int small = INT_MAX;
    for (size_t i = 0; i < im->app->schemes.count; i++)
        if (im->app->schemes.items[i].kk_max > 0 && im->app->schemes.items[i].kk_max < small)
            small = im->app->schemes.items[i].kk_max;
    if (rc != 0 || small == INT_MAX)
        return rc;
    if (folded)
        small = 0;
    enum { PAGE = 4096 };
    pk_bi *kk = malloc(PAGE * sizeof(*kk)), after;
    size_t n = PAGE;
    if (kk == NULL)
        return PK_ENOMEM;
    for (bool first = true; rc == 0 && n == PAGE; first = false) {
        if ((rc = pk_tx_bulk_families(tx, small, first ? NULL : after, PAGE, kk, &n)) == 0 &&
            (rc = apply_families(im->app, tx, (const pk_bi *)kk, n, NULL, 0)) == 0 && n > 0)
            memcpy(after, kk[n - 1], PK_BI_LEN);
    }
    free(kk);
    return rc;
}

/* A large file into an empty registry loads in bulk: one transaction,
 * the participant indexes built once at its end (pk_tx_bulk_begin).
 * Killed, it leaves the registry empty, and running it again starts
 * over.  Other writers wait for the whole load meanwhile, so only files
 * of at least import_bulk_mb are loaded this way. */
static int start_bulk(importer *im, int fd, pk_tx **tx)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size < (off_t)im->app->cfg.import_bulk_mb * 1024 * 1024)
        return 0;
    int rc = pk_store_begin(im->app->store, tx);
    if (rc == 0)
        rc = pk_tx_bulk_begin(*tx, &im->bulk);
    if (rc == 0 && im->bulk && (im->seen_kk = calloc(1, SEEN_BYTES)) == NULL)
        rc = PK_ENOMEM;
    if (rc == 0 && im->bulk && im->opts->progress != NULL)
        fprintf(im->opts->progress, "prakerja: import: the registry is empty: loading in bulk, "
                                    "one transaction, indexes built at the end\n");
    return rc;
}

/* The writer: batches into transactions.  Transactions start small, so a
 * short file commits early and often, and double up to a cap: the NIK and
 * KK indexes are keyed by random hashes, so every commit rewrites pages
 * all over them, and fewer, larger commits write far less.  A killed run
 * loses at most one transaction, and running it again redoes it. */
static int write_batches(importer *im, pk_tx *tx, char *err, size_t errlen)
{
    const pk_app *app = im->app;
    long in_tx = 0, tx_rows = TX_FIRST;
    int rc = 0;
    for (bool last = false; !last;) {
        batch *b = take_full(im);
        last = b->last;
        if (rc == 0 && b->n > 0 && tx == NULL && (rc = pk_store_begin(app->store, &tx)) != 0)
            snprintf(err, errlen, "database error: cannot begin");
        if (rc == 0 && b->n > 0 && (rc = save_redo(im, &tx, b, &in_tx)) != 0)
            snprintf(err, errlen, "database error near line %lu", b->line);
        if (rc == 0 && im->bulk && (rc = mark_families(im, tx, b)) != 0)
            snprintf(err, errlen, "database error near line %lu", b->line);
        for (size_t i = 0; rc == 0 && i < b->n; i++) {
            pk_saved o = b->res[i].outcome;
            long *n = o == PK_SAVED_INSERTED  ? &im->sum->inserted
                      : o == PK_SAVED_UPDATED ? &im->sum->updated
                                              : &im->sum->unchanged;
            (*n)++;
        }
        in_tx += (long)b->n;
        if (rc == 0 && im->bulk && last && (rc = end_bulk(im, tx)) != 0)
            snprintf(err, errlen, "database error while building the indexes");
        if (rc == 0 && tx != NULL && !im->bulk && in_tx >= tx_rows) {
            rc = pk_tx_commit(tx);
            tx = NULL;
            in_tx = 0;
            if (tx_rows < TX_MAX)
                tx_rows *= 2;
            if (rc != 0)
                snprintf(err, errlen, "database error at commit");
        }
        put_idle(im, b, rc != 0);
        if (rc != 0)
            break;
    }
    if (rc == 0 && im->read_rc != 0) {
        rc = im->read_rc;
        snprintf(err, errlen, "%s", im->read_err);
    }
    if (rc == 0 && tx != NULL) {
        rc = pk_tx_commit(tx);
        tx = NULL;
        if (rc != 0)
            snprintf(err, errlen, "database error at commit");
    }
    pk_tx_rollback(tx); /* only after an error: the batch is lost, a rerun redoes it */
    return rc;
}

int pk_registry_import(const pk_app *app, int fd, const pk_import_opts *opts,
                       pk_import_summary *sum, char *err, size_t errlen)
{
    importer im = {.app = app, .opts = opts, .sum = sum};
    memset(sum, 0, sizeof(*sum));
    im.csv = pk_csv_new(read_fd, &fd, MAX_RECORD);
    im.rec = malloc(sizeof(*im.rec));
    im.full_tail = &im.full;
    pthread_mutex_init(&im.mu, NULL);
    pthread_cond_init(&im.cv, NULL);
    int rc = 0, r;
    if (im.csv == NULL || im.rec == NULL) {
        rc = PK_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if ((r = pk_csv_next(im.csv, im.rec)) == 0) {
        rc = PK_EINVAL;
        snprintf(err, errlen, "the file is empty: no header line");
        goto out;
    }
    if (r == PK_EIO) {
        rc = PK_EIO;
        snprintf(err, errlen, "read error: %s", strerror(errno));
        goto out;
    }
    if (r < 0) {
        rc = PK_EINVAL;
        snprintf(err, errlen, "the header line is not valid CSV");
        goto out;
    }
    if ((rc = map_header(&im, im.rec, err, errlen)) != 0)
        goto out;
    if (opts->rejects != NULL) {
        fputs("baris,alasan", opts->rejects);
        for (size_t i = 0; i < im.rec->nfields; i++) {
            fputc(',', opts->rejects);
            csv_field(opts->rejects, im.rec->field[i]);
        }
        fputc('\n', opts->rejects);
    }
    for (int i = 0; i < 3; i++) {
        batch *b = batch_new(UNIT);
        if (b == NULL) {
            rc = PK_ENOMEM;
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        b->next = im.idle;
        im.idle = b;
    }
    pk_tx *tx = NULL;
    if ((rc = start_bulk(&im, fd, &tx)) != 0) {
        pk_tx_rollback(tx);
        snprintf(err, errlen, "database error: cannot begin");
        goto out;
    }
    pthread_t reader;
    if (pthread_create(&reader, NULL, reader_main, &im) != 0) {
        pk_tx_rollback(tx);
        rc = PK_ENOMEM;
        snprintf(err, errlen, "cannot start the reader thread");
        goto out;
    }
    rc = write_batches(&im, tx, err, errlen);
    pthread_join(reader, NULL);
    /* after an error the reader may have left batches queued */
    for (batch *b = im.full, *next; b != NULL; b = next) {
        next = b->next;
        batch_free(b);
    }
out:
    for (batch *b = im.idle, *next; b != NULL; b = next) {
        next = b->next;
        batch_free(b);
    }
    pthread_mutex_destroy(&im.mu);
    pthread_cond_destroy(&im.cv);
    free(im.seen_kk);
    free(im.rec);
    pk_csv_free(im.csv);
    return rc;
}

/* ---- export ------------------------------------------------------------ */

typedef struct exporter {
    const pk_app *app;
    FILE *out;
    pk_buf tmp;
    long rows;
} exporter;

static int export_row(void *ctx, const pk_prow *row)
{
    exporter *ex = ctx;
    pk_participant p;
    from_row(row, &p);
    snprintf(p.nama, sizeof(p.nama), "%s", row->nama);
    if (unseal_pii(ex->app, row, &ex->tmp, &p) != 0) {
        fprintf(stderr, "prakerja: export: participant %lld cannot be decrypted with this key\n",
                (long long)row->id);
        return PK_EINVAL;
    }
    char date[11];
    const char *text[PK_F__COUNT];
    field_texts(&p, date, text);
    for (int f = 0; f < PK_F__COUNT; f++) {
        if (f > 0)
            fputc(',', ex->out);
        csv_field(ex->out, text[f]);
    }
    fprintf(ex->out, ",%s,", row->reasons == 0 ? "ya" : "tidak");
    csv_codes(ex->out, row->reasons);
    fputc(',', ex->out);
    csv_codes(ex->out, row->warnings);
    fputc('\n', ex->out);
    ex->rows++;
    return ferror(ex->out) ? PK_EIO : 0;
}

int pk_registry_export(const pk_app *app, const char *region, FILE *out, long *rows)
{
    exporter ex = {.app = app, .out = out};
    pk_buf_init(&ex.tmp, 8192);
    for (int f = 0; f < PK_F__COUNT; f++)
        fprintf(out, "%s%s", f ? "," : "", pk_field_name((pk_field)f));
    fputs(",eligible,alasan,peringatan\n", out);
    int rc = pk_store_participants_each(app->store, region, export_row, &ex);
    pk_buf_free(&ex.tmp);
    if (rows)
        *rows = ex.rows;
    if (rc == 0 && fflush(out) != 0)
        rc = PK_EIO;
    return rc;
}

/* ---- exclusion lists --------------------------------------------------- */

typedef struct reeval {
    const pk_app *app;
    pk_tx *tx;
    long count;
} reeval;

static uint64_t reeval_fn(void *ctx, const pk_prow *row, unsigned lists)
{
    const pk_app *app = ctx;
    pk_participant p;
    from_row(row, &p);
    const pk_scheme *s = pk_schemes_find(&app->schemes, row->scheme);
    pk_date as_of;
    if (s == NULL || pk_date_parse(row->as_of, strlen(row->as_of), &as_of) != 0)
        return row->base_reasons;
    pk_eligibility_context c = {.on_lists = lists, .kk_eligible_before = 0};
    /* Ages are judged on the record's own reference date: a list change
     * must not also change verdicts for the passing of time. */
    return pk_eligibility(&p, s, as_of, &c) & ~PK_CODEBIT(PK_C_KUOTA_KK_PENUH);
}

static int reeval_one(void *ctx, const uint8_t bi[PK_BI_LEN])
{
    reeval *re = ctx;
    uint8_t kk[PK_BI_LEN];
    int changed = 0;
    int rc = pk_tx_reevaluate(re->tx, bi, reeval_fn, (void *)re->app, kk, &changed);
    if (rc == PK_ENOENT)
        return 0; /* listed but not registered */
    if (rc != 0)
        return rc;
    re->count++;
    if (changed) {
        rc = apply_families(re->app, re->tx, (const pk_bi *)kk, 1, NULL, 0);
        if (rc == 0)
            rc = pk_tx_audit(re->tx, "exclusion", "participant.reevaluate", 0, "");
    }
    return rc;
}

int pk_registry_import_list(const pk_app *app, const char *list, int fd, pk_list_summary *sum,
                            char *err, size_t errlen)
{
    memset(sum, 0, sizeof(*sum));
    if (pk_list_by_name(list) == 0) {
        snprintf(err, errlen, "unknown list '%s' (dtks, bsu, bpum, daftar_hitam, "
                              "penerima_sebelumnya)", list);
        return PK_EINVAL;
    }
    pk_csv *csv = pk_csv_new(read_fd, &fd, MAX_RECORD);
    pk_csv_record *rec = malloc(sizeof(*rec));
    pk_buf note, box;
    pk_buf_init(&note, MAX_RECORD);
    pk_buf_init(&box, MAX_RECORD + 64);
    pk_tx *tx = NULL;
    int rc = 0, r, nikcol = -1;
    if (csv == NULL || rec == NULL) {
        rc = PK_ENOMEM;
        goto out;
    }
    /* The whole list is replaced in one transaction: readers see the old
     * list or the new one, never half of it. */
    if ((rc = pk_store_begin(app->store, &tx)) != 0 || (rc = pk_tx_list_clear(tx, list)) != 0) {
        snprintf(err, errlen, "database error");
        goto out;
    }
    bool header = true;
    while ((r = pk_csv_next(csv, rec)) != 0) {
        if (r == PK_EIO) {
            rc = PK_EIO;
            snprintf(err, errlen, "read error");
            goto out;
        }
        if (header) {
            for (size_t i = 0; r == 1 && i < rec->nfields; i++) {
                size_t len = rec->len[i];
                const char *t = pk_trim(rec->field[i], &len);
                if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
                    t += 3, len -= 3;
                if (len == 3 && strncasecmp(t, "nik", 3) == 0)
                    nikcol = (int)i;
            }
            if (nikcol < 0) {
                rc = PK_EINVAL;
                snprintf(err, errlen, "kolom_wajib_hilang: the list has no 'nik' column");
                goto out;
            }
            header = false;
            continue;
        }
        sum->read++;
        size_t len = r == 1 && (size_t)nikcol < rec->nfields ? rec->len[nikcol] : 0;
        const char *nik = len ? pk_trim(rec->field[nikcol], &len) : "";
        /* Lists come from other agencies: any 16 digits count, whatever
         * the region table says. */
        if (r != 1 || len != 16 || strspn(nik, "0123456789") < 16) {
            sum->rejected++;
            continue;
        }
        char digits[17];
        memcpy(digits, nik, 16);
        digits[16] = '\0';
        uint8_t bi[PK_BI_LEN];
        pk_vault_blind(&app->vault, "nik", digits, bi);
        pk_buf_reset(&note);
        for (size_t i = 0; i < rec->nfields; i++)
            if ((int)i != nikcol && rec->len[i] > 0) {
                if (note.len > 0)
                    pk_buf_addc(&note, SEP);
                pk_buf_adds(&note, rec->field[i]);
            }
        if (note.len > 0 && pk_vault_seal(&app->vault, note.data, note.len, bi, PK_BI_LEN, &box) != 0)
            pk_buf_reset(&box);
        if ((rc = pk_tx_list_add(tx, list, bi, note.len ? (const uint8_t *)box.data : NULL,
                                 note.len ? box.len : 0)) != 0) {
            snprintf(err, errlen, "database error");
            goto out;
        }
        sum->listed++;
    }
    if (header) {
        rc = PK_EINVAL;
        snprintf(err, errlen, "the file is empty: no header line");
        goto out;
    }
    reeval re = {.app = app, .tx = tx};
    if ((rc = pk_tx_list_changes(tx, list, reeval_one, &re)) != 0) {
        snprintf(err, errlen, "database error while re-evaluating eligibility");
        goto out;
    }
    sum->reevaluated = re.count;
    char detail[128];
    snprintf(detail, sizeof(detail), "list=%s entries=%ld reevaluated=%ld", list, sum->listed,
             re.count);
    if ((rc = pk_tx_audit(tx, "exclusion", "list.replace", 0, detail)) != 0)
        goto out;
    rc = pk_tx_commit(tx);
    tx = NULL;
    if (rc != 0)
        snprintf(err, errlen, "database error at commit");
out:
    pk_tx_rollback(tx);
    pk_buf_free(&note);
    pk_buf_free(&box);
    free(rec);
    pk_csv_free(csv);
    return rc;
}
