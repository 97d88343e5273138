/* conf.c -- see conf.h. */
#include "core/conf.h"

#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void pk_ini_fail(pk_ini *p, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
}

/* fgets-style reader over the text that counts lines (what
 * ini_parse_string does internally, plus the count). */
static char *read_line(char *str, int num, void *stream)
{
    pk_ini *p = stream;
    if (!*p->text || num < 2)
        return NULL;
    const char *nl = strchr(p->text, '\n');
    size_t n = nl ? (size_t)(nl - p->text) + 1 : strlen(p->text);
    if (n > (size_t)num - 1) {
        /* inih would cut the line and parse the rest as another line. */
        pk_ini_fail(p, "line %d: line too long (over %d bytes)", p->next_line, num - 2);
        return NULL;
    }
    memcpy(str, p->text, n);
    str[n] = '\0';
    p->text += n;
    p->line = p->next_line;
    p->indented = n > 0 && (str[0] == ' ' || str[0] == '\t');
    if (nl)
        p->next_line++;
    return str;
}

bool pk_ini_parse(pk_ini *p, const char *text, pk_ini_handler h, void *user)
{
    p->text = text ? text : "";
    p->next_line = 1;
    p->line = 0;
    int r = ini_parse_stream(read_line, p, h, user);
    if (r > 0)
        pk_ini_fail(p, "line %d: not a [section] or key = value line", r);
    else if (r < 0)
        pk_ini_fail(p, "ini parser failed (%d)", r);
    return !p->failed;
}

void pk_ini_sections(const char *text, bool (*fn)(void *user, const char *name, int line),
                     void *user)
{
    int line = 1;
    for (const char *s = text ? text : ""; *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        const char *t = s;
        while (t < s + n && (*t == ' ' || *t == '\t'))
            t++;
        if (t < s + n && *t == '[') {
            const char *close = memchr(t, ']', (size_t)(s + n - t));
            if (close) {
                char name[64];
                size_t len = (size_t)(close - t - 1);
                if (len >= sizeof name)
                    len = sizeof name - 1;
                memcpy(name, t + 1, len);
                name[len] = '\0';
                if (!fn(user, name, line))
                    return;
            }
        }
        if (!nl)
            break;
        s = nl + 1;
        line++;
    }
}
