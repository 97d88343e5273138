/* main.c -- the `prakerja` command line: one table of commands, each a
 * thin adapter from arguments to the app layer.
 *
 * Settings come from defaults < ini file (--config or PRAKERJA_CONFIG) <
 * PRAKERJA_* environment < flags. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pwd.h>

#include <fcntl.h>
#include <sodium.h>
#include <termios.h>

#include "app/app.h"
#include "app/auth.h"
#include "app/keys.h"
#include "app/operator.h"
#include "app/registry.h"
#include "app/views.h"
#include "core/pk.h"
#include "web/http.h"
#include "web/web.h"

typedef struct cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *args;   /* positional arguments, for the usage line */
    const char *about;
    const char *flags;  /* which settings it takes, for --help */
} cmd;

static const char common_flags[] =
    "  --db PATH|URL          database (SQLite file; env PRAKERJA_DB; default prakerja.db)\n"
    "  --data-dir DIR         schemes.ini and wilayah/ (env PRAKERJA_DATA_DIR)\n"
    "  --schemes-file PATH    benefit schemes (default DATA_DIR/schemes.ini)\n"
    "  --service-province CODE  region served (default 31, DKI Jakarta)\n"
    "  --config PATH          ini file with the same keys (env PRAKERJA_CONFIG)\n";

static const char serve_flags[] =
    "  --session-idle SECONDS a session ends after this long without a request (default 1800)\n"
    "  --session-max SECONDS  a session ends this long after login at the latest (default 43200)\n"
    "  --cookie-secure 0|1    mark cookies Secure (set 1 behind HTTPS; default 0)\n"
    "  --login-max-failures N failed logins per account or address ... (default 5)\n"
    "  --login-window SECONDS ... within this window, then 429 (default 900)\n"
    "  --hash-concurrency N   password hashes at once, 64 MiB each (default 2)\n"
    "  --hash-wait-ms MS      how long a login waits for a hash slot, then 503 (default 5000)\n"
    "  --rate-limits on|off   rate limits per client address on public forms and API (default on)\n"
    "  --rate-CLASS N         requests per minute per address; CLASS: lookup (NIK check, status;\n"
    "                         default 30), check (eligibility; 30), register (10), login (10)\n"
    "  --burst-CLASS N        requests allowed at once (lookup 10, check 10, register 5, login 5)\n"
    "  --trusted-proxy ADDR   reverse proxy whose X-Forwarded-For is believed (default: none)\n"
    "  --listen ADDR:PORT     where to listen (env PRAKERJA_LISTEN; default 127.0.0.1:8080;\n"
    "                         port 0 picks a free port)\n"
    "  --threads N            worker threads (default: 8 per core)\n"
    "  --max-connections N    open connections at most (default 4096)\n"
    "  --per-ip-connections N per client address (default 0: no limit)\n"
    "  --timeout SECONDS      idle connection timeout (default 30)\n"
    "  --max-body BYTES       request body limit (default 65536)\n";

static void usage_cmd(FILE *f, const cmd *c);

/* Parses "--key value" / "--key=value" settings into cfg (after the ini
 * file and the environment), and collects positional arguments.  Returns
 * 0, 1 for --help, or -1 after printing an error. */
/* Options of one command beyond the common settings. */
typedef struct cmd_opts {
    const char *allowed;  /* space-separated keys the command takes */
    const char *booleans; /* space-separated keys that take no value */
    const char *scheme, *as_of, *rejects, *list, *region, *username, *role, *label, *id;
    const char *since, *limit, *batch;
    bool password_stdin;
} cmd_opts;

static const char server_keys[] = " listen threads max_connections per_ip_connections timeout "
                                  "max_body session_idle session_max cookie_secure "
                                  "login_max_failures login_window hash_concurrency "
                                  "hash_wait_ms rate_limits rate_lookup burst_lookup "
                                  "rate_check burst_check rate_register burst_register "
                                  "rate_login burst_login trusted_proxy ";

static bool has_word(const char *words, const char *key)
{
    char pat[80];
    snprintf(pat, sizeof(pat), " %s ", key);
    return words != NULL && strstr(words, pat) != NULL;
}

