/* sql_remind.h -- the SQL of reminders (reminders.md), written once for
 * both backends: consent per purpose, its current stops and the history
 * of every change with its time, channel and actor.
 *
 * An X-macro list like sql_accounts.h (same placeholders and parameter
 * types; the includer defines SQL_NOW), included last by sqlite_stmts.h
 * and pg_stmts.h. */

/* consent_set: a stop is kept once (the insert touches no row when the
 * purpose is stopped already), a start deletes it; a change that touched
 * a row is then appended to the history, in the same transaction */
X(S_CONSENT_STOP, "it",
  "INSERT INTO pk_consent_stop (participant_id, purpose, since)"
  " VALUES ($1, $2, " SQL_NOW ") ON CONFLICT DO NOTHING")
X(S_CONSENT_START, "it", "DELETE FROM pk_consent_stop WHERE participant_id = $1 AND purpose = $2")
X(S_CONSENT_CHANGE, "ititt",
  "INSERT INTO pk_consent_change (participant_id, purpose, stopped, channel, actor, changed_at)"
  " VALUES ($1, $2, $3, $4, $5, " SQL_NOW ")")
/* consent_get */
X(S_CONSENT_GET, "it",
  "SELECT since FROM pk_consent_stop WHERE participant_id = $1 AND purpose = $2")
/* consent_changes: the history, newest first */
X(S_CONSENT_CHANGES, "ii",
  "SELECT purpose, CAST(stopped AS BIGINT), channel, actor, changed_at FROM pk_consent_change"
  " WHERE participant_id = $1 ORDER BY id DESC LIMIT $2")

/* ---- a day's plan: what was recorded of a range of people ---- */
#define SQL_OUTBOX_COLS                                                                    \
    "id, participant_id, rule, anchor, k, day, send_at, channel, state, attempts, next_at," \
    " failed, vars, provider_id, error, delivered_at, read_at, to_bi"
X(S_REMIND_FIRES_RANGE, "ii",
  "SELECT participant_id, rule, anchor, k, offset_days, status FROM pk_remind_fire"
  " WHERE participant_id BETWEEN $1 AND $2")
X(S_REMIND_STOPS_RANGE, "ii",
  "SELECT participant_id, purpose FROM pk_consent_stop WHERE participant_id BETWEEN $1 AND $2")
X(S_REMIND_SENT_RANGE, "iit",
  "SELECT participant_id, day, count(*) FROM pk_remind_message"
  " WHERE participant_id BETWEEN $1 AND $2 AND day >= $3 AND state <> 'gagal'"
  " GROUP BY participant_id, day")
X(S_REMIND_FAILED_RANGE, "ii",
  "SELECT participant_id, channel FROM pk_contact_failed WHERE participant_id BETWEEN $1 AND $2")
X(S_REMIND_PREFS_RANGE, "ii",
  "SELECT participant_id, channel FROM pk_contact_pref WHERE participant_id BETWEEN $1 AND $2"
  " AND channel <> ''")
/* the same of a list of ids ($1, SQL_IN_IDS: the includer's list form) */
X(S_REMIND_FIRES_IDS, "t",
  "SELECT participant_id, rule, anchor, k, offset_days, status FROM pk_remind_fire"
  " WHERE " SQL_IN_IDS("participant_id"))
X(S_REMIND_STOPS_IDS, "t",
  "SELECT participant_id, purpose FROM pk_consent_stop WHERE " SQL_IN_IDS("participant_id"))
X(S_REMIND_SENT_IDS, "tt",
  "SELECT participant_id, day, count(*) FROM pk_remind_message"
  " WHERE " SQL_IN_IDS("participant_id") " AND day >= $2 AND state <> 'gagal'"
  " GROUP BY participant_id, day")
X(S_REMIND_FAILED_IDS, "t",
  "SELECT participant_id, channel FROM pk_contact_failed WHERE " SQL_IN_IDS("participant_id"))
X(S_REMIND_PREFS_IDS, "t",
  "SELECT participant_id, channel FROM pk_contact_pref WHERE " SQL_IN_IDS("participant_id")
  " AND channel <> ''")
/* remind_effect: per rule, the selected recipients with a fire of it,
 * grouped by whether one was sent (kirim), held out (kontrol), revoked,
 * and whole days from selection to the first purchase (-1: none): the
 * region's cells of remind_effect_count (sql_remind_effect.h) */
