/* main.c -- the `prakerja` command line: the table of commands, the one
 * way their options are parsed, and the entry point.  Each command is a
 * thin adapter from arguments to the app layer, one file per family
 * (cmd_*.c, see cli.h).
 *
 * Settings come from defaults < ini file (--config or PRAKERJA_CONFIG) <
 * PRAKERJA_* environment < flags: "--key value" or "--key=value" sets the
 * setting `key` ('-' read as '_'; config.h).  Every command takes the
 * common settings; `serve` also the server's.  Each command and
 * subcommand lists its own options in a table (cli_option: name, value,
 * help); the parser accepts exactly what the tables list, in any order
 * (before or after the subcommand), and the help (`prakerja CMD --help`,
 * `prakerja CMD SUB --help`) is made from the same tables. */
#include <assert.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/pk.h"

/* ---- the option tables ------------------------------------------------ */

/* The settings every command but `version` takes (config.h; each is also
 * an ini key and a PRAKERJA_<KEY> variable). */
static const cli_option common_settings[] = {
    {"db", "PATH|URL", "database: a SQLite file or postgresql://... (env PRAKERJA_DB;\n"
                       "default prakerja.db in the working directory).  Only migrate\n"
                       "and serve create a missing one"},
    {"key-file", "PATH", "key sealing personal data (default DB.key; required with\n"
                         "PostgreSQL); back it up apart from the database"},
    {"config", "PATH", "ini file with the same keys (env PRAKERJA_CONFIG)"},
    {"db-private", "on|off", "refuse a SQLite file others may read (default on)"},
    {"data-dir", "DIR", "schemes.ini and wilayah/ (env PRAKERJA_DATA_DIR)"},
    {"schemes-file", "PATH", "benefit schemes (default DATA_DIR/schemes.ini)"},
    {"service-province", "CODE", "region served (default 31, DKI Jakarta)"},
    {"import-bulk-mb", "N", "an import of at least N MB into an empty registry loads in bulk\n"
                            "(default 64)"},
    {"card-issuer", "DIGITS", "6-digit issuer prefix of the card numbers a draw gives\n"
                              "(default 990031)"},
    {"mode", "mirror|engine", "who runs the programme: mirror (default; the programme\n"
                              "office's event files are mirrored, jobs only report) or\n"
                              "engine (this deployment: waves, draws, jobs revoke and lapse)"},
    {NULL, NULL, NULL},
};

/* The settings only `serve` takes (CLI_SERVER). */
static const cli_option server_settings[] = {
    {"listen", "ADDR:PORT", "where to listen (env PRAKERJA_LISTEN; default 127.0.0.1:8080;\n"
                            "port 0 picks a free port)"},
    {"threads", "N", "worker threads (default: 8 per core)"},
    {"max-connections", "N", "open connections at most (default 4096)"},
    {"per-ip-connections", "N", "per client address (default 64; 0 with --trusted-proxy)"},
    {"timeout", "SECONDS", "idle connection timeout (default 30)"},
    {"request-timeout", "SECONDS", "a whole request must arrive within (default 60; 0: none)"},
    {"max-body", "BYTES", "request body limit (default 65536)"},
    {"session-idle", "SECONDS", "a session ends after this long without a request (default 1800)"},
    {"session-max", "SECONDS", "a session ends this long after login at the latest (default 43200)"},
    {"cookie-secure", "0|1", "mark cookies Secure (set 1 behind HTTPS; default 0)"},
    {"login-max-failures", "N", "failed logins of one account from one address ... (default 5)"},
    {"login-window", "SECONDS", "... within this window, then 429 (default 900)"},
    {"login-max-failures-address", "N", "... from one address, any accounts (default 100)"},
    {"login-backoff", "SECONDS", "an account with login-max-failures failures (any addresses)\n"
                                 "waits this long between attempts, doubling (default 1; 0: off)"},
    {"login-backoff-max", "SECONDS", "... up to this long (default 60)"},
    {"hash-concurrency", "N", "password hashes at once, 64 MiB each (default 2)"},
    {"hash-wait-ms", "MS", "how long a login waits for a hash slot, then 503 (default 5000)"},
    {"rate-limits", "on|off", "rate limits per client address on public forms and API (default on)"},
    {"rate-lookup", "N", "NIK check and status look-up: requests per minute per address (30)"},
    {"burst-lookup", "N", "... and requests allowed at once (10)"},
    {"rate-check", "N", "eligibility self-check: per minute (30)"},
    {"burst-check", "N", "... at once (10)"},
    {"rate-register", "N", "registration: per minute (10)"},
    {"burst-register", "N", "... at once (5)"},
    {"rate-login", "N", "login form: per minute (10)"},
    {"burst-login", "N", "... at once (5)"},
    {"trusted-proxy", "ADDR", "reverse proxy whose X-Forwarded-For is believed (default: none)"},
    {"stats-min-count", "N", "counts from 1 to N-1 are hidden from viewers (default 5)"},
    {"complaints-contact", "TEXT", "where the portal sends a resident with a problem (a NIK\n"
                                   "already registered): the complaints desk, phone or e-mail\n"
                                   "(default: the kelurahan office)"},
    {NULL, NULL, NULL},
};

