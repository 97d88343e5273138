/* remind_rules.c -- the reminders' words and rules (remind.h): the names
 * of conditions, purposes, channels and statuses; the text of a message
 * (GSM-7 length, templates filled in); and data/reminders.ini read.  The
 * rules file is strict like schemes.ini: it decides what millions of
 * people are told, so a typo stops the program at start-up instead of
 * silently sending a default.  What the rules decide is remind.c's. */
#include "core/remind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/draw.h"
#include "core/pk.h"

/* ---- names ---- */

/* The index of name in names[0..n), or n when it is not there. */
static int name_index(const char *const *names, int n, const char *name)
{
    int i = 0;
    while (i < n && !(name && strcmp(name, names[i]) == 0))
        i++;
    return i;
}

static const char *const cond_names[PK_RC__COUNT] = {
    "beli_pelatihan", "insentif_gagal", "saldo_belum_terpakai", "beri_ulasan",
    "tautkan_rekening", "isi_survei", "gabung_gelombang",
};
static const char *const purpose_names[PK_PURPOSE__COUNT] = {"program", "informasi"};
static const char *const channel_names[PK_CH__COUNT] = {"whatsapp", "sms", "email", "berkas"};
static const char *const status_names[PK_FS__COUNT] = {
    "kirim", "ditunda", "dibatalkan", "terlewat", "berhenti_langganan", "kontrol",
};

static const char *const cond_titles[PK_RC__COUNT] = {
    "Beli pelatihan pertama", "Insentif gagal dibayar", "Saldo pelatihan belum terpakai",
    "Beri ulasan pelatihan", "Tautkan rekening pembayaran", "Isi survei kebekerjaan",
    "Gabung gelombang",
};

const char *pk_remind_cond_title(pk_remind_cond c)
{
    return (unsigned)c < PK_RC__COUNT ? cond_titles[c] : NULL;
}

const char *pk_remind_cond_name(pk_remind_cond c)
{
    return (unsigned)c < PK_RC__COUNT ? cond_names[c] : NULL;
}

pk_remind_cond pk_remind_cond_by_name(const char *name)
{
    return (pk_remind_cond)name_index(cond_names, PK_RC__COUNT, name);
}

bool pk_remind_cond_expires(pk_remind_cond c)
{
    return c == PK_RC_BELI_PELATIHAN || c == PK_RC_SALDO_BELUM_TERPAKAI ||
           c == PK_RC_ISI_SURVEI || c == PK_RC_GABUNG_GELOMBANG;
}

const char *pk_purpose_name(pk_purpose p)
{
    return (unsigned)p < PK_PURPOSE__COUNT ? purpose_names[p] : NULL;
}

pk_purpose pk_purpose_by_name(const char *name)
{
    return (pk_purpose)name_index(purpose_names, PK_PURPOSE__COUNT, name);
}

const char *pk_channel_name(pk_channel c)
{
    return (unsigned)c < PK_CH__COUNT ? channel_names[c] : NULL;
}

pk_channel pk_channel_by_name(const char *name)
{
    return (pk_channel)name_index(channel_names, PK_CH__COUNT, name);
}

const char *pk_fire_status_name(pk_fire_status s)
{
    return (unsigned)s < PK_FS__COUNT ? status_names[s] : NULL;
}

bool pk_fire_status_final(pk_fire_status s)
{
    return s != PK_FS_DITUNDA;
}

/* ---- text ---- */

