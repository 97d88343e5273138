/* sql_funnel.h -- the journey's counters (migration 24, issue #15 "The
 * funnel" on issue #16's counters): the SQL both backends share.
 *
 * journey_count holds a cell per (village, kind, k1, k2) with its count
 * n, kept by triggers in the transaction of every write of a pk_journey
 * row (and of a participant's village or registration instant), so it is
 * exact at every moment whatever code path writes (an import, a draw, the
 * daily job, the platform API, a rebuild).  A journey row gives these
 * FACTS, each a cell it counts 1 in:
 *
 *   kind 'langkah' (a funnel step reached), k1 the step, k2 0:
 *     1 joined a wave (joined_at), 2 selected (selected_at), 3 first
 *     training bought, not cancelled by the first-purchase deadline
 *     (first_purchase_at, core/journey.h), 4 a training
 *     finished (first_completion_at), 5 the first incentive paid
 *     (first_incentive_at);
 *   kind 'hari' (days to reach a step), k1 the step as above, k2 the whole
 *     days in Jakarta (WIB calendar days) from the step before (1: from
 *     the registration, participant.created_at, to the last wave joined;
 *     2: joined -> selected; 3: selected -> first purchase; 4: first
 *     purchase -> first completion; 5: first completion -> first
 *     incentive), at most PK_FUNNEL_DAYS_MAX (that bucket holds every
 *     longer wait); a wait that would be negative (a registry imported
 *     after its journeys) is not counted;
 *   kind 'tenggat' (a recipient without a purchase, so with a first-
 *     purchase deadline running), k1 the wave, k2 the WIB day of the
 *     selection (days since 1970-01-01): the deadline is the wave's rule
 *     (its scheme's days, its balance cut-off: data, app/funnel.c), so it
 *     is applied when read, and "at risk in the next 7 days" is a sum over
 *     the few (wave, day) cells a region has.
 *
 * Since migration 26 the same triggers keep the cells summed per city
 * too (journey_count_city: the first 5 characters of the village code,
 * "31.74"), in the same statement after the village cells, as
 * participant_count_city is kept for the statistics: the province's
 * funnel and its cities read a few hundred cells instead of every
 * village's.
 *
 * A statement's facts are summed by cell and upserted, n = n + delta, in
 * cell order.  The facts are written once, here, as a UNION ALL over a
 * row source: V the village, E the registration instant in seconds, R the
 * journey row's alias, SRC "table(s) WHERE condition" giving the rows, D
 * the sign (1 or -1). */
#ifndef PK_SQL_FUNNEL_H
#define PK_SQL_FUNNEL_H

#define PK_FUNNEL_DAYS_MAX_SQL "366"
/* WIB day number of an instant (seconds since 1970 UTC, > 0) */
#define PK_JF_DAY(x) "((" x " + 25200) / 86400)"
#define PK_JF_WAIT(a, b)                                                              \
    "CASE WHEN " PK_JF_DAY(b) " - " PK_JF_DAY(a) " > " PK_FUNNEL_DAYS_MAX_SQL        \
    " THEN " PK_FUNNEL_DAYS_MAX_SQL " ELSE " PK_JF_DAY(b) " - " PK_JF_DAY(a) " END"
#define PK_JF(V, SRC, D, kind, k1, k2, cond)                                          \
    "SELECT " V " AS kode_wilayah, '" kind "' AS kind, " k1 " AS k1, " k2 " AS k2, "   \
    D " AS d FROM " SRC " AND " cond
#define PK_JF_STEP(V, R, SRC, D, k, col) \
    PK_JF(V, SRC, D, "langkah", k, "0", R "." col " > 0")
#define PK_JF_DAYS(V, R, SRC, D, k, a, b) \
    PK_JF(V, SRC, D, "hari", k, PK_JF_WAIT(a, b), a " > 0 AND " b " >= " a)
