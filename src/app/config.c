/* config.c -- the settings table and its three sources (file, env, flags). */
#include "app/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/pk.h"
#include "pk_config.h"

typedef enum { T_STR, T_INT, T_LONG, T_BOOL, T_ADDR, T_CHOICE } ctype;

typedef struct setting {
    const char *key;
    ctype type;
    size_t off;
    size_t size;    /* for strings */
    long min, max;  /* for numbers */
    const char *const *choices; /* T_CHOICE: the words allowed, NULL-terminated */
} setting;

static const char *const modes[] = {"mirror", "engine", NULL};
static const char *const sms_types[] = {"form", "json", NULL};

#define S(k, f) {k, T_STR, offsetof(pk_config, f), sizeof(((pk_config *)0)->f), 0, 0, NULL}
#define I(k, f, lo, hi) {k, T_INT, offsetof(pk_config, f), 0, lo, hi, NULL}
#define L(k, f, lo, hi) {k, T_LONG, offsetof(pk_config, f), 0, lo, hi, NULL}

static const setting settings[] = {
    S("db", db),
    S("listen", listen),
    S("data_dir", data_dir),
    S("schemes_file", schemes_file),
    S("service_province", service_province),
    S("key_file", key_file),
    S("complaints_contact", complaints_contact),
    S("card_issuer", card_issuer),
    {"mode", T_CHOICE, offsetof(pk_config, mode), sizeof(((pk_config *)0)->mode), 0, 0, modes},
    I("threads", threads, 0, 256),
    I("max_connections", max_connections, 1, 100000),
    I("per_ip_connections", per_ip_connections, -1, 100000),
    I("timeout", timeout, 1, 3600),
    I("request_timeout", request_timeout, 0, 3600),
    L("max_body", max_body, 1024, 64L * 1024 * 1024),
    I("session_idle", session_idle, 1, 7 * 24 * 3600),
    I("session_max", session_max, 1, 30 * 24 * 3600),
    I("cookie_secure", cookie_secure, 0, 1),
    I("login_max_failures", login_max_failures, 1, 1000),
    I("login_window", login_window, 1, 24 * 3600),
    I("hash_concurrency", hash_concurrency, 1, 64),
    I("hash_wait_ms", hash_wait_ms, 0, 60000),
    I("lock_wait", lock_wait, 0, 3600),
    {"rate_limits", T_BOOL, offsetof(pk_config, rate_limits), 0, 0, 1, NULL},
    {"db_private", T_BOOL, offsetof(pk_config, db_private), 0, 0, 1, NULL},
    I("rate_lookup", rate_lookup, 1, 1000000),
    I("burst_lookup", burst_lookup, 1, 1000000),
    I("rate_check", rate_check, 1, 1000000),
    I("burst_check", burst_check, 1, 1000000),
    I("rate_register", rate_register, 1, 1000000),
    I("burst_register", burst_register, 1, 1000000),
    I("rate_login", rate_login, 1, 1000000),
    I("burst_login", burst_login, 1, 1000000),
    I("rate_code", rate_code, 1, 1000000),
    I("burst_code", burst_code, 1, 1000000),
    I("rate_card", rate_card, 1, 1000000),
    I("burst_card", burst_card, 1, 1000000),
    {"trusted_proxy", T_ADDR, offsetof(pk_config, trusted_proxy),
     sizeof(((pk_config *)0)->trusted_proxy), 0, 0, NULL},
    I("import_bulk_mb", import_bulk_mb, 0, 1 << 20),
    I("stats_min_count", stats_min_count, 0, 1000),
    I("login_max_failures_address", login_max_failures_address, 1, 1000000),
    I("login_backoff", login_backoff, 0, 3600),
    I("login_backoff_max", login_backoff_max, 0, 24 * 3600),
    S("reminders_file", reminders_file),
    S("portal_url", portal_url),
    S("remind_file", remind_file),
    S("remind_at", remind_at),
    I("channel_timeout", channel_timeout, 1, 300),
    S("whatsapp_url", whatsapp_url),
    S("whatsapp_phone_id", whatsapp_phone_id),
    S("whatsapp_token", whatsapp_token),
    S("whatsapp_app_secret", whatsapp_app_secret),
    I("whatsapp_rate", whatsapp_rate, 0, 100000),
    S("sms_url", sms_url),
    S("sms_auth_header", sms_auth_header),
    {"sms_content_type", T_CHOICE, offsetof(pk_config, sms_content_type),
     sizeof(((pk_config *)0)->sms_content_type), 0, 0, sms_types},
    S("sms_body", sms_body),
    S("sms_ok", sms_ok),
    S("sms_id_field", sms_id_field),
    {"sms_dedup", T_BOOL, offsetof(pk_config, sms_dedup), 0, 0, 1, NULL},
    I("sms_rate", sms_rate, 0, 100000),
    S("whatsapp_verify_token", whatsapp_verify_token),
    S("sms_webhook_secret", sms_webhook_secret),
    S("sms_dr_id_field", sms_dr_id_field),
    S("sms_dr_status_field", sms_dr_status_field),
    S("sms_dr_delivered", sms_dr_delivered),
    S("sms_dr_failed", sms_dr_failed),
    S("sms_mo_from_field", sms_mo_from_field),
    S("sms_mo_text_field", sms_mo_text_field),
    S("sms_mo_id_field", sms_mo_id_field),
    S("smtp_url", smtp_url),
    S("smtp_user", smtp_user),
    S("smtp_password", smtp_password),
    S("smtp_from", smtp_from),
    {"smtp_starttls", T_BOOL, offsetof(pk_config, smtp_starttls), 0, 0, 1, NULL},
    I("email_rate", email_rate, 0, 100000),
};