static const char **opt_slot(cmd_opts *o, const char *key)
{
    if (strcmp(key, "scheme") == 0) return &o->scheme;
    if (strcmp(key, "as_of") == 0) return &o->as_of;
    if (strcmp(key, "rejects") == 0) return &o->rejects;
    if (strcmp(key, "list") == 0) return &o->list;
    if (strcmp(key, "region") == 0) return &o->region;
    if (strcmp(key, "username") == 0) return &o->username;
    if (strcmp(key, "role") == 0) return &o->role;
    if (strcmp(key, "label") == 0) return &o->label;
    if (strcmp(key, "id") == 0) return &o->id;
    if (strcmp(key, "since") == 0) return &o->since;
    if (strcmp(key, "limit") == 0) return &o->limit;
    if (strcmp(key, "batch") == 0) return &o->batch;
    return NULL;
}

static int parse(int argc, char **argv, const cmd *c, cmd_opts *o, pk_config *cfg,
                 char **pos, int *npos)
{
    char err[512];
    const char *config = getenv("PRAKERJA_CONFIG");
    *npos = 0;
    /* First pass: --help and --config, which decide what the rest means. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            config = argv[i] + 9;
    }
    pk_config_defaults(cfg);
    if (config != NULL && config[0] != '\0' && pk_config_load_file(cfg, config, err, sizeof(err)) != 0) {
        fprintf(stderr, "prakerja: %s\n", err);
        return -1;
    }
    if (pk_config_load_env(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "prakerja: environment: %s\n", err);
        return -1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            while (++i < argc)
                pos[(*npos)++] = argv[i];
            break;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            pos[(*npos)++] = argv[i];
            continue;
        }
        char key[64];
        const char *eq = strchr(a, '=');
        size_t kl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (kl >= sizeof(key)) {
            fprintf(stderr, "prakerja %s: unknown option '%.64s'\n", c->name, a);
            return -1;
        }
        for (size_t k = 0; k < kl; k++)
            key[k] = a[2 + k] == '-' ? '_' : a[2 + k];
        key[kl] = '\0';
        if (o != NULL && has_word(o->booleans, key)) {
            if (eq != NULL) {
                fprintf(stderr, "prakerja %s: option '--%.64s' takes no value\n", c->name, key);
                return -1;
            }
            if (strcmp(key, "password_stdin") == 0)
                o->password_stdin = true;
            continue;
        }
        bool own = o != NULL && has_word(o->allowed, key);
        bool common = pk_config_known(key) && !has_word(server_keys, key);
        if (strcmp(key, "config") != 0 && !own && !common) {
            fprintf(stderr, "prakerja %s: unknown option '%.64s' (see 'prakerja %s --help')\n",
                    c->name, a, c->name);
            return -1;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (value == NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "prakerja %s: option '--%.64s' needs a value\n", c->name, a + 2);
                return -1;
            }
            value = argv[++i];
        }
        if (strcmp(key, "config") == 0)
            continue;
        const char **slot = own ? opt_slot(o, key) : NULL;
        if (slot != NULL) {
            *slot = value;
            continue;
        }
        if (pk_config_set(cfg, key, value, err, sizeof(err)) != 0) {
            fprintf(stderr, "prakerja %s: %s\n", c->name, err);
            return -1;
        }
    }
    return 0;
}

/* parse(), and the usual way out: after --help (usage printed, status 0)
 * or a usage error (reported, status 2) it returns true and the command
 * returns *status. */
static bool parse_or_exit(int argc, char **argv, const cmd *c, cmd_opts *o, pk_config *cfg,
                          char **pos, int *npos, int *status)
{
    int r = parse(argc, argv, c, o, cfg, pos, npos);
    if (r == 0)
        return false;
    if (r == 1)
        usage_cmd(stdout, c);
    *status = r == 1 ? 0 : 2;
    return true;
}

/* ---- serve ------------------------------------------------------------- */

static int cmd_serve(int argc, char **argv);
static int cmd_migrate(int argc, char **argv);
static int cmd_nik(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_import(int argc, char **argv);
static int cmd_export(int argc, char **argv);
static int cmd_user(int argc, char **argv);
static int cmd_token(int argc, char **argv);
static int cmd_audit(int argc, char **argv);
static int cmd_keys(int argc, char **argv);

static const cmd commands[] = {
    {"serve", cmd_serve, "", "apply pending migrations, then serve the portal and the API",
     "serve"},
    {"migrate", cmd_migrate, "", "apply pending database migrations (idempotent)", ""},
    {"nik", cmd_nik, "NIK...",
     "check NIKs: one JSON line each, as GET /api/v1/nik/{nik}; exit 1 if any is invalid", ""},
    {"import", cmd_import, "participants FILE | exclusions --list NAME FILE",
     "import an exchange file (upsert by NIK; --scheme ID, --as-of YYYY-MM-DD,\n"
     "            --rejects OUT.csv) or replace an exclusion list (--list dtks|bsu|bpum|\n"
     "            daftar_hitam|penerima_sebelumnya)", ""},
    {"export", cmd_export, "participants [--region CODE]",
     "write the participants (of a region subtree) as an exchange file to stdout", ""},
    {"user", cmd_user, "add|passwd|disable|enable|list [--username U] [--role R] [--region CODE]",
     "manage staff accounts: add --username U --role admin|operator|viewer\n"
     "            [--region CODE] [--password-stdin]; passwd --username U [--password-stdin];\n"
     "            disable|enable --username U; list (one JSON line per user).  Passwords come\n"
     "            from a prompt or, with --password-stdin, from the first line of stdin", ""},
    {"token", cmd_token, "create --username U [--label TEXT] | revoke --id N",
     "issue an API token for a user (printed once) or revoke one", ""},
    {"audit", cmd_audit, "[--since YYYY-MM-DD] [--limit N]",
     "print the access log (reads of personal data, exports) as JSON lines,\n"
     "            oldest first (--limit: the newest N entries)", ""},
    {"keys", cmd_keys, "rotate [--batch N] | prune",
     "rotate the seal key: add a generation to the key file, then re-seal\n"
     "            every box of an older one, --batch boxes per transaction (default\n"
     "            1000); servers pick the new key file up by themselves.  Run again\n"
     "            after an interruption: it finishes the job.  prune: drop the\n"
     "            generations no box uses any more.  One JSON line", ""},
    {"version", cmd_version, "", "print the version", "none"},
};

static const cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < PK_ARRAY_LEN(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void usage_cmd(FILE *f, const cmd *c)
{
    fprintf(f, "usage: prakerja %s [options]%s%s\n\n%s\n", c->name, c->args[0] ? " " : "",
            c->args, c->about);
    if (strcmp(c->flags, "none") == 0)
        return;
    fprintf(f, "\noptions:\n%s", common_flags);
    if (strcmp(c->flags, "serve") == 0)
        fputs(serve_flags, f);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: prakerja <command> [options]\n\n"
               "Kartu Prakerja information service for DKI Jakarta.\n\ncommands:\n");
    for (size_t i = 0; i < PK_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].about);
    fprintf(f, "\n'prakerja <command> --help' describes a command.\n");
}

static int open_app(pk_app *app, const pk_config *cfg)
{
    char err[1024];
    if (pk_app_open(app, cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "prakerja: %s\n", err);
        return -1;
    }
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    const cmd *c = find_cmd("serve");
    pk_config cfg;
    char *pos[argc];
    cmd_opts o = {.allowed = server_keys};
    int npos, status;
    if (parse_or_exit(argc, argv, c, &o, &cfg, pos, &npos, &status))
        return status;
    if (npos > 0) {
        fprintf(stderr, "prakerja serve: unexpected argument (see 'prakerja serve --help')\n");
        return 2;
    }
    /* Block the stop signals before any thread starts, so every thread
     * inherits the mask and only sigwait below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    pk_app app;
    if (open_app(&app, &cfg) != 0)
        return 1;
    pk_http_opts opts = {
        .listen = cfg.listen,
        .threads = cfg.threads,
        .max_connections = cfg.max_connections,
        .per_ip_connections = cfg.per_ip_connections,
        .timeout = cfg.timeout,
        .max_body = (size_t)cfg.max_body,
        .dispatch = pk_web_dispatch,
        .ctx = &app,
    };
    pk_http *http;
    int port;
    char err[512];
    if (pk_http_start(&opts, &http, &port, err, sizeof(err)) != 0) {
        fprintf(stderr, "prakerja: %s\n", err);
        pk_app_close(&app);
        return 1;
    }
    char host[128];
    snprintf(host, sizeof(host), "%s", cfg.listen);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    fprintf(stderr, "prakerja: listening on http://%s:%d/ (%zu regions, %zu schemes)\n", host,
            port, pk_regions_count(app.regions), app.schemes.count);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "prakerja: %s received, finishing requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    pk_http_stop(http, 10000);
    pk_app_close(&app);
    fprintf(stderr, "prakerja: stopped\n");
    return 0;
}

static int cmd_migrate(int argc, char **argv)
{
    const cmd *c = find_cmd("migrate");
    pk_config cfg;
    char *pos[argc];
    int npos, status;
    if (parse_or_exit(argc, argv, c, NULL, &cfg, pos, &npos, &status))
        return status;
    if (npos > 0) {
        fprintf(stderr, "prakerja migrate: unexpected argument\n");
        return 2;
    }
    pk_store *s;
    char err[1024];
    int from, to;
    if (pk_store_open(cfg.db, &s, err, sizeof(err)) != 0 ||
        pk_store_migrate(s, cfg.data_dir, &from, &to, err, sizeof(err)) != 0) {
        fprintf(stderr, "prakerja: %s\n", err);
        pk_store_close(s);
        return 1;
    }
    pk_store_close(s);
    if (from == to)
        printf("database is up to date (schema version %d)\n", to);
    else
        printf("migrated database from schema version %d to %d\n", from, to);
    return 0;
}

static int cmd_nik(int argc, char **argv)
{
    const cmd *c = find_cmd("nik");
    pk_config cfg;
    char *pos[argc];
    int npos, status;
    if (parse_or_exit(argc, argv, c, NULL, &cfg, pos, &npos, &status))
        return status;
    if (npos == 0) {
        fprintf(stderr, "prakerja nik: give at least one NIK (see 'prakerja nik --help')\n");
        return 2;
    }
    pk_app app;
    if (open_app(&app, &cfg) != 0)
        return 1;
    status = 0;
    for (int i = 0; i < npos; i++) {
        pk_nik_info info;
        pk_app_check_nik(&app, pos[i], strlen(pos[i]), &info);
        json_t *j = pk_json_nik(&info);
        char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
        if (s == NULL) {
            fprintf(stderr, "prakerja: out of memory\n");
            status = 1;
        } else {
            puts(s);
        }
        free(s);
        json_decref(j);
        if (info.errors != 0)
            status = 1;
    }
    pk_app_close(&app);
    return status;
}

static int cmd_version(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage_cmd(stdout, find_cmd("version"));
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "prakerja version: unexpected argument\n");
        return 2;
    }
    printf("prakerja %s\n", PK_VERSION);
    return 0;
}

static void print_summary(const pk_import_summary *sum)
{
    json_t *reasons = json_object(), *warnings = json_object();
    for (pk_code c = 0; c < PK_C__COUNT; c++) {
        if (sum->reasons[c])
            json_object_set_new(reasons, pk_code_name(c), json_integer(sum->reasons[c]));
        if (sum->warnings[c])
            json_object_set_new(warnings, pk_code_name(c), json_integer(sum->warnings[c]));
    }
    json_t *j = json_pack("{s:i, s:i, s:i, s:i, s:i, s:o, s:o}", "read", (json_int_t)sum->read,
                          "inserted", (json_int_t)sum->inserted, "updated",
                          (json_int_t)sum->updated, "unchanged", (json_int_t)sum->unchanged,
                          "rejected", (json_int_t)sum->rejected, "reasons", reasons, "warnings",
                          warnings);
    char *out = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (out)
        puts(out);
    free(out);
    json_decref(j);
}

static int open_input(const char *path)
{
    int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fprintf(stderr, "prakerja: cannot open %s: %s\n", path, strerror(errno));
    return fd;
}

static int import_participants(const cmd *c, int argc, char **argv)
{
    pk_config cfg;
    char *pos[argc];
    cmd_opts o = {.allowed = " scheme as_of rejects "};
    int npos, status;
    if (parse_or_exit(argc, argv, c, &o, &cfg, pos, &npos, &status))
        return status;
    if (npos != 1) {
        fprintf(stderr, "prakerja import participants: give exactly one FILE ('-' for stdin)\n");
        return 2;
    }
    pk_import_opts io = {.progress = stderr};
    if (o.as_of != NULL) {
        if (pk_date_parse(o.as_of, strlen(o.as_of), &io.as_of) != 0) {
            fprintf(stderr, "prakerja import: --as-of must be YYYY-MM-DD\n");
            return 2;
        }
    } else {
        io.as_of = pk_app_today();
    }
    pk_app app;
    if (open_app(&app, &cfg) != 0)
        return 1;
    int fd = -1;
    status = 1;
    io.scheme = o.scheme ? pk_schemes_find(&app.schemes, o.scheme) : NULL;
    if (o.scheme != NULL && io.scheme == NULL) {
        fprintf(stderr, "prakerja import: unknown scheme '%.32s'\n", o.scheme);
        goto out;
    }
    if (o.rejects != NULL) {
        /* Rejected rows are personal data: owner-only. */
        int rfd = open(o.rejects, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (rfd < 0 || (io.rejects = fdopen(rfd, "w")) == NULL) {
            fprintf(stderr, "prakerja: cannot write %s: %s\n", o.rejects, strerror(errno));
            if (rfd >= 0)
                close(rfd);
            goto out;
        }
    }
    if ((fd = open_input(pos[0])) < 0)
        goto out;
    pk_import_summary sum;
    char err[512] = "";
    int rc = pk_registry_import(&app, fd, &io, &sum, err, sizeof(err));
    if (sum.unknown_columns[0])
        fprintf(stderr, "prakerja: import: unknown columns ignored: %s\n", sum.unknown_columns);
    if (rc != 0) {
        fprintf(stderr, "prakerja: import %s: %s\n", rc == PK_EINVAL ? "refused" : "failed", err);
        if (rc != PK_EINVAL)
            print_summary(&sum);
        goto out;
    }
    print_summary(&sum);
    status = 0;
out:
    if (fd >= 0)
        close(fd);
    if (io.rejects != NULL && fclose(io.rejects) != 0) {
        fprintf(stderr, "prakerja: cannot write %s\n", o.rejects);
        status = 1;
    }
    pk_app_close(&app);
    return status;
}

static int import_exclusions(const cmd *c, int argc, char **argv)
{
    pk_config cfg;
    char *pos[argc];
    cmd_opts o = {.allowed = " list "};
    int npos, status;
    if (parse_or_exit(argc, argv, c, &o, &cfg, pos, &npos, &status))
        return status;
    if (npos != 1 || o.list == NULL) {
        fprintf(stderr, "prakerja import exclusions: usage: --list NAME FILE\n");
        return 2;
    }
    if (pk_list_by_name(o.list) == 0) {
        fprintf(stderr, "prakerja import exclusions: unknown list '%.32s' (dtks, bsu, bpum, "
                        "daftar_hitam, penerima_sebelumnya)\n", o.list);
        return 2;
    }
    pk_app app;
    if (open_app(&app, &cfg) != 0)
        return 1;
    int fd = open_input(pos[0]);
    status = 1;
    if (fd >= 0) {
        pk_list_summary sum;
        char err[512] = "";
        int rc = pk_registry_import_list(&app, o.list, fd, &sum, err, sizeof(err));
        close(fd);
        if (rc != 0) {
            fprintf(stderr, "prakerja: import exclusions %s: %s\n",
                    rc == PK_EINVAL ? "refused" : "failed", err);
        } else {
            printf("{\"list\":\"%s\",\"read\":%ld,\"listed\":%ld,\"rejected\":%ld,"
                   "\"reevaluated\":%ld}\n",
                   o.list, sum.read, sum.listed, sum.rejected, sum.reevaluated);
            status = 0;
        }
    }
    pk_app_close(&app);
    return status;
}

static int cmd_import(int argc, char **argv)
{
    const cmd *c = find_cmd("import");
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage_cmd(argc < 2 ? stderr : stdout, c);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "participants") == 0)
        return import_participants(c, argc - 1, argv + 1);
    if (strcmp(argv[1], "exclusions") == 0)
        return import_exclusions(c, argc - 1, argv + 1);
    fprintf(stderr, "prakerja import: unknown kind '%.32s' (participants or exclusions)\n",
            argv[1]);
    return 2;
}

