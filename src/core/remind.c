/* remind.c -- what the reminders' rules decide (remind.h): a person's
 * occurrences from their journey, the fire times, the decision of a day
 * and the channel.  The rules themselves are read by remind_rules.c. */
#include "core/remind.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include <sodium.h>

#include "core/pk.h"

/* ---- occurrences ---- */

typedef struct occ_list {
    pk_remind_occ *out;
    size_t cap, n;
} occ_list;

static void add(occ_list *l, size_t rule, int64_t anchor, int64_t k, int64_t wave,
                const char *course, bool holds)
{
    if (l->n < l->cap) {
        pk_remind_occ *o = &l->out[l->n];
        memset(o, 0, sizeof *o);
        o->rule = (uint16_t)rule;
        o->anchor = anchor;
        o->k = k;
        o->wave = wave;
        if (course)
            snprintf(o->course, sizeof o->course, "%s", course);
        o->holds = holds;
    }
    l->n++;
}

/* Incentives that failed: one occurrence per insentif_gagal event, which
 * holds while it is the last event of its incentive k. */
static void incentives_failed(occ_list *l, size_t rule, const pk_remind_facts *f)
{
    for (size_t i = 0; i < f->nev; i++) {
        const pk_event *e = &f->ev[i];
        if (e->type != PK_EV_INSENTIF_GAGAL)
            continue;
        bool last = true;
        for (size_t j = i + 1; j < f->nev && last; j++)
            if ((f->ev[j].type == PK_EV_INSENTIF_GAGAL ||
                 f->ev[j].type == PK_EV_INSENTIF_DIBAYAR) &&
                f->ev[j].k == e->k)
                last = false;
        bool revoked = f->j && f->j->status == PK_JS_DICABUT;
        add(l, rule, e->at, e->k, f->j ? f->j->wave : 0, NULL, last && !revoked);
    }
}

/* Finished trainings: one occurrence per selesai_pelatihan, which holds
 * while the journey has no ulasan of that training (one dated before its
 * certificate counts too, as in the fold's first_review_at). */
static void trainings_unreviewed(occ_list *l, size_t rule, const pk_remind_facts *f)
{
    for (size_t i = 0; i < f->nev; i++) {
        const pk_event *e = &f->ev[i];
        if (e->type != PK_EV_SELESAI_PELATIHAN)
            continue;
        bool reviewed = false;
        for (size_t j = 0; j < f->nev && !reviewed; j++)
            reviewed = f->ev[j].type == PK_EV_ULASAN && strcmp(f->ev[j].course, e->course) == 0;
        add(l, rule, e->at, 0, f->j ? f->j->wave : 0, e->course, !reviewed);
    }
}

/* Surveys: one occurrence per survei_dibuka k, anchored on its deadline,
 * which holds while survey k is not filled. */
static void surveys_open(occ_list *l, size_t rule, const pk_remind_facts *f)
{
    for (size_t i = 0; i < f->nev; i++) {
        const pk_event *e = &f->ev[i];
        if (e->type != PK_EV_SURVEI_DIBUKA)
            continue;
        bool filled = false;
        for (size_t j = 0; j < f->nev && !filled; j++)
            filled = f->ev[j].type == PK_EV_SURVEI_DIISI && f->ev[j].k == e->k;
        add(l, rule, pk_deadline_after(e->at, f->survey_fill_days), e->k, f->j ? f->j->wave : 0,
            NULL, !filled);
    }
}