/* The data directory a binary uses unless told: run from the build
 * directory, the source tree's data/; installed, the data installed
 * beside it (PK_DATADIR_FROM_BINDIR from the binary's directory, so a
 * tree installed with DESTDIR or moved whole works), else the datadir
 * compiled in. */
static void default_data_dir(char *out, size_t outlen)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) {
        snprintf(out, outlen, "%s", PK_DATADIR_INSTALLED);
        return;
    }
    exe[n] = '\0';
    size_t root = strlen(PK_BUILD_ROOT);
    if (strncmp(exe, PK_BUILD_ROOT, root) == 0 && exe[root] == '/') {
        snprintf(out, outlen, "%s", PK_DATADIR_DEFAULT);
        return;
    }
    if (PK_DATADIR_FROM_BINDIR[0] != '/') {
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            char cand[sizeof(exe) + 64], probe[sizeof(cand) + 16];
            *slash = '\0';
            snprintf(cand, sizeof(cand), "%s/%s", exe, PK_DATADIR_FROM_BINDIR);
            snprintf(probe, sizeof(probe), "%s/schemes.ini", cand);
            if (access(probe, R_OK) == 0 && strlen(cand) < outlen) {
                snprintf(out, outlen, "%s", cand);
                return;
            }
        }
    }
    snprintf(out, outlen, "%s", PK_DATADIR_INSTALLED);
}

void pk_config_defaults(pk_config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->db, sizeof(c->db), "prakerja.db");
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
    default_data_dir(c->data_dir, sizeof(c->data_dir));
    snprintf(c->service_province, sizeof(c->service_province), "31");
    snprintf(c->complaints_contact, sizeof(c->complaints_contact), "%s", PK_COMPLAINTS_DEFAULT);
    snprintf(c->card_issuer, sizeof(c->card_issuer), "%s", "990031");
    snprintf(c->mode, sizeof(c->mode), "%s", "mirror");
    snprintf(c->portal_url, sizeof(c->portal_url), "%s", "prakerja.jakarta.go.id");
    snprintf(c->remind_at, sizeof(c->remind_at), "%s", "08:00");
    c->threads = 0;
    c->max_connections = 4096;
    c->per_ip_connections = -1; /* pk_config_per_ip */
    c->timeout = 30;
    c->request_timeout = 60;
    c->max_body = 64 * 1024;
    c->session_idle = 30 * 60;
    c->session_max = 12 * 3600;
    c->cookie_secure = 0;
    c->login_max_failures = 5;
    c->login_window = 15 * 60;
    c->hash_concurrency = 2;
    c->hash_wait_ms = 5000;
    c->lock_wait = 10;
    c->import_bulk_mb = 64;
    c->stats_min_count = 5;
    c->rate_limits = 1;
    c->db_private = 1;
    c->rate_lookup = 30;
    c->burst_lookup = 10;
    c->rate_check = 30;
    c->burst_check = 10;
    c->rate_register = 10;
    c->burst_register = 5;
    c->rate_login = 10;
    c->burst_login = 5;
    c->rate_code = 6;
    c->burst_code = 3;
    c->rate_card = 10;
    c->burst_card = 30;
    c->login_max_failures_address = 100;
    c->login_backoff = 1;
    c->login_backoff_max = 60;
    c->channel_timeout = 10;
    snprintf(c->whatsapp_url, sizeof(c->whatsapp_url), "%s", "https://graph.facebook.com/v19.0");
    c->whatsapp_rate = 80;
    snprintf(c->sms_content_type, sizeof(c->sms_content_type), "%s", "form");
    c->sms_rate = 20;
    snprintf(c->sms_dr_id_field, sizeof(c->sms_dr_id_field), "%s", "id");
    snprintf(c->sms_dr_status_field, sizeof(c->sms_dr_status_field), "%s", "status");
    snprintf(c->sms_dr_delivered, sizeof(c->sms_dr_delivered), "%s",
             "DELIVRD,DELIVERED,TERKIRIM,SUCCESS");
    snprintf(c->sms_dr_failed, sizeof(c->sms_dr_failed), "%s",
             "UNDELIV,UNDELIVERABLE,REJECTD,REJECTED,INVALID");
    snprintf(c->sms_mo_from_field, sizeof(c->sms_mo_from_field), "%s", "from");
    snprintf(c->sms_mo_text_field, sizeof(c->sms_mo_text_field), "%s", "text");
    snprintf(c->sms_mo_id_field, sizeof(c->sms_mo_id_field), "%s", "id");
    c->smtp_starttls = 1;
    c->email_rate = 10;
}

