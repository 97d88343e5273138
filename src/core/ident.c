/* ident.c -- KK number, mobile phone, e-mail, trimming and UTF-8 checks
 * (ident.h).  Everything here works on (pointer, length) so that fields
 * straight out of a CSV record or an HTTP form need no copying. */
#include "core/ident.h"

#include <stdbool.h>
#include <string.h>

#include "core/pk.h"

#define KK_LEN 16
#define EMAIL_MAX 254
#define PHONE_MIN_SUBSCRIBER 9
#define PHONE_MAX_SUBSCRIBER 12

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int pk_kk_check(const char *s, size_t len, char out[17])
{
    out[0] = '\0';
    if (!s || len != KK_LEN)
        return PK_EINVAL;
    bool nonzero = false;
    for (size_t i = 0; i < KK_LEN; i++) {
        if (!is_digit(s[i]))
            return PK_EINVAL;
        nonzero |= s[i] != '0';
    }
    /* All zeros is what a blank form field filled with a mask looks like. */
    if (!nonzero)
        return PK_EINVAL;
    memcpy(out, s, KK_LEN);
    out[KK_LEN] = '\0';
    return 0;
}

int pk_phone_normalize(const char *s, size_t len, char out[16])
{
    char tmp[24];
    size_t n = 0;
    out[0] = '\0';
    if (!s)
        return PK_EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ' || s[i] == '-')
            continue;
        if (n == sizeof(tmp))
            return PK_EINVAL;
        tmp[n++] = s[i];
    }
    /* Find where the subscriber number (the part after country code 62)
     * starts. */
    size_t start;
    if (n >= 4 && memcmp(tmp, "+628", 4) == 0)
        start = 3;
    else if (n >= 3 && memcmp(tmp, "628", 3) == 0)
        start = 2;
    else if (n >= 2 && memcmp(tmp, "08", 2) == 0)
        start = 1;
    else
        return PK_EINVAL;
    size_t digits = n - start;
    if (digits < PHONE_MIN_SUBSCRIBER || digits > PHONE_MAX_SUBSCRIBER)
        return PK_EINVAL;
    for (size_t i = start; i < n; i++)
        if (!is_digit(tmp[i]))
            return PK_EINVAL;
    memcpy(out, "+62", 3);
    memcpy(out + 3, tmp + start, digits);
    out[3 + digits] = '\0';
    return 0;
}

/* Bytes that never belong in an address we accept: they would need the
 * quoted local-part syntax, which no registrant needs and which makes
 * addresses unsafe to put into headers, CSV or HTML. */
static bool email_bad_byte(unsigned char c)
{
    if (c <= 0x20 || c == 0x7f)
        return true;
    return strchr("<>\"(),;:[]\\", c) != NULL;
}

int pk_email_check(const char *s, size_t len)
{
    if (!s || len == 0 || len > EMAIL_MAX)
        return PK_EINVAL;
    const char *at = NULL;
    for (size_t i = 0; i < len; i++) {
        if (email_bad_byte((unsigned char)s[i]))
            return PK_EINVAL;
        if (s[i] == '@') {
            if (at)
                return PK_EINVAL;
            at = s + i;
        }
    }
    if (!at || at == s)
        return PK_EINVAL;
    if (pk_utf8_chars(s, len) < 0)
        return PK_EINVAL;
    const char *dom = at + 1;
    size_t dlen = len - (size_t)(dom - s);
    if (dlen < 3 || dom[0] == '.' || dom[dlen - 1] == '.')
        return PK_EINVAL;
    bool dot = false;
    for (size_t i = 0; i < dlen; i++) {
        if (dom[i] == '.') {
            if (dom[i + 1] == '.')
                return PK_EINVAL; /* empty label; i + 1 < dlen since the last byte is not '.' */
            dot = true;
        }
    }
    return dot ? 0 : PK_EINVAL;
}

/* Length of the space at s (ASCII whitespace, or a UTF-8 encoded no-break
 * space: U+00A0, U+2007, U+202F, U+FEFF), 0 when there is none. */
static size_t space_at(const unsigned char *s, size_t n)
{
    if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
        return 1;
    if (n >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
        return 2;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0x87 || s[2] == 0xAF))
        return 3;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 3;
    return 0;
}

