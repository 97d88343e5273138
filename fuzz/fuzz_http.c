/* fuzz_http.c -- whole requests through the real router and handlers.
 *
 * The input is a raw HTTP/1.1 request: a request line (method, target),
 * header lines, an empty line, then the body.  It is taken apart the way
 * the server takes it apart (the target's path and query values
 * percent-decoded by pk_http_unescape, '+' in the query as a space, a
 * body past max_body dropped) into a `pk_req` built in memory, and handed
 * to pk_web_dispatch with a real application: a SQLite database in
 * /dev/shm (made once per process, removed at exit or by a later run),
 * the region table and schemes of data/, an admin and an operator with
 * sessions, an API token.
 *
 * So that mutations can get past the authentication and CSRF checks,
 * these placeholders in the input are replaced before it is parsed:
 *
 *   @SESSION@ @CSRF@       the admin's session cookie value, its CSRF token
 *   @OPSESSION@ @OPCSRF@   the same for an operator of region 31.74
 *   @TOKEN@                the admin's API token (Authorization: Bearer)
 *   @NONCE@ @FORMTOKEN@    a public form's cookie nonce and its token
 *
 * Invariants of every answer: a status of 100-599 that is not 500 (the
 * server's own failure), a content type, and a body in valid UTF-8 (pages
 * and JSON alike; JSON that parses).  Rate limits are off (every request
 * comes from 127.0.0.1). */
#include "fuzz.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "app/app.h"
#include "app/auth.h"
#include "core/buf.h"
#include "pk_config.h"
#include "web/http.h"
#include "web/web.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_INPUT_MAX (256 * 1024)
#define MAX_PAIRS 32

static pk_app app;
static char db_path[256];
static bool ready;

static struct {
    const char *name;
    char value[PK_SECRET_TEXT];
} subst[] = {
    {"@SESSION@", ""}, {"@CSRF@", ""}, {"@OPSESSION@", ""}, {"@OPCSRF@", ""},
    {"@TOKEN@", ""},   {"@NONCE@", ""}, {"@FORMTOKEN@", ""},
};

