/* session.c -- credentials of a request and CSRF tokens (see session.h). */
#include "web/session.h"

#include <string.h>
#include <strings.h>

#include "core/pk.h"
#include "web/cookie.h"
#include "web/html.h"

bool pk_req_cookie(const pk_req *req, const char *name, char *out, size_t cap)
{
    const char *h = pk_req_header(req, "Cookie");
    return h != NULL && pk_cookie_get(h, strlen(h), name, out, cap) >= 0;
}

void pk_resp_cookie(const pk_app *app, pk_resp *resp, const char *name, const char *value,
                    long max_age)
{
    char line[256];
    if (pk_cookie_format(line, sizeof(line), name, value, max_age,
                         app->cfg.cookie_secure != 0) == 0)
        pk_resp_header(resp, "Set-Cookie", line);
}

void pk_resp_cookie_path(const pk_app *app, pk_resp *resp, const char *name, const char *value,
                         const char *path, long max_age)
{
    char line[512];
    if (pk_cookie_format_path(line, sizeof(line), name, value, path, max_age,
                              app->cfg.cookie_secure != 0) == 0)
        pk_resp_header(resp, "Set-Cookie", line);
}

int pk_web_authenticate(const pk_app *app, pk_req *req, bool api, pk_principal *who)
{
    if (api) {
        const char *h = pk_req_header(req, "Authorization");
        if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
            return PK_ENOENT;
        h += 7;
        while (*h == ' ')
            h++;
        return pk_auth_token_check(app, h, who);
    }
    char token[PK_SECRET_TEXT];
    if (!pk_req_cookie(req, PK_COOKIE_SESSION, token, sizeof(token)))
        return PK_ENOENT;
    return pk_auth_session(app, token, who);
}

static bool by_session(const pk_req *req)
{
    return req->who != NULL && req->who->by_session;
}

/* The form nonce this response sets already (a page of several forms
 * mints one, not one a form: only the last cookie set would stay). */
static bool nonce_set(const pk_resp *resp, char nonce[PK_SECRET_TEXT])
{
    size_t n = strlen(PK_COOKIE_FORM);
    for (int i = 0; i < resp->nheaders; i++) {
        const char *v = resp->hvalue[i];
        if (strcasecmp(resp->hname[i], "Set-Cookie") != 0 || strncmp(v, PK_COOKIE_FORM, n) != 0 ||
            v[n] != '=')
            continue;
        size_t len = strcspn(v + n + 1, ";");
        if (len >= PK_SECRET_TEXT)
            return false;
        memcpy(nonce, v + n + 1, len);
        nonce[len] = '\0';
        return pk_auth_form_nonce_valid(nonce);
    }
    return false;
}

void pk_web_csrf_field(const pk_app *app, const pk_req *req, pk_resp *resp)
{
    char token[PK_SECRET_TEXT];
    if (by_session(req)) {
        pk_auth_csrf_session(app, req->who, token);
    } else {
        char nonce[PK_SECRET_TEXT];
        if ((!pk_req_cookie(req, PK_COOKIE_FORM, nonce, sizeof(nonce)) ||
             !pk_auth_form_nonce_valid(nonce)) &&
            !nonce_set(resp, nonce)) {
            pk_auth_form_nonce(nonce);
            /* a browser-session cookie: it only pairs forms with their posts */
            pk_resp_cookie(app, resp, PK_COOKIE_FORM, nonce, -1);
        }
        pk_auth_form_token(app, nonce, token);
    }
    pk_buf_printf(&resp->body, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n",
                  PK_CSRF_FIELD, token);
}

bool pk_web_csrf_ok(const pk_app *app, const pk_req *req, const char *given)
{
    if (given == NULL)
        return false;
    if (by_session(req))
        return pk_auth_csrf_session_ok(app, req->who, given);
    char nonce[PK_SECRET_TEXT];
    return pk_req_cookie(req, PK_COOKIE_FORM, nonce, sizeof(nonce)) &&
           pk_auth_form_token_ok(app, nonce, given);
}