static const setting *find(const char *key)
{
    for (size_t i = 0; i < PK_ARRAY_LEN(settings); i++)
        if (strcmp(settings[i].key, key) == 0)
            return &settings[i];
    return NULL;
}

int pk_config_known(const char *key)
{
    return find(key) != NULL;
}

int pk_config_set(pk_config *c, const char *key, const char *value, char *err, size_t errlen)
{
    const setting *s = find(key);
    if (s == NULL) {
        snprintf(err, errlen, "unknown setting '%s'", key);
        return PK_EINVAL;
    }
    char *dst = (char *)c + s->off;
    if (s->type == T_BOOL) {
        static const char *const on[] = {"on", "1", "yes", "true"};
        static const char *const off[] = {"off", "0", "no", "false"};
        for (size_t i = 0; i < PK_ARRAY_LEN(on); i++)
            if (strcasecmp(value, on[i]) == 0 || strcasecmp(value, off[i]) == 0) {
                *(int *)(void *)dst = strcasecmp(value, on[i]) == 0;
                return 0;
            }
        snprintf(err, errlen, "setting '%s' must be on or off", key);
        return PK_EINVAL;
    }
    if (s->type == T_ADDR) {
        unsigned char a[16];
        if (strlen(value) >= s->size ||
            (value[0] != '\0' && inet_pton(AF_INET, value, a) != 1 &&
             inet_pton(AF_INET6, value, a) != 1)) {
            snprintf(err, errlen, "setting '%s' must be an IPv4 or IPv6 address, or empty", key);
            return PK_EINVAL;
        }
        memcpy(dst, value, strlen(value) + 1);
        return 0;
    }
    if (s->type == T_CHOICE) {
        for (const char *const *w = s->choices; *w != NULL; w++)
            if (strcmp(value, *w) == 0) {
                memcpy(dst, value, strlen(value) + 1);
                return 0;
            }
        snprintf(err, errlen, "setting '%s' must be one of:", key);
        for (const char *const *w = s->choices; *w != NULL; w++) {
            size_t n = strlen(err);
            snprintf(err + n, errlen > n ? errlen - n : 0, " %s", *w);
        }
        return PK_EINVAL;
    }
    if (s->type == T_STR) {
        if (strlen(value) >= s->size) {
            snprintf(err, errlen, "setting '%s' is too long", key);
            return PK_EINVAL;
        }
        memcpy(dst, value, strlen(value) + 1);
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || v < s->min || v > s->max) {
        snprintf(err, errlen, "setting '%s' must be a whole number from %ld to %ld", key,
                 s->min, s->max);
        return PK_EINVAL;
    }
    if (s->type == T_INT)
        *(int *)(void *)dst = (int)v;
    else
        *(long *)(void *)dst = v;
    return 0;
}

typedef struct ini_ctx {
    pk_config *c;
    char *err;
    size_t errlen;
    int failed;
} ini_ctx;

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
    ini_ctx *x = user;
    if (section[0] != '\0' && strcmp(section, "prakerja") != 0) {
        snprintf(x->err, x->errlen, "unknown section [%s]", section);
        x->failed = 1;
        return 0;
    }
    if (pk_config_set(x->c, name, value, x->err, x->errlen) != 0) {
        x->failed = 1;
        return 0;
    }
    return 1;
}

int pk_config_load_file(pk_config *c, const char *path, char *err, size_t errlen)
{
    ini_ctx x = {c, err, errlen, 0};
    char inner[256] = "";
    x.err = inner;
    x.errlen = sizeof(inner);
    int line = ini_parse(path, on_ini, &x);
    if (line == -1) {
        snprintf(err, errlen, "cannot read config file %s: %s", path, strerror(errno));
        return PK_EIO;
    }
    if (line != 0) {
        snprintf(err, errlen, "config file %s line %d: %s", path, line,
                 inner[0] ? inner : "syntax error");
        return PK_EINVAL;
    }
    return 0;
}

int pk_config_load_env(pk_config *c, char *err, size_t errlen)
{
    for (size_t i = 0; i < PK_ARRAY_LEN(settings); i++) {
        char name[64] = "PRAKERJA_";
        size_t n = strlen(name);
        for (const char *k = settings[i].key; *k && n < sizeof(name) - 1; k++)
            name[n++] = (char)toupper((unsigned char)*k);
        name[n] = '\0';
        const char *v = getenv(name);
        if (v != NULL && pk_config_set(c, settings[i].key, v, err, errlen) != 0)
            return PK_EINVAL;
    }
    return 0;
}

int pk_config_per_ip(const pk_config *c)
{
    if (c->per_ip_connections >= 0)
        return c->per_ip_connections;
    /* Behind a reverse proxy every connection comes from the proxy: the
     * limit per client belongs there.  Otherwise one address may hold
     * PK_PER_IP_DEFAULT connections: a browser opens about six, so this
     * leaves room for a village office behind one NAT address, and one
     * client cannot take the server's 4,096. */
    return c->trusted_proxy[0] != '\0' ? 0 : PK_PER_IP_DEFAULT;
}