static void quiet(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

static void cleanup(void)
{
    if (!ready)
        return;
    pk_app_close(&app);
    static const char *const suffix[] = {"", "-wal", "-shm", ".key"};
    for (size_t i = 0; i < PK_ARRAY_LEN(suffix); i++) {
        char p[300];
        snprintf(p, sizeof(p), "%s%s", db_path, suffix[i]);
        unlink(p);
    }
}

/* The files of processes gone without cleanup() (a crash, libFuzzer's
 * _Exit at the end of a run): /dev/shm/prakerja-fuzz-http-PID.* whose
 * PID no longer runs, or is this process's (an earlier one's, then). */
static void remove_stale(void)
{
    DIR *d = opendir("/dev/shm");
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        long pid;
        char p[300];
        if (sscanf(e->d_name, "prakerja-fuzz-http-%ld.", &pid) != 1 || pid <= 0)
            continue;
        if (pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue;
        snprintf(p, sizeof(p), "/dev/shm/%s", e->d_name);
        unlink(p);
    }
    if (d != NULL)
        closedir(d);
}

static void die(const char *what, const char *err)
{
    fprintf(stderr, "fuzz_http: %s: %s\n", what, err);
    abort();
}

static const char password[] = "kata-sandi-uji-fuzz-yang-panjang-7";

/* Logs a staff member in: subst[first] the session cookie, [first + 1]
 * its CSRF token (left as they were when the login fails). */
static bool login(const char *user, int first)
{
    pk_principal who;
    int retry = 0;
    char token[PK_SECRET_TEXT];
    if (pk_auth_login(&app, user, password, "127.0.0.2", token, &who, &retry) != 0)
        return false;
    memcpy(subst[first].value, token, sizeof(token));
    pk_auth_csrf_session(&app, &who, subst[first + 1].value);
    return true;
}

static void staff(const char *user, const char *role, const char *region, int first)
{
    char err[256];
    int64_t id;
    if (pk_auth_user_create(&app, "cli:fuzz", user, role, region, password, &id, err,
                            sizeof(err)) != 0)
        die("user", err);
    if (!login(user, first))
        die("login", user);
}

/* After a logout (POST /keluar) the session of its cookie is gone: a new
 * one, so that later inputs still reach the staff routes. */
static void sessions_again(void)
{
    static const struct {
        const char *user;
        int first;
    } staff_of[] = {{"fuzzadmin", 0}, {"fuzzop", 2}};
    for (size_t i = 0; i < PK_ARRAY_LEN(staff_of); i++) {
        pk_principal who;
        if (pk_auth_session(&app, subst[staff_of[i].first].value, &who) != 0)
            login(staff_of[i].user, staff_of[i].first);
    }
}

static void setup(void)
{
    pk_config cfg;
    char err[512];
    pk_config_defaults(&cfg);
    snprintf(db_path, sizeof(db_path), "/dev/shm/prakerja-fuzz-http-%ld.db", (long)getpid());
    remove_stale();
    snprintf(cfg.db, sizeof(cfg.db), "%s", db_path);
    const char *data = getenv("PRAKERJA_DATA_DIR");
    snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", data ? data : PK_DATADIR_DEFAULT);
    cfg.rate_limits = 0;
    cfg.session_idle = cfg.session_max = 7 * 24 * 3600;
    /* the webhooks answer past their credential checks (seeds webhook_*:
     * the SMS secret and the verify token are "x"; a WhatsApp body needs
     * the HMAC of this secret, which the fuzzer rarely finds) */
    snprintf(cfg.whatsapp_app_secret, sizeof(cfg.whatsapp_app_secret), "%s", "x");
    snprintf(cfg.whatsapp_verify_token, sizeof(cfg.whatsapp_verify_token), "%s", "x");
    snprintf(cfg.sms_webhook_secret, sizeof(cfg.sms_webhook_secret), "%s", "x");
    if (pk_app_open(&app, &cfg, PK_APP_CREATE, quiet, NULL, err, sizeof(err)) != 0)
        die("open", err);
    ready = true;
    atexit(cleanup);
    staff("fuzzadmin", "admin", NULL, 0);
    staff("fuzzop", "operator", "31.74", 2);
    int64_t tid;
    if (pk_auth_token_create(&app, "cli:fuzz", "fuzzadmin", "fuzz", subst[4].value, &tid, err,
                             sizeof(err)) != 0)
        die("token", err);
    pk_auth_form_nonce(subst[5].value);
    pk_auth_form_token(&app, subst[5].value, subst[6].value);
}

/* The input with the placeholders replaced, NUL-terminated; *len its length. */
static char *substitute(const uint8_t *data, size_t size, size_t *len)
{
    pk_buf b;
    pk_buf_init(&b, 2 * FUZZ_INPUT_MAX);
    size_t run = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] != '@')
            continue;
        for (size_t k = 0; k < PK_ARRAY_LEN(subst); k++) {
            size_t n = strlen(subst[k].name);
            if (size - i >= n && memcmp(data + i, subst[k].name, n) == 0) {
                pk_buf_add(&b, data + run, i - run);
                pk_buf_adds(&b, subst[k].value);
                run = i + n;
                i += n - 1;
                break;
            }
        }
    }
    pk_buf_add(&b, data + run, size - run);
    pk_buf_addc(&b, '\0');
    if (pk_buf_failed(&b)) {
        pk_buf_free(&b);
        return NULL;
    }
    char *s = pk_buf_steal(&b, len);
    *len -= 1;
    return s;
}

/* One line from *p (up to "\n", without a "\r" before it), NUL-terminated
 * in place; NULL at the end of the head. */
static char *next_line(char **p, char *end)
{
    if (*p >= end)
        return NULL;
    char *line = *p;
    char *nl = memchr(line, '\n', (size_t)(end - line));
    char *stop = nl ? nl : end;
    *p = nl ? nl + 1 : end;
    if (stop > line && stop[-1] == '\r')
        stop--;
    *stop = '\0';
    return line;
}

/* Splits a query string into decoded pairs, as MHD does: '&'-separated,
 * key=value ('+' a space, then percent-decoding); a key without '=' has
 * no value, so no lookup finds it. */
