/* test_csv.c -- unit tests of the streaming CSV reader (core/csv.c).
 *
 * Every table case is parsed four ways (memory reader, and stream readers
 * handing out 1, 7 and 64 Ki bytes a call) so that every buffer boundary
 * falls inside every construct; all four must give the same transcript. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/pk.h"

/* ---- readers ---- */

typedef struct chunk_src {
    const char *data;
    size_t len, pos, chunk;
    size_t fail_at;   /* return -1 once pos reaches this (0: never) */
} chunk_src;

static ssize_t chunk_read(void *ctx, char *buf, size_t cap)
{
    chunk_src *s = ctx;
    if (s->fail_at && s->pos >= s->fail_at)
        return -1;
    size_t n = s->len - s->pos;
    if (n > s->chunk)
        n = s->chunk;
    if (n > cap)
        n = cap;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

/* ---- transcripts ---- */

static void tr_add(char *out, size_t cap, const char *s)
{
    size_t l = strlen(out);
    snprintf(out + l, cap - l, "%s", s);
}

static void tr_field(char *out, size_t cap, const char *f, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)f[i];
        char tmp[8];
        if (b == '\n')
            snprintf(tmp, sizeof tmp, "\\n");
        else if (b == '\r')
            snprintf(tmp, sizeof tmp, "\\r");
        else if (b == '|' || b == '\\')
            snprintf(tmp, sizeof tmp, "\\%c", b);
        else if (b < 0x20 || b >= 0x7f)
            snprintf(tmp, sizeof tmp, "\\x%02X", b);
        else
            snprintf(tmp, sizeof tmp, "%c", b);
        tr_add(out, cap, tmp);
    }
}

/* Runs the reader to the end, writing "line-end#n[f1|f2]" for records and
 * "line-end!EINVAL" for errors, space separated. */
static void transcript(pk_csv *c, size_t input_len, char *out, size_t cap)
{
    pk_csv_record rec;
    out[0] = '\0';
    int r, guard = 0;
    while ((r = pk_csv_next(c, &rec)) != 0) {
        assert_true(++guard < 10000);
        char head[64];
        if (out[0])
            tr_add(out, cap, " ");
        assert_true(rec.line <= rec.end_line);
        if (r == 1) {
            snprintf(head, sizeof head, "%lu-%lu#%zu[", rec.line, rec.end_line, rec.nfields);
            tr_add(out, cap, head);
            assert_true(rec.nfields >= 1);
            for (size_t i = 0; i < rec.nfields; i++) {
                assert_int_equal(rec.field[i][rec.len[i]], '\0');
                if (i)
                    tr_add(out, cap, "|");
                tr_field(out, cap, rec.field[i], rec.len[i]);
            }
            tr_add(out, cap, "]");
        } else {
            const char *e = r == PK_EINVAL ? "EINVAL" : r == PK_ETOOBIG ? "ETOOBIG"
                          : r == PK_EIO ? "EIO" : "E?";
            snprintf(head, sizeof head, "%lu-%lu!%s", rec.line, rec.end_line, e);
            tr_add(out, cap, head);
            if (r == PK_EIO)
                break;
        }
    }
    if (r == 0)
        assert_int_equal(pk_csv_offset(c), input_len);
}

typedef struct csv_case {
    const char *label;
    const char *input;
    size_t len;          /* 0: strlen(input) */
    size_t max_record;   /* 0: 1024 */
    const char *expect;
} csv_case;

