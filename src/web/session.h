/* session.h -- who is calling (a session cookie on pages, a bearer token
 * on the API), and the CSRF tokens of forms. */
#ifndef PK_SESSION_H
#define PK_SESSION_H

#include <stdbool.h>

#include "app/auth.h"
#include "web/web.h"

/* Fills *who from the request's credentials: for API routes the
 * Authorization: Bearer token, for pages the session cookie.  Returns 0,
 * PK_ENOENT (none, or not valid) or PK_EIO. */
int pk_web_authenticate(const pk_app *app, pk_req *req, bool api, pk_principal *who);

/* Writes the hidden CSRF field of a form into the page being built in
 * resp->body.  Logged in (req->who by session): the session's token;
 * otherwise the public token of the form cookie, which is set when the
 * browser has none yet. */
void pk_web_csrf_field(const pk_app *app, const pk_req *req, pk_resp *resp);
/* Checks the CSRF token of a posted form the same way. */
bool pk_web_csrf_ok(const pk_app *app, const pk_req *req, const char *given);

#define PK_CSRF_FIELD "_csrf"

#endif