/* "cli:<unix user>": who ran a command, for the access log. */
static void cli_actor(char out[PK_ACTOR_MAX])
{
    struct passwd *pw = getpwuid(geteuid());
    if (pw != NULL && pw->pw_name != NULL)
        snprintf(out, PK_ACTOR_MAX, "cli:%s", pw->pw_name);
    else
        snprintf(out, PK_ACTOR_MAX, "cli:uid%ld", (long)geteuid());
}

static int cmd_export(int argc, char **argv)
{
    const cmd *c = find_cmd("export");
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage_cmd(argc < 2 ? stderr : stdout, c);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "participants") != 0) {
        fprintf(stderr, "prakerja export: unknown kind '%.32s' (participants)\n", argv[1]);
        return 2;
    }
    pk_config cfg;
    char *pos[argc];
    cmd_opts o = {.allowed = " region "};
    int npos, status;
    if (parse_or_exit(argc - 1, argv + 1, c, &o, &cfg, pos, &npos, &status))
        return status;
    if (npos != 0) {
        fprintf(stderr, "prakerja export participants: unexpected argument\n");
        return 2;
    }
    char region[PK_REGION_CODE_MAX] = "";
    if (o.region != NULL && pk_region_normalize(o.region, strlen(o.region), region) ==
                                PK_REGION_NONE) {
        fprintf(stderr, "prakerja export: --region must be a region code like 31.74\n");
        return 2;
    }
    pk_app app;
    if (open_app(&app, &cfg) != 0)
        return 1;
    if (region[0] && pk_regions_find(app.regions, region) == NULL) {
        fprintf(stderr, "prakerja export: unknown region %s\n", region);
        pk_app_close(&app);
        return 2;
    }
    /* An export is a read of personal data: recorded first, or not run. */
    char actor[PK_ACTOR_MAX], detail[64];
    cli_actor(actor);
    snprintf(detail, sizeof(detail), "region=%s", region[0] ? region : "all");
    if (pk_access_record(&app, actor, "participants.export", "cli export participants", 0,
                         detail) != 0) {
        fprintf(stderr, "prakerja export: cannot write the access log; nothing exported\n");
        pk_app_close(&app);
        return 1;
    }
    long rows = 0;
    int64_t unreadable = 0;
    int rc = pk_registry_export(&app, region, stdout, &rows, &unreadable);
    pk_app_close(&app);
    if (rc != 0) {
        if (unreadable != 0)
            fprintf(stderr,
                    "prakerja: export: participant %lld cannot be decrypted with this key\n",
                    (long long)unreadable);
        fprintf(stderr, "prakerja: export failed\n");
        return 1;
    }
    fprintf(stderr, "prakerja: exported %ld participants\n", rows);
    return 0;
}

