/* channel_email.c -- the `email` channel: SMTP through libcurl
 * (reminders.md "Channels").
 *
 * Settings: smtp_url (smtp://host:587, or smtps://host:465 for TLS from
 * the start), smtp_starttls (on, the default: an smtp:// server must offer
 * STARTTLS; off: plain, for a relay on the same host), smtp_user and
 * smtp_password (AUTH when set; secrets, never printed), smtp_from
 * ("addr@domain" or "Name <addr@domain>").
 *
 * Each message is one UTF-8 text/plain mail, quoted-printable:
 *   Message-ID: <prakerja.ID@DOMAIN>   (ID the outbox's; also the provider id)
 *   Subject: RFC 2047 encoded-words (=?UTF-8?B?...?=) when not ASCII
 *   List-Unsubscribe: <URL> and List-Unsubscribe-Post:
 *   List-Unsubscribe=One-Click (RFC 8058) when pk_msg.unsubscribe is set.
 * One curl handle serves the channel's whole life, so a batch goes down
 * one SMTP connection (libcurl keeps it open between transfers).
 *
 * Outcomes: a 5xx refusal of the recipient (RCPT) or of the message
 * (after DATA) -> PERMANENT; 4xx -> TEMPORARY; a refused connection, a
 * timeout, TLS trouble -> TEMPORARY for the rest of the batch; a refused
 * login or sender (AUTH, MAIL FROM), or no STARTTLS -> TEMPORARY for the
 * rest of the batch with an error naming the settings (never burns
 * anyone's fallback).  Errors carry codes, never the address. */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/channel.h"
#include "core/buf.h"
#include "core/pk.h"

typedef struct email {
    pk_chan c;
    CURL *curl;
    char url[1024];
    char from_header[600];   /* as given */
    char from_addr[512];     /* the envelope's: inside <> or the whole */
    char domain[96];         /* for Message-ID */
    char errbuf[CURL_ERROR_SIZE];
} email;

typedef struct reader {
    const char *data;
    size_t len, off;
} reader;

static size_t on_read(char *p, size_t size, size_t nmemb, void *ud)
{
    reader *r = ud;
    size_t n = size * nmemb, left = r->len - r->off;
    if (n > left)
        n = left;
    memcpy(p, r->data + r->off, n);
    r->off += n;
    return n;
}

static bool is_ascii_plain(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0x80 || *p < 0x20)
            return false;
    return strstr(s, "=?") == NULL;
}

/* A header value without CR/LF: a line break becomes a space. */
static void add_oneline(pk_buf *b, const char *s)
{
    for (; *s; s++)
        pk_buf_addc(b, (*s == '\r' || *s == '\n') ? ' ' : *s);
}

/* Subject: as is when plain ASCII, else encoded-words of at most 45 bytes
 * of UTF-8 each (60 base64 characters, the word within 75), never
 * splitting a character, folded one word a line. */
static void add_subject(pk_buf *b, const char *subject)
{
    pk_buf_adds(b, "Subject: ");
    if (is_ascii_plain(subject)) {
        pk_buf_adds(b, subject);
        pk_buf_adds(b, "\r\n");
        return;
    }
    size_t len = strlen(subject), off = 0;
    bool first = true;
    while (off < len) {
        size_t n = len - off > 45 ? 45 : len - off;
        while (n > 0 && off + n < len && ((unsigned char)subject[off + n] & 0xC0) == 0x80)
            n--; /* back to the start of a character */
        if (n == 0)
            n = len - off < 45 ? len - off : 45;
        unsigned char raw[45];
        memcpy(raw, subject + off, n);
        for (size_t i = 0; i < n; i++)
            if (raw[i] == '\r' || raw[i] == '\n')
                raw[i] = ' ';
        char b64[64];
        sodium_bin2base64(b64, sizeof b64, raw, n, sodium_base64_VARIANT_ORIGINAL);
        pk_buf_printf(b, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", b64);
        first = false;
        off += n;
    }
    pk_buf_adds(b, "\r\n");
}

/* The body, quoted-printable (RFC 2045 6.7), lines ending CRLF. */
static void add_qp(pk_buf *b, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        unsigned char c = *p;
        if (c == '\r' && p[1] == '\n')
            continue;
        if (c == '\n' || c == '\r') {
            pk_buf_adds(b, "\r\n");
            col = 0;
            continue;
        }
        bool end_of_line = p[1] == '\0' || p[1] == '\n' || p[1] == '\r';
        bool lit = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !end_of_line);
        /* a "." alone at a line's start is left to libcurl's dot-stuffing */
        size_t w = lit ? 1 : 3;
        if (col + w > 75) {
            pk_buf_adds(b, "=\r\n");
            col = 0;
        }
        if (lit) {
            pk_buf_addc(b, (char)c);
        } else {
            char e[3] = {'=', hex[c >> 4], hex[c & 15]};
            pk_buf_add(b, e, 3);
        }
        col += w;
    }
    pk_buf_adds(b, "\r\n");
}

