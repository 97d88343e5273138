/* sqlite_stmts.h -- every statement of the SQLite backend, in one table.
 *
 * An X-macro list in the order of pk_store_ops (store_impl.h), divided as
 * the backend's files are: X(name, parameter types, sql).  Parameter
 * types: b BLOB, i INTEGER, t TEXT, one letter per parameter (a blind
 * index of the participant table is two INTEGER parameters: bind_bi).
 * sqlite.c makes the enum of names and the table of SQL from it, and
 * prepares a statement on a connection the first time that connection
 * runs it (sq_stmt), checking that it has as many parameters as types.
 * pg_stmts.h is the same list for PostgreSQL: a statement serving the
 * same op has the same name there; sql_accounts.h is shared.
 *
 * Not here: the schema (the migrations in sqlite_migrations.c, the
 * migrator's bookkeeping, run once on the migrating connection),
 * transaction control (BEGIN, COMMIT, SAVEPOINT, PRAGMA), the writer's
 * temporary table (made as it opens: sq_begin), and the bulk load's DDL
 * (sqlite_bulk.c), which change the schema the statements here are
 * prepared against. */

/* logs_find's conditions on either log (see S_LOGS_FIND): `who` on the
 * actor, the others on the kind and the time */
#define SQ_LOG_WHERE(on, who)                                                             \
    on " AND " who " AND (?3 = '' OR action = ?3"                                          \
       " OR substr(action, 1, length(?3) + 1) = ?3 || '.') AND at >= ?4"                  \
       " AND (?5 = '' OR at < ?5)"
#define SQ_LOGS_FIND(who)                                                                   \
    "SELECT log, id, at, actor, action, place, subject, detail FROM ("                     \
    "SELECT 0 AS log, id, at, actor, action, source AS place, coalesce(subject, 0) AS subject," \
    " detail FROM audit WHERE " SQ_LOG_WHERE("?1", who)                                     \
    " UNION ALL SELECT 1, id, at, actor, action, route, coalesce(subject, 0), detail"       \
    " FROM access_log WHERE " SQ_LOG_WHERE("?6", who)                                       \
    " ORDER BY at DESC, log DESC, id DESC LIMIT ?7) ORDER BY at, log, id"
/* the time of the database's clock, in pk_store_now's form */
#define SQL_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
/* a participant row as read_row reads it */
#define SQ_PCOLS "id, nik_hi, nik_lo, kk_hi, kk_lo, pii, nama, tanggal_lahir, jenis_kelamin, " \
                 "kode_wilayah, pendidikan, segmen, pekerjaan, warnings, scheme, base_reasons, " \
                 "reasons, source, created_at, updated_at, digest, as_of"
/* the same, of participant p in a join */
#define SQ_PCOLS_P "p.id, p.nik_hi, p.nik_lo, p.kk_hi, p.kk_lo, p.pii, p.nama, p.tanggal_lahir, " \
                   "p.jenis_kelamin, p.kode_wilayah, p.pendidikan, p.segmen, p.pekerjaan, "      \
                   "p.warnings, p.scheme, p.base_reasons, p.reasons, p.source, p.created_at, "   \
                   "p.updated_at, p.digest, p.as_of"

/* ---- the store (sqlite.c) ---- */
X(S_PING, "", "SELECT 1")
/* a piece of a group commit (app/committer.c), prepared once: parsed on
 * every piece they cost a few percent of a purchase's CPU */
X(S_SAVEPOINT, "", "SAVEPOINT pk_job")
X(S_RELEASE, "", "RELEASE pk_job")
X(S_ROLLBACK_TO, "", "ROLLBACK TO pk_job")

/* ---- schema and what migrations fill (sqlite_schema.c) ---- */
X(S_REGIONS_EACH, "", "SELECT code, name FROM region ORDER BY code")
X(S_META_GET, "t", "SELECT value FROM pk_meta WHERE name = ?")
X(S_META_PUT_ONCE, "tb", "INSERT INTO pk_meta (name, value) VALUES (?, ?) "
                         "ON CONFLICT (name) DO NOTHING")
/* tx_meta_get: S_META_GET on the transaction's connection */
X(S_META_PUT_MAX, "tb",
  "INSERT INTO pk_meta (name, value) VALUES (?1, ?2) ON CONFLICT (name)"
  " DO UPDATE SET value = excluded.value WHERE excluded.value > pk_meta.value")

/* ---- participants (sqlite_participants.c) ---- */
X(S_ANY_LISTED, "", "SELECT EXISTS (SELECT 1 FROM exclusion)")
X(S_PARTICIPANTS_FIND, "ii",
  "SELECT id, digest, kk_hi, kk_lo, reasons, base_reasons, scheme FROM participant"
  " WHERE nik_hi = ?1 AND nik_lo = ?2")
