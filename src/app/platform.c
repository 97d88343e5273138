/* platform.c -- the digital platforms: credentials (sealed secrets), the
 * check of a signed request, and each request run as one piece of a
 * group commit with its nonce and the answer kept for its idempotency key.
 * See platform.h for the protocol. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/platform.h"
#include "app/committer.h"
#include "store/store.h"

#define AD_PREFIX "platform:" /* PK_PLATFORM_AD_MAX counts its 9 bytes */

/* ---- credentials ---------------------------------------------------------- */

static bool code_ok(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n < 2 || n >= PK_PLATFORM_CODE_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)code[i]) || isdigit((unsigned char)code[i]) ||
              code[i] == '_' || code[i] == '-'))
            return false;
    return true;
}

/* 1-160 bytes of printable UTF-8 (no control characters). */
static bool name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= PK_PLATFORM_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return false;
    return true;
}

void pk_platform_secret_ad(const char *code, char ad[PK_PLATFORM_AD_MAX])
{
    snprintf(ad, PK_PLATFORM_AD_MAX, AD_PREFIX "%s", code);
}

/* A new secret in `secret`, sealed into p->secret. */
static int new_secret(const pk_app *app, const char *code, char secret[PK_PLATFORM_SECRET_TEXT],
                      pk_platform *p)
{
    uint8_t raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(secret, PK_PLATFORM_SECRET_TEXT, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    char ad[PK_PLATFORM_AD_MAX];
    pk_platform_secret_ad(code, ad);
    pk_buf box;
    pk_buf_init(&box, sizeof(p->secret));
    int rc = pk_vault_seal(&app->vault, secret, strlen(secret), ad, strlen(ad), &box);
    if (rc == 0 && (pk_buf_failed(&box) || box.len > sizeof(p->secret)))
        rc = PK_ENOMEM;
    if (rc == 0) {
        memcpy(p->secret, box.data, box.len);
        p->secret_len = box.len;
    }
    pk_buf_free(&box);
    if (rc != 0)
        sodium_memzero(secret, PK_PLATFORM_SECRET_TEXT);
    return rc;
}

static pk_audit_entry audit_of(const char *actor, const char *action, const char *detail)
{
    return (pk_audit_entry){actor ? actor : "", "cli", action, 0, detail};
}

int pk_platform_add(const pk_app *app, const char *actor, const char *code, const char *name,
                    char secret[PK_PLATFORM_SECRET_TEXT], char *err, size_t errlen)
{
    if (!code_ok(code)) {
        snprintf(err, errlen, "the code must be 2-32 of a-z, 0-9, _ and -");
        return PK_EINVAL;
    }
    if (!name_ok(name)) {
        snprintf(err, errlen, "the name must be 1-%d bytes without control characters",
                 PK_PLATFORM_NAME_MAX - 1);
        return PK_EINVAL;
    }
    pk_platform p;
    memset(&p, 0, sizeof(p));
    snprintf(p.code, sizeof(p.code), "%s", code);
    snprintf(p.name, sizeof(p.name), "%s", name);
    int rc = new_secret(app, code, secret, &p);
    if (rc != 0) {
        snprintf(err, errlen, "cannot seal the secret");
        return rc;
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "code=%s", code);
    pk_audit_entry ae = audit_of(actor, "platform.add", detail);
    int64_t id;
    if ((rc = pk_store_platform_insert(app->store, &p, &ae, &id)) != 0) {
        sodium_memzero(secret, PK_PLATFORM_SECRET_TEXT);
        snprintf(err, errlen, rc == PK_ECONFLICT ? "platform %s exists already"
                                                 : "cannot store the platform", code);
    }
    return rc;
}

int pk_platform_rotate(const pk_app *app, const char *actor, const char *code,
                       char secret[PK_PLATFORM_SECRET_TEXT], char *err, size_t errlen)
{
    if (!code_ok(code)) {
        snprintf(err, errlen, "no platform %s", code ? code : "");
        return PK_ENOENT;
    }
    pk_platform p;
    memset(&p, 0, sizeof(p));
    int rc = new_secret(app, code, secret, &p);
    if (rc != 0) {
        snprintf(err, errlen, "cannot seal the secret");
        return rc;
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "code=%s", code);
    pk_audit_entry ae = audit_of(actor, "platform.rotate", detail);
    if ((rc = pk_store_platform_update(app->store, code, p.secret, p.secret_len, -1, &ae)) !=
        0) {
        sodium_memzero(secret, PK_PLATFORM_SECRET_TEXT);
        snprintf(err, errlen, rc == PK_ENOENT ? "no platform %s" : "cannot store the secret",
                 code);
    }
    return rc;
}

int pk_platform_disable(const pk_app *app, const char *actor, const char *code, char *err,
                        size_t errlen)
{
    int rc = PK_ENOENT;
    if (code_ok(code)) {
        char detail[64];
        snprintf(detail, sizeof(detail), "code=%s", code);
        pk_audit_entry ae = audit_of(actor, "platform.disable", detail);
        rc = pk_store_platform_update(app->store, code, NULL, 0, 1, &ae);
    }
    if (rc != 0)
        snprintf(err, errlen, rc == PK_ENOENT ? "no platform %s" : "cannot disable %s",
                 code ? code : "");
    return rc;
}

typedef struct list_walk {
    pk_platform_info_cb cb;
    void *ctx;
} list_walk;

static int each_platform(void *ctx, const pk_platform *p)
{
    list_walk *w = ctx;
    pk_platform_info info = {p->code, p->name, p->created_at, p->disabled != 0};
    return w->cb(w->ctx, &info);
}

int pk_platform_list(const pk_app *app, pk_platform_info_cb cb, void *ctx)
{
    list_walk w = {cb, ctx};
    return pk_store_platforms_each(app->store, each_platform, &w);
}

/* ---- signed requests ------------------------------------------------------- */

static const struct {
    const char *code, *message;
    int status;
} refusals[] = {
    [PK_PLATFORM_OK] = {"", "", 200},
    [PK_PLATFORM_UNKNOWN] = {"platform_tidak_dikenal",
                             "Platform tidak dikenal atau tidak aktif. Periksa header "
                             "X-Prakerja-Platform.", 401},
    [PK_PLATFORM_BAD_SIGNATURE] = {"tanda_tangan_tidak_valid",
                                   "Tanda tangan permintaan (X-Prakerja-Signature) tidak "
                                   "valid.", 401},
    [PK_PLATFORM_STALE] = {"waktu_di_luar_batas",
                           "Waktu permintaan (X-Prakerja-Timestamp) berbeda lebih dari 5 menit "
                           "dari waktu server.", 401},
    [PK_PLATFORM_NONCE_USED] = {"nonce_terpakai",
                                "Nonce (X-Prakerja-Nonce) sudah pernah dipakai atau tidak "
                                "valid. Kirim setiap permintaan dengan nonce baru.", 401},
    [PK_PLATFORM_NO_KEY] = {"kunci_idempotensi_wajib",
                            "Sertakan header Idempotency-Key: 1-64 karakter huruf, angka, "
                            "titik, garis bawah, titik dua atau tanda hubung.", 400},
    [PK_PLATFORM_KEY_CLASH] = {"kunci_idempotensi_bentrok",
                               "Idempotency-Key ini sudah dipakai untuk permintaan yang "
                               "berbeda.", 422},
};

const char *pk_platform_refusal_code(pk_platform_verdict v)
{
    return refusals[v].code;
}

const char *pk_platform_refusal_message(pk_platform_verdict v)
{
    return refusals[v].message;
}

int pk_platform_refusal_status(pk_platform_verdict v)
{
    return refusals[v].status;
}

/* 1..max characters of [A-Za-z0-9._:-]. */
static bool token_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || strchr("._:-", s[i]) != NULL))
            return false;
    return true;
}

