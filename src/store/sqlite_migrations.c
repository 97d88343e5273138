/* sqlite_migrations.c -- the SQLite schema's history: every migration,
 * append only and numbered as PostgreSQL's (pg_migrations.c), with what
 * they load (the region table) and convert (migration 7's blind indexes,
 * whose two INTEGER halves sq_bind_bi and sq_column_bi read and write
 * since).  The migrator that applies them is sqlite_schema.c. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"
#include "store/sql_funnel.h"
#include "store/sql_remind_effect.h"
#include "store/sqlite_int.h"

/* ---- migrations ------------------------------------------------------- */

typedef struct load_ctx {
    sqlite3_stmt *ins;
} load_ctx;

static int insert_region(void *ctx, const char *code, const char *parent, int level,
                         const char *name)
{
    sqlite3_stmt *st = ((load_ctx *)ctx)->ins;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (parent != NULL)
        sqlite3_bind_text(st, 2, parent, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int(st, 3, level);
    sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : PK_EIO;
}

static int load_regions(void *conn, const char *datadir, char *err, size_t errlen)
{
    sqlite3 *db = conn;
    load_ctx ctx = {0};
    if (sqlite3_prepare_v2(db, "INSERT INTO region(code, parent, level, name) VALUES (?,?,?,?)",
                           -1, &ctx.ins, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return PK_EIO;
    }
    int rc = pk_store_load_wilayah(datadir, insert_region, &ctx, err, errlen);
    if (rc == PK_EIO && err[0] == '\0')
        snprintf(err, errlen, "loading regions: %s", sqlite3_errmsg(db));
    sqlite3_finalize(ctx.ins);
    return rc;
}

/* The participant table's columns (migration 2 made the NIK index UNIQUE
 * inline, migration 5 moved that to a named index, migration 7 made each
 * blind index two integers: see sq_bind_bi). */
#define PARTICIPANT_COLUMNS(nik_unique)                                     \
    "  id            INTEGER PRIMARY KEY,"                                  \
    "  nik_bi        BLOB NOT NULL" nik_unique ","                          \
    "  kk_bi         BLOB NOT NULL," PARTICIPANT_COLUMNS_REST
#define PARTICIPANT_COLUMNS_V7                                              \
    "  id            INTEGER PRIMARY KEY,"                                  \
    "  nik_hi        INTEGER NOT NULL,"                                     \
    "  nik_lo        INTEGER NOT NULL,"                                     \
    "  kk_hi         INTEGER NOT NULL,"                                     \
    "  kk_lo         INTEGER NOT NULL," PARTICIPANT_COLUMNS_REST
#define PARTICIPANT_COLUMNS_REST                                            \
    "  pii           BLOB NOT NULL,"                                        \
    "  digest        BLOB NOT NULL,"                                        \
    "  nama          TEXT NOT NULL,"                                        \
    "  tanggal_lahir TEXT NOT NULL,"                                        \
    "  jenis_kelamin TEXT NOT NULL CHECK (jenis_kelamin IN ('L', 'P')),"   \
    "  kode_wilayah  TEXT NOT NULL REFERENCES region(code),"               \
    "  pendidikan    TEXT NOT NULL,"                                        \
    "  segmen        TEXT NOT NULL,"                                        \
    "  pekerjaan     TEXT NOT NULL,"                                        \
    "  warnings      INTEGER NOT NULL,"                                     \
    "  scheme        TEXT NOT NULL,"                                        \
    "  base_reasons  INTEGER NOT NULL,"                                     \
    "  reasons       INTEGER NOT NULL,"                                     \
    "  as_of         TEXT NOT NULL,"                                        \
    "  source        TEXT NOT NULL,"                                        \
    "  created_at    TEXT NOT NULL,"                                        \
    "  updated_at    TEXT NOT NULL"

/* (The participant table's indexes since migration 7 are
 * SQ_PARTICIPANT_INDEXES, sqlite_int.h: a bulk load builds them too.) */
/* (Migration 5's, on the blobs.) */
#define PARTICIPANT_INDEXES_V5                                               \
    "CREATE UNIQUE INDEX participant_nik ON participant(nik_bi);"            \
    "CREATE INDEX participant_kk ON participant(kk_bi, id);"                 \
    "CREATE INDEX participant_region ON participant(kode_wilayah);"

/* The participant table keeps each 16-byte blind index as two INTEGER
 * columns (hi, lo): its bytes big-endian with the top bit flipped, so
 * integer order is the order of the bytes (as memcmp), and paging after
 * a blind index means the same as on PostgreSQL, which keeps bytea.
 * Building an index then compares integers where it decoded records to
 * compare blobs: about 0.45 s less for the NIK and KK indexes of a
 * million rows.  (The exclusion table keeps blobs: nothing sorts it in
 * bulk.) */
static int64_t bi_half(const uint8_t *b)
{
    uint64_t v = pk_bi_key(b) ^ UINT64_C(1) << 63;
    int64_t h;
    memcpy(&h, &v, sizeof(h));
    return h;
}

static void bi_put_half(uint8_t *b, int64_t h)
{
    uint64_t v;
    memcpy(&v, &h, sizeof(v));
    v ^= UINT64_C(1) << 63;
    for (int i = 7; i >= 0; i--, v >>= 8)
        b[i] = (uint8_t)v;
}

void sq_bind_bi(sqlite3_stmt *st, int i, const uint8_t *bi)
{
    sqlite3_bind_int64(st, i, bi_half(bi));
    sqlite3_bind_int64(st, i + 1, bi_half(bi + 8));
}

void sq_column_bi(sqlite3_stmt *st, int i, uint8_t *out)
{
    bi_put_half(out, sqlite3_column_int64(st, i));
    bi_put_half(out + 8, sqlite3_column_int64(st, i + 1));
}

/* Migration 7: every blind index of the participant table becomes two
 * integers (sq_bind_bi), through two SQL functions that live only for it. */
static void bi_half_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int off = *(const int *)sqlite3_user_data(cx);
    if (sqlite3_value_bytes(argv[0]) != PK_BI_LEN) {
        sqlite3_result_error(cx, "blind index of the wrong length", -1);
        return;
    }
    sqlite3_result_int64(cx, bi_half((const uint8_t *)sqlite3_value_blob(argv[0]) + off));
}


static int split_blind_indexes(void *conn, const char *datadir, char *err, size_t errlen)
{
    (void)datadir;
    sqlite3 *db = conn;
    static const int hi = 0, lo = 8;
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(db, "pk_bi_hi", 1, flags, (void *)&hi, bi_half_fn, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_create_function(db, "pk_bi_lo", 1, flags, (void *)&lo, bi_half_fn, NULL, NULL) !=
            SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return PK_EIO;
    }
    int rc = sq_exec(db,
                  "CREATE TABLE participant_v7 (" PARTICIPANT_COLUMNS_V7 ") STRICT;"
                  "INSERT INTO participant_v7 SELECT id, pk_bi_hi(nik_bi), pk_bi_lo(nik_bi),"
                  " pk_bi_hi(kk_bi), pk_bi_lo(kk_bi), pii, digest, nama, tanggal_lahir,"
                  " jenis_kelamin, kode_wilayah, pendidikan, segmen, pekerjaan, warnings, scheme,"
                  " base_reasons, reasons, as_of, source, created_at, updated_at FROM participant;"
                  "DROP TABLE participant;"
                  "ALTER TABLE participant_v7 RENAME TO participant;" SQ_PARTICIPANT_INDEXES,
                  err, errlen);
    sqlite3_create_function(db, "pk_bi_hi", 1, flags, NULL, NULL, NULL, NULL);
    sqlite3_create_function(db, "pk_bi_lo", 1, flags, NULL, NULL, NULL, NULL);
    return rc;
}

/* Append only (see pk_migration); PostgreSQL's are numbered alike. */
static const pk_migration migrations[] = {
    {1, "region table (Kemendagri codes, ODbL data from data/wilayah)",
     "CREATE TABLE region ("
     "  code   TEXT PRIMARY KEY,"
     "  parent TEXT REFERENCES region(code),"
     "  level  INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),"
     "  name   TEXT NOT NULL"
     ") STRICT, WITHOUT ROWID;",
     load_regions, "CREATE INDEX region_parent ON region(parent, code);"},
    {2, "participant registry: sealed personal data, blind indexes, exclusion lists, audit log",
     "CREATE TABLE participant (" PARTICIPANT_COLUMNS(" UNIQUE") ") STRICT;"
     "CREATE INDEX participant_kk ON participant(kk_bi, id);"
     "CREATE INDEX participant_region ON participant(kode_wilayah);"
     "CREATE TABLE exclusion ("
     "  list   TEXT NOT NULL,"
     "  nik_bi BLOB NOT NULL,"
     "  note   BLOB,"
     "  PRIMARY KEY (list, nik_bi)"
     ") STRICT, WITHOUT ROWID;"
     "CREATE INDEX exclusion_nik ON exclusion(nik_bi);"
     "CREATE TABLE pk_meta ("
     "  name  TEXT PRIMARY KEY,"
     "  value BLOB NOT NULL"
     ") STRICT;"
     "CREATE TABLE audit ("
     "  id      INTEGER PRIMARY KEY,"
     "  at      TEXT NOT NULL,"
     "  source  TEXT NOT NULL,"
     "  action  TEXT NOT NULL,"
     "  subject INTEGER,"
     "  detail  TEXT NOT NULL"
     ") STRICT;",
     NULL, NULL},
    {3, "accounts: users, sessions, API tokens, failed logins",
     "CREATE TABLE app_user ("
     "  id         INTEGER PRIMARY KEY,"
     "  username   TEXT NOT NULL UNIQUE,"
     "  role       TEXT NOT NULL,"
     "  region     TEXT REFERENCES region(code),"
     "  pwhash     TEXT NOT NULL,"
     "  disabled   INTEGER NOT NULL DEFAULT 0,"
     "  created_at TEXT NOT NULL,"
     "  updated_at TEXT NOT NULL"
     ") STRICT;"
     "CREATE TABLE user_session ("
     "  id      BLOB PRIMARY KEY,"
     "  user_id INTEGER NOT NULL REFERENCES app_user(id),"
     "  created INTEGER NOT NULL,"
     "  seen    INTEGER NOT NULL"
     ") STRICT, WITHOUT ROWID;"
     "CREATE INDEX user_session_user ON user_session(user_id);"
     "CREATE INDEX user_session_seen ON user_session(seen);"
     "CREATE TABLE api_token ("
     "  id         INTEGER PRIMARY KEY,"
     "  hash       BLOB NOT NULL UNIQUE,"
     "  user_id    INTEGER NOT NULL REFERENCES app_user(id),"
     "  label      TEXT NOT NULL,"
     "  created_at TEXT NOT NULL,"
     "  revoked_at TEXT"
     ") STRICT;"
     "CREATE TABLE login_failure ("
     "  k  BLOB NOT NULL,"
     "  at INTEGER NOT NULL"
     ") STRICT;"
     "CREATE INDEX login_failure_k ON login_failure(k, at);"
     "CREATE INDEX login_failure_at ON login_failure(at);",
     NULL, NULL},
    {4, "access log: reads of personal data and exports (append only)",
     "CREATE TABLE access_log ("
     "  id      INTEGER PRIMARY KEY,"
     "  at      TEXT NOT NULL,"
     "  actor   TEXT NOT NULL,"
     "  action  TEXT NOT NULL,"
     "  route   TEXT NOT NULL,"
     "  subject INTEGER,"
     "  detail  TEXT NOT NULL"
     ") STRICT;"
     "CREATE INDEX access_log_at ON access_log(at);"
     /* append only: the store has no op that changes it, and the
      * database refuses it too */
     "CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log"
     " BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;"
     "CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log"
     " BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;",
     NULL, NULL},
    /* An inline UNIQUE cannot be dropped; a named index can, so a bulk
     * load of an empty registry may build it once at the end. */
    {5, "participant: the NIK index becomes a named unique index (bulk loading)",
     "CREATE TABLE participant_v5 (" PARTICIPANT_COLUMNS("") ") STRICT;"
     "INSERT INTO participant_v5 SELECT id, nik_bi, kk_bi, pii, digest, nama, tanggal_lahir,"
     " jenis_kelamin, kode_wilayah, pendidikan, segmen, pekerjaan, warnings, scheme,"
     " base_reasons, reasons, as_of, source, created_at, updated_at FROM participant;"
     "DROP TABLE participant;"
     "ALTER TABLE participant_v5 RENAME TO participant;" PARTICIPANT_INDEXES_V5,
     NULL, NULL},
    /* A new database computes its blind indexes with SipHash (vault.h:
     * PK_BLIND_SIPHASH_NAME); one that has ever been used keeps BLAKE2b,
     * the function its stored indexes were made with. */
    {6, "blind indexes: new databases use SipHash-2-4 (pk_meta 'blind')",
     "INSERT INTO pk_meta (name, value) SELECT 'blind', CAST('siphash24-2x64' AS BLOB)"
     " WHERE NOT EXISTS (SELECT 1 FROM pk_meta WHERE name = 'key_check')"
     " AND NOT EXISTS (SELECT 1 FROM participant) AND NOT EXISTS (SELECT 1 FROM exclusion);",
     NULL, NULL},
    {7, "participant: each blind index as two integers (faster index builds)", NULL,
     split_blind_indexes, NULL},
    /* Entries written before it have the actor '' (not recorded). */
    {8, "audit log: the actor of each write, indexes by time and actor, append only",
     "ALTER TABLE audit ADD COLUMN actor TEXT NOT NULL DEFAULT '';"
     "CREATE INDEX audit_at ON audit(at);"
     "CREATE INDEX audit_actor ON audit(actor, at);"
     "CREATE INDEX access_log_actor ON access_log(actor, at);"
     "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
     " BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
     "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
     " BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;",
     NULL, NULL},
    /* The journey (journey-events-csv.md): events append only, unique by
     * (source, ref); `at` is the event's instant in whole seconds since
     * 1970 UTC, `seq` its order among the person's events of the same
     * instant (the file's line); 0 and '' stand for an empty column.
     * pk_journey is the state derived from them (app/journey.c), times
     * in the same seconds, 0 for none. */
    {9, "journey: events (append only) and the state derived from them",
     "CREATE TABLE pk_event ("
     "  id             INTEGER PRIMARY KEY,"
     "  participant_id INTEGER NOT NULL REFERENCES participant(id),"
     "  source         TEXT NOT NULL CHECK (source IN ('pmo', 'lokal')),"
     "  ref            TEXT NOT NULL,"
     "  type           TEXT NOT NULL,"
     "  at             INTEGER NOT NULL,"
     "  seq            INTEGER NOT NULL,"
     "  received_at    TEXT NOT NULL,"
     "  wave           INTEGER NOT NULL DEFAULT 0,"
     "  amount         INTEGER NOT NULL DEFAULT 0,"
     "  k              INTEGER NOT NULL DEFAULT 0,"
     "  course         TEXT NOT NULL DEFAULT '',"
     "  platform       TEXT NOT NULL DEFAULT '',"
     "  ref_asal       TEXT NOT NULL DEFAULT '',"
     "  note           TEXT NOT NULL DEFAULT ''"
     ") STRICT;"
     "CREATE UNIQUE INDEX pk_event_ref ON pk_event(source, ref);"
     "CREATE INDEX pk_event_participant ON pk_event(participant_id, at, seq);"
     "CREATE TRIGGER pk_event_no_update BEFORE UPDATE ON pk_event"
     " BEGIN SELECT RAISE(ABORT, 'pk_event is append-only'); END;"
     "CREATE TRIGGER pk_event_no_delete BEFORE DELETE ON pk_event"
     " BEGIN SELECT RAISE(ABORT, 'pk_event is append-only'); END;"
     "CREATE TABLE pk_journey ("
     "  participant_id INTEGER PRIMARY KEY REFERENCES participant(id),"
     "  status         TEXT NOT NULL,"
     "  payout         TEXT NOT NULL,"
     "  wave               INTEGER NOT NULL,"
     "  joined_at          INTEGER NOT NULL,"
     "  selected_at        INTEGER NOT NULL,"
     "  revoked_at         INTEGER NOT NULL,"
     "  balance            INTEGER NOT NULL CHECK (balance >= 0),"
     "  credited           INTEGER NOT NULL,"
     "  spent              INTEGER NOT NULL,"
     "  refunded           INTEGER NOT NULL,"
     "  lapsed             INTEGER NOT NULL,"
     "  first_purchase_at  INTEGER NOT NULL,"
     "  purchases          INTEGER NOT NULL,"
     "  completions        INTEGER NOT NULL,"
     "  reviews            INTEGER NOT NULL,"
     "  first_completion_at INTEGER NOT NULL,"
     "  first_review_at    INTEGER NOT NULL,"
     "  payout_at          INTEGER NOT NULL,"
     "  incentives_paid    INTEGER NOT NULL,"
     "  incentive_total    INTEGER NOT NULL,"
     "  incentives_failed  INTEGER NOT NULL,"
     "  survey_k           INTEGER NOT NULL,"
     "  survey_opened_at   INTEGER NOT NULL,"
     "  surveys_filled     INTEGER NOT NULL,"
     "  survey_incentives  INTEGER NOT NULL,"
     "  events             INTEGER NOT NULL,"
     "  last_at            INTEGER NOT NULL,"
     "  updated_at     TEXT NOT NULL"
     ") STRICT;",
     NULL, NULL},
    {10, "platforms: credentials (secret sealed by the vault), nonces, idempotent answers",
     "CREATE TABLE pk_platform ("
     "  id         INTEGER PRIMARY KEY,"
     "  code       TEXT NOT NULL UNIQUE,"
     "  name       TEXT NOT NULL,"
     "  secret     BLOB NOT NULL,"
     "  disabled   INTEGER NOT NULL DEFAULT 0,"
     "  created_at TEXT NOT NULL,"
     "  updated_at TEXT NOT NULL"
     ") STRICT;"
     "CREATE TABLE pk_platform_nonce ("
     "  platform INTEGER NOT NULL REFERENCES pk_platform(id),"
     "  nonce    TEXT NOT NULL,"
     "  seen_at  INTEGER NOT NULL,"
     "  PRIMARY KEY (platform, nonce)"
     ") STRICT, WITHOUT ROWID;"
     "CREATE INDEX pk_platform_nonce_seen ON pk_platform_nonce(seen_at);"
     "CREATE TABLE pk_idempotency ("
     "  platform   INTEGER NOT NULL REFERENCES pk_platform(id),"
     "  ikey       TEXT NOT NULL,"
     "  digest     BLOB NOT NULL,"
     "  status     INTEGER NOT NULL,"
     "  body       BLOB NOT NULL,"
     "  created_at TEXT NOT NULL,"
     "  PRIMARY KEY (platform, ikey)"
     ") STRICT, WITHOUT ROWID;",
     NULL, NULL},
    /* Waves and their draws (selection.md): the wave, its draw (seed,
     * digests, counts), each applicant's record of the draw (the walk's
     * inputs and outcome, so a draw can be verified from what was
     * stored), and the recipients' card numbers, never reused.  Instants
     * in seconds since 1970 UTC.  pk_event_wave finds a wave's
     * applicants and the recipients of earlier waves. */
    {11, "waves, draws, each applicant's draw record, card numbers",
     "CREATE TABLE pk_wave ("
     "  number        INTEGER PRIMARY KEY CHECK (number >= 1),"
     "  scheme        TEXT NOT NULL,"
     "  opens_at      INTEGER NOT NULL,"
     "  closes_at     INTEGER NOT NULL CHECK (closes_at > opens_at),"
     "  quota         INTEGER NOT NULL CHECK (quota >= 0),"
     "  region_quotas TEXT NOT NULL,"
     "  balance_until TEXT NOT NULL,"
     "  state         TEXT NOT NULL CHECK (state IN ('dibuka', 'ditutup', 'diundi')),"
     "  created_at    TEXT NOT NULL,"
     "  updated_at    TEXT NOT NULL"
     ") STRICT;"
     "CREATE TABLE pk_draw ("
     "  wave            INTEGER PRIMARY KEY REFERENCES pk_wave(number),"
     "  seed            BLOB NOT NULL,"
     "  algorithm       INTEGER NOT NULL,"
     "  snapshot_sha256 BLOB NOT NULL,"
     "  result_sha256   BLOB NOT NULL,"
     "  drawn_at        INTEGER NOT NULL,"
     "  applicants      INTEGER NOT NULL,"
     "  eligible        INTEGER NOT NULL,"
     "  selected        INTEGER NOT NULL,"
     "  not_selected    INTEGER NOT NULL,"
     "  reasons         TEXT NOT NULL,"
     "  created_at      TEXT NOT NULL"
     ") STRICT;"
     "CREATE TABLE pk_draw_applicant ("
     "  wave           INTEGER NOT NULL REFERENCES pk_draw(wave),"
     "  participant_id INTEGER NOT NULL REFERENCES participant(id),"
     "  tier           INTEGER NOT NULL,"
     "  reasons        INTEGER NOT NULL,"
     "  eligible       INTEGER NOT NULL,"
     "  selected       INTEGER NOT NULL,"
     "  regency        TEXT NOT NULL,"
     "  kk_bi          BLOB NOT NULL,"
     "  kk_prior       INTEGER NOT NULL,"
     "  PRIMARY KEY (wave, participant_id)"
     ") STRICT, WITHOUT ROWID;"
     "CREATE TABLE pk_card ("
     "  participant_id INTEGER PRIMARY KEY REFERENCES participant(id),"
     "  serial         INTEGER NOT NULL UNIQUE,"
     "  number         TEXT NOT NULL UNIQUE,"
     "  wave           INTEGER NOT NULL,"
     "  issued_at      INTEGER NOT NULL"
     ") STRICT;"
     "CREATE TRIGGER pk_card_no_delete BEFORE DELETE ON pk_card"
     " BEGIN SELECT RAISE(ABORT, 'card numbers are never reused'); END;"
     "CREATE TRIGGER pk_card_no_update BEFORE UPDATE ON pk_card"
     " BEGIN SELECT RAISE(ABORT, 'card numbers are never reused'); END;"
     "CREATE INDEX pk_event_wave ON pk_event(wave, type);",
     NULL, NULL},
    {12, "training catalogue: providers (LPK) and the platforms' courses",
     "CREATE TABLE pk_provider ("
     "  id         INTEGER PRIMARY KEY,"
     "  name       TEXT NOT NULL UNIQUE,"
     "  created_at TEXT NOT NULL"
     ") STRICT;"
     "CREATE TABLE pk_course ("
     "  id          INTEGER PRIMARY KEY,"
     "  platform    TEXT NOT NULL,"
     "  course_ref  TEXT NOT NULL,"
     "  title       TEXT NOT NULL,"
     "  provider_id INTEGER NOT NULL REFERENCES pk_provider(id),"
     "  price       INTEGER NOT NULL CHECK (price > 0),"
     "  mode        TEXT NOT NULL CHECK (mode IN ('webinar', 'mandiri', 'luring')),"
     "  created_at  TEXT NOT NULL,"
     "  updated_at  TEXT NOT NULL,"
     "  UNIQUE (platform, course_ref)"
     ") STRICT;",
     NULL, NULL},
    /* The answers kept for idempotency keys are forgotten after a day
     * (app/platform.c), oldest first, by this index. */
    {13, "idempotent answers: an index by the time each was kept (pruning)",
     "CREATE INDEX pk_idempotency_created ON pk_idempotency(created_at);",
     NULL, NULL},
    /* The daily job (app/jobs.c) finds what is due through these partial
     * indexes: recipients without a purchase (they leave it when they buy,
     * are revoked, or a purchase is cancelled back in), and journeys with
     * a balance left; the queries repeat their conditions word for word. */
    {14, "journey: partial indexes of what the daily job acts on",
     SQ_JOURNEY_DUE_INDEXES,
     NULL, NULL},    /* The statistics from counters kept with the participants, not from
     * a scan of them (issue #16): SQ_PARTICIPANT_COUNT_TRIGGERS keep
     * them, filled here once from the rows there are. */
    {15, "participant counters: a cell per village, segment, sex and reasons",
     "CREATE TABLE participant_count ("
     "  kode_wilayah  TEXT NOT NULL,"
     "  segmen        TEXT NOT NULL,"
     "  jenis_kelamin TEXT NOT NULL,"
     "  reasons       INTEGER NOT NULL,"
     "  n             INTEGER NOT NULL,"
     "  PRIMARY KEY (kode_wilayah, segmen, jenis_kelamin, reasons)"
     ") STRICT, WITHOUT ROWID;" SQ_PARTICIPANT_COUNT_FILL_V15 SQ_PARTICIPANT_COUNT_TRIGGERS_V15,
     NULL, NULL},
    /* Staff search by name (sqlite_access.c): an FTS5 index of the names
     * with the trigram tokenizer (any substring of 3 or more characters,
     * case folded beyond ASCII), its content read from participant
     * (external content), kept in step by the triggers of
     * SQ_NAME_INDEX_TRIGGERS; a bulk load drops them and rebuilds the
     * index once at its end (sqlite_bulk.c). */
    {16, "staff search: a trigram text index of participant names",
     "CREATE VIRTUAL TABLE participant_name USING fts5(nama, content='participant',"
     " content_rowid='id', tokenize='trigram case_sensitive 0');"
     SQ_NAME_INDEX_TRIGGERS
     "INSERT INTO participant_name(participant_name) VALUES ('rebuild');",
     NULL, NULL},
    /* Reminders (reminders.md): a participant's stops per purpose (what a
     * plan reads) and every change of consent with its time, channel and
     * actor, append only. */
    {17, "reminders: consent per purpose, its stops and the history of its changes",
     "CREATE TABLE pk_consent_stop ("
     "  participant_id INTEGER NOT NULL REFERENCES participant(id),"
     "  purpose        TEXT NOT NULL CHECK (purpose IN ('program', 'informasi')),"
     "  since          TEXT NOT NULL,"
     "  PRIMARY KEY (participant_id, purpose)"
     ") STRICT, WITHOUT ROWID;"
     "CREATE TABLE pk_consent_change ("
     "  id             INTEGER PRIMARY KEY,"
     "  participant_id INTEGER NOT NULL REFERENCES participant(id),"
     "  purpose        TEXT NOT NULL CHECK (purpose IN ('program', 'informasi')),"
     "  stopped        INTEGER NOT NULL CHECK (stopped IN (0, 1)),"
     "  channel        TEXT NOT NULL,"
     "  actor          TEXT NOT NULL,"
     "  changed_at     TEXT NOT NULL"
     ") STRICT;"
     "CREATE INDEX pk_consent_change_person ON pk_consent_change(participant_id, id);"
     "CREATE TRIGGER pk_consent_change_no_update BEFORE UPDATE ON pk_consent_change"
     " BEGIN SELECT RAISE(ABORT, 'pk_consent_change is append-only'); END;"
     "CREATE TRIGGER pk_consent_change_no_delete BEFORE DELETE ON pk_consent_change"
     " BEGIN SELECT RAISE(ABORT, 'pk_consent_change is append-only'); END;",
     NULL, NULL},
    /* Reminders (reminders.md): each fire of an occurrence recorded with
     * its status on the run's day, the messages (the outbox), the
     * channels that failed for a person, and leases (one process runs
     * the day's reminders at a time). */
    {18, "reminders: fires, the outbox, failed channels, leases",
     "CREATE TABLE pk_remind_fire ("
     "  participant_id INTEGER NOT NULL REFERENCES participant(id),"
     "  rule           TEXT NOT NULL,"
     "  anchor         INTEGER NOT NULL,"
     "  k              INTEGER NOT NULL,"
     "  offset_days    INTEGER NOT NULL,"
     "  status         TEXT NOT NULL CHECK (status IN ('kirim', 'ditunda', 'dibatalkan',"
     "                 'terlewat', 'berhenti_langganan')),"
     "  day            TEXT NOT NULL,"
     "  message_id     INTEGER NOT NULL,"
     "  PRIMARY KEY (participant_id, rule, anchor, k, offset_days)"
     ") STRICT, WITHOUT ROWID;"
     "CREATE TABLE pk_remind_message ("
     "  id             INTEGER PRIMARY KEY,"
     "  participant_id INTEGER NOT NULL REFERENCES participant(id),"
     "  rule           TEXT NOT NULL,"
     "  anchor         INTEGER NOT NULL,"
     "  k              INTEGER NOT NULL,"
     "  day            TEXT NOT NULL,"
     "  send_at        INTEGER NOT NULL,"
     "  channel        TEXT NOT NULL,"
     "  state          TEXT NOT NULL CHECK (state IN ('antri', 'mengirim', 'terkirim', 'gagal',"
     "                 'tidak_pasti', 'dibatalkan')),"
     "  attempts       INTEGER NOT NULL,"
     "  next_at        INTEGER NOT NULL,"
     "  failed         INTEGER NOT NULL,"
     "  vars           TEXT NOT NULL,"
     "  provider_id    TEXT NOT NULL,"
     "  error          TEXT NOT NULL,"
     "  created_at     TEXT NOT NULL,"
     "  updated_at     TEXT NOT NULL,"
     "  UNIQUE (participant_id, rule, anchor, k, day)"
     ") STRICT;"
     "CREATE INDEX pk_remind_message_due ON pk_remind_message(next_at, id)"
     " WHERE state IN ('antri', 'mengirim');"
     "CREATE INDEX pk_remind_message_day ON pk_remind_message(participant_id, day);"
     "CREATE INDEX pk_remind_message_provider ON pk_remind_message(provider_id)"
     " WHERE provider_id <> '';"
     "CREATE TABLE pk_contact_failed ("
     "  participant_id INTEGER NOT NULL REFERENCES participant(id),"
     "  channel        TEXT NOT NULL,"
     "  error          TEXT NOT NULL,"
     "  at             TEXT NOT NULL,"
     "  PRIMARY KEY (participant_id, channel)"
     ") STRICT, WITHOUT ROWID;"
     "CREATE TABLE pk_lease ("
     "  name   TEXT PRIMARY KEY,"
     "  holder TEXT NOT NULL,"
     "  until  INTEGER NOT NULL"
     ") STRICT;",
     NULL, NULL},
    /* Residents' own access (issue #15): one-time codes (a keyed hash,
     * per person and purpose), residents' sessions, and a person's
     * contact preferences (the preferred channel reminders read; when the
     * phone was verified). */
    {19, "residents: one-time codes, sessions, contact preferences",
     "CREATE TABLE pk_resident_code ("
     "  participant_id INTEGER NOT NULL REFERENCES participant(id),"
     "  purpose        TEXT NOT NULL CHECK (purpose IN ('masuk', 'telepon')),"
     "  code           BLOB NOT NULL,"
     "  expires        INTEGER NOT NULL,"
     "  attempts       INTEGER NOT NULL,"
     "  PRIMARY KEY (participant_id, purpose)"
     ") STRICT, WITHOUT ROWID;"
     "CREATE TABLE pk_resident_session ("
     "  id             BLOB PRIMARY KEY,"
     "  participant_id INTEGER NOT NULL REFERENCES participant(id),"
     "  created        INTEGER NOT NULL,"
     "  seen           INTEGER NOT NULL"
     ") STRICT;"
     "CREATE INDEX pk_resident_session_seen ON pk_resident_session(seen);"
     "CREATE TABLE pk_contact_pref ("
     "  participant_id INTEGER PRIMARY KEY REFERENCES participant(id),"
     "  channel        TEXT NOT NULL CHECK (channel IN ('', 'whatsapp', 'sms', 'email')),"
     "  phone_verified_at INTEGER NOT NULL"
     ") STRICT;",
     NULL, NULL},    /* The hold-out of the reminders' effect: a fire may be `kontrol`
     * (SQLite changes a CHECK by copying the table). */
    {20, "reminders: the hold-out's fire status kontrol",
     "CREATE TABLE pk_remind_fire_v20 ("
     "  participant_id INTEGER NOT NULL REFERENCES participant(id),"
     "  rule           TEXT NOT NULL,"
     "  anchor         INTEGER NOT NULL,"
     "  k              INTEGER NOT NULL,"
     "  offset_days    INTEGER NOT NULL,"
     "  status         TEXT NOT NULL CHECK (status IN ('kirim', 'ditunda', 'dibatalkan',"
     "                 'terlewat', 'berhenti_langganan', 'kontrol')),"
     "  day            TEXT NOT NULL,"
     "  message_id     INTEGER NOT NULL,"
     "  PRIMARY KEY (participant_id, rule, anchor, k, offset_days)"
     ") STRICT, WITHOUT ROWID;"
     "INSERT INTO pk_remind_fire_v20 SELECT * FROM pk_remind_fire;"
     "DROP TABLE pk_remind_fire;"
     "ALTER TABLE pk_remind_fire_v20 RENAME TO pk_remind_fire;",
     NULL, NULL},
    /* The counters summed per city too, kept by the same triggers
     * (sqlite_int.h): the province's figures read a few hundred cells. */
    {21, "participant counters per city",
     "CREATE TABLE participant_count_city ("
     "  kode_kota     TEXT NOT NULL,"
     "  segmen        TEXT NOT NULL,"
     "  jenis_kelamin TEXT NOT NULL,"
     "  reasons       INTEGER NOT NULL,"
     "  n             INTEGER NOT NULL,"
     "  PRIMARY KEY (kode_kota, segmen, jenis_kelamin, reasons)"
     ") STRICT, WITHOUT ROWID;" SQ_PARTICIPANT_COUNT_DROP_TRIGGERS
     SQ_PARTICIPANT_COUNT_CITY_FILL ";" SQ_PARTICIPANT_COUNT_TRIGGERS,
     NULL, NULL},
    /* Webhooks (issue #15): receipts kept on the message (the first
     * instant delivered, the first read), the blind index of the number a
     * message went to (a bare STOP finds the latest message to it), and
     * each inbound message or report recorded once (a gateway's retry
     * changes nothing). */
    {22, "webhooks: receipts, the number a message went to, inbound messages once",
     "ALTER TABLE pk_remind_message ADD COLUMN delivered_at INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE pk_remind_message ADD COLUMN read_at INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE pk_remind_message ADD COLUMN to_bi BLOB;"
     "CREATE INDEX pk_remind_message_to ON pk_remind_message(to_bi, id)"
     " WHERE to_bi IS NOT NULL;"
     "CREATE TABLE pk_inbound ("
     "  channel TEXT NOT NULL,"
     "  ref     TEXT NOT NULL,"
     "  at      TEXT NOT NULL,"
     "  PRIMARY KEY (channel, ref)"
     ") STRICT, WITHOUT ROWID;",
     NULL, NULL},
    /* Outreach events (issue #15 "Outreach and digital literacy"): a
     * sosialisasi or kelas literasi digital in a village, with its short
     * link's code, and the registrations made through that link (one per
     * participant, written in the registration's transaction).  Instants
     * in seconds since 1970 UTC; attendance -1 until it is recorded. */
    {23, "outreach events and the registrations attributed to them",
     "CREATE TABLE pk_outreach_event ("
     "  id           INTEGER PRIMARY KEY,"
     "  code         TEXT NOT NULL UNIQUE,"
     "  kind         TEXT NOT NULL CHECK (kind IN ('sosialisasi', 'literasi_digital')),"
     "  title        TEXT NOT NULL,"
     "  starts_at    INTEGER NOT NULL,"
     "  place        TEXT NOT NULL,"
     "  kode_wilayah TEXT NOT NULL REFERENCES region(code),"
     "  organiser    TEXT NOT NULL,"
     "  segmen       TEXT NOT NULL,"
     "  attendance   INTEGER NOT NULL CHECK (attendance >= -1),"
     "  created_by   TEXT NOT NULL,"
     "  created_at   INTEGER NOT NULL,"
     "  updated_at   INTEGER NOT NULL"
     ") STRICT;"
     "CREATE INDEX pk_outreach_event_region ON pk_outreach_event(kode_wilayah, starts_at);"
     "CREATE INDEX pk_outreach_event_starts ON pk_outreach_event(starts_at);"
     "CREATE TABLE pk_outreach_attribution ("
     "  participant_id INTEGER PRIMARY KEY REFERENCES participant(id),"
     "  event_id       INTEGER NOT NULL REFERENCES pk_outreach_event(id),"
     "  at             INTEGER NOT NULL"
     ") STRICT;"
     "CREATE INDEX pk_outreach_attribution_event ON pk_outreach_attribution(event_id);",
     NULL, NULL},
    /* The funnel's counters (issue #15 on #16; sql_funnel.h): the first
     * incentive's instant, then a cell per village and step, wait and
     * first-purchase deadline, kept by triggers like participant_count. */
    {24, "journey counters: the funnel's steps, waits and deadlines per village",
     "ALTER TABLE pk_journey ADD COLUMN first_incentive_at INTEGER NOT NULL DEFAULT 0;"
     PK_JOURNEY_FIRST_INCENTIVE_FILL SQ_JOURNEY_COUNT_TABLE
     PK_JOURNEY_COUNTS_FILL(SQ_JF_EPOCH("p.created_at")) ";" SQ_JOURNEY_COUNT_TRIGGERS_V24,
     NULL, NULL},
    /* The events' index by wave holds the wave events only (joined,
     * selected, not selected: every other event has wave 0), about a
     * quarter of the rows; the queries by wave say wave > 0.  An event
     * import's bulk load builds it at its end (sqlite_bulk.c). */
    {25, "journey: the events' index by wave holds the wave events only",
     "DROP INDEX pk_event_wave;" SQ_EVENT_WAVE_INDEX, NULL, NULL},
    /* The journey's cells summed per city (sql_funnel.h), filled from the
     * village cells and kept by the same triggers from now on: the
     * province's funnel reads them (bench/README.md, bench/funnel.sh). */
    {26, "journey counters per city",
     SQ_JOURNEY_COUNT_CITY_TABLE PK_JOURNEY_COUNT_CITY_FILL ";" SQ_JOURNEY_COUNT_DROP_TRIGGERS
     SQ_JOURNEY_COUNT_TRIGGERS,
     NULL, NULL},
    /* The effect of reminders per rule (issue #15 on #16's counters;
     * sql_remind_effect.h): a reach row per (person, rule) with a fire and
     * a cell per village and outcome, kept by triggers like journey_count. */
    {27, "reminders: the effect's counters per village and rule",
     SQ_RE_TABLES PK_RE_REACH_FILL ";" PK_RE_COUNT_FILL ";" SQ_RE_TRIGGERS,
     NULL, NULL},
    /* PostgreSQL's b-tree of the names by their beginning (its name
     * search's tier 0); FTS5's `^"q"` serves that here: nothing to do. */
    {28, "name search: the names by their beginning", NULL, NULL, NULL},
    /* The same b-tree here after all (lower(nama), kode_wilayah): a plain
     * ASCII query's tier 0 when few names start with it (a surname:
     * FTS5's ^"q" read all 160,000 rows containing 'kurniawan' at 10M to
     * find none; sqlite_access.c).  A bulk load builds it at its end. */
    {29, "name search: the names by their beginning (SQLite)", SQ_NAME_PREFIX_INDEX, NULL, NULL},
    /* The name index again without its table of sizes (columnsize=0):
     * no search ranks by bm25(), and a bulk load's rebuild wrote a row
     * per participant for it (bench/README.md, import at 10M, run 2).
     * The triggers stay (they name the table, not its options); the
     * rebuild reads every name once (at 10M rows about 25 s). */
    {30, "name search: the name index without the names' sizes (SQLite)",
     "DROP TABLE participant_name;" SQ_NAME_INDEX_CREATE
     "INSERT INTO participant_name(participant_name) VALUES ('rebuild');",
     NULL, NULL},
    /* The review the incentive waits for is of the first finished
     * training, not of any (journey-events-csv.md "Deadlines"): the
     * stored journeys' first_review_at again (sql_funnel.h). */
    {31, "journeys: the review of the first finished training", PK_JOURNEY_FIRST_REVIEW_FILL,
     NULL, NULL},
    /* The same unique index, the ref first: every look-up names both
     * columns, and a bulk load's build of it compared 'pmo' with 'pmo'
     * first for every pair of keys (0.41 against 0.31 s at 1M events). */
    {32, "journey: the events' unique index by ref, the ref first (SQLite)",
     "DROP INDEX pk_event_ref;" SQ_EVENT_REF_INDEX, NULL, NULL},
    /* PostgreSQL's deferrable counters; SQLite drops its triggers inside
     * the transaction instead (sqlite_bulk.c): it has one writer. */
    {33, "journey counters: deferrable to the end of a large transaction (PostgreSQL)", NULL,
     NULL, NULL},
    /* Cards of the first release bore numbers anyone could compute from
     * the public source (an affine spread of the serial): `prakerja cards
     * reissue` gives each a keyed number and keeps the old one here, so
     * that it is never issued again and a platform naming it hears it was
     * replaced.  A card's number and serial change only that way: the
     * old pair retired first.  A new card's number is looked up by its
     * issuer (app/cards.c), not by a trigger on each of a draw's cards.
     * Written to run again over itself (IF NOT EXISTS, triggers dropped
     * first), as the tests of older migrations apply the later ones again. */
    {34, "cards: the numbers replaced by a reissue",
     "CREATE TABLE IF NOT EXISTS pk_card_retired ("
     "  number         TEXT PRIMARY KEY,"
     "  participant_id INTEGER NOT NULL REFERENCES participant(id),"
     "  serial         INTEGER NOT NULL UNIQUE,"
     "  wave           INTEGER NOT NULL,"
     "  issued_at      INTEGER NOT NULL,"
     "  retired_at     INTEGER NOT NULL"
     ") STRICT, WITHOUT ROWID;"
     "CREATE INDEX IF NOT EXISTS pk_card_retired_participant ON pk_card_retired(participant_id);"
     "DROP TRIGGER IF EXISTS pk_card_retired_no_delete;"
     "DROP TRIGGER IF EXISTS pk_card_retired_no_update;"
     "CREATE TRIGGER pk_card_retired_no_delete BEFORE DELETE ON pk_card_retired"
     " BEGIN SELECT RAISE(ABORT, 'card numbers are never reused'); END;"
     "CREATE TRIGGER pk_card_retired_no_update BEFORE UPDATE ON pk_card_retired"
     " BEGIN SELECT RAISE(ABORT, 'card numbers are never reused'); END;"
     "DROP TRIGGER IF EXISTS pk_card_no_update;"
     "CREATE TRIGGER pk_card_no_update BEFORE UPDATE ON pk_card"
     " WHEN NEW.participant_id <> OLD.participant_id OR NEW.wave <> OLD.wave"
     "  OR NEW.issued_at <> OLD.issued_at"
     "  OR NOT EXISTS (SELECT 1 FROM pk_card_retired r"
     "                 WHERE r.number = OLD.number AND r.serial = OLD.serial)"
     "  OR EXISTS (SELECT 1 FROM pk_card_retired r"
     "             WHERE r.number = NEW.number OR r.serial = NEW.serial)"
     " BEGIN SELECT RAISE(ABORT, 'card numbers are never reused'); END;",
     NULL, NULL},
};

const pk_migration *sq_migrations(size_t *n)
{
    *n = PK_ARRAY_LEN(migrations);
    return migrations;
}
