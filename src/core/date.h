/* date.h -- proleptic Gregorian calendar dates, no time zones.
 *
 * The program reasons in whole days in Jakarta (WIB, UTC+7, no DST), so a
 * date is three ints and arithmetic goes through a day number. */
#ifndef PK_DATE_H
#define PK_DATE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef struct pk_date {
    int y, m, d; /* 1..12, 1..31; y in 1..9999 */
} pk_date;

bool pk_date_valid(pk_date d);
bool pk_leap_year(int y);
int pk_days_in_month(int y, int m);

/* Parses exactly "YYYY-MM-DD" (len bytes, no NUL needed) into a valid date.
 * Returns 0 or PK_EINVAL. */
int pk_date_parse(const char *s, size_t len, pk_date *out);
/* Writes "YYYY-MM-DD" and a NUL into out (at least 11 bytes). */
void pk_date_format(pk_date d, char out[11]);
/* Writes "27 November 2026" (Indonesian month names); out >= 32 bytes. */
void pk_date_format_long(pk_date d, char out[32]);
/* Writes "12 Mar 2021" (the abbreviations of pk_timestamp_format_wib). */
void pk_date_format_short(pk_date d, char out[32]);

/* Days since 1970-01-01 (negative before), and back. */
long pk_date_to_days(pk_date d);
pk_date pk_date_from_days(long days);
pk_date pk_date_add_days(pk_date d, long n);
/* Adds calendar months, clamping the day to the target month's length
 * (31 Jan + 1 month = 28/29 Feb). */
pk_date pk_date_add_months(pk_date d, int n);
/* 0 = Sunday .. 6 = Saturday */
int pk_date_weekday(pk_date d);
/* Adds n working days (Monday-Friday; public holidays are not known). */
pk_date pk_date_add_workdays(pk_date d, int n);
/* <0, 0, >0 like strcmp */
int pk_date_cmp(pk_date a, pk_date b);
/* Completed years of age on `on`.  Someone born on 29 February turns a
 * year older on 1 March in common years. */
int pk_age_on(pk_date birth, pk_date on);
/* Today's date in Jakarta (UTC+7) for the given instant. */
pk_date pk_date_wib(time_t t);

/* Timestamps as the store writes them: "2026-12-04T13:58:05.458Z" (UTC;
 * the fraction, of any number of digits, and the Z may be left out).
 * Parses s into seconds since 1970-01-01 UTC; 0 or PK_EINVAL. */
int pk_timestamp_parse(const char *s, int64_t *out);
/* Writes the instant as staff read it, in Jakarta time (WIB, UTC+7)
 * with Indonesian month abbreviations: "4 Des 2026 20.58 WIB".
 * out >= 32 bytes. */
void pk_timestamp_format_wib(int64_t secs, char out[32]);
/* Both: the stored form in, the WIB form out; a value that does not
 * parse is copied as it is (at most 31 bytes). */
void pk_timestamp_wib(const char *stored, char out[32]);

/* An instant as the exchange files and the command line write it: ISO
 * 8601 with an offset, "2021-03-05T10:00:00+07:00" ("Z" for UTC; the
 * seconds may be left out, a fraction is allowed).  Parses exactly s
 * (NUL-terminated) into seconds since 1970-01-01 UTC; 0 or PK_EINVAL (no
 * offset, out of range, trailing bytes).  pk_instant_parse_us gives the
 * fraction too, in whole microseconds (digits past the sixth dropped): an
 * event file's rows are ordered by it within a second (pk_event_seq);
 * pk_instant_parse drops it. */
int pk_instant_parse(const char *s, int64_t *out);
int pk_instant_parse_us(const char *s, int64_t *out, int32_t *us);
/* Writes the instant in WIB as "2021-03-05T10:00:00+07:00" (out >= 32). */
void pk_instant_format(int64_t secs, char out[32]);
/* The WIB calendar day of an instant; the instant a day begins at
 * (00:00:00 WIB) and the one it ends at (23:59:59 WIB). */
pk_date pk_instant_day_wib(int64_t secs);
int64_t pk_day_start_wib(pk_date d);
int64_t pk_day_end_wib(pk_date d);

#endif
