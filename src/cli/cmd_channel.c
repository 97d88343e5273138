/* cmd_channel.c -- `prakerja remind test-send`: staff try a channel
 * (app/channel.h) before the reminders use it.
 *
 *   prakerja remind test-send --channel whatsapp|sms|email|berkas --to ADDR
 *                             [--rule ID] [--count N] [--batch N]
 *
 * The rule's templates (the reminders file) are filled with sample values
 * and N messages, each with its own id, are handed to the channel in
 * batches, paced by the channel's rate setting.  One JSON line per result
 * (n, id, outcome, provider_id, retry_after, error: never the address),
 * then a summary line; exit 0 when every message was taken, 1 otherwise,
 * 2 on a usage error.  Nothing is written to the database. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/channel.h"
#include "app/remind.h"
#include "app/unsubscribe.h"
#include "cli/cli.h"
#include "core/date.h"
#include "core/pk.h"
#include "core/remind.h"

#define BATCH_DEFAULT 100

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool whole(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (s == NULL || errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

int cli_remind_test_send(const cli_cmd *c, cli_args *a)
{
    (void)c;
    const char *chname = cli_opt(a, "channel"), *to = cli_opt(a, "to"),
               *rule_id = cli_opt(a, "rule");
    long count = 1, batch = BATCH_DEFAULT;
    if (a->npos != 0 || chname == NULL || to == NULL) {
        fprintf(stderr, "prakerja remind test-send: --channel and --to are required\n");
        return 2;
    }
    pk_channel kind = pk_channel_by_name(chname);
    if (kind == PK_CH__COUNT) {
        fprintf(stderr, "prakerja remind test-send: --channel is whatsapp, sms, email or "
                        "berkas\n");
        return 2;
    }
    if ((cli_opt(a, "count") && !whole(cli_opt(a, "count"), 1, 10000000, &count)) ||
        (cli_opt(a, "batch") && !whole(cli_opt(a, "batch"), 1, 10000, &batch))) {
        fprintf(stderr, "prakerja remind test-send: --count is 1 to 10000000, --batch 1 to "
                        "10000\n");
        return 2;
    }
    char err[300] = "";
    static pk_remind_rules rules;
    if (pk_remind_rules_load(&a->cfg, &rules, err, sizeof err) != 0) {
        fprintf(stderr, "prakerja remind test-send: %s\n", err);
        return 1;
    }
    const pk_remind_rule *rule = rule_id ? pk_remind_rule_find(&rules, rule_id)
                                         : (rules.count ? &rules.items[0] : NULL);
    if (rule == NULL) {
        fprintf(stderr, "prakerja remind test-send: no rule '%s' in the reminders file\n",
                rule_id ? rule_id : "");
        return 2;
    }
    /* Sample values, the longest shapes they take; the date as the
     * reminders write it ("15 Des 2026": not strftime's English month) */
    char batas[32];
    pk_date_format_short(pk_instant_day_wib((int64_t)time(NULL) + 7 * 86400), batas);
    pk_remind_vars v = {.batas = batas, .saldo = "Rp3.550.000", .gelombang = "12", .ke = "2",
                        .pelatihan = "PK-CONTOH-01", .portal = a->cfg.portal_url};
    static char body[PK_REMIND_TEXT_MAX], subject[PK_REMIND_SUBJECT_MAX], unsub[200];
    const char *tmpl = kind == PK_CH_SMS ? rule->sms : kind == PK_CH_EMAIL ? rule->email
                                                                              : rule->whatsapp;
    if (pk_remind_render(tmpl, &v, body, sizeof body) != 0 ||
        pk_remind_render(rule->email_subject, &v, subject, sizeof subject) != 0) {
        fprintf(stderr, "prakerja remind test-send: rule %s: a template does not fill\n",
                rule->id);
        return 1;
    }
    snprintf(unsub, sizeof unsub, "https://%s/berhenti/contoh", a->cfg.portal_url);

    pk_chan *chans[PK_CH__COUNT];
    unsigned enabled = 0;
    if (pk_channels_open(&a->cfg, chans, &enabled, err, sizeof err) != 0) {
        fprintf(stderr, "prakerja remind test-send: %s\n", err);
        return 1;
    }
    pk_chan *ch = chans[kind];
    if (ch == NULL) {
        static const char *const need[] = {"whatsapp_phone_id and whatsapp_token", "sms_url",
                                           "smtp_url and smtp_from", "remind_file"};
        fprintf(stderr, "prakerja remind test-send: the %s channel is not enabled: set %s\n",
                chname, need[kind]);
        pk_channels_close(chans);
        return 1;
    }
    if (ch->rate > 0 && (double)batch > ch->rate) /* a batch goes out at once */
        batch = ch->rate >= 1 ? (long)ch->rate : 1;
    pk_msg *m = calloc((size_t)batch, sizeof *m);
    pk_send_result *res = calloc((size_t)batch, sizeof *res);
    if (m == NULL || res == NULL) {
        fprintf(stderr, "prakerja remind test-send: out of memory\n");
        free(m);
        free(res);
        pk_channels_close(chans);
        return 1;
    }
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    /* ids distinct within the run and, in practice, from other runs */
    int64_t base = (int64_t)wall.tv_sec * 1000000 + wall.tv_nsec / 1000;
    long ok = 0, temp = 0, perm = 0, failed_batches = 0;
    double start = now_s();
    for (long done = 0; done < count;) {
        size_t nb = (size_t)(count - done < batch ? count - done : batch);
        for (size_t i = 0; i < nb; i++) {
            m[i] = (pk_msg){.id = base + done + (long)i, .channel = kind, .to = to,
                            .rule = rule->id, .text = body, .subject = subject,
                            .wa_template = rule->whatsapp_template,
                            .unsubscribe = kind == PK_CH_EMAIL ? unsub : NULL};
            size_t np = pk_remind_params(rule->whatsapp, &v, m[i].wa_params, PK_MSG_PARAMS_MAX);
            m[i].wa_nparams = np < PK_MSG_PARAMS_MAX ? np : PK_MSG_PARAMS_MAX;
        }
        if (ch->send(ch, m, nb, res) != 0)
            failed_batches++;
        for (size_t i = 0; i < nb; i++) {
            const char *o = res[i].outcome == PK_SEND_OK          ? "ok"
                            : res[i].outcome == PK_SEND_TEMPORARY ? "temporary"
                                                                  : "permanent";
            ok += res[i].outcome == PK_SEND_OK;
            temp += res[i].outcome == PK_SEND_TEMPORARY;
            perm += res[i].outcome == PK_SEND_PERMANENT;
            printf("{\"n\":%ld,\"id\":%lld,\"outcome\":\"%s\",\"provider_id\":", done + (long)i,
                   (long long)m[i].id, o);
            json_str(stdout, res[i].provider_id);
            printf(",\"retry_after\":%d,\"error\":", res[i].retry_after);
            json_str(stdout, res[i].error);
            fputs("}\n", stdout);
        }
        done += (long)nb;
        if (ch->rate > 0) { /* pace: done messages take done/rate seconds at least */
            double ahead = (double)done / ch->rate - (now_s() - start);
            if (ahead > 0) {
                struct timespec ts = {(time_t)ahead, (long)((ahead - (double)(time_t)ahead) * 1e9)};
                nanosleep(&ts, NULL);
            }
        }
    }
    double secs = now_s() - start;
    printf("{\"channel\":\"%s\",\"rule\":\"%s\",\"count\":%ld,\"ok\":%ld,\"temporary\":%ld,"
           "\"permanent\":%ld,\"failed_batches\":%ld,\"seconds\":%.3f,\"per_second\":%.1f,"
           "\"rate\":%g}\n",
           chname, rule->id, count, ok, temp, perm, failed_batches, secs,
           secs > 0 ? (double)count / secs : 0.0, ch->rate);
    free(m);
    free(res);
    pk_channels_close(chans);
    if (fflush(stdout) != 0)
        return 1;
    return ok == count ? 0 : 1;
}

