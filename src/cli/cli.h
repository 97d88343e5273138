/* cli.h -- what the command files of `prakerja` share.
 *
 * main.c holds the command table (cli_cmd: name, handler, summary, help,
 * the options each subcommand takes) and the one option parser; it reads
 * the settings (defaults < ini file < PRAKERJA_* environment < flags) into
 * a cli_args and hands that to the command's handler.  The handlers live
 * one file per family (cmd_*.c) and call only the app layer. */
#ifndef PK_CLI_H
#define PK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "app/app.h"

#define CLI_OPTS_MAX 40  /* options of one command beyond the settings (repeats count) */

/* One option of a command or subcommand, or one setting: the help is made
 * from these tables (`prakerja CMD --help`, `prakerja CMD SUB --help`) and
 * the parser accepts exactly what they list.  A table ends with {NULL}. */
typedef struct cli_option {
    const char *name;      /* as typed, without "--": "as-of" (its key: "as_of") */
    const char *value;     /* what it takes ("YYYY-MM-DD"), or NULL: a flag without value */
    const char *help;      /* one line; '\n' continues on the next, indented */
} cli_option;
/* An option whose value ends in "..." ("CODE=N...") may be given more
 * than once: each value is kept (cli_opt_each). */

/* A subcommand ("user add") and the options it takes. */
typedef struct cli_sub {
    const char *name;
    const char *args;      /* positional arguments, for the usage line ("FILE") */
    const char *summary;   /* what it does (its help and its line in CMD --help) */
    const cli_option *options; /* its own options, or NULL */
} cli_sub;

typedef struct cli_cmd cli_cmd;

/* What a handler is given: the settings and the parsed command line. */
typedef struct cli_args {
    pk_config cfg;
    const cli_sub *sub;    /* the subcommand, or NULL for a command without */
    char **pos;            /* positional arguments */
    int npos;
    int nopts;             /* options given (the last of a repeated key wins) */
    struct {
        char key[32];      /* '-' spelled '_': "as_of" */
        const char *value; /* NULL for a boolean */
    } opts[CLI_OPTS_MAX];
} cli_args;

struct cli_cmd {
    const char *name;
    int (*run)(const cli_cmd *c, cli_args *a); /* returns the exit status */
    const char *args;      /* positional arguments, for the usage line */
    const char *summary;   /* its entry in `prakerja --help` */
    const char *help;      /* `prakerja NAME --help`, under the usage line (or NULL: summary) */
    /* Without subcommands: the options it takes beyond the settings. */
    const cli_option *options;
    const cli_sub *subs;   /* subcommands (NULL-terminated), or NULL */
    /* A missing or unknown subcommand: with sub_noun, "unknown NOUN 'WORD'
     * HINT" (and a missing one prints the usage); without, "give HINT". */
    const char *sub_noun, *sub_hint;
    unsigned flags;        /* CLI_* */
};

enum {
    CLI_SERVER = 1u << 0,      /* takes the server settings too (listen, threads, ...) */
    CLI_NO_SETTINGS = 1u << 1, /* takes no options at all (version) */
};

/* The tables (commands.c): the settings of every command and of the
 * server, the commands in the order `prakerja --help` lists them. */
extern const cli_option cli_common_settings[], cli_server_settings[];
extern const cli_cmd cli_commands[];
extern const size_t cli_ncommands;
/* The command named, or NULL. */
const cli_cmd *cli_find_cmd(const char *name);

/* The value of option `key` ("username"), or NULL when not given. */
const char *cli_opt(const cli_args *a, const char *key);
/* --date YYYY-MM-DD into *day (today in Jakarta when absent): 0, or 2
 * after telling `what` ("prakerja jobs run") on stderr that it is not a
 * day. */
int cli_day_opt(const cli_args *a, const char *what, pk_date *day);
/* The values of a repeatable option in the order given; how many. */
int cli_opt_each(const cli_args *a, const char *key, const char **out, int cap);
/* Option `key` as a whole number >= 1 into *out: 0, or 2 after telling
 * on stderr "prakerja CMD: give --KEY N, WHAT". */
int cli_number_opt(const cli_args *a, const char *key, const char *cmd, const char *what,
                   int64_t *out);
/* One line of f into buf without its line end: 1, 0 at the end of f, -1
 * for a line longer than cap - 1 (the rest of it is skipped). */
int cli_read_line(FILE *f, char *buf, size_t cap);
/* Option --nik, or with `--nik -` the first line of standard input into
 * buf: a NIK given on the command line is in the process list, which any
 * user of the machine can read (ps, /proc/PID/cmdline).  NULL when the
 * option is absent or standard input has no line that fits. */
