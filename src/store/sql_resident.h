/* sql_resident.h -- the SQL of residents' own access (issue #15 "Residents
 * sign in"), written once for both backends: one-time codes (a keyed hash
 * of the code, never the code), residents' sessions (a hash of the
 * session id), and a person's contact preferences (the preferred channel
 * the reminders read, and when the phone was verified).
 *
 * An X-macro list like sql_accounts.h (same placeholders and parameter
 * types; the includer defines SQL_NOW and SQL_LOCK_ROW: " FOR UPDATE" on
 * PostgreSQL, nothing on SQLite, whose write transactions take turns
 * already), included last by sqlite_stmts.h and pg_stmts.h. */

/* a new code replaces the person's previous one of that purpose */
X(S_RCODE_PUT, "itbi",
  "INSERT INTO pk_resident_code (participant_id, purpose, code, expires, attempts)"
  " VALUES ($1, $2, $3, $4, 0) ON CONFLICT (participant_id, purpose) DO UPDATE SET"
  " code = excluded.code, expires = excluded.expires, attempts = 0")
/* locked to the end of the check, so that entries made at the same time
 * each count an attempt (read unlocked, they all wrote the same count) */
X(S_RCODE_GET, "it",
  "SELECT code, expires, attempts FROM pk_resident_code"
  " WHERE participant_id = $1 AND purpose = $2" SQL_LOCK_ROW)
X(S_RCODE_SET, "iit",
  "UPDATE pk_resident_code SET attempts = $1 WHERE participant_id = $2 AND purpose = $3")
X(S_RCODE_DROP, "it", "DELETE FROM pk_resident_code WHERE participant_id = $1 AND purpose = $2")
/* sessions: expired ones go when a new one is made */
X(S_RSESSIONS_EXPIRE, "ii", "DELETE FROM pk_resident_session WHERE seen < $1 OR created < $2")
X(S_RSESSION_PUT, "bii",
  "INSERT INTO pk_resident_session (id, participant_id, created, seen) VALUES ($1, $2, $3, $3)")
X(S_RSESSION_GET, "b",
  "SELECT participant_id, created, seen FROM pk_resident_session WHERE id = $1")
X(S_RSESSION_TOUCH, "ib", "UPDATE pk_resident_session SET seen = $1 WHERE id = $2")
X(S_RSESSION_DROP, "b", "DELETE FROM pk_resident_session WHERE id = $1")
/* contact preferences: a row per person who set one */
X(S_PREF_GET, "i",
  "SELECT channel, phone_verified_at FROM pk_contact_pref WHERE participant_id = $1")
X(S_PREF_CHANNEL, "it",
  "INSERT INTO pk_contact_pref (participant_id, channel, phone_verified_at) VALUES ($1, $2, 0)"
  " ON CONFLICT (participant_id) DO UPDATE SET channel = excluded.channel")
X(S_PREF_VERIFIED, "ii",
  "INSERT INTO pk_contact_pref (participant_id, channel, phone_verified_at) VALUES ($1, '', $2)"
  " ON CONFLICT (participant_id) DO UPDATE SET phone_verified_at = excluded.phone_verified_at")
