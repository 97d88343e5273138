/* remind.h -- the Jakarta service's reminders (reminders.md, issue #15):
 * so far, a participant's consent per purpose.  The rules, the plan of a
 * day and its run are core/remind.c's and come here next. */
#ifndef PK_APP_REMIND_H
#define PK_APP_REMIND_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"
#include "core/remind.h"

/* A change of consent: stop (or start again) the messages of `purpose`
 * for the participant with this NIK, asked by `channel` ("staff", "sms",
 * "whatsapp", "email"), as `actor` through the adapter `source` (the
 * audit log's channel: "cli", "portal", "webhook"). */
typedef struct pk_consent_req {
    const char *nik;
    pk_purpose purpose;
    bool stop;
    const char *channel, *source, *actor;
} pk_consent_req;

/* Makes the change, kept with its time and audited (consent.stop /
 * consent.start, the participant's id, never the NIK).  *changed: false
 * when it was so already (nothing is written).  Returns 0; PK_EINVAL (not
 * a NIK: 16 digits; an unknown purpose), PK_ENOENT (no participant has
 * it), or a store error, with a sentence in err (never the NIK). */
int pk_consent_change(const pk_app *app, const pk_consent_req *r, bool *changed,
                      int64_t *participant_id, char *err, size_t errlen);

#endif
