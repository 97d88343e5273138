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

#define CLI_OPTS_MAX 8   /* options of one command beyond the settings */

/* A subcommand ("user add") and the options it takes. */
typedef struct cli_sub {
    const char *name;
    const char *options;   /* space-separated keys taking a value (" username role ") */
    const char *booleans;  /* space-separated keys taking none (" password_stdin ") */
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
    const char *help;      /* `prakerja NAME --help`, under the usage line */
    /* Without subcommands: the keys it takes beyond the common settings
     * (serve: the server's settings; otherwise its own options). */
    const char *options;
    const char *booleans;
    const cli_sub *subs;   /* subcommands (NULL-terminated), or NULL */
    /* A missing or unknown subcommand: with sub_noun, "unknown NOUN 'WORD'
     * HINT" (and a missing one prints the usage); without, "give HINT". */
    const char *sub_noun, *sub_hint;
    unsigned flags;        /* CLI_* */
};

enum {
    CLI_SERVER = 1u << 0,      /* its help lists the server settings (listen, threads, ...) */
    CLI_NO_SETTINGS = 1u << 1, /* takes no options at all (version) */
};

/* The value of option `key` ("username"), or NULL when not given. */
const char *cli_opt(const cli_args *a, const char *key);
/* Whether boolean option `key` was given. */
bool cli_flag(const cli_args *a, const char *key);
/* Is the subcommand the one named? */
bool cli_sub_is(const cli_args *a, const char *name);

/* Usage of one command (usage line, help, options) to f. */
void cli_usage(FILE *f, const cli_cmd *c);
/* The app's log (pk_log_fn): "prakerja: MSG" on standard error. */
void cli_log(void *ctx, const char *msg);
/* pk_app_open, or the reason on stderr and -1. */
int cli_open_app(pk_app *app, const pk_config *cfg);

/* The handlers, one file per family. */
int cli_serve(const cli_cmd *c, cli_args *a);    /* cmd_serve.c */
int cli_migrate(const cli_cmd *c, cli_args *a);
int cli_nik(const cli_cmd *c, cli_args *a);      /* cmd_registry.c */
int cli_import(const cli_cmd *c, cli_args *a);
int cli_export(const cli_cmd *c, cli_args *a);
int cli_user(const cli_cmd *c, cli_args *a);     /* cmd_accounts.c */
int cli_token(const cli_cmd *c, cli_args *a);
int cli_audit(const cli_cmd *c, cli_args *a);    /* cmd_audit.c */
int cli_keys(const cli_cmd *c, cli_args *a);     /* cmd_keys.c */

#endif