static int cli_version(const cli_cmd *c, cli_args *a);

/* ---- the command table ------------------------------------------------- */

static const cli_option username_opt[] = {
    {"username", "U", "the account"},
    {NULL, NULL, NULL},
};
static const cli_sub user_subs[] = {
    {"add", "--username U --role R", "create a staff account (password from a prompt)",
     (const cli_option[]){
         {"username", "U", "the account's name"},
         {"role", "admin|operator|viewer", "what it may do"},
         {"region", "CODE", "the region it is limited to (required for operators)"},
         {"password-stdin", NULL, "read the password from the first line of stdin"},
         {NULL, NULL, NULL}}},
    {"passwd", "--username U", "set an account's password (and end its sessions)",
     (const cli_option[]){
         {"username", "U", "the account"},
         {"password-stdin", NULL, "read the password from the first line of stdin"},
         {NULL, NULL, NULL}}},
    {"disable", "--username U", "disable an account (its sessions and tokens stop working)",
     username_opt},
    {"enable", "--username U", "enable a disabled account", username_opt},
    {"list", "", "one JSON line per account", NULL},
    {"unlock", "--username U | U", "clear the throttling of the account's logins",
     username_opt},
    {NULL, NULL, NULL, NULL},
};
static const cli_sub token_subs[] = {
    {"create", "--username U", "issue an API token for an account (printed once)",
     (const cli_option[]){
         {"username", "U", "the account the token acts as"},
         {"label", "TEXT", "what it is for"},
         {NULL, NULL, NULL}}},
    {"revoke", "--id N", "revoke a token",
     (const cli_option[]){{"id", "N", "the token's id (token list)"}, {NULL, NULL, NULL}}},
    {"list", "", "one JSON line per token: id, username, label, created_at, revoked_at\n"
                 "(never the token itself)",
     (const cli_option[]){
         {"username", "U", "only this account's tokens"},
         {"user", "U", "the same as --username"},
         {NULL, NULL, NULL}}},
    {NULL, NULL, NULL, NULL},
};
static const cli_sub import_subs[] = {
    {"participants", "FILE",
     "import an exchange file (FILE, or - for stdin): upsert by NIK, one JSON\n"
     "summary line on stdout, progress and a summary on stderr",
     (const cli_option[]){
         {"scheme", "ID", "judge eligibility under this scheme (default: the current one)"},
         {"as-of", "YYYY-MM-DD", "judge eligibility as of this date (default: today)"},
         {"rejects", "OUT.csv", "write the rejected rows, with their reasons, to OUT.csv (0600)"},
         {NULL, NULL, NULL}}},
    {"exclusions", "--list NAME FILE",
     "replace an exclusion list with the NIKs of FILE; prints the count before\n"
     "and after",
     (const cli_option[]){
         {"list", "NAME", "dtks, bsu, bpum, daftar_hitam, penerima_sebelumnya or prioritas"},
         {NULL, NULL, NULL}}},
    {"events", "FILE",
     "import a journey event file (FILE, or - for stdin): each person's rows in\n"
     "waktu order, idempotent by (source, ref); one JSON summary line on stdout",
     (const cli_option[]){
         {"source", "pmo|lokal", "whose events they are (default pmo); a lokal file may not\n"
                                 "carry lolos, tidak_lolos or dicabut"},
         {"rejects", "OUT.csv", "write the rejected rows, with their reasons, to OUT.csv (0600)"},
         {NULL, NULL, NULL}}},
    {"courses", "FILE",
     "import the training catalogue (FILE, or - for stdin): columns platform,\n"
     "kode_pelatihan, judul, lpk, harga (whole Rupiah), mode (webinar, mandiri,\n"
     "luring); upsert by (platform, kode_pelatihan); one JSON summary line",
     (const cli_option[]){
         {"rejects", "OUT.csv", "write the rejected rows, with line and reason, to OUT.csv (0600)"},
         {NULL, NULL, NULL}}},
    {NULL, NULL, NULL, NULL},
};
static const cli_sub export_subs[] = {
    {"participants", "",
     "write the participants as an exchange file (full NIKs and phone numbers)\n"
     "to stdout (a file the shell creates for '>' is 0644: others may read it),\n"
     "or to --output FILE",
     (const cli_option[]){
         {"region", "CODE", "only this region's subtree (31.74)"},
         {"output", "FILE", "write to FILE, created 0600; an existing FILE is refused"},
         {NULL, NULL, NULL}}},
    {"selection", "--wave N",
     "write a drawn wave's selection as CSV: nik,tier,rank,status,alasan (rank as\n"
     "64 hex digits), in NIK order, for tools/verify_draw.py (docs/DRAW.md)",
     (const cli_option[]){
         {"wave", "N", "the wave"},
         {"output", "FILE", "write to FILE, created 0600; an existing FILE is refused"},
         {NULL, NULL, NULL}}},
    {"events", "",
     "write the journey events as an event file (full NIKs), in the format\n"
     "import events reads: importing it again changes nothing",
     (const cli_option[]){
         {"region", "CODE", "only the participants of this region's subtree (31.74)"},
         {"since", "INSTANT", "only events at or after INSTANT (2021-03-01T00:00:00+07:00)"},
         {"source", "pmo|lokal", "whose events (default pmo)"},
         {"output", "FILE", "write to FILE, created 0600; an existing FILE is refused"},
         {NULL, NULL, NULL}}},
    {NULL, NULL, NULL, NULL},
};
static const cli_sub journey_subs[] = {
    {"rebuild", "",
     "recompute every participant's journey state from their events alone;\n"
     "one JSON line: people, changed",
     NULL},
    {NULL, NULL, NULL, NULL},
};
static const cli_sub stats_subs[] = {
    {"verify", "",
     "recount the participants and compare each counter the statistics read\n"
     "(village, segment, sex, reasons) with the recount; a JSON line for each\n"
     "cell that differs, then one summary line; exit 1 when any differs",
     NULL},
    {"rebuild", "",
     "replace every counter with a recount of the participants (one\n"
     "transaction, audited); one JSON line: cells",
     NULL},
    {NULL, NULL, NULL, NULL},
};
static const cli_sub ledger_subs[] = {
    {"verify", "",
     "check every participant's stored balance and state against a fold of\n"
     "their events, and the programme's totals (credited = spent - refunded +\n"
     "remaining + lapsed); one JSON line; exit 1, naming what differs on\n"
     "stderr, when anything does",
     NULL},
    {NULL, NULL, NULL, NULL},
};
static const cli_sub jobs_subs[] = {
    {"run", "[--date YYYY-MM-DD]",
     "the daily job.  With mode = engine: revoke recipients past the first-purchase\n"
     "deadline without a purchase (dicabut, saldo_hangus of the rest, the NIK on\n"
     "daftar_hitam) and lapse balances past their wave's cut-off, as events of\n"
     "source lokal; first the days missed since the last run, in order; a day\n"
     "run again changes nothing.  With mode = mirror (the default): change\n"
     "nothing and report what is due.  One JSON line",
     (const cli_option[]){
         {"date", "YYYY-MM-DD", "the day to run (default: today in Jakarta); deadlines that\n"
                                "ended before it began are acted on"},
         {NULL, NULL, NULL}}},
    {NULL, NULL, NULL, NULL},
};
static const cli_option consent_opt[] = {
    {"nik", "NIK", "the participant's NIK"},
    {"purpose", "program|informasi", "program: messages about the person's own obligations and\n"
                                     "money; informasi: news such as an open wave"},
    {NULL, NULL, NULL},
};
static const cli_sub consent_subs[] = {
    {"stop", "--nik NIK --purpose program|informasi",
     "stop a participant's reminders of a purpose, as staff (reminders.md): the\n"
     "change is kept with its time and audited.  One JSON line (changed: false\n"
     "when it was stopped already)",
     consent_opt},
    {"start", "--nik NIK --purpose program|informasi",
     "start a participant's reminders of a purpose again.  One JSON line", consent_opt},
    {NULL, NULL, NULL, NULL},
};
static const cli_option wave_opt[] = {
    {"wave", "N", "the wave's number"},
    {NULL, NULL, NULL},
};
static const cli_sub wave_subs[] = {
    {"create", "--wave N --scheme ID --opens INSTANT --closes INSTANT --quota N",
     "create a wave, open for joining between its instants; one JSON line",
     (const cli_option[]){
         {"wave", "N", "its number (>= 1, unique)"},
         {"scheme", "ID", "its benefit scheme (data/schemes.ini)"},
         {"opens", "INSTANT", "when joining opens: ISO 8601 with an offset\n"
                              "(2021-09-13T12:00:00+07:00)"},
         {"closes", "INSTANT", "when it closes (a wave is closed once this has passed)"},
         {"quota", "N", "how many may be selected"},
         {"quota-region", "CODE=N...", "at most N of the regency CODE (31.71=3000); repeatable"},
         {"balance-until", "YYYY-MM-DD", "the balance cut-off of its recipients"},
         {NULL, NULL, NULL}}},
    {"open", "--wave N", "open a closed wave again (before its closing instant)", wave_opt},
    {"close", "--wave N", "close a wave: its applicants are frozen", wave_opt},
    {"join", "--wave N NIK...",
     "join participants (by NIK) to an open wave, as staff: a gabung_gelombang\n"
     "event each; one JSON line (joined, refused)",
     (const cli_option[]){
         {"wave", "N", "the wave"},
         {"at", "INSTANT", "when they joined (default now)"},
         {NULL, NULL, NULL}}},
    {"list", "", "one JSON line per wave", NULL},
    {"show", "--wave N", "one JSON line: the wave and its draw", wave_opt},
    {"draw", "--wave N --seed HEX",
     "draw a closed wave (selection.md, docs/DRAW.md): the rules on its closing\n"
     "date, tier, rank, the walk with its quotas; the selected get lolos, a card\n"
     "number and the balance, the others tidak_lolos with the reason.  One JSON\n"
     "summary line.  The same seed again changes nothing; another is refused",
     (const cli_option[]){
         {"wave", "N", "the wave"},
         {"seed", "HEX", "the seed announced after the wave closed: 64 hex digits"},
         {"at", "INSTANT", "the draw's instant (default now)"},
         {NULL, NULL, NULL}}},
    {"verify", "--wave N",
     "recompute a drawn wave from what was stored and compare the digests;\n"
     "one JSON line; exit 0 when they match, 1 when not",
     wave_opt},
    {NULL, NULL, NULL, NULL},
};
static const cli_sub keys_subs[] = {
    {"rotate", "",
     "add a generation to the key file, then re-seal every box of an older one;\n"
     "servers pick the new key file up by themselves.  Run again after an\n"
     "interruption: it finishes the job.  One JSON line",
     (const cli_option[]){
         {"batch", "N", "boxes re-sealed per transaction (default 1000)"},
         {NULL, NULL, NULL}}},
    {"prune", "", "drop the generations no box uses any more.  One JSON line", NULL},
    {NULL, NULL, NULL, NULL},
};