int pk_gsm7_length(const char *utf8)
{
    /* GSM 03.38's basic table beyond ASCII, and its extension table. */
    static const char *const basic[] = {
        "£", "¥", "è", "é", "ù", "ì", "ò", "Ç", "Ø", "ø", "Å", "å", "Δ", "Φ", "Γ", "Λ",
        "Ω", "Π", "Ψ", "Σ", "Θ", "Ξ", "Æ", "æ", "ß", "É", "¤", "¡", "Ä", "Ö", "Ñ", "Ü",
        "§", "¿", "ä", "ö", "ñ", "ü", "à",
    };
    int n = 0;
    for (const unsigned char *s = (const unsigned char *)utf8; *s;) {
        unsigned char c = *s;
        if (c < 0x80) {
            if (c == '\n' || c == '\r')
                n += 1;
            else if (c < 0x20 || c == 0x7f || c == '`')
                return -1;
            else if (strchr("^{}\\[~]|", c))
                n += 2;
            else
                n += 1;
            s++;
            continue;
        }
        if (strncmp((const char *)s, "€", strlen("€")) == 0) {
            n += 2;
            s += strlen("€");
            continue;
        }
        bool found = false;
        for (size_t i = 0; i < sizeof basic / sizeof basic[0] && !found; i++) {
            size_t len = strlen(basic[i]);
            if (strncmp((const char *)s, basic[i], len) == 0) {
                n += 1;
                s += len;
                found = true;
            }
        }
        if (!found)
            return -1;
    }
    return n;
}

static const char *const var_names[] = {"batas", "saldo", "gelombang", "ke", "pelatihan",
                                        "portal"};
#define NVARS (sizeof var_names / sizeof var_names[0])

static const char *var_value(const pk_remind_vars *v, size_t i)
{
    const char *x[NVARS] = {v->batas, v->saldo, v->gelombang, v->ke, v->pelatihan, v->portal};
    return x[i] ? x[i] : "";
}

size_t pk_remind_params(const char *tmpl, const pk_remind_vars *v, const char **out, size_t cap)
{
    size_t n = 0;
    for (const char *s = strchr(tmpl, '{'); s != NULL; s = strchr(s + 1, '{')) {
        const char *close = strchr(s, '}');
        if (close == NULL)
            break;
        for (size_t i = 0; i < NVARS; i++)
            if (strlen(var_names[i]) == (size_t)(close - s - 1) &&
                strncmp(s + 1, var_names[i], (size_t)(close - s - 1)) == 0) {
                if (n < cap)
                    out[n] = var_value(v, i);
                n++;
                break;
            }
    }
    return n;
}

int pk_remind_render(const char *tmpl, const pk_remind_vars *v, char *out, size_t outlen)
{
    size_t n = 0;
    if (outlen == 0)
        return PK_ETOOBIG;
    for (const char *s = tmpl; *s;) {
        const char *add = s;
        size_t len = 1;
        if (*s == '{') {
            const char *close = strchr(s, '}');
            size_t i = NVARS;
            if (close)
                for (i = 0; i < NVARS; i++)
                    if (strlen(var_names[i]) == (size_t)(close - s - 1) &&
                        strncmp(s + 1, var_names[i], (size_t)(close - s - 1)) == 0)
                        break;
            if (i == NVARS) {
                out[0] = '\0';
                return PK_EINVAL;
            }
            add = var_value(v, i);
            len = strlen(add);
            s = close + 1;
        } else {
            s++;
        }
        if (n + len >= outlen) {
            out[0] = '\0';
            return PK_ETOOBIG;
        }
        memcpy(out + n, add, len);
        n += len;
    }
    out[n] = '\0';
    return 0;
}

/* The longest value each placeholder takes in an SMS (an address of the
 * portal up to 30 characters: "https://prakerja.jakarta.go.id"). */
static const pk_remind_vars longest = {
    .batas = "30 Des 2026",
    .saldo = "Rp10.000.000",
    .gelombang = "999",
    .ke = "12",
    .pelatihan = NULL,
    .portal = "https://prakerja.jakarta.go.id",
};

/* ---- the rules file ---- */

enum {
    K_TUJUAN,
    K_KONDISI,
    K_OFFSET,
    K_PRIORITAS,
    K_SMS,
    K_WA_TEMPLATE,
    K_WA,
    K_EMAIL_SUBJEK,
    K_EMAIL,
    K__COUNT
};
static const char *const rule_keys[K__COUNT] = {
    "tujuan", "kondisi", "offset", "prioritas", "sms", "whatsapp_template", "whatsapp",
    "email_subjek", "email",
};
/* Keys a rule must give (kondisi defaults to the rule's id). */
#define REQUIRED_KEYS (((1u << K__COUNT) - 1) & ~(1u << K_KONDISI))