/* ---- user, token ------------------------------------------------------- */

/* A password: the first line of stdin (--password-stdin), or typed twice
 * at a prompt on the terminal with echo off.  Never a flag: flags show in
 * `ps` and shell history. */
static int read_password(bool from_stdin, char *out, size_t cap)
{
    if (from_stdin) {
        if (fgets(out, (int)cap, stdin) == NULL) {
            fprintf(stderr, "prakerja: no password on standard input\n");
            return -1;
        }
        size_t n = strcspn(out, "\r\n");
        if (out[n] == '\0' && !feof(stdin)) {
            fprintf(stderr, "prakerja: password too long (at most %d bytes)\n", PK_PASSWORD_MAX);
            return -1;
        }
        out[n] = '\0';
        return 0;
    }
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "prakerja: standard input is not a terminal: use --password-stdin\n");
        return -1;
    }
    char again[PK_PASSWORD_MAX + 2];
    struct termios old, quiet;
    tcgetattr(STDIN_FILENO, &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    fprintf(stderr, "New password: ");
    bool ok = fgets(out, (int)cap, stdin) != NULL;
    fprintf(stderr, "\nRepeat it: ");
    ok = ok && fgets(again, sizeof(again), stdin) != NULL;
    fprintf(stderr, "\n");
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    if (!ok)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    again[strcspn(again, "\r\n")] = '\0';
    ok = strcmp(out, again) == 0;
    sodium_memzero(again, sizeof(again));
    if (!ok) {
        fprintf(stderr, "prakerja: the two passwords differ\n");
        return -1;
    }
    return 0;
}

