/* status.c -- the residents' status look-up (see status.h). */
#include "app/status.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/ident.h"
#include "core/pk.h"

/* created_at ("2026-11-28T00:47:53.123Z", UTC) as a day in Jakarta. */
static pk_date registered_day(const char *created_at)
{
    struct tm tm = {0};
    pk_date d = {0};
    if (sscanf(created_at, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
        pk_date_parse(created_at, strlen(created_at) < 10 ? strlen(created_at) : 10, &d);
        return d;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return pk_date_wib(timegm(&tm));
}

static const char *next_step(pk_codeset reasons)
{
    if (reasons == 0)
        return "Pendaftaran Anda sudah tercatat dan Anda memenuhi syarat. Tunggu pengumuman "
               "hasil seleksi gelombang melalui SMS atau e-mail yang Anda daftarkan; setelah "
               "dinyatakan lolos, pilih dan beli pelatihan pertama sebelum batas waktunya.";
    if (reasons == PK_CODEBIT(PK_C_KUOTA_KK_PENUH))
        return "Pendaftaran Anda sudah tercatat, tetapi kuota anggota keluarga dalam satu "
               "Kartu Keluarga sudah penuh. Jika menurut Anda data ini keliru, datangi kantor "
               "kelurahan dengan membawa KTP dan Kartu Keluarga.";
    return "Pendaftaran Anda sudah tercatat, tetapi Anda belum memenuhi syarat karena alasan "
           "di atas. Jika data Anda berubah atau menurut Anda ada yang keliru, datangi kantor "
           "kelurahan dengan membawa KTP dan Kartu Keluarga.";
}

int pk_app_status(const pk_app *app, const char *nik, size_t nik_len, const char *birth,
                  size_t birth_len, pk_status_result *out)
{
    memset(out, 0, sizeof(*out));
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
    pk_nik_mask(digits, out->nik_masked);
    out->registered = registered_day(st.created_at);
    snprintf(out->scheme_buf, sizeof(out->scheme_buf), "%s", st.scheme);
    out->scheme_id = out->scheme_buf;
    const pk_scheme *s = pk_schemes_find(&app->schemes, st.scheme);
    out->scheme_name = s ? s->name : "";
    out->reasons = st.reasons;
    out->next_step = next_step(st.reasons);
    return 0;
}
