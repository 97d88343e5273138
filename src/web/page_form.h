/* page_form.h -- reading a posted HTML form, shared by the portal pages. */
#ifndef PK_PAGE_FORM_H
#define PK_PAGE_FORM_H

#include <stdbool.h>

#include "web/form.h"
#include "web/http.h"
#include "app/app.h"
#include "core/participant.h"

/* For a POST: checks the content type and parses the body into *f.
 * Returns true when the form is ready; otherwise an error page has been
 * written into resp (415, 400, or 403 when the CSRF token is missing or
 * wrong) and f is empty.  For any other method
 * *f is empty and true is returned.  The fields live in the request's
 * scratch memory (http.h: wiped and freed when the request ends), so a
 * handler never frees a form. */
bool pk_page_read_form(const pk_app *app, pk_req *req, pk_resp *resp, pk_form *f);

/* A date field's hint and its error: the browser's date control shows a
 * date in the reader's own format (not "TTTT-BB-HH"), and a browser
 * without one shows a text box that needs year-month-day. */
#define PK_DATE_HINT "Pilih tanggal pada kalender. Jika tidak muncul kalender, tulis " \
                     "tahun-bulan-tanggal, misalnya 1995-08-17."
#define PK_DATE_INVALID_MSG "Tanggal tidak valid. Pilih tanggal pada kalender, atau tulis " \
                            "tahun-bulan-tanggal, misalnya 1995-08-17."

/* The sentence a form shows beside field f for reason code c: written
 * for the form's controls and labels (the code table's sentences are
 * written for exchange files).  `empty`: nothing was typed or chosen,
 * which a form calls "wajib diisi" (or "Pilih ..." for a list), whatever
 * format rule the code states.  The machine-readable codes stay the
 * same; only the words differ. */
const char *pk_form_field_message(pk_field f, pk_code c, bool empty);

/* A time typed in a datetime-local control ("2021-09-13T12:00", seconds
 * optional) as an instant in WIB ("2021-09-13T12:00:00+07:00", in the
 * request's scratch memory); anything else is passed on as typed (an
 * instant with its own offset, or wrong, for the caller's check). */
const char *pk_form_wib_instant(pk_req *req, const char *v);

/* A NIK or KK as people copy it from a card: 16 digits grouped by
 * spaces, dashes or dots ("3175 0612 0361 0001") becomes the 16 digits
 * (in the request's scratch memory); anything else is passed on as
 * typed, for the field's own check to name what is wrong.  An outside
 * review found the grouped number refused with the generic message. */
const char *pk_form_id16(pk_req *req, const char *v);

/* A count written as the pages show counts, dots between thousands
 * ("1.000", "800.000"), becomes its digits (request scratch memory);
 * anything else is passed on as typed.  An outside review typed the
 * quota as the wave's page shows it and was told it is not a number. */
const char *pk_form_count(pk_req *req, const char *v);

#endif
