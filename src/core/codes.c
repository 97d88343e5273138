/* codes.c -- the one table of reason codes: machine name, the sentence a
 * member of the public reads (Bahasa Indonesia), and the field it is about.
 *
 * Names and messages are part of the published CSV contract and of the
 * API, so they live in a single table that tests check for completeness. */
#include "core/pk.h"

#include <string.h>

typedef struct code_entry {
    const char *name;
    const char *message;
    const char *field;
} code_entry;

/* Indexed by enum so that reordering pk_code cannot silently shift the
 * messages; the size check below catches a code added without an entry. */
static const code_entry codes[] = {
    [PK_C_BARIS_RUSAK] = {"baris_rusak",
        "Baris data rusak dan tidak dapat dibaca.", NULL},
    [PK_C_KOLOM_WAJIB_HILANG] = {"kolom_wajib_hilang",
        "Kolom wajib tidak ditemukan pada baris judul berkas.", NULL},
    [PK_C_NIK_FORMAT] = {"nik_format",
        "NIK harus terdiri dari 16 angka, dan 4 angka terakhirnya (nomor urut) tidak boleh 0000.", "nik"},
    [PK_C_NIK_TANGGAL] = {"nik_tanggal",
        "Tanggal lahir yang tercantum dalam NIK tidak valid.", "nik"},
    [PK_C_NIK_PROVINSI] = {"nik_provinsi",
        "Kode provinsi pada NIK tidak dikenal.", "nik"},
    [PK_C_KK_FORMAT] = {"kk_format",
        "Nomor Kartu Keluarga (KK) harus terdiri dari 16 angka.", "no_kk"},
    [PK_C_NAMA_KOSONG] = {"nama_kosong",
        "Nama wajib diisi.", "nama"},
    [PK_C_NAMA_TERLALU_PANJANG] = {"nama_terlalu_panjang",
        "Nama terlalu panjang (paling banyak 100 karakter).", "nama"},
    [PK_C_TANGGAL_LAHIR_INVALID] = {"tanggal_lahir_invalid",
        "Tanggal lahir harus berupa tanggal yang benar dengan format TTTT-BB-HH.",
        "tanggal_lahir"},
    [PK_C_JENIS_KELAMIN_INVALID] = {"jenis_kelamin_invalid",
        "Jenis kelamin harus diisi L (laki-laki) atau P (perempuan).", "jenis_kelamin"},
    [PK_C_NO_HP_INVALID] = {"no_hp_invalid",
        "Nomor HP harus nomor seluler Indonesia yang diawali 08, 628, atau +628.", "no_hp"},
    [PK_C_EMAIL_INVALID] = {"email_invalid",
        "Alamat email tidak valid.", "email"},
    [PK_C_WILAYAH_TIDAK_DIKENAL] = {"wilayah_tidak_dikenal",
        "Kode wilayah (kelurahan/desa) tidak dikenal.", "kode_wilayah"},
    [PK_C_WILAYAH_DI_LUAR_LAYANAN] = {"wilayah_di_luar_layanan",
        "Wilayah domisili Anda berada di luar wilayah layanan ini.", "kode_wilayah"},
    [PK_C_ALAMAT_TERLALU_PANJANG] = {"alamat_terlalu_panjang",
        "Alamat terlalu panjang (paling banyak 200 karakter).", "alamat"},
    [PK_C_PENDIDIKAN_INVALID] = {"pendidikan_invalid",
        "Pilihan pendidikan terakhir tidak valid.", "pendidikan"},
    [PK_C_SEGMEN_INVALID] = {"segmen_invalid",
        "Segmen harus salah satu dari: pencari kerja, korban PHK, atau peningkatan kompetensi.",
        "segmen"},
    [PK_C_PEKERJAAN_INVALID] = {"pekerjaan_invalid",
        "Pilihan pekerjaan tidak valid.", "pekerjaan"},
    [PK_C_NIK_TANGGAL_BERBEDA] = {"nik_tanggal_berbeda",
        "Tanggal lahir berbeda dengan tanggal lahir yang tercantum dalam NIK.", "nik"},
    [PK_C_NIK_KELAMIN_BERBEDA] = {"nik_kelamin_berbeda",
        "Jenis kelamin berbeda dengan yang tercantum dalam NIK.", "nik"},
    [PK_C_NIK_WILAYAH_TIDAK_DIKENAL] = {"nik_wilayah_tidak_dikenal",
        "Kode kabupaten/kota atau kecamatan pada NIK tidak ada dalam daftar wilayah saat ini.",
        "nik"},
    [PK_C_USIA_KURANG] = {"usia_kurang",
        "Usia Anda belum mencapai batas minimal peserta.", "tanggal_lahir"},
    [PK_C_USIA_LEBIH] = {"usia_lebih",
        "Usia Anda melebihi batas maksimal peserta.", "tanggal_lahir"},
    [PK_C_SEDANG_SEKOLAH] = {"sedang_sekolah",
        "Peserta yang sedang menempuh pendidikan formal (sekolah atau kuliah) "
        "tidak dapat mengikuti program ini.", "pekerjaan"},
    [PK_C_PEKERJAAN_DIKECUALIKAN] = {"pekerjaan_dikecualikan",
        "Pekerjaan Anda (misalnya ASN, TNI, Polri, pejabat negara, anggota DPR/DPRD, "
        "kepala atau perangkat desa, direksi/komisaris BUMN/BUMD) tidak dapat "
        "mengikuti program ini.", "pekerjaan"},
    [PK_C_KUOTA_KK_PENUH] = {"kuota_kk_penuh",
        "Kuota peserta untuk Kartu Keluarga (KK) Anda sudah penuh.", "no_kk"},
    [PK_C_PENERIMA_BANSOS] = {"penerima_bansos",
        "Anda tercatat sebagai penerima bantuan sosial lain (DTKS, termasuk PKH dan BPNT, "
        "BSU, atau BPUM) sehingga tidak dapat mengikuti program pada skema ini.", NULL},
    [PK_C_DAFTAR_HITAM] = {"daftar_hitam",
        "Anda masuk daftar hitam program Kartu Prakerja.", NULL},
    [PK_C_PERNAH_MENERIMA] = {"pernah_menerima",
        "Anda sudah pernah menjadi penerima Kartu Prakerja.", NULL},
    [PK_C_NAMA_KARAKTER_TERSEMBUNYI] = {"nama_karakter_tersembunyi",
        "Nama memuat karakter tersembunyi (pengubah arah teks atau karakter tanpa lebar). "
        "Ketik ulang nama tanpa menyalinnya dari tempat lain.", "nama"},
    [PK_C_NAMA_AWALAN_TIDAK_DIIZINKAN] = {"nama_awalan_tidak_diizinkan",
        "Nama tidak boleh diawali tanda =, +, -, atau @.", "nama"},
    [PK_C_KUOTA_GELOMBANG_PENUH] = {"kuota_gelombang_penuh",
        "Kuota gelombang ini sudah terpenuhi oleh peserta lain hasil pengundian.", NULL},
    [PK_C_KUOTA_WILAYAH_PENUH] = {"kuota_wilayah_penuh",
        "Kuota gelombang ini untuk kabupaten/kota domisili Anda sudah terpenuhi "
        "oleh peserta lain hasil pengundian.", "kode_wilayah"},
    [PK_C_KOLOM_TIDAK_VALID] = {"kolom_tidak_valid",
        "Isi kolom tidak ada atau tidak sesuai format untuk jenis peristiwa ini.", NULL},
    [PK_C_PESERTA_TIDAK_DIKENAL] = {"peserta_tidak_dikenal",
        "Tidak ada peserta terdaftar dengan NIK ini.", "nik"},
    [PK_C_SALDO_TIDAK_CUKUP] = {"saldo_tidak_cukup",
        "Saldo pelatihan pada waktu peristiwa tidak cukup untuk jumlah ini.", "jumlah"},
    [PK_C_SUDAH_PENERIMA] = {"sudah_penerima",
        "Peserta sudah pernah lolos sebagai penerima Kartu Prakerja.", NULL},
    [PK_C_BELUM_PENERIMA] = {"belum_penerima",
        "Peserta belum lolos sebagai penerima Kartu Prakerja pada waktu peristiwa ini.", NULL},
    [PK_C_SUDAH_DICABUT] = {"sudah_dicabut",
        "Kepesertaan sudah dicabut; setelahnya hanya pengembalian saldo yang dicatat.", NULL},
    [PK_C_PEMBELIAN_TIDAK_DIKENAL] = {"pembelian_tidak_dikenal",
        "Pembatalan merujuk ke pembelian yang tidak dikenal.", "ref_asal"},
    [PK_C_SUDAH_DIBATALKAN] = {"sudah_dibatalkan",
        "Pembelian ini sudah dibatalkan sebelumnya.", "ref_asal"},
    [PK_C_JUMLAH_TIDAK_SESUAI] = {"jumlah_tidak_sesuai",
        "Jumlah pembatalan harus sama dengan jumlah pembelian yang dibatalkan.", "jumlah"},
    [PK_C_KARTU_TIDAK_DIKENAL] = {"kartu_tidak_dikenal",
        "Nomor Kartu Prakerja tidak dikenal.", "nomor_kartu"},
    [PK_C_PELATIHAN_TIDAK_DIKENAL] = {"pelatihan_tidak_dikenal",
        "Pelatihan tidak ada dalam katalog platform ini.", "kode_pelatihan"},
    [PK_C_SUDAH_SELESAI] = {"sudah_selesai",
        "Penyelesaian pelatihan dari pembelian ini sudah dilaporkan.", NULL},
    [PK_C_BELUM_SELESAI] = {"belum_selesai",
        "Ulasan hanya dapat diberikan setelah penyelesaian pelatihan dilaporkan.", NULL},
    [PK_C_SUDAH_DIULAS] = {"sudah_diulas",
        "Pelatihan dari pembelian ini sudah diberi ulasan.", NULL},
    [PK_C_ULASAN_TIDAK_VALID] = {"ulasan_tidak_valid",
        "Ulasan harus memuat bintang 1 sampai 5 dan teks paling banyak 190 karakter tanpa "
        "karakter kontrol.", "bintang"},
    [PK_C_SERTIFIKAT_TIDAK_VALID] = {"sertifikat_tidak_valid",
        "Nomor sertifikat wajib diisi: 1-64 karakter huruf, angka, titik, garis miring, "
        "garis bawah atau tanda hubung.", "nomor_sertifikat"},
    [PK_C_GELOMBANG_TIDAK_DIKENAL] = {"gelombang_tidak_dikenal",
        "Gelombang ini tidak dikenal di layanan ini.", "gelombang"},
    [PK_C_GELOMBANG_TIDAK_DIBUKA] = {"gelombang_tidak_dibuka",
        "Gelombang ini tidak sedang dibuka pada waktu tersebut.", "gelombang"},
    [PK_C_MASIH_DI_GELOMBANG_LAIN] = {"masih_di_gelombang_lain",
        "Peserta masih terdaftar di gelombang lain yang sedang dibuka.", "gelombang"},
    [PK_C_TIDAK_MEMBELI_PELATIHAN] = {"tidak_membeli_pelatihan",
        "Kepesertaan dicabut karena tidak membeli pelatihan pertama sampai batas waktunya; "
        "sisa saldo dikembalikan ke program.", NULL},
    [PK_C_BATAS_SALDO_LEWAT] = {"batas_saldo_lewat",
        "Batas waktu penggunaan saldo pelatihan gelombang ini sudah lewat; sisa saldo "
        "dikembalikan ke program.", NULL},
    [PK_C_WAKTU_DI_MASA_DEPAN] = {"waktu_di_masa_depan",
        "Waktu peristiwa ini belum tiba: pendaftaran ke gelombang hanya dicatat setelah "
        "terjadi.",
        "waktu"},
    [PK_C_BATAS_PEMBELIAN_LEWAT] = {"batas_pembelian_lewat",
        "Batas waktu pembelian pelatihan pertama sudah lewat: kepesertaan akan dicabut dan "
        "saldo kembali ke program.", NULL},
    [PK_C_KARTU_DIGANTI] = {"kartu_diganti",
        "Nomor Kartu Prakerja ini sudah diganti dengan nomor baru. Pemegang kartu dapat "
        "melihat nomor barunya di Akun saya.", "nomor_kartu"},
};

