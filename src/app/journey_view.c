/* journey_view.c -- a participant's journey as staff read it (see
 * journey_view.h): scope, the access log, the state, the card masked,
 * the deadlines in words and a page of events. */
#include "app/journey_view.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app/journey.h"
#include "app/operator.h"
#include "app/wave_terms.h"
#include "core/date.h"
#include "core/eligibility.h"
#include "core/money.h"
#include "core/pk.h"
#include "store/store.h"

const char *pk_event_source_label(pk_event_source s)
{
    return s == PK_SRC_PMO ? "Manajemen Pelaksana" : "Sistem Prakerja DKI Jakarta";
}

const char *pk_journey_status_label(pk_journey_status s)
{
    switch (s) {
    case PK_JS_TERDAFTAR: return "Terdaftar, belum mengikuti gelombang";
    case PK_JS_PENDAFTAR: return "Mendaftar gelombang";
    case PK_JS_PENERIMA: return "Penerima Kartu Prakerja";
    case PK_JS_TIDAK_LOLOS: return "Tidak lolos seleksi";
    case PK_JS_DICABUT: return "Kepesertaan dicabut";
    default: return "-";
    }
}

/* The ';'-separated item of a note at p, n bytes long: its code, or
 * PK_C__COUNT when it names none. */
static pk_code note_code(const char *p, size_t n)
{
    char name[64];
    if (n >= sizeof(name))
        return PK_C__COUNT;
    memcpy(name, p, n);
    name[n] = '\0';
    return pk_code_by_name(name);
}

/* An event's keterangan for reading: eligibility codes ("usia_kurang;
 * pekerjaan_dikecualikan", as the draw writes them) as their labels
 * ("Usia di bawah batas minimal peserta; Pekerjaan yang dikecualikan
 * ..."), other snake_case words as words, free text as it is. */
static void words(const char *note, char out[PK_EVENT_NOTE_MAX])
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = note; *p != '\0';) {
        size_t n = strcspn(p, ";");
        pk_code c = note_code(p, n);
        if (c != PK_C__COUNT && pk_code_label(c) == pk_code_message(c))
            c = PK_C__COUNT; /* a sentence, not a label: the words read better */
        int k = c == PK_C__COUNT ? -1
                                 : snprintf(out + used, PK_EVENT_NOTE_MAX - used, "%s%s",
                                            used ? "; " : "", pk_code_label(c));
        if (k < 0 || (size_t)k >= PK_EVENT_NOTE_MAX - used) {
            used = 0; /* not codes, or too long: the words themselves */
            break;
        }
        used += (size_t)k;
        p += n + (p[n] == ';');
    }
    if (used > 0)
        return;
    snprintf(out, PK_EVENT_NOTE_MAX, "%s", note);
    if (strspn(out, "abcdefghijklmnopqrstuvwxyz_") != strlen(out))
        return;
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = ' ';
}

/* note's codes that the person may read (their own grounds, the quotas)
 * into out, as codes; whether it dropped anything: a code of what the
 * registry knows (PK_REASONS_REGISTRY), or anything that is no code, such
 * as the programme office's own words, which may name a list ("Terdaftar
 * di daftar hitam Kemnaker": an outside re-test read it on Akun saya).
 * Items are matched without their spaces and tabs, in either case. */
static bool drop_registry_codes(const char *note, char out[PK_EVENT_NOTE_MAX])
{
    size_t used = 0;
    bool dropped = false;
    out[0] = '\0';
    for (const char *p = note; *p != '\0';) {
        size_t n = strcspn(p, ";");
        char item[64];
        size_t k = 0;
        for (size_t i = 0; i < n && k + 1 < sizeof item; i++)
            if (p[i] != ' ' && p[i] != '\t')
                item[k++] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
        item[k] = '\0';
        pk_code c = n < sizeof item ? note_code(item, k) : PK_C__COUNT;
        if (c == PK_C__COUNT || (PK_REASONS_REGISTRY & PK_CODEBIT(c)))
            dropped |= k > 0;
        else if (used + k + 2 < PK_EVENT_NOTE_MAX)
            used += (size_t)snprintf(out + used, PK_EVENT_NOTE_MAX - used, "%s%s",
                                     used ? ";" : "", item);
        p += n + (p[n] == ';');
    }
    return dropped;
}

