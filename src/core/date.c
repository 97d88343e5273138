/* date.c -- proleptic Gregorian dates and day arithmetic (date.h).
 *
 * All arithmetic goes through a day number (days since 1970-01-01) using
 * Howard Hinnant's days_from_civil / civil_from_days, which are exact for
 * every date the type can hold and need no tables or time-zone database. */
#include "core/date.h"

#include <stdio.h>
#include <string.h>

#include "core/pk.h"

bool pk_leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int pk_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && pk_leap_year(y) ? 29 : days[m - 1];
}

bool pk_date_valid(pk_date d)
{
    return d.y >= 1 && d.y <= 9999 && d.m >= 1 && d.m <= 12 && d.d >= 1 &&
           d.d <= pk_days_in_month(d.y, d.m);
}

static int two_digits(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

int pk_date_parse(const char *s, size_t len, pk_date *out)
{
    if (!s || len != 10 || s[4] != '-' || s[7] != '-')
        return PK_EINVAL;
    static const int digit_pos[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    for (size_t i = 0; i < PK_ARRAY_LEN(digit_pos); i++)
        if (s[digit_pos[i]] < '0' || s[digit_pos[i]] > '9')
            return PK_EINVAL;
    pk_date d = {two_digits(s) * 100 + two_digits(s + 2), two_digits(s + 5),
                 two_digits(s + 8)};
    if (!pk_date_valid(d))
        return PK_EINVAL;
    *out = d;
    return 0;
}

void pk_date_format(pk_date d, char out[11])
{
    /* Clamp to the type's range so the output always fits in 11 bytes,
     * even for a caller's invalid date. */
    unsigned y = d.y < 0 ? 0u : d.y > 9999 ? 9999u : (unsigned)d.y;
    unsigned m = d.m < 0 ? 0u : d.m > 99 ? 99u : (unsigned)d.m;
    unsigned dd = d.d < 0 ? 0u : d.d > 99 ? 99u : (unsigned)d.d;
    /* by hand: an import formats a date per row, and snprintf showed up */
    const unsigned v[] = {y / 1000, y / 100 % 10, y / 10 % 10, y % 10, m / 10, m % 10,
                          dd / 10, dd % 10};
    static const int at[] = {0, 1, 2, 3, 5, 6, 8, 9};
    for (int i = 0; i < 8; i++)
        out[at[i]] = (char)('0' + v[i]);
    out[4] = out[7] = '-';
    out[10] = '\0';
}

void pk_date_format_long(pk_date d, char out[32])
{
    static const char *const months[12] = {
        "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
        "Agustus", "September", "Oktober", "November", "Desember"};
    const char *mn = d.m >= 1 && d.m <= 12 ? months[d.m - 1] : "?";
    snprintf(out, 32, "%d %s %d", d.d, mn, d.y);
}

long pk_date_to_days(pk_date d)
{
    long y = d.y - (d.m <= 2);
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;                                   /* [0, 399] */
    long mp = (d.m + 9) % 12;                                   /* March = 0 */
    long doy = (153 * mp + 2) / 5 + d.d - 1;                    /* [0, 365] */
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

pk_date pk_date_from_days(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    pk_date r = {(int)(y + (m <= 2)), (int)m, (int)d};
    return r;
}

pk_date pk_date_add_days(pk_date d, long n)
{
    return pk_date_from_days(pk_date_to_days(d) + n);
}

pk_date pk_date_add_months(pk_date d, int n)
{
    long total = (long)d.y * 12 + (d.m - 1) + n;
    /* Floor division keeps negative month offsets correct. */
    long y = total >= 0 ? total / 12 : -((-total + 11) / 12);
    int m = (int)(total - y * 12) + 1;
    pk_date r = {(int)y, m, d.d};
    int dim = pk_days_in_month(r.y, r.m);
    if (r.d > dim)
        r.d = dim;
    return r;
}

int pk_date_weekday(pk_date d)
{
    long days = pk_date_to_days(d);
    /* 1970-01-01 was a Thursday (4). */
    long w = (days % 7 + 7 + 4) % 7;
    return (int)w;
}

pk_date pk_date_add_workdays(pk_date d, int n)
{
    long days = pk_date_to_days(d);
    int step = n >= 0 ? 1 : -1;
    long left = n >= 0 ? n : -(long)n;
    /* Any 7 consecutive days hold exactly 5 working days, so whole weeks
     * can be skipped while at least one working day remains to walk. */
    if (left > 5) {
        long weeks = (left - 1) / 5;
        days += step * weeks * 7;
        left -= weeks * 5;
    }
    while (left > 0) {
        days += step;
        long w = ((days % 7) + 7 + 4) % 7;
        if (w != 0 && w != 6)
            left--;
    }
    return pk_date_from_days(days);
}

int pk_date_cmp(pk_date a, pk_date b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    if (a.d != b.d)
        return a.d < b.d ? -1 : 1;
    return 0;
}

/* When `on` is before the birth date the result is negative or 0 (never a
 * positive age), which callers treat as "under any minimum age". */
int pk_age_on(pk_date birth, pk_date on)
{
    int age = on.y - birth.y;
    int bm = birth.m, bd = birth.d;
    /* A 29 February birthday falls on 1 March in a common year. */
    if (bm == 2 && bd == 29 && !pk_leap_year(on.y)) {
        bm = 3;
        bd = 1;
    }
    if (on.m < bm || (on.m == bm && on.d < bd))
        age--;
    return age;
}

pk_date pk_date_wib(time_t t)
{
    long long secs = (long long)t + 7LL * 3600;
    long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    return pk_date_from_days((long)days);
}

/* n ASCII digits at s as a number; -1 when one is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int pk_timestamp_parse(const char *s, int64_t *out)
{
    pk_date d;
    if (s == NULL || strlen(s) < 19 || pk_date_parse(s, 10, &d) != 0 || s[10] != 'T' ||
        s[13] != ':' || s[16] != ':')
        return PK_EINVAL;
    int hh = digits(s + 11, 2), mi = digits(s + 14, 2), ss = digits(s + 17, 2);
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
        return PK_EINVAL;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return PK_EINVAL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z')
        p++;
    if (*p != '\0')
        return PK_EINVAL;
    *out = (int64_t)pk_date_to_days(d) * 86400 + hh * 3600 + mi * 60 + ss;
    return 0;
}

static const char *const months_short[12] = {"Jan", "Feb", "Mar", "Apr", "Mei", "Jun",
                                             "Jul", "Agu", "Sep", "Okt", "Nov", "Des"};

void pk_date_format_short(pk_date d, char out[32])
{
    const char *mn = d.m >= 1 && d.m <= 12 ? months_short[d.m - 1] : "?";
    snprintf(out, 32, "%d %s %d", d.d, mn, d.y);
}

void pk_timestamp_format_wib(int64_t secs, char out[32])
{
    const char *const *months = months_short;
    int64_t t = secs + 7 * 3600;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sod = t - days * 86400; /* 0..86399 */
    pk_date d = pk_date_from_days((long)days);
    const char *mn = d.m >= 1 && d.m <= 12 ? months[d.m - 1] : "?";
    snprintf(out, 32, "%d %s %d %02d.%02d WIB", d.d, mn, d.y, (int)(sod / 3600),
             (int)(sod / 60 % 60));
}

void pk_timestamp_wib(const char *stored, char out[32])
{
    int64_t t;
    if (pk_timestamp_parse(stored, &t) == 0)
        pk_timestamp_format_wib(t, out);
    else
        snprintf(out, 32, "%s", stored ? stored : "");
}

int pk_instant_parse(const char *s, int64_t *out)
{
    int32_t us;
    return pk_instant_parse_us(s, out, &us);
}

int pk_instant_parse_us(const char *s, int64_t *out, int32_t *us)
{
    pk_date d;
    int32_t frac = 0;
    if (s == NULL || strlen(s) < 16 || pk_date_parse(s, 10, &d) != 0 || s[10] != 'T' ||
        s[13] != ':')
        return PK_EINVAL;
    int hh = digits(s + 11, 2), mi = digits(s + 14, 2), ss = 0;
    const char *p = s + 16;
    if (*p == ':') {
        if ((ss = digits(p + 1, 2)) < 0)
            return PK_EINVAL;
        p += 3;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return PK_EINVAL;
            int k = 0;
            for (; *p >= '0' && *p <= '9'; p++, k++)
                if (k < 6)
                    frac = frac * 10 + (*p - '0');
            for (; k < 6; k++) /* ".9": 900,000 microseconds */
                frac *= 10;
        }
    }
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59)
        return PK_EINVAL;
    int64_t off = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        if (strlen(p) != 6 || p[3] != ':')
            return PK_EINVAL;
        int oh = digits(p + 1, 2), om = digits(p + 4, 2);
        if (oh < 0 || oh > 14 || om < 0 || om > 59)
            return PK_EINVAL;
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return PK_EINVAL;
    }
    if (*p != '\0')
        return PK_EINVAL;
    int64_t t = (int64_t)pk_date_to_days(d) * 86400 + hh * 3600 + mi * 60 + ss - off;
    /* only what WIB can write back (pk_instant_format: years 0001-9999):
     * "9999-12-31T23:59:59-14:00" is in year 10000 there, and an event at
     * it could not be exported and imported again (fuzz_journey) */
    pk_date lo = {1, 1, 1}, hi = {9999, 12, 31};
    if (t < pk_day_start_wib(lo) || t > pk_day_end_wib(hi))
        return PK_EINVAL;
    *out = t;
    *us = frac;
    return 0;
}

pk_date pk_instant_day_wib(int64_t secs)
{
    int64_t t = secs + 7 * 3600;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    return pk_date_from_days((long)days);
}

int64_t pk_day_start_wib(pk_date d)
{
    return (int64_t)pk_date_to_days(d) * 86400 - 7 * 3600;
}

int64_t pk_day_end_wib(pk_date d)
{
    return (int64_t)pk_date_to_days(d) * 86400 + 86399 - 7 * 3600;
}

void pk_instant_format(int64_t secs, char out[32])
{
    int64_t t = secs + 7 * 3600;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sod = t - days * 86400;
    char day[11];
    pk_date_format(pk_date_from_days((long)days), day);
    snprintf(out, 32, "%sT%02d:%02d:%02d+07:00", day, (int)(sod / 3600), (int)(sod / 60 % 60),
             (int)(sod % 60));
}