/* An address that may go into a header and the envelope as is. */
static bool plain_address(const char *a)
{
    const char *at = a ? strchr(a, '@') : NULL;
    return at != NULL && at != a && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
           strlen(a) < 320 && strpbrk(a, " \t\r\n<>()[],;:\"\\") == NULL;
}

static int message_of(email *e, const pk_msg *m, pk_buf *b)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    pk_buf_printf(b, "Date: %s\r\n", date);
    pk_buf_printf(b, "From: %s\r\n", e->from_header);
    pk_buf_printf(b, "To: <%s>\r\n", m->to);
    add_subject(b, m->subject && m->subject[0] ? m->subject : "Kartu Prakerja");
    pk_buf_printf(b, "Message-ID: <prakerja.%lld@%s>\r\n", (long long)m->id, e->domain);
    pk_buf_adds(b, "MIME-Version: 1.0\r\n"
                   "Content-Type: text/plain; charset=UTF-8\r\n"
                   "Content-Transfer-Encoding: quoted-printable\r\n");
    if (m->unsubscribe != NULL && m->unsubscribe[0] != '\0') {
        pk_buf_adds(b, "List-Unsubscribe: <");
        add_oneline(b, m->unsubscribe);
        pk_buf_adds(b, ">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    }
    pk_buf_adds(b, "\r\n");
    add_qp(b, m->text ? m->text : "");
    return pk_buf_failed(b);
}

typedef enum { K_OK, K_TEMP, K_PERM, K_STOP } klass;

static klass classify(email *e, CURLcode rc, long code, pk_send_result *res)
{
    if (rc == CURLE_OK)
        return K_OK;
    if (rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED ||
        strncmp(e->errbuf, "MAIL failed", 11) == 0) {
        snprintf(res->error, sizeof res->error,
                 "email: SMTP %ld (%s): check the smtp_* settings", code,
                 rc == CURLE_LOGIN_DENIED    ? "login refused"
                 : rc == CURLE_USE_SSL_FAILED ? "no STARTTLS"
                                              : "sender refused");
        return K_STOP;
    }
    if (code >= 500 && code < 600 &&
        (strncmp(e->errbuf, "RCPT failed", 11) == 0 || rc == CURLE_WEIRD_SERVER_REPLY ||
         rc == CURLE_SEND_ERROR)) {
        snprintf(res->error, sizeof res->error, "email: SMTP %ld (refused)", code);
        return K_PERM;
    }
    if (code >= 400 && code < 500) {
        snprintf(res->error, sizeof res->error, "email: SMTP %ld (try later)", code);
        return K_TEMP;
    }
    switch (rc) {
    case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST: case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION:
        snprintf(res->error, sizeof res->error, "email: %s", curl_easy_strerror(rc));
        return K_STOP;
    default:
        snprintf(res->error, sizeof res->error, "email: SMTP %ld (%s)", code,
                 curl_easy_strerror(rc));
        return K_TEMP;
    }
}

static int email_send(pk_chan *c, const pk_msg *m, size_t n, pk_send_result *res)
{
    email *e = c->impl;
    pk_buf b;
    pk_buf_init(&b, (size_t)1 << 20);
    bool stopped = false;
    char why[160] = "";
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        memset(&res[i], 0, sizeof res[i]);
        if (stopped) {
            res[i].outcome = PK_SEND_TEMPORARY;
            snprintf(res[i].error, sizeof res[i].error, "%s", why);
            continue;
        }
        if (!plain_address(m[i].to)) {
            res[i].outcome = PK_SEND_PERMANENT;
            snprintf(res[i].error, sizeof res[i].error, "email: not an address");
            continue;
        }
        pk_buf_reset(&b);
        if (message_of(e, &m[i], &b) != 0) {
            res[i].outcome = PK_SEND_TEMPORARY;
            snprintf(res[i].error, sizeof res[i].error, "email: message too large");
            continue;
        }
        struct curl_slist *rcpt = curl_slist_append(NULL, m[i].to);
        if (rcpt == NULL) {
            res[i].outcome = PK_SEND_TEMPORARY;
            snprintf(res[i].error, sizeof res[i].error, "email: out of memory");
            continue;
        }
        reader rd = {.data = b.data, .len = b.len};
        e->errbuf[0] = '\0';
        curl_easy_setopt(e->curl, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(e->curl, CURLOPT_READDATA, &rd);
        curl_easy_setopt(e->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)b.len);
        CURLcode rc = curl_easy_perform(e->curl);
        long code = 0;
        curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &code);
        curl_easy_setopt(e->curl, CURLOPT_MAIL_RCPT, NULL);
        curl_slist_free_all(rcpt);
        klass k = classify(e, rc, code, &res[i]);
        switch (k) {
        case K_OK:
            res[i].outcome = PK_SEND_OK;
            snprintf(res[i].provider_id, sizeof res[i].provider_id, "<prakerja.%lld@%s>",
                     (long long)m[i].id, e->domain);
            ok++;
            break;
        case K_PERM:
            res[i].outcome = PK_SEND_PERMANENT;
            break;
        case K_STOP:
            stopped = true;
            snprintf(why, sizeof why, "%s", res[i].error);
            /* fall through */
        case K_TEMP:
            res[i].outcome = PK_SEND_TEMPORARY;
            break;
        }
    }
    pk_buf_wipe_free(&b);
    if (stopped && ok == 0) { /* the whole batch */
        for (size_t i = 0; i < n; i++) {
            res[i].outcome = PK_SEND_TEMPORARY;
            snprintf(res[i].error, sizeof res[i].error, "%s", why);
        }
        return PK_EIO;
    }
    return 0;
}

