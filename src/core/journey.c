/* journey.c -- the journey's event types, one event row parsed, and the
 * fold of one person's events into their state (journey.h). */
#include "core/journey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/ident.h"

static const pk_event_info types[] = {
    [PK_EV_GABUNG_GELOMBANG] = {"gabung_gelombang", PK_EVN_GELOMBANG,
                                "Mendaftar gelombang"},
    [PK_EV_LOLOS] = {"lolos", PK_EVN_GELOMBANG, "Lolos seleksi gelombang"},
    [PK_EV_TIDAK_LOLOS] = {"tidak_lolos", PK_EVN_GELOMBANG, "Tidak lolos seleksi gelombang"},
    [PK_EV_SALDO_MASUK] = {"saldo_masuk", PK_EVN_JUMLAH, "Saldo pelatihan masuk"},
    [PK_EV_PEMBELIAN] = {"pembelian", PK_EVN_JUMLAH | PK_EVN_PELATIHAN | PK_EVN_PLATFORM,
                         "Membeli pelatihan"},
    [PK_EV_PEMBATALAN] = {"pembatalan", PK_EVN_REF_ASAL | PK_EVN_JUMLAH,
                          "Pembelian dibatalkan, saldo kembali"},
    [PK_EV_SELESAI_PELATIHAN] = {"selesai_pelatihan", PK_EVN_PELATIHAN | PK_EVN_PLATFORM,
                                 "Menyelesaikan pelatihan (sertifikat)"},
    [PK_EV_ULASAN] = {"ulasan", PK_EVN_PELATIHAN, "Memberi ulasan pelatihan"},
    [PK_EV_REKENING_TERTAUT] = {"rekening_tertaut", PK_EVN_KETERANGAN,
                                "Rekening pembayaran insentif ditautkan"},
    [PK_EV_INSENTIF_DIBAYAR] = {"insentif_dibayar", PK_EVN_KE | PK_EVN_JUMLAH,
                                "Insentif dibayar"},
    [PK_EV_INSENTIF_GAGAL] = {"insentif_gagal", PK_EVN_KE | PK_EVN_KETERANGAN,
                              "Pembayaran insentif gagal"},
    [PK_EV_SURVEI_DIBUKA] = {"survei_dibuka", PK_EVN_KE, "Survei dibuka"},
    [PK_EV_SURVEI_DIISI] = {"survei_diisi", PK_EVN_KE, "Survei diisi"},
    [PK_EV_INSENTIF_SURVEI_DIBAYAR] = {"insentif_survei_dibayar", PK_EVN_KE | PK_EVN_JUMLAH,
                                       "Insentif survei dibayar"},
    [PK_EV_DICABUT] = {"dicabut", 0, "Kepesertaan dicabut"},
    [PK_EV_SALDO_HANGUS] = {"saldo_hangus", PK_EVN_JUMLAH,
                            "Sisa saldo dikembalikan ke program (hangus)"},
};
_Static_assert(PK_ARRAY_LEN(types) == PK_EV__COUNT, "every event type needs an entry");

const pk_event_info *pk_event_info_of(pk_event_type t)
{
    return (unsigned)t < PK_EV__COUNT ? &types[t] : NULL;
}

pk_event_type pk_event_type_by_name(const char *name)
{
    for (unsigned i = 0; name != NULL && i < PK_EV__COUNT; i++)
        if (strcmp(types[i].name, name) == 0)
            return (pk_event_type)i;
    return PK_EV__COUNT;
}

const char *pk_event_source_name(pk_event_source s)
{
    return s == PK_SRC_LOKAL ? "lokal" : "pmo";
}

int pk_event_source_parse(const char *name, pk_event_source *out)
{
    if (name != NULL && strcmp(name, "pmo") == 0)
        *out = PK_SRC_PMO;
    else if (name != NULL && strcmp(name, "lokal") == 0)
        *out = PK_SRC_LOKAL;
    else
        return PK_EINVAL;
    return 0;
}

static const char *const statuses[] = {
    [PK_JS_TERDAFTAR] = "terdaftar",
    [PK_JS_PENDAFTAR] = "pendaftar",
    [PK_JS_PENERIMA] = "penerima",
    [PK_JS_TIDAK_LOLOS] = "tidak_lolos",
    [PK_JS_DICABUT] = "dicabut",
};
_Static_assert(PK_ARRAY_LEN(statuses) == PK_JS__COUNT, "every status needs a name");

const char *pk_journey_status_name(pk_journey_status s)
{
    return (unsigned)s < PK_JS__COUNT ? statuses[s] : "";
}