typedef struct parse_ctx {
    pk_ini ini;
    pk_remind_rules *out;
    uint32_t seen[PK_REMIND_RULES_MAX];
    unsigned umum_seen;
    unsigned last_key;   /* of the rule's line before: what an indented line continues */
} parse_ctx;

/* A whole number, optionally negative, within [lo, hi]. */
static bool parse_int(const char *s, long lo, long hi, int *out)
{
    while (*s == ' ')
        s++;
    char *end;
    if (!*s || !(*s == '-' || (*s >= '0' && *s <= '9')))
        return false;
    long v = strtol(s, &end, 10);
    while (*end == ' ')
        end++;
    if (*end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

/* "HH:MM" -> minutes of the day. */
static bool parse_clock(const char *s, int *out)
{
    int h, m;
    char extra;
    if (strlen(s) != 5 || sscanf(s, "%2d:%2d%c", &h, &m, &extra) != 2 || s[2] != ':' ||
        h < 0 || h > 23 || m < 0 || m > 59)
        return false;
    *out = h * 60 + m;
    return true;
}

static bool valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= PK_REMIND_ID_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* Copies a template, turning the two characters "\n" into a newline; its
 * placeholders must be known.  false when too long or unknown. */
static bool copy_template(parse_ctx *p, const char *sect, const char *key, const char *v,
                          char *dst, size_t cap)
{
    size_t n = 0;
    for (const char *s = v; *s; s++) {
        char c = *s;
        if (c == '\\' && s[1] == 'n') {
            c = '\n';
            s++;
        }
        if (n + 1 >= cap) {
            pk_ini_fail(&p->ini, "line %d: [%s] %s longer than %zu bytes", p->ini.line, sect,
                        key, cap - 1);
            return false;
        }
        dst[n++] = c;
    }
    dst[n] = '\0';
    char probe[4 * PK_REMIND_TEXT_MAX];
    pk_remind_vars any = longest;
    any.pelatihan = "X";
    if (pk_remind_render(dst, &any, probe, sizeof probe) == PK_EINVAL) {
        pk_ini_fail(&p->ini,
                    "line %d: [%s] %s has an unknown {placeholder} (known: {batas} {saldo} "
                    "{gelombang} {ke} {pelatihan} {portal})",
                    p->ini.line, sect, key);
        return false;
    }
    return true;
}

static bool parse_offsets(parse_ctx *p, const char *sect, const char *v, pk_remind_rule *r)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    r->noffsets = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        int d;
        if (r->noffsets == PK_REMIND_OFFSETS_MAX || !parse_int(tok, -366, 366, &d)) {
            pk_ini_fail(&p->ini,
                        "line %d: [%s] offset must be up to %d whole numbers of days "
                        "(-366..366) separated by commas",
                        p->ini.line, sect, PK_REMIND_OFFSETS_MAX);
            return false;
        }
        r->offsets[r->noffsets++] = d;
    }
    if (r->noffsets == 0) {
        pk_ini_fail(&p->ini, "line %d: [%s] offset is empty", p->ini.line, sect);
        return false;
    }
    for (size_t i = 1; i < r->noffsets; i++)
        if (r->offsets[i] <= r->offsets[i - 1]) {
            pk_ini_fail(&p->ini, "line %d: [%s] offsets must be distinct and ascending",
                        p->ini.line, sect);
            return false;
        }
    return true;
}