static const cli_option platform_code_opt[] = {
    {"code", "X", "the platform's code (platform list)"},
    {NULL, NULL, NULL},
};
static const cli_sub platform_subs[] = {
    {"add", "--code X --name NAME",
     "register a digital platform; prints its signing secret once, as JSON",
     (const cli_option[]){
         {"code", "X", "its code in requests (X-Prakerja-Platform): 2-32 of a-z 0-9 _ -"},
         {"name", "NAME", "its name"},
         {NULL, NULL, NULL}}},
    {"rotate", "--code X",
     "give a platform a new signing secret (printed once); the old one stops working",
     platform_code_opt},
    {"disable", "--code X", "refuse every request of a platform", platform_code_opt},
    {"list", "", "one JSON line per platform: code, name, disabled, created_at\n"
                 "(never the secret)", NULL},
    {NULL, NULL, NULL, NULL},
};

static const cli_cmd commands[] = {
    {.name = "serve", .run = cli_serve, .args = "",
     .summary = "apply pending migrations, then serve the portal and the API",
     .help = "apply pending migrations (creating the database if it is missing), then\n"
             "serve the portal and the API until SIGINT or SIGTERM",
     .flags = CLI_SERVER},
    {.name = "migrate", .run = cli_migrate, .args = "",
     .summary = "create the database or apply pending migrations (idempotent)"},
    {.name = "nik", .run = cli_nik, .args = "NIK...",
     .summary = "check NIKs: one JSON line each, as GET /api/v1/nik/{nik}; exit 1 if any is "
                "invalid"},
    {.name = "import", .run = cli_import,
     .summary = "import participants or events, replace an exclusion list, or import the "
                "courses",
     .subs = import_subs, .sub_noun = "kind",
     .sub_hint = "(participants, exclusions, events or courses)"},
    {.name = "export", .run = cli_export,
     .summary = "write the participants, their journey events, or a wave's selection",
     .subs = export_subs, .sub_noun = "kind", .sub_hint = "(participants, events or selection)"},
    {.name = "journey", .run = cli_journey,
     .summary = "the participants' journeys: rebuild their state from the events",
     .subs = journey_subs, .sub_hint = "rebuild"},
    {.name = "ledger", .run = cli_ledger,
     .summary = "check the balances against the events",
     .subs = ledger_subs, .sub_hint = "verify"},
    {.name = "stats", .run = cli_stats,
     .summary = "check the counters behind the statistics against the participants, or "
                "rebuild them",
     .subs = stats_subs, .sub_noun = "subcommand", .sub_hint = "(verify or rebuild)"},
    {.name = "jobs", .run = cli_jobs,
     .summary = "the daily job: revocations and lapses past their deadlines (engine mode)",
     .subs = jobs_subs, .sub_hint = "run"},
    {.name = "consent", .run = cli_consent,
     .summary = "stop or start a participant's reminders of a purpose (staff)",
     .subs = consent_subs, .sub_noun = "subcommand", .sub_hint = "(stop or start)"},
    {.name = "wave", .run = cli_wave,
     .summary = "create, open, close, join, list, show, draw or verify waves (engine mode)",
     .subs = wave_subs, .sub_noun = "subcommand",
     .sub_hint = "(create, open, close, join, list, show, draw, verify)"},
    {.name = "user", .run = cli_user,
     .summary = "manage staff accounts",
     .help = "manage staff accounts.  Passwords come from a prompt or, with\n"
             "--password-stdin, from the first line of stdin",
     .subs = user_subs, .sub_hint = "add, passwd, disable, enable, list or unlock"},
    {.name = "token", .run = cli_token,
     .summary = "issue, revoke or list API tokens",
     .subs = token_subs, .sub_hint = "create, revoke or list"},
    {.name = "platform", .run = cli_platform,
     .summary = "register digital platforms and their signing secrets",
     .help = "register the digital platforms that sell trainings through the platform\n"
             "API, give them new signing secrets, disable them, list them",
     .subs = platform_subs, .sub_hint = "add, rotate, disable or list"},
    {.name = "audit", .run = cli_audit,
     .args = "",
     .summary = "print the audit log (writes) and the access log (reads), filtered",
     .help = "print the audit log of writes (registrations, edits, imports, accounts,\n"
             "tokens, keys) and the access log of reads (personal data, exports,\n"
             "refused reads) as JSON lines, oldest first, each with \"log\": \"write\"\n"
             "or \"read\" and its actor (user:NAME, cli:UNIXUSER, public); or, with\n"
             "--sweeps, the accounts that asked for many records that did not exist\n"
             "for them",
     .options = (const cli_option[]){
         {"writes", NULL, "only the audit log of writes (with --reads too: both, the default)"},
         {"reads", NULL, "only the access log of reads"},
         {"user", "U", "only this actor: NAME (the account user:NAME) or cli:UNIXUSER"},
         {"kind", "K", "only this action (user.add) or kind of action (user: user.*)"},
         {"since", "YYYY-MM-DD", "only entries from this day on (UTC)"},
         {"until", "YYYY-MM-DD", "only entries up to the end of this day (UTC)"},
         {"limit", "N", "only the newest N entries"},
         {"sweeps", NULL, "list the accounts with many reads of records not there for them"},
         {"threshold", "N", "with --sweeps: at least this many such reads (default 20)"},
         {NULL, NULL, NULL}}},
    {.name = "keys", .run = cli_keys,
     .summary = "rotate the key sealing personal data, or prune its old generations",
     .subs = keys_subs, .sub_noun = "subcommand", .sub_hint = "(rotate, prune)"},
    {.name = "backup", .run = cli_backup, .args = "--output FILE",
     .summary = "copy the SQLite database consistently while servers keep running",
     .help = "copy the SQLite database, consistently and while servers keep running,\n"
             "into the new file FILE (mode 0600; an existing file is refused); one JSON\n"
             "line.  The key file is not in the copy: back it up separately.  A\n"
             "PostgreSQL database is backed up with pg_dump",
     .options = (const cli_option[]){
         {"output", "FILE", "the new file to write (never overwritten)"},
         {NULL, NULL, NULL}}},
    {.name = "version", .run = cli_version, .args = "", .summary = "print the version",
     .flags = CLI_NO_SETTINGS},
};