#define PK_JOURNEY_FACTS(V, E, R, SRC, D)                                                 \
    PK_JF_STEP(V, R, SRC, D, "1", "joined_at") " UNION ALL "                              \
    PK_JF_STEP(V, R, SRC, D, "2", "selected_at") " UNION ALL "                            \
    PK_JF_STEP(V, R, SRC, D, "3", "first_purchase_at") " UNION ALL "                      \
    PK_JF_STEP(V, R, SRC, D, "4", "first_completion_at") " UNION ALL "                    \
    PK_JF_STEP(V, R, SRC, D, "5", "first_incentive_at") " UNION ALL "                     \
    PK_JF_DAYS(V, R, SRC, D, "1", E, R ".joined_at") " UNION ALL "                        \
    PK_JF_DAYS(V, R, SRC, D, "2", R ".joined_at", R ".selected_at") " UNION ALL "         \
    PK_JF_DAYS(V, R, SRC, D, "3", R ".selected_at", R ".first_purchase_at") " UNION ALL " \
    PK_JF_DAYS(V, R, SRC, D, "4", R ".first_purchase_at", R ".first_completion_at")       \
    " UNION ALL "                                                                         \
    PK_JF_DAYS(V, R, SRC, D, "5", R ".first_completion_at", R ".first_incentive_at")      \
    " UNION ALL "                                                                         \
    PK_JF(V, SRC, D, "tenggat", R ".wave", PK_JF_DAY(R ".selected_at"),                   \
          R ".status = 'penerima' AND " R ".first_purchase_at = 0 AND " R ".selected_at > 0")

/* The facts summed by cell, as an upsert of journey_count (SQLite's
 * "WHERE true" keeps its parser from reading ON CONFLICT as a join's;
 * its triggers take no alias of the table: `into` is "journey_count" or
 * "journey_count AS c", `plus` what is added to). */
#define PK_JOURNEY_UPSERT(facts, into, plus)                                             \
    "INSERT INTO " into " (kode_wilayah, kind, k1, k2, n)"                              \
    " SELECT kode_wilayah, kind, k1, k2, sum(d) FROM (" facts ") u WHERE true"          \
    " GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4"                        \
    " ON CONFLICT (kode_wilayah, kind, k1, k2) DO UPDATE SET n = " plus " + excluded.n;"

/* The same facts summed per city (migration 26). */
#define PK_JOURNEY_UPSERT_CITY(facts, into, plus)                                        \
    "INSERT INTO " into " (kode_kota, kind, k1, k2, n)"                                  \
    " SELECT substr(kode_wilayah, 1, 5), kind, k1, k2, sum(d) FROM (" facts ") u"        \
    " WHERE true GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4"             \
    " ON CONFLICT (kode_kota, kind, k1, k2) DO UPDATE SET n = " plus " + excluded.n;"
/* The city cells from the village cells (the migration, rebuild). */
#define PK_JOURNEY_COUNT_CITY_FILL                                                       \
    "INSERT INTO journey_count_city (kode_kota, kind, k1, k2, n)"                        \
    " SELECT substr(kode_wilayah, 1, 5), kind, k1, k2, CAST(sum(n) AS bigint)"           \
    " FROM journey_count GROUP BY 1, 2, 3, 4"

/* Every journey's facts, from the rows there are (E over p.created_at). */
#define PK_JOURNEY_ALL_FACTS(E) \
    PK_JOURNEY_FACTS("p.kode_wilayah", E, "j", "pk_journey j JOIN participant p ON p.id = j.participant_id WHERE true", "1")

/* The facts of the participants attributed to outreach event $1 whose
 * village is in [$2, $3), summed by (kind, k1, k2) with region ''
 * (sql_outreach.h's S_OUTREACH_JCOUNTS): the cells journey_count would
 * hold for exactly those people. */