/* A percentage 0..50 with at most 4 decimals ("5", "2.5") -> millionths. */
static bool parse_percent(const char *s, uint32_t *ppm)
{
    uint32_t whole = 0, frac = 0;
    int nw = 0, nf = 0;
    for (; *s >= '0' && *s <= '9' && nw < 3; s++, nw++)
        whole = whole * 10 + (uint32_t)(*s - '0');
    if (nw == 0)
        return false;
    if (*s == '.' || *s == ',') {
        for (s++; *s >= '0' && *s <= '9' && nf < 4; s++, nf++)
            frac = frac * 10 + (uint32_t)(*s - '0');
        if (nf == 0)
            return false;
    }
    for (; nf < 4; nf++)
        frac *= 10;
    if (*s != '\0' || whole > 50 || (whole == 50 && frac > 0))
        return false;
    *ppm = whole * 10000 + frac;
    return true;
}

static int on_umum(parse_ctx *p, const char *name, const char *value)
{
    p->last_key = K__COUNT;
    static const char *const keys[] = {"jam_kirim",      "jam_tenang",       "batas_harian",
                                       "batas_mingguan", "kelompok_kontrol", "benih_kontrol"};
    unsigned k = 0;
    while (k < PK_ARRAY_LEN(keys) && strcmp(name, keys[k]) != 0)
        k++;
    if (k == PK_ARRAY_LEN(keys)) {
        pk_ini_fail(&p->ini,
                    "line %d: [umum] unknown key '%s' (jam_kirim, jam_tenang, batas_harian, "
                    "batas_mingguan, kelompok_kontrol, benih_kontrol)",
                    p->ini.line, name);
        return 0;
    }
    if (p->umum_seen & (1u << k)) {
        pk_ini_fail(&p->ini, "line %d: [umum] %s given twice", p->ini.line, name);
        return 0;
    }
    p->umum_seen |= 1u << k;
    if (k >= 4) {
        pk_remind_settings *s = &p->out->set;
        bool ok = k == 4 ? parse_percent(value, &s->control_ppm)
                         : pk_draw_seed_parse(value, s->control_seed) == 0;
        if (!ok) {
            pk_ini_fail(&p->ini, "line %d: [umum] %s: '%s' is not %s", p->ini.line, name,
                        value, k == 4 ? "a percentage 0..50 (e.g. 5 or 2.5)"
                                      : "64 hexadecimal digits");
            return 0;
        }
        return 1;
    }
    pk_remind_settings *s = &p->out->set;
    bool ok = true;
    if (k == 0) {
        ok = parse_clock(value, &s->delivery_minute);
    } else if (k == 1) {
        char a[8], b[8];
        ok = strlen(value) == 11 && value[5] == '-';
        if (ok) {
            memcpy(a, value, 5);
            a[5] = '\0';
            memcpy(b, value + 6, 5);
            b[5] = '\0';
            ok = parse_clock(a, &s->quiet_start) && parse_clock(b, &s->quiet_end);
        }
    } else {
        ok = parse_int(value, 1, 100, k == 2 ? &s->cap_day : &s->cap_week);
    }
    if (!ok) {
        pk_ini_fail(&p->ini, "line %d: [umum] %s: '%s' is not %s", p->ini.line, name, value,
                    k == 0   ? "a time HH:MM"
                    : k == 1 ? "a span HH:MM-HH:MM"
                             : "a whole number 1..100");
        return 0;
    }
    return 1;
}

static pk_remind_rule *rule_for(parse_ctx *p, const char *sect, size_t *idx)
{
    pk_remind_rules *o = p->out;
    for (size_t i = 0; i < o->count; i++)
        if (strcmp(o->items[i].id, sect) == 0) {
            *idx = i;
            return &o->items[i];
        }
    if (!valid_id(sect)) {
        pk_ini_fail(&p->ini, "line %d: [%s] a rule's id is 1-31 of a-z, 0-9 and _", p->ini.line,
                    sect);
        return NULL;
    }
    if (o->count == PK_REMIND_RULES_MAX) {
        pk_ini_fail(&p->ini, "line %d: more than %d rules", p->ini.line, PK_REMIND_RULES_MAX);
        return NULL;
    }
    *idx = o->count;
    pk_remind_rule *r = &o->items[o->count++];
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", sect);
    r->cond = pk_remind_cond_by_name(sect);
    return r;
}