X(S_LISTS_OF, "b", "SELECT list FROM exclusion WHERE nik_bi = ?")
/* (the NIK index alone: participant_nik holds the rowid) */
X(S_PARTICIPANT_IDS, "ii", "SELECT id FROM participant WHERE nik_hi = ?1 AND nik_lo = ?2")
/* (bind_row: ?1-?18; ?19 as_of, ?20 the time; the update's ?21 the id) */
X(S_PARTICIPANTS_INSERT, "iiiibbtttttttitiittt",
  "INSERT INTO participant (nik_hi, nik_lo, kk_hi, kk_lo, pii, digest, nama,"
  " tanggal_lahir, jenis_kelamin, kode_wilayah, pendidikan, segmen, pekerjaan,"
  " warnings, scheme, base_reasons, reasons, source, as_of, created_at, updated_at)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
  " ?17, ?18, ?19, ?20, ?20)")
X(S_PARTICIPANTS_UPDATE, "iiiibbtttttttitiittti",
  "UPDATE participant SET nik_hi = ?1, nik_lo = ?2, kk_hi = ?3, kk_lo = ?4,"
  " pii = ?5, digest = ?6, nama = ?7, tanggal_lahir = ?8, jenis_kelamin = ?9,"
  " kode_wilayah = ?10, pendidikan = ?11, segmen = ?12, pekerjaan = ?13,"
  " warnings = ?14, scheme = ?15, base_reasons = ?16, reasons = ?17, source = ?18,"
  " as_of = ?19, updated_at = ?20 WHERE id = ?21")
X(S_KK_MEMBERS, "ii",
  "SELECT id, scheme, base_reasons, reasons FROM participant"
  " WHERE kk_hi = ?1 AND kk_lo = ?2 ORDER BY id")
X(S_SET_REASONS, "iit", "UPDATE participant SET reasons = ?2, updated_at = ?3 WHERE id = ?1")
X(S_AUDIT, "tttitt",
  "INSERT INTO audit (at, actor, source, action, subject, detail)"
  " VALUES (?6, ?1, ?2, ?3, ?4, ?5)")
/* list_clear: these three */
X(S_LIST_CLEAR_OLD, "t", "DELETE FROM temp.list_old WHERE list = ?")
X(S_LIST_SAVE_OLD, "t",
  "INSERT OR IGNORE INTO temp.list_old SELECT list, nik_bi FROM exclusion WHERE list = ?")
X(S_LIST_DELETE, "t", "DELETE FROM exclusion WHERE list = ?")
X(S_LIST_ADD, "tbb",
  "INSERT INTO exclusion (list, nik_bi, note) VALUES (?1, ?2, ?3)"
  " ON CONFLICT (list, nik_bi) DO UPDATE SET note = excluded.note")
X(S_LIST_CHANGES, "t",
  "SELECT nik_bi FROM temp.list_old WHERE list = ?1 AND nik_bi NOT IN"
  " (SELECT nik_bi FROM exclusion WHERE list = ?1)"
  " UNION SELECT nik_bi FROM exclusion WHERE list = ?1 AND nik_bi NOT IN"
  " (SELECT nik_bi FROM temp.list_old WHERE list = ?1)")
X(S_LIST_COUNT, "t", "SELECT count(*) FROM exclusion WHERE list = ?")
/* reevaluate: S_LISTS_OF, then these */
X(S_REEVALUATE_ROW, "ii", "SELECT " SQ_PCOLS " FROM participant WHERE nik_hi = ?1 AND nik_lo = ?2")
X(S_REEVALUATE_SET, "iii",
  "UPDATE participant SET base_reasons = ?2, reasons = ?3, updated_at = " SQL_NOW
  " WHERE id = ?1")
X(S_PARTICIPANTS_EACH, "tt",
  "SELECT " SQ_PCOLS " FROM participant"
  " WHERE kode_wilayah >= ?1 AND kode_wilayah < ?2 ORDER BY id")
X(S_PARTICIPANT_STATUS, "ii",
  "SELECT tanggal_lahir, scheme, reasons, created_at"
  " FROM participant WHERE nik_hi = ?1 AND nik_lo = ?2")

/* ---- counters (sqlite_counts.c) ---- */
X(S_STATS, "tt",
  "SELECT segmen, jenis_kelamin, reasons, sum(n) FROM participant_count"
  " WHERE kode_wilayah >= ?1 AND kode_wilayah < ?2 GROUP BY 1, 2, 3 HAVING sum(n) <> 0")
X(S_STATS_CITY, "tt",
  "SELECT segmen, jenis_kelamin, reasons, sum(n) FROM participant_count_city"
  " WHERE kode_kota >= ?1 AND kode_kota < ?2 GROUP BY 1, 2, 3 HAVING sum(n) <> 0")
/* (the children's cells in key order, summed by child as they come: a
 * GROUP BY would sort them, several times the cost of the read) */
