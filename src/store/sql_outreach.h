/* sql_outreach.h -- the SQL of outreach events and their attribution
 * (issue #15 "Outreach and digital literacy"), written once for both
 * backends: the events (a short-link code each), and which participant
 * registered through which event's link.
 *
 * An X-macro list like sql_accounts.h (same placeholders and parameter
 * types; the includer defines SQL_LOCK: PostgreSQL's row lock of the
 * event read inside a transaction, nothing on SQLite, whose single writer
 * holds the database; and SQL_JF_EPOCH, its backend's seconds of a
 * registration instant, sql_funnel.h), included last by sqlite_stmts.h
 * and pg_stmts.h, after sql_funnel.h. */

/* an event with the counts of its attributed registrations: all, and
 * those without a reason (eligible) */
#define SQL_OUTREACH_COLS                                                                  \
    "e.id, e.code, e.kind, e.title, e.starts_at, e.place, e.kode_wilayah, e.organiser,"    \
    " e.segmen, e.attendance, e.created_by, e.created_at, e.updated_at,"                   \
    " (SELECT count(*) FROM pk_outreach_attribution a WHERE a.event_id = e.id),"          \
    " (SELECT count(*) FROM pk_outreach_attribution a JOIN participant p"                 \
    " ON p.id = a.participant_id WHERE a.event_id = e.id AND p.reasons = 0)"
X(S_OUTREACH_INSERT, "tttittttitii",
  "INSERT INTO pk_outreach_event (code, kind, title, starts_at, place, kode_wilayah,"
  " organiser, segmen, attendance, created_by, created_at, updated_at)"
  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id")
X(S_OUTREACH_UPDATE, "ttittttiii",
  "UPDATE pk_outreach_event SET kind = $1, title = $2, starts_at = $3, place = $4,"
  " kode_wilayah = $5, organiser = $6, segmen = $7, attendance = $8, updated_at = $9"
  " WHERE id = $10")
X(S_OUTREACH_TX_GET, "i",
  "SELECT " SQL_OUTREACH_COLS " FROM pk_outreach_event e WHERE e.id = $1" SQL_LOCK)
X(S_OUTREACH_ATTRIBUTE, "iii",
  "INSERT INTO pk_outreach_attribution (participant_id, event_id, at) VALUES ($1, $2, $3)")
X(S_OUTREACH_GET, "i", "SELECT " SQL_OUTREACH_COLS " FROM pk_outreach_event e WHERE e.id = $1")
X(S_OUTREACH_CODE, "t",
  "SELECT " SQL_OUTREACH_COLS " FROM pk_outreach_event e WHERE e.code = $1")
/* a region is a range of village codes (see sq_bind_region, pg_region_params) */
X(S_OUTREACH_EACH, "ttiii",
  "SELECT " SQL_OUTREACH_COLS " FROM pk_outreach_event e"
  " WHERE e.kode_wilayah >= $1 AND e.kode_wilayah < $2 AND e.starts_at >= $3"
  " AND e.starts_at < $4 ORDER BY e.starts_at, e.id LIMIT $5")
X(S_OUTREACH_EACH_DESC, "ttiii",
  "SELECT " SQL_OUTREACH_COLS " FROM pk_outreach_event e"
  " WHERE e.kode_wilayah >= $1 AND e.kode_wilayah < $2 AND e.starts_at >= $3"
  " AND e.starts_at < $4 ORDER BY e.starts_at DESC, e.id DESC LIMIT $5")
X(S_OUTREACH_OF, "i", "SELECT event_id FROM pk_outreach_attribution WHERE participant_id = $1")
/* the funnel's "reached": the recorded attendance of a region's events by
 * the first $3 bytes of the village code (the index by village) */
X(S_OUTREACH_REACHED, "tti",
  "WITH e AS (SELECT kode_wilayah, attendance FROM pk_outreach_event"
  " WHERE kode_wilayah >= $1 AND kode_wilayah < $2 AND attendance >= 0)"
  " SELECT substr(kode_wilayah, 1, CAST($3 AS integer)), CAST(sum(attendance) AS bigint),"
  " count(*) FROM e GROUP BY 1 ORDER BY 1")
/* the funnel of an event: its attributed people's journey facts, counted
 * now (the attribution's index by event bounds the read) */
X(S_OUTREACH_JCOUNTS, "i", PK_JOURNEY_EVENT_CELLS(SQL_JF_EPOCH("p.created_at")))