void pk_event_describe_resident(const pk_event *e, char *out, size_t cap)
{
    if (e->type != PK_EV_TIDAK_LOLOS) {
        pk_event_describe(e, out, cap);
        return;
    }
    pk_event shown = *e;
    bool other = drop_registry_codes(e->note, shown.note);
    pk_event_describe(&shown, out, cap);
    size_t len = strlen(out);
    if (!other)
        return;
    if (shown.note[0] != '\0' && len > 0 && out[len - 1] == ')')
        snprintf(out + len - 1, cap - (len - 1), "; alasan lain)");
    else
        snprintf(out + len, cap - len, " (alasan lain)");
}

void pk_event_describe(const pk_event *e, char *out, size_t cap)
{
    const pk_event_info *in = pk_event_info_of(e->type);
    const char *label = in ? in->label : "Peristiwa";
    char note[PK_EVENT_NOTE_MAX] = "";
    words(e->note, note);
    switch (e->type) {
    case PK_EV_GABUNG_GELOMBANG:
    case PK_EV_LOLOS:
        snprintf(out, cap, "%s %lld", label, (long long)e->wave);
        break;
    case PK_EV_TIDAK_LOLOS:
        snprintf(out, cap, "%s %lld%s%s%s", label, (long long)e->wave, note[0] ? " (" : "",
                 note, note[0] ? ")" : "");
        break;
    case PK_EV_PEMBELIAN:
    case PK_EV_SELESAI_PELATIHAN:
        snprintf(out, cap, "%s %s di %s", label, e->course, e->platform);
        break;
    case PK_EV_ULASAN:
        snprintf(out, cap, "%s %s", label, e->course);
        break;
    case PK_EV_REKENING_TERTAUT:
        snprintf(out, cap, "%s (%s)", label, note);
        break;
    case PK_EV_INSENTIF_DIBAYAR:
    case PK_EV_SURVEI_DIBUKA:
    case PK_EV_SURVEI_DIISI:
    case PK_EV_INSENTIF_SURVEI_DIBAYAR:
        snprintf(out, cap, "%s ke-%lld", label, (long long)e->k);
        break;
    case PK_EV_INSENTIF_GAGAL:
        snprintf(out, cap, "%s ke-%lld (%s)", label, (long long)e->k, note);
        break;
    case PK_EV_DICABUT:
        snprintf(out, cap, "%s%s%s%s", label, note[0] ? " (" : "", note, note[0] ? ")" : "");
        break;
    default:
        snprintf(out, cap, "%s", label);
    }
}

/* "batas 12 Mar 2021, 5 hari lagi" / "hari ini" / "lewat 3 hari" */
static void when(const pk_deadline_item *it, char *out, size_t cap)
{
    char day[32];
    pk_date_format_short(pk_instant_day_wib(it->ends), day);
    if (it->days_left > 0)
        snprintf(out, cap, "batas %s, %ld hari lagi", day, it->days_left);
    else if (it->days_left == 0)
        snprintf(out, cap, "batas %s, hari ini", day);
    else
        snprintf(out, cap, "batas %s, lewat %ld hari", day, -it->days_left);
}

static pk_deadline_item *item(pk_journey_view *v, const char *kind, const char *title,
                              const pk_deadline *d, long today)
{
    pk_deadline_item *it = &v->items[v->nitems++];
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    it->title = title;
    if (d != NULL) {
        it->has_end = true;
        it->ends = d->ends;
        it->met = d->met;
        it->absolute = d->absolute;
        it->days_left = pk_date_to_days(pk_instant_day_wib(d->ends)) - today;
    }
    return it;
}

