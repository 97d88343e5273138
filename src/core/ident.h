/* ident.h -- the small identity fields: KK number, mobile phone, e-mail. */
#ifndef PK_IDENT_H
#define PK_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A KK (family card) number is 16 digits.  Copies it into out (17 bytes)
 * and returns 0, or PK_EINVAL. */
int pk_kk_check(const char *s, size_t len, char out[17]);

/* Normalises an Indonesian mobile number ("08...", "628...", "+628...",
 * spaces and '-' allowed) to E.164 "+628...", 9-12 digits after "+62".
 * out >= 16 bytes.  Returns 0 or PK_EINVAL. */
int pk_phone_normalize(const char *s, size_t len, char out[16]);
/* A 16-digit number as people copy it from a card (a NIK, a KK, a card
 * number): its digits grouped by spaces, dashes or dots into out, with a
 * NUL; false (out unspecified) when s is anything else. */
bool pk_digits16(const char *s, char out[17]);

/* An e-mail address of one '@', a non-empty local part and a dotted
 * domain, at most 254 bytes, no spaces or control characters. */
int pk_email_check(const char *s, size_t len);

/* Trims ASCII and Unicode no-break spaces from both ends: returns the
 * start, sets *len to the trimmed length. */
const char *pk_trim(const char *s, size_t *len);
/* The length (1-4) of the one well-formed UTF-8 sequence s starts with
 * (no overlong form, no surrogate, nothing past U+10FFFF), its code point
 * in *cp (when not NULL); 0 when s starts none (or len is 0). */
size_t pk_utf8_seq(const char *s, size_t len, uint32_t *cp);
/* Number of UTF-8 code points, or -1 when s is not valid UTF-8 (or holds a
 * control character other than tab).  pk_utf8_lines_chars: the same for
 * free text that may run over lines (line feeds and carriage returns
 * allowed too). */
long pk_utf8_chars(const char *s, size_t len);
long pk_utf8_lines_chars(const char *s, size_t len);
/* Whether valid UTF-8 text holds a character that is not seen but
 * changes what is seen: a bidirectional control (U+061C, U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069), which can make a name display as
 * another; a zero-width, blank or invisible format one (U+200B-U+200D,
 * U+2060-U+206F, U+FEFF, the soft hyphen, the Hangul fillers, U+034F, U+180B-U+180F,
 * U+17B4-U+17B5, U+1D173-U+1D17A), which makes two names that look the
 * same differ; the tag characters (U+E0000-U+E007F), which can carry
 * hidden text; the variation selectors of the supplement
 * (U+E0100-U+E01EF; not U+FE0F, which emoji use); format characters
 * (U+0600-U+0605, U+06DD, U+070F, U+FFF9-U+FFFB); or the line and
 * paragraph separators (U+2028, U+2029), which break a line where none
 * is allowed (an outside re-test sent each). */
bool pk_text_has_invisible(const char *s, size_t len);
/* Whether text begins with a character a spreadsheet takes for the start
 * of a formula: = + - @, a tab or a carriage return. */
bool pk_text_formula_start(const char *s, size_t len);
/* The exchange files' guard against formulas (README "Exchange files"):
 * a free-text field (name, address) that begins with a formula character or an
 * apostrophe is written with one apostrophe before it, which spreadsheets
 * take as "text"; reading, one leading apostrophe is removed when what
 * follows begins with a formula character or an apostrophe.  So every
 * value comes back as it was written, and no cell of an export runs (a
 * lone "-", text to every spreadsheet, is written bare).
 * pk_text_sheet_guard: whether s needs the apostrophe.
 * pk_text_sheet_unguard: s without its guard (*len adjusted). */
bool pk_text_sheet_guard(const char *s, size_t len);
const char *pk_text_sheet_unguard(const char *s, size_t *len);

#endif