static char *template_of(pk_remind_rule *r, unsigned k)
{
    return k == K_SMS ? r->sms : k == K_WA ? r->whatsapp : k == K_EMAIL ? r->email
                                                                           : r->email_subject;
}

static size_t template_cap(unsigned k)
{
    return k == K_EMAIL_SUBJEK ? PK_REMIND_SUBJECT_MAX : PK_REMIND_TEXT_MAX;
}

/* An indented line continues a template: joined with one space (a new
 * line is written \n). */
static int append_template(parse_ctx *p, const char *sect, const char *key, const char *v,
                           char *dst, size_t cap)
{
    size_t have = strlen(dst);
    char more[PK_REMIND_TEXT_MAX];
    if (!copy_template(p, sect, key, v, more, sizeof more))
        return 0;
    if (have + 1 + strlen(more) + 1 > cap) {
        pk_ini_fail(&p->ini, "line %d: [%s] %s longer than %zu bytes", p->ini.line, sect, key,
                    cap - 1);
        return 0;
    }
    dst[have] = ' ';
    memcpy(dst + have + 1, more, strlen(more) + 1);
    return 1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *p = user;
    if (p->ini.failed)
        return 1;
    if (section[0] == '\0') {
        pk_ini_fail(&p->ini, "line %d: key '%s' outside of any section", p->ini.line, name);
        return 0;
    }
    if (strcmp(section, "umum") == 0)
        return on_umum(p, name, value);
    size_t idx;
    pk_remind_rule *r = rule_for(p, section, &idx);
    if (!r)
        return 0;
    unsigned k = 0;
    while (k < K__COUNT && strcmp(name, rule_keys[k]) != 0)
        k++;
    if (k == K__COUNT) {
        pk_ini_fail(&p->ini,
                    "line %d: [%s] unknown key '%s' (tujuan, kondisi, offset, prioritas, sms, "
                    "whatsapp_template, whatsapp, email_subjek, email)",
                    p->ini.line, section, name);
        return 0;
    }
    bool text = k == K_SMS || k == K_WA || k == K_EMAIL_SUBJEK || k == K_EMAIL;
    if ((p->seen[idx] & (1u << k)) && text && p->ini.indented && p->last_key == k)
        return append_template(p, section, name, value, template_of(r, k),
                               template_cap(k));
    if (p->seen[idx] & (1u << k)) {
        pk_ini_fail(&p->ini, "line %d: [%s] %s given twice", p->ini.line, section, name);
        return 0;
    }
    p->last_key = k;
    p->seen[idx] |= 1u << k;
    switch (k) {
    case K_TUJUAN:
        r->purpose = pk_purpose_by_name(value);
        if (r->purpose == PK_PURPOSE__COUNT) {
            pk_ini_fail(&p->ini, "line %d: [%s] tujuan must be program or informasi",
                        p->ini.line, section);
            return 0;
        }
        break;
    case K_KONDISI:
        r->cond = pk_remind_cond_by_name(value);
        if (r->cond == PK_RC__COUNT) {
            pk_ini_fail(&p->ini,
                        "line %d: [%s] unknown kondisi '%s' (beli_pelatihan, insentif_gagal, "
                        "saldo_belum_terpakai, beri_ulasan, tautkan_rekening, isi_survei, "
                        "gabung_gelombang)",
                        p->ini.line, section, value);
            return 0;
        }
        break;
    case K_OFFSET:
        if (!parse_offsets(p, section, value, r))
            return 0;
        break;
    case K_PRIORITAS:
        if (!parse_int(value, 1, 99, &r->priority)) {
            pk_ini_fail(&p->ini, "line %d: [%s] prioritas must be a whole number 1..99",
                        p->ini.line, section);
            return 0;
        }
        break;
    case K_SMS:
        if (!copy_template(p, section, name, value, r->sms, sizeof r->sms))
            return 0;
        break;
    case K_WA_TEMPLATE:
        if (!valid_id(value)) {
            pk_ini_fail(&p->ini,
                        "line %d: [%s] whatsapp_template is the approved template's name "
                        "(a-z, 0-9, _)",
                        p->ini.line, section);
            return 0;
        }
        snprintf(r->whatsapp_template, sizeof r->whatsapp_template, "%s", value);
        break;
    case K_WA:
        if (!copy_template(p, section, name, value, r->whatsapp, sizeof r->whatsapp))
            return 0;
        break;
    case K_EMAIL_SUBJEK:
        if (!copy_template(p, section, name, value, r->email_subject, sizeof r->email_subject))
            return 0;
        break;
    case K_EMAIL:
        if (!copy_template(p, section, name, value, r->email, sizeof r->email))
            return 0;
        break;
    }
    return 1;
}

