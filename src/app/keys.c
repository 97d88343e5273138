/* keys.c -- rotation of the seal key (see keys.h). */
#include "app/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app/platform.h"
#include "core/buf.h"
#include "core/pk.h"
#include "store/store.h"

#define BATCH_DEFAULT 1000
/* Processes look for a new key file at most once a second, and a box
 * they sealed just before may wait in a loaded committer for a while:
 * passes go on while they find boxes, for this long at most. */
#define PASSES_SECONDS 60
#define TRIES 5

/* One batch of boxes, copied out of the store's buffers. */
typedef struct item {
    int64_t id;
    char list[64];
    uint8_t nik_bi[PK_BI_LEN];
    size_t off, len;
} item;

typedef struct batch {
    item *items;
    int n, cap;
    pk_buf boxes;
    int rc;
} batch;

static int collect(void *ctx, const pk_sealed *s)
{
    batch *b = ctx;
    if (b->n == b->cap)
        return PK_ENOMEM;
    item *it = &b->items[b->n];
    it->id = s->id;
    snprintf(it->list, sizeof(it->list), "%s", s->list ? s->list : "");
    memcpy(it->nik_bi, s->nik_bi, PK_BI_LEN);
    it->off = b->boxes.len;
    it->len = s->len;
    if (pk_buf_add(&b->boxes, s->box, s->len) != 0)
        return PK_ENOMEM;
    b->n++;
    return 0;
}

/* Re-seals one batch of `what` after *after in one transaction.  *found
 * receives how many boxes the batch held, *done how many were replaced;
 * *after moves to the batch's last key. */
static int one_batch(pk_app *app, int what, int gen, batch *b, pk_sealed *after, char *after_list,
                     bool started, int *found, int64_t *done, char *err, size_t errlen)
{
    pk_tx *tx = NULL;
    pk_buf box;
    pk_buf_init(&box, 1 << 20);
    b->n = 0;
    pk_buf_reset(&b->boxes);
    *found = 0;
    int64_t replaced_here = 0;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_tx_sealed_older(tx, what, gen, started ? after : NULL, b->cap, collect, b);
    for (int i = 0; rc == 0 && i < b->n; i++) {
        item *it = &b->items[i];
        pk_sealed old = {.id = it->id, .list = it->list, .box = (uint8_t *)b->boxes.data + it->off,
                         .len = it->len};
        memcpy(old.nik_bi, it->nik_bi, PK_BI_LEN);
        /* the box's associated data: the NIK index, or a secret's platform */
        char pad[PK_PLATFORM_AD_MAX];
        const void *ad = it->nik_bi;
        size_t adlen = PK_BI_LEN;
        if (what == PK_SEALED_SECRET) {
            pk_platform_secret_ad(it->list, pad);
            ad = pad;
            adlen = strlen(pad);
        }
        if (pk_vault_reseal(&app->vault, old.box, old.len, ad, adlen, &box) != 0) {
            rc = PK_EINVAL;
            if (what == PK_SEALED_PII)
                snprintf(err, errlen, "participant %lld: its personal data does not open with "
                         "any key of the key file", (long long)it->id);
            else if (what == PK_SEALED_SECRET)
                snprintf(err, errlen, "platform %s: its secret does not open with any key of "
                         "the key file", it->list);
            else
                snprintf(err, errlen, "a note of exclusion list %s does not open with any key "
                         "of the key file", it->list);
            break;
        }
        int replaced = 0;
        rc = pk_tx_sealed_replace(tx, what, &old, (const uint8_t *)box.data, box.len, &replaced);
        replaced_here += replaced;
    }
    if (rc == 0)
        rc = pk_tx_commit(tx);
    else
        pk_tx_rollback(tx);
    pk_buf_free(&box);
    if (rc == 0) {
        *found = b->n;
        *done += replaced_here;
        if (b->n > 0) {
            item *last = &b->items[b->n - 1];
            after->id = last->id;
            snprintf(after_list, 64, "%s", last->list);
            after->list = after_list;
            memcpy(after->nik_bi, last->nik_bi, PK_BI_LEN);
        }
    } else if (err[0] == '\0') {
        snprintf(err, errlen, "database error while re-sealing");
    }
    return rc;
}

/* One pass over every box of `what` older than gen.  *found: how many. */
static int one_pass(pk_app *app, int what, int gen, batch *b, int64_t *found, int64_t *done,
                    char *err, size_t errlen)
{
    pk_sealed after = {0};
    char after_list[64] = "";
    bool started = false;
    *found = 0;
    for (;;) {
        int n = 0, rc = PK_EIO;
        for (int t = 0; t < TRIES && rc != 0; t++) {
            err[0] = '\0';
            rc = one_batch(app, what, gen, b, &after, after_list, started, &n, done, err,
                           errlen);
            if (rc == PK_EINVAL || rc == PK_ENOMEM)
                break; /* not a transient failure: a retry would fail alike */
        }
        if (rc != 0)
            return rc;
        *found += n;
        started = true;
        if (n < b->cap)
            return 0;
    }
}

