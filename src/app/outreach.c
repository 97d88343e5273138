/* outreach.c -- outreach events: validation, region scope, short-link
 * codes, audited writes, reads, the short link and its QR code
 * (outreach.h). */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/auth.h"
#include "app/funnel.h"
#include "app/operator.h"
#include "app/outreach.h"
#include "core/date.h"
#include "core/ident.h"
#include "core/participant.h"
#include "core/region.h"
#include "store/store.h"

/* No 0/o, 1/l/i: a code read off a poster is typed right. */
static const char code_alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";

static void new_code(char out[PK_OUTREACH_CODE_MAX])
{
    for (int i = 0; i < PK_OUTREACH_CODE_LEN; i++)
        out[i] = code_alphabet[randombytes_uniform(sizeof(code_alphabet) - 1)];
    out[PK_OUTREACH_CODE_LEN] = '\0';
}

const char *pk_outreach_kind_label(const char *kind)
{
    if (strcmp(kind, "sosialisasi") == 0)
        return "Sosialisasi";
    if (strcmp(kind, "literasi_digital") == 0)
        return "Kelas literasi digital";
    return kind;
}

void pk_outreach_url(const pk_app *app, const char *code, char out[PK_OUTREACH_URL_MAX])
{
    snprintf(out, PK_OUTREACH_URL_MAX, "https://%s/e/%s", app->cfg.portal_url, code);
}

int pk_outreach_qr(const pk_app *app, const char *code, pk_qr *out)
{
    char url[PK_OUTREACH_URL_MAX];
    pk_outreach_url(app, code, url);
    return pk_qr_encode(url, out);
}

/* ---- validation ------------------------------------------------------------ */

typedef struct check {
    pk_outreach_field *field;
    char *err;
    size_t errlen;
} check;

static int bad(check *c, pk_outreach_field f, const char *why)
{
    *c->field = f;
    snprintf(c->err, c->errlen, "%s", why);
    return PK_EINVAL;
}

/* A text field: trimmed, 1..max characters of printable UTF-8 without
 * invisible ones, into out. */