static size_t parse_query(char *q, const char **kv, size_t max)
{
    size_t n = 0;
    while (q != NULL && *q && n + 2 < max) {
        char *amp = strchr(q, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(q, '=');
        if (eq != NULL) {
            *eq = '\0';
            for (char *c = q; *c; c++)
                if (*c == '+')
                    *c = ' ';
            for (char *c = eq + 1; *c; c++)
                if (*c == '+')
                    *c = ' ';
            pk_http_unescape(q);
            pk_http_unescape(eq + 1);
            kv[n++] = q;
            kv[n++] = eq + 1;
        }
        q = amp ? amp + 1 : NULL;
    }
    kv[n] = NULL;
    return n;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

static void check_answer(const pk_resp *resp)
{
    assert(resp->status >= 100 && resp->status <= 599);
    if (pk_buf_failed(&resp->body))
        return; /* the server answers 500 in its place (http.c) */
    assert(resp->status != 500);
    assert(resp->content_type != NULL);
    const char *body = resp->body.data ? resp->body.data : "";
    size_t n = resp->body.len;
    if (strncmp(resp->content_type, "text/html", 9) == 0 ||
        strncmp(resp->content_type, "application/json", 16) == 0 ||
        strncmp(resp->content_type, "text/plain", 10) == 0)
        assert(utf8_valid((const unsigned char *)body, n));
    if (strncmp(resp->content_type, "application/json", 16) == 0) {
        json_t *j = json_loadb(body, n, 0, NULL);
        assert(j != NULL);
        json_decref(j);
    }
}

/* libFuzzer: the application is made before the first input (so its
 * memory is not taken for a leak of that input); replay.c makes it on
 * the first input instead. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_INPUT_MAX)
        return 0;
    if (!ready)
        setup();
    size_t len;
    char *in = substitute(data, size, &len);
    if (in == NULL)
        return 0;
    char *p = in, *end = in + len;
    /* the head ends at the first empty line; the body is the rest */
    char *body = end;
    for (char *c = in; c < end; c++)
        if (c[0] == '\n' && ((c + 1 < end && c[1] == '\n') ||
                             (c + 2 < end && c[1] == '\r' && c[2] == '\n'))) {
            body = c + (c[1] == '\n' ? 2 : 3);
            end = c + 1;
            break;
        }
    size_t body_len = (size_t)(in + len - body);

    char *line = next_line(&p, end);
    char *method = line ? strtok(line, " ") : NULL;
    char *target = method ? strtok(NULL, " ") : NULL;
    if (method == NULL || target == NULL) {
        free(in);
        return 0;
    }
    const char *headers[2 * MAX_PAIRS + 1];
    size_t nh = 0;
    while ((line = next_line(&p, end)) != NULL && nh + 2 < PK_ARRAY_LEN(headers)) {
        char *colon = strchr(line, ':');
        if (colon == NULL || colon == line)
            continue;
        *colon = '\0';
        char *v = colon + 1;
        v += strspn(v, " \t");
        size_t vl = strlen(v);
        while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
            v[--vl] = '\0';
        headers[nh++] = line;
        headers[nh++] = v;
    }
    headers[nh] = NULL;
    char *qs = strchr(target, '?');
    if (qs != NULL)
        *qs++ = '\0';
    pk_http_unescape(target);
    const char *query[2 * MAX_PAIRS + 1];
    parse_query(qs, query, PK_ARRAY_LEN(query));

    /* the body, NUL-terminated, as the server keeps it */
    body[body_len] = '\0';
    bool too_large = body_len > (size_t)app.cfg.max_body;

    pk_req req = {.method = method, .path = target, .query = query, .headers = headers,
                  .client_addr = "127.0.0.1"};
    req.body_too_large = too_large;
    req.body = too_large ? "" : body;
    req.body_len = too_large ? 0 : body_len;
    pk_resp resp = {.status = 500};
    pk_buf_init(&resp.body, 4 * 1024 * 1024);
    pk_web_dispatch(&app, &req, &resp);
    pk_req_release(&req);
    check_answer(&resp);
    if (strcmp(target, "/keluar") == 0 && resp.status == 303)
        sessions_again();
    pk_buf_wipe_free(&resp.body);
    for (int i = 0; i < resp.nheaders; i++)
        free(resp.hvalue[i]);
    free(in);
    return 0;
}
