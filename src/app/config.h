/* config.h -- run-time settings: defaults < ini file < environment < flags.
 *
 * Every setting has one key; the ini file uses it as is ("db = ..."), the
 * environment as PRAKERJA_<KEY> ("PRAKERJA_DB"), the command line as
 * --<key with '-'> ("--db", "--data-dir"). */
#ifndef PK_CONFIG_H
#define PK_CONFIG_H

#include <stddef.h>

/* Where the portal sends a resident whose registration meets a problem
 * (a NIK already registered): the deployment should set its own desk,
 * telephone or e-mail; this default names an office that exists. */
#define PK_COMPLAINTS_DEFAULT                                                                   \
    "Datangi kantor kelurahan tempat Anda tinggal dengan membawa KTP dan Kartu Keluarga. "      \
    "Petugas dapat memeriksa data pendaftaran Anda dan meneruskan pengaduan Anda."

typedef struct pk_config {
    char db[1024];            /* SQLite path or postgresql:// URL */
    char listen[128];         /* ADDR:PORT; port 0 picks a free one */
    char data_dir[1024];      /* schemes.ini, wilayah/ */
    char schemes_file[1024];  /* "" = data_dir/schemes.ini */
    char service_province[8]; /* "31": the deployment serves DKI Jakarta */
    char complaints_contact[512]; /* where residents go with a problem (portal pages) */
    char card_issuer[8];          /* 6-digit issuer prefix of card numbers (selection.md) */
    /* "mirror" (default): the programme office (pmo) runs the programme and
     * its event files are mirrored here, the daily job only reports what is
     * due; "engine": this deployment runs it (waves, draws, the daily job
     * revokes and lapses).  pk_config_engine. */
    char mode[8];
    char key_file[1024];      /* "" = the database path + ".key" */
    int threads;              /* HTTP worker threads; 0 = 8 per core */
    int max_connections;
    int per_ip_connections;   /* -1: automatic (pk_config_per_ip) */
    int timeout;              /* idle connection timeout, seconds */
    int request_timeout;      /* seconds to receive a whole request; 0: none */
    long max_body;            /* bytes */
    int session_idle;         /* seconds a session lives without a request */
    int session_max;          /* seconds a session lives at most */
    int cookie_secure;        /* 1: cookies carry Secure (behind HTTPS) */
    int login_max_failures;   /* failed logins of an account from one address ... */
    int login_window;         /* ... within this many seconds, then 429 (app/auth.c) */
    int hash_concurrency;     /* password hashes computed at once */
    int hash_wait_ms;         /* how long a login waits for a hashing slot, then 503 */
    int lock_wait;            /* seconds a request's statement waits for a database lock,
                               * then 503 (pk_app_request_thread); 0: no limit */
    /* Rate limits of anonymous public traffic per client address (web/ratelimit.h):
     * per class, requests per minute and the burst allowed at once. */
    int rate_limits;          /* 0: off (benchmarks), 1: on */
    int db_private;           /* 1: refuse a database file others may read */
    int rate_lookup, burst_lookup;     /* NIK check, status look-up */
    int rate_check, burst_check;       /* eligibility self-check */
    int rate_register, burst_register; /* registration */
    int rate_login, burst_login;       /* login form */
    int rate_code, burst_code;         /* residents' one-time codes: asked and entered */
    int rate_card, burst_card;         /* a platform's purchases with an unknown card */
    char trusted_proxy[64];   /* reverse proxy's address: its X-Forwarded-For is believed; "" none */
    int stats_min_count;      /* counts below it (but not 0) are hidden from roles that
                               * cannot read the records (app/stats.h); 0 or 1: none */
    int import_bulk_mb;       /* an import file at least this large into an empty registry
                               * loads in bulk (app/registry.c); an event file, into a
                               * store without events (app/journey_import.c) */
    /* Login throttling beyond the (account, address) pair (app/auth.c) */
    int login_max_failures_address; /* failed logins from one address, any accounts */
    int login_backoff;        /* seconds between attempts on an account once it has
                               * login_max_failures failures, doubling with each more */
    int login_backoff_max;    /* ... up to this many */
    /* Reminders (reminders.md, app/remind_run.c, app/channel.h) */
    char reminders_file[1024];/* the rules; "" = data_dir/reminders.ini */
    char portal_url[31];      /* {portal} in a message: the portal's address, at most
                               * 30 characters (an SMS is 160) */
    char remind_file[1024];   /* the berkas channel's file; "" = not enabled */
    char remind_at[8];        /* serve runs the day's reminders at this time (HH:MM WIB)
                               * when a channel is enabled; "" = never */
    /* The network channels (app/channel_*.c); each is enabled when its
     * required settings are set.  Rates: messages a second, 0 = no limit. */
    int channel_timeout;      /* seconds a gateway has to answer one message */
    char whatsapp_url[512];   /* the Cloud API's base, https://graph.facebook.com/v19.0 */
    char whatsapp_phone_id[64];   /* the sending number's id at Meta (required) */
    char whatsapp_token[512];     /* its access token (required; a secret) */
    char whatsapp_app_secret[128];/* signs the webhooks (X-Hub-Signature-256; a secret) */
    int whatsapp_rate;
    char sms_url[1024];       /* the gateway (required) */
    char sms_auth_header[512];/* "Name: value" sent with each message (a secret) */
    char sms_content_type[8]; /* form | json */
    char sms_body[1024];      /* the body template ({to} {msisdn} {local} {text} {id}) */
    char sms_ok[256];         /* success beyond 2xx: "", json:PATH=VALUE, contains:TEXT */
    char sms_id_field[128];   /* the answer's JSON path of the gateway's id */
    int sms_dedup;            /* the gateway drops a repeated {id} */
    int sms_rate;
    /* Webhooks in (app/webhook.c): receipts and replies. */
    char whatsapp_verify_token[128]; /* the Cloud API's GET handshake (hub.verify_token) */
    char sms_webhook_secret[128];    /* the SMS gateway's shared secret (a secret) */
    char sms_dr_id_field[64];        /* a delivery report's message id field */
    char sms_dr_status_field[64];    /* its status field */
    char sms_dr_delivered[256];      /* status words that mean delivered, comma-separated */
    char sms_dr_failed[256];         /* words that mean permanently failed */
    char sms_mo_from_field[64];      /* an inbound message's sender field */
    char sms_mo_text_field[64];      /* its text field */
    char sms_mo_id_field[64];        /* its id field (a retry is recognised by it) */
    char smtp_url[1024];      /* smtp://host:587 or smtps://host:465 (required) */
    char smtp_user[256];
    char smtp_password[256];  /* a secret */
    char smtp_from[512];      /* "addr" or "Name <addr>" (required) */
    int smtp_starttls;        /* smtp://: require STARTTLS (default on) */
    int email_rate;
} pk_config;

void pk_config_defaults(pk_config *c);
/* Sets one key from text.  Returns 0, or PK_EINVAL with a message naming
 * the key (never the value, which may be a secret). */
int pk_config_set(pk_config *c, const char *key, const char *value, char *err, size_t errlen);
/* Reads an ini file (keys at top level or in [prakerja]). */
int pk_config_load_file(pk_config *c, const char *path, char *err, size_t errlen);
/* Applies every PRAKERJA_<KEY> variable that is set. */
int pk_config_load_env(pk_config *c, char *err, size_t errlen);
/* Is `key` a setting?  (For flag parsing.) */
int pk_config_known(const char *key);

/* Does this deployment run the programme itself (mode = engine)? */
static inline int pk_config_engine(const pk_config *c)
{
    return c->mode[0] == 'e';
}

/* Connections one client address may hold when per_ip_connections is
 * automatic (-1) and no trusted proxy is set. */
#define PK_PER_IP_DEFAULT 64
/* The effective per-address connection limit (0: none). */
int pk_config_per_ip(const pk_config *c);

#endif