static int stale_boxes(pk_app *app, int gen, int64_t *stale, char *err, size_t errlen)
{
    int64_t counts[256];
    if (pk_store_sealed_generations(app->store, counts) != 0) {
        snprintf(err, errlen, "cannot count the sealed boxes");
        return PK_EIO;
    }
    *stale = 0;
    for (int g = 0; g < 256; g++) {
        if (g > gen && counts[g] > 0) {
            snprintf(err, errlen, "%lld boxes are sealed under generation %d, which the key "
                     "file does not hold", (long long)counts[g], g);
            return PK_EINVAL;
        }
        if (g < gen)
            *stale += counts[g];
    }
    return 0;
}

/* One entry in the audit log, in a transaction of its own. */
static int audit_one(pk_app *app, const char *actor, const char *action, const char *detail,
                     char *err, size_t errlen)
{
    pk_tx *tx = NULL;
    int rc;
    if ((rc = pk_store_begin(app->store, &tx)) != 0 ||
        (rc = pk_tx_audit(tx, actor, "cli", action, 0, detail)) != 0) {
        pk_tx_rollback(tx);
        snprintf(err, errlen, "cannot write the audit log");
        return rc;
    }
    if ((rc = pk_tx_commit(tx)) != 0)
        snprintf(err, errlen, "cannot write the audit log");
    return rc;
}

static int rotate_locked(pk_app *app, const char *actor, int batch_size, pk_rotate_summary *sum,
                         char *err, size_t errlen)
{
    int gen = pk_vault_seal_generation(&app->vault);
    int64_t stale = 0;
    int rc = stale_boxes(app, gen, &stale, err, errlen);
    if (rc != 0)
        return rc;
    sum->resumed = stale > 0;
    if (!sum->resumed && (rc = pk_vault_add_generation(&app->vault, &gen, err, errlen)) != 0)
        return rc;
    sum->generation = gen;

    batch b = {.cap = batch_size > 0 ? batch_size : BATCH_DEFAULT};
    b.items = calloc((size_t)b.cap, sizeof(*b.items));
    pk_buf_init(&b.boxes, (size_t)1 << 30);
    if (b.items == NULL) {
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    /* Passes until one finds nothing: a process that sealed under the
     * previous generation just before the key file changed may commit
     * while the first pass runs. */
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (rc == 0) {
        int64_t found_p = 0, found_n = 0, found_s = 0;
        if ((rc = one_pass(app, PK_SEALED_PII, gen, &b, &found_p, &sum->participants, err,
                           errlen)) != 0 ||
            (rc = one_pass(app, PK_SEALED_NOTE, gen, &b, &found_n, &sum->notes, err, errlen)) !=
                0 ||
            (rc = one_pass(app, PK_SEALED_SECRET, gen, &b, &found_s, &sum->secrets, err,
                           errlen)) != 0)
            break;
        if (found_p + found_n + found_s == 0)
            break;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec >= PASSES_SECONDS) {
            snprintf(err, errlen, "boxes under older generations keep appearing: run "
                     "'prakerja keys rotate' again");
            rc = PK_EIO;
        }
    }
    if (b.boxes.data != NULL)
        sodium_memzero(b.boxes.data, b.boxes.cap);
    pk_buf_free(&b.boxes);
    free(b.items);
    if (rc != 0)
        return rc;

    char detail[160];
    snprintf(detail, sizeof(detail), "generation=%d participants=%lld notes=%lld secrets=%lld%s",
             sum->generation, (long long)sum->participants, (long long)sum->notes,
             (long long)sum->secrets, sum->resumed ? " resumed" : "");
    return audit_one(app, actor, "keys.rotate", detail, err, errlen);
}

int pk_keys_rotate(pk_app *app, const char *actor, int batch_size, pk_rotate_summary *sum,
                   char *err, size_t errlen)
{
    memset(sum, 0, sizeof(*sum));
    err[0] = '\0';
    int fd, rc = pk_vault_lock(&app->vault, &fd, err, errlen);
    if (rc != 0)
        return rc;
    rc = rotate_locked(app, actor, batch_size, sum, err, errlen);
    pk_vault_unlock(fd);
    return rc;
}

int pk_keys_prune(pk_app *app, const char *actor, int *removed, int64_t counts[256], char *err,
                  size_t errlen)
{
    err[0] = '\0';
    *removed = 0;
    memset(counts, 0, 256 * sizeof(*counts));
    int fd, rc = pk_vault_lock(&app->vault, &fd, err, errlen);
    if (rc != 0)
        return rc;
    /* Counted under the lock: no rotation moves boxes meanwhile. */
    if (pk_store_sealed_generations(app->store, counts) != 0) {
        snprintf(err, errlen, "cannot count the sealed boxes");
        rc = PK_EIO;
    } else {
        bool keep[PK_SEAL_GEN_MAX + 1];
        for (int g = 0; g <= PK_SEAL_GEN_MAX; g++)
            keep[g] = counts[g] > 0;
        rc = pk_vault_prune(&app->vault, keep, removed, err, errlen);
    }
    pk_vault_unlock(fd);
    if (rc == 0 && *removed > 0) {
        char detail[32];
        snprintf(detail, sizeof(detail), "removed=%d", *removed);
        rc = audit_one(app, actor, "keys.prune", detail, err, errlen);
    }
    return rc;
}
