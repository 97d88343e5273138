/* wave_terms.c -- a wave's deadline terms (wave_terms.h). */
#include "app/wave_terms.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/journey.h"
#include "store/store_programme.h"

pk_wave_terms pk_wave_terms_of(const pk_app *app, const pk_wave *w, int64_t number,
                               const char *scheme)
{
    pk_wave_terms t = {.number = number, .purchase_days = 30, .survey_days = 30};
    if (w != NULL) {
        t.scheme = pk_schemes_find(&app->schemes, w->scheme);
        pk_date d;
        if (w->balance_until[0] != '\0' &&
            pk_date_parse(w->balance_until, strlen(w->balance_until), &d) == 0)
            t.cutoff = pk_day_end_wib(d);
    } else {
        t.scheme = pk_schemes_for_wave(&app->schemes, number);
        if (t.scheme == NULL && scheme != NULL)
            t.scheme = pk_schemes_find(&app->schemes, scheme);
    }
    if (t.scheme != NULL) {
        t.purchase_days = t.scheme->purchase_deadline_days;
        t.survey_days = t.scheme->survey_fill_days;
        /* the programme office's waves: its cut-off of the scheme's
         * balances (this deployment's own waves carry theirs) */
        pk_date d;
        if (w == NULL && t.scheme->balance_until[0] != '\0' &&
            pk_date_parse(t.scheme->balance_until, 10, &d) == 0)
            t.cutoff = pk_day_end_wib(d);
    }
    return t;
}

int pk_wave_purchase_by(void *app, pk_tx *tx, int64_t wave, int64_t selected_at, int64_t *by)
{
    pk_wave w;
    int rc = pk_tx_wave_peek(tx, wave, &w);
    if (rc != 0 && rc != PK_ENOENT)
        return rc;
    pk_wave_terms t = pk_wave_terms_of(app, rc == 0 ? &w : NULL, wave, NULL);
    *by = pk_first_purchase_by(selected_at, t.purchase_days, t.cutoff);
    return 0;
}

void pk_wave_table_init(pk_wave_table *t, const pk_app *app)
{
    memset(t, 0, sizeof(*t));
    t->app = app;
}

int pk_wave_table_add(pk_wave_table *t, const pk_wave *w)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        pk_wave_terms *p = realloc(t->t, cap * sizeof(*p));
        if (p == NULL)
            return PK_ENOMEM;
        t->t = p;
        t->cap = cap;
    }
    t->t[t->n++] = pk_wave_terms_of(t->app, w, w->number, NULL);
    return 0;
}

static int add_cb(void *ctx, const pk_wave *w)
{
    return pk_wave_table_add(ctx, w);
}

int pk_wave_table_load(pk_wave_table *t)
{
    return pk_store_waves_each(t->app->store, add_cb, t);
}

pk_wave_terms pk_wave_table_find(const pk_wave_table *t, int64_t number, const char *scheme)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->t[i].number == number)
            return t->t[i];
    return pk_wave_terms_of(t->app, NULL, number, scheme);
}

int pk_wave_table_purchase_by(void *table, int64_t wave, int64_t selected_at, int64_t *by)
{
    pk_wave_terms t = pk_wave_table_find(table, wave, NULL);
    *by = pk_first_purchase_by(selected_at, t.purchase_days, t.cutoff);
    return 0;
}

void pk_wave_table_free(pk_wave_table *t)
{
    free(t->t);
    memset(t, 0, sizeof(*t));
}