size_t pk_remind_occurrences(const pk_remind_rules *r, const pk_remind_facts *f,
                             pk_remind_occ *out, size_t cap)
{
    occ_list l = {out, cap, 0};
    const pk_journey *j = f->j;
    const pk_deadlines *d = f->d;
    bool recipient = j && j->selected_at != 0;
    bool revoked = j && j->status == PK_JS_DICABUT;
    for (size_t i = 0; i < r->count; i++) {
        switch (r->items[i].cond) {
        case PK_RC_BELI_PELATIHAN:
            if (recipient && d && d->first_purchase.applies)
                add(&l, i, d->first_purchase.ends, 0, j->wave, NULL,
                    j->status == PK_JS_PENERIMA && j->purchases == 0);
            break;
        case PK_RC_INSENTIF_GAGAL:
            incentives_failed(&l, i, f);
            break;
        case PK_RC_SALDO_BELUM_TERPAKAI:
            if (recipient && d && d->balance.applies)
                add(&l, i, d->balance.ends, 0, j->wave, NULL, j->balance > 0 && !revoked);
            break;
        case PK_RC_BERI_ULASAN:
            trainings_unreviewed(&l, i, f);
            break;
        case PK_RC_TAUTKAN_REKENING:
            if (j && j->first_completion_at != 0)
                add(&l, i, j->first_completion_at, 0, j->wave, NULL,
                    j->payout[0] == '\0' && !revoked);
            break;
        case PK_RC_ISI_SURVEI:
            surveys_open(&l, i, f);
            break;
        case PK_RC_GABUNG_GELOMBANG:
            if (f->open_wave != 0)
                add(&l, i, f->open_wave_closes, 0, f->open_wave, NULL,
                    f->eligible && !recipient && !revoked && !f->in_open_wave);
            break;
        case PK_RC__COUNT:
            break;
        }
    }
    return l.n;
}

/* The instant `minute` minutes after 00:00 WIB of day. */
static int64_t day_at(pk_date day, int minute)
{
    return pk_day_start_wib(day) + (int64_t)minute * 60;
}

int64_t pk_remind_fire_at(const pk_remind_rules *r, const pk_remind_occ *o, size_t i)
{
    const pk_remind_rule *rule = &r->items[o->rule];
    pk_date day = pk_date_add_days(pk_instant_day_wib(o->anchor), rule->offsets[i]);
    return day_at(day, r->set.delivery_minute);
}

int64_t pk_remind_unquiet(const pk_remind_settings *s, int64_t at)
{
    if (s->quiet_start == s->quiet_end)
        return at;
    pk_date day = pk_instant_day_wib(at);
    int minute = (int)((at - day_at(day, 0)) / 60);
    if (s->quiet_start < s->quiet_end) { /* within one day: 01:00-05:00 */
        if (minute >= s->quiet_start && minute < s->quiet_end)
            return day_at(day, s->quiet_end);
        return at;
    }
    /* wraps midnight: 21:00-08:00 */
    if (minute >= s->quiet_start)
        return day_at(pk_date_add_days(day, 1), s->quiet_end);
    if (minute < s->quiet_end)
        return day_at(day, s->quiet_end);
    return at;
}

/* ---- the decision of a day ---- */

typedef struct ranked {
    size_t occ;
    int priority;
    int64_t anchor;
    const char *id;
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->priority != y->priority)
        return x->priority < y->priority ? -1 : 1;
    if (x->anchor != y->anchor)
        return x->anchor < y->anchor ? -1 : 1;
    int c = strcmp(x->id, y->id);
    if (c != 0)
        return c;
    return x->occ < y->occ ? -1 : x->occ > y->occ;
}