static int text(check *c, pk_outreach_field f, const char *v, long max, char *out, size_t cap,
                const char *name)
{
    size_t n = v ? strlen(v) : 0;
    const char *s = v ? pk_trim(v, &n) : "";
    char why[96];
    long chars = pk_utf8_chars(s, n);
    if (n == 0) {
        snprintf(why, sizeof(why), "%s is required", name);
        return bad(c, f, why);
    }
    if (chars < 0 || pk_text_has_invisible(s, n)) {
        snprintf(why, sizeof(why), "%s holds characters that are not allowed", name);
        return bad(c, f, why);
    }
    if (chars > max || n >= cap) {
        snprintf(why, sizeof(why), "%s is longer than %ld characters", name, max);
        return bad(c, f, why);
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

/* The fields given in `in` onto e (NULL: kept), each checked. */
static int apply(const pk_app *app, const pk_outreach_input *in, pk_outreach *e, check *c)
{
    int rc;
    if (in->kind != NULL) {
        if (strcmp(in->kind, "sosialisasi") != 0 && strcmp(in->kind, "literasi_digital") != 0)
            return bad(c, PK_OF_KIND, "kind must be sosialisasi or literasi_digital");
        snprintf(e->kind, sizeof(e->kind), "%s", in->kind);
    }
    if (in->title != NULL && (rc = text(c, PK_OF_TITLE, in->title, PK_OUTREACH_TITLE_CHARS,
                                        e->title, sizeof(e->title), "title")) != 0)
        return rc;
    if (in->starts_at != NULL) {
        int64_t t;
        /* from 2020 (the programme began) to 2100 */
        if (pk_instant_parse(in->starts_at, &t) != 0 || t < 1577811600 || t > 4102419600)
            return bad(c, PK_OF_STARTS, "start must be an instant with an offset between 2020 "
                                        "and 2100, e.g. 2026-12-10T09:00:00+07:00");
        e->starts_at = t;
    }
    if (in->place != NULL && (rc = text(c, PK_OF_PLACE, in->place, PK_OUTREACH_PLACE_CHARS,
                                        e->place, sizeof(e->place), "place")) != 0)
        return rc;
    if (in->village != NULL) {
        char code[PK_REGION_CODE_MAX];
        if (pk_region_normalize(in->village, strlen(in->village), code) != PK_REGION_VILLAGE ||
            pk_regions_find(app->regions, code) == NULL ||
            !pk_auth_region_within(app->cfg.service_province, code))
            return bad(c, PK_OF_VILLAGE, "village must be the code of a village of the service "
                                         "area, e.g. 31.74.01.1001");
        snprintf(e->kode_wilayah, sizeof(e->kode_wilayah), "%s", code);
    }
    if (in->organiser != NULL &&
        (rc = text(c, PK_OF_ORGANISER, in->organiser, PK_OUTREACH_ORGANISER_CHARS, e->organiser,
                   sizeof(e->organiser), "organiser")) != 0)
        return rc;
    if (in->segment != NULL) {
        bool ok = in->segment[0] == '\0';
        for (int s = 1; !ok && s < PK_SEG__COUNT; s++)
            ok = strcmp(in->segment, pk_segment_name((pk_segment)s)) == 0;
        if (!ok)
            return bad(c, PK_OF_SEGMENT, "segment must be empty (everyone), pencari_kerja, "
                                         "korban_phk or peningkatan_kompetensi");
        snprintf(e->segmen, sizeof(e->segmen), "%s", in->segment);
    }
    if (in->attendance != NULL) {
        const char *a = in->attendance;
        size_t n = strlen(a);
        if (n == 0) {
            e->attendance = -1;
        } else if (n > 6 || strspn(a, "0123456789") != n ||
                   strtol(a, NULL, 10) > PK_OUTREACH_ATTENDANCE_MAX) {
            return bad(c, PK_OF_ATTENDANCE, "attendance must be a whole number from 0 to 100000");
        } else {
            e->attendance = strtol(a, NULL, 10);
        }
    }
    return 0;
}

static const char *audit_source(const char *actor)
{
    return actor != NULL && strncmp(actor, "user:", 5) == 0 ? "web" : "cli";
}

/* ---- writes ------------------------------------------------------------------ */

int pk_outreach_create(const pk_app *app, const pk_outreach_input *in, const char *actor,
                       const char *scope, pk_outreach *out, pk_outreach_field *field,
                       char *err, size_t errlen)
{
    pk_outreach_field dummy;
    check c = {field ? field : &dummy, err, errlen};
    *c.field = PK_OF_NONE;
    memset(out, 0, sizeof(*out));
    out->attendance = -1;
    /* every field but the attendance is required on creation */
    static const struct {
        size_t off;
        pk_outreach_field f;
        const char *name;
    } required[] = {
        {offsetof(pk_outreach_input, kind), PK_OF_KIND, "kind is required"},
        {offsetof(pk_outreach_input, title), PK_OF_TITLE, "title is required"},
        {offsetof(pk_outreach_input, starts_at), PK_OF_STARTS, "start is required"},
        {offsetof(pk_outreach_input, place), PK_OF_PLACE, "place is required"},
        {offsetof(pk_outreach_input, village), PK_OF_VILLAGE, "village is required"},
        {offsetof(pk_outreach_input, organiser), PK_OF_ORGANISER, "organiser is required"},
    };
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        const char *v = *(const char *const *)((const char *)in + required[i].off);
        if (v == NULL || v[0] == '\0')
            return bad(&c, required[i].f, required[i].name);
    }
    pk_outreach_input all = *in;
    if (all.segment == NULL)
        all.segment = "";
    int rc = apply(app, &all, out, &c);
    if (rc != 0)
        return rc;
    if (scope != NULL && !pk_auth_region_within(scope, out->kode_wilayah)) {
        *c.field = PK_OF_VILLAGE;
        snprintf(err, errlen, "village %s is outside your region %s", out->kode_wilayah, scope);
        return PK_EDENIED;
    }
    snprintf(out->created_by, sizeof(out->created_by), "%s", actor);
    out->created_at = out->updated_at = (int64_t)time(NULL);
    for (int attempt = 0;; attempt++) {
        new_code(out->code);
        pk_tx *tx = NULL;
        if ((rc = pk_store_begin(app->store, &tx)) != 0)
            return rc;
        rc = pk_tx_outreach_insert(tx, out);
        if (rc == 0) {
            char detail[128];
            snprintf(detail, sizeof(detail), "code=%s village=%s kind=%s", out->code,
                     out->kode_wilayah, out->kind);
            rc = pk_tx_audit(tx, actor, audit_source(actor), "outreach.create", out->id,
                             detail);
        }
        if (rc == 0)
            return pk_tx_commit(tx);
        pk_tx_rollback(tx);
        /* ~40 bits: a second draw that meets an existing code is rarer still */
        if (rc != PK_ECONFLICT || attempt == 4)
            return rc;
    }
}

/* The names of the fields that differ between a and b, comma-separated. */
static void changed_fields(const pk_outreach *a, const pk_outreach *b, char *out, size_t cap)
{
    out[0] = '\0';
    size_t n = 0;
#define DIFF(cond, name)                                                                   \
    if (cond)                                                                              \
        n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? "," : "", name);
    DIFF(strcmp(a->kind, b->kind) != 0, "kind")
    DIFF(strcmp(a->title, b->title) != 0, "title")
    DIFF(a->starts_at != b->starts_at, "starts_at")
    DIFF(strcmp(a->place, b->place) != 0, "place")
    DIFF(strcmp(a->kode_wilayah, b->kode_wilayah) != 0, "village")
    DIFF(strcmp(a->organiser, b->organiser) != 0, "organiser")
    DIFF(strcmp(a->segmen, b->segmen) != 0, "segment")
    DIFF(a->attendance != b->attendance, "attendance")
#undef DIFF
    if (n >= cap && cap > 0)
        out[cap - 1] = '\0';
}

