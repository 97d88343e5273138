/* sql_platform.h -- the SQL of the digital platforms' credentials, the
 * nonces they have used and the answers kept for their idempotency keys,
 * written once for both backends.
 *
 * An X-macro list like sql_accounts.h (same placeholders and parameter
 * types; the includer defines SQL_NOW), included by sqlite_stmts.h and
 * pg_stmts.h after it (it uses its SQL_AUDIT_ROW).  A platform's secret
 * is a box sealed by the app's vault (app/platform.c): the database alone
 * cannot sign a request. */

#define SQL_PLATFORM_COLS "id, code, name, secret, disabled, created_at"

/* platform_insert: PK_ECONFLICT from the UNIQUE code */
X(S_PLATFORM_INSERT, "ttb",
  "INSERT INTO pk_platform (code, name, secret, disabled, created_at, updated_at)"
  " VALUES ($1, $2, $3, 0, " SQL_NOW ", " SQL_NOW ") RETURNING id")
/* platform_update: $1 a new secret (NULL: keep it), $2 disabled (< 0: keep it) */
X(S_PLATFORM_UPDATE, "bit",
  "UPDATE pk_platform SET secret = coalesce($1, secret),"
  " disabled = CASE WHEN $2 < 0 THEN disabled ELSE $2 END,"
  " updated_at = " SQL_NOW " WHERE code = $3")
X(S_AUDIT_PLATFORM, "ttttt", SQL_AUDIT_ROW("pk_platform", "code = $5"))
X(S_PLATFORM_FIND, "t", "SELECT " SQL_PLATFORM_COLS " FROM pk_platform WHERE code = $1")
X(S_PLATFORMS_EACH, "", "SELECT " SQL_PLATFORM_COLS " FROM pk_platform ORDER BY id")
/* platform_nonce: these two, in one transaction; the insert touches no
 * row for a nonce already seen */
X(S_PLATFORM_NONCES_FORGET, "i", "DELETE FROM pk_platform_nonce WHERE seen_at < $1")
X(S_PLATFORM_NONCE, "iti",
  "INSERT INTO pk_platform_nonce (platform, nonce, seen_at) VALUES ($1, $2, $3)"
  " ON CONFLICT DO NOTHING")
X(S_IDEM_GET, "it",
  "SELECT digest, status, body FROM pk_idempotency WHERE platform = $1 AND ikey = $2")
/* idem_put: the first answer stays */
X(S_IDEM_PUT, "itbib",
  "INSERT INTO pk_idempotency (platform, ikey, digest, status, body, created_at)"
  " VALUES ($1, $2, $3, $4, $5, " SQL_NOW ") ON CONFLICT DO NOTHING")
/* idem_prune: a bounded slice of the answers kept before $1 (pk_store_now's
 * form), by the index on created_at (migration 13) */
X(S_IDEM_PRUNE, "ti",
  "DELETE FROM pk_idempotency WHERE (platform, ikey) IN (SELECT platform, ikey"
  " FROM pk_idempotency WHERE created_at < $1 ORDER BY created_at LIMIT $2)")
/* card_find: a number is a card's, or was one's before a reissue
 * (pk_card_retired): unique across both, never reused */
X(S_CARD_FIND, "t",
  "SELECT participant_id, CAST(0 AS bigint) FROM pk_card WHERE number = $1"
  " UNION ALL SELECT participant_id, CAST(1 AS bigint) FROM pk_card_retired"
  " WHERE number = $1")
/* cards_page: by holder, after $1 */
X(S_CARDS_PAGE, "ii",
  "SELECT participant_id, serial, number FROM pk_card WHERE participant_id > $1"
  " ORDER BY participant_id LIMIT $2")
/* card_reissue: the old number and serial retired, then the card's
 * replaced (migration 34's trigger allows only that order) */
X(S_CARD_RETIRE, "ii",
  "INSERT INTO pk_card_retired (number, participant_id, serial, wave, issued_at, retired_at)"
  " SELECT number, participant_id, serial, wave, issued_at, $1 FROM pk_card"
  " WHERE participant_id = $2")
X(S_CARD_RENUMBER, "iti", "UPDATE pk_card SET serial = $1, number = $2 WHERE participant_id = $3")

/* ---- the training catalogue: providers (LPK) and courses ---- */

#define SQL_COURSE_COLS                                                                  \
    "c.id, c.platform, c.course_ref, c.title, p.name, c.price, c.mode"
/* course_put: the provider by name (made on first use), then the course
 * as stored (if any), then an insert or an update */
X(S_PROVIDER_ADD, "t",
  "INSERT INTO pk_provider (name, created_at) VALUES ($1, " SQL_NOW ")"
  " ON CONFLICT (name) DO NOTHING")
X(S_PROVIDER_ID, "t", "SELECT id FROM pk_provider WHERE name = $1")
X(S_COURSE_GET, "tt",
  "SELECT id, title, provider_id, price, mode FROM pk_course"
  " WHERE platform = $1 AND course_ref = $2")
X(S_COURSE_INSERT, "tttiit",
  "INSERT INTO pk_course (platform, course_ref, title, provider_id, price, mode,"
  " created_at, updated_at)"
  " VALUES ($1, $2, $3, $4, $5, $6, " SQL_NOW ", " SQL_NOW ")")
X(S_COURSE_UPDATE, "tiiti",
  "UPDATE pk_course SET title = $1, provider_id = $2, price = $3, mode = $4,"
  " updated_at = " SQL_NOW " WHERE id = $5")
X(S_COURSE_FIND, "tt",
  "SELECT " SQL_COURSE_COLS " FROM pk_course c JOIN pk_provider p ON p.id = c.provider_id"
  " WHERE c.platform = $1 AND c.course_ref = $2")
/* courses_each: a page in id order after $1, at most $2 rows */
X(S_COURSES_EACH, "ii",
  "SELECT " SQL_COURSE_COLS " FROM pk_course c JOIN pk_provider p ON p.id = c.provider_id"
  " WHERE c.id > $1 ORDER BY c.id LIMIT $2")
