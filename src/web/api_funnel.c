/* api_funnel.c -- GET /api/v1/funnel (app/funnel.h): the funnel of a
 * region, or of an outreach event (?event=ID), for staff, the numbers
 * /corong and its CSV show; and the query both read
 * (pk_web_funnel_query). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/funnel.h"
#include "app/views.h"
#include "web/web.h"

int pk_web_funnel_query(pk_req *req, const char *date_name, const char *event_name,
                        pk_date *today, int64_t *event)
{
    *today = pk_app_today();
    *event = 0;
    const char *d = pk_req_query(req, date_name);
    if (d != NULL && d[0] != '\0' && pk_date_parse(d, strlen(d), today) != 0)
        return 1;
    const char *e = pk_req_query(req, event_name);
    if (e != NULL && e[0] != '\0') {
        char *end = NULL;
        long long v = strtoll(e, &end, 10);
        if (e[0] < '1' || e[0] > '9' || *end != '\0' || v <= 0 || strlen(e) > 15)
            return 2;
        *event = v;
    }
    return 0;
}

/* A count, or null where it was hidden or there is no data. */
static json_t *count(int64_t n)
{
    return n < 0 ? json_null() : json_integer(n);
}

/* A median of days (core/median.h) as JSON writes it: 7 or 7.5, as the
 * CSV and the command line; null when there is none. */
static json_t *median(double m)
{
    if (m < 0)
        return json_null();
    return m == (double)(json_int_t)m ? json_integer((json_int_t)m) : json_real(m);
}

void pk_api_funnel(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_date today;
    int64_t event;
    switch (pk_web_funnel_query(req, "date", "event", &today, &event)) {
    case 1:
        pk_reply_error(resp, 400, "tanggal_tidak_valid", "Tanggal harus berformat TTTT-BB-HH.",
                       NULL);
        return;
    case 2:
        pk_reply_error(resp, 400, "parameter_tidak_valid", "Nomor acara tidak valid.", NULL);
        return;
    }
    pk_funnel f;
    int rc = pk_funnel_read(app, req->who, pk_req_query(req, "region"), event, today, &f);
    if (rc == PK_EINVAL) {
        pk_reply_region_invalid(resp, "region");
        return;
    }
    if (rc == PK_ENOENT) {
        if (f.event_missing)
            pk_reply_error(resp, 404, "acara_tidak_ditemukan", "Acara tidak ditemukan.", NULL);
        else
            pk_reply_error(resp, 404, "tidak_ditemukan", "Kode wilayah tidak dikenal.", NULL);
        return;
    }
    if (rc == PK_EDENIED) {
        pk_reply_error(resp, 403, "di_luar_wilayah",
                       "Wilayah tersebut di luar cakupan wilayah akun Anda.", NULL);
        return;
    }
    if (rc != 0) {
        pk_reply_error(resp, 503, "layanan_sibuk", "Data belum dapat dibaca. Coba lagi.", NULL);
        return;
    }
    json_t *steps = json_array();
    for (int s = 0; s < PK_FS__COUNT; s++) {
        int64_t pm;
        json_t *o = json_pack("{s:s, s:s, s:o, s:b, s:b}", "step", pk_funnel_step_name(s),
                              "label", pk_funnel_step_label(s), "count", count(f.n[s]),
                              "available", f.n[s] != PK_FUNNEL_NONE, "hidden",
                              f.n[s] == PK_STATS_HIDDEN);
        json_object_set_new(o, "conversion_percent",
                            pk_funnel_rate(&f, f.n, s, &pm) ? json_real((double)pm / 10.0)
                                                        : json_null());
        if (s >= PK_FS_JOINED) {
            json_object_set_new(o, "median_days", median(f.median_days[s]));
            json_object_set_new(o, "median_capped",
                                json_boolean(pk_funnel_median_capped(f.median_days[s])));
            json_object_set_new(o, "median_people", count(f.waits[s]));
        }
        json_array_append_new(steps, o);
    }
    json_t *kids = json_array();
    for (size_t i = 0; i < f.nchildren; i++) {
        json_t *c = json_object();
        for (int s = 0; s < PK_FS__COUNT; s++)
            json_object_set_new(c, pk_funnel_step_name(s), count(f.children[i].n[s]));
        json_array_append_new(kids, json_pack("{s:o, s:o}", "region",
                                              pk_json_region(f.children[i].region), "counts", c));
    }
    char day[11];
    pk_date_format(today, day);
    json_t *body = json_pack("{s:o, s:s, s:o, s:{s:o, s:i}, s:o}", "region",
                             pk_json_region(f.region), "date", day, "steps", steps, "at_risk",
                             "count", count(f.at_risk), "days", PK_FUNNEL_RISK_DAYS, "children",
                             kids);
    if (body != NULL && f.event.id != 0) {
        /* what names the event; its counts are the steps (hidden as they are) */
        char starts[32];
        pk_instant_format(f.event.starts_at, starts);
        json_object_set_new(body, "event",
                            json_pack("{sI ss ss ss ss ss so}", "id", (json_int_t)f.event.id,
                                      "code", f.event.code, "kind", f.event.kind, "title",
                                      f.event.title, "starts_at", starts, "village",
                                      f.event.kode_wilayah, "counted_within",
                                      f.scope[0] ? json_string(f.scope) : json_null()));
    }
    if (body != NULL && f.min_count > 0)
        json_object_set_new(body, "hidden_below", json_integer(f.min_count));
    pk_funnel_free(&f);
    pk_reply_json(resp, 200, body);
}
