/* sqlite_bulk_names.c -- the name index of a bulk load (migration 16's
 * participant_name, FTS5 trigram), built on a second thread while the
 * rows are written, instead of a 'rebuild' after them on the writer's.
 *
 * The writer hands each inserted row's id and name over (sq_names_add,
 * in chunks through a bounded queue); the thread indexes them into a
 * contentless FTS5 table of the same columns and tokenizer in a private
 * temporary database (SQLite deletes its file when the connection
 * closes), a connection of its own: SQLite lets one connection write a
 * database file at a time, and the writer holds the registry's.  At the
 * end of the load (sqlite_bulk.c) the writer drops participant_name,
 * creates it again (a new FTS5 table object: the old one could hold its
 * structure record cached from before the load) and copies the index's
 * shadow tables over: the segments and their index (columnsize=0: no
 * table of sizes, migration 30) are those a 'rebuild' would write, since
 * an FTS5 index depends on the rowids and tokens only, not on where its
 * text is kept (the content table stays participant).  At 10M rows the
 * thread's work is about 19 s of CPU off the writer's end of the load
 * (bench/README.md, import at 10M, run 2).
 *
 * Only while every row of the load is an insert seen here: an update of
 * a row, or the fold of repeated NIKs, drops the thread's work
 * (sq_names_drop), and the end rebuilds the index from the rows as
 * before. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"
#include "store/sqlite_int.h"

#define CHUNK_BYTES (256 * 1024)
#define CHUNKS_MAX 5 /* the writer's, and up to 4 queued or being indexed */

/* Records: an int64 id, a uint16 length, the name's bytes. */
typedef struct chunk {
    struct chunk *next;
    size_t len;
    char data[CHUNK_BYTES];
} chunk;

struct sq_names {
    sqlite3 *db;          /* the temporary database: the thread's until joined */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    chunk *head, **tail;  /* full chunks, oldest first */
    chunk *spare;         /* chunks indexed, for the writer to fill again */
    chunk *cur;           /* the writer's */
    int nchunks;          /* allocated */
    bool closed;          /* the writer: no more chunks */
    bool quit;            /* the writer: stop, the work is not wanted */
    bool failed;          /* the thread: an error, the index is incomplete */
};

static int index_chunk(sqlite3_stmt *st, const chunk *c)
{
    for (size_t at = 0; at < c->len;) {
        int64_t id;
        uint16_t len;
        memcpy(&id, c->data + at, sizeof(id));
        memcpy(&len, c->data + at + sizeof(id), sizeof(len));
        at += sizeof(id) + sizeof(len);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, c->data + at, len, SQLITE_STATIC);
        at += len;
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return rc;
    }
    return SQLITE_OK;
}

