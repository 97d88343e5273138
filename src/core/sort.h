/* sort.h -- records sorted by a 64-bit key, ties broken by a comparison of
 * the records (the draw's tables: millions of records of about 50 bytes,
 * which qsort compares through pointers, a cache miss a comparison). */
#ifndef PK_CORE_SORT_H
#define PK_CORE_SORT_H

#include <stddef.h>
#include <stdint.h>

/* A record's key: records in key order are in cmp's order, and records of
 * different keys never compare equal under cmp. */
typedef uint64_t (*pk_sort_key_fn)(const void *rec);
typedef int (*pk_sort_cmp_fn)(const void *a, const void *b);

/* Sorts base[0..n) (records of `size` bytes) in cmp's order: by key, then
 * by cmp among records of one key.  With no memory for its index (16
 * bytes a record) it is qsort with cmp.  Not stable: cmp should be a total
 * order where the order of equal records matters. */
void pk_sort_keyed(void *base, size_t n, size_t size, pk_sort_key_fn key, pk_sort_cmp_fn cmp);

/* n bytes (at most 8) as a big-endian integer: byte order is number
 * order (a key from the first bytes of a digest or a blind index). */
uint64_t pk_sort_be(const uint8_t *p, size_t n);

/* qsort's comparison of int64_t values (ids), ascending. */
static inline int pk_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A signed value as an unsigned one of the same order (a key). */
static inline uint64_t pk_sort_signed(int64_t v)
{
    return (uint64_t)v ^ (UINT64_C(1) << 63);
}

/* PK_QUICKSORT(name, T, C, cmp) defines
 *     static void name(const C *ctx, T *v, size_t n)
 * sorting v[0..n) in the order of `int cmp(const C *ctx, const T *a,
 * const T *b)`: a quicksort (median of three, the smaller side first, so
 * the stack stays O(log n)) with insertion sort for ranges of 16 or fewer,
 * the comparison inlined, elements moved by value.  One algorithm for the
 * arrays of small keyed elements the hot sorts use (pk_sort_keyed's pairs,
 * the event import's run keys), where qsort's call through a pointer per
 * comparison costs more than the comparison. */
#define PK_QUICKSORT(name, T, C, cmp)                                                      \
    static void name(const C *ctx, T *v, size_t n)                                         \
    {                                                                                      \
        T t_;                                                                              \
        while (n > 16) {                                                                   \
            size_t mid = n / 2;                                                            \
            if (cmp(ctx, &v[mid], &v[0]) < 0)                                              \
                t_ = v[mid], v[mid] = v[0], v[0] = t_;                                     \
            if (cmp(ctx, &v[n - 1], &v[0]) < 0)                                            \
                t_ = v[n - 1], v[n - 1] = v[0], v[0] = t_;                                 \
            if (cmp(ctx, &v[n - 1], &v[mid]) < 0)                                          \
                t_ = v[n - 1], v[n - 1] = v[mid], v[mid] = t_;                             \
            /* the pivot to v[n - 2], between v[0] and v[n - 1] */                         \
            t_ = v[mid], v[mid] = v[n - 2], v[n - 2] = t_;                                 \
            const T p_ = v[n - 2];                                                         \
            size_t i = 0, j = n - 2;                                                       \
            for (;;) {                                                                     \
                while (cmp(ctx, &v[++i], &p_) < 0)                                         \
                    ;                                                                      \
                while (cmp(ctx, &p_, &v[--j]) < 0)                                         \
                    ;                                                                      \
                if (i >= j)                                                                \
                    break;                                                                 \
                t_ = v[i], v[i] = v[j], v[j] = t_;                                         \
            }                                                                              \
            t_ = v[i], v[i] = v[n - 2], v[n - 2] = t_;                                     \
            if (i < n - i - 1) {                                                           \
                name(ctx, v, i);                                                           \
                v += i + 1, n -= i + 1;                                                    \
            } else {                                                                       \
                name(ctx, v + i + 1, n - i - 1);                                           \
                n = i;                                                                     \
            }                                                                              \
        }                                                                                  \
        for (size_t i = 1; i < n; i++)                                                     \
            for (size_t j = i; j > 0 && cmp(ctx, &v[j], &v[j - 1]) < 0; j--)               \
                t_ = v[j], v[j] = v[j - 1], v[j - 1] = t_;                                 \
    }

#endif