X(S_STATS_CITIES, "tt",
  "SELECT kode_kota, segmen, jenis_kelamin, reasons, n"
  " FROM participant_count_city WHERE kode_kota >= ?1 AND kode_kota < ?2 AND n <> 0"
  " ORDER BY kode_kota, segmen, jenis_kelamin, reasons")
X(S_STATS_CHILDREN, "tt",
  "SELECT kode_wilayah, segmen, jenis_kelamin, reasons, n"
  " FROM participant_count WHERE kode_wilayah >= ?1 AND kode_wilayah < ?2 AND n <> 0"
  " ORDER BY kode_wilayah, segmen, jenis_kelamin, reasons")
/* (One statement: one read snapshot of both sides, the village cells
 * then the city cells, the last column telling which.) */
X(S_COUNTS_VERIFY, "",
  "WITH r AS (SELECT kode_wilayah, segmen, jenis_kelamin, reasons, count(*) AS n"
  " FROM participant GROUP BY 1, 2, 3, 4),"
  " rc AS (SELECT substr(kode_wilayah, 1, 5) AS kode_kota, segmen, jenis_kelamin, reasons,"
  " sum(n) AS n FROM r GROUP BY 1, 2, 3, 4)"
  " SELECT * FROM (SELECT coalesce(r.kode_wilayah, c.kode_wilayah), coalesce(r.segmen, c.segmen),"
  " coalesce(r.jenis_kelamin, c.jenis_kelamin), coalesce(r.reasons, c.reasons),"
  " coalesce(c.n, 0), coalesce(r.n, 0), 0"
  " FROM r FULL JOIN participant_count c ON c.kode_wilayah = r.kode_wilayah"
  " AND c.segmen = r.segmen AND c.jenis_kelamin = r.jenis_kelamin AND c.reasons = r.reasons"
  " WHERE coalesce(c.n, 0) <> 0 OR coalesce(r.n, 0) <> 0 ORDER BY 1, 2, 3, 4)"
  " UNION ALL"
  " SELECT * FROM (SELECT coalesce(rc.kode_kota, c.kode_kota), coalesce(rc.segmen, c.segmen),"
  " coalesce(rc.jenis_kelamin, c.jenis_kelamin), coalesce(rc.reasons, c.reasons),"
  " coalesce(c.n, 0), coalesce(rc.n, 0), 1"
  " FROM rc FULL JOIN participant_count_city c ON c.kode_kota = rc.kode_kota"
  " AND c.segmen = rc.segmen AND c.jenis_kelamin = rc.jenis_kelamin AND c.reasons = rc.reasons"
  " WHERE coalesce(c.n, 0) <> 0 OR coalesce(rc.n, 0) <> 0 ORDER BY 1, 2, 3, 4)")
/* rebuild: these (SQ_PARTICIPANT_COUNT_FILL as statements; the cells written) */
X(S_COUNTS_CLEAR, "", "DELETE FROM participant_count")
X(S_COUNTS_FILL, "", SQ_PARTICIPANT_COUNT_RECOUNT)
X(S_COUNTS_CLEAR_CITY, "", "DELETE FROM participant_count_city")
X(S_COUNTS_FILL_CITY, "", SQ_PARTICIPANT_COUNT_CITY_FILL)
X(S_COUNTS_CELLS, "", "SELECT count(*) FROM participant_count")
/* the journey's counters (sql_funnel.h): a region's cells by (prefix of
 * ?3 bytes, kind, k1, k2), of kind ?4 ('' every kind); verify; rebuild */
#include "store/sql_funnel.h"
X(S_JCOUNTS, "ttit",
  "SELECT substr(kode_wilayah, 1, ?3), kind, k1, k2, sum(n) FROM journey_count"
  " WHERE kode_wilayah >= ?1 AND kode_wilayah < ?2 AND (?4 = '' OR kind = ?4)"
  " GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4")
/* by village (?3 >= 13): the cells themselves, in key order, no sort */
X(S_JCOUNTS_VILLAGE, "ttit",
  "SELECT substr(kode_wilayah, 1, ?3), kind, k1, k2, n FROM journey_count"
  " WHERE kode_wilayah >= ?1 AND kode_wilayah < ?2 AND (?4 = '' OR kind = ?4) AND n <> 0"
  " ORDER BY kode_wilayah, kind, k1, k2")
/* the province and everywhere, alone or by city: the city cells */
X(S_JCOUNTS_CITY, "ttit",
  "SELECT substr(kode_kota, 1, ?3), kind, k1, k2, sum(n) FROM journey_count_city"
  " WHERE kode_kota >= ?1 AND kode_kota < ?2 AND (?4 = '' OR kind = ?4)"
  " GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4")
X(S_JCOUNTS_VERIFY, "",
  PK_JOURNEY_COUNTS_VERIFY(SQ_JF_EPOCH("p.created_at"), "sum(d)", "SELECT * FROM (", ")"))
