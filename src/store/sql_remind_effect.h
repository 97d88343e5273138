/* sql_remind_effect.h -- the counters of the effect of reminders (issue
 * #15 "The effect of reminders" on issue #16's counters): the SQL both
 * backends share, and each backend's triggers.
 *
 * The effect (app/remind.c, pk_remind_effect_of) compares, per rule, the
 * selected recipients who were reminded by it, held out of it (the
 * kelompok_kontrol) and neither (every fire of it cancelled, missed or
 * opted out): how many, how many revoked, how many bought a first
 * training and after how many days.  Counted at read time that is a scan
 * of every fire (6 million on a deployment's first day at 1M recipients)
 * joined to the journeys; here it is kept as it changes, in the
 * transaction of every write, like journey_count (sql_funnel.h):
 *
 *   remind_reach, a row per (person, rule) with a fire: sent (a fire of it
 *     kirim) and held (a fire of it kontrol), kept from pk_remind_fire;
 *   remind_effect_count, a cell per (village, rule, sent, held, revoked,
 *     days) with its count n, where a reach row of a selected recipient
 *     (selected_at > 0) counts 1: revoked = the journey is dicabut, days =
 *     whole days from selection to the first purchase, -1 without one.
 *
 * They move when a fire's status is written (reach), when a journey's
 * status, selection or first purchase changes, when a person's village
 * changes, and when a journey row is written again (journey rebuild).
 * The facts are written once, as for the journey's counters: V the
 * village, X the reach row's alias, J the journey row's alias, SRC
 * "table(s) WHERE condition" giving the rows, D the sign. */
#ifndef PK_SQL_REMIND_EFFECT_H
#define PK_SQL_REMIND_EFFECT_H

#include "store/sql_funnel.h" /* SQ_JF_CHANGED: a column an update changed */

#define PK_RE_FACTS(V, X, J, SRC, D)                                                       \
    "SELECT " V " AS kode_wilayah, " X ".rule AS rule, " X ".sent AS sent, " X             \
    ".held AS held, CASE WHEN " J ".status = 'dicabut' THEN 1 ELSE 0 END AS revoked,"      \
    " CASE WHEN " J ".first_purchase_at > 0 THEN (" J ".first_purchase_at - " J            \
    ".selected_at) / 86400 ELSE -1 END AS days, " D " AS d FROM " SRC " AND " J            \
    ".selected_at > 0"

/* The facts summed by cell and upserted, n = n + delta (SQLite's "WHERE
 * true" keeps its parser from reading ON CONFLICT as a join's). */
#define PK_RE_UPSERT(facts, into, plus)                                                    \
    "INSERT INTO " into " (kode_wilayah, rule, sent, held, revoked, days, n)"             \
    " SELECT kode_wilayah, rule, sent, held, revoked, days, sum(d) FROM (" facts ") u"     \
    " WHERE true GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6"   \
    " ON CONFLICT (kode_wilayah, rule, sent, held, revoked, days) DO UPDATE SET n = "     \
    plus " + excluded.n;"

/* Every reach row's facts, from the rows there are. */
#define PK_RE_ALL_FACTS                                                                    \
    PK_RE_FACTS("p.kode_wilayah", "x", "j",                                                \
                "remind_reach x JOIN pk_journey j ON j.participant_id = x.participant_id"  \
                " JOIN participant p ON p.id = x.participant_id WHERE true", "1")

/* The reach of the (person, rule) pairs of the fires that meet `cond`:
 * whether one was sent, whether one was held out.  The one definition of
 * a reach row (the fill, the recount, SQLite's trigger of a fire). */
#define PK_RE_REACH_OF_FIRES(cond)                                                         \
    "SELECT participant_id, rule, max(CASE WHEN status = 'kirim' THEN 1 ELSE 0 END) AS sent," \
    " max(CASE WHEN status = 'kontrol' THEN 1 ELSE 0 END) AS held FROM pk_remind_fire"    \
    " WHERE " cond " GROUP BY participant_id, rule"
