/* commands.c -- the tables of the command line: the settings every
 * command takes, the server's, and each command with its subcommands and
 * their options (cli_option: name, value, help).  main.c parses exactly
 * what these tables list and makes the help from them. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/pk.h"

/* ---- the option tables ------------------------------------------------ */

/* The settings every command but `version` takes (config.h; each is also
 * an ini key and a PRAKERJA_<KEY> variable). */
const cli_option cli_common_settings[] = {
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
const cli_option cli_server_settings[] = {
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
    {"lock-wait", "SECONDS", "how long a request waits for a database lock held by an import\n"
                             "or a draw, then 503 (PostgreSQL; default 10; 0: no limit)"},
    {"rate-limits", "on|off", "rate limits per client address on public forms and API (default on)"},
    {"rate-lookup", "N", "NIK check and status look-up: requests per minute per address (30)"},
    {"burst-lookup", "N", "... and requests allowed at once (10)"},
    {"rate-check", "N", "eligibility self-check: per minute (30)"},
    {"burst-check", "N", "... at once (10)"},
    {"rate-register", "N", "registration: per minute (10)"},
    {"burst-register", "N", "... at once (5)"},
    {"rate-login", "N", "login form: per minute (10)"},
    {"burst-login", "N", "... at once (5)"},
    {"rate-code", "N", "residents' one-time codes, asked or entered: per minute (6)"},
    {"burst-code", "N", "... at once (3)"},
    {"rate-card", "N", "a platform's purchases naming a card never issued: per minute (10)"},
    {"burst-card", "N", "... at most (30); past them its purchases are refused (429)"},
    {"trusted-proxy", "ADDR", "reverse proxy whose X-Forwarded-For is believed (default: none)"},
    {"stats-min-count", "N", "counts from 1 to N-1 are hidden from viewers (default 5)"},
    {"complaints-contact", "TEXT", "where the portal sends a resident with a problem (a NIK\n"
                                   "already registered): the complaints desk, phone or e-mail\n"
                                   "(default: the kelurahan office)"},
    {NULL, NULL, NULL},
};

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
     "waktu order, idempotent by (source, ref); one JSON summary line on stdout.\n"
     "The programme office's files may come in any order: a rejected row that\n"
     "lacks an older event (lolos, a credit, the purchase) is kept, and applies\n"
     "once a later file brings it",
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
     "(village, segment, sex, reasons) with the recount, and the funnel's\n"
     "journey counters with a recount of the journeys, and the effect of\n"
     "reminders' counters with a recount of the fires; a JSON line for each\n"
     "cell that differs, then one summary line; exit 1 when any differs",
     NULL},
    {"rebuild", "",
     "replace every counter with a recount of the participants, journeys and\n"
     "reminders' fires (one transaction, audited); one JSON line: cells,\n"
     "journey_cells, remind_cells",
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
    {"nik", "NIK", "the participant's NIK; - reads it from the first line of stdin\n"
                   "(a NIK on the command line is in the process list)"},
    {"purpose", "program|informasi", "program: the person's own obligations and money;\n"
                                     "informasi: news, such as an open wave"},
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
    {"link", "--nik NIK --purpose program|informasi",
     "the participant's one-click stop address for a purpose (what their\n"
     "reminder e-mails carry, RFC 8058), to give them by another way.  One JSON line",
     consent_opt},
    {NULL, NULL, NULL, NULL},
};
static const cli_option remind_opt[] = {
    {"date", "YYYY-MM-DD", "the day (WIB); default today"},
    {NULL, NULL, NULL},
};
static const cli_sub remind_subs[] = {
    {"plan", "[--date YYYY-MM-DD]",
     "who gets which reminder on the day, and why (reminders.md), changing\n"
     "nothing: one JSON line per fire considered (nik, rule, anchor, k, status,\n"
     "channel, send_at, reason), then a summary line of counts per status and rule",
     remind_opt},
    {"run", "[--date YYYY-MM-DD]",
     "do what plan prints: record each decision, queue each message, and hand\n"
     "every message due now to its channel (remind_file enables berkas).  Run\n"
     "again, a day sends nothing twice; one run at a time",
     remind_opt},
    {"send", "",
     "hand every queued message due now to its channel (retries, messages whose\n"
     "time came), as serve does every 30 seconds; one JSON line", NULL},
    {"effect", "[--region CODE]",
     "the effect of reminders, per rule: the recipients reminded, held out\n"
     "(kelompok_kontrol in the reminders file) and not reminded, with how many\n"
     "were revoked, bought a first training, and the median days from\n"
     "selection to it; one JSON line per rule, then one about the hold-out",
     (const cli_option[]){
         {"region", "CODE", "only the recipients of this region's subtree (31.74)"},
         {NULL, NULL, NULL}}},
    {"test-send", "--channel CHANNEL --to ADDR [--rule ID] [--count N]",
     "try a channel: fill the rule's templates with sample values and hand N\n"
     "messages (each its own id) to the channel in batches, paced by its rate;\n"
     "one JSON line per result (outcome, provider_id, error; never the address)\n"
     "and a summary line.  Exit 0 when every message was taken, else 1",
     (const cli_option[]){
         {"channel", "whatsapp|sms|email|berkas", "the channel (enabled by its settings)"},
         {"to", "ADDR", "a number in E.164 (+6281234567890) or an e-mail address"},
         {"rule", "ID", "the rule whose templates are used (default: the first)"},
         {"count", "N", "messages to send (default 1)"},
         {"batch", "N", "messages handed over at once (default 100)"},
         {NULL, NULL, NULL}}},
    {NULL, NULL, NULL, NULL},
};
static const cli_option outreach_id_opt[] = {
    {"id", "N", "the event's number"},
    {NULL, NULL, NULL},
};
static const cli_sub outreach_subs[] = {
    {"create", "--kind K --title T --starts INSTANT --place P --village CODE --organiser O",
     "create an outreach event with its short link (https://PORTAL/e/CODE); one\n"
     "JSON line",
     (const cli_option[]){
         {"kind", "K", "sosialisasi or literasi_digital"},
         {"title", "TEXT", "its name, as on the poster (150 characters at most)"},
         {"starts", "INSTANT", "when it starts: ISO 8601 with an offset\n"
                               "(2026-12-10T09:00:00+07:00)"},
         {"place", "TEXT", "where (200 characters at most)"},
         {"village", "CODE", "the village it is held in (31.74.01.1001)"},
         {"organiser", "TEXT", "who organises it"},
         {"segment", "NAME", "its audience: pencari_kerja, korban_phk or\n"
                             "peningkatan_kompetensi (default: everyone)"},
         {NULL, NULL, NULL}}},
    {"list", "", "one JSON line per event, newest first (--upcoming: soonest first)",
     (const cli_option[]){
         {"region", "CODE", "only the events of this region (31.74, 31.74.01, ...)"},
         {"upcoming", NULL, "only those from today on (Jakarta time)"},
         {"past", NULL, "only those before today"},
         {NULL, NULL, NULL}}},
    {"show", "--id N", "one JSON line: the event and the registrations attributed to it",
     outreach_id_opt},
    {"attendance", "--id N --count N", "record how many attended; one JSON line",
     (const cli_option[]){
         {"id", "N", "the event's number"},
         {"count", "N", "how many attended (0 to 100000)"},
         {NULL, NULL, NULL}}},
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
    {"join", "--wave N NIK... | --wave N -",
     "join participants (by NIK) to an open wave, as staff: a gabung_gelombang\n"
     "event each; one JSON line (joined, refused).  - reads the NIKs from stdin,\n"
     "one a line (NIKs on the command line are in the process list)",
     (const cli_option[]){
         {"wave", "N", "the wave"},
         {"at", "INSTANT", "when they joined (default now; not in the future)"},
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
         {"at", "INSTANT", "the draw's instant (default now; not before the wave's last join)"},
         {NULL, NULL, NULL}}},
    {"verify", "--wave N",
     "recompute a drawn wave from what was stored and compare the digests;\n"
     "one JSON line; exit 0 when they match, 1 when not",
     wave_opt},
    {NULL, NULL, NULL, NULL},
};
static const cli_sub cards_subs[] = {
    {"reissue", "",
     "give every card of the first release (its number an affine spread of its\n"
     "serial, computable from the public source) a new keyed number in one\n"
     "transaction; the old number is never issued again, and a platform naming\n"
     "it is refused (kartu_diganti); the holder sees the new one in Akun saya.\n"
     "Audited.  One JSON line: cards, legacy, reissued.  Run again: nothing left",
     (const cli_option[]){
         {"dry-run", NULL, "count the first release's cards, change nothing"},
         {NULL, NULL, NULL}}},
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

const cli_cmd cli_commands[] = {
    {.name = "serve", .run = cli_serve, .args = "",
     .summary = "apply pending migrations, then serve the portal and the API",
     .help = "apply pending migrations (creating the database if it is missing), then\n"
             "serve the portal and the API until SIGINT or SIGTERM",
     .flags = CLI_SERVER},
    {.name = "migrate", .run = cli_migrate, .args = "",
     .summary = "create the database or apply pending migrations (idempotent)"},
    {.name = "nik", .run = cli_nik, .args = "NIK...",
     .summary = "check NIKs: one JSON line each, as GET /api/v1/nik/{nik}; exit 1 if any is "
                "invalid (the region codes are read from the database's region table)"},
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
     .summary = "check the counters behind the statistics, the funnel and the effect of "
                "reminders against a recount, or rebuild them",
     .subs = stats_subs, .sub_noun = "subcommand", .sub_hint = "(verify or rebuild)"},
    {.name = "jobs", .run = cli_jobs,
     .summary = "the daily job: revocations and lapses past their deadlines (engine mode)",
     .subs = jobs_subs, .sub_hint = "run"},
    {.name = "remind", .run = cli_remind_any,
     .summary = "the day's reminders: plan (a dry run), run, send what is due, their effect, "
                "test-send",
     .subs = remind_subs, .sub_noun = "subcommand", .sub_hint = "(plan, run, send, effect or test-send)"},
    {.name = "consent", .run = cli_consent_any,
     .summary = "stop or start a participant's reminders of a purpose (staff)",
     .subs = consent_subs, .sub_noun = "subcommand", .sub_hint = "(stop, start or link)"},
    {.name = "wave", .run = cli_wave,
     .summary = "create, open, close, join, list, show, draw or verify waves (engine mode)",
     .subs = wave_subs, .sub_noun = "subcommand",
     .sub_hint = "(create, open, close, join, list, show, draw, verify)"},
    {.name = "cards", .run = cli_cards,
     .summary = "give the first release's card numbers, computable from the public source, "
                "new keyed ones",
     .subs = cards_subs, .sub_hint = "reissue"},
    {.name = "outreach", .run = cli_outreach,
     .summary = "create, list or show outreach events, record their attendance",
     .subs = outreach_subs, .sub_noun = "subcommand",
     .sub_hint = "(create, list, show, attendance)"},
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

const size_t cli_ncommands = PK_ARRAY_LEN(cli_commands);

const cli_cmd *cli_find_cmd(const char *name)
{
    for (size_t i = 0; i < PK_ARRAY_LEN(cli_commands); i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}