/* Unix seconds: 1-12 digits. */
static bool parse_time(const char *s, int64_t *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 12)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Whether r's signature is HMAC-SHA256 under `secret` of its canonical
 * string (platform.h), compared in constant time. */
static bool signature_ok(const pk_platform_request *r, const char *secret)
{
    uint8_t given[crypto_auth_hmacsha256_BYTES];
    size_t glen = 0;
    if (r->signature == NULL || strlen(r->signature) != 2 * sizeof(given) ||
        sodium_hex2bin(given, sizeof(given), r->signature, strlen(r->signature), NULL, &glen,
                       NULL) != 0 ||
        glen != sizeof(given))
        return false;
    uint8_t body_hash[crypto_hash_sha256_BYTES];
    char body_hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(body_hash, r->body, r->body_len);
    sodium_bin2hex(body_hex, sizeof(body_hex), body_hash, sizeof(body_hash));
    crypto_auth_hmacsha256_state st;
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    const char *parts[] = {r->method, r->path, r->timestamp, r->nonce, body_hex};
    for (size_t i = 0; i < PK_ARRAY_LEN(parts); i++) {
        if (i > 0)
            crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n", 1);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)parts[i], strlen(parts[i]));
    }
    crypto_auth_hmacsha256_final(&st, mac);
    bool ok = sodium_memcmp(mac, given, sizeof(mac)) == 0;
    sodium_memzero(&st, sizeof(st));
    return ok;
}

