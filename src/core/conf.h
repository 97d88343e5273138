/* conf.h -- what the strict ini readers (schemes.ini, reminders.ini) share:
 * inih fed through a line reader of our own that counts lines (Debian's
 * inih has no INI_HANDLER_LINENO), the first error kept with its line,
 * and the [section] headers found in the text (inih never reports a
 * section without keys, which must not be silently ignored). */
#ifndef PK_CONF_H
#define PK_CONF_H
#include <stdbool.h>

typedef struct pk_ini {
    const char *text;    /* what is left to hand out */
    int next_line;       /* line of the next chunk handed out */
    int line;            /* line of the chunk inih is processing */
    bool indented;       /* that line starts with a blank: inih's continuation of the
                          * previous key's value (the handler is called again with
                          * the same name) */
    bool failed;
    char msg[256];       /* the first error: later ones are usually consequences */
} pk_ini;

typedef int (*pk_ini_handler)(void *user, const char *section, const char *name,
                              const char *value);

/* Records the first error only. */
void pk_ini_fail(pk_ini *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses text (NUL-terminated, NULL as ""), calling h for each key; a
 * line inih cannot read is an error naming it.  The handler reads
 * p->line and calls pk_ini_fail.  Returns whether no error was recorded. */
bool pk_ini_parse(pk_ini *p, const char *text, pk_ini_handler h, void *user);

/* Calls fn with each [section] header of text and its line, in order,
 * until fn returns false. */
void pk_ini_sections(const char *text, bool (*fn)(void *user, const char *name, int line),
                     void *user);

#endif