/* Same, for a space that ends at s + n. */
static size_t space_before(const unsigned char *s, size_t n)
{
    if (n >= 1 && space_at(s + n - 1, 1) == 1)
        return 1;
    if (n >= 2 && space_at(s + n - 2, 2) == 2)
        return 2;
    if (n >= 3 && space_at(s + n - 3, 3) == 3)
        return 3;
    return 0;
}

const char *pk_trim(const char *s, size_t *len)
{
    if (!s) {
        *len = 0;
        return s;
    }
    const unsigned char *p = (const unsigned char *)s;
    size_t n = *len, k;
    while ((k = space_at(p, n)) > 0) {
        p += k;
        n -= k;
    }
    while ((k = space_before(p, n)) > 0)
        n -= k;
    *len = n;
    return (const char *)p;
}

size_t pk_utf8_seq(const char *s, size_t len, uint32_t *cp_out)
{
    const unsigned char *p = (const unsigned char *)s;
    if (len == 0)
        return 0;
    unsigned char c = p[0];
    uint32_t cp;
    size_t n;
    if (c < 0x80) {
        n = 1;
        cp = c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, or > U+10FFFF */
    }
    if (len < n)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    if (cp_out != NULL)
        *cp_out = cp;
    return n;
}

static long utf8_chars(const char *s, size_t len, bool lines)
{
    long count = 0;
    size_t i = 0;
    if (!s)
        return len ? -1 : 0;
    while (i < len) {
        uint32_t cp;
        size_t n = pk_utf8_seq(s + i, len - i, &cp);
        if (n == 0)
            return -1;
        /* control characters (C0 but tab, DEL, C1) are refused too */
        if ((cp < 0x20 && cp != '\t' && !(lines && (cp == '\n' || cp == '\r'))) ||
            (cp >= 0x7f && cp <= 0x9F))
            return -1;
        i += n;
        count++;
    }
    return count;
}

long pk_utf8_chars(const char *s, size_t len)
{
    return utf8_chars(s, len, false);
}

long pk_utf8_lines_chars(const char *s, size_t len)
{
    return utf8_chars(s, len, true);
}

/* Characters that are not seen but change what is seen (ident.h). */
static bool invisible(uint32_t cp)
{
    static const struct {
        uint32_t lo, hi;
    } r[] = {
        {0x00AD, 0x00AD},   {0x034F, 0x034F},   {0x0600, 0x0605},   {0x061C, 0x061C},
        {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x115F, 0x1160},   {0x17B4, 0x17B5},
        {0x180B, 0x180F},   {0x200B, 0x200F},   {0x2028, 0x202E},   {0x2060, 0x206F},
        {0x3164, 0x3164},   {0xFEFF, 0xFEFF},   {0xFFA0, 0xFFA0},   {0xFFF9, 0xFFFB},
        {0x1D173, 0x1D17A}, {0xE0000, 0xE007F}, {0xE0100, 0xE01EF},
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if (cp >= r[i].lo && cp <= r[i].hi)
            return true;
    return false;
}

bool pk_text_has_invisible(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = pk_utf8_seq(s + i, len - i, &cp);
        if (n == 0) {
            i++; /* not UTF-8: the caller's check refuses it */
            continue;
        }
        if (invisible(cp))
            return true;
        i += n;
    }
    return false;
}

bool pk_digits16(const char *s, char out[17])
{
    size_t n = 0;
    for (; *s != '\0'; s++) {
        if (*s >= '0' && *s <= '9') {
            if (n == 16)
                return false;
            out[n++] = *s;
        } else if (*s != ' ' && *s != '-' && *s != '.') {
            return false;
        }
    }
    out[n] = '\0';
    return n == 16;
}

bool pk_text_formula_start(const char *s, size_t len)
{
    return len > 0 && strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
}

/* What an apostrophe before it would guard: a formula's start, or an
 * apostrophe of its own. */
static bool guardable(const char *s, size_t len)
{
    return pk_text_formula_start(s, len) || (len > 0 && s[0] == '\'');
}

bool pk_text_sheet_guard(const char *s, size_t len)
{
    /* a lone "-", the usual placeholder of an unknown address, is text to
     * every spreadsheet: written as it is (an older export's "'-" is
     * still read back as "-") */
    if (len == 1 && s[0] == '-')
        return false;
    return guardable(s, len);
}

const char *pk_text_sheet_unguard(const char *s, size_t *len)
{
    if (*len > 1 && s[0] == '\'' && guardable(s + 1, *len - 1)) {
        --*len;
        return s + 1;
    }
    return s;
}
