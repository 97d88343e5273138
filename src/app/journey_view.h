/* journey_view.h -- one participant's journey as staff read it: the
 * staff page /peserta/{id} and GET /api/v1/participants/{id}/journey.
 *
 * A personal read like the record itself (app/operator.h): inside the
 * caller's region scope (an id outside it is "not found", the refusal
 * recorded), and recorded in the access log ("journey.view") before
 * anything is read.  What it gives: the derived state (status, balance
 * and its parts), the card number masked but its last 4 digits, the
 * deadlines with the reason each exists and what is missing, and the
 * events in (at, seq) order, a page at a time. */
#ifndef PK_JOURNEY_VIEW_H
#define PK_JOURNEY_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/journey.h"
#include "core/scheme.h"

#define PK_JOURNEY_EVENTS_MAX 500   /* events of one page at most */
#define PK_DEADLINE_ITEMS_MAX 5

/* One deadline or condition of the spec's "Deadlines", for people. */
typedef struct pk_deadline_item {
    const char *kind;      /* pembelian_pertama, batas_saldo, survei, ulasan, rekening */
    const char *title;     /* "Pembelian pelatihan pertama" */
    char reason[256];      /* why it exists (a sentence) */
    bool has_end;          /* false: a condition without a date (ulasan, rekening) */
    int64_t ends;          /* 23:59:59 WIB of its day */
    bool met;              /* done in time (or, for a condition: fulfilled) */
    bool absolute;         /* the wave's cut-off decided it */
    long days_left;        /* WIB days from today to its day; negative: past */
    char missing[192];     /* "Belum membeli pelatihan — batas 12 Mar 2021, 5 hari lagi", or "" */
} pk_deadline_item;

typedef struct pk_journey_view {
    bool any;                   /* the person has events (else j is a bare terdaftar) */
    pk_journey j;
    char scheme_id[16];         /* the scheme whose days apply: the wave's (the local wave
                                 * table, else the scheme whose wave numbers include it),
                                 * else the person's */
    const pk_scheme *scheme;    /* NULL when unknown */
    int64_t balance_cutoff;     /* the wave's, 0: none */
    bool has_card;
    char card_masked[20];       /* "**** **** **** 1234": what staff pages show */
    char card_number[17];       /* the whole number, filled for its holder alone
                                 * (actor PK_ACTOR_RESIDENT): Akun saya shows it
                                 * (selection.md: "shown to its holder only") */
    int64_t card_wave;
    int64_t card_replaced_at;   /* when `cards reissue` last gave it a new number; 0: never */
    pk_deadline_item items[PK_DEADLINE_ITEMS_MAX];
    size_t nitems;
    int64_t events_total;       /* all the person's events */
} pk_journey_view;

/* Reads participant id's journey inside scope, after recording the read
 * (actor, route; detail: the page asked).  Events from position `offset`
 * (0-based, in (at, seq) order), at most `limit` (1..PK_JOURNEY_EVENTS_MAX),
 * each to cb (may be NULL) with `skipped`: PK_C__COUNT for an event the
 * journey's fold applies, else why it skips it (a stored event that a
 * late event of its source made break a rule: app/journey.c).  `now` is the instant "today in Jakarta" is
 * taken from.  PK_ENOENT outside the scope or unknown (the refusal
 * recorded), PK_EIO when the read or its record failed. */
int pk_staff_journey(const pk_app *app, const char *scope, int64_t id, const char *actor,
                     const char *route, int64_t offset, int limit, int64_t now,
                     pk_journey_view *out,
                     int (*cb)(void *ctx, const pk_event *e, pk_code skipped), void *ctx);

/* What an event means in plain Indonesian: "Lolos seleksi gelombang 3",
 * "Membeli pelatihan DM-101 di tokopedia", "Insentif ke-2 gagal dibayar
 * (rekening tidak aktif)".  out: PK_EVENT_DESCRIBE_MAX bytes hold any
 * (a keterangan of free text is up to 800 bytes). */
#define PK_EVENT_DESCRIBE_MAX 1200
void pk_event_describe(const pk_event *e, char *out, size_t cap);
/* The same as the person reads it on Akun saya: a tidak_lolos event's
 * reasons of what the registry knows (PK_REASONS_REGISTRY: the lists,
 * the family card's recipients), and any words that are no reason code,
 * as "alasan lain", told at the village office against the KTP (a code
 * sent to a phone proves no identity). */
void pk_event_describe_resident(const pk_event *e, char *out, size_t cap);
/* Where it came from, for people: "Manajemen Pelaksana" (pmo), "Sistem
 * Prakerja DKI Jakarta" (lokal). */
const char *pk_event_source_label(pk_event_source s);
/* The status for people: "Terdaftar", "Mendaftar gelombang", "Penerima",
 * "Tidak lolos", "Dicabut". */
const char *pk_journey_status_label(pk_journey_status s);

#endif
