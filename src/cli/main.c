/* main.c -- the `prakerja` command line: the one way options are parsed
 * (against the tables of commands.c), the help, and the entry point.  Each command is a
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
#include <jansson.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/pk.h"

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
    put_options(f, cli_common_settings, 2);
    if (c->flags & CLI_SERVER) {
        fputs("\nserver settings:\n", f);
        put_options(f, cli_server_settings, 2);
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: prakerja <command> [options]\n\n"
               "Kartu Prakerja information service for DKI Jakarta.\n\ncommands:\n");
    for (size_t i = 0; i < cli_ncommands; i++) {
        fprintf(f, "  %-9s ", cli_commands[i].name);
        put_indented(f, cli_commands[i].summary, 12);
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
    const cli_option *o = find_option(cli_common_settings, key);
    if (o == NULL && (c->flags & CLI_SERVER))
        o = find_option(cli_server_settings, key);
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

int cli_day_opt(const cli_args *a, const char *what, pk_date *day)
{
    *day = pk_app_today();
    const char *given = cli_opt(a, "date");
    if (given != NULL && (strlen(given) != 10 || pk_date_parse(given, 10, day) != 0)) {
        fprintf(stderr, "%s: --date must be a day, YYYY-MM-DD\n", what);
        return 2;
    }
    return 0;
}

int cli_number_opt(const cli_args *a, const char *key, const char *cmd, const char *what,
                   int64_t *out)
{
    const char *v = cli_opt(a, key);
    size_t n = v ? strlen(v) : 0;
    if (n == 0 || n > 18 || strspn(v, "0123456789") != n || strtoll(v, NULL, 10) < 1) {
        fprintf(stderr, "prakerja %s: give --%s N, %s\n", cmd, key, what);
        return 2;
    }
    *out = strtoll(v, NULL, 10);
    return 0;
}

int cli_read_line(FILE *f, char *buf, size_t cap)
{
    if (fgets(buf, (int)cap, f) == NULL)
        return 0;
    size_t n = strcspn(buf, "\r\n");
    if (buf[n] == '\0' && n == cap - 1 && !feof(f)) {
        int ch;
        while ((ch = fgetc(f)) != EOF && ch != '\n')
            ;
        buf[0] = '\0';
        return -1;
    }
    buf[n] = '\0';
    return 1;
}

const char *cli_nik_opt(const cli_args *a, char *buf, size_t cap)
{
    const char *v = cli_opt(a, "nik");
    if (v == NULL || strcmp(v, "-") != 0)
        return v;
    return cli_read_line(stdin, buf, cap) == 1 ? buf : NULL;
}

int cli_json_line(json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (s == NULL) {
        fprintf(stderr, "prakerja: out of memory\n");
        return 1;
    }
    int rc = puts(s) < 0 || ferror(stdout) ? 1 : 0;
    free(s);
    if (rc != 0)
        fprintf(stderr, "prakerja: cannot write to standard output\n");
    return rc;
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

int cli_version(const cli_cmd *c, cli_args *a)
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
        return run(cli_find_cmd("version"), 1, argv);
    const cli_cmd *c = cli_find_cmd(argv[1]);
    if (c == NULL && argv[1][0] == '-') {
        /* prakerja --db x.db user list: the options follow the command */
        fprintf(stderr, "prakerja: give the command first, then its options: prakerja COMMAND "
                        "%.64s ... (see 'prakerja --help')\n", argv[1]);
        return 2;
    }
    if (c == NULL) {
        fprintf(stderr, "prakerja: unknown command '%.64s' (see 'prakerja --help')\n", argv[1]);
        return 2;
    }
    return run(c, argc - 1, argv + 1);
}
