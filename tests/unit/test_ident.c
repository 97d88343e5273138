/* test_ident.c -- KK numbers, mobile numbers, e-mail, trimming, UTF-8. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/ident.h"
#include "core/pk.h"

typedef struct {
    const char *label;
    const char *in;
    size_t len; /* 0: strlen(in) */
    int rc;
    const char *out; /* expected output when rc == 0 */
} str_case;

static size_t case_len(const str_case *c)
{
    return c->len ? c->len : strlen(c->in);
}

static const str_case kk_cases[] = {
    {"ok", "3174010101090012", 0, 0, "3174010101090012"},
    {"ok ones", "1111111111111111", 0, 0, "1111111111111111"},
    {"all zeros", "0000000000000000", 0, PK_EINVAL, NULL},
    {"15 digits", "317401010109001", 0, PK_EINVAL, NULL},
    {"17 digits", "31740101010900123", 0, PK_EINVAL, NULL},
    {"letter", "317401010109001X", 0, PK_EINVAL, NULL},
    {"space", "3174 01010109001", 0, PK_EINVAL, NULL},
    {"dash", "3174-01010109001", 0, PK_EINVAL, NULL},
    {"empty", "", 0, PK_EINVAL, NULL},
    {"embedded NUL", "3174010101\0" "09001", 16, PK_EINVAL, NULL},
    {"len cuts a longer string", "3174010101090012999", 16, 0, "3174010101090012"},
};

static void test_kk(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(kk_cases); i++) {
        const str_case *c = &kk_cases[i];
        char out[17];
        memset(out, 'x', sizeof(out));
        int rc = pk_kk_check(c->in, case_len(c), out);
        if (rc != c->rc)
            fail_msg("case '%s': rc %d, want %d", c->label, rc, c->rc);
        if (rc == 0 && strcmp(out, c->out) != 0)
            fail_msg("case '%s': out '%.17s', want '%s'", c->label, out, c->out);
    }
}

static const str_case phone_cases[] = {
    {"08 local", "081234567890", 0, 0, "+6281234567890"},
    {"628", "6281234567890", 0, 0, "+6281234567890"},
    {"+628", "+6281234567890", 0, 0, "+6281234567890"},
    {"spaces", "0812 3456 7890", 0, 0, "+6281234567890"},
    {"dashes", "0812-3456-7890", 0, 0, "+6281234567890"},
    {"spaces after plus", "+62 812-3456-7890", 0, 0, "+6281234567890"},
    {"leading and trailing spaces", " 081234567890 ", 0, 0, "+6281234567890"},
    {"10 digits", "08123456789", 0, 0, "+628123456789"},
    {"9 digits exactly", "0812345678", 0, 0, "+62812345678"},
    {"8 digits too short", "081234567", 0, PK_EINVAL, NULL},
    {"12 digits longest", "0812345678901", 0, 0, "+62812345678901"},
    {"13 digits too long", "08123456789012", 0, PK_EINVAL, NULL},
    {"628 12 digits", "62812345678901", 0, 0, "+62812345678901"},
    {"628 too long", "628123456789012", 0, PK_EINVAL, NULL},
    {"landline 021", "0215551234", 0, PK_EINVAL, NULL},
    {"landline 6221", "62215551234", 0, PK_EINVAL, NULL},
    {"no prefix", "81234567890", 0, PK_EINVAL, NULL},
    {"other country", "+6591234567", 0, PK_EINVAL, NULL},
    {"double plus", "++6281234567890", 0, PK_EINVAL, NULL},
    {"plus inside", "0812+34567890", 0, PK_EINVAL, NULL},
    {"plus 08", "+081234567890", 0, PK_EINVAL, NULL},
    {"00 62", "006281234567890", 0, PK_EINVAL, NULL},
    {"letter", "08123456789O", 0, PK_EINVAL, NULL},
    {"dot", "0812.3456.7890", 0, PK_EINVAL, NULL},
    {"parentheses", "(0812)34567890", 0, PK_EINVAL, NULL},
    {"empty", "", 0, PK_EINVAL, NULL},
    {"only spaces", "   ", 0, PK_EINVAL, NULL},
    {"only prefix", "+628", 0, PK_EINVAL, NULL},
    {"very long spaces", "0812                                      34567890", 0, 0,
     "+6281234567890"},
    {"very long digits", "08123456789012345678901234567890", 0, PK_EINVAL, NULL},
};

