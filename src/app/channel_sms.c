/* channel_sms.c -- the `sms` channel: a generic SMS HTTP gateway
 * (reminders.md "Channels"), shaped by settings so that the common
 * Indonesian gateways fit without code:
 *
 *   sms_url           where each message is POSTed
 *   sms_auth_header   one header line sent with it ("Authorization: Bearer
 *                     ...", "X-API-Key: ..."); a secret, never printed
 *   sms_content_type  form (application/x-www-form-urlencoded, the
 *                     default) or json
 *   sms_body          the body with placeholders {to} (E.164, "+62812..."),
 *                     {msisdn} (its digits, "62812..."), {local} ("0812..."
 *                     for an Indonesian number, else {msisdn}), {text} and
 *                     {id} (the outbox's message id), each escaped for the
 *                     content type (percent-encoded in a form; a JSON
 *                     string's inside in json: write "to":"{to}")
 *   sms_ok            what success is beyond HTTP 2xx: "" (2xx alone),
 *                     "json:PATH=VALUE" (the answer's JSON field at the
 *                     dotted PATH, such as status or messages.0.status, is
 *                     VALUE), or "contains:TEXT" (the answer contains TEXT)
 *   sms_id_field      the dotted JSON path of the gateway's message id in
 *                     the answer ("" = none)
 *   sms_dedup         on: the gateway drops a second message with the same
 *                     {id} (so the outbox may hand one over again after a
 *                     crash); off (default)
 *
 * Outcomes: 2xx meeting sms_ok -> OK; 2xx not meeting it -> PERMANENT (the
 * gateway refused this message: most say so for a bad number); 401/403 ->
 * TEMPORARY for the rest of the batch (the settings are wrong: nobody's
 * fallback is burnt on it); 408, 429 and 5xx, timeouts, refused
 * connections -> TEMPORARY (Retry-After honoured); any other 4xx ->
 * PERMANENT. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/channel.h"
#include "app/channel_http.h"
#include "core/buf.h"
#include "core/pk.h"

typedef struct sms {
    pk_chan c;
    pk_http *http;
    bool json;
    char url[1024];
    char auth[600];
    char body[1024];
    char ok_path[128], ok_value[128], ok_contains[256];
    char id_path[128];
} sms;

/* Appends v escaped for the content type. */
static void add_escaped(pk_buf *b, const char *v, bool json)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++) {
        unsigned char ch = *p;
        if (json) {
            if (ch == '"' || ch == '\\') {
                pk_buf_addc(b, '\\');
                pk_buf_addc(b, (char)ch);
            } else if (ch == '\n') {
                pk_buf_adds(b, "\\n");
            } else if (ch < 0x20 || ch == 0x7f) {
                pk_buf_printf(b, "\\u%04x", ch);
            } else {
                pk_buf_addc(b, (char)ch);
            }
        } else if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                   (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            pk_buf_addc(b, (char)ch);
        } else {
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            pk_buf_add(b, e, 3);
        }
    }
}

static const char *const placeholders[] = {"to", "msisdn", "local", "text", "id", NULL};

/* Fills the body template; PK_EINVAL on an unknown placeholder (the open
 * checks the template with empty values). */
static int fill(const char *tmpl, const char *const vals[5], bool json, pk_buf *out)
{
    for (const char *p = tmpl; *p != '\0';) {
        if (*p != '{') {
            size_t n = strcspn(p, "{");
            pk_buf_add(out, p, n);
            p += n;
            continue;
        }
        int k = -1;
        for (int i = 0; placeholders[i] != NULL && k < 0; i++) {
            size_t l = strlen(placeholders[i]);
            if (strncmp(p + 1, placeholders[i], l) == 0 && p[1 + l] == '}')
                k = i;
        }
        if (k < 0) {
            if (json) { /* a JSON object's own brace */
                pk_buf_addc(out, '{');
                p++;
                continue;
            }
            return PK_EINVAL;
        }
        add_escaped(out, vals[k], json);
        p += strlen(placeholders[k]) + 2;
    }
    return pk_buf_failed(out);
}