static const cli_cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < PK_ARRAY_LEN(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* ---- help -------------------------------------------------------------- */

#define HELP_COL 30 /* where an option's help starts */

/* Text with each '\n' followed by `indent` spaces. */
static void put_indented(FILE *f, const char *text, int indent)
{
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        if (*p == '\n')
            fprintf(f, "%*s", indent, "");
    }
}

static void put_options(FILE *f, const cli_option *o, int indent)
{
    for (; o != NULL && o->name != NULL; o++) {
        char head[96];
        int n = snprintf(head, sizeof(head), "%*s--%s%s%s", indent, "", o->name,
                         o->value ? " " : "", o->value ? o->value : "");
        if (n >= HELP_COL - 1)
            fprintf(f, "%s\n%*s", head, HELP_COL, "");
        else
            fprintf(f, "%-*s", HELP_COL, head);
        put_indented(f, o->help, HELP_COL);
        fputc('\n', f);
    }
}

static void put_sub(FILE *f, const cli_cmd *c, const cli_sub *s, int indent)
{
    fprintf(f, "%*sprakerja %s %s [options]%s%s\n%*s", indent, "", c->name, s->name,
            s->args[0] ? " " : "", s->args, indent + 4, "");
    put_indented(f, s->summary, indent + 4);
    fputc('\n', f);
    put_options(f, s->options, indent + 4);
}

