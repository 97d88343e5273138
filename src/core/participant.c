/* participant.c -- field names, enumerations and validation of a
 * participant record (participant.h), per shared/spec/participants-csv.md.
 *
 * Validation looks at every field and collects every reason code, so that
 * a rejected row can be fixed in one pass.  An empty required field gets
 * that field's format code (nik_format, kk_format, nama_kosong, ...): the
 * spec has no separate "missing value" code.
 *
 * Invalid UTF-8 (or a control character) in a free-text field (nama,
 * alamat) is reported as baris_rusak: the bytes are damaged, and
 * "nama_kosong" or "terlalu_panjang" would send the person looking for the
 * wrong problem.  Other fields have a fixed shape, so damaged bytes there
 * are simply that field's format error. */
#include "core/participant.h"

#include <string.h>
#include <strings.h>

#include "core/ident.h"

static const struct {
    const char *name;
    bool required;
} fields[PK_F__COUNT] = {
    [PK_F_NIK] = {"nik", true},
    [PK_F_NO_KK] = {"no_kk", true},
    [PK_F_NAMA] = {"nama", true},
    [PK_F_TANGGAL_LAHIR] = {"tanggal_lahir", true},
    [PK_F_JENIS_KELAMIN] = {"jenis_kelamin", true},
    [PK_F_NO_HP] = {"no_hp", true},
    [PK_F_EMAIL] = {"email", false},
    [PK_F_KODE_WILAYAH] = {"kode_wilayah", true},
    [PK_F_ALAMAT] = {"alamat", false},
    [PK_F_PENDIDIKAN] = {"pendidikan", false},
    [PK_F_SEGMEN] = {"segmen", true},
    [PK_F_PEKERJAAN] = {"pekerjaan", false},
};

const char *pk_field_name(pk_field f)
{
    return (unsigned)f < PK_F__COUNT ? fields[f].name : "";
}

bool pk_field_required(pk_field f)
{
    return (unsigned)f < PK_F__COUNT && fields[f].required;
}