size_t pk_remind_decide(const pk_remind_rules *r, pk_date day, const pk_remind_occ *occ,
                        size_t nocc, const pk_remind_person *p, pk_remind_fire *out,
                        size_t cap)
{
    size_t n = 0;
    int64_t day_end = pk_day_end_wib(day);
    int64_t send_at = pk_remind_unquiet(&r->set, day_at(day, r->set.delivery_minute));
    /* Occurrences with a fire to send, for the caps; at most one entry each. */
    ranked stack_rank[64];
    ranked *rank = nocc <= 64 ? stack_rank : malloc(nocc * sizeof *rank);
    size_t nrank = 0;
    for (size_t o = 0; o < nocc; o++) {
        const pk_remind_occ *oc = &occ[o];
        const pk_remind_rule *rule = &r->items[oc->rule];
        uint32_t settled = p->settled ? p->settled[o] : 0;
        bool expired = pk_remind_cond_expires(rule->cond) &&
                       pk_date_cmp(day, pk_instant_day_wib(oc->anchor)) > 0;
        bool any = false;
        for (size_t i = 0; i < rule->noffsets; i++) {
            if (settled & (1u << i))
                continue;
            int64_t at = pk_remind_fire_at(r, oc, i);
            if (at > day_end)
                continue;
            pk_fire_status st = !oc->holds                           ? PK_FS_DIBATALKAN
                                : expired                            ? PK_FS_TERLEWAT
                                : (p->stopped >> rule->purpose) & 1u ? PK_FS_BERHENTI_LANGGANAN
                                : p->control                         ? PK_FS_KONTROL
                                                                     : PK_FS_KIRIM;
            if (n < cap)
                out[n] = (pk_remind_fire){.occ = o, .offset = i, .at = at, .status = st};
            n++;
            if (st == PK_FS_KIRIM)
                any = true;
        }
        if (any && rank)
            rank[nrank++] = (ranked){o, rule->priority, oc->anchor, rule->id};
    }
    if (nocc > 0 && !rank) { /* no memory for the ranking: defer every send */
        for (size_t i = 0; i < n && i < cap; i++)
            if (out[i].status == PK_FS_KIRIM)
                out[i].status = PK_FS_DITUNDA;
        return n;
    }
    qsort(rank, nrank, sizeof *rank, ranked_cmp);
    int week = 0;
    for (int i = 0; i < 7; i++)
        week += p->sent[i];
    int allowed = r->set.cap_day - p->sent[0];
    if (r->set.cap_week - week < allowed)
        allowed = r->set.cap_week - week;
    for (size_t k = 0; k < nrank; k++) {
        bool send = (int)k < allowed;
        /* this occurrence's fires: all kirim (merged but the latest) or all ditunda */
        size_t latest = SIZE_MAX;
        for (size_t i = 0; i < n && i < cap; i++)
            if (out[i].occ == rank[k].occ && out[i].status == PK_FS_KIRIM) {
                if (!send) {
                    out[i].status = PK_FS_DITUNDA;
                    continue;
                }
                out[i].send_at = send_at;
                out[i].merged = true;
                if (latest == SIZE_MAX || out[i].at > out[latest].at)
                    latest = i;
            }
        if (latest != SIZE_MAX)
            out[latest].merged = false;
    }
    if (rank != stack_rank)
        free(rank);
    return n;
}

bool pk_remind_held_out(const pk_remind_settings *s, const char nik[16])
{
    if (s->control_ppm == 0)
        return false;
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, s->control_seed, sizeof s->control_seed);
    crypto_hash_sha256_update(&st, (const unsigned char *)nik, 16);
    crypto_hash_sha256_final(&st, h);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | h[i];
    /* share x 2^64 = ppm x (2^64 / 10^6), in 128-bit arithmetic */
    unsigned __int128 limit = ((unsigned __int128)s->control_ppm << 64) / 1000000u;
    return (unsigned __int128)v < limit;
}

/* ---- channels ---- */

static bool reaches(pk_channel c, bool has_phone, bool has_email)
{
    return c == PK_CH_BERKAS || (c == PK_CH_EMAIL ? has_email : has_phone);
}

pk_channel pk_remind_channel(pk_channel preferred, unsigned enabled, unsigned failed,
                             bool has_phone, bool has_email)
{
    if (enabled == (1u << PK_CH_BERKAS))
        return PK_CH_BERKAS;
    unsigned usable = enabled & ~failed;
    if ((unsigned)preferred < PK_CH_BERKAS && (usable >> preferred & 1u) &&
        reaches(preferred, has_phone, has_email))
        return preferred;
    for (int c = PK_CH_WHATSAPP; c <= PK_CH_EMAIL; c++)
        if ((usable >> c & 1u) && reaches((pk_channel)c, has_phone, has_email))
            return (pk_channel)c;
    return PK_CH__COUNT;
}