pk_journey_status pk_journey_status_by_name(const char *name)
{
    for (unsigned i = 0; name != NULL && i < PK_JS__COUNT; i++)
        if (strcmp(statuses[i], name) == 0)
            return (pk_journey_status)i;
    return PK_JS__COUNT;
}

/* ---- one row ---- */

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* 1-64 printable ASCII characters (a ref, a ref_asal) */
static bool copy_ref(const char *s, char out[PK_EVENT_REF_MAX])
{
    size_t n = empty(s) ? 0 : strlen(s);
    if (n == 0 || n >= PK_EVENT_REF_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e) /* the spec: printable, a space too */
            return false;
    memcpy(out, s, n + 1);
    return true;
}

/* 1 to max_chars characters of valid UTF-8 without control characters,
 * a tab either (a course or platform id); free text (lines: keterangan,
 * which RFC 4180 lets a file quote over several lines) may hold tabs and
 * line breaks (pk_utf8_lines_chars) */
static bool copy_text(const char *s, size_t max_chars, bool lines, char *out, size_t cap)
{
    size_t n = empty(s) ? 0 : strlen(s);
    long chars = n == 0 || n >= cap || (!lines && memchr(s, '\t', n) != NULL) ? -1
                 : lines ? pk_utf8_lines_chars(s, n)
                         : pk_utf8_chars(s, n);
    if (chars < 0 || (size_t)chars > max_chars)
        return false;
    memcpy(out, s, n + 1);
    return true;
}

