/* log.c -- formatting a line for a layer's log function (pk.h). */
#include <stdarg.h>
#include <stdio.h>

#include "core/pk.h"

void pk_vlogf(pk_log_fn fn, void *ctx, const char *fmt, va_list ap)
{
    if (fn == NULL)
        return;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    fn(ctx, msg);
}

void pk_logf(pk_log_fn fn, void *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pk_vlogf(fn, ctx, fmt, ap);
    va_end(ap);
}