static void deadline_items(pk_journey_view *v, int64_t now)
{
    const pk_journey *j = &v->j;
    v->nitems = 0;
    if (j->status == PK_JS_DICABUT)
        return;   /* revoked: nothing more is asked of them */
    int pdays = v->scheme ? v->scheme->purchase_deadline_days : 30;
    int sdays = v->scheme ? v->scheme->survey_fill_days : 30;
    pk_deadlines d;
    pk_journey_deadlines(j, pdays, sdays, v->balance_cutoff, &d);
    long today = pk_date_to_days(pk_instant_day_wib(now));
    char w[112];
    if (d.first_purchase.applies) {
        pk_deadline_item *it = item(v, "pembelian_pertama", "Pembelian pelatihan pertama",
                                    &d.first_purchase, today);
        snprintf(it->reason, sizeof(it->reason),
                 "Penerima wajib membeli pelatihan pertama paling lambat %d hari setelah "
                 "dinyatakan lolos, atau sebelum batas saldo gelombang bila lebih awal; "
                 "jika tidak, kepesertaan dicabut dan saldo kembali ke program.",
                 pdays);
        when(it, w, sizeof(w));
        if (!it->met && j->first_purchase_at == 0)
            snprintf(it->missing, sizeof(it->missing), "Belum membeli pelatihan — %s", w);
        else if (!it->met)
            snprintf(it->missing, sizeof(it->missing),
                     "Pelatihan pertama dibeli setelah batas — %s", w);
    }
    if (d.balance.applies) {
        pk_deadline_item *it = item(v, "batas_saldo", "Batas penggunaan saldo", &d.balance,
                                    today);
        snprintf(it->reason, sizeof(it->reason),
                 "Saldo pelatihan yang belum digunakan sampai batas gelombang ini hangus "
                 "dan kembali ke program.");
        if (j->balance > 0) {
            char rp[32];
            pk_rupiah_format(j->balance, rp);
            when(it, w, sizeof(w));
            snprintf(it->missing, sizeof(it->missing), "Sisa saldo %s belum digunakan — %s",
                     rp, w);
        }
    }
    if (d.survey.applies) {
        pk_deadline_item *it = item(v, "survei", "Survei evaluasi", &d.survey, today);
        snprintf(it->reason, sizeof(it->reason),
                 "Survei ke-%lld diisi paling lambat %d hari setelah dibuka; insentif survei "
                 "dibayar setelah survei diisi.",
                 (long long)j->survey_k, sdays);
        if (!it->met) {
            when(it, w, sizeof(w));
            snprintf(it->missing, sizeof(it->missing), "Survei ke-%lld belum diisi — %s",
                     (long long)j->survey_k, w);
        }
    }
    if (j->selected_at != 0 && j->completions > 0) {
        pk_deadline_item *it = item(v, "ulasan", "Ulasan pelatihan", NULL, today);
        it->met = !d.needs_review;
        snprintf(it->reason, sizeof(it->reason),
                 "Tidak ada batas waktu, tetapi insentif baru dijadwalkan setelah ada ulasan "
                 "atas pelatihan pertama yang diselesaikan.");
        if (d.needs_review)
            snprintf(it->missing, sizeof(it->missing),
                     "Belum memberi ulasan atas pelatihan pertama yang diselesaikan — "
                     "insentif belum dijadwalkan");
    }
    if (j->selected_at != 0) {
        pk_deadline_item *it = item(v, "rekening", "Rekening pembayaran insentif", NULL, today);
        it->met = !d.needs_payout;
        snprintf(it->reason, sizeof(it->reason),
                 "Insentif hanya dapat dibayar ke rekening bank atau dompet digital yang "
                 "sudah ditautkan.");
        if (d.needs_payout)
            snprintf(it->missing, sizeof(it->missing),
                     "Belum menautkan rekening pembayaran insentif");
    }
}

typedef struct scope_ctx {
    char scheme[16];
} scope_ctx;