static const csv_case cases[] = {
    {"simple", "a,b,c\nd,e,f\n", 0, 0, "1-1#3[a|b|c] 2-2#3[d|e|f]"},
    {"empty input", "", 0, 0, ""},
    {"only newlines", "\n\r\n\n", 0, 0, ""},
    {"bom", "\xEF\xBB\xBFnik,nama\n1,x\n", 0, 0, "1-1#2[nik|nama] 2-2#2[1|x]"},
    {"bom only", "\xEF\xBB\xBF", 0, 0, ""},
    {"bom then newline", "\xEF\xBB\xBF\na\n", 0, 0, "2-2#1[a]"},
    {"partial bom is data", "\xEF\xBB", 0, 0, "1-1#1[\\xEF\\xBB]"},
    {"bom later is data", "a\n\xEF\xBB\xBF" "b\n", 0, 0, "1-1#1[a] 2-2#1[\\xEF\\xBB\\xBFb]"},
    {"crlf", "a,b\r\nc,d\r\n", 0, 0, "1-1#2[a|b] 2-2#2[c|d]"},
    {"mixed line ends", "a\r\nb\nc\r\n", 0, 0, "1-1#1[a] 2-2#1[b] 3-3#1[c]"},
    {"quoted comma and quotes", "\"a,b\",\"say \"\"hi\"\"\"\n", 0, 0,
     "1-1#2[a,b|say \"hi\"]"},
    {"quoted newline", "\"line1\nline2\",x\ny\n", 0, 0,
     "1-2#2[line1\\nline2|x] 3-3#1[y]"},
    {"quoted crlf kept", "\"a\r\nb\"\r\nc\r\n", 0, 0, "1-2#1[a\\r\\nb] 3-3#1[c]"},
    {"quoted only quotes", "\"\"\"\"\n", 0, 0, "1-1#1[\"]"},
    {"empty fields", ",,\n,\n", 0, 0, "1-1#3[||] 2-2#2[|]"},
    {"trailing comma", "a,\n", 0, 0, "1-1#2[a|]"},
    {"trailing comma at eof", "a,", 0, 0, "1-1#2[a|]"},
    {"last line without newline", "a,b\nc,d", 0, 0, "1-1#2[a|b] 2-2#2[c|d]"},
    {"quoted last line without newline", "a\n\"c\"", 0, 0, "1-1#1[a] 2-2#1[c]"},
    {"blank lines skipped", "\n\na\n\r\n\nb\n", 0, 0, "3-3#1[a] 6-6#1[b]"},
    {"quoted empty is a record", "\"\"\n\"\"", 0, 0, "1-1#1[] 2-2#1[]"},
    {"spaces are not blank", "  \n", 0, 0, "1-1#1[  ]"},
    {"lone cr is data", "a\rb,c\n", 0, 0, "1-1#2[a\\rb|c]"},
    {"cr at eof is data", "a\r", 0, 0, "1-1#1[a\\r]"},
    {"cr cr lf", "a\r\r\nb\n", 0, 0, "1-1#1[a\\r] 2-2#1[b]"},
    {"quoted then crlf at eof", "\"a\"\r\n", 0, 0, "1-1#1[a]"},
    {"nul byte kept", "a\0b,c\n", 6, 0, "1-1#2[a\\x00b|c]"},
    {"utf8 kept", "Siti Nurhaliza,Cilandak\xC2\xA0Timur\n", 0, 0,
     "1-1#2[Siti Nurhaliza|Cilandak\\xC2\\xA0Timur]"},
    /* malformed */
    {"stray quote", "ab\"c,d\nx\n", 0, 0, "1-1!EINVAL 2-2#1[x]"},
    {"stray quote, crlf", "x\r\nab\"c,d\r\ny\r\n", 0, 0, "1-1#1[x] 2-2!EINVAL 3-3#1[y]"},
    {"stray quote skips quotes after it", "a\"\"b,\"x\ny\n", 0, 0, "1-1!EINVAL 2-2#1[y]"},
    {"text after closing quote", "\"ab\"c,d\nx\n", 0, 0, "1-1!EINVAL 2-2#1[x]"},
    {"space after closing quote", "\"ab\" ,d\nx\n", 0, 0, "1-1!EINVAL 2-2#1[x]"},
    {"cr after closing quote", "\"a\"\rb\nx\n", 0, 0, "1-1!EINVAL 2-2#1[x]"},
    {"cr after closing quote at eof", "\"a\"\r", 0, 0, "1-1!EINVAL"},
    {"eof inside quotes", "x\n\"abc\ndef", 0, 0, "1-1#1[x] 2-3!EINVAL"},
    {"eof inside quotes after newline", "\"abc\n", 0, 0, "1-1!EINVAL"},
    {"eof inside quotes, several lines", "a\n\"b\n\n\nc", 0, 0, "1-1#1[a] 2-5!EINVAL"},
    {"error in second line of a record", "\"a\nb\"x,y\nz\n", 0, 0, "1-2!EINVAL 3-3#1[z]"},
    {"error at eof without newline", "a\nb\"c", 0, 0, "1-1#1[a] 2-2!EINVAL"},
    {"several errors then good", "\"a\"b\nc\"d\n\"e\"\"\"f\nok\n", 0, 0,
     "1-1!EINVAL 2-2!EINVAL 3-3!EINVAL 4-4#1[ok]"},
    /* size cap */
    {"record at the cap", "abcd,efgh\n", 0, 8, "1-1#2[abcd|efgh]"},
    {"record over the cap", "abcdefghi,j\nok\n", 0, 8, "1-1!ETOOBIG 2-2#1[ok]"},
    {"quoted counts unquoted bytes", "\"a\"\"b\",cdef\n", 0, 7, "1-1#2[a\"b|cdef]"},
    {"too big multi-line quoted", "\"aaaaa\nbbb\",c\nd\n", 0, 4, "1-2!ETOOBIG 3-3#1[d]"},
    {"too big then syntax error", "aaaaaaaa\"b\nc\n", 0, 4, "1-1!ETOOBIG 2-2#1[c]"},
    {"too big at eof", "abcdef", 0, 4, "1-1!ETOOBIG"},
};

