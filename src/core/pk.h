/* pk.h -- things every layer of prakerja shares.
 *
 * Error convention (libuv style): functions return 0 on success or a
 * negative PK_E* constant; they never hide an error in a global.  Reason
 * codes (what the CSV spec and the API call "codes") are an enum with a
 * machine name and an Indonesian sentence each; a set of them is a 64-bit
 * mask, so a verdict is a plain value that needs no allocation. */
#ifndef PK_H
#define PK_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define PK_VERSION "0.1.0"

enum {
    PK_OK = 0,
    PK_ENOMEM = -1,   /* allocation failed or a size cap was hit */
    PK_EINVAL = -2,   /* input does not have the required shape */
    PK_ENOENT = -3,   /* no such thing */
    PK_EIO = -4,      /* file or database I/O failed */
    PK_ETOOBIG = -5,  /* input larger than its cap */
    PK_ESCHEMA = -6,  /* database schema newer than this binary */
    PK_ECONFLICT = -7, /* uniqueness violated */
    PK_EDENIED = -8,   /* wrong credentials, or not allowed */
    PK_EBUSY = -9,     /* a bounded resource stayed busy: try again later */
    PK_ELIMIT = -10,   /* too many attempts: wait before trying again */
    PK_ENOSPC = -11    /* the database's storage is full: nothing was written */
};

/* Every reason code the program knows, in one table (codes.c).  The order
 * is the order in which they are listed to a person.  The numeric values
 * are stored in databases (as bit masks): append new codes at the end
 * (before PK_C__COUNT), never reorder or remove one. */
typedef enum pk_code {
    /* rejections of a record (CSV spec) */
    PK_C_BARIS_RUSAK,
    PK_C_KOLOM_WAJIB_HILANG,
    PK_C_NIK_FORMAT,
    PK_C_NIK_TANGGAL,
    PK_C_NIK_PROVINSI,
    PK_C_KK_FORMAT,
    PK_C_NAMA_KOSONG,
    PK_C_NAMA_TERLALU_PANJANG,
    PK_C_TANGGAL_LAHIR_INVALID,
    PK_C_JENIS_KELAMIN_INVALID,
    PK_C_NO_HP_INVALID,
    PK_C_EMAIL_INVALID,
    PK_C_WILAYAH_TIDAK_DIKENAL,
    PK_C_WILAYAH_DI_LUAR_LAYANAN,
    PK_C_ALAMAT_TERLALU_PANJANG,
    PK_C_PENDIDIKAN_INVALID,
    PK_C_SEGMEN_INVALID,
    PK_C_PEKERJAAN_INVALID,
    /* warnings */
    PK_C_NIK_TANGGAL_BERBEDA,
    PK_C_NIK_KELAMIN_BERBEDA,
    PK_C_NIK_WILAYAH_TIDAK_DIKENAL,
    /* eligibility */
    PK_C_USIA_KURANG,
    PK_C_USIA_LEBIH,
    PK_C_SEDANG_SEKOLAH,
    PK_C_PEKERJAAN_DIKECUALIKAN,
    PK_C_KUOTA_KK_PENUH,
    PK_C_PENERIMA_BANSOS,
    PK_C_DAFTAR_HITAM,
    PK_C_PERNAH_MENERIMA,
    /* rejections added later (values are stored: appended, not grouped) */
    PK_C_NAMA_KARAKTER_TERSEMBUNYI,
    PK_C_NAMA_AWALAN_TIDAK_DIIZINKAN,
    /* the draw of a wave (selection.md) */
    PK_C_KUOTA_GELOMBANG_PENUH,
    PK_C_KUOTA_WILAYAH_PENUH,
    /* the journey's events (journey-events-csv.md) */
    PK_C_KOLOM_TIDAK_VALID,
    PK_C_PESERTA_TIDAK_DIKENAL,
    PK_C_SALDO_TIDAK_CUKUP,
    PK_C_SUDAH_PENERIMA,
    PK_C_BELUM_PENERIMA,
    PK_C_SUDAH_DICABUT,
    PK_C_PEMBELIAN_TIDAK_DIKENAL,
    PK_C_SUDAH_DIBATALKAN,
    PK_C_JUMLAH_TIDAK_SESUAI,
    /* the platform API (app/purchase.c) */
    PK_C_KARTU_TIDAK_DIKENAL,
    PK_C_PELATIHAN_TIDAK_DIKENAL,
    PK_C_SUDAH_SELESAI,
    PK_C_BELUM_SELESAI,
    PK_C_SUDAH_DIULAS,
    PK_C_ULASAN_TIDAK_VALID,
    PK_C_SERTIFIKAT_TIDAK_VALID,
    /* joining a wave of this deployment (selection.md), the daily job */
    PK_C_GELOMBANG_TIDAK_DIKENAL,
    PK_C_GELOMBANG_TIDAK_DIBUKA,
    PK_C_MASIH_DI_GELOMBANG_LAIN,
    PK_C_TIDAK_MEMBELI_PELATIHAN,
    PK_C_BATAS_SALDO_LEWAT,
    PK_C_WAKTU_DI_MASA_DEPAN,
    PK_C_BATAS_PEMBELIAN_LEWAT,
    /* the platform API: a card number replaced (prakerja cards reissue) */
    PK_C_KARTU_DIGANTI,
    PK_C__COUNT
} pk_code;

typedef uint64_t pk_codeset;
#define PK_CODEBIT(c) ((pk_codeset)1 << (c))

/* Machine name ("nik_format"), Indonesian sentence, and the participant
 * field the code is about ("nik"; NULL when it is about no single field). */
const char *pk_code_name(pk_code c);
const char *pk_code_message(pk_code c);
const char *pk_code_field(pk_code c);
/* A short phrase for staff, about the person rather than to them
 * ("Usia di bawah batas minimal"): the eligibility codes have one of
 * their own, every other code answers its message. */
const char *pk_code_label(pk_code c);
/* Looks a code up by machine name; returns PK_C__COUNT when unknown. */
pk_code pk_code_by_name(const char *name);

/* Iterate over a set in listing order:
 *   for (pk_code c = 0; c < PK_C__COUNT; c++) if (set & PK_CODEBIT(c)) ... */

/* Sizes the layers share: a staff account's name (+ NUL), role name, and
 * the keyed hash of a session id or API token. */
#define PK_USERNAME_MAX 33   /* [a-z0-9._-]{3,32} + NUL */
#define PK_ROLE_MAX 16
#define PK_AUTH_HASH_LEN 32

/* Where a layer reports what it cannot return to its caller (a store
 * diagnostic, an access-log write that failed): one line of English, no
 * newline, never personal data.  The adapter gives the function (the CLI
 * prints "prakerja: MSG"); NULL drops the line.  pk_logf formats it (at
 * most 511 bytes) and calls fn. */
typedef void (*pk_log_fn)(void *ctx, const char *msg);
void pk_logf(pk_log_fn fn, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void pk_vlogf(pk_log_fn fn, void *ctx, const char *fmt, va_list ap);

#define PK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The value of a hexadecimal digit (either case), or -1. */
static inline int pk_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

#endif