#define PK_JOURNEY_EVENT_CELLS(E)                                                         \
    "WITH a AS (SELECT participant_id FROM pk_outreach_attribution WHERE event_id = $1)"  \
    " SELECT '', kind, k1, k2, CAST(sum(d) AS bigint) FROM ("                             \
    PK_JOURNEY_FACTS("p.kode_wilayah", E, "j",                                            \
                     "a JOIN participant p ON p.id = a.participant_id JOIN pk_journey j"  \
                     " ON j.participant_id = a.participant_id"                            \
                     " WHERE p.kode_wilayah >= $2 AND p.kode_wilayah < $3", "1")          \
    ") u GROUP BY 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 2, 3, 4"

/* The recount against the counters, one statement (one snapshot): the
 * village cells, then the city cells (migration 26), the last column
 * telling which (0, 1).  SEL_OPEN and SEL_CLOSE wrap each ordered half of
 * the UNION ALL as the backend's grammar wants ("SELECT * FROM (" and ")"
 * on SQLite, "(" and ")" on PostgreSQL). */
#define PK_JOURNEY_COUNTS_VERIFY(E, sum, SEL_OPEN, SEL_CLOSE)                            \
    "WITH r AS (SELECT kode_wilayah, kind, k1, k2, " sum " AS n FROM ("                  \
    PK_JOURNEY_ALL_FACTS(E) ") u GROUP BY 1, 2, 3, 4),"                                  \
    " rc AS (SELECT substr(kode_wilayah, 1, 5) AS kode_kota, kind, k1, k2,"              \
    " CAST(sum(n) AS bigint) AS n FROM r GROUP BY 1, 2, 3, 4) "                          \
    SEL_OPEN "SELECT coalesce(r.kode_wilayah, c.kode_wilayah), coalesce(r.kind, c.kind),"  \
    " coalesce(r.k1, c.k1), coalesce(r.k2, c.k2), coalesce(c.n, 0), coalesce(r.n, 0),"   \
    " CAST(0 AS bigint)"                                                                 \
    " FROM r FULL JOIN journey_count c ON c.kode_wilayah = r.kode_wilayah"               \
    " AND c.kind = r.kind AND c.k1 = r.k1 AND c.k2 = r.k2"                                \
    " WHERE coalesce(c.n, 0) <> 0 OR coalesce(r.n, 0) <> 0 ORDER BY 1, 2, 3, 4" SEL_CLOSE  \
    " UNION ALL "                                                                         \
    SEL_OPEN "SELECT coalesce(rc.kode_kota, c.kode_kota), coalesce(rc.kind, c.kind),"    \
    " coalesce(rc.k1, c.k1), coalesce(rc.k2, c.k2), coalesce(c.n, 0), coalesce(rc.n, 0),"\
    " CAST(1 AS bigint)"                                                                 \
    " FROM rc FULL JOIN journey_count_city c ON c.kode_kota = rc.kode_kota"              \
    " AND c.kind = rc.kind AND c.k1 = rc.k1 AND c.k2 = rc.k2"                            \
    " WHERE coalesce(c.n, 0) <> 0 OR coalesce(rc.n, 0) <> 0 ORDER BY 1, 2, 3, 4" SEL_CLOSE
#define PK_JOURNEY_COUNTS_FILL(E) \
    "INSERT INTO journey_count (kode_wilayah, kind, k1, k2, n) SELECT kode_wilayah, kind, k1, k2," \
    " sum(d) FROM (" PK_JOURNEY_ALL_FACTS(E) ") u WHERE true GROUP BY 1, 2, 3, 4"

/* ---- SQLite: row triggers ---- */
#define SQ_JOURNEY_COUNT_TABLE                                                           \
    "CREATE TABLE journey_count ("                                                       \
    "  kode_wilayah TEXT NOT NULL,"                                                      \
    "  kind         TEXT NOT NULL,"                                                      \
    "  k1           INTEGER NOT NULL,"                                                   \
    "  k2           INTEGER NOT NULL,"                                                   \
    "  n            INTEGER NOT NULL,"                                                   \
    "  PRIMARY KEY (kode_wilayah, kind, k1, k2)"                                         \
    ") STRICT, WITHOUT ROWID;"
