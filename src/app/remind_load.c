/* remind_load.c -- the reminder rules read from their file (remind.h),
 * parsed once while the file stays the same.
 *
 * A staff page of a participant previews that person's reminders from
 * the rules in force, so every view would read and parse the file; the
 * parsed rules are kept with the file's identity (device, inode, size,
 * modification and change times) and used again while a stat() of the
 * path still shows that identity.  A file changed within a second of
 * being read is not kept (its times could be the same after another
 * change in the same clock tick), so an edit is always seen by the next
 * read after it, as before. */
#include "app/remind.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/pk.h"

static struct {
    pthread_mutex_t mu;
    char path[1100];
    struct stat st;
    pk_remind_rules *rules; /* NULL: none kept */
} kept = {.mu = PTHREAD_MUTEX_INITIALIZER};

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The file's text parsed into out (the reading as it always was). */
static int read_rules(const char *path, pk_remind_rules *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read the reminder rules (%s)", path);
        return PK_EIO;
    }
    pk_buf b;
    pk_buf_init(&b, (size_t)1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        pk_buf_add(&b, chunk, n);
    bool bad = ferror(f) != 0;
    fclose(f);
    int rc;
    if (bad || pk_buf_failed(&b)) {
        snprintf(err, errlen, "cannot read the reminder rules (%s)", path);
        rc = PK_EIO;
    } else {
        char why[200];
        rc = pk_remind_rules_parse(pk_buf_str(&b), out, why, sizeof why);
        if (rc != 0)
            snprintf(err, errlen, "%s: %s", path, why);
    }
    pk_buf_free(&b);
    return rc;
}

int pk_remind_rules_load(const pk_config *cfg, pk_remind_rules *out, char *err, size_t errlen)
{
    char path[1100];
    if (cfg->reminders_file[0] != '\0')
        snprintf(path, sizeof path, "%s", cfg->reminders_file);
    else
        snprintf(path, sizeof path, "%s/reminders.ini", cfg->data_dir);
    struct stat before;
    bool known = stat(path, &before) == 0;
    if (known) {
        pthread_mutex_lock(&kept.mu);
        bool hit = kept.rules != NULL && strcmp(kept.path, path) == 0 &&
                   same_file(&kept.st, &before);
        if (hit)
            memcpy(out, kept.rules, sizeof *out);
        pthread_mutex_unlock(&kept.mu);
        if (hit)
            return 0;
    }
    int rc = read_rules(path, out, err, errlen);
    struct stat after;
    struct timespec now;
    /* kept only when the file did not change while it was read and has
     * not changed in the last second */
    if (rc != 0 || !known || stat(path, &after) != 0 || !same_file(&before, &after) ||
        clock_gettime(CLOCK_REALTIME, &now) != 0 || now.tv_sec - after.st_mtim.tv_sec < 2 ||
        now.tv_sec - after.st_ctim.tv_sec < 2)
        return rc;
    pthread_mutex_lock(&kept.mu);
    if (kept.rules == NULL)
        kept.rules = malloc(sizeof *kept.rules);
    if (kept.rules != NULL) {
        memcpy(kept.rules, out, sizeof *out);
        snprintf(kept.path, sizeof kept.path, "%s", path);
        kept.st = after;
    }
    pthread_mutex_unlock(&kept.mu);
    return 0;
}
