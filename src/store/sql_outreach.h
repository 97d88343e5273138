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
 * those without a reason (eligible), of the people whose village is in
 * [LO, HI) (the reader's scope: an event's registrants may live outside
 * its village, and a scoped reader learns nothing of them) */
#define SQL_OUTREACH_ATTRIBUTED(LO, HI)                                                    \
    " FROM pk_outreach_attribution a JOIN participant p ON p.id = a.participant_id"       \
    " WHERE a.event_id = e.id AND p.kode_wilayah >= " LO " AND p.kode_wilayah < " HI
#define SQL_OUTREACH_COLS(LO, HI)                                                          \
    "e.id, e.code, e.kind, e.title, e.starts_at, e.place, e.kode_wilayah, e.organiser,"    \
    " e.segmen, e.attendance, e.created_by, e.created_at, e.updated_at,"                   \
    " (SELECT count(*)" SQL_OUTREACH_ATTRIBUTED(LO, HI) "),"                               \
    " (SELECT count(*)" SQL_OUTREACH_ATTRIBUTED(LO, HI) " AND p.reasons = 0)"
/* every registrant counted (writes, the public short link) */
#define SQL_OUTREACH_ALL SQL_OUTREACH_COLS("''", "'~'")
X(S_OUTREACH_INSERT, "tttittttitii",
  "INSERT INTO pk_outreach_event (code, kind, title, starts_at, place, kode_wilayah,"
  " organiser, segmen, attendance, created_by, created_at, updated_at)"
  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id")
X(S_OUTREACH_UPDATE, "ttittttiii",
  "UPDATE pk_outreach_event SET kind = $1, title = $2, starts_at = $3, place = $4,"
  " kode_wilayah = $5, organiser = $6, segmen = $7, attendance = $8, updated_at = $9"
  " WHERE id = $10")
X(S_OUTREACH_TX_GET, "i",
  "SELECT " SQL_OUTREACH_ALL " FROM pk_outreach_event e WHERE e.id = $1" SQL_LOCK)
X(S_OUTREACH_ATTRIBUTE, "iii",
  "INSERT INTO pk_outreach_attribution (participant_id, event_id, at) VALUES ($1, $2, $3)")
/* the counted registrants' region first ($1, $2): SQLite numbers the
 * parameters in the order they first appear */
X(S_OUTREACH_GET, "tti",
  "SELECT " SQL_OUTREACH_COLS("$1", "$2") " FROM pk_outreach_event e WHERE e.id = $3")
X(S_OUTREACH_CODE, "t",
  "SELECT " SQL_OUTREACH_ALL " FROM pk_outreach_event e WHERE e.code = $1")
/* a region is a range of village codes (see sq_bind_region, pg_region_params):
 * the counted registrants' ($1, $2) and the events' ($3, $4) */
X(S_OUTREACH_EACH, "ttttiii",
  "SELECT " SQL_OUTREACH_COLS("$1", "$2") " FROM pk_outreach_event e"
  " WHERE e.kode_wilayah >= $3 AND e.kode_wilayah < $4 AND e.starts_at >= $5"
  " AND e.starts_at < $6 ORDER BY e.starts_at, e.id LIMIT $7")
X(S_OUTREACH_EACH_DESC, "ttttiii",
  "SELECT " SQL_OUTREACH_COLS("$1", "$2") " FROM pk_outreach_event e"
  " WHERE e.kode_wilayah >= $3 AND e.kode_wilayah < $4 AND e.starts_at >= $5"
  " AND e.starts_at < $6 ORDER BY e.starts_at DESC, e.id DESC LIMIT $7")
X(S_OUTREACH_OF, "i", "SELECT event_id FROM pk_outreach_attribution WHERE participant_id = $1")
/* the funnel's "reached": the recorded attendance of a region's events by
 * the first $3 bytes of the village code (the index by village) */
X(S_OUTREACH_REACHED, "tti",
  "WITH e AS (SELECT kode_wilayah, attendance FROM pk_outreach_event"
  " WHERE kode_wilayah >= $1 AND kode_wilayah < $2 AND attendance >= 0)"
  " SELECT substr(kode_wilayah, 1, CAST($3 AS integer)), CAST(sum(attendance) AS bigint),"
  " count(*) FROM e GROUP BY 1 ORDER BY 1")
/* the funnel of an event: its attributed people's journey facts, counted
 * now (the attribution's index by event bounds the read), of those whose
 * village is in [$2, $3) */
X(S_OUTREACH_JCOUNTS, "itt", PK_JOURNEY_EVENT_CELLS(SQL_JF_EPOCH("p.created_at")))
