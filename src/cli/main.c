/* main.c -- the `prakerja` command line: the table of commands, the one
 * way their options are parsed, and the entry point.  Each command is a
 * thin adapter from arguments to the app layer, one file per family
 * (cmd_*.c, see cli.h).
 *
 * Settings come from defaults < ini file (--config or PRAKERJA_CONFIG) <
 * PRAKERJA_* environment < flags: "--key value" or "--key=value" sets the
 * setting `key` ('-' read as '_'; config.h).  Every command takes the
 * common settings; `serve` also the server's; a command's own options
 * (the table's `options` and `booleans`) go into cli_args. */
#include <assert.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/pk.h"

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
    "  --login-max-failures N failed logins of one account from one address ... (default 5)\n"
    "  --login-window SECONDS ... within this window, then 429 (default 900)\n"
    "  --login-max-failures-address N  ... from one address, any accounts (default 100)\n"
    "  --login-backoff SECONDS  an account with login-max-failures failures (any addresses)\n"
    "                         waits this long between attempts, doubling (default 1; 0: off)\n"
    "  --login-backoff-max SECONDS  ... up to this long (default 60)\n"
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
    "  --per-ip-connections N per client address (default 64; 0 with --trusted-proxy)\n"
    "  --timeout SECONDS      idle connection timeout (default 30)\n"
    "  --request-timeout SECONDS  a whole request must arrive within (default 60)\n"
    "  --max-body BYTES       request body limit (default 65536)\n";

/* The settings only `serve` takes (CLI_SERVER); every other setting is
 * common to all commands. */
static const char server_keys[] = " listen threads max_connections per_ip_connections timeout "
                                  "request_timeout stats_min_count "
                                  "max_body session_idle session_max cookie_secure "
                                  "login_max_failures login_window hash_concurrency "
                                  "hash_wait_ms rate_limits rate_lookup burst_lookup "
                                  "rate_check burst_check rate_register burst_register "
                                  "rate_login burst_login trusted_proxy "
                                  "login_max_failures_address login_backoff login_backoff_max ";

static int cli_version(const cli_cmd *c, cli_args *a);

/* ---- the command table ------------------------------------------------- */

/* The summary (in `prakerja --help`) and the help (`prakerja NAME --help`)
 * are one text for now. */
#define ABOUT(text) .summary = text, .help = text

static const cli_sub user_subs[] = {
    {"add", " username role region ", " password_stdin "},
    {"passwd", " username ", " password_stdin "},
    {"disable", " username ", ""},
    {"enable", " username ", ""},
    {"list", "", ""},
    {"unlock", " username ", ""},
    {NULL, NULL, NULL},
};
static const cli_sub token_subs[] = {
    {"create", " username label ", ""},
    {"revoke", " id ", ""},
    {"list", " username user ", ""},
    {NULL, NULL, NULL},
};
static const cli_sub import_subs[] = {
    {"participants", " scheme as_of rejects ", ""},
    {"exclusions", " list ", ""},
    {NULL, NULL, NULL},
};
static const cli_sub export_subs[] = {
    {"participants", " region ", ""},
    {NULL, NULL, NULL},
};
static const cli_sub keys_subs[] = {
    {"rotate", " batch ", ""},
    {"prune", " ", ""},
    {NULL, NULL, NULL},
};