static void print_user(const pk_user *u)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s?, s:b, s:s}", "id", (json_int_t)u->id,
                          "username", u->username, "role", u->role, "region",
                          u->region[0] ? u->region : NULL, "disabled", u->disabled != 0,
                          "created_at", u->created_at);
    char *out = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (out)
        puts(out);
    free(out);
    json_decref(j);
}

static int print_user_cb(void *ctx, const pk_user *u)
{
    (void)ctx;
    print_user(u);
    return 0;
}

static int cmd_user(int argc, char **argv)
{
    const cmd *c = find_cmd("user");
    static const char *const subs[] = {"add", "passwd", "disable", "enable", "list"};
    const char *sub = argc >= 2 ? argv[1] : "";
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        usage_cmd(stdout, c);
        return 0;
    }
    bool known = false;
    for (size_t i = 0; i < PK_ARRAY_LEN(subs); i++)
        known = known || strcmp(sub, subs[i]) == 0;
    if (!known) {
        fprintf(stderr, "prakerja user: give add, passwd, disable, enable or list (see "
                        "'prakerja user --help')\n");
        return 2;
    }
    pk_config cfg;
    char *pos[argc];
    cmd_opts o = {.allowed = strcmp(sub, "add") == 0    ? " username role region "
                             : strcmp(sub, "list") == 0 ? ""
                                                        : " username ",
                  .booleans = strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0
                                  ? " password_stdin "
                                  : ""};
    int npos, status;
    if (parse_or_exit(argc - 1, argv + 1, c, &o, &cfg, pos, &npos, &status))
        return status;
    if (npos != 0 || (strcmp(sub, "list") != 0 && o.username == NULL) ||
        (strcmp(sub, "add") == 0 && o.role == NULL)) {
        fprintf(stderr, "prakerja user %s: %s\n", sub,
                npos ? "unexpected argument"
                     : strcmp(sub, "add") == 0 ? "needs --username U --role R"
                                               : "needs --username U");
        return 2;
    }
    char password[PK_PASSWORD_MAX + 2] = "";
    if ((strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) &&
        read_password(o.password_stdin, password, sizeof(password)) != 0)
        return 2;
    pk_app app;
    if (open_app(&app, &cfg) != 0) {
        sodium_memzero(password, sizeof(password));
        return 1;
    }
    char err[256] = "";
    int rc = 0;
    if (strcmp(sub, "add") == 0) {
        int64_t id;
        rc = pk_auth_user_create(&app, o.username, o.role, o.region, password, &id, err,
                                 sizeof(err));
        pk_user u;
        if (rc == 0 && pk_store_user_find(app.store, o.username, &u) == 0)
            print_user(&u);
    } else if (strcmp(sub, "passwd") == 0) {
        rc = pk_auth_user_passwd(&app, o.username, password, err, sizeof(err));
        if (rc == 0)
            printf("password of %s changed; their sessions ended\n", o.username);
    } else if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
        bool off = strcmp(sub, "disable") == 0;
        rc = pk_auth_user_set_disabled(&app, o.username, off, err, sizeof(err));
        if (rc == 0)
            printf("%s %s\n", o.username, off ? "disabled; their sessions ended" : "enabled");
    } else {
        rc = pk_store_users_each(app.store, print_user_cb, NULL);
        if (rc != 0)
            snprintf(err, sizeof(err), "cannot read users");
    }
    sodium_memzero(password, sizeof(password));
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja user %s: %s\n", sub, err);
        return 1;
    }
    return 0;
}