#define SQ_JF_EPOCH(col) "unixepoch(" col ")"
#define SQ_JF_ROW(R, D)                                                                 \
    PK_JOURNEY_FACTS("p.kode_wilayah", SQ_JF_EPOCH("p.created_at"), R,                   \
                     "participant p WHERE p.id = " R ".participant_id", D)
#define SQ_JF_WHO(P, D)                                                                  \
    PK_JOURNEY_FACTS(P ".kode_wilayah", SQ_JF_EPOCH(P ".created_at"), "r",               \
                     "pk_journey r WHERE r.participant_id = " P ".id", D)
/* An update that changes none of the columns the facts read changes no
 * counter (most writes of a journey: a second purchase, a survey). */
#define SQ_JF_CHANGED(c) "OLD." c " IS NOT NEW." c
/* (Migration 24's, the village cells only.) */
#define SQ_JOURNEY_COUNT_TRIGGERS_V24                                                    \
    "CREATE TRIGGER journey_count_insert AFTER INSERT ON pk_journey BEGIN "              \
    PK_JOURNEY_UPSERT(SQ_JF_ROW("NEW", "1"), "journey_count", "n") " END;"                       \
    "CREATE TRIGGER journey_count_delete AFTER DELETE ON pk_journey BEGIN "              \
    PK_JOURNEY_UPSERT(SQ_JF_ROW("OLD", "-1"), "journey_count", "n") " END;"                      \
    "CREATE TRIGGER journey_count_update AFTER UPDATE ON pk_journey WHEN "               \
    SQ_JF_CHANGED("participant_id") " OR " SQ_JF_CHANGED("status") " OR "                \
    SQ_JF_CHANGED("wave") " OR " SQ_JF_CHANGED("joined_at") " OR "                       \
    SQ_JF_CHANGED("selected_at") " OR " SQ_JF_CHANGED("first_purchase_at") " OR "        \
    SQ_JF_CHANGED("first_completion_at") " OR " SQ_JF_CHANGED("first_incentive_at")      \
    " BEGIN " PK_JOURNEY_UPSERT(SQ_JF_ROW("NEW", "1") " UNION ALL " SQ_JF_ROW("OLD", "-1"), \
                                "journey_count", "n") " END;"                                    \
    "CREATE TRIGGER journey_count_participant AFTER UPDATE OF kode_wilayah, created_at"  \
    " ON participant WHEN " SQ_JF_CHANGED("kode_wilayah") " OR "                         \
    SQ_JF_CHANGED("created_at") " BEGIN "                                                \
    PK_JOURNEY_UPSERT(SQ_JF_WHO("NEW", "1") " UNION ALL " SQ_JF_WHO("OLD", "-1"),        \
                      "journey_count", "n") " END;"
/* (Migration 26's: the village cells, then the city cells.) */
#define SQ_JF_BOTH(facts)                                                                \
    PK_JOURNEY_UPSERT(facts, "journey_count", "n")                                       \
    PK_JOURNEY_UPSERT_CITY(facts, "journey_count_city", "n")
#define SQ_JOURNEY_COUNT_TRIGGERS                                                        \
    "CREATE TRIGGER journey_count_insert AFTER INSERT ON pk_journey BEGIN "              \
    SQ_JF_BOTH(SQ_JF_ROW("NEW", "1")) " END;"                                            \
    "CREATE TRIGGER journey_count_delete AFTER DELETE ON pk_journey BEGIN "              \
    SQ_JF_BOTH(SQ_JF_ROW("OLD", "-1")) " END;"                                           \
    "CREATE TRIGGER journey_count_update AFTER UPDATE ON pk_journey WHEN "               \
    SQ_JF_CHANGED("participant_id") " OR " SQ_JF_CHANGED("status") " OR "                \
    SQ_JF_CHANGED("wave") " OR " SQ_JF_CHANGED("joined_at") " OR "                       \
    SQ_JF_CHANGED("selected_at") " OR " SQ_JF_CHANGED("first_purchase_at") " OR "        \
    SQ_JF_CHANGED("first_completion_at") " OR " SQ_JF_CHANGED("first_incentive_at")      \
    " BEGIN " SQ_JF_BOTH(SQ_JF_ROW("NEW", "1") " UNION ALL " SQ_JF_ROW("OLD", "-1")) " END;"                                    \
    "CREATE TRIGGER journey_count_participant AFTER UPDATE OF kode_wilayah, created_at"  \
    " ON participant WHEN " SQ_JF_CHANGED("kode_wilayah") " OR "                         \
    SQ_JF_CHANGED("created_at") " BEGIN "                                                \
    SQ_JF_BOTH(SQ_JF_WHO("NEW", "1") " UNION ALL " SQ_JF_WHO("OLD", "-1")) " END;"