static void run_case(const csv_case *tc, size_t reader, char *out, size_t cap)
{
    size_t len = tc->len ? tc->len : strlen(tc->input);
    size_t maxrec = tc->max_record ? tc->max_record : 1024;
    chunk_src src = {tc->input, len, 0, 0, 0};
    pk_csv *c;
    if (reader == 0) {
        c = pk_csv_new_mem(tc->input, len, maxrec);
    } else {
        static const size_t chunks[] = {0, 1, 7, 65536};
        src.chunk = chunks[reader];
        c = pk_csv_new(chunk_read, &src, maxrec);
    }
    assert_non_null(c);
    transcript(c, len, out, cap);
    pk_csv_free(c);
}

static void test_table(void **state)
{
    (void)state;
    char out[4096], first[4096];
    for (size_t i = 0; i < PK_ARRAY_LEN(cases); i++) {
        for (size_t reader = 0; reader < 4; reader++) {
            run_case(&cases[i], reader, out, sizeof out);
            if (strcmp(out, cases[i].expect) != 0)
                fail_msg("case '%s' reader %zu:\n got  '%s'\n want '%s'", cases[i].label,
                         reader, out, cases[i].expect);
            if (reader == 0)
                snprintf(first, sizeof first, "%s", out);
            else
                assert_string_equal(out, first);
        }
    }
}

static void test_zero_cap(void **state)
{
    (void)state;
    /* max_record 0 allows only empty fields. */
    char out[256];
    pk_csv *c = pk_csv_new_mem("a\n\"\"\n,\n", 7, 0);
    assert_non_null(c);
    transcript(c, 7, out, sizeof out);
    assert_string_equal(out, "1-1!ETOOBIG 2-2#1[] 3-3#2[|]");
    pk_csv_free(c);
}

/* Builds a record of n fields "f0,f1,..." */
static char *many_fields(size_t n, const char *tail)
{
    size_t cap = n * 8 + strlen(tail) + 8;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t l = 0;
    for (size_t i = 0; i < n; i++)
        l += (size_t)snprintf(s + l, cap - l, "%s%zu", i ? "," : "", i);
    snprintf(s + l, cap - l, "\n%s", tail);
    return s;
}

static void test_field_limit(void **state)
{
    (void)state;
    static const struct {
        size_t n;
        int want;
    } t[] = {{PK_CSV_MAX_FIELDS - 1, 1}, {PK_CSV_MAX_FIELDS, 1},
             {PK_CSV_MAX_FIELDS + 1, PK_EINVAL}, {PK_CSV_MAX_FIELDS * 3, PK_EINVAL}};
    for (size_t i = 0; i < PK_ARRAY_LEN(t); i++) {
        char *s = many_fields(t[i].n, "x,y\n");
        pk_csv *c = pk_csv_new_mem(s, strlen(s), 1 << 16);
        pk_csv_record rec;
        assert_int_equal(pk_csv_next(c, &rec), t[i].want);
        assert_int_equal(rec.line, 1);
        assert_int_equal(rec.end_line, 1);
        if (t[i].want == 1) {
            assert_int_equal(rec.nfields, t[i].n);
            char last[16];
            snprintf(last, sizeof last, "%zu", t[i].n - 1);
            assert_string_equal(rec.field[t[i].n - 1], last);
        }
        /* recovery */
        assert_int_equal(pk_csv_next(c, &rec), 1);
        assert_int_equal(rec.line, 2);
        assert_int_equal(rec.nfields, 2);
        assert_string_equal(rec.field[1], "y");
        assert_int_equal(pk_csv_next(c, &rec), 0);
        pk_csv_free(c);
        free(s);
    }
}

