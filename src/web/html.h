/* html.h -- the one place that writes HTML: escaping, the page layout,
 * and accessible form controls.  Every string that did not come from
 * this program's own source goes through pk_html_esc. */
#ifndef PK_HTML_H
#define PK_HTML_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/buf.h"
#include "core/region.h"
#include "web/http.h"

/* Escapes & < > " ' so the text is safe in element content and in quoted
 * attribute values; drops NUL, and writes each byte that starts no
 * well-formed UTF-8 sequence as U+FFFD, so a page is valid UTF-8 whatever
 * it echoes. */
void pk_html_esc(pk_buf *b, const char *s);
/* A region's name, escaped, in the case people read it (pk_region_title
 * of core/region.h): every page shows region names through this. */
void pk_html_region(pk_buf *b, const char *name);
void pk_html_escn(pk_buf *b, const char *s, size_t n);

/* Starts a page: doctype, head, header with navigation (`active` is the
 * path of the current page), and opens <main>. */
void pk_html_begin(pk_buf *b, const char *title, const char *active);
/* Closes <main>, writes the footer, closes the document, and fills in
 * the response (status, content type, cache policy). */
void pk_html_finish(pk_resp *resp, int status, bool cacheable);

/* A page made for printing (the outreach kit): the same head and
 * stylesheet, no menu, header or footer; <body class="print">.  Finish:
 * never cached. */
void pk_html_print_begin(pk_buf *b, const char *title);
void pk_html_print_finish(pk_resp *resp, int status);

void pk_html_error_page(const pk_app *app, pk_resp *resp, int status, const char *title,
                        const char *message);

/* The staff pages' layout (req->who is the signed-in staff member):
 * the staff menu, built from the route table (web/routes.c) and showing
 * only the pages the member's role may open (viewer: Dasbor, Corong, Katalog,
 * Acara; operator: + Cari peserta, Pendaftaran dibantu, Pengingat;
 * admin: + Gelombang, Admin); who is signed in
 * (name, role, region); and a modest sign-out button (a POST form with
 * the session's CSRF token).  `active` is the menu path of the page.
 * Writes into resp->body (the CSRF field needs resp). */
void pk_html_staff_begin(const pk_app *app, const pk_req *req, pk_resp *resp, const char *title,
                         const char *active);
/* Closes a staff page: never cached. */
void pk_html_staff_finish(pk_resp *resp, int status);
/* An error page in the staff layout when someone is signed in (the
 * public one otherwise), with a way back to the dashboard. */
void pk_html_staff_error(const pk_app *app, const pk_req *req, pk_resp *resp, int status,
                         const char *title, const char *message);
/* The staff error page of a failed read of a region's figures (the
 * dashboard, the funnel): rc PK_EINVAL (a malformed code, 400),
 * PK_ENOENT (unknown, 404), PK_EDENIED (outside the caller's scope, 403),
 * else 503. */
void pk_html_region_error(const pk_app *app, const pk_req *req, pk_resp *resp, int rc);
/* "Administrator", "Operator wilayah", "Pemantau" for a PK_ROLE_* bit. */
const char *pk_html_role_label(unsigned role);
/* A region's name as staff read it, or `fallback` when code is "" or
 * unknown (escaped). */
void pk_html_region_name(const pk_app *app, pk_buf *b, const char *code, const char *fallback);
/* Home > city > district: links to `page`?wilayah=CODE for the regions
 * above `code`, as far up as the caller's scope reaches (the dashboard,
 * the funnel). */
void pk_html_trail(const pk_app *app, pk_buf *b, const char *scope, const char *code,
                   const char *page);
/* s percent-encoded as a query string's value (letters, digits and -._~
 * as they are), so it needs no HTML escaping either. */
void pk_html_url_value(pk_buf *b, const char *s);
/* A count with thousands separators ("2.834"). */
void pk_html_count(pk_buf *b, int64_t n);
/* A median of days (core/median.h) as pages write it: "7 hari", "7,5 hari". */
void pk_html_days(pk_buf *b, double median_days);
/* A number with one decimal, written the Indonesian way ("12,5") from its
 * tenths (125); the share part/whole as a percentage ("33,3%"), rounded to
 * the nearest tenth. */
void pk_html_tenths(pk_buf *b, int64_t tenths);
void pk_html_percent(pk_buf *b, int64_t part, int64_t whole);

/* A labelled input.  `error` (may be NULL) is shown beside the field and
 * linked with aria-describedby; `hint` likewise. `value` is escaped. */
void pk_html_input(pk_buf *b, const char *name, const char *label, const char *type,
                   const char *value, const char *hint, const char *error, bool required);

typedef struct pk_html_option {
    const char *value;
    const char *label;
} pk_html_option;

void pk_html_select(pk_buf *b, const char *name, const char *label,
                    const pk_html_option *opts, size_t nopts, const char *selected,
                    const char *hint, const char *error, bool required);
/* A select built piece by piece (for option groups): begin, then
 * options and groups, then end. */
void pk_html_select_begin(pk_buf *b, const char *name, const char *label, const char *hint,
                          const char *error, bool required);
void pk_html_opt(pk_buf *b, const char *value, const char *label, const char *selected);
void pk_html_optgroup(pk_buf *b, const char *label);
void pk_html_optgroup_end(pk_buf *b);
void pk_html_select_end(pk_buf *b);

/* A set of radio buttons in a fieldset (legend, hint, error): each
 * choice's label wraps on a narrow screen, unlike a <select>'s options.
 * The first button's id is `name` (what the error summary links to). */
void pk_html_radios(pk_buf *b, const char *name, const char *legend,
                    const pk_html_option *opts, size_t nopts, const char *selected,
                    const char *hint, const char *error);
void pk_html_checkbox(pk_buf *b, const char *name, const char *label, bool checked);

/* The form-level error summary ("Periksa kembali isian berikut") with
 * links to the fields; `fields` and `messages` are parallel arrays, a
 * field whose message is NULL has none (a form's per-field errors can be
 * passed whole); nothing when no field has one. */
void pk_html_error_summary(pk_buf *b, const char *const *fields, const char *const *messages,
                           size_t n);

#endif