X(S_REMIND_EFFECT, "tt", PK_RE_READ)
/* the recount against those cells (stats verify), and their rebuild */
X(S_REMIND_EFFECT_VERIFY, "", PK_RE_VERIFY)
X(S_REMIND_REACH_CLEAR, "", "DELETE FROM remind_reach")
X(S_REMIND_EFFECT_CLEAR, "", "DELETE FROM remind_effect_count")
X(S_REMIND_REACH_FILL, "", PK_RE_REACH_FILL)
X(S_REMIND_EFFECT_CELLS, "", "SELECT count(*) FROM remind_effect_count")
/* remind_fire_put */
X(S_REMIND_FIRE_PUT, "itiiitti",
  "INSERT INTO pk_remind_fire (participant_id, rule, anchor, k, offset_days, status, day,"
  " message_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
  " ON CONFLICT (participant_id, rule, anchor, k, offset_days) DO UPDATE SET"
  " status = excluded.status, day = excluded.day, message_id = excluded.message_id")
/* ---- the outbox ---- */
X(S_OUTBOX_ADD, "itiititt",
  "INSERT INTO pk_remind_message (participant_id, rule, anchor, k, day, send_at, channel,"
  " state, attempts, next_at, failed, vars, provider_id, error, created_at, updated_at)"
  " VALUES ($1, $2, $3, $4, $5, $6, $7, 'antri', 0, $6, 0, $8, '', '', " SQL_NOW ", "
  SQL_NOW ") ON CONFLICT (participant_id, rule, anchor, k, day) DO NOTHING RETURNING id")
X(S_OUTBOX_DUE, "ii",
  "SELECT " SQL_OUTBOX_COLS " FROM pk_remind_message WHERE state IN ('antri', 'mengirim')"
  " AND next_at <= $1 ORDER BY next_at, id LIMIT $2")
X(S_OUTBOX_SET, "ttiiittbi",
  "UPDATE pk_remind_message SET state = $1, channel = $2, attempts = $3, next_at = $4,"
  " failed = $5, provider_id = $6, error = $7, to_bi = $8, updated_at = " SQL_NOW
  " WHERE id = $9")
X(S_OUTBOX_OF, "ii",
  "SELECT " SQL_OUTBOX_COLS " FROM pk_remind_message WHERE participant_id = $1"
  " ORDER BY id DESC LIMIT $2")
/* ---- receipts and replies (webhooks) ---- */
X(S_OUTBOX_FIND, "tt",
  "SELECT " SQL_OUTBOX_COLS " FROM pk_remind_message WHERE provider_id = $1 AND channel = $2"
  " ORDER BY id DESC LIMIT 1")
X(S_OUTBOX_LATEST_TO, "b",
  "SELECT " SQL_OUTBOX_COLS " FROM pk_remind_message WHERE to_bi = $1"
  " ORDER BY id DESC LIMIT 1")
/* a receipt's instants are kept once: the first delivered, the first read */
X(S_OUTBOX_RECEIPT, "iii",
  "UPDATE pk_remind_message SET"
  " delivered_at = CASE WHEN delivered_at = 0 THEN $1 ELSE delivered_at END,"
  " read_at = CASE WHEN read_at = 0 THEN $2 ELSE read_at END, updated_at = " SQL_NOW
  " WHERE id = $3 AND ((delivered_at = 0 AND $1 > 0) OR (read_at = 0 AND $2 > 0))")
X(S_INBOUND_ONCE, "tt",
  "INSERT INTO pk_inbound (channel, ref, at) VALUES ($1, $2, " SQL_NOW ")"
  " ON CONFLICT DO NOTHING")
X(S_CONTACT_FAILED_PUT, "itt",
  "INSERT INTO pk_contact_failed (participant_id, channel, error, at)"
  " VALUES ($1, $2, $3, " SQL_NOW ") ON CONFLICT DO NOTHING")
/* ---- leases ---- */
X(S_LEASE_TAKE, "ttiit",
  "INSERT INTO pk_lease (name, holder, until) VALUES ($1, $2, $3)"
  " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until"
  " WHERE pk_lease.until < $4 OR pk_lease.holder = excluded.holder OR pk_lease.holder = $5")
X(S_LEASE_HOLDER, "t", "SELECT holder FROM pk_lease WHERE name = $1")
X(S_LEASE_DROP, "tt", "DELETE FROM pk_lease WHERE name = $1 AND holder = $2")