/* Case-insensitive equality of (s, len) and the NUL-terminated name. */
static bool name_eq(const char *s, size_t len, const char *name)
{
    return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

pk_field pk_field_by_name(const char *name, size_t len)
{
    if (!name)
        return PK_F__COUNT;
    /* Spreadsheets like to pad header cells. */
    name = pk_trim(name, &len);
    for (int f = 0; f < PK_F__COUNT; f++)
        if (name_eq(name, len, fields[f].name))
            return (pk_field)f;
    return PK_F__COUNT;
}

/* ---- enumerations ---- */

typedef struct enum_entry {
    const char *name, *label;
} enum_entry;

static const enum_entry education[PK_EDU__COUNT] = {
    [PK_EDU_NONE] = {"", ""},
    [PK_EDU_TIDAK_SEKOLAH] = {"tidak_sekolah", "Tidak sekolah"},
    [PK_EDU_SD] = {"sd", "SD"},
    [PK_EDU_SMP] = {"smp", "SMP"},
    [PK_EDU_SMA] = {"sma", "SMA/SMK"},
    [PK_EDU_D1] = {"d1", "D1"},
    [PK_EDU_D2] = {"d2", "D2"},
    [PK_EDU_D3] = {"d3", "D3"},
    [PK_EDU_D4] = {"d4", "D4"},
    [PK_EDU_S1] = {"s1", "S1"},
    [PK_EDU_S2] = {"s2", "S2"},
    [PK_EDU_S3] = {"s3", "S3"},
};

static const enum_entry segment[PK_SEG__COUNT] = {
    [PK_SEG_NONE] = {"", ""},
    [PK_SEG_PENCARI_KERJA] = {"pencari_kerja", "Pencari kerja"},
    [PK_SEG_KORBAN_PHK] = {"korban_phk", "Korban PHK"},
    [PK_SEG_PENINGKATAN_KOMPETENSI] = {"peningkatan_kompetensi",
                                       "Pekerja yang membutuhkan peningkatan kompetensi"},
};

static const enum_entry occupation[PK_JOB__COUNT] = {
    [PK_JOB_NONE] = {"", ""},
    [PK_JOB_ASN] = {"asn", "ASN (PNS/PPPK)"},
    [PK_JOB_TNI] = {"tni", "TNI"},
    [PK_JOB_POLRI] = {"polri", "Polri"},
    [PK_JOB_PEJABAT_NEGARA] = {"pejabat_negara", "Pejabat negara"},
    [PK_JOB_ANGGOTA_DPR] = {"anggota_dpr", "Anggota DPR"},
    [PK_JOB_ANGGOTA_DPRD] = {"anggota_dprd", "Anggota DPRD"},
    [PK_JOB_KEPALA_DESA] = {"kepala_desa", "Kepala desa"},
    [PK_JOB_PERANGKAT_DESA] = {"perangkat_desa", "Perangkat desa"},
    [PK_JOB_DIREKSI_BUMN_BUMD] = {"direksi_bumn_bumd",
                                  "Direksi/komisaris/dewan pengawas BUMN/BUMD"},
    [PK_JOB_PELAJAR] = {"pelajar", "Pelajar"},
    [PK_JOB_MAHASISWA] = {"mahasiswa", "Mahasiswa"},
    [PK_JOB_WIRASWASTA] = {"wiraswasta", "Wiraswasta"},
    [PK_JOB_KARYAWAN_SWASTA] = {"karyawan_swasta", "Karyawan swasta"},
    [PK_JOB_LAINNYA] = {"lainnya", "Lainnya"},
};

const char *pk_education_name(pk_education e)
{
    return (unsigned)e < PK_EDU__COUNT ? education[e].name : "";
}

const char *pk_education_label(pk_education e)
{
    return (unsigned)e < PK_EDU__COUNT ? education[e].label : "";
}

const char *pk_segment_name(pk_segment s)
{
    return (unsigned)s < PK_SEG__COUNT ? segment[s].name : "";
}

const char *pk_segment_label(pk_segment s)
{
    return (unsigned)s < PK_SEG__COUNT ? segment[s].label : "";
}

const char *pk_occupation_name(pk_occupation o)
{
    return (unsigned)o < PK_JOB__COUNT ? occupation[o].name : "";
}

const char *pk_occupation_label(pk_occupation o)
{
    return (unsigned)o < PK_JOB__COUNT ? occupation[o].label : "";
}

/* Index of the entry whose name matches (case-insensitively), from 1 (0,
 * "not given", is never matched); -1 when none does. */
static int enum_find(const enum_entry *t, int count, const char *s, size_t len)
{
    for (int i = 1; i < count; i++)
        if (name_eq(s, len, t[i].name))
            return i;
    return -1;
}

/* ---- validation ---- */

/* Copies len bytes and a NUL; the caller has checked the size. */
static void copy_str(char *dst, size_t cap, const char *s, size_t len)
{
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

/* The field a reason code is about (codes.c says), for marking it bad. */
static pk_field pk_field_of(pk_code c)
{
    const char *name = pk_code_field(c);
    return name ? pk_field_by_name(name, strlen(name)) : PK_F__COUNT;
}

/* Checks a free-text field of at most max code points (min 1 when
 * required).  Returns the code to report, or PK_C__COUNT when fine. */
static pk_code check_text(const char *s, size_t len, long max, pk_code empty_code,
                          pk_code long_code, bool multiline)
{
    long n = 0;
    if (multiline) {
        /* An address may span lines (the exchange file allows line breaks
         * in quoted fields): count each line, and each break as one. */
        size_t start = 0;
        for (size_t i = 0; i <= len; i++) {
            if (i < len && s[i] != '\n' && s[i] != '\r')
                continue;
            long part = pk_utf8_chars(s + start, i - start);
            if (part < 0)
                return PK_C_BARIS_RUSAK;
            n += part + (i < len);
            start = i + 1;
        }
    } else {
        n = pk_utf8_chars(s, len);
    }
    if (n < 0)
        return PK_C_BARIS_RUSAK;
    if (n == 0 && empty_code != PK_C__COUNT)
        return empty_code;
    if (n > max)
        return long_code;
    return PK_C__COUNT;
}

int pk_participant_validate(const pk_participant_input *in, const pk_regions *regions,
                            const char *service_province, pk_date today,
                            pk_participant *out, pk_validation *v)
{
    pk_validation local;
    if (!v)
        v = &local;
    memset(out, 0, sizeof *out);
    memset(v, 0, sizeof *v);

    /* Trimmed views of every field. */
    const char *f[PK_F__COUNT];
    size_t n[PK_F__COUNT];
    for (int i = 0; i < PK_F__COUNT; i++) {
        f[i] = in->v[i] ? in->v[i] : "";
        n[i] = in->v[i] ? in->len[i] : 0;
        f[i] = pk_trim(f[i], &n[i]);
    }
    /* Every error is also marked on its field: baris_rusak (bad bytes in
     * a text field) names no field by itself. */
#define ERRF(field, c) (v->errors |= PK_CODEBIT(c), v->bad_fields |= 1u << (field))
#define ERR(c) ERRF(pk_field_of(c), c)

    /* nik: its own module decides errors and warnings. */
    pk_nik_check(f[PK_F_NIK], n[PK_F_NIK], regions, today, &v->nik);
    v->errors |= v->nik.errors;
    if (v->nik.errors)
        v->bad_fields |= 1u << PK_F_NIK;
    v->warnings |= v->nik.warnings;
    if (!v->nik.errors)
        memcpy(out->nik, v->nik.nik, sizeof out->nik);

    if (pk_kk_check(f[PK_F_NO_KK], n[PK_F_NO_KK], out->no_kk) != 0)
        ERR(PK_C_KK_FORMAT);

    pk_code c = check_text(f[PK_F_NAMA], n[PK_F_NAMA], PK_NAMA_MAX_CHARS, PK_C_NAMA_KOSONG,
                           PK_C_NAMA_TERLALU_PANJANG, false);
    /* A name is shown to staff and written to exchange files: no hidden
     * characters that make it display as another, and no start that a
     * spreadsheet takes for a formula. */
    if (c == PK_C__COUNT && pk_text_has_invisible(f[PK_F_NAMA], n[PK_F_NAMA]))
        c = PK_C_NAMA_KARAKTER_TERSEMBUNYI;
    if (c == PK_C__COUNT && pk_text_formula_start(f[PK_F_NAMA], n[PK_F_NAMA]))
        c = PK_C_NAMA_AWALAN_TIDAK_DIIZINKAN;
    if (c != PK_C__COUNT)
        ERRF(PK_F_NAMA, c);
    else
        copy_str(out->nama, sizeof out->nama, f[PK_F_NAMA], n[PK_F_NAMA]);

    bool birth_ok = false;
    pk_date birth;
    if (pk_date_parse(f[PK_F_TANGGAL_LAHIR], n[PK_F_TANGGAL_LAHIR], &birth) == 0 &&
        pk_date_cmp(birth, today) <= 0) {
        birth_ok = true;
        out->tanggal_lahir = birth;
    } else {
        ERR(PK_C_TANGGAL_LAHIR_INVALID);
    }

    char sex = 0;
    if (n[PK_F_JENIS_KELAMIN] == 1) {
        char s = f[PK_F_JENIS_KELAMIN][0];
        if (s == 'L' || s == 'l')
            sex = 'L';
        else if (s == 'P' || s == 'p')
            sex = 'P';
    }
    if (sex)
        out->jenis_kelamin = sex;
    else
        ERR(PK_C_JENIS_KELAMIN_INVALID);

    if (pk_phone_normalize(f[PK_F_NO_HP], n[PK_F_NO_HP], out->no_hp) != 0) {
        out->no_hp[0] = '\0';
        ERR(PK_C_NO_HP_INVALID);
    }

    if (n[PK_F_EMAIL]) {
        if (n[PK_F_EMAIL] < sizeof out->email &&
            pk_email_check(f[PK_F_EMAIL], n[PK_F_EMAIL]) == 0)
            copy_str(out->email, sizeof out->email, f[PK_F_EMAIL], n[PK_F_EMAIL]);
        else
            ERR(PK_C_EMAIL_INVALID);
    }

    char code[PK_REGION_CODE_MAX];
    const pk_region *village = NULL;
    if (pk_region_normalize(f[PK_F_KODE_WILAYAH], n[PK_F_KODE_WILAYAH], code) ==
            PK_REGION_VILLAGE &&
        regions)
        village = pk_regions_find(regions, code);
    if (!village) {
        ERR(PK_C_WILAYAH_TIDAK_DIKENAL);
    } else {
        memcpy(out->kode_wilayah, village->code, sizeof out->kode_wilayah);
        if (service_province && service_province[0]) {
            size_t pl = strlen(service_province);
            if (strncmp(village->code, service_province, pl) != 0 || village->code[pl] != '.')
                ERR(PK_C_WILAYAH_DI_LUAR_LAYANAN);
        }
    }

    if (n[PK_F_ALAMAT]) {
        c = check_text(f[PK_F_ALAMAT], n[PK_F_ALAMAT], PK_ALAMAT_MAX_CHARS, PK_C__COUNT,
                       PK_C_ALAMAT_TERLALU_PANJANG, true);
        if (c != PK_C__COUNT)
            ERRF(PK_F_ALAMAT, c);
        else
            copy_str(out->alamat, sizeof out->alamat, f[PK_F_ALAMAT], n[PK_F_ALAMAT]);
    }

    if (n[PK_F_PENDIDIKAN]) {
        int e = enum_find(education, PK_EDU__COUNT, f[PK_F_PENDIDIKAN], n[PK_F_PENDIDIKAN]);
        if (e < 0)
            ERR(PK_C_PENDIDIKAN_INVALID);
        else
            out->pendidikan = (pk_education)e;
    }

    int seg = enum_find(segment, PK_SEG__COUNT, f[PK_F_SEGMEN], n[PK_F_SEGMEN]);
    if (seg < 0)
        ERR(PK_C_SEGMEN_INVALID);
    else
        out->segmen = (pk_segment)seg;

    if (n[PK_F_PEKERJAAN]) {
        int o = enum_find(occupation, PK_JOB__COUNT, f[PK_F_PEKERJAAN], n[PK_F_PEKERJAAN]);
        if (o < 0)
            ERR(PK_C_PEKERJAAN_INVALID);
        else
            out->pekerjaan = (pk_occupation)o;
    }

    /* A later correction of the birth date or sex does not change the
     * NIK, so disagreement is a warning (domain.md). */
    if (v->nik.has_birth && birth_ok && pk_date_cmp(v->nik.birth, birth) != 0)
        v->warnings |= PK_CODEBIT(PK_C_NIK_TANGGAL_BERBEDA);
    if (v->nik.has_birth && sex && v->nik.sex != sex)
        v->warnings |= PK_CODEBIT(PK_C_NIK_KELAMIN_BERBEDA);
#undef ERR
#undef ERRF

    return v->errors ? PK_EINVAL : 0;
}