/* `remind`: test-send here, the other subcommands in cmd_remind.c. */
int cli_remind_any(const cli_cmd *c, cli_args *a)
{
    if (cli_sub_is(a, "test-send"))
        return cli_remind_test_send(c, a);
    return cli_remind(c, a);
}

/* `consent link --nik NIK --purpose P`: the one-click stop address. */
static int consent_link(cli_args *a)
{
    char nikbuf[64];
    const char *nik = cli_nik_opt(a, nikbuf, sizeof nikbuf), *purpose = cli_opt(a, "purpose");
    if (a->npos != 0 || nik == NULL || purpose == NULL) {
        fprintf(stderr, "prakerja consent link: --nik and --purpose are required\n");
        return 2;
    }
    pk_purpose p = pk_purpose_by_name(purpose);
    if (p == PK_PURPOSE__COUNT) {
        fprintf(stderr, "prakerja consent link: --purpose is program or informasi\n");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char url[PK_UNSUB_URL_MAX], err[200] = "";
    int64_t id = 0;
    int rc = pk_unsub_url_for_nik(&app, nik, p, url, sizeof url, &id, err, sizeof err);
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja consent link: %s\n", err[0] ? err : "failed");
        return rc == PK_EINVAL ? 2 : 1;
    }
    printf("{\"participant\":%lld,\"purpose\":\"%s\",\"url\":", (long long)id,
           pk_purpose_name(p));
    json_str(stdout, url);
    fputs("}\n", stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* `consent`: link here, stop and start in cmd_remind.c. */
int cli_consent_any(const cli_cmd *c, cli_args *a)
{
    if (cli_sub_is(a, "link"))
        return consent_link(a);
    return cli_consent(c, a);
}