/* Whether a JSON value equals the text (a string, a number, a boolean). */
static bool json_equals(json_t *v, const char *want)
{
    char tmp[64];
    if (json_is_string(v))
        return strcmp(json_string_value(v), want) == 0;
    if (json_is_integer(v)) {
        snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
        return strcmp(tmp, want) == 0;
    }
    if (json_is_true(v))
        return strcmp(want, "true") == 0;
    if (json_is_false(v))
        return strcmp(want, "false") == 0;
    return false;
}

/* One answer (pk_http_batch's answer): true when the settings are wrong. */
static bool on_answer(void *ctx, const pk_http_resp *r, pk_send_result *res)
{
    sms *s = ctx;
    char words[80];
    pk_chan_safe_text(words, sizeof words, pk_buf_str(&r->body));
    if (r->status == 0) {
        res->outcome = PK_SEND_TEMPORARY;
        snprintf(res->error, sizeof res->error, "sms: %s", pk_http_strerror(r->curl_rc));
        return false;
    }
    if (r->status == 401 || r->status == 403) {
        res->outcome = PK_SEND_TEMPORARY;
        snprintf(res->error, sizeof res->error,
                 "sms: HTTP %ld: check the sms_url and sms_auth_header settings", r->status);
        return true;
    }
    if (r->status == 408 || r->status == 429 || r->status >= 500) {
        res->outcome = PK_SEND_TEMPORARY;
        res->retry_after = r->retry_after;
        snprintf(res->error, sizeof res->error, "sms: HTTP %ld (%s)", r->status, words);
        return false;
    }
    if (r->status < 200 || r->status >= 300) {
        res->outcome = PK_SEND_PERMANENT;
        snprintf(res->error, sizeof res->error, "sms: HTTP %ld (%s)", r->status, words);
        return false;
    }
    json_t *root = NULL;
    if (s->ok_path[0] != '\0' || s->id_path[0] != '\0')
        root = json_loadb(pk_buf_str(&r->body), r->body.len, 0, NULL);
    bool ok = true;
    if (s->ok_path[0] != '\0')
        ok = json_equals(pk_json_path(root, s->ok_path), s->ok_value);
    else if (s->ok_contains[0] != '\0')
        ok = strstr(pk_buf_str(&r->body), s->ok_contains) != NULL;
    if (ok) {
        res->outcome = PK_SEND_OK;
        json_t *id = s->id_path[0] ? pk_json_path(root, s->id_path) : NULL;
        if (json_is_string(id))
            snprintf(res->provider_id, sizeof res->provider_id, "%s", json_string_value(id));
        else if (json_is_integer(id))
            snprintf(res->provider_id, sizeof res->provider_id, "%lld",
                     (long long)json_integer_value(id));
    } else {
        res->outcome = PK_SEND_PERMANENT;
        snprintf(res->error, sizeof res->error, "sms: HTTP %ld, refused by sms_ok (%s)",
                 r->status, words);
    }
    json_decref(root);
    return false;
}

/* Message m's body (pk_http_batch's body). */
static int sms_body(void *ctx, const pk_msg *m, pk_buf *out, pk_send_result *res)
{
    sms *s = ctx;
    const char *to = m->to ? m->to : "";
    size_t dl = strlen(to);
    if (to[0] != '+' || dl < 9 || dl > 16 || strspn(to + 1, "0123456789") != dl - 1) {
        res->outcome = PK_SEND_PERMANENT;
        snprintf(res->error, sizeof res->error, "sms: not an E.164 number");
        return 1;
    }
    char local[24], id[24];
    if (strncmp(to, "+62", 3) == 0)
        snprintf(local, sizeof local, "0%s", to + 3);
    else
        snprintf(local, sizeof local, "%s", to + 1);
    snprintf(id, sizeof id, "%lld", (long long)m->id);
    const char *vals[5] = {to, to + 1, local, m->text ? m->text : "", id};
    return fill(s->body, vals, s->json, out) != 0 ? PK_ENOMEM : 0;
}

static int sms_send(pk_chan *c, const pk_msg *m, size_t n, pk_send_result *res)
{
    sms *s = c->impl;
    const char *headers[3] = {s->json ? "Content-Type: application/json"
                                      : "Content-Type: application/x-www-form-urlencoded",
                              s->auth[0] ? s->auth : NULL, NULL};
    pk_http_batch b = {s->http, "sms", s->url, headers, sms_body, on_answer, s};
    return pk_http_batch_send(&b, m, n, res);
}