static void test_read_error(void **state)
{
    (void)state;
    const char *in = "a,b\nc,d\ne,f\n";
    chunk_src src = {in, strlen(in), 0, 3, 6};
    pk_csv *c = pk_csv_new(chunk_read, &src, 64);
    pk_csv_record rec;
    assert_int_equal(pk_csv_next(c, &rec), 1);
    assert_string_equal(rec.field[1], "b");
    assert_int_equal(pk_csv_next(c, &rec), PK_EIO);
    assert_int_equal(pk_csv_next(c, &rec), PK_EIO);
    pk_csv_free(c);

    /* failing before the first byte (during the BOM check) */
    chunk_src src2 = {in, strlen(in), 0, 1, 1};
    c = pk_csv_new(chunk_read, &src2, 64);
    assert_int_equal(pk_csv_next(c, &rec), PK_EIO);
    pk_csv_free(c);
}

static void test_strings_valid_until_next(void **state)
{
    (void)state;
    /* Fields are copies: the input may change once the reader has passed. */
    char in[] = "\"x\"\"y\",z\n";
    pk_csv *c = pk_csv_new_mem(in, strlen(in), 64);
    pk_csv_record rec;
    assert_int_equal(pk_csv_next(c, &rec), 1);
    memset(in, '#', strlen(in));
    assert_string_equal(rec.field[0], "x\"y");
    assert_string_equal(rec.field[1], "z");
    assert_int_equal(pk_csv_offset(c), strlen(in));
    pk_csv_free(c);
}

/* ---- a large generated input, never held in memory ---- */

typedef struct gen_src {
    unsigned long lines, next;
    char pending[256];
    size_t plen, ppos;
    unsigned long long bytes;
} gen_src;

static size_t gen_line(unsigned long i, char *out, size_t cap)
{
    /* quoted comma, doubled quote and an embedded newline every 10th line */
    if (i % 10 == 3)
        return (size_t)snprintf(out, cap,
                                "3174%012lu,\"Nama, ke-%lu\",\"alamat \"\"%lu\"\"\nbaris 2\"\r\n",
                                i, i, i);
    return (size_t)snprintf(out, cap, "3174%012lu,Nama ke-%lu,Jl. Nomor %lu\n", i, i, i);
}

static ssize_t gen_read(void *ctx, char *buf, size_t cap)
{
    gen_src *g = ctx;
    size_t n = 0;
    while (n < cap) {
        if (g->ppos == g->plen) {
            if (g->next == g->lines)
                break;
            g->plen = gen_line(g->next++, g->pending, sizeof g->pending);
            g->ppos = 0;
        }
        size_t k = g->plen - g->ppos;
        if (k > cap - n)
            k = cap - n;
        memcpy(buf + n, g->pending + g->ppos, k);
        g->ppos += k;
        n += k;
    }
    g->bytes += n;
    return (ssize_t)n;
}

static void test_large_constant_memory(void **state)
{
    (void)state;
    gen_src g = {.lines = 200000};
    struct mallinfo2 before = mallinfo2();
    pk_csv *c = pk_csv_new(gen_read, &g, 4096);
    assert_non_null(c);
    struct mallinfo2 after_new = mallinfo2();
    pk_csv_record rec;
    const char *buf0 = NULL;
    unsigned long i = 0, line = 1;
    int r;
    char want[256];
    while ((r = pk_csv_next(c, &rec)) == 1) {
        assert_int_equal(rec.nfields, 3);
        assert_int_equal(rec.line, line);
        /* The record buffer is never reallocated: constant memory. */
        if (!buf0)
            buf0 = rec.field[0];
        assert_ptr_equal(rec.field[0], buf0);
        snprintf(want, sizeof want, "3174%012lu", i);
        assert_string_equal(rec.field[0], want);
        if (i % 10 == 3) {
            snprintf(want, sizeof want, "alamat \"%lu\"\nbaris 2", i);
            assert_string_equal(rec.field[2], want);
            assert_int_equal(rec.end_line, line + 1);
            line += 2;
        } else {
            assert_int_equal(rec.end_line, line);
            line++;
        }
        i++;
    }
    assert_int_equal(r, 0);
    assert_int_equal(i, g.lines);
    assert_true(g.bytes > 8u * 1024 * 1024);
    assert_int_equal(pk_csv_offset(c), g.bytes);
    struct mallinfo2 after = mallinfo2();
    /* Sanitizer allocators may report zeros; only check when meaningful. */
    if (before.uordblks && after_new.uordblks)
        assert_true(after.uordblks <= after_new.uordblks + 64 * 1024);
    pk_csv_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_zero_cap),
        cmocka_unit_test(test_field_limit),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_strings_valid_until_next),
        cmocka_unit_test(test_large_constant_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