void cli_usage(FILE *f, const cli_cmd *c, const cli_sub *s)
{
    if (s != NULL) {
        fputs("usage:\n", f);
        put_sub(f, c, s, 2);
    } else if (c->subs != NULL) {
        fprintf(f, "usage: prakerja %s <%s> [options] ...\n\n", c->name,
                c->sub_noun ? c->sub_noun : "subcommand");
        put_indented(f, c->help ? c->help : c->summary, 0);
        fprintf(f, "\n\n%ss (each also has its own --help: 'prakerja %s %s --help'):\n",
                c->sub_noun ? c->sub_noun : "subcommand", c->name, c->subs[0].name);
        for (const cli_sub *t = c->subs; t->name != NULL; t++)
            put_sub(f, c, t, 2);
    } else {
        fprintf(f, "usage: prakerja %s [options]%s%s\n\n", c->name,
                c->args && c->args[0] ? " " : "", c->args ? c->args : "");
        put_indented(f, c->help ? c->help : c->summary, 0);
        fputc('\n', f);
        if (c->options != NULL) {
            fputs("\noptions:\n", f);
            put_options(f, c->options, 2);
        }
    }
    if (c->flags & CLI_NO_SETTINGS)
        return;
    fputs("\nsettings (each also an ini key of --config and a PRAKERJA_<KEY> variable:\n"
          "--key-file is key_file, PRAKERJA_KEY_FILE):\n", f);
    put_options(f, common_settings, 2);
    if (c->flags & CLI_SERVER) {
        fputs("\nserver settings:\n", f);
        put_options(f, server_settings, 2);
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: prakerja <command> [options]\n\n"
               "Kartu Prakerja information service for DKI Jakarta.\n\ncommands:\n");
    for (size_t i = 0; i < PK_ARRAY_LEN(commands); i++) {
        fprintf(f, "  %-9s ", commands[i].name);
        put_indented(f, commands[i].summary, 12);
        fputc('\n', f);
    }
    fprintf(f, "\n'prakerja <command> --help' describes a command and its options.\n");
}