X(S_JCOUNTS_CLEAR, "", "DELETE FROM journey_count")
/* the fill (sq_journey_counts_fill): every journey with what its facts are
 * made of, the cells summed in C added in */
X(S_JCOUNTS_ROWS, "", SQ_JOURNEY_FACT_ROWS)
X(S_JCOUNTS_ADD, "ttiii",
  "INSERT INTO journey_count (kode_wilayah, kind, k1, k2, n) VALUES (?1, ?2, ?3, ?4, ?5)"
  " ON CONFLICT (kode_wilayah, kind, k1, k2) DO UPDATE SET n = n + excluded.n")
X(S_JCOUNTS_CLEAR_CITY, "", "DELETE FROM journey_count_city")
X(S_JCOUNTS_FILL_CITY, "", PK_JOURNEY_COUNT_CITY_FILL)
X(S_JCOUNTS_CELLS, "", "SELECT count(*) FROM journey_count")

/* ---- bulk loading (sqlite_bulk.c) ---- */
X(S_BULK_ANY, "", "SELECT EXISTS (SELECT 1 FROM participant)")
X(S_BULK_MARK, "ii", "INSERT OR IGNORE INTO temp.bulk_kk (kk_hi, kk_lo) VALUES (?1, ?2)")
/* (After (?1, ?2) when ?5, else from it: a range the primary key seeks
 * to, so each page starts where the last one ended.) */
X(S_BULK_FAMILIES, "iiiii",
  "SELECT m.kk_hi, m.kk_lo FROM temp.bulk_kk m"
  " WHERE (m.kk_hi, m.kk_lo) >= (?1, ?2)"
  " AND NOT (?5 AND m.kk_hi = ?1 AND m.kk_lo = ?2) AND"
  " (SELECT count(*) FROM participant p"
  "  WHERE p.kk_hi = m.kk_hi AND p.kk_lo = m.kk_lo) > ?3"
  " ORDER BY m.kk_hi, m.kk_lo LIMIT ?4")
/* (through participant_nik_repeats, see sq_bulk_repeats) */
X(S_BULK_REPEATS, "iiii",
  "WITH r AS (SELECT nik_hi, nik_lo FROM participant"
  " WHERE (nik_hi, nik_lo) >= (?1, ?2) GROUP BY nik_hi, nik_lo"
  " HAVING count(*) > 1 ORDER BY nik_hi, nik_lo LIMIT ?4)"
  " SELECT p.nik_hi, p.nik_lo, p.id, p.kk_hi, p.kk_lo, p.digest"
  " FROM participant p JOIN r ON p.nik_hi = r.nik_hi AND p.nik_lo = r.nik_lo"
  " WHERE (p.nik_hi, p.nik_lo) > (?1, ?2) OR p.id > ?3"
  " ORDER BY p.nik_hi, p.nik_lo, p.id LIMIT ?4")
/* Row ?2 takes the place of row ?1, as on PostgreSQL (pg_bulk_fold):
 * its id and created_at; OR REPLACE deletes row ?1 as ?2 takes its id.
 * (The right-hand sides read row ?2 as it was.) */
X(S_BULK_FOLD, "ii",
  "UPDATE OR REPLACE participant SET id = ?1, created_at ="
  " (SELECT created_at FROM participant WHERE id = ?1),"
  " updated_at = created_at, reasons = base_reasons WHERE id = ?2")
X(S_BULK_DROP, "i", "DELETE FROM participant WHERE id = ?1")

/* ---- accounts (sqlite_accounts.c) ---- */
#include "store/sql_accounts.h"

/* ---- platforms (sqlite_platform.c) ---- */
#include "store/sql_platform.h"

/* ---- staff reads, the access log, key rotation (sqlite_access.c) ---- */
/* Searches go one tier at a time (sq_participants_search), each in id
 * order after ?lo, so that the limit ends the read. */
X(S_PARTICIPANTS_SEARCH_NIK, "ttiiii",
  "SELECT " SQ_PCOLS " FROM participant WHERE kode_wilayah >= ?1"
  " AND kode_wilayah < ?2 AND nik_hi = ?3 AND nik_lo = ?4 AND id > ?5"
  " ORDER BY id LIMIT ?6")
/* Tier 0 of a plain ASCII query by the b-tree of lower(nama) (migration
 * 29): the names in [?3, ?4), ?3 the query lower-cased, ?4 the same with
 * its last character one higher.  _FEW counts them in the scope up to ?5
 * (few: tier 0 is read this way, not by FTS5's ^"q", which reads every
 * row containing the phrase to find those that start with it); the read
 * sorts them (+id: by the rowid the planner would scan the table). */
X(S_PARTICIPANTS_PREFIX_FEW, "tttti",
  "SELECT count(*) FROM (SELECT 1 FROM participant WHERE lower(nama) >= ?3"
  " AND lower(nama) < ?4 AND kode_wilayah >= ?1 AND kode_wilayah < ?2 LIMIT ?5)")
