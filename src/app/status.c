/* status.c -- the residents' status look-up (see status.h). */
#include "app/status.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/ident.h"
#include "core/pk.h"
#include "store/store.h"

static const char NEXT_FOUND[] =
    "Masuk ke Akun saya (menu Akun saya, dengan kode yang dikirim ke nomor HP Anda) untuk "
    "melihat perjalanan Anda dan ikut gelombang yang sedang dibuka. Hasil pemeriksaan "
    "kelayakan dan alasannya tidak ditampilkan di halaman umum ini, demi melindungi data "
    "Anda; petugas di kantor kelurahan dapat memeriksanya bila Anda membawa KTP dan Kartu "
    "Keluarga.";
static const char NEXT_NOT_FOUND[] =
    "Jika Anda belum mendaftar, silakan daftar melalui halaman Daftar. Jika Anda yakin "
    "sudah mendaftar, periksa kembali NIK dan tanggal lahir, atau datangi kantor kelurahan "
    "dengan membawa KTP dan Kartu Keluarga.";

int pk_app_status(const pk_app *app, const char *nik, size_t nik_len, const char *birth,
                  size_t birth_len, pk_status_result *out)
{
    memset(out, 0, sizeof(*out));
    out->message = PK_STATUS_NOT_FOUND;
    out->next_step = NEXT_NOT_FOUND;
    /* The same work whatever the input: trim, blind-index what was given
     * (a malformed NIK simply matches nothing), one query, one compare. */
    const char *t = pk_trim(nik, &nik_len);
    char digits[64];
    if (nik_len >= sizeof(digits))
        nik_len = sizeof(digits) - 1;
    memcpy(digits, t, nik_len);
    digits[nik_len] = '\0';
    bool shape = nik_len == 16 && strspn(digits, "0123456789") == 16;

    const char *b = pk_trim(birth, &birth_len);
    pk_date given = {0};
    char want[16] = "-";
    if (pk_date_parse(b, birth_len, &given) == 0)
        pk_date_format(given, want);

    uint8_t bi[PK_BI_LEN];
    pk_vault_blind(&app->vault, "nik", digits, bi);
    pk_pstatus st;
    int rc = pk_store_participant_status(app->store, bi, &st);
    if (rc != 0 && rc != PK_ENOENT)
        return PK_EIO;
    char have[16] = "";
    snprintf(have, sizeof(have), "%s", rc == 0 ? st.tanggal_lahir : "+");
    bool match = sodium_memcmp(have, want, sizeof(have)) == 0;
    if (rc != 0 || !shape || !match)
        return 0;

    out->found = true;
    out->message = PK_STATUS_FOUND;
    out->next_step = NEXT_FOUND;
    return 0;
}