/* remind_reach from the fires, all of them (the migration, a rebuild). */
#define PK_RE_REACH_FILL                                                                   \
    "INSERT INTO remind_reach (participant_id, rule, sent, held) "                        \
    PK_RE_REACH_OF_FIRES("true")
#define PK_RE_COUNT_FILL                                                                   \
    "INSERT INTO remind_effect_count (kode_wilayah, rule, sent, held, revoked, days, n)"   \
    " SELECT kode_wilayah, rule, sent, held, revoked, days, sum(d) FROM (" PK_RE_ALL_FACTS \
    ") u WHERE true GROUP BY 1, 2, 3, 4, 5, 6"

/* The read: a region's cells summed (village codes in [$1, $2)). */
#define PK_RE_READ                                                                    \
    "SELECT rule, CAST(sent AS bigint), CAST(held AS bigint), CAST(revoked AS bigint),"   \
    " CAST(days AS bigint), CAST(sum(n) AS bigint) FROM remind_effect_count"                              \
    " WHERE kode_wilayah >= $1 AND kode_wilayah < $2 GROUP BY 1, 2, 3, 4, 5"               \
    " HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5"

/* The recount from the fires and journeys against the counters, one
 * statement (one snapshot): rows (village, rule, sent, held, revoked,
 * days, kept, counted) where they differ. */
#define PK_RE_VERIFY                                                                  \
    "WITH x AS (" PK_RE_REACH_OF_FIRES("true") "),"                                        \
    " r AS (SELECT kode_wilayah, rule, sent, held, revoked, days, CAST(sum(d) AS bigint) AS n FROM ("      \
    PK_RE_FACTS("p.kode_wilayah", "x", "j",                                                \
                "x JOIN pk_journey j ON j.participant_id = x.participant_id"               \
                " JOIN participant p ON p.id = x.participant_id WHERE true", "1")          \
    ") u GROUP BY 1, 2, 3, 4, 5, 6)"                                                        \
    " SELECT coalesce(r.kode_wilayah, c.kode_wilayah), coalesce(r.rule, c.rule),"         \
    " CAST(coalesce(r.sent, c.sent) AS bigint), CAST(coalesce(r.held, c.held) AS bigint),"  \
    " CAST(coalesce(r.revoked, c.revoked) AS bigint), CAST(coalesce(r.days, c.days) AS bigint),"\
    " CAST(coalesce(c.n, 0) AS bigint), CAST(coalesce(r.n, 0) AS bigint)"                  \
    " FROM r FULL JOIN remind_effect_count c ON c.kode_wilayah = r.kode_wilayah"          \
    " AND c.rule = r.rule AND c.sent = r.sent AND c.held = r.held"                         \
    " AND c.revoked = r.revoked AND c.days = r.days"                                       \
    " WHERE coalesce(c.n, 0) <> 0 OR coalesce(r.n, 0) <> 0 ORDER BY 1, 2, 3, 4, 5, 6"

/* ---- SQLite: row triggers ---- */
#define SQ_RE_TABLES                                                                       \
    "CREATE TABLE remind_reach ("                                                          \
    "  participant_id INTEGER NOT NULL,"                                                   \
    "  rule           TEXT NOT NULL,"                                                      \
    "  sent           INTEGER NOT NULL,"                                                   \
    "  held           INTEGER NOT NULL,"                                                   \
    "  PRIMARY KEY (participant_id, rule)"                                                 \
    ") STRICT, WITHOUT ROWID;"                                                             \
    "CREATE TABLE remind_effect_count ("                                                   \
    "  kode_wilayah TEXT NOT NULL,"                                                        \
    "  rule         TEXT NOT NULL,"                                                        \
    "  sent         INTEGER NOT NULL,"                                                     \
    "  held         INTEGER NOT NULL,"                                                     \
    "  revoked      INTEGER NOT NULL,"                                                     \
    "  days         INTEGER NOT NULL,"                                                     \
    "  n            INTEGER NOT NULL,"                                                     \
    "  PRIMARY KEY (kode_wilayah, rule, sent, held, revoked, days)"                        \
    ") STRICT, WITHOUT ROWID;"