X(S_PARTICIPANTS_SEARCH_PREFIX, "ttttii",
  "SELECT " SQ_PCOLS " FROM participant WHERE lower(nama) >= ?3 AND lower(nama) < ?4"
  " AND kode_wilayah >= ?1 AND kode_wilayah < ?2 AND +id > ?5"
  " ORDER BY +id LIMIT ?6")
/* By name through the trigram index (migration 16): ?3 is the FTS5
 * expression of one tier (sq_participants_search: quoted phrases, so the
 * trigram tokenizer matches the query as a plain substring, case folded).
 * The index is the outer loop (CROSS JOIN), read in rowid order from ?4,
 * so the limit stops it; the region range is checked on each row. */
X(S_PARTICIPANTS_SEARCH_NAME, "tttii",
  "SELECT " SQ_PCOLS_P " FROM participant_name f CROSS JOIN participant p"
  " ON p.id = f.rowid WHERE participant_name MATCH ?3 AND f.rowid > ?4"
  " AND p.kode_wilayah >= ?1 AND p.kode_wilayah < ?2 ORDER BY f.rowid LIMIT ?5")
/* The same for a village's scope (a few thousand people, a small part of
 * the matches of a common name): the scope's ids are listed once from the
 * region index, and each match is looked up in that list, not in the
 * table (unary + keeps the list from being handed to FTS5, which would
 * evaluate the MATCH once per id).  1M rows, 'Budi' in a village: 7 ms
 * of CPU against 38 ms by the table (bench/README.md). */
X(S_PARTICIPANTS_SEARCH_NAME_IN, "tttii",
  "SELECT " SQ_PCOLS_P " FROM participant_name f CROSS JOIN participant p"
  " ON p.id = f.rowid WHERE participant_name MATCH ?3 AND f.rowid > ?4"
  " AND +f.rowid IN (SELECT id FROM participant WHERE kode_wilayah >= ?1"
  " AND kode_wilayah < ?2) ORDER BY f.rowid LIMIT ?5")
/* Queries shorter than a trigram (the index cannot answer them): a scan,
 * bounded by the limit.  instr(), not LIKE: the query is a plain
 * substring, so '%' and '_' match only themselves and need no escaping;
 * ?4 the tier, as the index's expressions define it. */
X(S_PARTICIPANTS_SEARCH_SCAN, "tttiii",
  "SELECT " SQ_PCOLS " FROM participant WHERE kode_wilayah >= ?1"
  " AND kode_wilayah < ?2 AND instr(lower(nama), lower(?3)) > 0"
  " AND CASE WHEN instr(lower(nama), lower(?3)) = 1 THEN 0"
  " WHEN instr(lower(nama), ' ' || lower(?3)) > 0 THEN 1 ELSE 2 END = ?4"
  " AND id > ?5 ORDER BY id LIMIT ?6")
X(S_PARTICIPANT_GET, "tti",
  "SELECT " SQ_PCOLS " FROM participant WHERE kode_wilayah >= ?1"
  " AND kode_wilayah < ?2 AND id = ?3")
X(S_ACCESS_LOG_ADD, "tttit",
  "INSERT INTO access_log (at, actor, action, route, subject, detail)"
  " VALUES (" SQL_NOW ", ?1, ?2, ?3, ?4, ?5)")
/* logs_find: ?1 writes, ?2 actor, ?3 kind, ?4 since, ?5 before, ?6 reads,
 * ?7 limit ("" or 0: no condition; limit -1: all); the newest first
 * through the (at) indexes, or, for one actor, the (actor, at) ones */
X(S_LOGS_FIND, "ittttii", SQ_LOGS_FIND("(?2 = '' OR actor = ?2)"))
X(S_LOGS_FIND_ACTOR, "ittttii", SQ_LOGS_FIND("actor = ?2"))
/* The generation is a box's first byte: substr() of a blob counts bytes
 * and compares as a blob. */
X(S_SEALED_OLDER_PII, "ibi",
  "SELECT id, nik_hi, nik_lo, pii FROM participant"
  " WHERE id > ?1 AND substr(pii, 1, 1) < ?2 ORDER BY id LIMIT ?3")
X(S_SEALED_OLDER_NOTE, "tbbi",
  "SELECT list, nik_bi, note FROM exclusion"
  " WHERE (list, nik_bi) > (?1, ?2) AND note IS NOT NULL"
  " AND substr(note, 1, 1) < ?3 ORDER BY list, nik_bi LIMIT ?4")
X(S_SEALED_OLDER_SECRET, "tbi",
  "SELECT code, NULL, secret FROM pk_platform"
  " WHERE code > ?1 AND substr(secret, 1, 1) < ?2 ORDER BY code LIMIT ?3")
X(S_SEALED_REPLACE_PII, "bib", "UPDATE participant SET pii = ?1 WHERE id = ?2 AND pii = ?3")
X(S_SEALED_REPLACE_SECRET, "btb",
  "UPDATE pk_platform SET secret = ?1 WHERE code = ?2 AND secret = ?3")