static int got_row(void *ctx, const pk_prow *row)
{
    scope_ctx *s = ctx;
    snprintf(s->scheme, sizeof(s->scheme), "%s", row->scheme ? row->scheme : "");
    return 0;
}

typedef struct page_ctx {
    int64_t offset, limit, seen;
    int (*cb)(void *ctx, const pk_event *e, pk_code skipped);
    void *ctx;
} page_ctx;

static int one_event(void *ctx, const pk_event *e, pk_code skipped)
{
    page_ctx *p = ctx;
    int64_t i = p->seen++;
    if (p->cb == NULL || i < p->offset || i >= p->offset + p->limit)
        return 0;
    return p->cb(p->ctx, e, skipped);
}

int pk_staff_journey(const pk_app *app, const char *scope, int64_t id, const char *actor,
                     const char *route, int64_t offset, int limit, int64_t now,
                     pk_journey_view *out,
                     int (*cb)(void *ctx, const pk_event *e, pk_code skipped), void *ctx)
{
    memset(out, 0, sizeof(*out));
    if (offset < 0)
        offset = 0;
    if (limit < 1)
        limit = 1;
    if (limit > PK_JOURNEY_EVENTS_MAX)
        limit = PK_JOURNEY_EVENTS_MAX;
    scope_ctx sc = {{0}};
    int rc = pk_store_participant_get(app->store, scope, id, got_row, &sc);
    if (rc == PK_ENOENT)
        pk_access_record_refusal(app, actor, "participant.notfound", route, id);
    if (rc != 0)
        return rc;
    char detail[64];
    snprintf(detail, sizeof(detail), "offset=%lld;limit=%d", (long long)offset, limit);
    if (pk_access_record(app, actor, "journey.view", route, id, detail) != 0)
        return PK_EIO;

    rc = pk_store_journey_get(app->store, id, &out->j);
    if (rc == PK_ENOENT) {
        pk_fold f;
        pk_fold_init(&f, id);
        out->j = f.j;
        pk_fold_free(&f);
        rc = 0;
    } else if (rc == 0) {
        out->any = true;
    }
    if (rc != 0)
        return PK_EIO;
    snprintf(out->scheme_id, sizeof(out->scheme_id), "%s", sc.scheme);
    out->scheme = pk_schemes_find(&app->schemes, out->scheme_id);
    pk_wave_table waves;
    pk_wave_table_init(&waves, app);
    if (pk_wave_table_load(&waves) != 0) {
        pk_wave_table_free(&waves);
        return PK_EIO;
    }
    if (out->j.wave > 0) {
        /* the wave's terms, as the daily job and the reminders judge them */
        pk_wave_terms t = pk_wave_table_find(&waves, out->j.wave, sc.scheme);
        out->scheme = t.scheme;
        out->balance_cutoff = t.cutoff;
        if (t.scheme != NULL)
            snprintf(out->scheme_id, sizeof(out->scheme_id), "%s", t.scheme->id);
    }
    char card[17];
    rc = pk_store_card_get(app->store, id, card, &out->card_wave, &out->card_replaced_at);
    if (rc == 0 && strlen(card) == 16) {
        out->has_card = true;
        snprintf(out->card_masked, sizeof(out->card_masked), "**** **** **** %s", card + 12);
        /* the whole number for its holder alone (selection.md) */
        if (strcmp(actor, PK_ACTOR_RESIDENT) == 0)
            memcpy(out->card_number, card, sizeof(out->card_number));
    } else if (rc != 0 && rc != PK_ENOENT) {
        pk_wave_table_free(&waves);
        return PK_EIO;
    }
    sodium_memzero(card, sizeof(card));
    deadline_items(out, now);
    page_ctx p = {.offset = offset, .limit = limit, .cb = cb, .ctx = ctx};
    rc = pk_journey_each_judged(app->store, id, &waves, one_event, &p);
    pk_wave_table_free(&waves);
    if (rc != 0)
        return rc < 0 && rc != PK_ENOMEM ? PK_EIO : rc;
    out->events_total = p.seen;
    return 0;
}