int pk_platform_verify(const pk_app *app, const pk_platform_request *r, pk_platform_caller *out,
                       pk_platform_verdict *v)
{
    memset(out, 0, sizeof(*out));
    *v = PK_PLATFORM_UNKNOWN;
    if (!code_ok(r->platform))
        return 0;
    pk_platform p;
    int rc = pk_store_platform_find(app->store, r->platform, &p);
    if (rc == PK_ENOENT)
        return 0;
    if (rc != 0)
        return PK_EIO;
    if (p.disabled)
        return 0;

    /* the secret, opened only for this check */
    *v = PK_PLATFORM_BAD_SIGNATURE;
    if (r->timestamp == NULL || r->nonce == NULL || r->signature == NULL)
        return 0;
    char ad[PK_PLATFORM_AD_MAX];
    pk_platform_secret_ad(p.code, ad);
    pk_buf plain;
    pk_buf_init(&plain, 256);
    rc = pk_vault_unseal(&app->vault, p.secret, p.secret_len, ad, strlen(ad), &plain);
    bool ok = rc == 0 && pk_buf_addc(&plain, '\0') == 0 && signature_ok(r, pk_buf_str(&plain));
    pk_buf_wipe_free(&plain);
    if (rc != 0) {
        pk_app_log(app, "platform %s: its secret does not open with this key file", p.code);
        return PK_EIO;
    }
    if (!ok)
        return 0;

    int64_t at;
    *v = PK_PLATFORM_STALE;
    if (!parse_time(r->timestamp, &at) || at < r->now - PK_PLATFORM_SKEW ||
        at > r->now + PK_PLATFORM_SKEW)
        return 0;
    *v = PK_PLATFORM_NO_KEY;
    if (!token_ok(r->key, PK_PLATFORM_KEY_LEN - 1))
        return 0;
    *v = PK_PLATFORM_NONCE_USED;
    if (!token_ok(r->nonce, 128))
        return 0;
    out->id = p.id;
    out->now = r->now;
    snprintf(out->nonce, sizeof(out->nonce), "%s", r->nonce);
    snprintf(out->code, sizeof(out->code), "%s", p.code);
    snprintf(out->key, sizeof(out->key), "%s", r->key);
    crypto_hash_sha256_state hs;
    crypto_hash_sha256_init(&hs);
    crypto_hash_sha256_update(&hs, (const unsigned char *)r->method, strlen(r->method));
    crypto_hash_sha256_update(&hs, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&hs, (const unsigned char *)r->path, strlen(r->path));
    crypto_hash_sha256_update(&hs, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&hs, r->body, r->body_len);
    crypto_hash_sha256_final(&hs, out->digest);
    *v = PK_PLATFORM_OK;
    return 0;
}

/* ---- one request, one piece of a group commit ------------------------------ */

typedef struct exec_job {
    const pk_app *app;
    pk_platform_caller *c;
    pk_platform_work work;
    void *ctx;
    int *status;
    pk_buf *body;
    bool replayed;
    pk_platform_verdict v;
} exec_job;

/* What a piece returns to have itself undone when the request is refused
 * before its work (a nonce used): not an error of the store. */
