/* page_faq.c -- the portal's questions and answers (/tanya-jawab): what
 * residents ask about the programme, answered in plain Indonesian from
 * docs/domain.md's facts; every amount, day count and number of surveys
 * comes from the current scheme's data, so the answers follow
 * data/schemes.ini.  A <details> per question: readable without
 * JavaScript, short on a phone. */
#include "core/money.h"
#include "web/html.h"
#include "web/web.h"

static void question(pk_buf *b, const char *id, const char *q)
{
    pk_buf_printf(b, "<details class=\"faq\" id=\"%s\">\n<summary>%s</summary>\n", id, q);
}

void pk_page_faq(const pk_app *app, pk_req *req, pk_resp *resp)
{
    (void)req;
    const pk_scheme *s = pk_schemes_current(&app->schemes);
    pk_buf *b = &resp->body;
    char balance[32], incentive[32], survey[32], total[32];
    pk_rupiah_format(s->training_balance, balance);
    pk_rupiah_format(s->incentive, incentive);
    pk_rupiah_format(s->survey_incentive, survey);
    pk_rupiah_format(pk_scheme_total(s), total);

    pk_html_begin(b, "Tanya Jawab", "/tanya-jawab");
    pk_buf_adds(b, "<h1>Tanya jawab</h1>\n<p class=\"lead\">Pertanyaan yang paling sering "
                   "ditanyakan warga Jakarta tentang Kartu Prakerja. Angka di halaman ini "
                   "mengikuti ");
    pk_html_esc(b, s->name);
    pk_buf_adds(b, ".</p>\n");

    question(b, "apa-itu", "Apa itu Kartu Prakerja?");
    pk_buf_printf(b, "<p>Program pemerintah pusat yang membiayai pelatihan keterampilan kerja, "
                     "lalu memberi insentif tunai. Program ini untuk pencari kerja, korban PHK, "
                     "dan pekerja yang ingin meningkatkan kompetensi, termasuk pelaku usaha "
                     "mikro dan kecil. Nilai manfaatnya %s: saldo pelatihan %s, insentif %s "
                     "&times; %d, dan insentif survei %s &times; %d.</p>\n</details>\n",
                  total, balance, incentive, s->incentive_months, survey, s->survey_count);

    question(b, "peran-dki", "Apa peran Pemprov DKI Jakarta?");
    pk_buf_adds(b, "<p>Pemprov DKI Jakarta membantu menyebarkan informasi program, meningkatkan "
                   "literasi digital, dan mengingatkan penerima agar memakai saldo dan "
                   "manfaatnya sampai tuntas. Seleksi, kartu, pembelian pelatihan, dan "
                   "pembayaran insentif dilakukan oleh Manajemen Pelaksana Kartu Prakerja di "
                   "prakerja.go.id.</p>\n</details>\n");

    question(b, "syarat", "Siapa yang boleh ikut?");
    pk_buf_printf(b, "<p>Warga Negara Indonesia yang memiliki KTP, berusia paling sedikit %d "
                     "tahun",
                  s->min_age);
    if (s->max_age > 0)
        pk_buf_printf(b, " dan paling tinggi %d tahun", s->max_age);
    pk_buf_adds(b, ", dan tidak sedang sekolah atau kuliah. Pejabat negara, anggota DPR dan "
                   "DPRD, ASN, TNI, Polri, kepala dan perangkat desa, serta direksi, komisaris, "
                   "dan dewan pengawas BUMN atau BUMD tidak boleh ikut.");
    if (s->kk_max > 0)
        pk_buf_printf(b, " Dalam satu Kartu Keluarga paling banyak %d orang yang bisa menjadi "
                         "penerima.",
                      s->kk_max);
    pk_buf_adds(b, " <a href=\"/cek-kelayakan\">Cek kelayakan Anda</a>.</p>\n</details>\n");

    question(b, "sekali", "Saya pernah menerima Kartu Prakerja. Bisakah ikut lagi?");
    pk_buf_adds(b, "<p>Tidak. Setiap orang hanya sekali menjadi penerima Kartu Prakerja.</p>\n"
                   "</details>\n");

    question(b, "seleksi", "Bagaimana seleksinya? Apakah siapa cepat dia dapat?");
    pk_buf_adds(b, "<p>Bukan. Setelah gelombang ditutup, data Anda diperiksa (NIK dan KK, "
                   "daftar pengecualian), lalu penerima diundi oleh sistem sampai kuota "
                   "gelombang terpenuhi.</p>\n</details>\n");

    question(b, "tidak-lolos", "Saya belum lolos. Apa yang harus saya lakukan?");
    pk_buf_adds(b, "<p>Anda dapat bergabung lagi pada gelombang berikutnya tanpa membuat akun "
                   "baru. Pantau pembukaan gelombang di prakerja.go.id.</p>\n</details>\n");

    question(b, "batas-beli", "Sampai kapan saya harus membeli pelatihan pertama?");
    pk_buf_printf(b, "<p>Paling lambat <strong>%d hari</strong> setelah Anda dinyatakan lolos, "
                     "atau sebelum batas saldo gelombang bila lebih awal. Jika terlewat, "
                     "kepesertaan dicabut, saldo kembali ke negara, dan Anda tidak bisa ikut "
                     "lagi. <a href=\"/linimasa\">Hitung tanggal batas Anda</a>.</p>\n"
                     "</details>\n",
                  s->purchase_deadline_days);

    question(b, "saldo", "Bisakah saldo pelatihan dicairkan?");
    pk_buf_adds(b, "<p>Tidak. Saldo hanya untuk membeli pelatihan di platform digital mitra. "
                   "Saldo boleh dipakai untuk beberapa pelatihan, tetapi tidak untuk pelatihan "
                   "yang harganya melebihi sisa saldo. Pelatihan yang dibatalkan mengembalikan "
                   "saldo. Siapa pun yang menawarkan \"pencairan saldo\" adalah penipu.</p>\n"
                   "</details>\n");

    question(b, "nomor-kartu", "Di mana nomor kartu saya, dan siapa yang boleh tahu?");
    pk_buf_adds(b, "<p>Nomor Kartu Prakerja (16 angka) hanya tampil kepada pemiliknya: di "
                   "dasbor akun Anda di prakerja.go.id, dan di <a href=\"/akun\">Akun saya</a> "
                   "bila kartu Anda diterbitkan melalui layanan ini. Tidak ada kartu fisik. "
                   "Jangan berikan nomor kartu atau kode OTP kepada siapa pun, termasuk orang "
                   "yang mengaku petugas; nomor kartu hanya dipakai untuk membayar pelatihan di "
                   "platform digital mitra Prakerja.</p>\n"
                   "</details>\n");

    question(b, "insentif", "Kapan insentif dibayar?");
    pk_buf_printf(b, "<p>Setelah pelatihan pertama selesai (sertifikat terbit) dan Anda memberi "
                     "rating dan ulasan. Insentif %s dibayar %d kali, ke rekening bank atau "
                     "dompet digital yang terdaftar atas NIK dan nomor HP Anda sendiri. Dompet "
                     "digital harus sudah ditingkatkan (premium/terverifikasi). Pelatihan "
                     "berikutnya tidak menambah insentif.</p>\n</details>\n",
                  incentive, s->incentive_months);

    question(b, "insentif-gagal", "Insentif saya gagal dibayar. Kenapa?");
    pk_buf_adds(b, "<p>Penyebab yang paling sering: belum memberi ulasan, rekening tidak aktif, "
                   "dompet digital belum ditingkatkan, nama atau NIK tidak sama dengan KTP, "
                   "atau nomor HP dompet digital berbeda dengan nomor yang terdaftar. Perbaiki "
                   "akun Anda atau pilih dompet digital lain di prakerja.go.id.</p>\n"
                   "</details>\n");

    question(b, "survei", "Apa itu survei kebekerjaan?");
    pk_buf_printf(b, "<p>Survei tentang pekerjaan Anda setelah pelatihan, %d kali. Setiap survei "
                     "diisi paling lambat %d hari setelah dibuka dan dibayar %s dalam %d hari. "
                     "Jawaban Anda tidak memengaruhi pembayaran.</p>\n</details>\n",
                  s->survey_count, s->survey_fill_days, survey, s->survey_pay_days);

    question(b, "pengingat", "Mengapa saya menerima pesan pengingat? Bagaimana menghentikannya?");
    pk_buf_adds(b, "<p>Pemprov DKI Jakarta mengingatkan penerima sebelum batas waktu program "
                   "terlewat, misalnya batas membeli pelatihan pertama. Pesan resmi tidak pernah "
                   "meminta nomor kartu, kode OTP, atau uang. Untuk berhenti, balas pesan dengan "
                   "<strong>BERHENTI</strong>, pakai tautan berhenti berlangganan di e-mail, "
                   "atau atur di <a href=\"/akun\">Akun Saya</a>.</p>\n</details>\n");

    question(b, "status", "Bagaimana mengecek status pendaftaran saya?");
    pk_buf_adds(b, "<p>Buka <a href=\"/cek-status\">Cek Status</a> dan masukkan NIK serta "
                   "tanggal lahir, atau masuk ke <a href=\"/akun\">Akun Saya</a> dengan kode "
                   "yang dikirim ke nomor HP Anda untuk melihat langkah berikutnya, saldo, dan "
                   "batas waktunya.</p>\n</details>\n");

    question(b, "data", "Bagaimana data pribadi saya dijaga?");
    pk_buf_adds(b, "<p>NIK, nomor KK, nomor HP, e-mail, dan alamat disimpan terenkripsi. "
                   "Petugas hanya dapat membuka data warga di wilayah kerjanya, dan setiap "
                   "pembukaan data dicatat.</p>\n</details>\n");

    pk_buf_adds(b, "<p><a class=\"button\" href=\"/daftar\">Daftar sekarang</a> "
                   "<a href=\"/cek-kelayakan\">Cek kelayakan dulu</a></p>\n");
    pk_html_finish(resp, 200, true);
}
