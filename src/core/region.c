/* region.c -- the Kemendagri region table in memory (region.h).
 *
 * ~92,000 rows are added once at start-up, then the table is sealed and
 * only read.  Sealing sorts by (level, dotted code): within one level all
 * codes have the same shape, so plain strcmp orders them numerically and
 * the children of one parent form one contiguous run ("31.01" .. "31.75"
 * sit together, not interleaved with "31.01.01").  Ranges (children) are
 * binary searches; a lookup by code goes through a hash of the codes
 * (an import looks up four codes per row).  Names live in a few large
 * arena chunks, not one malloc each. */
#include "core/region.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/pk.h"

#define NAME_CHUNK (64 * 1024)

typedef struct name_chunk {
    struct name_chunk *next;
    size_t used, cap;
    char data[];
} name_chunk;

struct pk_regions {
    pk_region *items;
    size_t count, cap;
    name_chunk *chunks;
    uint32_t *slots;  /* once sealed: item index + 1 by hash of code, 0 free */
    size_t mask;
    bool sealed;
};

pk_regions *pk_regions_new(void)
{
    return calloc(1, sizeof(pk_regions));
}

void pk_regions_free(pk_regions *r)
{
    if (!r)
        return;
    name_chunk *c = r->chunks;
    while (c) {
        name_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(r->items);
    free(r->slots);
    free(r);
}

static const char *name_copy(pk_regions *r, const char *name)
{
    size_t n = strlen(name) + 1;
    name_chunk *c = r->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > NAME_CHUNK ? n : NAME_CHUNK;
        name_chunk *nc = malloc(sizeof(name_chunk) + cap);
        if (!nc)
            return NULL;
        nc->used = 0;
        nc->cap = cap;
        /* An oversized name gets a private chunk behind the current one,
         * so the current chunk's free space is not abandoned. */
        if (c && n > NAME_CHUNK) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            r->chunks = nc;
        }
        c = nc;
    }
    char *p = c->data + c->used;
    memcpy(p, name, n);
    c->used += n;
    return p;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

pk_region_level pk_region_normalize(const char *in, size_t len, char out[PK_REGION_CODE_MAX])
{
    /* Segment widths of each level: 2, 2, 2, 4 digits. */
    static const size_t seg_len[4] = {2, 2, 2, 4};
    static const size_t undotted_len[4] = {2, 4, 6, 10};
    out[0] = '\0';
    if (!in || len == 0 || len >= 32)
        return PK_REGION_NONE;

    if (!memchr(in, '.', len)) {
        for (int lv = 0; lv < 4; lv++) {
            if (len != undotted_len[lv])
                continue;
            if (!all_digits(in, len))
                return PK_REGION_NONE;
            size_t o = 0, pos = 0;
            for (int s = 0; s <= lv; s++) {
                if (s > 0)
                    out[o++] = '.';
                memcpy(out + o, in + pos, seg_len[s]);
                o += seg_len[s];
                pos += seg_len[s];
            }
            out[o] = '\0';
            return (pk_region_level)(lv + 1);
        }
        return PK_REGION_NONE;
    }

    size_t pos = 0;
    for (int s = 0; s < 4; s++) {
        size_t w = seg_len[s];
        if (len - pos < w || !all_digits(in + pos, w))
            break;
        pos += w;
        if (pos == len) {
            memcpy(out, in, len);
            out[len] = '\0';
            return (pk_region_level)(s + 1);
        }
        if (in[pos] != '.' || s == 3)
            break;
        pos++;
    }
    out[0] = '\0';
    return PK_REGION_NONE;
}

int pk_regions_add(pk_regions *r, const char *code, const char *name)
{
    if (!code || !name)
        return PK_EINVAL;
    pk_region reg;
    reg.level = pk_region_normalize(code, strlen(code), reg.code);
    if (reg.level == PK_REGION_NONE)
        return PK_EINVAL;
    if (r->count == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 1024;
        pk_region *p = realloc(r->items, ncap * sizeof(*p));
        if (!p)
            return PK_ENOMEM;
        r->items = p;
        r->cap = ncap;
    }
    reg.name = name_copy(r, name);
    if (!reg.name)
        return PK_ENOMEM;
    r->items[r->count++] = reg;
    r->sealed = false;
    return 0;
}

static int region_key_cmp(pk_region_level la, const char *ca, pk_region_level lb, const char *cb)
{
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(ca, cb);
}

static int region_cmp(const void *a, const void *b)
{
    const pk_region *x = a, *y = b;
    return region_key_cmp(x->level, x->code, y->level, y->code);
}

typedef struct seq_region {
    pk_region r;
    size_t seq;
} seq_region;