static void test_phone(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(phone_cases); i++) {
        const str_case *c = &phone_cases[i];
        char out[16];
        memset(out, 'x', sizeof(out));
        int rc = pk_phone_normalize(c->in, case_len(c), out);
        if (rc != c->rc)
            fail_msg("case '%s': rc %d, want %d", c->label, rc, c->rc);
        if (rc == 0 && strcmp(out, c->out) != 0)
            fail_msg("case '%s': out '%.16s', want '%s'", c->label, out, c->out);
        /* Normal form is a fixed point. */
        if (rc == 0) {
            char again[16];
            if (pk_phone_normalize(out, strlen(out), again) != 0 || strcmp(again, out) != 0)
                fail_msg("case '%s': normal form does not normalise to itself", c->label);
        }
    }
}

static const str_case email_cases[] = {
    {"simple", "budi@example.com", 0, 0, NULL},
    {"subdomain", "siti.rahma@mail.go.id", 0, 0, NULL},
    {"plus tag", "budi+prakerja@example.co.id", 0, 0, NULL},
    {"digits and dash", "a-1@x-y.id", 0, 0, NULL},
    {"utf-8 local part", "b\xc3\xbc" "di@example.com", 0, 0, NULL},
    {"no at", "budi.example.com", 0, PK_EINVAL, NULL},
    {"two ats", "budi@ex@ample.com", 0, PK_EINVAL, NULL},
    {"empty local", "@example.com", 0, PK_EINVAL, NULL},
    {"empty domain", "budi@", 0, PK_EINVAL, NULL},
    {"undotted domain", "budi@localhost", 0, PK_EINVAL, NULL},
    {"leading dot domain", "budi@.example.com", 0, PK_EINVAL, NULL},
    {"trailing dot domain", "budi@example.com.", 0, PK_EINVAL, NULL},
    {"empty label", "budi@example..com", 0, PK_EINVAL, NULL},
    {"space", "budi @example.com", 0, PK_EINVAL, NULL},
    {"tab", "budi\t@example.com", 0, PK_EINVAL, NULL},
    {"newline", "budi@example.com\n", 0, PK_EINVAL, NULL},
    {"DEL", "budi\x7f@example.com", 0, PK_EINVAL, NULL},
    {"angle brackets", "<budi@example.com>", 0, PK_EINVAL, NULL},
    {"display name", "Budi <budi@example.com>", 0, PK_EINVAL, NULL},
    {"comma list", "a@b.com,c@d.com", 0, PK_EINVAL, NULL},
    {"quote", "\"budi\"@example.com", 0, PK_EINVAL, NULL},
    {"invalid utf-8", "b\xff" "di@example.com", 0, PK_EINVAL, NULL},
    {"empty", "", 0, PK_EINVAL, NULL},
    {"embedded NUL", "budi\0@example.com", 17, PK_EINVAL, NULL},
};

static void test_email(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(email_cases); i++) {
        const str_case *c = &email_cases[i];
        int rc = pk_email_check(c->in, case_len(c));
        if (rc != c->rc)
            fail_msg("case '%s': rc %d, want %d", c->label, rc, c->rc);
    }
    /* The length limit: 254 bytes pass, 255 do not. */
    char addr[300];
    memset(addr, 'a', sizeof(addr));
    memcpy(addr + 254 - 6, "@x.com", 6);
    assert_int_equal(pk_email_check(addr, 254), 0);
    memset(addr, 'a', sizeof(addr));
    memcpy(addr + 255 - 6, "@x.com", 6);
    assert_int_equal(pk_email_check(addr, 255), PK_EINVAL);
}

typedef struct {
    const char *label;
    const char *in;
    size_t off, len; /* of the trimmed result within in */
} trim_case;

