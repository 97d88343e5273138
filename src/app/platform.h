/* platform.h -- the digital platforms that sell trainings against a
 * participant's balance: their credentials and the signed requests they
 * send to /api/v1/platform/... (docs/PLATFORM-API.md).
 *
 * Each platform has a code ("tokopedia"), a name and a secret: 64
 * lowercase hex digits, shown once when it is created or rotated.  The
 * server must know the secret to check a signature, so it cannot keep
 * only a hash of it: the secret is sealed with the vault's key
 * (XChaCha20-Poly1305, bound to the platform's code) before it reaches
 * the database, like personal data (docs/PRIVACY.md), and opened only to
 * check a request.
 *
 * A request is signed with HMAC-SHA256 under the secret (its 64 ASCII
 * characters are the key) over
 *
 *     METHOD "\n" PATH "\n" TIMESTAMP "\n" NONCE "\n" hex(SHA-256(BODY))
 *
 * and refused when the platform is unknown or disabled, the signature
 * does not match (compared in constant time), the timestamp is more than
 * PK_PLATFORM_SKEW seconds from the server's clock, or the nonce was used
 * in the last PK_PLATFORM_NONCE_TTL seconds (longer than the window, so
 * a replayed request is either stale or remembered).  Its Idempotency-Key
 * names the request: a retry with the same key and the same request gets
 * the first answer kept, byte for byte; the same key with another request
 * is refused. */
#ifndef PK_PLATFORM_H
#define PK_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/buf.h"

#define PK_PLATFORM_SECRET_TEXT 65    /* 64 hex digits and a NUL */
#define PK_PLATFORM_CODE_LEN 33       /* [a-z0-9_-]{2,32} and a NUL */
#define PK_PLATFORM_KEY_LEN 65        /* an Idempotency-Key: 1-64 characters */
#define PK_PLATFORM_SKEW 300          /* seconds a timestamp may be off */
#define PK_PLATFORM_NONCE_TTL 600     /* seconds a nonce is remembered */
#define PK_PLATFORM_AD_MAX (9 + PK_PLATFORM_CODE_LEN) /* "platform:" and the code */

/* The associated data a platform's sealed secret is bound to (its code,
 * so a box copied to another platform does not open): for the seal, its
 * opening, and key rotation (app/keys.c). */
void pk_platform_secret_ad(const char *code, char ad[PK_PLATFORM_AD_MAX]);

/* `prakerja platform add|rotate|disable`, audited as `actor`.  add and
 * rotate write the new secret into `secret` (shown once, never stored in
 * clear).  PK_EINVAL for a malformed code or name, PK_ECONFLICT for a code
 * that exists (add), PK_ENOENT for one that does not; err says why. */
int pk_platform_add(const pk_app *app, const char *actor, const char *code, const char *name,
                    char secret[PK_PLATFORM_SECRET_TEXT], char *err, size_t errlen);
int pk_platform_rotate(const pk_app *app, const char *actor, const char *code,
                       char secret[PK_PLATFORM_SECRET_TEXT], char *err, size_t errlen);
int pk_platform_disable(const pk_app *app, const char *actor, const char *code, char *err,
                        size_t errlen);

/* A platform as listed: never its secret.  Strings live during the call. */
typedef struct pk_platform_info {
    const char *code, *name, *created_at;
    bool disabled;
} pk_platform_info;
typedef int (*pk_platform_info_cb)(void *ctx, const pk_platform_info *p);
int pk_platform_list(const pk_app *app, pk_platform_info_cb cb, void *ctx);

/* What a signed request carries (header values NULL when absent). */
typedef struct pk_platform_request {
    const char *method, *path;
    const char *platform, *timestamp, *nonce, *signature, *key;
    const void *body;
    size_t body_len;
    int64_t now;        /* the server's clock, Unix seconds */
} pk_platform_request;

/* Why a request was refused; each has its machine code and message
 * (pk_platform_refusal_code, _message) and its HTTP status. */