/* the facts of reach row X (NEW or OLD) */
#define SQ_RE_REACH(X, D)                                                                  \
    PK_RE_FACTS("p.kode_wilayah", X, "j",                                                  \
                "pk_journey j JOIN participant p ON p.id = j.participant_id"               \
                " WHERE j.participant_id = " X ".participant_id", D)
/* the facts of journey row J's reach rows */
#define SQ_RE_JOURNEY(J, D)                                                                \
    PK_RE_FACTS("p.kode_wilayah", "x", J,                                                  \
                "remind_reach x JOIN participant p ON p.id = x.participant_id"             \
                " WHERE x.participant_id = " J ".participant_id", D)
/* the facts of participant row P's reach rows, in P's village */
#define SQ_RE_WHO(P, D)                                                                    \
    PK_RE_FACTS(P ".kode_wilayah", "x", "j",                                               \
                "remind_reach x JOIN pk_journey j ON j.participant_id = x.participant_id"  \
                " WHERE x.participant_id = " P ".id", D)
/* the reach of (person, rule) of fire row F recomputed from its fires (a
 * few rows, by the fires' key) */
#define SQ_RE_REACH_OF(F)                                                                  \
    "INSERT INTO remind_reach (participant_id, rule, sent, held) "                        \
    PK_RE_REACH_OF_FIRES("participant_id = " F ".participant_id AND rule = " F ".rule")    \
    " ON CONFLICT (participant_id, rule) DO UPDATE SET sent = excluded.sent,"              \
    " held = excluded.held WHERE sent <> excluded.sent OR held <> excluded.held;"
/* a new fire F can only raise its pair's reach: no recount */
#define SQ_RE_REACH_RAISE(F)                                                               \
    "INSERT INTO remind_reach (participant_id, rule, sent, held) VALUES (" F               \
    ".participant_id, " F ".rule, " F ".status = 'kirim', " F ".status = 'kontrol')"        \
    " ON CONFLICT (participant_id, rule) DO UPDATE SET sent = max(sent, excluded.sent),"   \
    " held = max(held, excluded.held) WHERE excluded.sent > sent OR excluded.held > held;"
/* a rebuild drops them, refills both tables in two statements and makes
 * them again (sqlite_remind.c) */
#define SQ_RE_DROP_TRIGGERS                                                                \
    "DROP TRIGGER remind_reach_fire_insert; DROP TRIGGER remind_reach_fire_update;"       \
    " DROP TRIGGER remind_effect_reach_insert; DROP TRIGGER remind_effect_reach_update;"  \
    " DROP TRIGGER remind_effect_reach_delete; DROP TRIGGER remind_effect_journey_insert;" \
    " DROP TRIGGER remind_effect_journey_delete; DROP TRIGGER remind_effect_journey_update;" \
    " DROP TRIGGER remind_effect_participant;"
/* those on pk_journey apart: an event import's bulk load and a large
 * draw (pk_tx_journey_counts_defer, on a database that may hold fires and
 * reach rows) drop them and make them again at their end, after filling
 * remind_effect_count afresh (sqlite_bulk.c) */
#define SQ_RE_JOURNEY_DROP_TRIGGERS                                                        \
    "DROP TRIGGER remind_effect_journey_insert; DROP TRIGGER remind_effect_journey_delete;" \
    " DROP TRIGGER remind_effect_journey_update;"