X(S_SEALED_REPLACE_NOTE, "btbb",
  "UPDATE exclusion SET note = ?1 WHERE list = ?2 AND nik_bi = ?3 AND note = ?4")
X(S_SEALED_GENERATIONS, "",
  "SELECT substr(pii, 1, 1), count(*) FROM participant GROUP BY 1"
  " UNION ALL SELECT substr(note, 1, 1), count(*) FROM exclusion"
  " WHERE note IS NOT NULL GROUP BY 1"
  " UNION ALL SELECT substr(secret, 1, 1), count(*) FROM pk_platform GROUP BY 1")

/* ---- the journey (sqlite_journey.c) ---- */
/* an event row as sq_read_event reads it */
#define SQ_ECOLS "id, participant_id, source, ref, type, at, seq, received_at, wave, amount, k, course, platform, ref_asal, note"
X(S_EVENTS_OF, "i",
  "SELECT " SQ_ECOLS " FROM pk_event WHERE participant_id = ? ORDER BY at, seq, id")
X(S_EVENT_FIND, "tt", "SELECT participant_id FROM pk_event WHERE source = ?1 AND ref = ?2")
/* ?14 received_at and ?30 updated_at: pk_store_now, formatted once per
 * call of events_insert and journeys_put rather than by SQL_NOW per row */
X(S_EVENT_INSERT, "itttiiiiitttt" "t",
  "INSERT INTO pk_event (participant_id, source, ref, type, at, seq, wave, amount, k,"
  " course, platform, ref_asal, note, received_at) VALUES (?1, ?2, ?3,"
  " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")
X(S_JOURNEY_PUT, "itt" "iiiiiiiiiiiiiiiiiiiiiiiiii" "t",
  "INSERT INTO pk_journey (participant_id, status, payout, " PK_JOURNEY_INT_COLS
  ", updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
  " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)"
  " ON CONFLICT (participant_id) DO UPDATE SET status = excluded.status,"
  " payout = excluded.payout, " PK_JOURNEY_INT_SET ", updated_at = excluded.updated_at")
/* SQ_EVENT_ROWS rows at once: the statement's work (cursors opened and
 * closed, the statement begun and ended) once for them all; each row's
 * parameters S_EVENT_INSERT's, anonymous, ?14 received_at included */
#define SQ_EVENT_ROWS 32
#define SQ_EV_T "itttiiiiitttt" "t"
#define SQ_EV_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define SQ_EV_T4 SQ_EV_T SQ_EV_T SQ_EV_T SQ_EV_T
#define SQ_EV_ROW4 SQ_EV_ROW ", " SQ_EV_ROW ", " SQ_EV_ROW ", " SQ_EV_ROW
X(S_EVENT_INSERT_ROWS, SQ_EV_T4 SQ_EV_T4 SQ_EV_T4 SQ_EV_T4 SQ_EV_T4 SQ_EV_T4 SQ_EV_T4 SQ_EV_T4,
  "INSERT INTO pk_event (participant_id, source, ref, type, at, seq, wave, amount, k,"
  " course, platform, ref_asal, note, received_at) VALUES " SQ_EV_ROW4 ", " SQ_EV_ROW4 ", "
  SQ_EV_ROW4 ", " SQ_EV_ROW4 ", " SQ_EV_ROW4 ", " SQ_EV_ROW4 ", " SQ_EV_ROW4 ", " SQ_EV_ROW4)
/* journey_tail: the state, and whether an event of the person sorts
 * after (at, seq) = (?2, ?3) (through pk_event_participant) */
X(S_JOURNEY_TAIL, "iii",
  "SELECT participant_id, status, payout, " PK_JOURNEY_INT_COLS ", EXISTS (SELECT 1"
  " FROM pk_event WHERE participant_id = ?1 AND (at, seq) > (?2, ?3))"
  " FROM pk_journey WHERE participant_id = ?1")
/* journey_ids: people with a stored state or with events (either may be
 * missing: ledger verify reports it, a rebuild writes the state), each
 * side a page of its own index */
X(S_JOURNEY_IDS, "ii",
  "SELECT participant_id FROM (SELECT participant_id FROM pk_journey"
  " WHERE participant_id > ?1 ORDER BY participant_id LIMIT ?2)"
  " UNION SELECT participant_id FROM (SELECT DISTINCT participant_id FROM pk_event"
  " WHERE participant_id > ?1 ORDER BY participant_id LIMIT ?2)"
  " ORDER BY 1 LIMIT ?2")
X(S_JOURNEY_GET, "i",
  "SELECT participant_id, status, payout, " PK_JOURNEY_INT_COLS
  " FROM pk_journey WHERE participant_id = ?")