static const trim_case trim_cases[] = {
    {"nothing to trim", "Budi", 0, 4},
    {"spaces", "  Budi  ", 2, 4},
    {"tabs and newlines", "\t\r\nBudi\r\n", 3, 4},
    {"inner space kept", " Budi Santoso ", 1, 12},
    {"nbsp both ends", "\xc2\xa0" "Budi" "\xc2\xa0", 2, 4},
    {"nbsp and space mixed", " \xc2\xa0 Budi \xc2\xa0", 4, 4},
    {"narrow nbsp", "\xe2\x80\xaf" "Budi", 3, 4},
    {"figure space", "Budi" "\xe2\x80\x87", 0, 4},
    {"bom", "\xef\xbb\xbf" "Budi", 3, 4},
    {"inner nbsp kept", "Budi\xc2\xa0Santoso", 0, 13},
    {"all space", " \t\xc2\xa0 ", 5, 0},
    {"empty", "", 0, 0},
    {"lone 0xA0 is not a space", "Budi\xa0", 0, 5},
    {"lone 0xC2 is not a space", "\xc2" "Budi", 0, 5},
    {"letter with 0xA0 continuation", "\xc3\xa0", 0, 2},
    {"vertical tab and form feed", "\v\fBudi", 2, 4},
};

static void test_trim(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(trim_cases); i++) {
        const trim_case *c = &trim_cases[i];
        size_t len = strlen(c->in);
        const char *p = pk_trim(c->in, &len);
        if (p != c->in + c->off || len != c->len)
            fail_msg("case '%s': offset %td len %zu, want %zu %zu", c->label, p - c->in, len,
                     c->off, c->len);
    }
}

typedef struct {
    const char *label;
    const char *in;
    size_t len; /* 0: strlen(in) */
    long chars;
} utf8_case;

static const utf8_case utf8_cases[] = {
    {"ascii", "Budi", 0, 4},
    {"empty", "", 0, 0},
    {"tab allowed", "a\tb", 0, 3},
    {"two-byte", "Jos\xc3\xa9", 0, 4},
    {"three-byte", "\xe2\x82\xac" "5", 0, 2},
    {"four-byte", "\xf0\x9f\x98\x80", 0, 1},
    {"max code point", "\xf4\x8f\xbf\xbf", 0, 1},
    {"above max", "\xf4\x90\x80\x80", 0, -1},
    {"F5 lead", "\xf5\x80\x80\x80", 0, -1},
    {"overlong slash C0", "\xc0\xaf", 0, -1},
    {"overlong C1", "\xc1\xbf", 0, -1},
    {"overlong 3-byte", "\xe0\x80\xaf", 0, -1},
    {"overlong 3-byte max", "\xe0\x9f\xbf", 0, -1},
    {"smallest 3-byte", "\xe0\xa0\x80", 0, 1},
    {"overlong 4-byte", "\xf0\x8f\xbf\xbf", 0, -1},
    {"smallest 4-byte", "\xf0\x90\x80\x80", 0, 1},
    {"surrogate low", "\xed\xa0\x80", 0, -1},
    {"surrogate high", "\xed\xbf\xbf", 0, -1},
    {"just below surrogates", "\xed\x9f\xbf", 0, 1},
    {"lone continuation", "\x80", 0, -1},
    {"truncated 2-byte", "a\xc3", 0, -1},
    {"truncated 4-byte", "\xf0\x9f\x98", 0, -1},
    {"bad continuation", "\xc3\x28", 0, -1},
    {"FE", "\xfe", 0, -1},
    {"FF", "\xff", 0, -1},
    {"newline", "a\nb", 0, -1},
    {"carriage return", "a\rb", 0, -1},
    {"NUL", "a\0b", 3, -1},
    {"escape", "a\x1b" "b", 0, -1},
    {"DEL", "a\x7f", 0, -1},
    {"C1 control U+0085", "a\xc2\x85", 0, -1},
    {"nbsp is fine", "a\xc2\xa0" "b", 0, 3},
    {"indonesian name", "Siti Nur\xe2\x80\x99" "aini", 0, 13},
};

static void test_utf8(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(utf8_cases); i++) {
        const utf8_case *c = &utf8_cases[i];
        size_t len = c->len ? c->len : strlen(c->in);
        long n = pk_utf8_chars(c->in, len);
        if (n != c->chars)
            fail_msg("case '%s': %ld, want %ld", c->label, n, c->chars);
    }
}

/* One sequence at a time (what HTML escaping uses to put U+FFFD for a
 * bad byte): its length and code point, 0 for none. */
