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