/* A positive integer without sign or separators, at most max. */
static bool positive(const char *s, int64_t max, int64_t *out)
{
    if (empty(s) || strlen(s) > 19 || s[0] == '0')
        return false;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        int d = *p - '0';
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static const char *const payouts[] = {"bni", "gopay", "ovo", "linkaja", "dana"};
static const char *const failures[] = {"rekening_tidak_aktif", "belum_upgrade",
                                       "nama_tidak_sesuai", "saldo_dompet_penuh", "lainnya"};

static bool one_of(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s != NULL && i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

int pk_event_parse(const pk_event_fields *f, pk_event *out, const char **column)
{
    memset(out, 0, sizeof(*out));
#define BAD(col)            \
    do {                    \
        *column = col;      \
        return PK_EINVAL;   \
    } while (0)
    if (!copy_ref(f->ref, out->ref))
        BAD("ref");
    out->type = pk_event_type_by_name(f->peristiwa);
    if (out->type == PK_EV__COUNT)
        BAD("peristiwa");
    int32_t us;
    if (pk_instant_parse_us(f->waktu, &out->at, &us) != 0)
        BAD("waktu");
    out->seq = pk_event_seq(us, 0);
    unsigned needs = types[out->type].needs;
    /* A column the type does not need is kept when it is well formed
     * and refused when it is not: the file says something wrong. */
    if (!empty(f->gelombang) ? !positive(f->gelombang, INT32_MAX, &out->wave)
                             : (needs & PK_EVN_GELOMBANG) != 0)
        BAD("gelombang");
    if (!empty(f->jumlah) ? !positive(f->jumlah, INT64_MAX, &out->amount)
                          : (needs & PK_EVN_JUMLAH) != 0)
        BAD("jumlah");
    if (!empty(f->ke) ? !positive(f->ke, 63, &out->k) : (needs & PK_EVN_KE) != 0)
        BAD("ke");
    if (!empty(f->pelatihan) ? !copy_text(f->pelatihan, 64, false, out->course, sizeof(out->course))
                             : (needs & PK_EVN_PELATIHAN) != 0)
        BAD("pelatihan");
    if (!empty(f->platform)
            ? !copy_text(f->platform, 64, false, out->platform, sizeof(out->platform))
            : (needs & PK_EVN_PLATFORM) != 0)
        BAD("platform");
    if (!empty(f->ref_asal) ? !copy_ref(f->ref_asal, out->ref_asal)
                            : (needs & PK_EVN_REF_ASAL) != 0)
        BAD("ref_asal");
    if (!empty(f->keterangan) ? !copy_text(f->keterangan, 200, true, out->note, sizeof(out->note))
                              : (needs & PK_EVN_KETERANGAN) != 0)
        BAD("keterangan");
    if (out->type == PK_EV_REKENING_TERTAUT &&
        !one_of(out->note, payouts, PK_ARRAY_LEN(payouts)))
        BAD("keterangan");
    if (out->type == PK_EV_INSENTIF_GAGAL &&
        !one_of(out->note, failures, PK_ARRAY_LEN(failures)))
        BAD("keterangan");
#undef BAD
    return 0;
}

int pk_event_cmp(const pk_event *a, const pk_event *b)
{
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    /* stored before not stored (id 0), then in order of storing */
    int64_t ia = a->id > 0 ? a->id : INT64_MAX, ib = b->id > 0 ? b->id : INT64_MAX;
    return ia < ib ? -1 : ia > ib;
}

/* ---- the fold ---- */

void pk_fold_init(pk_fold *f, int64_t participant_id)
{
    memset(f, 0, sizeof(*f));
    f->j.participant_id = participant_id;
    f->j.status = PK_JS_TERDAFTAR;
}

void pk_fold_free(pk_fold *f)
{
    free(f->p);
    free(f->r);
    f->p = NULL;
    f->r = NULL;
    f->np = f->cap = f->nr = f->rcap = 0;
}

int pk_fold_copy(pk_fold *dst, const pk_fold *src)
{
    pk_fold_free(dst);
    *dst = *src;
    dst->p = NULL;
    dst->r = NULL;
    dst->cap = dst->np;
    dst->rcap = dst->nr;
    if (src->np > 0 && (dst->p = malloc(src->np * sizeof(*dst->p))) != NULL)
        memcpy(dst->p, src->p, src->np * sizeof(*dst->p));
    if (src->nr > 0 && (dst->r = malloc(src->nr * sizeof(*dst->r))) != NULL)
        memcpy(dst->r, src->r, src->nr * sizeof(*dst->r));
    if ((src->np > 0 && dst->p == NULL) || (src->nr > 0 && dst->r == NULL)) {
        pk_fold_free(dst);
        return PK_ENOMEM;
    }
    return 0;
}

/* Room for one more of the fold's n items of `size` bytes in *v (cap
 * of them): doubled when full.  0 or PK_ENOMEM (*v unchanged). */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 4;
    void *p = realloc(*v, c * size);
    if (p == NULL)
        return PK_ENOMEM;
    *v = p, *cap = c;
    return 0;
}

static pk_fold_purchase *find_purchase(pk_fold *f, pk_event_source src, const char *ref)
{
    for (size_t i = 0; i < f->np; i++)
        if (f->p[i].source == src && strcmp(f->p[i].ref, ref) == 0)
            return &f->p[i];
    return NULL;
}

/* The first-purchase deadline the fold borrows (0: not known). */
static int purchase_by(pk_fold *f, int64_t *by)
{
    *by = 0;
    if (f->purchase_by == NULL || f->j.selected_at == 0)
        return 0;
    if (!f->by_known || f->by_wave != f->j.wave || f->by_selected_at != f->j.selected_at) {
        int rc = f->purchase_by(f->purchase_by_ctx, f->j.wave, f->j.selected_at, &f->by);
        if (rc != 0)
            return rc;
        f->by_known = true;
        f->by_wave = f->j.wave;
        f->by_selected_at = f->j.selected_at;
    }
    *by = f->by;
    return 0;
}

static int first_purchase(pk_fold *f)
{
    f->j.first_purchase_at = 0;
    f->j.purchases = 0;
    int64_t by = -1; /* the deadline, asked at the first cancelled purchase */
    for (size_t i = 0; i < f->np; i++) {
        const pk_fold_purchase *p = &f->p[i];
        bool counts = !p->cancelled;
        if (counts) {
            f->j.purchases++;
        } else {
            /* cancelled only after the deadline: it met it all the same */
            if (by < 0) {
                int rc = purchase_by(f, &by);
                if (rc != 0)
                    return rc;
            }
            counts = by > 0 && p->at <= by && p->cancelled_at > by;
        }
        if (counts && (f->j.first_purchase_at == 0 || p->at < f->j.first_purchase_at))
            f->j.first_purchase_at = p->at;
    }
    return 0;
}

int pk_fold_apply(pk_fold *f, const pk_event *e, pk_code *why)
{
    pk_journey *j = &f->j;
#define REFUSE(c)           \
    do {                    \
        *why = (c);         \
        return PK_EINVAL;   \
    } while (0)
    if ((unsigned)e->type >= PK_EV__COUNT)
        REFUSE(PK_C_KOLOM_TIDAK_VALID);
    bool recipient = j->selected_at != 0 || j->status == PK_JS_PENERIMA;
    /* saldo_masuk and everything after it in the spec's table */
    if (e->type >= PK_EV_SALDO_MASUK && !recipient)
        REFUSE(PK_C_BELUM_PENERIMA);
    if (j->status == PK_JS_DICABUT && e->type != PK_EV_SALDO_HANGUS)
        REFUSE(PK_C_SUDAH_DICABUT);
    int64_t v;
    int rc;
    switch (e->type) {
    case PK_EV_GABUNG_GELOMBANG:
        if (recipient)
            REFUSE(PK_C_SUDAH_PENERIMA);
        j->status = PK_JS_PENDAFTAR;
        j->wave = e->wave;
        j->joined_at = e->at;
        break;
    case PK_EV_LOLOS:
        if (recipient)
            REFUSE(PK_C_SUDAH_PENERIMA);
        j->status = PK_JS_PENERIMA;
        j->wave = e->wave;
        j->selected_at = e->at;
        break;
    case PK_EV_TIDAK_LOLOS:
        if (recipient)
            REFUSE(PK_C_SUDAH_PENERIMA);
        /* the outcome of an earlier application, the person having joined
         * another wave since (its own closed, selection.md: one open wave
         * at a time): that later application stands */
        if (j->status == PK_JS_PENDAFTAR && j->wave != e->wave)
            break;
        j->status = PK_JS_TIDAK_LOLOS;
        j->wave = e->wave;
        break;
    case PK_EV_SALDO_MASUK:
        if (__builtin_add_overflow(j->balance, e->amount, &v) ||
            __builtin_add_overflow(j->credited, e->amount, &v))
            REFUSE(PK_C_KOLOM_TIDAK_VALID);
        j->balance += e->amount;
        j->credited += e->amount;
        break;
    case PK_EV_PEMBELIAN: {
        if (e->amount > j->balance)
            REFUSE(PK_C_SALDO_TIDAK_CUKUP);
        if (grow((void **)&f->p, &f->cap, f->np, sizeof(*f->p)) != 0)
            return PK_ENOMEM;
        pk_fold_purchase *p = &f->p[f->np++];
        memset(p, 0, sizeof(*p));
        p->source = e->source;
        memcpy(p->ref, e->ref, sizeof(p->ref));
        p->amount = e->amount;
        p->at = e->at;
        j->balance -= e->amount;
        j->spent += e->amount;
        if ((rc = first_purchase(f)) != 0)
            return rc;
        break;
    }
    case PK_EV_PEMBATALAN: {
        pk_fold_purchase *p = find_purchase(f, e->source, e->ref_asal);
        if (p == NULL)
            REFUSE(PK_C_PEMBELIAN_TIDAK_DIKENAL);
        if (p->cancelled)
            REFUSE(PK_C_SUDAH_DIBATALKAN);
        if (p->amount != e->amount)
            REFUSE(PK_C_JUMLAH_TIDAK_SESUAI);
        p->cancelled = true;
        p->cancelled_at = e->at;
        j->balance += e->amount;
        j->refunded += e->amount;
        if ((rc = first_purchase(f)) != 0)
            return rc;
        break;
    }
    case PK_EV_SELESAI_PELATIHAN:
        if (j->completions++ == 0) {
            j->first_completion_at = e->at;
            memcpy(f->first_course, e->course, sizeof(f->first_course));
            /* reviewed already (a review dated before its certificate) */
            for (size_t i = 0; i < f->nr && j->first_review_at == 0; i++)
                if (strcmp(f->r[i].course, e->course) == 0)
                    j->first_review_at = f->r[i].at;
        }
        break;
    case PK_EV_ULASAN:
        if (grow((void **)&f->r, &f->rcap, f->nr, sizeof(*f->r)) != 0)
            return PK_ENOMEM;
        memcpy(f->r[f->nr].course, e->course, sizeof(f->r[f->nr].course));
        f->r[f->nr++].at = e->at;
        j->reviews++;
        if (j->completions > 0 && j->first_review_at == 0 &&
            strcmp(f->first_course, e->course) == 0)
            j->first_review_at = e->at;
        break;
    case PK_EV_REKENING_TERTAUT:
        snprintf(j->payout, sizeof(j->payout), "%.*s",
                 (int)(sizeof(j->payout) - 1), e->note);
        j->payout_at = e->at;
        break;
    case PK_EV_INSENTIF_DIBAYAR:
        if (__builtin_add_overflow(j->incentive_total, e->amount, &v))
            REFUSE(PK_C_KOLOM_TIDAK_VALID);
        if (j->incentives_paid++ == 0)
            j->first_incentive_at = e->at;
        j->incentive_total = v;
        break;
    case PK_EV_INSENTIF_GAGAL:
        j->incentives_failed++;
        break;
    case PK_EV_SURVEI_DIBUKA:
        if (e->k >= j->survey_k) {
            j->survey_k = e->k;
            j->survey_opened_at = e->at;
        }
        break;
    case PK_EV_SURVEI_DIISI:
        if (e->k >= 1 && e->k <= 63)
            j->surveys_filled |= (int64_t)1 << (e->k - 1);
        break;
    case PK_EV_INSENTIF_SURVEI_DIBAYAR:
        j->survey_incentives++;
        break;
    case PK_EV_DICABUT:
        j->status = PK_JS_DICABUT;
        j->revoked_at = e->at;
        break;
    case PK_EV_SALDO_HANGUS:
        if (e->amount > j->balance)
            REFUSE(PK_C_SALDO_TIDAK_CUKUP);
        j->balance -= e->amount;
        j->lapsed += e->amount;
        break;
    case PK_EV__COUNT:
        REFUSE(PK_C_KOLOM_TIDAK_VALID);
    }
#undef REFUSE
    j->events++;
    if (e->at > j->last_at)
        j->last_at = e->at;
    return 0;
}

bool pk_journey_applies_alone(const pk_journey *j, pk_event_type t)
{
    switch (t) {
    case PK_EV_PEMBATALAN:
    case PK_EV__COUNT:
        return false;
    case PK_EV_SELESAI_PELATIHAN:
        return j->completions > 0;
    case PK_EV_ULASAN:
        return j->completions == 0 || j->first_review_at != 0;
    default:
        return (unsigned)t < PK_EV__COUNT;
    }
}

int pk_journey_apply_last(pk_journey *j, const pk_event *e, pk_code *why)
{
    if (!pk_journey_applies_alone(j, e->type)) {
        *why = PK_C_KOLOM_TIDAK_VALID;
        return PK_EINVAL;
    }
    /* The fold with no purchases remembered: only a purchase touches the
     * list, and for one that comes last its effect on the state is known
     * (one more, the first one's instant unchanged unless there was none). */
    pk_fold f;
    pk_fold_init(&f, j->participant_id);
    f.j = *j;
    int rc = pk_fold_apply(&f, e, why);
    if (rc == 0 && e->type == PK_EV_PEMBELIAN) {
        f.j.purchases = j->purchases + 1;
        f.j.first_purchase_at = j->first_purchase_at != 0 ? j->first_purchase_at : e->at;
    }
    pk_fold_free(&f);
    if (rc == 0)
        *j = f.j;
    return rc;
}

/* ---- deadlines ---- */

int64_t pk_deadline_after(int64_t start, int days)
{
    return pk_day_end_wib(pk_date_add_days(pk_instant_day_wib(start), days));
}

int64_t pk_first_purchase_by(int64_t selected_at, int purchase_days, int64_t balance_cutoff)
{
    int64_t by = pk_deadline_after(selected_at, purchase_days);
    return balance_cutoff != 0 && balance_cutoff < by ? balance_cutoff : by;
}

void pk_journey_deadlines(const pk_journey *j, int purchase_days, int survey_days,
                          int64_t balance_cutoff, pk_deadlines *out)
{
    memset(out, 0, sizeof(*out));
    bool recipient = j->selected_at != 0;
    if (recipient) {
        pk_deadline *d = &out->first_purchase;
        d->applies = true;
        d->ends = pk_first_purchase_by(j->selected_at, purchase_days, balance_cutoff);
        d->absolute = d->ends < pk_deadline_after(j->selected_at, purchase_days);
        d->met = j->first_purchase_at != 0 && j->first_purchase_at <= d->ends;
        if (balance_cutoff != 0) {
            out->balance.applies = true;
            out->balance.absolute = true;
            out->balance.ends = balance_cutoff;
            out->balance.met = j->balance == 0;
        }
        out->needs_review = j->completions > 0 && j->first_review_at == 0;
        out->needs_payout = j->payout[0] == '\0';
    }
    if (j->survey_k >= 1 && j->survey_k <= 63 && j->survey_opened_at != 0) {
        out->survey.applies = true;
        out->survey.ends = pk_deadline_after(j->survey_opened_at, survey_days);
        out->survey.met = (j->surveys_filled >> (j->survey_k - 1) & 1) != 0;
    }
}

/* ---- the daily job ---- */

bool pk_cutoff_passed(pk_date day, int64_t balance_cutoff)
{
    return balance_cutoff != 0 && balance_cutoff < pk_day_start_wib(day);
}

int64_t pk_purchase_due_before(pk_date day, int purchase_days, int64_t balance_cutoff)
{
    if (pk_cutoff_passed(day, balance_cutoff))
        return INT64_MAX;
    /* pk_deadline_after(s) < start(day) <=> day_wib(s) + N < day
     *                               <=> s < start(day - N) */
    return pk_day_start_wib(pk_date_add_days(day, -(long)purchase_days));
}
