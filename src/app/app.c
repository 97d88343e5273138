/* app.c -- opening the application context, and the read-only use cases
 * (NIK check, eligibility self-check). */
#include "app/app.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/auth.h"
#include "app/operator.h"
#include "app/resident.h"
#include "app/wave_terms.h"
#include "core/ident.h"
#include "core/pk.h"
#include "store/store.h"
#include "app/committer.h"

static int add_region(void *ctx, const char *code, const char *name)
{
    return pk_regions_add(ctx, code, name);
}

static int read_file(const char *path, char **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return PK_EIO;
    }
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL || cap > 4 * 1024 * 1024) {
            free(buf);
            fclose(f);
            snprintf(err, errlen, "%s: too large or out of memory", path);
            return PK_ENOMEM;
        }
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, errlen, "cannot read %s", path);
        return PK_EIO;
    }
    buf[len] = '\0';
    *out = buf;
    return 0;
}

/* Opens the key file and checks it against the database: a database that
 * already holds sealed data names its key (by a check value, not the key
 * itself), and a missing or different key file is refused rather than
 * replaced, which would make a second, unreadable copy of every record. */
static int open_vault(pk_app *app, const char *key_file, char *err, size_t errlen)
{
    uint8_t want[PK_BLIND_LEN], have[PK_BLIND_LEN];
    size_t len = 0;
    int known = pk_store_meta_get(app->store, "key_check", want, sizeof(want), &len);
    if (known != 0 && known != PK_ENOENT) {
        snprintf(err, errlen, "cannot read the key check from the database");
        return known;
    }
    int rc = pk_vault_open(&app->vault, key_file, false, err, errlen);
    if (rc == PK_ENOENT && known == PK_ENOENT) {
        /* A database that has sealed nothing yet: its key is made now, and
         * said so, for the key file is what the backups must include. */
        rc = pk_vault_open(&app->vault, key_file, true, err, errlen);
        if (rc == 0)
            pk_app_log(app,
                       "created the key file %s (mode 0600) for this database: back it up "
                       "apart from the database; without it the personal data cannot be read",
                       key_file);
    } else if (rc == PK_ENOENT) {
        snprintf(err, errlen,
                 "key file %s is missing, but this database holds data sealed with a key: "
                 "restore the key file from its backup",
                 key_file);
        return PK_EINVAL; /* PK_ENOENT is the missing database's (app.h) */
    }
    if (rc != 0)
        return rc;
    pk_vault_check_value(&app->vault, have);
    if (known == PK_ENOENT) {
        /* First use: record which key this database is sealed with (the
         * first process wins if several start at once). */
        if ((rc = pk_store_meta_put_once(app->store, "key_check", have, sizeof(have))) != 0 ||
            (rc = pk_store_meta_get(app->store, "key_check", want, sizeof(want), &len)) != 0) {
            snprintf(err, errlen, "cannot record the key check in the database");
            return rc;
        }
    }
    if (len != sizeof(want) || memcmp(want, have, sizeof(want)) != 0) {
        snprintf(err, errlen,
                 "key file %s does not match this database (its data was sealed with another "
                 "key)",
                 key_file);
        return PK_EINVAL;
    }
    /* The blind index function the database was created with (vault.h). */
    char fn[32];
    rc = pk_store_meta_get(app->store, "blind", (uint8_t *)fn, sizeof(fn) - 1, &len);
    if (rc == PK_ENOENT)
        return 0;
    if (rc == 0 && len == strlen(PK_BLIND_SIPHASH_NAME) &&
        memcmp(fn, PK_BLIND_SIPHASH_NAME, len) == 0) {
        app->vault.blind = PK_BLIND_SIPHASH;
        return 0;
    }
    snprintf(err, errlen, "cannot read which blind index function this database uses");
    return rc != 0 ? rc : PK_EINVAL;
}

bool pk_app_db_is_url(const char *db)
{
    return strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0;
}