static void sms_close(pk_chan *c)
{
    sms *s = c->impl;
    pk_http_free(s->http);
    free(s);
}

int pk_chan_sms_open(const pk_config *cfg, pk_chan **out, char *err, size_t errlen)
{
    *out = NULL;
    sms *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    s->json = strcmp(cfg->sms_content_type, "json") == 0;
    snprintf(s->url, sizeof s->url, "%s", cfg->sms_url);
    if (strncmp(s->url, "http://", 7) != 0 && strncmp(s->url, "https://", 8) != 0) {
        snprintf(err, errlen, "sms_url: an http:// or https:// address");
        free(s);
        return PK_EINVAL;
    }
    if (cfg->sms_auth_header[0] != '\0') {
        if (strchr(cfg->sms_auth_header, ':') == NULL ||
            strpbrk(cfg->sms_auth_header, "\r\n") != NULL) {
            snprintf(err, errlen, "sms_auth_header: one header line, \"Name: value\"");
            free(s);
            return PK_EINVAL;
        }
        snprintf(s->auth, sizeof s->auth, "%s", cfg->sms_auth_header);
    }
    if (cfg->sms_body[0] != '\0')
        snprintf(s->body, sizeof s->body, "%s", cfg->sms_body);
    else if (s->json)
        snprintf(s->body, sizeof s->body, "{\"to\":\"{to}\",\"text\":\"{text}\",\"id\":\"{id}\"}");
    else
        snprintf(s->body, sizeof s->body, "to={to}&text={text}&id={id}");
    pk_buf probe;
    pk_buf_init(&probe, 64 * 1024);
    const char *empty[5] = {"", "", "", "", ""};
    int frc = fill(s->body, empty, s->json, &probe);
    pk_buf_free(&probe);
    bool has_number = strstr(s->body, "{to}") != NULL || strstr(s->body, "{msisdn}") != NULL ||
                      strstr(s->body, "{local}") != NULL;
    if (frc != 0 || !has_number || strstr(s->body, "{text}") == NULL) {
        snprintf(err, errlen, "sms_body: placeholders are {to} {msisdn} {local} {text} {id}; "
                              "a number and {text} are required");
        free(s);
        return PK_EINVAL;
    }
    const char *ok = cfg->sms_ok;
    if (strncmp(ok, "json:", 5) == 0) {
        const char *eq = strchr(ok + 5, '=');
        size_t pl = eq ? (size_t)(eq - (ok + 5)) : 0;
        if (eq == NULL || pl == 0 || pl >= sizeof s->ok_path ||
            strlen(eq + 1) >= sizeof s->ok_value) {
            snprintf(err, errlen, "sms_ok: json:PATH=VALUE, contains:TEXT or empty");
            free(s);
            return PK_EINVAL;
        }
        memcpy(s->ok_path, ok + 5, pl);
        snprintf(s->ok_value, sizeof s->ok_value, "%s", eq + 1);
    } else if (strncmp(ok, "contains:", 9) == 0 && ok[9] != '\0' &&
               strlen(ok + 9) < sizeof s->ok_contains) {
        snprintf(s->ok_contains, sizeof s->ok_contains, "%s", ok + 9);
    } else if (ok[0] != '\0') {
        snprintf(err, errlen, "sms_ok: json:PATH=VALUE, contains:TEXT or empty");
        free(s);
        return PK_EINVAL;
    }
    if (cfg->sms_dedup && strstr(s->body, "{id}") == NULL) {
        snprintf(err, errlen, "sms_dedup: the gateway can only deduplicate by the {id} "
                              "sms_body gives it");
        free(s);
        return PK_EINVAL;
    }
    snprintf(s->id_path, sizeof s->id_path, "%s", cfg->sms_id_field);
    if ((s->http = pk_http_new(cfg->channel_timeout)) == NULL) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    s->c = (pk_chan){.kind = PK_CH_SMS, .dedup = cfg->sms_dedup != 0, .rate = cfg->sms_rate,
                     .send = sms_send, .seen = NULL, .close = sms_close, .impl = s};
    *out = &s->c;
    return 0;
}