/* journey_due_wave, journey_due: the conditions of the partial indexes
 * pk_journey_unbought and pk_journey_balance (migration 14), spelled as
 * they are there so that the planner uses them.  The page after the key
 * (?3, ?4) is two ranges merged: SQLite seeks a row value (a, b) > (x, y)
 * only on a, and a wave's recipients share one selected_at, so a single
 * range would scan every earlier page again. */
X(S_JOURNEY_DUE_WAVE_UNBOUGHT, "i",
  "SELECT min(j.wave) FROM pk_journey j WHERE j.status = 'penerima'"
  " AND j.first_purchase_at = 0 AND j.wave > ?1")
X(S_JOURNEY_DUE_WAVE_BALANCE, "i",
  "SELECT min(j.wave) FROM pk_journey j WHERE j.balance > 0 AND j.wave > ?1")
X(S_JOURNEY_DUE_UNBOUGHT, "iiiii",
  "SELECT j.participant_id, j.selected_at, j.balance,"
  " (j.status = 'penerima' AND j.first_purchase_at = 0), p.nik_hi, p.nik_lo"
  " FROM pk_journey j JOIN participant p ON p.id = j.participant_id"
  " WHERE j.status = 'penerima' AND j.first_purchase_at = 0"
  " AND j.wave = ?1"
  " AND j.selected_at = ?3 AND j.participant_id > ?4"
  " UNION ALL "
  "SELECT j.participant_id, j.selected_at, j.balance,"
  " (j.status = 'penerima' AND j.first_purchase_at = 0), p.nik_hi, p.nik_lo"
  " FROM pk_journey j JOIN participant p ON p.id = j.participant_id"
  " WHERE j.status = 'penerima' AND j.first_purchase_at = 0"
  " AND j.wave = ?1 AND j.selected_at < ?2"
  " AND j.selected_at > ?3 ORDER BY 2, 1 LIMIT ?5")
/* (a lapse needs no NIK: no participant row read for it) */
X(S_JOURNEY_DUE_BALANCE, "iiiii",
  "SELECT j.participant_id, j.selected_at, j.balance,"
  " (j.status = 'penerima' AND j.first_purchase_at = 0), 0, 0"
  " FROM pk_journey j"
  " WHERE j.balance > 0 AND j.wave = ?1"
  " AND j.selected_at = ?3 AND j.participant_id > ?4"
  " UNION ALL "
  "SELECT j.participant_id, j.selected_at, j.balance,"
  " (j.status = 'penerima' AND j.first_purchase_at = 0), 0, 0"
  " FROM pk_journey j"
  " WHERE j.balance > 0 AND j.wave = ?1 AND j.selected_at < ?2"
  " AND j.selected_at > ?3 ORDER BY 2, 1 LIMIT ?5")
/* ---- waves, draws, cards (sqlite_waves.c) ---- */
#define SQ_WAVE_COLS "number, scheme, opens_at, closes_at, quota, region_quotas, balance_until," \
                     " state, created_at, updated_at"
X(S_WAVE_INSERT, "itiiittt",
  "INSERT INTO pk_wave (" SQ_WAVE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
  SQL_NOW ", " SQL_NOW ")")
X(S_WAVE_GET, "i", "SELECT " SQ_WAVE_COLS " FROM pk_wave WHERE number = ?1")
X(S_WAVE_SET_STATE, "it",
  "UPDATE pk_wave SET state = ?2, updated_at = " SQL_NOW " WHERE number = ?1")
X(S_WAVES_EACH, "", "SELECT " SQ_WAVE_COLS " FROM pk_wave ORDER BY number")
/* a wave's applicants (wave > 0 reaches pk_event_wave: it holds the wave
 * events only, migration 25) */
X(S_WAVE_APPLICANTS, "i",
  "SELECT " SQ_PCOLS ", coalesce((SELECT selected_at FROM pk_journey"
  "  WHERE participant_id = participant.id), 0)"
  " FROM participant WHERE id IN (SELECT participant_id FROM pk_event"
  " WHERE wave = ?1 AND wave > 0 AND type = 'gabung_gelombang') ORDER BY id")
X(S_WAVE_LAST_JOIN, "i",
  "SELECT at, seq FROM pk_event WHERE wave = ?1 AND wave > 0 AND type = 'gabung_gelombang'"
  " ORDER BY at DESC, seq DESC LIMIT 1")
X(S_WAVE_APPLICANTS_COUNT, "i",
  "SELECT count(DISTINCT participant_id) FROM pk_event"
  " WHERE wave = ?1 AND wave > 0 AND type = 'gabung_gelombang'")
X(S_RECIPIENT_FAMILIES, "i",
  "SELECT p.kk_hi, p.kk_lo FROM pk_journey j CROSS JOIN participant p ON p.id = j.participant_id"
  " WHERE j.selected_at > 0 AND j.selected_at <= ?1")