#define SQ_JOURNEY_COUNT_CITY_TABLE                                                      \
    "CREATE TABLE journey_count_city ("                                                  \
    "  kode_kota    TEXT NOT NULL,"                                                      \
    "  kind         TEXT NOT NULL,"                                                      \
    "  k1           INTEGER NOT NULL,"                                                   \
    "  k2           INTEGER NOT NULL,"                                                   \
    "  n            INTEGER NOT NULL,"                                                   \
    "  PRIMARY KEY (kode_kota, kind, k1, k2)"                                            \
    ") STRICT, WITHOUT ROWID;"
/* (an event import's bulk load drops them, fills the counters once at the
 * end, SQ_JOURNEY_FACT_ROWS, and makes them again: sqlite_bulk.c) */
#define SQ_JOURNEY_COUNT_DROP_TRIGGERS                                                   \
    "DROP TRIGGER journey_count_insert; DROP TRIGGER journey_count_delete;"              \
    " DROP TRIGGER journey_count_update; DROP TRIGGER journey_count_participant;"

/* What a journey's facts are made of, for the bulk fill in C
 * (sqlite_bulk.c, jcounts_fill: the facts above, the same definitions):
 * every journey with its village and registration instant, the journeys
 * first (CROSS JOIN), each participant found by id (through the index by
 * village, the planner's choice, every participant row is read out of
 * order). */
#define SQ_JOURNEY_FACT_ROWS                                                             \
    "SELECT p.kode_wilayah, " SQ_JF_EPOCH("p.created_at") ", j.status = 'penerima',"     \
    " j.wave, j.joined_at, j.selected_at, j.first_purchase_at, j.first_completion_at,"   \
    " j.first_incentive_at FROM pk_journey j CROSS JOIN participant p"                    \
    " ON p.id = j.participant_id"

/* ---- PostgreSQL: statement triggers over the transition tables ---- */
#define PG_JOURNEY_COUNT_TABLE                                                           \
    "CREATE TABLE journey_count ("                                                       \
    "  kode_wilayah text COLLATE \"C\" NOT NULL,"                                        \
    "  kind         text NOT NULL,"                                                      \
    "  k1           bigint NOT NULL,"                                                    \
    "  k2           bigint NOT NULL,"                                                    \
    "  n            bigint NOT NULL,"                                                    \
    "  PRIMARY KEY (kode_wilayah, kind, k1, k2)"                                         \
    ");"
#define PG_JF_EPOCH(col) "extract(epoch FROM (" col ")::timestamptz)::bigint"
#define PG_JF_ROWS(t, D)                                                                  \
    PK_JOURNEY_FACTS("p.kode_wilayah", PG_JF_EPOCH("p.created_at"), "r",                   \
                     t " r JOIN participant p ON p.id = r.participant_id WHERE true", D)
/* a participant's village or registration instant changed: their journey's
 * facts move (the rows whose id stayed: an id changes only in a bulk load,
 * which has no journeys) */
#define PG_JF_WHO(P, D)                                                                    \
    PK_JOURNEY_FACTS(P ".kode_wilayah", PG_JF_EPOCH(P ".created_at"), "r",                 \
                     "new_rows n JOIN old_rows o ON o.id = n.id JOIN pk_journey r"         \
                     " ON r.participant_id = n.id WHERE (n.kode_wilayah <> o.kode_wilayah" \
                     " OR n.created_at <> o.created_at)", D)