const char *cli_nik_opt(const cli_args *a, char *buf, size_t cap);
/* An input file of an import opened for reading (`-`: standard input),
 * or -1 after saying why on stderr (a directory is refused as such). */
int cli_open_input(const char *path);
/* The file of --rejects, truncated and owner-only (rejected rows are
 * personal data), or NULL after saying why on stderr. */
FILE *cli_open_rejects(const char *path);
/* Whether boolean option `key` was given. */
bool cli_flag(const cli_args *a, const char *key);
/* Is the subcommand the one named? */
bool cli_sub_is(const cli_args *a, const char *name);

/* Usage of one command, or of its subcommand s (NULL: the command's, with
 * every subcommand), to f: usage line, help, options, settings. */
void cli_usage(FILE *f, const cli_cmd *c, const cli_sub *s);
/* One JSON line on standard output (compact, keys in the order they were
 * set); takes j, which may be NULL (out of memory).  0, or 1 after saying
 * what failed on stderr. */
struct json_t;
int cli_json_line(struct json_t *j);
/* The app's log (pk_log_fn): "prakerja: MSG" on standard error. */
void cli_log(void *ctx, const char *msg);
/* pk_app_open of an existing database, or the reason on stderr and -1: a
 * missing database is refused, with how to create one (every command but
 * serve and migrate). */
int cli_open_app(pk_app *app, const pk_config *cfg);
/* The same, creating a missing database (serve). */
int cli_open_app_creating(pk_app *app, const pk_config *cfg);
/* "cli:<unix user>": who runs this command, for the audit and access logs
 * (the effective user's name; else $USER; else "uidN"). */
void cli_actor(char *out, size_t cap);          /* cmd_export.c */

/* One export of personal data (cmd_export.c): the database opened, the
 * region (when given) checked, --output created 0600 (an existing file
 * refused) or standard output (a warning when others may read it), the
 * read recorded in the access log first (or nothing exported), then body,
 * which counts its rows and may say why it failed in err.  A failed
 * export's file is removed.  Says what it wrote ("exported N what to
 * FILE"), or why not; returns the exit status. */
typedef int (*cli_export_body)(pk_app *app, FILE *out, void *ctx, long *rows, char *err,
                               size_t errlen);
typedef struct cli_export_job {
    const char *cmd;     /* "export events": messages, the access log's route */
    const char *action;  /* the access log's ("journey.export") */
    const char *detail;  /* the access log's */
    const char *region;  /* a code to check, or NULL or "" */
    const char *what;    /* its rows, for the last line: "participants" */
    cli_export_body body;
    void *ctx;
} cli_export_job;
int cli_export_run(cli_args *a, const cli_export_job *e);

/* The handlers, one file per family. */
int cli_version(const cli_cmd *c, cli_args *a);  /* main.c */
int cli_serve(const cli_cmd *c, cli_args *a);    /* cmd_serve.c */
int cli_migrate(const cli_cmd *c, cli_args *a);
int cli_nik(const cli_cmd *c, cli_args *a);      /* cmd_registry.c */
int cli_outreach(const cli_cmd *c, cli_args *a); /* cmd_outreach.c */
int cli_import(const cli_cmd *c, cli_args *a);
int cli_export(const cli_cmd *c, cli_args *a);
int cli_journey(const cli_cmd *c, cli_args *a);
int cli_ledger(const cli_cmd *c, cli_args *a);
int cli_stats(const cli_cmd *c, cli_args *a);      /* cmd_stats.c */
int cli_user(const cli_cmd *c, cli_args *a);     /* cmd_accounts.c */
int cli_token(const cli_cmd *c, cli_args *a);
int cli_platform(const cli_cmd *c, cli_args *a); /* cmd_platform.c */
int cli_import_courses(cli_args *a);
int cli_audit(const cli_cmd *c, cli_args *a);    /* cmd_audit.c */
int cli_keys(const cli_cmd *c, cli_args *a);     /* cmd_keys.c */
int cli_backup(const cli_cmd *c, cli_args *a);   /* cmd_backup.c */
int cli_wave(const cli_cmd *c, cli_args *a);     /* cmd_wave.c */
int cli_cards(const cli_cmd *c, cli_args *a);    /* cmd_wave.c */
int cli_export_selection(cli_args *a);
int cli_jobs(const cli_cmd *c, cli_args *a);     /* cmd_jobs.c */
int cli_consent(const cli_cmd *c, cli_args *a);  /* cmd_remind.c */
int cli_remind(const cli_cmd *c, cli_args *a);   /* cmd_remind.c */
int cli_remind_any(const cli_cmd *c, cli_args *a); /* cmd_channel.c: test-send here */
int cli_remind_test_send(const cli_cmd *c, cli_args *a);
int cli_consent_any(const cli_cmd *c, cli_args *a); /* cmd_channel.c: link here */

#endif