#define REFUSED 1

static int exec_in_tx(pk_tx *tx, void *arg)
{
    exec_job *x = arg;
    pk_platform_caller *c = x->c;
    x->replayed = false;
    x->v = PK_PLATFORM_OK;
    *x->status = 0;
    pk_buf_reset(x->body);
    /* The nonces past their time are forgotten by one piece a second, not
     * looked for by each (per process: the app is one per process). */
    static int64_t forgot;
    int64_t seen = __atomic_load_n(&forgot, __ATOMIC_RELAXED), forget_before = 0;
    if (c->now != seen && __atomic_compare_exchange_n(&forgot, &seen, c->now, false,
                                                      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
        forget_before = c->now - PK_PLATFORM_NONCE_TTL;
    int rc = pk_tx_platform_nonce(tx, c->id, c->nonce, c->now, forget_before);
    if (rc == PK_ECONFLICT) {
        x->v = PK_PLATFORM_NONCE_USED;
        return REFUSED;
    }
    if (rc != 0)
        return rc;
    uint8_t digest[PK_IDEM_DIGEST_LEN];
    rc = pk_tx_idem_get(tx, c->id, c->key, digest, x->status, x->body);
    if (rc == 0) { /* a retry (kept with its nonce), or the key of another request */
        if (sodium_memcmp(digest, c->digest, sizeof(digest)) != 0)
            x->v = PK_PLATFORM_KEY_CLASH;
        else
            x->replayed = true;
        return 0;
    }
    if (rc != PK_ENOENT)
        return rc;
    pk_buf_reset(x->body);
    c->tx = tx;
    rc = x->work(x->ctx, c, x->status, x->body);
    c->tx = NULL;
    if (rc != 0)
        return rc;
    /* not an answer: a retry runs again (a 429 of the card limit too,
     * whose retry after Retry-After must be judged afresh: an outside
     * test got the kept 429 back with no Retry-After) */
    if (*x->status >= 500 || *x->status == 429 || pk_buf_failed(x->body))
        return 0;
    int kept = 0;
    rc = pk_tx_idem_put(tx, c->id, c->key, c->digest, *x->status, x->body->data, x->body->len,
                        &kept);
    /* another process kept an answer for this key meanwhile: undo, and
     * the next attempt answers with theirs */
    return rc != 0 ? rc : kept ? 0 : PK_ECONFLICT;
}

/* Forgets the answers kept longer than PK_PLATFORM_ANSWER_TTL, at most
 * once a minute per process, a slice of rows per transaction. */
static void prune_answers(const pk_app *app, int64_t now)
{
    static int64_t last; /* per process: the app is one per process */
    int64_t seen = __atomic_load_n(&last, __ATOMIC_RELAXED);
    if (now - seen < 60 || !__atomic_compare_exchange_n(&last, &seen, now, false,
                                                         __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
        return;
    time_t t = (time_t)(now - PK_PLATFORM_ANSWER_TTL);
    struct tm tm;
    char before[32];
    gmtime_r(&t, &tm);
    strftime(before, sizeof(before), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    int64_t n = 0;
    for (int i = 0; i < 100; i++) {
        int rc = pk_store_idem_prune(app->store, before, 2000, &n);
        if (rc != 0) {
            pk_app_log(app, "platform: forgetting old idempotent answers failed (%d)", rc);
            return;
        }
        if (n < 2000)
            return;
    }
}

int pk_platform_exec(const pk_app *app, pk_platform_caller *c, pk_platform_work work, void *ctx,
                     int *status, pk_buf *body, bool *replayed, pk_platform_verdict *v)
{
    exec_job x = {app, c, work, ctx, status, body, false, PK_PLATFORM_OK};
    int rc = PK_ECONFLICT;
    for (int attempt = 1; attempt <= PK_REDO_MAX && rc == PK_ECONFLICT; attempt++)
        rc = pk_committer_run(app->committer, exec_in_tx, NULL, &x);
    *replayed = x.replayed;
    *v = x.v;
    if (rc == REFUSED)
        rc = 0;
    if (rc == 0)
        prune_answers(app, c->now);
    return rc;
}