_Static_assert(PK_ARRAY_LEN(codes) == PK_C__COUNT, "every pk_code needs a table entry");
_Static_assert(PK_C__COUNT <= 64, "a pk_codeset holds at most 64 codes");

const char *pk_code_name(pk_code c)
{
    return (unsigned)c < PK_C__COUNT ? codes[c].name : "";
}

const char *pk_code_message(pk_code c)
{
    return (unsigned)c < PK_C__COUNT ? codes[c].message : "";
}

const char *pk_code_field(pk_code c)
{
    return (unsigned)c < PK_C__COUNT ? codes[c].field : NULL;
}

const char *pk_code_label(pk_code c)
{
    switch (c) {
    case PK_C_USIA_KURANG: return "Usia di bawah batas minimal peserta";
    case PK_C_USIA_LEBIH: return "Usia di atas batas maksimal peserta";
    case PK_C_SEDANG_SEKOLAH: return "Sedang menempuh pendidikan formal";
    case PK_C_PEKERJAAN_DIKECUALIKAN:
        return "Pekerjaan yang dikecualikan (ASN, TNI, Polri, pejabat, perangkat desa, "
               "direksi BUMN/BUMD)";
    case PK_C_KUOTA_KK_PENUH: return "Kuota Kartu Keluarga sudah penuh";
    case PK_C_PENERIMA_BANSOS: return "Penerima bantuan sosial lain (DTKS, BSU, atau BPUM)";
    case PK_C_DAFTAR_HITAM: return "Tercantum dalam daftar hitam program";
    case PK_C_PERNAH_MENERIMA: return "Pernah menerima Kartu Prakerja";
    case PK_C_KUOTA_GELOMBANG_PENUH: return "Tidak terpilih: kuota gelombang sudah penuh";
    case PK_C_KUOTA_WILAYAH_PENUH: return "Tidak terpilih: kuota kabupaten/kota sudah penuh";
    default: return pk_code_message(c);
    }
}

pk_code pk_code_by_name(const char *name)
{
    if (!name)
        return PK_C__COUNT;
    for (unsigned i = 0; i < PK_C__COUNT; i++)
        if (strcmp(codes[i].name, name) == 0)
            return (pk_code)i;
    return PK_C__COUNT;
}
