/* participant.h -- a person's record in normal form, and its validation.
 *
 * Field names, formats and reason codes are those of the published
 * exchange-file contract (shared/spec/participants-csv.md); the JSON API
 * uses the same names. */
#ifndef PK_PARTICIPANT_H
#define PK_PARTICIPANT_H

#include "core/date.h"
#include "core/nik.h"
#include "core/pk.h"
#include "core/region.h"

typedef enum pk_field {
    PK_F_NIK, PK_F_NO_KK, PK_F_NAMA, PK_F_TANGGAL_LAHIR, PK_F_JENIS_KELAMIN,
    PK_F_NO_HP, PK_F_EMAIL, PK_F_KODE_WILAYAH, PK_F_ALAMAT, PK_F_PENDIDIKAN,
    PK_F_SEGMEN, PK_F_PEKERJAAN,
    PK_F__COUNT
} pk_field;

/* "nik", "no_kk", ... in the spec's column order. */
const char *pk_field_name(pk_field f);
bool pk_field_required(pk_field f);
/* PK_F__COUNT when unknown; case-insensitive. */
pk_field pk_field_by_name(const char *name, size_t len);

/* Enumerations: index 0 is "not given" for the optional ones. */
typedef enum { PK_EDU_NONE, PK_EDU_TIDAK_SEKOLAH, PK_EDU_SD, PK_EDU_SMP, PK_EDU_SMA,
               PK_EDU_D1, PK_EDU_D2, PK_EDU_D3, PK_EDU_D4, PK_EDU_S1, PK_EDU_S2,
               PK_EDU_S3, PK_EDU__COUNT } pk_education;
typedef enum { PK_SEG_NONE, PK_SEG_PENCARI_KERJA, PK_SEG_KORBAN_PHK,
               PK_SEG_PENINGKATAN_KOMPETENSI, PK_SEG__COUNT } pk_segment;
typedef enum { PK_JOB_NONE, PK_JOB_ASN, PK_JOB_TNI, PK_JOB_POLRI, PK_JOB_PEJABAT_NEGARA,
               PK_JOB_ANGGOTA_DPR, PK_JOB_ANGGOTA_DPRD, PK_JOB_KEPALA_DESA,
               PK_JOB_PERANGKAT_DESA, PK_JOB_DIREKSI_BUMN_BUMD, PK_JOB_PELAJAR,
               PK_JOB_MAHASISWA, PK_JOB_WIRASWASTA, PK_JOB_KARYAWAN_SWASTA,
               PK_JOB_LAINNYA, PK_JOB__COUNT } pk_occupation;

/* Machine value ("s1") and Indonesian label ("S1 / Sarjana"); value of
 * *_NONE is "". */
const char *pk_education_name(pk_education e);
const char *pk_education_label(pk_education e);
const char *pk_segment_name(pk_segment s);
const char *pk_segment_label(pk_segment s);
const char *pk_occupation_name(pk_occupation o);
const char *pk_occupation_label(pk_occupation o);

/* Raw input: one string per field, as typed (NULL or "" when absent). */
typedef struct pk_participant_input {
    const char *v[PK_F__COUNT];
    size_t len[PK_F__COUNT];
} pk_participant_input;

#define PK_NAMA_MAX_CHARS 100
#define PK_ALAMAT_MAX_CHARS 200

/* A record in normal form. */
typedef struct pk_participant {
    char nik[17];
    char no_kk[17];
    char nama[4 * PK_NAMA_MAX_CHARS + 1];  /* trimmed UTF-8 */
    pk_date tanggal_lahir;
    char jenis_kelamin;                     /* 'L' or 'P' */
    char no_hp[16];                         /* E.164 */
    char email[255];                        /* "" when not given */
    char kode_wilayah[PK_REGION_CODE_MAX];  /* dotted village code */
    char alamat[4 * PK_ALAMAT_MAX_CHARS + 1];
    pk_education pendidikan;
    pk_segment segmen;
    pk_occupation pekerjaan;
} pk_participant;

typedef struct pk_validation {
    pk_codeset errors;    /* rejection codes; 0 when the record is valid */
    unsigned bad_fields;  /* 1<<field for every field with an error (baris_rusak,
                           * which names no field, included) */
    pk_codeset warnings;
    pk_nik_info nik;      /* what the NIK says */
} pk_validation;

/* Validates and normalises every field (all errors are collected, not
 * only the first).  `service_province` is the deployment's service area
 * ("31" for Jakarta); NULL or "" accepts every province.  Returns 0 when
 * the record is valid, PK_EINVAL otherwise; *out is filled as far as
 * fields were valid. */
int pk_participant_validate(const pk_participant_input *in, const pk_regions *regions,
                            const char *service_province, pk_date today,
                            pk_participant *out, pk_validation *v);

#endif
