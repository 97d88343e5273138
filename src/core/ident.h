/* ident.h -- the small identity fields: KK number, mobile phone, e-mail. */
#ifndef PK_IDENT_H
#define PK_IDENT_H

#include <stddef.h>

/* A KK (family card) number is 16 digits.  Copies it into out (17 bytes)
 * and returns 0, or PK_EINVAL. */
int pk_kk_check(const char *s, size_t len, char out[17]);

/* Normalises an Indonesian mobile number ("08...", "628...", "+628...",
 * spaces and '-' allowed) to E.164 "+628...", 9-12 digits after "+62".
 * out >= 16 bytes.  Returns 0 or PK_EINVAL. */
int pk_phone_normalize(const char *s, size_t len, char out[16]);

/* An e-mail address of one '@', a non-empty local part and a dotted
 * domain, at most 254 bytes, no spaces or control characters. */
int pk_email_check(const char *s, size_t len);

/* Trims ASCII and Unicode no-break spaces from both ends: returns the
 * start, sets *len to the trimmed length. */
const char *pk_trim(const char *s, size_t *len);
/* Number of UTF-8 code points, or -1 when s is not valid UTF-8 (or holds a
 * control character other than tab). */
long pk_utf8_chars(const char *s, size_t len);

#endif