int pk_outreach_update(const pk_app *app, int64_t id, const pk_outreach_input *in,
                       const char *actor, const char *scope, pk_outreach *out,
                       pk_outreach_field *field, char *err, size_t errlen)
{
    pk_outreach_field dummy;
    check c = {field ? field : &dummy, err, errlen};
    *c.field = PK_OF_NONE;
    pk_tx *tx = NULL;
    int rc = pk_store_begin(app->store, &tx);
    if (rc != 0)
        return rc;
    pk_outreach before;
    rc = pk_tx_outreach_get(tx, id, &before);
    if (rc == 0 && scope != NULL && !pk_auth_region_within(scope, before.kode_wilayah))
        rc = PK_ENOENT; /* not the caller's: as if it did not exist */
    if (rc == PK_ENOENT)
        snprintf(err, errlen, "no event %lld", (long long)id);
    *out = before;
    if (rc == 0)
        rc = apply(app, in, out, &c);
    if (rc == 0 && scope != NULL && !pk_auth_region_within(scope, out->kode_wilayah)) {
        *c.field = PK_OF_VILLAGE;
        snprintf(err, errlen, "village %s is outside your region %s", out->kode_wilayah, scope);
        rc = PK_EDENIED;
    }
    char fields[128];
    if (rc == 0) {
        changed_fields(&before, out, fields, sizeof(fields));
        if (fields[0] == '\0') { /* nothing changed: nothing written */
            pk_tx_rollback(tx);
            return 0;
        }
        out->updated_at = (int64_t)time(NULL);
        rc = pk_tx_outreach_update(tx, out);
    }
    if (rc == 0) {
        char detail[256];
        snprintf(detail, sizeof(detail), "code=%s village=%s fields=%s attendance=%lld",
                 out->code, out->kode_wilayah, fields, (long long)out->attendance);
        rc = pk_tx_audit(tx, actor, audit_source(actor), "outreach.update", id, detail);
    }
    if (rc != 0) {
        pk_tx_rollback(tx);
        return rc;
    }
    return pk_tx_commit(tx);
}

