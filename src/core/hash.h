/* hash.h -- one non-cryptographic hash for in-memory tables and filters:
 * FNV-1a, 64 bits, fed a piece at a time, and a finaliser that spreads
 * its bits (MurmurHash3's fmix64) for tables indexed by the low bits.
 * Not for anything an adversary must not steer: keyed hashes of personal
 * data are the vault's (app/vault.h). */
#ifndef PK_CORE_HASH_H
#define PK_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define PK_HASH_INIT 1469598103934665603ULL

static inline uint64_t pk_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 1099511628211ULL;
    return h;
}

static inline uint64_t pk_hash_str(uint64_t h, const char *s)
{
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static inline uint64_t pk_hash_u64(uint64_t h, uint64_t v)
{
    return (h ^ v) * 1099511628211ULL;
}

static inline uint64_t pk_hash_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

#endif