/* ---- options ----------------------------------------------------------- */

static bool is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* The option of table o whose key (its name with '-' read as '_') is key. */
static const cli_option *find_option(const cli_option *o, const char *key)
{
    for (; o != NULL && o->name != NULL; o++) {
        size_t i = 0;
        while (o->name[i] && key[i] && (o->name[i] == '-' ? '_' : o->name[i]) == key[i])
            i++;
        if (o->name[i] == '\0' && key[i] == '\0')
            return o;
    }
    return NULL;
}

/* A setting command c takes (key spelled with '_'), or NULL. */
static const cli_option *find_setting(const cli_cmd *c, const char *key)
{
    const cli_option *o = find_option(common_settings, key);
    if (o == NULL && (c->flags & CLI_SERVER))
        o = find_option(server_settings, key);
    return o;
}

/* The key of "--name" or "--name=value" into key ('-' read as '_');
 * false when too long. */
static bool arg_key(const char *arg, char *key, size_t size)
{
    const char *eq = strchr(arg, '=');
    size_t kl = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
    if (kl >= size)
        return false;
    for (size_t k = 0; k < kl; k++)
        key[k] = arg[2 + k] == '-' ? '_' : arg[2 + k];
    key[kl] = '\0';
    return true;
}

static bool is_option(const char *arg)
{
    return strncmp(arg, "--", 2) == 0 && arg[2] != '\0';
}