/* ---- reads ----------------------------------------------------------------------- */

int pk_outreach_get(const pk_app *app, int64_t id, const char *scope, pk_outreach *out)
{
    int rc = pk_store_outreach_get(app->store, id, scope, out);
    if (rc == 0 && scope != NULL && !pk_auth_region_within(scope, out->kode_wilayah))
        rc = PK_ENOENT;
    return rc;
}

int pk_outreach_list(const pk_app *app, const char *scope, const char *region,
                     pk_outreach_when when, int64_t limit, pk_outreach_cb cb, void *ctx)
{
    char code[PK_REGION_CODE_MAX] = "";
    if (region != NULL && region[0] != '\0') {
        if (pk_region_normalize(region, strlen(region), code) <= 0)
            return PK_EINVAL;
        if (pk_regions_find(app->regions, code) == NULL)
            return PK_ENOENT;
        if (scope != NULL && !pk_auth_region_within(scope, code))
            return PK_EDENIED;
    } else if (scope != NULL) {
        snprintf(code, sizeof(code), "%s", scope);
    }
    int64_t now = (int64_t)time(NULL);
    /* upcoming: from the start of today in Jakarta, so a morning's event
     * is still listed in the afternoon */
    int64_t today = pk_day_start_wib(pk_instant_day_wib(now));
    pk_outreach_filter f = {.region = code, .counted = scope, .from = INT64_MIN,
                            .until = INT64_MAX, .limit = limit, .newest_first = true};
    if (when == PK_OUTREACH_UPCOMING) {
        f.from = today;
        f.newest_first = false;
    } else if (when == PK_OUTREACH_PAST) {
        f.until = today;
    }
    return pk_store_outreach_each(app->store, &f, cb, ctx);
}

int pk_outreach_by_code(const pk_app *app, const char *code, pk_outreach *out)
{
    char c[PK_OUTREACH_CODE_MAX];
    size_t n = code ? strlen(code) : 0;
    if (n != PK_OUTREACH_CODE_LEN)
        return PK_ENOENT;
    for (size_t i = 0; i < n; i++) {
        c[i] = (char)tolower((unsigned char)code[i]);
        if (strchr(code_alphabet, c[i]) == NULL || c[i] == '\0')
            return PK_ENOENT;
    }
    c[n] = '\0';
    return pk_store_outreach_find_code(app->store, c, out);
}

json_t *pk_outreach_json(const pk_app *app, const pk_outreach *e)
{
    char url[PK_OUTREACH_URL_MAX], starts[32], created[32], updated[32];
    pk_outreach_url(app, e->code, url);
    pk_instant_format(e->starts_at, starts);
    pk_instant_format(e->created_at, created);
    pk_instant_format(e->updated_at, updated);
    return json_pack("{sI ss ss ss ss ss ss ss ss ss so sI sI ss ss ss}", "id",
                     (json_int_t)e->id, "code", e->code, "url", url, "kind", e->kind, "title",
                     e->title, "starts_at", starts, "place", e->place, "village",
                     e->kode_wilayah, "organiser", e->organiser, "segment", e->segmen,
                     "attendance",
                     e->attendance < 0 ? json_null() : json_integer(e->attendance),
                     "registrations", (json_int_t)e->registrations, "eligible",
                     (json_int_t)e->eligible, "created_by", e->created_by, "created_at",
                     created, "updated_at", updated);
}

void pk_outreach_hide_small(pk_outreach *e, int64_t k)
{
    if (k <= 1)
        return;
    int64_t n[PK_FS__COUNT];
    for (int s = 0; s < PK_FS__COUNT; s++)
        n[s] = PK_FUNNEL_NONE;
    n[PK_FS_REGISTERED] = e->registrations;
    n[PK_FS_ELIGIBLE] = e->eligible;
    pk_funnel_hide_steps(n, k);
    e->registrations = n[PK_FS_REGISTERED];
    e->eligible = n[PK_FS_ELIGIBLE];
}
