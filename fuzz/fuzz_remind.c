/* fuzz_remind.c -- libFuzzer target for the reminders' rules file
 * (pk_remind_rules_parse), the template renderer and the GSM-7 counter.
 *
 * Any byte string goes in as a rules file; whatever it is, the parser
 * answers 0 or PK_EINVAL with a message, and what it accepts keeps the
 * invariants of remind.h: offsets ascending and within a year, priorities
 * 1..99, every SMS filled in with long values within 160 GSM-7
 * characters, caps that make sense.  The same bytes as a template are
 * rendered into a small buffer without overrunning it. */
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"
#include "core/remind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    CHECK(text);
    memcpy(text, data, size);
    text[size] = '\0';

    static pk_remind_rules r;
    char err[256];
    int rc = pk_remind_rules_parse(text, &r, err, sizeof err);
    CHECK(rc == 0 || rc == PK_EINVAL);
    if (rc == PK_EINVAL) {
        CHECK(strncmp(err, "reminders: ", 11) == 0);
    } else {
        CHECK(err[0] == '\0');
        CHECK(r.count >= 1 && r.count <= PK_REMIND_RULES_MAX);
        CHECK(r.set.cap_day >= 1 && r.set.cap_week >= r.set.cap_day);
        for (size_t i = 0; i < r.count; i++) {
            const pk_remind_rule *x = &r.items[i];
            CHECK(x->cond < PK_RC__COUNT && x->purpose < PK_PURPOSE__COUNT);
            CHECK(x->priority >= 1 && x->priority <= 99);
            CHECK(x->noffsets >= 1 && x->noffsets <= PK_REMIND_OFFSETS_MAX);
            for (size_t k = 0; k < x->noffsets; k++) {
                CHECK(x->offsets[k] >= -366 && x->offsets[k] <= 366);
                CHECK(k == 0 || x->offsets[k] > x->offsets[k - 1]);
            }
            pk_remind_vars v = {"30 Des 2026", "Rp10.000.000", "999", "12", NULL,
                                "https://prakerja.jakarta.go.id"};
            char out[4 * PK_REMIND_TEXT_MAX];
            CHECK(pk_remind_render(x->sms, &v, out, sizeof out) == 0);
            int len = pk_gsm7_length(out);
            CHECK(len >= 0 && len <= 160);
            CHECK(pk_remind_rule_find(&r, x->id) == &r.items[i]);
        }
    }

    /* the bytes as a template, into a buffer that is often too small */
    char small[24];
    pk_remind_vars v = {"12 Mar 2021", "Rp3.550.000", "12", "1", "KURSUS", "https://x"};
    rc = pk_remind_render(text, &v, small, sizeof small);
    CHECK(rc == 0 || rc == PK_EINVAL || rc == PK_ETOOBIG);
    CHECK(memchr(small, '\0', sizeof small) != NULL);
    if (rc != 0)
        CHECK(small[0] == '\0');
    int n = pk_gsm7_length(text);
    CHECK(n == -1 || (n >= 0 && (size_t)n <= 2 * size));
    free(text);
    return 0;
}
