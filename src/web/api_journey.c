/* api_journey.c -- GET /api/v1/participants/{id}/journey: one
 * participant's journey for staff (admins, and operators inside their
 * region; a viewer gets 403 akses_ditolak from dispatch).  A personal
 * read like /peserta/{id}: an id outside the caller's scope answers the
 * same 404 as one that does not exist (app/operator.h: a record outside
 * the scope does not exist for the caller, so the answer does not tell
 * where a person lives), and every read is in the access log
 * (app/journey_view.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/journey_view.h"
#include "app/operator.h"
#include "core/date.h"
#include "web/session.h"
#include "web/web.h"

static json_t *instant_or_null(int64_t t)
{
    if (t == 0)
        return json_null();
    char s[32];
    pk_instant_format(t, s);
    return json_string(s);
}

static json_t *opt_int(int64_t v)
{
    return v ? json_integer(v) : json_null();
}

static json_t *opt_str(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

static int add_event(void *ctx, const pk_event *e, pk_code skipped)
{
    const pk_event_info *in = pk_event_info_of(e->type);
    char what[PK_EVENT_DESCRIBE_MAX], recv[40];
    pk_event_describe(e, what, sizeof(what));
    int64_t r;
    if (pk_timestamp_parse(e->received_at, &r) == 0)
        pk_instant_format(r, recv);
    else
        snprintf(recv, sizeof(recv), "%s", e->received_at);
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
        (json_int_t)e->id, "type", in ? in->name : "", "description", what, "source",
        pk_event_source_name(e->source), "source_label", pk_event_source_label(e->source),
        "ref", e->ref, "at", instant_or_null(e->at), "received_at", recv, "wave",
        opt_int(e->wave), "amount", opt_int(e->amount), "k", opt_int(e->k), "course",
        opt_str(e->course), "platform", opt_str(e->platform), "ref_asal", opt_str(e->ref_asal),
        "note", opt_str(e->note));
    /* applied: false for one the journey's fold skips (skipped_reason:
     * the rule it breaks where it stands) */
    if (o != NULL &&
        (json_object_set_new(o, "applied", json_boolean(skipped == PK_C__COUNT)) != 0 ||
         json_object_set_new(o, "skipped_reason", skipped == PK_C__COUNT
                                                      ? json_null()
                                                      : json_string(pk_code_name(skipped))) != 0)) {
        json_decref(o);
        o = NULL;
    }
    return o != NULL && json_array_append_new(ctx, o) == 0 ? 0 : PK_ENOMEM;
}

static bool int_param(pk_req *req, const char *name, long long lo, long long hi,
                      long long def, long long *out)
{
    const char *q = pk_req_query(req, name);
    *out = def;
    if (q == NULL || q[0] == '\0')
        return true;
    if (strlen(q) > 18 || strspn(q, "0123456789") != strlen(q))
        return false;
    *out = strtoll(q, NULL, 10);
    return *out >= lo && *out <= hi;
}

static json_t *deadline_json(const pk_deadline_item *it)
{
    return json_pack("{s:s, s:s, s:o, s:b, s:b, s:o, s:s, s:o}", "kind", it->kind, "title",
                     it->title, "ends", it->has_end ? instant_or_null(it->ends) : json_null(),
                     "met", it->met, "absolute", it->absolute, "days_left",
                     it->has_end ? json_integer(it->days_left) : json_null(), "reason",
                     it->reason, "missing", opt_str(it->missing));
}

void pk_api_participant_journey(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const char *s = req->nparams > 0 ? req->params[0] : "";
    size_t n = strlen(s);
    long long offset, limit;
    if (!int_param(req, "offset", 0, INT64_MAX, 0, &offset) ||
        !int_param(req, "limit", 1, PK_JOURNEY_EVENTS_MAX, 100, &limit)) {
        pk_reply_error(resp, 400, "parameter_tidak_valid",
                       "Parameter offset harus bilangan bulat >= 0 dan limit antara 1 dan 500.",
                       NULL);
        return;
    }
    int64_t id = n >= 1 && n <= 18 && strspn(s, "0123456789") == n ? strtoll(s, NULL, 10) : 0;
    char scope[PK_REGION_CODE_MAX], actor[PK_ACTOR_MAX];
    pk_auth_scope(req->who, scope);
    pk_staff_actor(req->who, actor);
    json_t *events = json_array();
    pk_journey_view *v = pk_req_scratch(req, sizeof(*v));
    int rc = events == NULL || v == NULL ? PK_ENOMEM
             : id <= 0 ? PK_ENOENT
                       : pk_staff_journey(app, scope, id, actor, req->route, offset, (int)limit,
                                          (int64_t)time(NULL), v, add_event, events);
    if (rc == PK_ENOENT) {
        json_decref(events);
        pk_reply_error(resp, 404, "tidak_ditemukan",
                       "Peserta tidak ditemukan di wilayah kerja Anda.", NULL);
        return;
    }
    if (rc != 0) {
        json_decref(events);
        pk_reply_error(resp, 503, "layanan_sibuk", "Data belum dapat dibaca. Coba lagi.", NULL);
        return;
    }
    const pk_journey *j = &v->j;
    json_t *deadlines = json_array();
    for (size_t i = 0; i < v->nitems; i++)
        json_array_append_new(deadlines, deadline_json(&v->items[i]));
    json_t *state = json_pack(
        "{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:o, s:I, s:o}", "status",
        pk_journey_status_name(j->status), "status_label", pk_journey_status_label(j->status),
        "wave", opt_int(j->wave), "joined_at", instant_or_null(j->joined_at), "selected_at",
        instant_or_null(j->selected_at), "revoked_at", instant_or_null(j->revoked_at),
        "first_purchase_at", instant_or_null(j->first_purchase_at), "purchases",
        (json_int_t)j->purchases, "completions", (json_int_t)j->completions, "reviews",
        (json_int_t)j->reviews, "payout", opt_str(j->payout), "incentives_paid",
        (json_int_t)j->incentives_paid, "last_event_at", instant_or_null(j->last_at));
    if (state != NULL) {
        json_object_set_new(state, "incentive_total", json_integer(j->incentive_total));
        json_object_set_new(state, "incentives_failed", json_integer(j->incentives_failed));
        json_object_set_new(state, "survey", opt_int(j->survey_k));
        json_object_set_new(state, "survey_opened_at", instant_or_null(j->survey_opened_at));
        json_object_set_new(state, "survey_incentives", json_integer(j->survey_incentives));
    }
    json_t *balance = json_pack("{s:I, s:I, s:I, s:I, s:I}", "credited",
                                (json_int_t)j->credited, "spent", (json_int_t)j->spent,
                                "refunded", (json_int_t)j->refunded, "lapsed",
                                (json_int_t)j->lapsed, "remaining", (json_int_t)j->balance);
    json_t *card = v->has_card ? json_pack("{s:s, s:I, s:o}", "masked", v->card_masked, "wave",
                                           (json_int_t)v->card_wave, "replaced_at",
                                           instant_or_null(v->card_replaced_at))
                               : json_null();
    int64_t next = offset + (int64_t)json_array_size(events);
    pk_reply_json(resp, 200,
                  json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:o}",
                            "participant_id", (json_int_t)id, "scheme", v->scheme_id, "state",
                            state, "balance", balance, "card", card, "deadlines", deadlines,
                            "events", events, "events_total", (json_int_t)v->events_total,
                            "offset", (json_int_t)offset, "limit", (json_int_t)limit,
                            "next_offset",
                            next < v->events_total ? json_integer(next) : json_null()));
}