static int seq_region_cmp(const void *a, const void *b)
{
    const seq_region *x = a, *y = b;
    int c = region_cmp(&x->r, &y->r);
    if (c)
        return c;
    /* qsort is not stable: add order breaks ties so duplicates resolve
     * deterministically. */
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The hash of a code, up to its NUL or PK_REGION_CODE_MAX bytes. */
static size_t code_hash(const char *code)
{
    return (size_t)pk_hash_mix(pk_hash_bytes(PK_HASH_INIT, code, strnlen(code, PK_REGION_CODE_MAX)));
}

void pk_regions_seal(pk_regions *r)
{
    if (r->sealed)
        return;
    if (r->count > 1) {
        seq_region *tmp = malloc(r->count * sizeof(*tmp));
        if (tmp) {
            for (size_t i = 0; i < r->count; i++) {
                tmp[i].r = r->items[i];
                tmp[i].seq = i;
            }
            qsort(tmp, r->count, sizeof(*tmp), seq_region_cmp);
            /* A code added twice keeps its last name (a later row replaces
             * an earlier one, as in every import). */
            size_t n = 0;
            for (size_t i = 0; i < r->count; i++) {
                if (n > 0 && region_cmp(&r->items[n - 1], &tmp[i].r) == 0)
                    r->items[n - 1] = tmp[i].r;
                else
                    r->items[n++] = tmp[i].r;
            }
            r->count = n;
            free(tmp);
        } else {
            /* Out of memory for the stable sort: an unstable sort still
             * gives a searchable table; duplicates then keep any one name. */
            qsort(r->items, r->count, sizeof(*r->items), region_cmp);
        }
    }
    /* The hash of the codes: open addressing, at most half full.  Without
     * memory for it, lookups fall back to the binary search. */
    size_t n = 16;
    while (n < 2 * r->count)
        n <<= 1;
    free(r->slots);
    if ((r->slots = calloc(n, sizeof(*r->slots))) != NULL) {
        r->mask = n - 1;
        for (size_t i = 0; i < r->count; i++) {
            size_t h = code_hash(r->items[i].code) & r->mask;
            while (r->slots[h] != 0)
                h = (h + 1) & r->mask;
            r->slots[h] = (uint32_t)i + 1;
        }
    }
    r->sealed = true;
}

size_t pk_regions_count(const pk_regions *r)
{
    return r ? r->count : 0;
}

/* Index of the first item not less than (level, code). */
static size_t lower_bound(const pk_regions *r, pk_region_level level, const char *code)
{
    size_t lo = 0, hi = r->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (region_key_cmp(r->items[mid].level, r->items[mid].code, level, code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static pk_region_level code_level(const char *code)
{
    char tmp[PK_REGION_CODE_MAX];
    size_t n = strnlen(code, PK_REGION_CODE_MAX);
    if (n >= PK_REGION_CODE_MAX)
        return PK_REGION_NONE;
    pk_region_level lv = pk_region_normalize(code, n, tmp);
    /* Lookups take the dotted form only, as stored. */
    if (lv == PK_REGION_NONE || strcmp(tmp, code) != 0)
        return PK_REGION_NONE;
    return lv;
}

const pk_region *pk_regions_find(const pk_regions *r, const char *code)
{
    if (!r || !r->sealed || !code)
        return NULL;
    if (r->slots != NULL) { /* stored codes are dotted: others never match */
        for (size_t h = code_hash(code) & r->mask; r->slots[h] != 0; h = (h + 1) & r->mask) {
            const pk_region *it = &r->items[r->slots[h] - 1];
            if (strncmp(it->code, code, PK_REGION_CODE_MAX) == 0)
                return it;
        }
        return NULL;
    }
    pk_region_level lv = code_level(code);
    if (lv == PK_REGION_NONE)
        return NULL;
    size_t i = lower_bound(r, lv, code);
    if (i < r->count && r->items[i].level == lv && strcmp(r->items[i].code, code) == 0)
        return &r->items[i];
    return NULL;
}

size_t pk_regions_children(const pk_regions *r, const char *parent, const pk_region **out)
{
    *out = NULL;
    if (!r || !r->sealed)
        return 0;
    pk_region_level child_level;
    char lo_key[PK_REGION_CODE_MAX + 1], hi_key[PK_REGION_CODE_MAX + 1];
    if (!parent || !*parent) {
        child_level = PK_REGION_PROVINCE;
        lo_key[0] = '\0';
        hi_key[0] = '\x7f';
        hi_key[1] = '\0';
    } else {
        const pk_region *p = pk_regions_find(r, parent);
        if (!p || p->level == PK_REGION_VILLAGE)
            return 0;
        child_level = (pk_region_level)(p->level + 1);
        /* Children are exactly the codes between "P." and "P/" ('/' is
         * the byte after '.'), at the next level. */
        size_t n = strlen(p->code);
        memcpy(lo_key, p->code, n);
        memcpy(hi_key, p->code, n);
        lo_key[n] = '.';
        hi_key[n] = '/';
        lo_key[n + 1] = hi_key[n + 1] = '\0';
    }
    size_t a = lower_bound(r, child_level, lo_key);
    size_t b = lower_bound(r, child_level, hi_key);
    if (b <= a)
        return 0;
    *out = &r->items[a];
    return b - a;
}

/* Words kept in capitals when a name is title-cased. */
static const char *const acronyms[] = {"DKI", "DI", "RT", "RW", "II", "III", "IV", "VI", "VII",
                                       "VIII", "IX", "XI", "XII"};

static bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static bool is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static bool is_alnum_or_apos(unsigned char c)
{
    return is_upper(c) || is_lower(c) || (c >= '0' && c <= '9') || c == '\'' || c >= 0x80;
}

size_t pk_region_title(const char *name, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    size_t n = strlen(name);
    if (n >= cap)
        n = cap - 1;
    bool any_lower = false;
    for (size_t i = 0; i < n; i++)
        any_lower = any_lower || is_lower((unsigned char)name[i]);
    memcpy(out, name, n);
    out[n] = '\0';
    if (any_lower) /* already written by a person (villages, districts): kept */
        return n;
    for (size_t i = 0; i < n;) {
        if (!is_alnum_or_apos((unsigned char)out[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && is_alnum_or_apos((unsigned char)out[j]))
            j++;
        bool keep = false;
        for (size_t a = 0; a < PK_ARRAY_LEN(acronyms) && !keep; a++)
            keep = strlen(acronyms[a]) == j - i && memcmp(acronyms[a], out + i, j - i) == 0;
        if (!keep)
            for (size_t k = i + 1; k < j; k++)
                if (is_upper((unsigned char)out[k]))
                    out[k] = (char)(out[k] - 'A' + 'a');
        i = j;
    }
    return n;
}