#define PG_JF_FUNCTION(name, facts)                                                       \
    "CREATE FUNCTION " name "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "            \
    PK_JOURNEY_UPSERT(facts, "journey_count AS c", "c.n") " RETURN NULL; END $$;"
/* (Migration 26 replaces the functions: the village cells, then the
 * city cells; the triggers stay.) */
#define PG_JF_FUNCTION_CITY(name, facts)                                                 \
    "CREATE OR REPLACE FUNCTION " name "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " \
    PK_JOURNEY_UPSERT(facts, "journey_count AS c", "c.n")                                \
    PK_JOURNEY_UPSERT_CITY(facts, "journey_count_city AS c", "c.n") " RETURN NULL; END $$;"
#define PG_JOURNEY_COUNT_FUNCTIONS_CITY                                                  \
    PG_JF_FUNCTION_CITY("journey_count_insert", PG_JF_ROWS("new_rows", "1"))             \
    PG_JF_FUNCTION_CITY("journey_count_delete", PG_JF_ROWS("old_rows", "-1"))            \
    PG_JF_FUNCTION_CITY("journey_count_update",                                          \
                   PG_JF_ROWS("new_rows", "1") " UNION ALL " PG_JF_ROWS("old_rows", "-1")) \
    PG_JF_FUNCTION_CITY("journey_count_participant",                                     \
                        PG_JF_WHO("n", "1") " UNION ALL " PG_JF_WHO("o", "-1"))
#define PG_JOURNEY_COUNT_CITY_TABLE                                                      \
    "CREATE TABLE journey_count_city ("                                                  \
    "  kode_kota    text COLLATE \"C\" NOT NULL,"                                        \
    "  kind         text NOT NULL,"                                                      \
    "  k1           bigint NOT NULL,"                                                    \
    "  k2           bigint NOT NULL,"                                                    \
    "  n            bigint NOT NULL,"                                                    \
    "  PRIMARY KEY (kode_kota, kind, k1, k2)"                                            \
    ");"
/* (Migration 24's functions, the village cells only, and the triggers.) */
#define PG_JOURNEY_COUNT_TRIGGERS                                                          \
    PG_JF_FUNCTION("journey_count_insert", PG_JF_ROWS("new_rows", "1"))                    \
    PG_JF_FUNCTION("journey_count_delete", PG_JF_ROWS("old_rows", "-1"))                   \
    PG_JF_FUNCTION("journey_count_update",                                                 \
                   PG_JF_ROWS("new_rows", "1") " UNION ALL " PG_JF_ROWS("old_rows", "-1")) \
    PG_JF_FUNCTION("journey_count_participant",                                            \
                   PG_JF_WHO("n", "1") " UNION ALL " PG_JF_WHO("o", "-1"))                 \
    "CREATE TRIGGER journey_count_insert AFTER INSERT ON pk_journey"                       \
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"                                \
    " EXECUTE FUNCTION journey_count_insert();"                                            \
    "CREATE TRIGGER journey_count_delete AFTER DELETE ON pk_journey"                       \
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"                                \
    " EXECUTE FUNCTION journey_count_delete();"                                            \
    "CREATE TRIGGER journey_count_update AFTER UPDATE ON pk_journey"                       \
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"          \
    " EXECUTE FUNCTION journey_count_update();"                                            \
    "CREATE TRIGGER journey_count_participant AFTER UPDATE ON participant"                 \
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"          \
    " EXECUTE FUNCTION journey_count_participant();"

/* The first incentive's instant of the journeys stored before migration
 * 24 (the fold keeps it from then on): every stored insentif_dibayar was
 * applied (a refused event is not stored), the first in time is the
 * first applied. */
#define PK_JOURNEY_FIRST_INCENTIVE_FILL                                                  \
    "UPDATE pk_journey SET first_incentive_at = coalesce((SELECT min(e.at) FROM pk_event e" \
    " WHERE e.participant_id = pk_journey.participant_id AND e.type = 'insentif_dibayar'), 0)" \
    " WHERE incentives_paid > 0;"