static int cmd_token(int argc, char **argv)
{
    const cmd *c = find_cmd("token");
    const char *sub = argc >= 2 ? argv[1] : "";
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        usage_cmd(stdout, c);
        return 0;
    }
    bool create = strcmp(sub, "create") == 0;
    if (!create && strcmp(sub, "revoke") != 0) {
        fprintf(stderr, "prakerja token: give create or revoke (see 'prakerja token --help')\n");
        return 2;
    }
    pk_config cfg;
    char *pos[argc];
    cmd_opts o = {.allowed = create ? " username label " : " id "};
    int npos, status;
    if (parse_or_exit(argc - 1, argv + 1, c, &o, &cfg, pos, &npos, &status))
        return status;
    char *end = NULL;
    long long id = o.id ? strtoll(o.id, &end, 10) : 0;
    if (npos != 0 || (create && o.username == NULL) ||
        (!create && (o.id == NULL || *end != '\0' || id <= 0))) {
        fprintf(stderr, "prakerja token %s: %s\n", sub,
                create ? "needs --username U" : "needs --id N (a positive number)");
        return 2;
    }
    pk_app app;
    if (open_app(&app, &cfg) != 0)
        return 1;
    int rc;
    char err[256] = "";
    if (create) {
        char token[PK_SECRET_TEXT];
        int64_t tid;
        rc = pk_auth_token_create(&app, o.username, o.label, token, &tid, err, sizeof(err));
        if (rc == 0) {
            printf("{\"id\":%lld,\"username\":\"%s\",\"token\":\"%s\"}\n", (long long)tid,
                   o.username, token);
            fprintf(stderr, "prakerja: the token is shown only this once; keep it secret\n");
        }
        sodium_memzero(token, sizeof(token));
    } else {
        rc = pk_auth_token_revoke(&app, (int64_t)id);
        if (rc == PK_ENOENT)
            snprintf(err, sizeof(err), "no active token %lld", id);
        else if (rc != 0)
            snprintf(err, sizeof(err), "cannot revoke the token");
        else
            printf("token %lld revoked\n", id);
    }
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja token %s: %s\n", sub, err);
        return 1;
    }
    return 0;
}