#define SQ_RE_JOURNEY_TRIGGERS                                                             \
    "CREATE TRIGGER remind_effect_journey_insert AFTER INSERT ON pk_journey BEGIN "       \
    PK_RE_UPSERT(SQ_RE_JOURNEY("NEW", "1"), "remind_effect_count", "n") " END;"           \
    "CREATE TRIGGER remind_effect_journey_delete AFTER DELETE ON pk_journey BEGIN "       \
    PK_RE_UPSERT(SQ_RE_JOURNEY("OLD", "-1"), "remind_effect_count", "n") " END;"          \
    "CREATE TRIGGER remind_effect_journey_update AFTER UPDATE ON pk_journey WHEN "        \
    "(OLD.status = 'dicabut') IS NOT (NEW.status = 'dicabut') OR "                         \
    SQ_JF_CHANGED("first_purchase_at") " OR " SQ_JF_CHANGED("selected_at") " OR "         \
    SQ_JF_CHANGED("participant_id") " BEGIN "                                              \
    PK_RE_UPSERT(SQ_RE_JOURNEY("NEW", "1") " UNION ALL " SQ_RE_JOURNEY("OLD", "-1"),      \
                 "remind_effect_count", "n") " END;"
#define SQ_RE_TRIGGERS                                                                     \
    "CREATE TRIGGER remind_reach_fire_insert AFTER INSERT ON pk_remind_fire BEGIN "       \
    SQ_RE_REACH_RAISE("NEW") " END;"                                                          \
    "CREATE TRIGGER remind_reach_fire_update AFTER UPDATE ON pk_remind_fire WHEN "        \
    SQ_JF_CHANGED("status") " OR " SQ_JF_CHANGED("participant_id") " OR "                 \
    SQ_JF_CHANGED("rule") " BEGIN " SQ_RE_REACH_OF("NEW") " END;"                         \
    "CREATE TRIGGER remind_effect_reach_insert AFTER INSERT ON remind_reach BEGIN "       \
    PK_RE_UPSERT(SQ_RE_REACH("NEW", "1"), "remind_effect_count", "n") " END;"             \
    "CREATE TRIGGER remind_effect_reach_update AFTER UPDATE ON remind_reach BEGIN "       \
    PK_RE_UPSERT(SQ_RE_REACH("NEW", "1") " UNION ALL " SQ_RE_REACH("OLD", "-1"),          \
                 "remind_effect_count", "n") " END;"                                       \
    "CREATE TRIGGER remind_effect_reach_delete AFTER DELETE ON remind_reach BEGIN "       \
    PK_RE_UPSERT(SQ_RE_REACH("OLD", "-1"), "remind_effect_count", "n") " END;"            \
    SQ_RE_JOURNEY_TRIGGERS                                                                 \
    "CREATE TRIGGER remind_effect_participant AFTER UPDATE OF kode_wilayah ON participant" \
    " WHEN " SQ_JF_CHANGED("kode_wilayah") " BEGIN "                                       \
    PK_RE_UPSERT(SQ_RE_WHO("NEW", "1") " UNION ALL " SQ_RE_WHO("OLD", "-1"),              \
                 "remind_effect_count", "n") " END;"

/* ---- PostgreSQL: statement triggers over the transition tables ---- */
#define PG_RE_TABLES                                                                       \
    "CREATE TABLE remind_reach ("                                                          \
    "  participant_id bigint NOT NULL,"                                                    \
    "  rule           text NOT NULL,"                                                      \
    "  sent           integer NOT NULL,"                                                   \
    "  held           integer NOT NULL,"                                                   \
    "  PRIMARY KEY (participant_id, rule)"                                                 \
    ");"                                                                                   \
    "CREATE TABLE remind_effect_count ("                                                   \
    "  kode_wilayah text COLLATE \"C\" NOT NULL,"                                          \
    "  rule         text NOT NULL,"                                                        \
    "  sent         integer NOT NULL,"                                                     \
    "  held         integer NOT NULL,"                                                     \
    "  revoked      integer NOT NULL,"                                                     \
    "  days         bigint NOT NULL,"                                                      \
    "  n            bigint NOT NULL,"                                                      \
    "  PRIMARY KEY (kode_wilayah, rule, sent, held, revoked, days)"                        \
    ");"
#define PG_RE_REACH(t, D)                                                                  \
    PK_RE_FACTS("p.kode_wilayah", "x", "j",                                                \
                t " x JOIN pk_journey j ON j.participant_id = x.participant_id"            \
                " JOIN participant p ON p.id = x.participant_id WHERE true", D)
