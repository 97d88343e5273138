/* pg_stmts.h -- every statement of the PostgreSQL backend, in one table.
 *
 * An X-macro list in the order of pk_store_ops (store_impl.h), divided as
 * the backend's files are: X(name, parameter types, sql).  Parameter
 * types: b bytea, i bigint, t text; in capitals, an array of that type
 * (a batch travels as arrays: one statement per batch).  pg.c makes the
 * enum of names and the table of SQL from it, and prepares a statement
 * on a connection the first time that connection runs it (pg_run),
 * declaring these types; every parameter and result is binary.
 * sqlite_stmts.h is the same list for SQLite: a statement serving the
 * same op has the same name there; sql_accounts.h is shared.
 *
 * Not here: the schema (the migrations in pg_migrations.c, the migrator's
 * bookkeeping, run on the migrating connection), transaction control
 * (BEGIN, COMMIT, SAVEPOINT, CLOSE), the temporary tables made on first
 * use, binary COPY (pg_participants.c), and the bulk load's DDL
 * (pg_bulk.c), which change the schema the statements here are prepared
 * against. */

/* logs_find's conditions on either log (see S_LOGS_FIND): `who` on the
 * actor, the others on the kind and the time */
#define PG_LOG_WHERE(on, who)                                                             \
    on " <> 0 AND " who " AND ($3 = '' OR action = $3"                                     \
       " OR substr(action, 1, length($3) + 1) = $3 || '.') AND at >= $4"                  \
       " AND ($5 = '' OR at < $5)"
#define PG_LOGS_FIND(who)                                                                   \
    "SELECT log, id, at, actor, action, place, subject, detail FROM ("                     \
    "SELECT 0::bigint AS log, id, at, actor, action, source AS place,"                      \
    " coalesce(subject, 0) AS subject, detail FROM audit WHERE " PG_LOG_WHERE("$1", who)    \
    " UNION ALL SELECT 1::bigint, id, at, actor, action, route, coalesce(subject, 0), detail" \
    " FROM access_log WHERE " PG_LOG_WHERE("$6", who)                                       \
    " ORDER BY at DESC, log DESC, id DESC LIMIT $7) l ORDER BY at, log, id"
/* the time of the database's clock, in pk_store_now's form */
#define SQL_NOW "to_char(statement_timestamp() AT TIME ZONE 'UTC', " \
                "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
/* a participant row as pg_read_row reads it */
#define PG_PCOLS "id, nik_bi, kk_bi, pii, nama, tanggal_lahir, jenis_kelamin, kode_wilayah, " \
                 "pendidikan, segmen, pekerjaan, warnings, scheme, base_reasons, reasons, " \
                 "source, created_at, updated_at, digest, as_of"
/* The participant columns a write sends, in the order pg_put_row encodes
 * them (the stored fields of a pk_prow; the times come from the store),
 * and their types as arrays. */
#define PG_WCOLS "id, nik_bi, kk_bi, pii, digest, nama, tanggal_lahir, jenis_kelamin, " \
                 "kode_wilayah, pendidikan, segmen, pekerjaan, warnings, scheme, base_reasons, " \
                 "reasons, source, as_of"
#define PG_WCOUNT 18
#define PG_WTYPES "IBBBBTTTTTTTITIITT"

/* ---- the store (pg.c) ---- */
X(S_PING, "", "SELECT 1")