static void *names_main(void *arg)
{
    struct sq_names *nm = arg;
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_exec(nm->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(nm->db, "INSERT INTO n(rowid, nama) VALUES (?1, ?2)", -1, &st,
                                 NULL) == SQLITE_OK;
    pthread_mutex_lock(&nm->mu);
    for (;;) {
        while (nm->head == NULL && !nm->closed && !nm->quit)
            pthread_cond_wait(&nm->cv, &nm->mu);
        chunk *c = nm->head;
        if (c == NULL || nm->quit)
            break;
        if ((nm->head = c->next) == NULL)
            nm->tail = &nm->head;
        pthread_mutex_unlock(&nm->mu);
        ok = ok && index_chunk(st, c) == SQLITE_OK;
        pthread_mutex_lock(&nm->mu);
        c->next = nm->spare;
        nm->spare = c;
        pthread_cond_broadcast(&nm->cv);
    }
    bool quit = nm->quit;
    pthread_mutex_unlock(&nm->mu);
    sqlite3_finalize(st);
    /* the commit writes FTS5's pending terms out to its shadow tables */
    ok = ok && !quit && sqlite3_exec(nm->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    pthread_mutex_lock(&nm->mu);
    nm->failed = !ok;
    pthread_mutex_unlock(&nm->mu);
    return NULL;
}

static void names_free(struct sq_names *nm)
{
    for (chunk *lists[] = {nm->head, nm->spare, nm->cur}, **l = lists; l < lists + 3; l++)
        for (chunk *c = *l, *next; c != NULL; c = next) {
            next = c->next;
            free(c);
        }
    sqlite3_close(nm->db);
    pthread_mutex_destroy(&nm->mu);
    pthread_cond_destroy(&nm->cv);
    free(nm);
}

void sq_names_start(sq_tx *tx)
{
    struct sq_names *nm = calloc(1, sizeof(*nm));
    if (nm == NULL)
        return;
    nm->tail = &nm->head;
    pthread_mutex_init(&nm->mu, NULL);
    pthread_cond_init(&nm->cv, NULL);
    /* the page cache of a bulk load's writer (sqlite_bulk.c): bounded memory */
    if (sqlite3_open_v2("", &nm->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                         SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        sqlite3_exec(nm->db,
                     "PRAGMA cache_size = -4096; PRAGMA temp_store = FILE;"
                     "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                     "CREATE VIRTUAL TABLE n USING fts5(nama, content='', "
                     SQ_NAME_INDEX_OPTIONS ");"
                     /* as the rebuild at the end of a bulk load did */
                     "INSERT INTO n(n, rank) VALUES ('automerge', 16)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        pthread_create(&nm->thread, NULL, names_main, nm) != 0) {
        sq_log(tx->q, "bulk load: no thread for the name index (%s); rebuilt at the end",
               nm->db ? sqlite3_errmsg(nm->db) : "?");
        names_free(nm);
        return;
    }
    tx->names = nm;
}

/* The writer's chunk to the queue (under mu). */
static void enqueue_cur(struct sq_names *nm)
{
    if (nm->cur == NULL)
        return;
    nm->cur->next = NULL;
    *nm->tail = nm->cur;
    nm->tail = &nm->cur->next;
    nm->cur = NULL;
    pthread_cond_broadcast(&nm->cv);
}

/* The writer's chunk full: queued, and another taken (waiting while the
 * thread holds every one). */
static chunk *next_chunk(struct sq_names *nm)
{
    pthread_mutex_lock(&nm->mu);
    enqueue_cur(nm);
    while (nm->spare == NULL && nm->nchunks >= CHUNKS_MAX)
        pthread_cond_wait(&nm->cv, &nm->mu);
    chunk *c = nm->spare;
    if (c != NULL)
        nm->spare = c->next;
    else if ((c = malloc(sizeof(*c))) != NULL)
        nm->nchunks++;
    pthread_mutex_unlock(&nm->mu);
    if (c != NULL)
        c->len = 0;
    return nm->cur = c;
}

void sq_names_add(sq_tx *tx, int64_t id, const char *nama)
{
    struct sq_names *nm = tx->names;
    if (nm == NULL)
        return;
    size_t len = strlen(nama), need = sizeof(id) + sizeof(uint16_t) + len;
    if (len > UINT16_MAX) {
        sq_names_drop(tx);
        return;
    }
    chunk *c = nm->cur;
    if ((c == NULL || c->len + need > CHUNK_BYTES) && (c = next_chunk(nm)) == NULL) {
        sq_names_drop(tx); /* out of memory: rebuilt at the end */
        return;
    }
    uint16_t l16 = (uint16_t)len;
    memcpy(c->data + c->len, &id, sizeof(id));
    memcpy(c->data + c->len + sizeof(id), &l16, sizeof(l16));
    memcpy(c->data + c->len + sizeof(id) + sizeof(l16), nama, len);
    c->len += need;
}

void sq_names_close(sq_tx *tx)
{
    struct sq_names *nm = tx->names;
    if (nm == NULL)
        return;
    pthread_mutex_lock(&nm->mu);
    enqueue_cur(nm);
    nm->closed = true;
    pthread_cond_broadcast(&nm->cv);
    pthread_mutex_unlock(&nm->mu);
}

/* Stops the thread: after the last chunk, or at once when `quit`;
 * whether it indexed every name it was given. */
static bool names_join(sq_tx *tx, bool quit)
{
    struct sq_names *nm = tx->names;
    sq_names_close(tx);
    pthread_mutex_lock(&nm->mu);
    nm->quit |= quit;
    pthread_cond_broadcast(&nm->cv);
    pthread_mutex_unlock(&nm->mu);
    pthread_join(nm->thread, NULL);
    return !nm->failed;
}

void sq_names_drop(sq_tx *tx)
{
    if (tx->names == NULL)
        return;
    names_join(tx, true);
    names_free(tx->names);
    tx->names = NULL;
}

/* Rows of the temporary database's `from` into the registry's `to`, column
 * for column. */
static int copy_table(sqlite3 *src, const char *from, sqlite3 *dst, const char *to)
{
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc = sqlite3_prepare_v2(src, from, -1, &sel, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(dst, to, -1, &ins, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(sel); i++)
            sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i));
        rc = sqlite3_step(ins);
        rc = rc == SQLITE_DONE ? sqlite3_reset(ins) : rc;
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int sq_names_finish(sq_tx *tx, bool *done)
{
    *done = false;
    struct sq_names *nm = tx->names;
    if (nm == NULL)
        return SQLITE_OK;
    bool ok = names_join(tx, false);
    tx->names = NULL;
    sqlite3 *db = tx->q->writer->db;
    int rc = SQLITE_OK;
    if (ok) {
        rc = sqlite3_exec(db, "DROP TABLE participant_name;" SQ_NAME_INDEX_CREATE, NULL, NULL,
                          NULL);
        if (rc == SQLITE_OK)
            rc = copy_table(nm->db, "SELECT id, block FROM n_data", db,
                            "INSERT OR REPLACE INTO participant_name_data (id, block)"
                            " VALUES (?1, ?2)");
        if (rc == SQLITE_OK)
            rc = copy_table(nm->db, "SELECT segid, term, pgno FROM n_idx", db,
                            "INSERT INTO participant_name_idx (segid, term, pgno)"
                            " VALUES (?1, ?2, ?3)");
        *done = rc == SQLITE_OK;
    } else {
        sq_log(tx->q, "bulk load: the name index's thread failed; rebuilt from the rows");
    }
    names_free(nm);
    return rc;
}