#define PG_RE_JOURNEY(t, D)                                                                \
    PK_RE_FACTS("p.kode_wilayah", "x", "j",                                                \
                t " j JOIN remind_reach x ON x.participant_id = j.participant_id"          \
                " JOIN participant p ON p.id = j.participant_id WHERE true", D)
/* a person's village changed: their reach rows' facts move (P: n or o) */
#define PG_RE_WHO(P, D)                                                                    \
    PK_RE_FACTS(P ".kode_wilayah", "x", "j",                                               \
                "new_rows n JOIN old_rows o ON o.id = n.id JOIN remind_reach x"           \
                " ON x.participant_id = n.id JOIN pk_journey j"                            \
                " ON j.participant_id = n.id WHERE n.kode_wilayah <> o.kode_wilayah", D)
/* the reach of the (person, rule) pairs of the fires in transition table t */
#define PG_RE_REACH_OF(t)                                                                  \
    "INSERT INTO remind_reach AS r (participant_id, rule, sent, held)"                    \
    " SELECT f.participant_id, f.rule, max(CASE WHEN f.status = 'kirim' THEN 1 ELSE 0 END)," \
    " max(CASE WHEN f.status = 'kontrol' THEN 1 ELSE 0 END) FROM pk_remind_fire f"        \
    " JOIN (SELECT DISTINCT participant_id, rule FROM " t ") k"                            \
    " ON k.participant_id = f.participant_id AND k.rule = f.rule"                          \
    " GROUP BY f.participant_id, f.rule ORDER BY 1, 2"                                     \
    " ON CONFLICT (participant_id, rule) DO UPDATE SET sent = excluded.sent,"             \
    " held = excluded.held WHERE r.sent <> excluded.sent OR r.held <> excluded.held;"
#define PG_RE_FUNCTION(name, body)                                                         \
    "CREATE FUNCTION " name "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " body        \
    " RETURN NULL; END $$;"
#define PG_RE_COUNT_FUNCTION(name, facts) \
    PG_RE_FUNCTION(name, PK_RE_UPSERT(facts, "remind_effect_count AS c", "c.n"))
#define PG_RE_TRIGGER(name, when, on, refs)                                                \
    "CREATE TRIGGER " name " AFTER " when " ON " on " REFERENCING " refs                   \
    " FOR EACH STATEMENT EXECUTE FUNCTION " name "();"
#define PG_RE_TRIGGERS                                                                     \
    PG_RE_FUNCTION("remind_reach_fire_insert", PG_RE_REACH_OF("new_rows"))                 \
    PG_RE_FUNCTION("remind_reach_fire_update", PG_RE_REACH_OF("new_rows"))                 \
    PG_RE_COUNT_FUNCTION("remind_effect_reach_insert", PG_RE_REACH("new_rows", "1"))       \
    PG_RE_COUNT_FUNCTION("remind_effect_reach_update",                                     \
                         PG_RE_REACH("new_rows", "1") " UNION ALL " PG_RE_REACH("old_rows", "-1")) \
    PG_RE_COUNT_FUNCTION("remind_effect_reach_delete", PG_RE_REACH("old_rows", "-1"))      \
    PG_RE_COUNT_FUNCTION("remind_effect_journey_insert", PG_RE_JOURNEY("new_rows", "1"))   \
    PG_RE_COUNT_FUNCTION("remind_effect_journey_delete", PG_RE_JOURNEY("old_rows", "-1"))  \
    PG_RE_COUNT_FUNCTION("remind_effect_journey_update",                                   \
                         PG_RE_JOURNEY("new_rows", "1") " UNION ALL "                      \
                         PG_RE_JOURNEY("old_rows", "-1"))                                  \
    PG_RE_COUNT_FUNCTION("remind_effect_participant",                                      \
                         PG_RE_WHO("n", "1") " UNION ALL " PG_RE_WHO("o", "-1"))           \
    PG_RE_TRIGGER("remind_reach_fire_insert", "INSERT", "pk_remind_fire", "NEW TABLE AS new_rows") \
    PG_RE_TRIGGER("remind_reach_fire_update", "UPDATE", "pk_remind_fire",                  \
                  "OLD TABLE AS old_rows NEW TABLE AS new_rows")                           \
    PG_RE_TRIGGER("remind_effect_reach_insert", "INSERT", "remind_reach", "NEW TABLE AS new_rows") \
    PG_RE_TRIGGER("remind_effect_reach_update", "UPDATE", "remind_reach",                  \
                  "OLD TABLE AS old_rows NEW TABLE AS new_rows")                           \
    PG_RE_TRIGGER("remind_effect_reach_delete", "DELETE", "remind_reach", "OLD TABLE AS old_rows") \
    PG_RE_TRIGGER("remind_effect_journey_insert", "INSERT", "pk_journey", "NEW TABLE AS new_rows") \
    PG_RE_TRIGGER("remind_effect_journey_delete", "DELETE", "pk_journey", "OLD TABLE AS old_rows") \
    PG_RE_TRIGGER("remind_effect_journey_update", "UPDATE", "pk_journey",                  \
                  "OLD TABLE AS old_rows NEW TABLE AS new_rows")                           \
    PG_RE_TRIGGER("remind_effect_participant", "UPDATE", "participant",                    \
                  "OLD TABLE AS old_rows NEW TABLE AS new_rows")