/* ---- schema and what migrations fill (pg_schema.c) ---- */
X(S_REGIONS_EACH, "", "SELECT code, name FROM region ORDER BY code")
X(S_META_GET, "t", "SELECT value FROM pk_meta WHERE name = $1")
/* one statement, autocommit: the first of several racing processes wins */
X(S_META_PUT_ONCE, "tb",
  "INSERT INTO pk_meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
/* tx_meta_get: S_META_GET on the transaction's connection */
X(S_META_PUT_MAX, "tb",
  "INSERT INTO pk_meta (name, value) VALUES ($1, $2) ON CONFLICT (name)"
  " DO UPDATE SET value = excluded.value WHERE excluded.value > pk_meta.value")

/* ---- participants (pg_participants.c) ---- */
/* Row locks on the people found, taken in NIK order (so two batches
 * never wait for each other in a circle). */
X(S_PARTICIPANTS_FIND, "B",
  "SELECT u.i, p.id, p.digest, p.kk_bi, p.reasons, p.base_reasons, p.scheme"
  " FROM unnest($1) WITH ORDINALITY AS u(bi, i)"
  " JOIN participant p ON p.nik_bi = u.bi ORDER BY p.nik_bi FOR UPDATE OF p")
X(S_PARTICIPANT_IDS, "B",
  "SELECT u.i, p.id FROM unnest($1) WITH ORDINALITY AS u(bi, i)"
  " JOIN participant p ON p.nik_bi = u.bi")
X(S_PARTICIPANTS_FIND_LISTS, "B",
  "SELECT u.i, e.list FROM unnest($1) WITH ORDINALITY AS u(bi, i)"
  " JOIN exclusion e ON e.nik_bi = u.bi")
/* Ids for a batch of inserts, handed out in one call: the order of
 * registration is the order of the batch. */
X(S_PARTICIPANTS_NEXT_IDS, "i",
  "SELECT nextval(pg_get_serial_sequence('participant', 'id')) FROM generate_series(1, $1)")
/* The last of a block of $1 ids: only while a bulk load holds the table
 * alone (nobody else takes ids between nextval and setval). */
X(S_PARTICIPANTS_ID_BLOCK, "i",
  "SELECT setval(s, nextval(s) + $1 - 1) FROM"
  " pg_get_serial_sequence('participant', 'id') AS s")
X(S_PARTICIPANTS_INSERT, PG_WTYPES,
  "INSERT INTO participant (" PG_WCOLS ", created_at, updated_at)"
  " SELECT u.*, t.now, t.now FROM (SELECT " SQL_NOW " AS now) t,"
  " unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
  " $16, $17, $18) AS u")
X(S_PARTICIPANTS_UPDATE, PG_WTYPES,
  "UPDATE participant p SET nik_bi = u.nik_bi, kk_bi = u.kk_bi, pii = u.pii,"
  " digest = u.digest, nama = u.nama, tanggal_lahir = u.tanggal_lahir,"
  " jenis_kelamin = u.jenis_kelamin, kode_wilayah = u.kode_wilayah,"
  " pendidikan = u.pendidikan, segmen = u.segmen, pekerjaan = u.pekerjaan,"
  " warnings = u.warnings, scheme = u.scheme, base_reasons = u.base_reasons,"
  " reasons = u.reasons, source = u.source, as_of = u.as_of,"
  " updated_at = " SQL_NOW " FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9,"
  " $10, $11, $12, $13, $14, $15, $16, $17, $18) AS u(" PG_WCOLS ")"
  " WHERE p.id = u.id")
/* Row locks on the families' pk_lock rows, inserting them if need be;
 * each waits for whoever holds it, or is inserting it, to end ("WHERE
 * false" locks a row without writing a new version of it).  Taken in key
 * order (the caller sorts the keys), so two batches never wait for each
 * other in a circle. */
X(S_KK_LOCKS, "B",
  "INSERT INTO pk_lock (k) SELECT 'k'::bytea || x FROM unnest($1) AS u(x)"
  " ORDER BY 1 ON CONFLICT (k) DO UPDATE SET k = excluded.k WHERE false")
X(S_KK_MEMBERS, "B",
  "SELECT kk_bi, id, scheme, base_reasons, reasons FROM participant"
  " WHERE kk_bi = ANY ($1) ORDER BY kk_bi, id")
X(S_SET_REASONS, "II",
  "UPDATE participant p SET reasons = u.r, updated_at = " SQL_NOW
  " FROM unnest($1, $2) AS u(id, r) WHERE p.id = u.id")
X(S_AUDIT, "TTTIT",
  "INSERT INTO audit (at, actor, source, action, subject, detail)"
  " SELECT t.now, w, s, a, NULLIF(j, 0), d FROM (SELECT " SQL_NOW " AS now) t,"
  " unnest($1, $2, $3, $4, $5) AS u(w, s, a, j, d)")
/* list_clear: these three (list_old: a temporary table made if missing) */
X(S_LIST_CLEAR_OLD, "t", "DELETE FROM list_old WHERE list = $1")
X(S_LIST_SAVE_OLD, "t",
  "INSERT INTO list_old SELECT list, nik_bi FROM exclusion WHERE list = $1 ON CONFLICT DO NOTHING")
X(S_LIST_DELETE, "t", "DELETE FROM exclusion WHERE list = $1")
X(S_LIST_ADD, "tbb",
  "INSERT INTO exclusion (list, nik_bi, note) VALUES ($1, $2, $3)"
  " ON CONFLICT (list, nik_bi) DO UPDATE SET note = excluded.note")
/* A cursor, fetched a thousand rows at a time (pg_run_once: declared
 * anew by each call) */
X(S_LIST_CHANGES, "t",
  "DECLARE pk_changes NO SCROLL CURSOR FOR"
  " (SELECT nik_bi FROM list_old WHERE list = $1"
  "  EXCEPT SELECT nik_bi FROM exclusion WHERE list = $1)"
  " UNION"
  " (SELECT nik_bi FROM exclusion WHERE list = $1"
  "  EXCEPT SELECT nik_bi FROM list_old WHERE list = $1)"
  " ORDER BY 1")
X(S_LIST_CHANGES_FETCH, "", "FETCH 1000 FROM pk_changes")
X(S_LIST_COUNT, "t", "SELECT count(*) FROM exclusion WHERE list = $1")
/* reevaluate: these three */
X(S_LISTS_OF, "b", "SELECT list FROM exclusion WHERE nik_bi = $1")
X(S_REEVALUATE_ROW, "b", "SELECT " PG_PCOLS " FROM participant WHERE nik_bi = $1 FOR UPDATE")
X(S_REEVALUATE_SET, "iii",
  "UPDATE participant SET base_reasons = $2, reasons = $3, updated_at = " SQL_NOW
  " WHERE id = $1")
/* A cursor in one snapshot (pg_run_once, as S_LIST_CHANGES) */
X(S_PARTICIPANTS_EACH, "tt",
  "DECLARE pk_each NO SCROLL CURSOR FOR SELECT " PG_PCOLS
  " FROM participant WHERE kode_wilayah >= $1 AND kode_wilayah < $2 ORDER BY id")
X(S_PARTICIPANTS_EACH_FETCH, "", "FETCH 1000 FROM pk_each")
X(S_PARTICIPANT_STATUS, "b",
  "SELECT tanggal_lahir, scheme, reasons, created_at FROM participant WHERE nik_bi = $1")

/* ---- counters (pg_counts.c) ---- */
X(S_STATS, "tt",
  "SELECT segmen, jenis_kelamin, reasons, sum(n)::bigint FROM participant_count"
  " WHERE kode_wilayah >= $1 AND kode_wilayah < $2 GROUP BY 1, 2, 3 HAVING sum(n) <> 0")
X(S_STATS_CITY, "tt",
  "SELECT segmen, jenis_kelamin, reasons, sum(n)::bigint FROM participant_count_city"
  " WHERE kode_kota >= $1 AND kode_kota < $2 GROUP BY 1, 2, 3 HAVING sum(n) <> 0")
/* (the children's cells in key order, summed by child as they come) */
X(S_STATS_CITIES, "tt",
  "SELECT kode_kota, segmen, jenis_kelamin, reasons, n::bigint"
  " FROM participant_count_city WHERE kode_kota >= $1 AND kode_kota < $2 AND n <> 0"
  " ORDER BY kode_kota, segmen, jenis_kelamin, reasons")
X(S_STATS_CHILDREN, "tt",
  "SELECT kode_wilayah, segmen, jenis_kelamin, reasons, n::bigint"
  " FROM participant_count WHERE kode_wilayah >= $1 AND kode_wilayah < $2 AND n <> 0"
  " ORDER BY kode_wilayah, segmen, jenis_kelamin, reasons")
/* (One statement: one snapshot of both sides, the village cells then
 * the city cells, the last column telling which.) */
X(S_COUNTS_VERIFY, "",
  "WITH r AS (SELECT kode_wilayah, segmen, jenis_kelamin, reasons, count(*) AS n"
  " FROM participant GROUP BY 1, 2, 3, 4),"
  " rc AS (SELECT substr(kode_wilayah, 1, 5) COLLATE \"C\" AS kode_kota, segmen,"
  " jenis_kelamin, reasons, sum(n)::bigint AS n FROM r GROUP BY 1, 2, 3, 4)"
  " (SELECT coalesce(r.kode_wilayah, c.kode_wilayah), coalesce(r.segmen, c.segmen),"
  " coalesce(r.jenis_kelamin, c.jenis_kelamin), coalesce(r.reasons, c.reasons),"
  " coalesce(c.n, 0), coalesce(r.n, 0), 0::bigint"
  " FROM r FULL JOIN participant_count c ON c.kode_wilayah = r.kode_wilayah"
  " AND c.segmen = r.segmen AND c.jenis_kelamin = r.jenis_kelamin AND c.reasons = r.reasons"
  " WHERE coalesce(c.n, 0) <> 0 OR coalesce(r.n, 0) <> 0 ORDER BY 1, 2, 3, 4)"
  " UNION ALL"
  " (SELECT coalesce(rc.kode_kota, c.kode_kota), coalesce(rc.segmen, c.segmen),"
  " coalesce(rc.jenis_kelamin, c.jenis_kelamin), coalesce(rc.reasons, c.reasons),"
  " coalesce(c.n, 0), coalesce(rc.n, 0), 1::bigint"
  " FROM rc FULL JOIN participant_count_city c ON c.kode_kota = rc.kode_kota"
  " AND c.segmen = rc.segmen AND c.jenis_kelamin = rc.jenis_kelamin AND c.reasons = rc.reasons"
  " WHERE coalesce(c.n, 0) <> 0 OR coalesce(rc.n, 0) <> 0 ORDER BY 1, 2, 3, 4)")
/* rebuild: these three; the lock holds off other writers of participants
 * (their triggers) until the transaction ends */
X(S_COUNTS_LOCK, "", "LOCK TABLE participant IN SHARE MODE")
X(S_COUNTS_CLEAR, "", "DELETE FROM participant_count")
X(S_COUNTS_FILL, "",
  "INSERT INTO participant_count SELECT kode_wilayah, segmen, jenis_kelamin, reasons,"
  " count(*) FROM participant GROUP BY 1, 2, 3, 4")
X(S_COUNTS_CLEAR_CITY, "", "DELETE FROM participant_count_city")
X(S_COUNTS_FILL_CITY, "", PG_PARTICIPANT_COUNT_CITY_FILL)
/* the journey's counters (sql_funnel.h): a region's cells by (prefix of
 * $3 bytes, kind, k1, k2), of kind $4 ('' every kind); verify; rebuild
 * (the lock holds off writers of journeys and participants) */
#include "store/sql_funnel.h"
X(S_JCOUNTS, "ttit",
  "SELECT substr(kode_wilayah, 1, $3::int), kind, k1, k2, sum(n)::bigint FROM journey_count"
  " WHERE kode_wilayah >= $1 AND kode_wilayah < $2 AND ($4::text = '' OR kind = $4::text)"
  " GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4")
/* by village ($3 >= 13): the cells themselves, in key order */
X(S_JCOUNTS_VILLAGE, "ttit",
  "SELECT substr(kode_wilayah, 1, $3::int), kind, k1, k2, n::bigint FROM journey_count"
  " WHERE kode_wilayah >= $1 AND kode_wilayah < $2 AND ($4::text = '' OR kind = $4::text)"
  " AND n <> 0 ORDER BY kode_wilayah, kind, k1, k2")
/* the province and everywhere, alone or by city: the city cells */
X(S_JCOUNTS_CITY, "ttit",
  "SELECT substr(kode_kota, 1, $3::int), kind, k1, k2, sum(n)::bigint FROM journey_count_city"
  " WHERE kode_kota >= $1 AND kode_kota < $2 AND ($4::text = '' OR kind = $4::text)"
  " GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4")
X(S_JCOUNTS_VERIFY, "",
  PK_JOURNEY_COUNTS_VERIFY(PG_JF_EPOCH("p.created_at"), "sum(d)::bigint", "(", ")"))
X(S_JCOUNTS_LOCK, "", "LOCK TABLE pk_journey, participant IN SHARE MODE")
X(S_REMIND_EFFECT_LOCK, "", "LOCK TABLE pk_remind_fire, pk_journey, participant IN SHARE MODE")
X(S_JCOUNTS_CLEAR, "", "DELETE FROM journey_count")
X(S_JCOUNTS_FILL, "", PK_JOURNEY_COUNTS_FILL(PG_JF_EPOCH("p.created_at")))
X(S_JCOUNTS_CLEAR_CITY, "", "DELETE FROM journey_count_city")
X(S_JCOUNTS_FILL_CITY, "", PK_JOURNEY_COUNT_CITY_FILL)

/* ---- bulk loading (pg_bulk.c) ---- */
X(S_BULK_ANY, "", "SELECT EXISTS (SELECT 1 FROM participant)")
X(S_BULK_MARK, "B",
  "INSERT INTO bulk_kk SELECT DISTINCT x FROM unnest($1) AS u(x) ON CONFLICT DO NOTHING")
/* The next $3 marked families after $1, whether each has more than $2
 * members.  Limited before the count, which the planner could otherwise
 * run for every marked family on each page. */
X(S_BULK_FAMILIES, "bii",
  "SELECT m.kk_bi, (SELECT count(*) FROM participant p"
  " WHERE p.kk_bi = m.kk_bi) > $2 FROM (SELECT kk_bi FROM bulk_kk"
  " WHERE kk_bi > $1 ORDER BY kk_bi LIMIT $3) m ORDER BY m.kk_bi")
/* (through participant_nik_repeats, see pg_bulk_repeats) */
X(S_BULK_REPEATS, "bii",
  "WITH r AS (SELECT nik_bi FROM participant WHERE nik_bi >= $1 GROUP BY nik_bi"
  " HAVING count(*) > 1 ORDER BY nik_bi LIMIT $3)"
  " SELECT p.nik_bi, p.id, p.kk_bi, p.digest FROM participant p"
  " JOIN r ON p.nik_bi = r.nik_bi WHERE p.nik_bi > $1 OR p.id > $2"
  " ORDER BY p.nik_bi, p.id LIMIT $3")
/* Not an update of row $1 in place: that would be a HOT update (no
 * indexed column changes), and an index built later in the same
 * transaction over a HOT chain is not used by that transaction
 * (pg_index.indcheckxmin), so the family pass would scan the table for
 * every family.  Row $2 takes id $1 instead: the id is indexed. */
X(S_BULK_FOLD, "ii",
  "WITH k AS (DELETE FROM participant WHERE id = $1 RETURNING created_at)"
  " UPDATE participant p SET id = $1, created_at = k.created_at,"
  " updated_at = p.created_at, reasons = p.base_reasons FROM k WHERE p.id = $2")
X(S_BULK_DROP, "i", "DELETE FROM participant WHERE id = $1")

/* ---- accounts (pg_accounts.c) ---- */
#include "store/sql_accounts.h"

/* ---- platforms (pg_platform.c) ---- */
#include "store/sql_platform.h"

/* ---- staff reads, the access log, key rotation (pg_access.c) ---- */
/* Searches in key order (tier, id) after ($4, $5) (pk_search_key); the
 * tier is the last column.  By NIK: tier 0. */
X(S_PARTICIPANTS_SEARCH_NIK, "ttbiii",
  "SELECT " PG_PCOLS ", 0::int8 FROM participant WHERE kode_wilayah >= $1"
  " AND kode_wilayah < $2 AND nik_bi = $3 AND (0, id) > ($4, $5)"
  " ORDER BY id LIMIT $6")
/* $3 lower-cased with its '\\', '%' and '_' escaped: a LIKE pattern of
 * the plain substring */
#define PG_SEARCH_PAT "replace(replace(replace(lower($3), '\\', '\\\\'), '%', '\\%'), '_', '\\_')"
/* By name, one tier at a time (pg_access.c): LIKE, so a plain
 * substring; the tier as SQLite's FTS5 expressions define it (starts with
 * the query, a word does, elsewhere); tier $4, ids in ($5, $6], at most
 * $7, in id order; the region range in the same query.  Both are planned
 * for their parameters (pg_run_once), not as generic plans. */
#define PG_SEARCH_TIER(col)                                                                \
  "CASE WHEN lower(" col ") LIKE " PG_SEARCH_PAT " || '%' THEN 0 WHEN lower(" col ") LIKE '% ' || " \
  PG_SEARCH_PAT " || '%' THEN 1 ELSE 2 END"
/* A window of ids read in id order through the primary key, stopping at
 * the $7th match: the name condition is written so that the trigram index
 * cannot serve it (|| ''), since through it every match of the scope
 * would be read before the first row came out. */
X(S_PARTICIPANTS_SEARCH_WINDOW, "tttiiii",
  "SELECT " PG_PCOLS ", $4::int8 FROM participant WHERE kode_wilayah >= $1 AND kode_wilayah < $2"
  " AND id > $5 AND id <= $6 AND (lower(nama) || '') LIKE '%' || " PG_SEARCH_PAT " || '%'"
  " AND " PG_SEARCH_TIER("nama") " = $4 ORDER BY id LIMIT $7")
/* The rest of a tier after its window, through the trigram GIN index on
 * lower(nama) (migration 16): the matches of the scope in those ids are
 * read (the index gives no order), then sorted.  (Queries shorter than a
 * trigram scan the index whole.) */
X(S_PARTICIPANTS_SEARCH_NAME, "tttiiii",
  "WITH m AS MATERIALIZED (SELECT " PG_PCOLS " FROM participant WHERE kode_wilayah >= $1"
  " AND kode_wilayah < $2 AND id > $5 AND id <= $6"
  " AND lower(nama) LIKE '%' || " PG_SEARCH_PAT " || '%')"
  " SELECT *, $4::int8 FROM m WHERE " PG_SEARCH_TIER("m.nama") " = $4 ORDER BY id LIMIT $7")
/* The rest of tier 0 (the name starts with the query; $4 is 0): through
 * the b-tree of the names by their beginning (migration 28), which gives
 * those names and no others, or whichever index the planner finds
 * cheaper for reading them all; then sorted. */
X(S_PARTICIPANTS_SEARCH_PREFIX, "tttiiii",
  "WITH m AS MATERIALIZED (SELECT " PG_PCOLS " FROM participant WHERE kode_wilayah >= $1"
  " AND kode_wilayah < $2 AND id > $5 AND id <= $6"
  " AND lower(nama) LIKE " PG_SEARCH_PAT " || '%')"
  " SELECT *, $4::int8 FROM m ORDER BY id LIMIT $7")
/* How many names of the scope start with the query, counted up to $4:
 * few, and tier 0 is read through that b-tree at once, without a window
 * (pg_access.c). */
X(S_PARTICIPANTS_SEARCH_PREFIX_FEW, "ttti",
  "SELECT count(*) FROM (SELECT 1 FROM participant WHERE kode_wilayah >= $1"
  " AND kode_wilayah < $2 AND lower(nama) LIKE " PG_SEARCH_PAT " || '%' LIMIT $4) f")
X(S_PARTICIPANT_GET, "tti",
  "SELECT " PG_PCOLS " FROM participant WHERE kode_wilayah >= $1"
  " AND kode_wilayah < $2 AND id = $3")
X(S_ACCESS_LOG_ADD, "tttit",
  "INSERT INTO access_log (at, actor, action, route, subject, detail)"
  " VALUES (" SQL_NOW ", $1, $2, $3, $4, $5)")
/* logs_find: $1 writes, $2 actor, $3 kind, $4 since, $5 before, $6 reads,
 * $7 limit ("" or 0: no condition; limit NULL: all); the newest first
 * through the (at) indexes, or, for one actor, the (actor, at) ones */
X(S_LOGS_FIND, "ittttii", PG_LOGS_FIND("($2 = '' OR actor = $2)"))
X(S_LOGS_FIND_ACTOR, "ittttii", PG_LOGS_FIND("actor = $2"))
/* The generation is a box's first byte (substr of a bytea: no error on
 * an empty value, unlike get_byte). */
X(S_SEALED_OLDER_PII, "ibi",
  "SELECT id, nik_bi, pii FROM participant"
  " WHERE id > $1 AND substr(pii, 1, 1) < $2 ORDER BY id LIMIT $3")
X(S_SEALED_OLDER_NOTE, "tbbi",
  "SELECT list, nik_bi, note FROM exclusion"
  " WHERE (list, nik_bi) > ($1, $2) AND note IS NOT NULL"
  " AND substr(note, 1, 1) < $3 ORDER BY list, nik_bi LIMIT $4")
X(S_SEALED_OLDER_SECRET, "tbi",
  "SELECT code, NULL::bytea, secret FROM pk_platform"
  " WHERE code > $1 AND substr(secret, 1, 1) < $2 ORDER BY code LIMIT $3")
X(S_SEALED_REPLACE_PII, "bib", "UPDATE participant SET pii = $1 WHERE id = $2 AND pii = $3")
X(S_SEALED_REPLACE_SECRET, "btb",
  "UPDATE pk_platform SET secret = $1 WHERE code = $2 AND secret = $3")
X(S_SEALED_REPLACE_NOTE, "btbb",
  "UPDATE exclusion SET note = $1 WHERE list = $2 AND nik_bi = $3 AND note = $4")
X(S_SEALED_GENERATIONS, "",
  "SELECT substr(pii, 1, 1), count(*) FROM participant GROUP BY 1"
  " UNION ALL SELECT substr(note, 1, 1), count(*) FROM exclusion"
  " WHERE note IS NOT NULL GROUP BY 1"
  " UNION ALL SELECT substr(secret, 1, 1), count(*) FROM pk_platform GROUP BY 1")

/* ---- the journey (pg_journey.c) ---- */
/* an event row as pg_read_event reads it */
#define PG_ECOLS "id, participant_id, source, ref, type, at, seq, received_at, wave, amount, k, course, platform, ref_asal, note"
#define PG_ECOUNT 15 /* PG_ECOLS' columns */
X(S_EVENTS_OF, "i",
  "SELECT " PG_ECOLS " FROM pk_event WHERE participant_id = $1 ORDER BY at, seq, id")
/* the person's journey is the transaction's: another writer waits */
X(S_JOURNEY_LOCK, "i", "SELECT 1 FROM participant WHERE id = $1 FOR UPDATE")
/* events_of_many: the people locked in ascending order, then read */
X(S_JOURNEY_LOCK_MANY, "I",
  "SELECT 1 FROM participant WHERE id = ANY($1) ORDER BY id FOR UPDATE")
X(S_EVENTS_OF_MANY, "I",
  "SELECT " PG_ECOLS " FROM pk_event WHERE participant_id = ANY($1)"
  " ORDER BY participant_id, at, seq, id")
/* events_known: the (1-based) places of the pairs stored already */
X(S_EVENTS_KNOWN, "TT",
  "SELECT u.i FROM unnest($1, $2) WITH ORDINALITY AS u(s, r, i)"
  " WHERE EXISTS (SELECT 1 FROM pk_event e WHERE e.source = u.s AND e.ref = u.r)")
X(S_EVENT_FIND, "tt", "SELECT participant_id FROM pk_event WHERE source = $1 AND ref = $2")
/* $14 received_at: pk_store_now, the clock COPY's rows get too (one
 * clock for every event: the app's, as on SQLite) */
X(S_EVENT_INSERT, "itttiiiiittttt",
  "INSERT INTO pk_event (participant_id, source, ref, type, at, seq, wave, amount, k,"
  " course, platform, ref_asal, note, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7,"
  " $8, $9, $10, $11, $12, $13, $14) RETURNING id")
/* ids for events written by COPY: $1 of them; in an events bulk load,
 * which holds pk_event alone, the last of a block of $1 */
X(S_EVENTS_NEXT_IDS, "i",
  "SELECT nextval(pg_get_serial_sequence('pk_event', 'id')) FROM generate_series(1, $1)")
X(S_EVENTS_ID_BLOCK, "i",
  "SELECT setval(s, nextval(s) + $1 - 1) FROM pg_get_serial_sequence('pk_event', 'id') AS s")
X(S_EVENTS_ANY, "", "SELECT EXISTS (SELECT 1 FROM pk_event)")
X(S_JOURNEY_PUT, "itt" "iiiiiiiiiiiiiiiiiiiiiiiiii",
  "INSERT INTO pk_journey (participant_id, status, payout, " PK_JOURNEY_INT_COLS
  ", updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
  " $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, " SQL_NOW ")"
  " ON CONFLICT (participant_id) DO UPDATE SET status = excluded.status,"
  " payout = excluded.payout, " PK_JOURNEY_INT_SET ", updated_at = excluded.updated_at")
X(S_JOURNEYS_PUT, "ITT" "IIIIIIIIIIIIIIIIIIIIIIIIII",
  "INSERT INTO pk_journey (participant_id, status, payout, " PK_JOURNEY_INT_COLS
  ", updated_at) SELECT u.*, t.now FROM (SELECT " SQL_NOW " AS now) t,"
  " unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
  " $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29) AS u"
  " ON CONFLICT (participant_id) DO UPDATE SET status = excluded.status,"
  " payout = excluded.payout, " PK_JOURNEY_INT_SET ", updated_at = excluded.updated_at")
/* journey_tail: after S_JOURNEY_LOCK, the state, and whether an event of
 * the person sorts after (at, seq) = ($2, $3) */
X(S_JOURNEY_TAIL, "iii",
  "SELECT participant_id, status, payout, " PK_JOURNEY_INT_COLS ", EXISTS (SELECT 1"
  " FROM pk_event WHERE participant_id = $1 AND (at, seq) > ($2, $3))"
  " FROM pk_journey WHERE participant_id = $1")
/* journey_tails: S_JOURNEY_TAIL for many, after S_JOURNEY_LOCK_MANY: the
 * (1-based) place of each found, then its row */
X(S_JOURNEY_TAILS, "III",
  "SELECT u.i, j.participant_id, j.status, j.payout, " PK_JOURNEY_INT_COLS ", EXISTS ("
  "SELECT 1 FROM pk_event e WHERE e.participant_id = u.p AND (e.at, e.seq) > (u.a, u.q))"
  " FROM unnest($1, $2, $3) WITH ORDINALITY AS u(p, a, q, i)"
  " JOIN pk_journey j ON j.participant_id = u.p")
/* journey_ids: people with a stored state or with events (either may be
 * missing: ledger verify reports it, a rebuild writes the state), each
 * side a page of its own index */
X(S_JOURNEY_IDS, "ii",
  "SELECT participant_id FROM (SELECT participant_id FROM pk_journey"
  " WHERE participant_id > $1 ORDER BY participant_id LIMIT $2) j"
  " UNION SELECT participant_id FROM (SELECT DISTINCT participant_id FROM pk_event"
  " WHERE participant_id > $1 ORDER BY participant_id LIMIT $2) e"
  " ORDER BY 1 LIMIT $2")
X(S_JOURNEY_GET, "i",
  "SELECT participant_id, status, payout, " PK_JOURNEY_INT_COLS
  " FROM pk_journey WHERE participant_id = $1")
/* journey_due_wave, journey_due: the conditions of the partial indexes
 * pk_journey_unbought and pk_journey_balance (migration 14), spelled as
 * they are there so that the planner uses them */
X(S_JOURNEY_DUE_WAVE_UNBOUGHT, "i",
  "SELECT min(j.wave) FROM pk_journey j WHERE j.status = 'penerima'"
  " AND j.first_purchase_at = 0 AND j.wave > $1")
X(S_JOURNEY_DUE_WAVE_BALANCE, "i",
  "SELECT min(j.wave) FROM pk_journey j WHERE j.balance > 0 AND j.wave > $1")
X(S_JOURNEY_DUE_UNBOUGHT, "iiiii",
  "SELECT j.participant_id, j.selected_at, j.balance,"
  " (j.status = 'penerima' AND j.first_purchase_at = 0), p.nik_bi FROM pk_journey j"
  " JOIN participant p ON p.id = j.participant_id"
  " WHERE j.status = 'penerima' AND j.first_purchase_at = 0 AND j.wave = $1"
  " AND j.selected_at < $2 AND (j.selected_at, j.participant_id) > ($3, $4)"
  " ORDER BY j.selected_at, j.participant_id LIMIT $5")
X(S_JOURNEY_DUE_BALANCE, "iiiii",
  "SELECT j.participant_id, j.selected_at, j.balance,"
  " (j.status = 'penerima' AND j.first_purchase_at = 0), p.nik_bi FROM pk_journey j"
  " JOIN participant p ON p.id = j.participant_id"
  " WHERE j.balance > 0 AND j.wave = $1"
  " AND j.selected_at < $2 AND (j.selected_at, j.participant_id) > ($3, $4)"
  " ORDER BY j.selected_at, j.participant_id LIMIT $5")
/* ---- waves, draws, cards (pg_waves.c) ---- */
#define PG_WAVE_COLS "number, scheme, opens_at, closes_at, quota, region_quotas, balance_until," \
                     " state, created_at, updated_at"
X(S_WAVE_INSERT, "itiiittt",
  "INSERT INTO pk_wave (" PG_WAVE_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
  SQL_NOW ", " SQL_NOW ")")
X(S_WAVE_GET, "i", "SELECT " PG_WAVE_COLS " FROM pk_wave WHERE number = $1 FOR UPDATE")
X(S_WAVE_PEEK, "i", "SELECT " PG_WAVE_COLS " FROM pk_wave WHERE number = $1")
X(S_WAVE_SET_STATE, "it",
  "UPDATE pk_wave SET state = $2, updated_at = " SQL_NOW " WHERE number = $1")
X(S_WAVES_EACH, "", "SELECT " PG_WAVE_COLS " FROM pk_wave ORDER BY number")
/* A cursor in the transaction (pg_run_once, as S_LIST_CHANGES): each
 * applicant's row and the names of its lists */
/* a wave's applicants (wave > 0 reaches pk_event_wave: it holds the wave
 * events only, migration 25) */
X(S_WAVE_APPLICANTS, "i",
  "DECLARE pk_applicants NO SCROLL CURSOR FOR SELECT " PG_PCOLS ","
  " (SELECT coalesce(string_agg(x.list, ' '), '') FROM exclusion x"
  "  WHERE x.nik_bi = participant.nik_bi),"
  " coalesce((SELECT selected_at FROM pk_journey WHERE participant_id = participant.id), 0)"
  " FROM participant WHERE id IN (SELECT participant_id FROM pk_event"
  " WHERE wave = $1 AND wave > 0 AND type = 'gabung_gelombang') ORDER BY id")
X(S_WAVE_LAST_JOIN, "i",
  "SELECT at, seq FROM pk_event WHERE wave = $1 AND wave > 0 AND type = 'gabung_gelombang'"
  " ORDER BY at DESC, seq DESC LIMIT 1")
X(S_WAVE_APPLICANTS_FETCH, "", "FETCH 1000 FROM pk_applicants")
X(S_WAVE_APPLICANTS_COUNT, "i",
  "SELECT count(DISTINCT participant_id) FROM pk_event"
  " WHERE wave = $1 AND wave > 0 AND type = 'gabung_gelombang'")
X(S_RECIPIENT_FAMILIES, "i",
  "SELECT p.kk_bi FROM pk_journey j JOIN participant p ON p.id = j.participant_id"
  " WHERE j.selected_at > 0 AND j.selected_at <= $1")
X(S_DRAW_INSERT, "ibibbiiiiit",
  "INSERT INTO pk_draw (wave, seed, algorithm, snapshot_sha256, result_sha256, drawn_at,"
  " applicants, eligible, selected, not_selected, reasons, created_at)"
  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, " SQL_NOW ")")
X(S_DRAW_GET, "i",
  "SELECT wave, seed, algorithm, snapshot_sha256, result_sha256, drawn_at, applicants,"
  " eligible, selected, not_selected, reasons, created_at FROM pk_draw WHERE wave = $1")
X(S_DRAW_ROW_INSERT, "iIIIIITBI",
  "INSERT INTO pk_draw_applicant (wave, participant_id, tier, reasons, eligible, selected,"
  " regency, kk_bi, kk_prior) SELECT $1, u.* FROM unnest($2, $3, $4, $5, $6, $7, $8, $9) AS u")
/* A cursor in one snapshot (pg_run_once, as S_PARTICIPANTS_EACH) */
X(S_DRAW_ROWS_EACH, "i",
  "DECLARE pk_draw_rows NO SCROLL CURSOR FOR"
  " SELECT d.participant_id, d.tier, d.reasons, d.eligible, d.selected, d.regency, d.kk_bi,"
  " d.kk_prior, p.pii, p.nik_bi FROM pk_draw_applicant d"
  " JOIN participant p ON p.id = d.participant_id WHERE d.wave = $1 ORDER BY d.participant_id")
X(S_DRAW_ROWS_EACH_FETCH, "", "FETCH 1000 FROM pk_draw_rows")
X(S_CARD_SERIAL_MAX, "", "SELECT coalesce(max(serial), -1) FROM pk_card")
X(S_CARD_INSERT, "iitii",
  "INSERT INTO pk_card (participant_id, serial, number, wave, issued_at)"
  " VALUES ($1, $2, $3, $4, $5)")
X(S_CARDS_INSERT, "IITii",
  "INSERT INTO pk_card (participant_id, serial, number, wave, issued_at)"
  " SELECT u.p, u.s, u.n, $4, $5 FROM unnest($1, $2, $3) AS u(p, s, n)")
/* card_get: with when its number was last replaced (0: never) */
X(S_CARD_GET, "i",
  "SELECT number, wave, coalesce((SELECT max(retired_at) FROM pk_card_retired"
  " WHERE participant_id = $1), 0) FROM pk_card WHERE participant_id = $1")

/* the participant columns of p in a join (PG_PCOLS' order) */
#define PG_PCOLS_P "p.id, p.nik_bi, p.kk_bi, p.pii, p.nama, p.tanggal_lahir, p.jenis_kelamin, " \
                   "p.kode_wilayah, p.pendidikan, p.segmen, p.pekerjaan, p.warnings, p.scheme, " \
                   "p.base_reasons, p.reasons, p.source, p.created_at, p.updated_at, p.digest, " \
                   "p.as_of"
/* remind_subjects: the participant's columns, then the journey's
 * (participant_id NULL when they have none) */
#define SQL_REMIND_SUBJECT_COLS                                                         \
    "SELECT " PG_PCOLS_P ", j.participant_id, j.status, j.payout, " PK_JOURNEY_INT_COLS
/* By id, the scope checked on each row (|| '': not by the region index,
 * which for one person's preview, $4 = 1 in their own village, read
 * every person of the village: 21,711 blocks and 162 ms at 10M, against
 * 4 blocks and 0.06 ms by the primary key; a region's day run reads by
 * region, below). */
X(S_REMIND_SUBJECTS_ALL, "ttii",
  SQL_REMIND_SUBJECT_COLS " FROM participant p LEFT JOIN pk_journey j ON j.participant_id = p.id"
  " WHERE (p.kode_wilayah || '') >= $1 AND (p.kode_wilayah || '') < $2 AND p.id > $3"
  " ORDER BY p.id LIMIT $4")
X(S_REMIND_SUBJECTS_JOURNEY, "ttii",
  SQL_REMIND_SUBJECT_COLS " FROM pk_journey j JOIN participant p ON p.id = j.participant_id"
  " WHERE p.kode_wilayah >= $1 AND p.kode_wilayah < $2 AND j.participant_id > $3"
  " ORDER BY j.participant_id LIMIT $4")
/* the same for one region, by the region index, from the row after ($5, $3) */
X(S_REMIND_SUBJECTS_ALL_REGION, "ttiit",
  SQL_REMIND_SUBJECT_COLS " FROM participant p LEFT JOIN pk_journey j ON j.participant_id = p.id"
  " WHERE p.kode_wilayah >= $1 AND p.kode_wilayah < $2 AND p.kode_wilayah >= $5"
  " AND (p.kode_wilayah, p.id) > ($5, $3) ORDER BY p.kode_wilayah, p.id LIMIT $4")
X(S_REMIND_SUBJECTS_JOURNEY_REGION, "ttiit",
  SQL_REMIND_SUBJECT_COLS " FROM participant p JOIN pk_journey j ON j.participant_id = p.id"
  " WHERE p.kode_wilayah >= $1 AND p.kode_wilayah < $2 AND p.kode_wilayah >= $5"
  " AND (p.kode_wilayah, p.id) > ($5, $3) ORDER BY p.kode_wilayah, p.id LIMIT $4")
/* a list of participant ids, as an array literal text in $1 */
#define SQL_IN_IDS(col) col " = ANY($1::bigint[])"
/* ---- reminders: consent, plan, outbox (pg_remind.c) ---- */
#include "store/sql_remind_effect.h"
#include "store/sql_remind.h"
/* ---- residents: codes, sessions, contact preferences (pg_resident.c) ---- */
#define SQL_LOCK_ROW " FOR UPDATE"
#include "store/sql_resident.h"
/* ---- outreach events and their attribution (pg_outreach.c) ---- */
#define SQL_LOCK " FOR UPDATE OF e"
#define SQL_JF_EPOCH PG_JF_EPOCH
#include "store/sql_outreach.h"
#undef SQL_JF_EPOCH
#undef SQL_LOCK
