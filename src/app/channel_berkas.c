/* channel_berkas.c -- the `berkas` channel (reminders.md): each message
 * appended to a file as one JSON line,
 *   {"id":12,"rule":"beli_pelatihan","to":"+6281234567890","subject":null,
 *    "template":"pk_beli_pelatihan","params":["12 Mar 2021"],"text":"..."}
 * for tests and for deployments that hand messages to another system.
 * A batch is written with one write(2) and made durable (fsync) before
 * send returns; a line cut by a crash is removed before the next use.  It deduplicates: `seen` finds a message id already in the
 * file, so a batch interrupted by a crash is handed over again without a
 * second copy.  The file holds phone numbers: it is created 0600. */
#include "app/channel.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/pk.h"

typedef struct berkas {
    pk_chan c;
    int fd;
    char *path;
    bool repaired;
} berkas;

static int line_of(const pk_msg *m, pk_buf *out)
{
    json_t *o = json_object(), *params = json_array();
    for (size_t i = 0; i < m->wa_nparams; i++)
        json_array_append_new(params, json_string(m->wa_params[i] ? m->wa_params[i] : ""));
    json_object_set_new(o, "id", json_integer(m->id));
    json_object_set_new(o, "rule", json_string(m->rule ? m->rule : ""));
    json_object_set_new(o, "to", json_string(m->to ? m->to : ""));
    json_object_set_new(o, "subject", m->subject ? json_string(m->subject) : json_null());
    json_object_set_new(o, "template", m->wa_template ? json_string(m->wa_template) : json_null());
    json_object_set_new(o, "params", params);
    json_object_set_new(o, "text", json_string(m->text ? m->text : ""));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(o);
    if (s == NULL)
        return PK_ENOMEM;
    pk_buf_adds(out, s);
    int rc = pk_buf_addc(out, '\n');
    free(s);
    return rc;
}

/* A write killed midway may leave a partial last line: it is cut off
 * (its message was never wholly handed over, and is handed over again),
 * so the file holds whole lines only.  Done once, before the first read
 * or write, which happen under the reminders' lease (one writer). */
static int repair(berkas *b)
{
    if (b->repaired)
        return 0;
    struct stat st;
    if (fstat(b->fd, &st) != 0)
        return PK_EIO;
    int rfd = open(b->path, O_RDONLY | O_CLOEXEC);
    if (rfd < 0)
        return PK_EIO;
    off_t end = st.st_size;
    char chunk[4096];
    while (end > 0) {
        off_t from = end > (off_t)sizeof chunk ? end - (off_t)sizeof chunk : 0;
        ssize_t got = pread(rfd, chunk, (size_t)(end - from), from);
        if (got != (ssize_t)(end - from)) {
            close(rfd);
            return PK_EIO;
        }
        ssize_t i = got - 1;
        while (i >= 0 && chunk[i] != '\n')
            i--;
        if (i >= 0) {
            end = from + i + 1;
            break;
        }
        end = from;
    }
    close(rfd);
    if (end != st.st_size && (ftruncate(b->fd, end) != 0 || fsync(b->fd) != 0))
        return PK_EIO;
    b->repaired = true;
    return 0;
}

static int berkas_send(pk_chan *c, const pk_msg *m, size_t n, pk_send_result *res)
{
    berkas *b = c->impl;
    pk_buf buf;
    pk_buf_init(&buf, (size_t)1 << 30);
    int rc = repair(b);
    for (size_t i = 0; i < n && rc == 0; i++) {
        memset(&res[i], 0, sizeof res[i]);
        rc = line_of(&m[i], &buf);
    }
    size_t off = 0;
    while (rc == 0 && off < buf.len) {
        ssize_t w = write(b->fd, buf.data + off, buf.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = PK_EIO;
        else
            off += (size_t)w;
    }
    if (rc == 0 && fsync(b->fd) != 0)
        rc = PK_EIO;
    pk_buf_wipe_free(&buf);
    for (size_t i = 0; i < n; i++) {
        res[i].outcome = rc == 0 ? PK_SEND_OK : PK_SEND_TEMPORARY;
        if (rc == 0)
            snprintf(res[i].provider_id, sizeof res[i].provider_id, "berkas-%lld",
                     (long long)m[i].id);
        else
            snprintf(res[i].error, sizeof res[i].error, "cannot write the remind_file");
    }
    return rc;
}

/* Whether a line of the file starts with {"id":<id>, */
static int berkas_seen(pk_chan *c, int64_t id, bool *seen)
{
    berkas *b = c->impl;
    *seen = false;
    if (repair(b) != 0)
        return PK_EIO;
    FILE *f = fopen(b->path, "r");
    if (f == NULL)
        return errno == ENOENT ? 0 : PK_EIO;
    char want[40];
    int wl = snprintf(want, sizeof want, "{\"id\":%lld,", (long long)id);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (!*seen && (len = getline(&line, &cap, f)) > 0)
        *seen = len >= wl && line[len - 1] == '\n' && memcmp(line, want, (size_t)wl) == 0;
    int rc = ferror(f) ? PK_EIO : 0;
    free(line);
    fclose(f);
    return rc;
}

static void berkas_close(pk_chan *c)
{
    berkas *b = c->impl;
    if (b->fd >= 0)
        close(b->fd);
    free(b->path);
    free(b);
}

int pk_chan_berkas_open(const char *path, pk_chan **out, char *err, size_t errlen)
{
    *out = NULL;
    berkas *b = calloc(1, sizeof *b);
    if (b == NULL || (b->path = strdup(path)) == NULL) {
        free(b);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    b->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (b->fd < 0) {
        snprintf(err, errlen, "remind_file: cannot open it for appending (%s)", strerror(errno));
        free(b->path);
        free(b);
        return PK_EIO;
    }
    b->c = (pk_chan){.kind = PK_CH_BERKAS, .dedup = true, .send = berkas_send,
                     .seen = berkas_seen, .close = berkas_close, .impl = b};
    *out = &b->c;
    return 0;
}