int pk_app_key_file(const pk_config *cfg, char *out, size_t outlen)
{
    if (cfg->key_file[0] != '\0') {
        snprintf(out, outlen, "%s", cfg->key_file);
        return 0;
    }
    if (pk_app_db_is_url(cfg->db)) {
        snprintf(out, outlen, "(key_file not set)");
        return PK_EINVAL;
    }
    snprintf(out, outlen, "%s.key", cfg->db);
    return 0;
}

void pk_app_log(const pk_app *app, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pk_vlogf(app->log, app->log_ctx, fmt, ap);
    va_end(ap);
}

/* What the store reports (pk_store_set_log) goes to the app's log. */
static void log_store(void *ctx, const char *msg)
{
    const pk_app *app = ctx;
    pk_app_log(app, "store: %s", msg);
}

int pk_app_open(pk_app *app, const pk_config *cfg, unsigned flags, pk_log_fn log, void *log_ctx,
                char *err, size_t errlen)
{
    int rc, from, to;
    char *text = NULL, inner[512] = "";
    memset(app, 0, sizeof(*app));
    app->cfg = *cfg;
    app->log = log;
    app->log_ctx = log_ctx;

    char path[2048];
    if (cfg->schemes_file[0] != '\0')
        snprintf(path, sizeof(path), "%s", cfg->schemes_file);
    else
        snprintf(path, sizeof(path), "%s/schemes.ini", cfg->data_dir);
    if ((rc = read_file(path, &text, err, errlen)) != 0)
        goto fail;
    if ((rc = pk_schemes_parse(text, &app->schemes, inner, sizeof(inner))) != 0) {
        snprintf(err, errlen, "%s: %s", path, inner);
        goto fail;
    }

    char key_file[sizeof(cfg->key_file) + 8];
    if (pk_app_key_file(cfg, key_file, sizeof(key_file)) != 0) {
        /* "<url>.key" is no file anyone meant. */
        rc = PK_EINVAL;
        snprintf(err, errlen, "key_file must be set for a PostgreSQL database");
        goto fail;
    }
    if (cfg->db_private && (rc = pk_store_check_private(cfg->db, err, errlen)) != 0)
        goto fail;
    rc = (flags & PK_APP_CREATE) ? pk_store_open(cfg->db, &app->store, err, errlen)
                                 : pk_store_open_existing(cfg->db, &app->store, err, errlen);
    if (rc == PK_ENOENT && !(flags & PK_APP_CREATE)) {
        free(text); /* the one PK_ENOENT (app.h) */
        pk_app_close(app);
        return rc;
    }
    if (rc != 0)
        goto fail;
    pk_store_set_log(app->store, log_store, app);
    pk_store_set_purchase_by(app->store, pk_wave_purchase_by, app);
    if ((rc = pk_store_migrate(app->store, cfg->data_dir, &from, &to, err, errlen)) != 0)
        goto fail;
    if ((rc = open_vault(app, key_file, err, errlen)) != 0)
        goto fail;
    if ((app->regions = pk_regions_new()) == NULL) {
        rc = PK_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if ((rc = pk_store_regions_each(app->store, add_region, app->regions)) != 0) {
        snprintf(err, errlen, "cannot read the region table from the database");
        goto fail;
    }
    pk_regions_seal(app->regions);
    if ((app->refusals = pk_refusals_new()) == NULL ||
        (app->codes = pk_code_queue_new()) == NULL ||
        (app->auth = pk_auth_new(cfg->hash_concurrency, cfg->hash_wait_ms)) == NULL) {
        rc = PK_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if ((app->committer = pk_committer_new(app->store, 256)) == NULL) {
        rc = PK_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    free(text);
    return 0;
fail:
    if (rc == PK_ENOENT)
        rc = PK_EIO; /* PK_ENOENT means the missing database only (app.h) */
    free(text);
    pk_app_close(app);
    return rc;
}

void pk_app_close(pk_app *app)
{
    pk_code_queue_free(app->codes); /* hands over the codes still waiting */
    app->codes = NULL;
    pk_committer_free(app->committer);
    pk_auth_free(app->auth);
    pk_refusals_free(app->refusals);
    app->auth = NULL;
    pk_store_close(app->store);
    pk_regions_free(app->regions);
    pk_vault_close(&app->vault);
    app->store = NULL;
    app->regions = NULL;
    app->committer = NULL;
}

pk_date pk_app_today(void)
{
    return pk_date_wib(time(NULL));
}

void pk_app_check_nik(const pk_app *app, const char *nik, size_t len, pk_nik_info *out)
{
    /* Every adapter gets the same answer for " 3174... " as for "3174...". */
    const char *t = pk_trim(nik, &len);
    pk_nik_check(t, len, app->regions, pk_app_today(), out);
}

int pk_app_validate(const pk_app *app, const pk_participant_input *in, pk_date today,
                    pk_participant *out, pk_validation *v)
{
    return pk_participant_validate(in, app->regions, app->cfg.service_province, today, out, v);
}

int pk_app_check_eligibility(const pk_app *app, const char *scheme_id, pk_date as_of,
                             const pk_participant_input *in, unsigned given,
                             unsigned declared_lists, pk_eligibility_result *out)
{
    memset(out, 0, sizeof(*out));
    out->as_of = as_of;
    out->scheme = scheme_id ? pk_schemes_find(&app->schemes, scheme_id)
                            : pk_schemes_current(&app->schemes);
    if (out->scheme == NULL)
        return PK_ENOENT;

    pk_participant p;
    pk_validation v;
    pk_app_validate(app, in, pk_app_today(), &p, &v);
    /* A self-check validates only what was given: drop the codes of
     * fields that were left out. */
    for (pk_code c = 0; c < PK_C__COUNT; c++) {
        const char *field = pk_code_field(c);
        pk_field f = field ? pk_field_by_name(field, strlen(field)) : PK_F__COUNT;
        bool about_given = f != PK_F__COUNT ? (given & (1u << f)) != 0
                                            : (v.bad_fields & given) != 0; /* baris_rusak */
        if (!about_given) {
            v.errors &= ~PK_CODEBIT(c);
            v.warnings &= ~PK_CODEBIT(c);
        }
    }
    if (!(given & (1u << PK_F_TANGGAL_LAHIR)))
        out->missing |= 1u << PK_F_TANGGAL_LAHIR;
    out->field_errors = v.errors;
    out->warnings = v.warnings;
    if (out->field_errors != 0 || out->missing != 0)
        return PK_EINVAL;

    pk_eligibility_context ctx = {.on_lists = declared_lists};
    out->reasons = pk_eligibility(&p, out->scheme, as_of, &ctx);
    return 0;
}

void pk_app_request_thread(const pk_app *app)
{
    pk_store_thread_lock_wait(app->cfg.lock_wait > 0 ? app->cfg.lock_wait * 1000 : 0);
}

int pk_app_health(const pk_app *app, int *schema_version)
{
    int latest = 0;
    *schema_version = 0;
    if (pk_store_ping(app->store) != 0 ||
        pk_store_version(app->store, schema_version, &latest) != 0)
        return PK_EIO;
    return 0;
}

bool pk_app_disk_full(const pk_app *app)
{
    return pk_store_disk_full(app->store);
}

int pk_app_migrate(const pk_config *cfg, pk_log_fn log, void *log_ctx, int *from, int *to,
                   char *err, size_t errlen)
{
    pk_store *s = NULL;
    pk_app app = {.log = log, .log_ctx = log_ctx}; /* for log_store only */
    int rc = cfg->db_private ? pk_store_check_private(cfg->db, err, errlen) : 0;
    if (rc == 0)
        rc = pk_store_open(cfg->db, &s, err, errlen);
    if (rc == 0) {
        pk_store_set_log(s, log_store, &app);
        rc = pk_store_migrate(s, cfg->data_dir, from, to, err, errlen);
    }
    pk_store_close(s);
    return rc;
}