static const cli_cmd commands[] = {
    {.name = "serve", .run = cli_serve, .args = "",
     ABOUT("apply pending migrations, then serve the portal and the API"),
     .options = server_keys, .flags = CLI_SERVER},
    {.name = "migrate", .run = cli_migrate, .args = "",
     ABOUT("apply pending database migrations (idempotent)")},
    {.name = "nik", .run = cli_nik, .args = "NIK...",
     ABOUT("check NIKs: one JSON line each, as GET /api/v1/nik/{nik}; exit 1 if any is invalid")},
    {.name = "import", .run = cli_import,
     .args = "participants FILE | exclusions --list NAME FILE",
     ABOUT("import an exchange file (upsert by NIK; --scheme ID, --as-of YYYY-MM-DD,\n"
           "            --rejects OUT.csv) or replace an exclusion list (--list dtks|bsu|bpum|\n"
           "            daftar_hitam|penerima_sebelumnya)"),
     .subs = import_subs, .sub_noun = "kind", .sub_hint = "(participants or exclusions)"},
    {.name = "export", .run = cli_export, .args = "participants [--region CODE]",
     ABOUT("write the participants (of a region subtree) as an exchange file to stdout"),
     .subs = export_subs, .sub_noun = "kind", .sub_hint = "(participants)"},
    {.name = "user", .run = cli_user,
     .args = "add|passwd|disable|enable|list|unlock [--username U] [--role R] [--region CODE]",
     ABOUT("manage staff accounts: add --username U --role admin|operator|viewer\n"
           "            [--region CODE] [--password-stdin]; passwd --username U [--password-stdin];\n"
           "            disable|enable --username U; list (one JSON line per user).  Passwords come\n"
           "            from a prompt or, with --password-stdin, from the first line of stdin;\n"
           "            unlock --username U (or unlock U): clear the throttling of U's logins"),
     .subs = user_subs, .sub_hint = "add, passwd, disable, enable, list or unlock"},
    {.name = "token", .run = cli_token,
     .args = "create --username U [--label TEXT] | revoke --id N | list [--username U]",
     ABOUT("issue an API token for a user (printed once), revoke one, or list them\n"
           "            (one JSON line each: id, username, label, created_at, revoked_at;\n"
           "            never the token; --user U is --username U)"),
     .subs = token_subs, .sub_hint = "create, revoke or list"},
    {.name = "audit", .run = cli_audit,
     .args = "[--since YYYY-MM-DD] [--limit N] | --sweeps [--since D] [--threshold N]",
     ABOUT("print the access log (reads of personal data, exports, refused reads)\n"
           "            as JSON lines, oldest first (--limit: the newest N entries);\n"
           "            --sweeps: the accounts with at least --threshold (default 20)\n"
           "            reads of records that did not exist for them"),
     .options = " since limit threshold ", .booleans = " sweeps "},
    {.name = "keys", .run = cli_keys, .args = "rotate [--batch N] | prune",
     ABOUT("rotate the seal key: add a generation to the key file, then re-seal\n"
           "            every box of an older one, --batch boxes per transaction (default\n"
           "            1000); servers pick the new key file up by themselves.  Run again\n"
           "            after an interruption: it finishes the job.  prune: drop the\n"
           "            generations no box uses any more.  One JSON line"),
     .subs = keys_subs, .sub_noun = "subcommand", .sub_hint = "(rotate, prune)"},
    {.name = "version", .run = cli_version, .args = "", ABOUT("print the version"),
     .flags = CLI_NO_SETTINGS},
};

static const cli_cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < PK_ARRAY_LEN(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

void cli_usage(FILE *f, const cli_cmd *c)
{
    fprintf(f, "usage: prakerja %s [options]%s%s\n\n%s\n", c->name, c->args[0] ? " " : "",
            c->args, c->help);
    if (c->flags & CLI_NO_SETTINGS)
        return;
    fprintf(f, "\noptions:\n%s", common_flags);
    if (c->flags & CLI_SERVER)
        fputs(serve_flags, f);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: prakerja <command> [options]\n\n"
               "Kartu Prakerja information service for DKI Jakarta.\n\ncommands:\n");
    for (size_t i = 0; i < PK_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'prakerja <command> --help' describes a command.\n");
}

/* ---- options ----------------------------------------------------------- */

static bool has_word(const char *words, const char *key)
{
    char pat[80];
    snprintf(pat, sizeof(pat), " %s ", key);
    return words != NULL && strstr(words, pat) != NULL;
}

static bool is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static void set_opt(cli_args *a, const char *key, const char *value)
{
    int i = 0;
    while (i < a->nopts && strcmp(a->opts[i].key, key) != 0)
        i++;
    assert(i < CLI_OPTS_MAX && strlen(key) < sizeof(a->opts[i].key));
    if (i == a->nopts)
        a->nopts++;
    snprintf(a->opts[i].key, sizeof(a->opts[i].key), "%s", key);
    a->opts[i].value = value;
}

const char *cli_opt(const cli_args *a, const char *key)
{
    for (int i = 0; i < a->nopts; i++)
        if (strcmp(a->opts[i].key, key) == 0)
            return a->opts[i].value;
    return NULL;
}

bool cli_flag(const cli_args *a, const char *key)
{
    for (int i = 0; i < a->nopts; i++)
        if (strcmp(a->opts[i].key, key) == 0)
            return true;
    return false;
}

bool cli_sub_is(const cli_args *a, const char *name)
{
    return a->sub != NULL && strcmp(a->sub->name, name) == 0;
}

/* Reads the settings into a->cfg (ini file, environment, then the flags
 * among argv[1..]) and the command's own options and positional
 * arguments into a (a->pos has room for argc).  Returns 0, 1 for --help,
 * or -1 after printing an error. */
static int parse(int argc, char **argv, const cli_cmd *c, cli_args *a)
{
    char err[512];
    const char *config = getenv("PRAKERJA_CONFIG");
    const char *options = a->sub ? a->sub->options : c->options;
    const char *booleans = a->sub ? a->sub->booleans : c->booleans;
    a->npos = 0;
    /* First pass: --help and --config, which decide what the rest means. */
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i]))
            return 1;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            config = argv[i] + 9;
    }
    pk_config_defaults(&a->cfg);
    if (config != NULL && config[0] != '\0' &&
        pk_config_load_file(&a->cfg, config, err, sizeof(err)) != 0) {
        fprintf(stderr, "prakerja: %s\n", err);
        return -1;
    }
    if (pk_config_load_env(&a->cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "prakerja: environment: %s\n", err);
        return -1;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            while (++i < argc)
                a->pos[a->npos++] = argv[i];
            break;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            a->pos[a->npos++] = argv[i];
            continue;
        }
        char key[64];
        const char *eq = strchr(arg, '=');
        size_t kl = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (kl >= sizeof(key)) {
            fprintf(stderr, "prakerja %s: unknown option '%.64s'\n", c->name, arg);
            return -1;
        }
        for (size_t k = 0; k < kl; k++)
            key[k] = arg[2 + k] == '-' ? '_' : arg[2 + k];
        key[kl] = '\0';
        if (has_word(booleans, key)) {
            if (eq != NULL) {
                fprintf(stderr, "prakerja %s: option '--%.64s' takes no value\n", c->name, key);
                return -1;
            }
            set_opt(a, key, NULL);
            continue;
        }
        bool own = has_word(options, key);
        bool common = pk_config_known(key) && !has_word(server_keys, key);
        if (strcmp(key, "config") != 0 && !own && !common) {
            fprintf(stderr, "prakerja %s: unknown option '%.64s' (see 'prakerja %s --help')\n",
                    c->name, arg, c->name);
            return -1;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (value == NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "prakerja %s: option '--%.64s' needs a value\n", c->name,
                        arg + 2);
                return -1;
            }
            value = argv[++i];
        }
        if (strcmp(key, "config") == 0)
            continue;
        if (own && !pk_config_known(key)) {
            set_opt(a, key, value);
            continue;
        }
        /* a setting: the flags -> settings mapping is config.h's table */
        if (pk_config_set(&a->cfg, key, value, err, sizeof(err)) != 0) {
            fprintf(stderr, "prakerja %s: %s\n", c->name, err);
            return -1;
        }
    }
    return 0;
}