/* Does "--name" (without '=') take the next argument as its value?  Before
 * the subcommand is known: when any of c's subcommands says so. */
static bool takes_value(const cli_cmd *c, const cli_sub *s, const char *arg)
{
    char key[64];
    if (strchr(arg, '=') != NULL || !arg_key(arg, key, sizeof(key)))
        return false;
    if (find_setting(c, key) != NULL)
        return true;
    const cli_option *o = find_option(s ? s->options : c->options, key);
    for (const cli_sub *t = c->subs; o == NULL && s == NULL && t && t->name; t++)
        o = find_option(t->options, key);
    return o != NULL && o->value != NULL;
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

int cli_opt_each(const cli_args *a, const char *key, const char **out, int cap)
{
    int n = 0;
    for (int i = 0; i < a->nopts && n < cap; i++)
        if (strcmp(a->opts[i].key, key) == 0)
            out[n++] = a->opts[i].value;
    return n;
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
 * arguments into a (a->pos has room for argc), skipping argv[skip] (the
 * subcommand's word; 0: none).  Options may come in any order, before or
 * after the subcommand.  Returns 0 or -1 after printing an error. */
static int parse(int argc, char **argv, int skip, const cli_cmd *c, cli_args *a)
{
    char err[512];
    const char *config = getenv("PRAKERJA_CONFIG");
    const cli_option *own_table = a->sub ? a->sub->options : c->options;
    char name[80];
    snprintf(name, sizeof(name), "%s%s%s", c->name, a->sub ? " " : "",
             a->sub ? a->sub->name : "");
    a->npos = 0;
    /* First pass: --config, which decides what the rest means. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
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
        if (i == skip)
            continue;
        if (strcmp(arg, "--") == 0) {
            while (++i < argc)
                a->pos[a->npos++] = argv[i];
            break;
        }
        if (!is_option(arg)) {
            a->pos[a->npos++] = argv[i];
            continue;
        }
        char key[64];
        const char *eq = strchr(arg, '=');
        const cli_option *own = NULL, *setting = NULL;
        if (arg_key(arg, key, sizeof(key))) {
            own = find_option(own_table, key);
            setting = own ? NULL : find_setting(c, key);
        }
        if (own == NULL && setting == NULL) {
            fprintf(stderr, "prakerja %s: unknown option '%.64s' (see 'prakerja %s --help')\n",
                    name, arg, name);
            return -1;
        }
        if (own != NULL && own->value == NULL) {
            if (eq != NULL) {
                fprintf(stderr, "prakerja %s: option '--%.64s' takes no value\n", name, key);
                return -1;
            }
            set_opt(a, key, NULL);
            continue;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (value == NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "prakerja %s: option '--%.64s' needs a value\n", name, arg + 2);
                return -1;
            }
            value = argv[++i];
        }
        size_t vl = own && own->value ? strlen(own->value) : 0;
        if (vl > 3 && strcmp(own->value + vl - 3, "...") == 0) {
            /* room is kept for the command's other options */
            if (a->nopts >= CLI_OPTS_MAX - 16) {
                fprintf(stderr, "prakerja %s: --%s is given too many times\n", name, key);
                return -1;
            }
            snprintf(a->opts[a->nopts].key, sizeof(a->opts[0].key), "%.31s", key);
            a->opts[a->nopts++].value = value;
            continue;
        }
        if (own != NULL) {
            set_opt(a, key, value);
            continue;
        }
        if (strcmp(key, "config") == 0)
            continue;
        /* a setting: the flags -> settings mapping is config.h's table */
        if (pk_config_set(&a->cfg, key, value, err, sizeof(err)) != 0) {
            fprintf(stderr, "prakerja %s: %s\n", name, err);
            return -1;
        }
    }
    return 0;
}

/* Runs command c on argv (argv[0] is its name): finds the subcommand (the
 * first argument that is neither an option nor an option's value),
 * parses the options, then calls the handler.  --help anywhere prints the
 * usage of the subcommand, or of the command (status 0); a usage error is
 * reported here (status 2). */
static int run(const cli_cmd *c, int argc, char **argv)
{
    if (c->flags & CLI_NO_SETTINGS) {
        if (argc > 1 && is_help(argv[1])) {
            cli_usage(stdout, c, NULL);
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
    int at = 0; /* the subcommand's index in argv */
    bool help = false;
    const char *word = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (is_help(argv[i]))
            help = true;
        else if (is_option(argv[i]))
            i += takes_value(c, NULL, argv[i]) ? 1 : 0;
        else if (word == NULL && c->subs != NULL) {
            word = argv[i];
            at = i;
        }
    }
    for (const cli_sub *s = c->subs; s != NULL && s->name != NULL && word != NULL; s++)
        if (strcmp(s->name, word) == 0)
            a.sub = s;
    if (help) {
        cli_usage(stdout, c, a.sub);
        return 0;
    }
    if (c->subs != NULL && a.sub == NULL) {
        if (c->sub_noun == NULL)
            fprintf(stderr, "prakerja %s: give %s (see 'prakerja %s --help')\n", c->name,
                    c->sub_hint, c->name);
        else if (word == NULL)
            cli_usage(stderr, c, NULL);
        else
            fprintf(stderr, "prakerja %s: unknown %s '%.32s' %s\n", c->name, c->sub_noun, word,
                    c->sub_hint);
        return 2;
    }
    char *pos[argc + 1];
    a.pos = pos;
    if (parse(argc, argv, at, c, &a) != 0)
        return 2;
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

static int open_app(pk_app *app, const pk_config *cfg, unsigned flags)
{
    char err[1024];
    int rc = pk_app_open(app, cfg, flags, cli_log, NULL, err, sizeof(err));
    if (rc == PK_ENOENT)
        fprintf(stderr,
                "prakerja: %s.  Only 'prakerja migrate' and 'prakerja serve' create a database:\n"
                "  prakerja migrate --db %s\n"
                "creates it (scripts/serve serves ./prakerja.db of the source tree); or give the\n"
                "right --db (or PRAKERJA_DB, or db in --config).\n",
                err, cfg->db);
    else if (rc != 0)
        fprintf(stderr, "prakerja: %s\n", err);
    return rc != 0 ? -1 : 0;
}

int cli_open_app(pk_app *app, const pk_config *cfg)
{
    return open_app(app, cfg, PK_APP_EXISTING);
}

int cli_open_app_creating(pk_app *app, const pk_config *cfg)
{
    return open_app(app, cfg, PK_APP_CREATE);
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