static void email_close(pk_chan *c)
{
    email *e = c->impl;
    if (e->curl != NULL)
        curl_easy_cleanup(e->curl);
    free(e);
}

int pk_chan_email_open(const pk_config *cfg, pk_chan **out, char *err, size_t errlen)
{
    *out = NULL;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    email *e = calloc(1, sizeof *e);
    if (e == NULL || (e->curl = curl_easy_init()) == NULL) {
        free(e);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    bool smtps = strncmp(cfg->smtp_url, "smtps://", 8) == 0;
    if (!smtps && strncmp(cfg->smtp_url, "smtp://", 7) != 0) {
        snprintf(err, errlen, "smtp_url: an smtp:// or smtps:// address");
        email_close(&e->c);
        return PK_EINVAL;
    }
    snprintf(e->url, sizeof e->url, "%s", cfg->smtp_url);
    /* smtp_from: "addr" or "Name <addr>" */
    const char *from = cfg->smtp_from, *lt = strchr(from, '<'), *gt = strrchr(from, '>');
    if (lt != NULL && gt != NULL && gt > lt && (size_t)(gt - lt - 1) < sizeof e->from_addr) {
        memcpy(e->from_addr, lt + 1, (size_t)(gt - lt - 1));
        e->from_addr[gt - lt - 1] = '\0';
    } else {
        snprintf(e->from_addr, sizeof e->from_addr, "%s", from);
    }
    if (!plain_address(e->from_addr) || strpbrk(from, "\r\n") != NULL) {
        snprintf(err, errlen, "smtp_from: an address, or \"Name <address>\"");
        email_close(&e->c);
        return PK_EINVAL;
    }
    if (lt != NULL)
        snprintf(e->from_header, sizeof e->from_header, "%s", from);
    else
        snprintf(e->from_header, sizeof e->from_header, "<%s>", e->from_addr);
    const char *dom = strchr(e->from_addr, '@') + 1;
    if (strlen(dom) >= sizeof e->domain) {
        snprintf(err, errlen, "smtp_from: its domain is too long");
        email_close(&e->c);
        return PK_EINVAL;
    }
    memcpy(e->domain, dom, strlen(dom) + 1);
    CURL *h = e->curl;
    curl_easy_setopt(h, CURLOPT_URL, e->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, e->from_addr);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, e->errbuf);
    long t = (cfg->channel_timeout > 0 ? cfg->channel_timeout : 10) * 1000L;
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, t);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, t);
    if (!smtps)
        curl_easy_setopt(h, CURLOPT_USE_SSL,
                         cfg->smtp_starttls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
    if (cfg->smtp_user[0] != '\0') {
        curl_easy_setopt(h, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->smtp_password);
    }
    e->c = (pk_chan){.kind = PK_CH_EMAIL, .dedup = false, .rate = cfg->email_rate,
                     .send = email_send, .seen = NULL, .close = email_close, .impl = e};
    *out = &e->c;
    return 0;
}
