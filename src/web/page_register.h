/* page_register.h -- the registration form, shared by self-registration
 * (/daftar) and assisted registration by an operator (/peserta/baru). */
#ifndef PK_PAGE_REGISTER_H
#define PK_PAGE_REGISTER_H

#include "app/registry.h"
#include "web/http.h"

/* Writes the form into resp->body: posting to `action`, errors beside
 * their fields, what was typed kept.  The village list holds the
 * villages of `scope` only ("" or NULL: the whole service area).
 * `event`: an outreach event's code the form carries (hidden field
 * "acara"), or NULL.  `confirm`: the name of a box to tick that the
 * birth date and sex are right though the NIK says otherwise, or NULL. */
void pk_register_form(const pk_app *app, const pk_req *req, pk_resp *resp, const char *action,
                      const char *scope, const char *const val[PK_F__COUNT],
                      const char *const err[PK_F__COUNT], const char *submit,
                      const char *event, const char *confirm);
/* A required <select name="kode_wilayah"> of the villages of `scope`
 * ("" or NULL: the whole service area), grouped by city and district, so
 * it works without JavaScript (267 villages for Jakarta). */
void pk_village_select(const pk_app *app, pk_buf *b, const char *label, const char *hint,
                       const char *selected, const char *err, const char *scope);
/* The field errors of a failed pk_registry_register (rc PK_EINVAL or
 * PK_ECONFLICT) into err (entries already set are kept), in the form's
 * words (pk_form_field_message of page_form.h): val is what was posted,
 * so an empty field reads "wajib diisi". */
void pk_register_errors(int rc, const pk_register_result *res, const char *const val[PK_F__COUNT],
                        const char *err[PK_F__COUNT]);

/* After a failed pk_registry_register (rc != 0), the status of the page
 * that shows the form again: 422 (invalid, or outside the caller's
 * region), 409 (NIK taken), and for any other failure a notice into b
 * saying nothing was saved: 507 when the disk is full (PK_MSG_DISK_FULL),
 * else 503. */
int pk_register_failure(const pk_app *app, pk_buf *b, int rc);

#endif