/* ---- audit ------------------------------------------------------------- */

static int print_access(void *ctx, const pk_access_entry *e)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)e->id, "at",
                          e->at, "actor", e->actor, "action", e->action, "route", e->route,
                          "subject", e->subject > 0 ? json_integer(e->subject) : json_null(),
                          "detail", e->detail);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (text == NULL)
        return PK_ENOMEM;
    puts(text);
    free(text);
    (*(long *)ctx)++;
    return ferror(stdout) ? PK_EIO : 0;
}

static int cmd_audit(int argc, char **argv)
{
    const cmd *c = find_cmd("audit");
    pk_config cfg;
    char *pos[argc + 1];
    cmd_opts o = {.allowed = " since limit "};
    int npos, status;
    if (parse_or_exit(argc, argv, c, &o, &cfg, pos, &npos, &status))
        return status;
    pk_date since;
    char *end = NULL;
    long long limit = o.limit ? strtoll(o.limit, &end, 10) : 0;
    if (npos != 0 || (o.since && (strlen(o.since) != 10 ||
                                  pk_date_parse(o.since, 10, &since) != 0)) ||
        (o.limit && (*end != '\0' || limit <= 0))) {
        fprintf(stderr, "prakerja audit: usage: prakerja audit [--since YYYY-MM-DD] "
                        "[--limit N]\n");
        return 2;
    }
    pk_app app;
    if (open_app(&app, &cfg) != 0)
        return 1;
    long n = 0;
    int rc = pk_store_access_log_each(app.store, o.since ? o.since : "", (int64_t)limit,
                                      print_access, &n);
    pk_app_close(&app);
    if (rc != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "prakerja audit: cannot read the access log\n");
        return 1;
    }
    return 0;
}