/* The review the incentive waits for, of the journeys stored before
 * migration 31 (the fold keeps it from then on, core/journey.c): the
 * first ulasan of the course of the first selesai_pelatihan (in the
 * fold's order: instant, seq, id), where first_review_at had been the
 * first review of any. */
#define PK_JOURNEY_FIRST_REVIEW_FILL                                                     \
    "UPDATE pk_journey SET first_review_at = coalesce((SELECT min(u.at) FROM pk_event u"  \
    " WHERE u.participant_id = pk_journey.participant_id AND u.type = 'ulasan'"          \
    " AND u.course = (SELECT f.course FROM pk_event f"                                   \
    " WHERE f.participant_id = pk_journey.participant_id AND f.type = 'selesai_pelatihan'" \
    " ORDER BY f.at, f.seq, f.id LIMIT 1)), 0)"                                          \
    " WHERE completions > 0 OR first_review_at <> 0;"

/* ---- counting deferred to the end of a transaction (PostgreSQL, migration 33) ----
 * A transaction that writes many journeys (a draw, an events bulk load)
 * says so (pg_counts.c, pk_tx_journey_counts_defer: the setting
 * prakerja.counts_deferred, local to it): each statement's change of the
 * counters is then summed into the transaction's own temporary table, and
 * the end adds that table to the shared cells, a statement for each kind
 * of cell.  In one long transaction the shared cells, updated by every
 * batch, kept a dead version per update that the next had to step over
 * (an events load of 1M took 47 s instead of 13); the temporary table
 * only takes appends, and no one else's write waits for it.  The
 * functions are the same otherwise: the triggers stay. */
#define PG_COUNTS_DEFERRED "current_setting('prakerja.counts_deferred', true) = 'on'"
#define PG_JF_DELTA(facts)                                                               \
    "INSERT INTO journey_count_delta (kode_wilayah, kind, k1, k2, n)"                    \
    " SELECT kode_wilayah, kind, k1, k2, sum(d) FROM (" facts ") u"                      \
    " GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0;"
#define PG_JF_FUNCTION_DEFERRABLE(name, facts)                                           \
    "CREATE OR REPLACE FUNCTION " name "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " \
    "IF " PG_COUNTS_DEFERRED " THEN " PG_JF_DELTA(facts) " RETURN NULL; END IF; "         \
    PK_JOURNEY_UPSERT(facts, "journey_count AS c", "c.n")                                \
    PK_JOURNEY_UPSERT_CITY(facts, "journey_count_city AS c", "c.n") " RETURN NULL; END $$;"
#define PG_JOURNEY_COUNT_FUNCTIONS_DEFERRABLE                                            \
    PG_JF_FUNCTION_DEFERRABLE("journey_count_insert", PG_JF_ROWS("new_rows", "1"))       \
    PG_JF_FUNCTION_DEFERRABLE("journey_count_delete", PG_JF_ROWS("old_rows", "-1"))      \
    PG_JF_FUNCTION_DEFERRABLE("journey_count_update", PG_JF_ROWS("new_rows", "1")         \
                              " UNION ALL " PG_JF_ROWS("old_rows", "-1"))                 \
    PG_JF_FUNCTION_DEFERRABLE("journey_count_participant",                               \
                              PG_JF_WHO("n", "1") " UNION ALL " PG_JF_WHO("o", "-1"))
/* The transaction's sums added to the village and city cells. */
#define PG_JF_DELTA_ROWS "SELECT kode_wilayah, kind, k1, k2, n AS d FROM journey_count_delta"
#define PG_JF_DELTA_FOLD                                                                 \
    PK_JOURNEY_UPSERT(PG_JF_DELTA_ROWS, "journey_count AS c", "c.n")                     \
    PK_JOURNEY_UPSERT_CITY(PG_JF_DELTA_ROWS, "journey_count_city AS c", "c.n")

#endif