typedef enum pk_platform_verdict {
    PK_PLATFORM_OK = 0,
    PK_PLATFORM_UNKNOWN,        /* 401 platform_tidak_dikenal (or disabled) */
    PK_PLATFORM_BAD_SIGNATURE,  /* 401 tanda_tangan_tidak_valid (missing or wrong) */
    PK_PLATFORM_STALE,          /* 401 waktu_di_luar_batas */
    PK_PLATFORM_NONCE_USED,     /* 401 nonce_terpakai (or malformed) */
    PK_PLATFORM_NO_KEY,         /* 400 kunci_idempotensi_wajib */
    PK_PLATFORM_KEY_CLASH,      /* 422 kunci_idempotensi_bentrok */
} pk_platform_verdict;
const char *pk_platform_refusal_code(pk_platform_verdict v);
const char *pk_platform_refusal_message(pk_platform_verdict v);
int pk_platform_refusal_status(pk_platform_verdict v);

typedef struct pk_tx pk_tx;   /* store/store.h */

#define PK_PLATFORM_NONCE_LEN 129     /* a nonce: 1-128 characters */
/* Answers kept for idempotency keys are forgotten after this many
 * seconds (a day); the purchase itself stays idempotent by its key for
 * ever (its reference is made from it: app/purchase.c). */
#define PK_PLATFORM_ANSWER_TTL 86400

/* The platform a verified request came from, and what names it for
 * idempotency. */
typedef struct pk_platform_caller {
    int64_t id;
    char code[PK_PLATFORM_CODE_LEN];
    char key[PK_PLATFORM_KEY_LEN];
    uint8_t digest[32];  /* SHA-256 of METHOD "\n" PATH "\n" BODY */
    char nonce[PK_PLATFORM_NONCE_LEN];
    int64_t now;         /* the request's clock (pk_platform_request.now) */
    pk_tx *tx;           /* during pk_platform_exec's work: its transaction */
} pk_platform_caller;

/* Checks r in the order: platform, signature, timestamp, idempotency
 * key, nonce's form.  The nonce is recorded by pk_platform_exec, in the
 * request's own transaction (only for a request signed with the secret,
 * so nobody else can use up a platform's nonces).  *v receives the
 * verdict; returns 0, or a store error (PK_EIO) with *v undefined. */
int pk_platform_verify(const pk_app *app, const pk_platform_request *r, pk_platform_caller *out,
                       pk_platform_verdict *v);

/* The work a verified request asks for, run by pk_platform_exec inside
 * its transaction (c->tx, for the app's operations that take a caller:
 * app/purchase.h): it writes the answer's status and body.  Returns 0,
 * or a store error that undoes the whole request (PK_ECONFLICT: done
 * again, now seeing what another process wrote).  It may run more than
 * once (a redo), so it starts from an empty body each time. */
typedef int (*pk_platform_work)(void *ctx, const pk_platform_caller *c, int *status,
                                pk_buf *body);

/* Runs a verified request as one piece of a group commit (app/committer.h),
 * so many requests share one durable commit: records its nonce (*v
 * PK_PLATFORM_NONCE_USED when it was used: nothing else happens), then
 * answers a retry with the answer kept for its key (*replayed; or *v
 * PK_PLATFORM_KEY_CLASH when the key named another request), else runs
 * work and keeps its answer (a status below 500) for the key: the nonce,
 * the work and the answer are durable together, or none of them, when
 * this returns.  Returns 0, or a store error (nothing was done: the
 * platform may retry).  Now and then it also forgets the answers kept
 * longer than PK_PLATFORM_ANSWER_TTL. */
int pk_platform_exec(const pk_app *app, pk_platform_caller *c, pk_platform_work work, void *ctx,
                     int *status, pk_buf *body, bool *replayed, pk_platform_verdict *v);

/* The answer kept for the caller's key: *found false when there is none
 * (go ahead); else *status and `body` hold it, or *v is
 * PK_PLATFORM_KEY_CLASH when the key named another request. */
int pk_platform_answer_find(const pk_app *app, const pk_platform_caller *c, bool *found,
                            int *status, pk_buf *body, pk_platform_verdict *v);
/* Keeps an answer for the caller's key (a status below 500 only: a
 * failure of the service is not an answer, and a retry runs again), then
 * reads back the one kept: if another request with this key answered
 * first, *status and `body` become that answer, so every retry gets the
 * same.  The work behind an answer must itself be idempotent by the
 * caller's key (a purchase's reference is made from it), since two
 * retries at the same instant may both run before either is kept. */
int pk_platform_answer_keep(const pk_app *app, const pk_platform_caller *c, int *status,
                            pk_buf *body);

#endif