X(S_DRAW_INSERT, "ibibbiiiiit",
  "INSERT INTO pk_draw (wave, seed, algorithm, snapshot_sha256, result_sha256, drawn_at,"
  " applicants, eligible, selected, not_selected, reasons, created_at)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, " SQL_NOW ")")
X(S_DRAW_GET, "i",
  "SELECT wave, seed, algorithm, snapshot_sha256, result_sha256, drawn_at, applicants,"
  " eligible, selected, not_selected, reasons, created_at FROM pk_draw WHERE wave = ?1")
X(S_DRAW_ROW_INSERT, "iiiiiitbi",
  "INSERT INTO pk_draw_applicant (wave, participant_id, tier, reasons, eligible, selected,"
  " regency, kk_bi, kk_prior) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
X(S_DRAW_ROWS_EACH, "i",
  "SELECT d.participant_id, d.tier, d.reasons, d.eligible, d.selected, d.regency, d.kk_bi,"
  " d.kk_prior, p.pii, p.nik_hi, p.nik_lo FROM pk_draw_applicant d"
  " JOIN participant p ON p.id = d.participant_id WHERE d.wave = ?1 ORDER BY d.participant_id")
X(S_CARD_SERIAL_MAX, "", "SELECT coalesce(max(serial), -1) FROM pk_card")
X(S_CARD_INSERT, "iitii",
  "INSERT INTO pk_card (participant_id, serial, number, wave, issued_at)"
  " VALUES (?1, ?2, ?3, ?4, ?5)")
/* card_get: with when its number was last replaced (0: never) */
X(S_CARD_GET, "i",
  "SELECT number, wave, coalesce((SELECT max(retired_at) FROM pk_card_retired"
  " WHERE participant_id = ?1), 0) FROM pk_card WHERE participant_id = ?1")

/* remind_subjects: the participant's columns, then the journey's
 * (participant_id NULL when they have none) */
#define SQL_REMIND_SUBJECT_COLS                                                         \
    "SELECT " SQ_PCOLS_P ", j.participant_id, j.status, j.payout, " PK_JOURNEY_INT_COLS
/* By id, the scope checked on each row (unary +: not by the region
 * index, which for one person's preview, ?4 = 1 in their own village,
 * read every person of the village and sorted them: 3.6 ms at 10M, 0.1
 * ms by id; a region's day run reads by region, below). */
X(S_REMIND_SUBJECTS_ALL, "ttii",
  SQL_REMIND_SUBJECT_COLS " FROM participant p LEFT JOIN pk_journey j ON j.participant_id = p.id"
  " WHERE +p.kode_wilayah >= ?1 AND +p.kode_wilayah < ?2 AND p.id > ?3"
  " ORDER BY p.id LIMIT ?4")
X(S_REMIND_SUBJECTS_JOURNEY, "ttii",
  SQL_REMIND_SUBJECT_COLS " FROM pk_journey j JOIN participant p ON p.id = j.participant_id"
  " WHERE p.kode_wilayah >= ?1 AND p.kode_wilayah < ?2 AND j.participant_id > ?3"
  " ORDER BY j.participant_id LIMIT ?4")
/* the same for one region, by the region index (its key is (kode_wilayah,
 * rowid)) from the row after (?5, ?3) */
X(S_REMIND_SUBJECTS_ALL_REGION, "ttiit",
  SQL_REMIND_SUBJECT_COLS " FROM participant p INDEXED BY participant_region"
  " LEFT JOIN pk_journey j ON j.participant_id = p.id"
  " WHERE p.kode_wilayah >= ?1 AND p.kode_wilayah < ?2 AND (p.kode_wilayah, p.id) > (?5, ?3)"
  " ORDER BY p.kode_wilayah, p.id LIMIT ?4")
X(S_REMIND_SUBJECTS_JOURNEY_REGION, "ttiit",
  SQL_REMIND_SUBJECT_COLS " FROM participant p INDEXED BY participant_region"
  " JOIN pk_journey j ON j.participant_id = p.id"
  " WHERE p.kode_wilayah >= ?1 AND p.kode_wilayah < ?2 AND (p.kode_wilayah, p.id) > (?5, ?3)"
  " ORDER BY p.kode_wilayah, p.id LIMIT ?4")
/* a list of participant ids, as a JSON array text in $1 */
#define SQL_IN_IDS(col) col " IN (SELECT value FROM json_each($1))"
/* ---- reminders: consent, plan, outbox (sqlite_remind.c) ---- */
#include "store/sql_remind_effect.h"
#include "store/sql_remind.h"
/* ---- residents: codes, sessions, contact preferences (sqlite_resident.c) ---- */
#define SQL_LOCK_ROW "" /* write transactions take turns */
#include "store/sql_resident.h"
/* ---- outreach events and their attribution (sqlite_outreach.c) ---- */
#define SQL_LOCK ""
#define SQL_JF_EPOCH SQ_JF_EPOCH
#include "store/sql_outreach.h"
#undef SQL_JF_EPOCH
#undef SQL_LOCK
