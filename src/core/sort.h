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

#endif