static bool section_known(void *user, const char *name, int line)
{
    parse_ctx *p = user;
    if (strcmp(name, "umum") != 0 && !pk_remind_rule_find(p->out, name))
        pk_ini_fail(&p->ini, "line %d: section [%s] has no keys", line, name);
    return !p->ini.failed;
}

static void check_rules(parse_ctx *p)
{
    pk_remind_rules *o = p->out;
    if (o->count == 0) {
        pk_ini_fail(&p->ini, "no rules");
        return;
    }
    for (size_t i = 0; i < o->count && !p->ini.failed; i++) {
        pk_remind_rule *r = &o->items[i];
        uint32_t missing = REQUIRED_KEYS & ~p->seen[i];
        if (missing) {
            unsigned k = 0;
            while (!(missing & (1u << k)))
                k++;
            pk_ini_fail(&p->ini, "[%s] %s is missing", r->id, rule_keys[k]);
            return;
        }
        if (r->cond == PK_RC__COUNT) {
            pk_ini_fail(&p->ini, "[%s] kondisi is missing (the id is not a condition's name)",
                        r->id);
            return;
        }
        if (strstr(r->sms, "{pelatihan}")) {
            pk_ini_fail(&p->ini, "[%s] sms may not use {pelatihan} (too long for an SMS)",
                        r->id);
            return;
        }
        char text[4 * PK_REMIND_TEXT_MAX];
        int len = pk_remind_render(r->sms, &longest, text, sizeof text) == 0
                      ? pk_gsm7_length(text)
                      : -1;
        if (len < 0 || len > 160) {
            pk_ini_fail(&p->ini,
                        len < 0 ? "[%s] sms has a character outside the GSM-7 alphabet"
                                : "[%s] sms is over 160 GSM-7 characters once filled in",
                        r->id);
            return;
        }
    }
    const pk_remind_settings *s = &o->set;
    if (s->cap_week < s->cap_day)
        pk_ini_fail(&p->ini, "[umum] batas_mingguan (%d) is below batas_harian (%d)",
                    s->cap_week, s->cap_day);
    if (s->control_ppm > 0 && !(p->umum_seen & (1u << 5)))
        pk_ini_fail(&p->ini, "[umum] kelompok_kontrol needs benih_kontrol (64 hexadecimal "
                             "digits, recorded: who is held out follows from it)");
}

int pk_remind_rules_parse(const char *text, pk_remind_rules *out, char *err, size_t errlen)
{
    parse_ctx p;
    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    out->set = (pk_remind_settings){.delivery_minute = 9 * 60,
                                    .quiet_start = 21 * 60,
                                    .quiet_end = 8 * 60,
                                    .cap_day = 1,
                                    .cap_week = 3};
    p.out = out;
    if (pk_ini_parse(&p.ini, text, on_key, &p))
        pk_ini_sections(text, section_known, &p);
    if (!p.ini.failed)
        check_rules(&p);
    if (p.ini.failed) {
        if (err && errlen)
            snprintf(err, errlen, "reminders: %s", p.ini.msg);
        return PK_EINVAL;
    }
    if (err && errlen)
        err[0] = '\0';
    return 0;
}

const pk_remind_rule *pk_remind_rule_find(const pk_remind_rules *r, const char *id)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->items[i].id, id) == 0)
            return &r->items[i];
    return NULL;
}