static void test_utf8_seq(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t len, want;
        uint32_t cp;
    } cases[] = {
        {"a", 1, 1, 'a'},
        {"\n", 1, 1, '\n'},          /* controls are well-formed */
        {"\0", 1, 1, 0},
        {"\xc3\xa9", 2, 2, 0xe9},
        {"\xe2\x80\x99x", 4, 3, 0x2019},
        {"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
        {"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
        {"\xf4\x90\x80\x80", 4, 0, 0}, /* past U+10FFFF */
        {"\xc0\xaf", 2, 0, 0},         /* overlong */
        {"\xe0\x80\xaf", 3, 0, 0},     /* overlong */
        {"\xed\xa0\x80", 3, 0, 0},     /* surrogate */
        {"\xc3\x28", 2, 0, 0},
        {"\xc3", 1, 0, 0},              /* truncated */
        {"\x80", 1, 0, 0},
        {"\xff", 1, 0, 0},
        {"", 0, 0, 0},
    };
    for (size_t i = 0; i < PK_ARRAY_LEN(cases); i++) {
        uint32_t cp = 0xffffffff;
        size_t n = pk_utf8_seq(cases[i].in, cases[i].len, &cp);
        if (n != cases[i].want || (n > 0 && cp != cases[i].cp))
            fail_msg("case %zu: length %zu cp %x, want %zu cp %x", i, n, (unsigned)cp,
                     cases[i].want, (unsigned)cases[i].cp);
    }
}

/* The apostrophe guard of the exchange files: written before a field a
 * spreadsheet would run (or one that begins with an apostrophe), taken
 * off on reading, so every value comes back as it was. */
static void test_digits16(void **state)
{
    (void)state;
    char out[17];
    assert_true(pk_digits16("3174011708950001", out));
    assert_string_equal(out, "3174011708950001");
    assert_true(pk_digits16("3174 0117 0895 0001", out));
    assert_string_equal(out, "3174011708950001");
    assert_true(pk_digits16("3174-0117.0895 0001", out));
    assert_string_equal(out, "3174011708950001");
    assert_false(pk_digits16("3174 0117 0895 000", out));   /* 15 digits */
    assert_false(pk_digits16("31740117089500011", out));   /* 17 */
    assert_false(pk_digits16("3174 0117 0895 000O", out)); /* a letter O */
    assert_false(pk_digits16("", out));
}

static void test_sheet_guard(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        bool guarded;
    } cases[] = {
        {"=HYPERLINK(\"http://x\")", true}, {"+62812", true}, {"-1+1", true},
        {"@SUM(A1)", true}, {"\tx", true}, {"\rx", true}, {"'", true}, {"'=x", true},
        {"''", true}, {"'Jl. Melati", true}, {"Jl. Melati 1", false}, {"", false},
        {"a=b", false}, {" =x", false}, {"1+1", false}, {"-", false}, {"--", true},
        {"- (ikut KTP)", true}, {"'-", true},
    };
    for (size_t i = 0; i < PK_ARRAY_LEN(cases); i++) {
        const char *v = cases[i].value;
        size_t n = strlen(v);
        assert_int_equal(pk_text_sheet_guard(v, n), cases[i].guarded);
        /* what is written, read back */
        char written[64];
        snprintf(written, sizeof(written), "%s%s", cases[i].guarded ? "'" : "", v);
        size_t len = strlen(written);
        const char *back = pk_text_sheet_unguard(written, &len);
        if (len != n || memcmp(back, v, n) != 0)
            fail_msg("case %zu: %s came back as %.*s", i, v, (int)len, back);
    }
    /* an older export's guarded placeholder is read back as the placeholder */
    size_t dash = 2;
    const char *d = pk_text_sheet_unguard("'-", &dash);
    assert_int_equal(dash, 1);
    assert_int_equal(d[0], '-');
    /* a file's own leading apostrophe before ordinary text stays */
    size_t len = strlen("'Jl. Melati");
    assert_string_equal(pk_text_sheet_unguard("'Jl. Melati", &len), "'Jl. Melati");
    assert_int_equal(len, strlen("'Jl. Melati"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kk),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_trim),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_utf8_seq),
        cmocka_unit_test(test_digits16),
        cmocka_unit_test(test_sheet_guard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