/* The same functions, deferrable (migration 33; sql_funnel.h's "counting
 * deferred"): in a transaction that defers, summed into its own
 * remind_effect_delta. */
#define PG_RE_DELTA(facts)                                                                 \
    "INSERT INTO remind_effect_delta (kode_wilayah, rule, sent, held, revoked, days, n)"   \
    " SELECT kode_wilayah, rule, sent, held, revoked, days, sum(d) FROM (" facts ") u"     \
    " GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(d) <> 0;"
#define PG_RE_COUNT_FUNCTION_DEFERRABLE(name, facts)                                       \
    "CREATE OR REPLACE FUNCTION " name "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "   \
    "IF " PG_COUNTS_DEFERRED " THEN " PG_RE_DELTA(facts) " RETURN NULL; END IF; "           \
    PK_RE_UPSERT(facts, "remind_effect_count AS c", "c.n") " RETURN NULL; END $$;"
#define PG_RE_COUNT_FUNCTIONS_DEFERRABLE                                                   \
    PG_RE_COUNT_FUNCTION_DEFERRABLE("remind_effect_reach_insert", PG_RE_REACH("new_rows", "1")) \
    PG_RE_COUNT_FUNCTION_DEFERRABLE("remind_effect_reach_update", PG_RE_REACH("new_rows", "1") \
                                    " UNION ALL " PG_RE_REACH("old_rows", "-1"))           \
    PG_RE_COUNT_FUNCTION_DEFERRABLE("remind_effect_reach_delete", PG_RE_REACH("old_rows", "-1")) \
    PG_RE_COUNT_FUNCTION_DEFERRABLE("remind_effect_journey_insert",                        \
                                    PG_RE_JOURNEY("new_rows", "1"))                        \
    PG_RE_COUNT_FUNCTION_DEFERRABLE("remind_effect_journey_delete",                        \
                                    PG_RE_JOURNEY("old_rows", "-1"))                       \
    PG_RE_COUNT_FUNCTION_DEFERRABLE("remind_effect_journey_update",                        \
                                    PG_RE_JOURNEY("new_rows", "1") " UNION ALL "           \
                                    PG_RE_JOURNEY("old_rows", "-1"))                       \
    PG_RE_COUNT_FUNCTION_DEFERRABLE("remind_effect_participant",                           \
                                    PG_RE_WHO("n", "1") " UNION ALL " PG_RE_WHO("o", "-1"))
#define PG_RE_DELTA_FOLD                                                                   \
    PK_RE_UPSERT("SELECT kode_wilayah, rule, sent, held, revoked, days, n AS d"            \
                 " FROM remind_effect_delta", "remind_effect_count AS c", "c.n")

#endif
