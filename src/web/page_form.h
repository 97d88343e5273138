/* page_form.h -- reading a posted HTML form, shared by the portal pages. */
#ifndef PK_PAGE_FORM_H
#define PK_PAGE_FORM_H

#include <stdbool.h>

#include "web/form.h"
#include "web/http.h"
#include "app/app.h"

/* For a POST: checks the content type and parses the body into *f.
 * Returns true when the form is ready; otherwise an error page has been
 * written into resp (415, 400, or 403 when the CSRF token is missing or
 * wrong) and f is empty.  For any other method
 * *f is empty and true is returned.  The fields live in the request's
 * scratch memory (http.h: wiped and freed when the request ends), so a
 * handler never frees a form. */
bool pk_page_read_form(const pk_app *app, pk_req *req, pk_resp *resp, pk_form *f);

#endif