/* ---- keys -------------------------------------------------------------- */

static int cmd_keys(int argc, char **argv)
{
    const cmd *c = find_cmd("keys");
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage_cmd(argc < 2 ? stderr : stdout, c);
        return argc < 2 ? 2 : 0;
    }
    bool rotate = strcmp(argv[1], "rotate") == 0;
    if (!rotate && strcmp(argv[1], "prune") != 0) {
        fprintf(stderr, "prakerja keys: unknown subcommand '%.32s' (rotate, prune)\n", argv[1]);
        return 2;
    }
    pk_config cfg;
    char *pos[argc];
    cmd_opts o = {.allowed = rotate ? " batch " : " "};
    int npos, status;
    if (parse_or_exit(argc - 1, argv + 1, c, &o, &cfg, pos, &npos, &status))
        return status;
    char *end = NULL;
    long batch = o.batch ? strtol(o.batch, &end, 10) : 0;
    if (npos != 0 || (o.batch && (*end != '\0' || batch <= 0 || batch > 100000))) {
        fprintf(stderr, "prakerja keys: usage: prakerja keys rotate [--batch N] | prune\n");
        return 2;
    }
    pk_app app;
    if (open_app(&app, &cfg) != 0)
        return 1;
    char err[512];
    int rc;
    if (rotate) {
        pk_rotate_summary sum;
        rc = pk_keys_rotate(&app, (int)batch, &sum, err, sizeof(err));
        if (rc == 0)
            printf("{\"generation\": %d, \"participants\": %lld, \"notes\": %lld, "
                   "\"resumed\": %s}\n",
                   sum.generation, (long long)sum.participants, (long long)sum.notes,
                   sum.resumed ? "true" : "false");
    } else {
        int removed = 0;
        int64_t counts[256];
        rc = pk_keys_prune(&app, &removed, counts, err, sizeof(err));
        if (rc == 0) {
            printf("{\"removed\": %d, \"boxes\": {", removed);
            const char *sep = "";
            for (int g = 0; g < 256; g++)
                if (counts[g] > 0) {
                    printf("%s\"%d\": %lld", sep, g, (long long)counts[g]);
                    sep = ", ";
                }
            printf("}}\n");
        }
    }
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja keys %s: %s\n", argv[1], err);
        return 1;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(1, argv);
    const cmd *c = find_cmd(argv[1]);
    if (c == NULL) {
        fprintf(stderr, "prakerja: unknown command '%.64s' (see 'prakerja --help')\n", argv[1]);
        return 2;
    }
    return c->run(argc - 1, argv + 1);
}