/* Runs command c on argv (argv[0] is its name): picks the subcommand,
 * parses the options, then calls the handler.  --help prints the usage
 * (status 0); a usage error is reported here (status 2). */
static int run(const cli_cmd *c, int argc, char **argv)
{
    if (c->flags & CLI_NO_SETTINGS) {
        if (argc > 1 && is_help(argv[1])) {
            cli_usage(stdout, c);
            return 0;
        }
        if (argc > 1) {
            fprintf(stderr, "prakerja %s: unexpected argument\n", c->name);
            return 2;
        }
        cli_args a = {.npos = 0};
        return c->run(c, &a);
    }
    cli_args a = {.sub = NULL};
    if (c->subs != NULL) {
        const char *word = argc > 1 ? argv[1] : NULL;
        if (word != NULL && is_help(word)) {
            cli_usage(stdout, c);
            return 0;
        }
        for (const cli_sub *s = c->subs; s->name != NULL && word != NULL; s++)
            if (strcmp(s->name, word) == 0)
                a.sub = s;
        if (a.sub == NULL) {
            if (c->sub_noun == NULL)
                fprintf(stderr, "prakerja %s: give %s (see 'prakerja %s --help')\n", c->name,
                        c->sub_hint, c->name);
            else if (word == NULL)
                cli_usage(stderr, c);
            else
                fprintf(stderr, "prakerja %s: unknown %s '%.32s' %s\n", c->name, c->sub_noun,
                        word, c->sub_hint);
            return 2;
        }
        argc--;
        argv++;
    }
    char *pos[argc + 1];
    a.pos = pos;
    int r = parse(argc, argv, c, &a);
    if (r == 1)
        cli_usage(stdout, c);
    if (r != 0)
        return r == 1 ? 0 : 2;
    return c->run(c, &a);
}

void cli_log(void *ctx, const char *msg)
{
    (void)ctx;
    char line[600];
    int n = snprintf(line, sizeof(line), "prakerja: %s\n", msg);
    if (n > 0) { /* one write, so lines from several threads never mix */
        ssize_t w = write(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        (void)w;
    }
}

int cli_open_app(pk_app *app, const pk_config *cfg)
{
    char err[1024];
    if (pk_app_open(app, cfg, cli_log, NULL, err, sizeof(err)) != 0) {
        fprintf(stderr, "prakerja: %s\n", err);
        return -1;
    }
    return 0;
}

static int cli_version(const cli_cmd *c, cli_args *a)
{
    printf("prakerja %s\n", PK_VERSION);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return run(find_cmd("version"), 1, argv);
    const cli_cmd *c = find_cmd(argv[1]);
    if (c == NULL) {
        fprintf(stderr, "prakerja: unknown command '%.64s' (see 'prakerja --help')\n", argv[1]);
        return 2;
    }
    return run(c, argc - 1, argv + 1);
}
