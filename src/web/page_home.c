/* page_home.c -- the portal's front page: what the current scheme gives,
 * who may join, who may not, and the steps from registration to
 * incentive.  Every amount comes from the scheme data. */
#include "core/money.h"
#include "web/html.h"
#include "web/web.h"

static void money_row(pk_buf *b, const char *label, pk_rupiah each, int times, const char *unit)
{
    char one[32], all[32];
    pk_rupiah_format(each, one);
    pk_rupiah_format(each * times, all);
    pk_buf_printf(b, "<tr><th scope=\"row\">%s</th><td>", label);
    if (times > 1 || unit[0] != '\0')
        pk_buf_printf(b, "%s &times; %d %s", one, times, unit);
    else
        pk_buf_adds(b, one);
    pk_buf_printf(b, "</td><td class=\"num\">%s</td></tr>\n", all);
}

void pk_page_home(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const pk_scheme *s = pk_schemes_current(&app->schemes);
    pk_buf *b = &resp->body;
    char total[32];
    pk_rupiah_format(pk_scheme_total(s), total);

    pk_html_begin(b, "Beranda", "/");
    pk_buf_adds(b, "<h1>Kartu Prakerja untuk warga Jakarta</h1>\n"
                   "<p class=\"lead\">Kartu Prakerja membiayai pelatihan keterampilan kerja, lalu "
                   "memberi insentif tunai kepada pencari kerja, korban PHK, dan pekerja yang "
                   "ingin meningkatkan kompetensi. Pemerintah Provinsi DKI Jakarta membantu "
                   "menyebarkan informasinya dan mengingatkan penerima agar memakai "
                   "manfaatnya sampai tuntas.</p>\n");
    pk_buf_adds(b, "<p class=\"actions\"><a class=\"button\" href=\"/daftar\">Daftar "
                   "sekarang</a> <a class=\"button secondary\" href=\"/cek-kelayakan\">Cek "
                   "kelayakan dulu</a> <a href=\"/cek-status\">Sudah mendaftar? Cek status "
                   "pendaftaran</a></p>\n");

    pk_buf_adds(b, "<section aria-labelledby=\"manfaat\">\n<h2 id=\"manfaat\">Apa yang Anda "
                   "dapatkan</h2>\n<p>");
    pk_html_esc(b, s->name);
    pk_buf_adds(b, ":</p>\n<table class=\"money\">\n<thead><tr><th scope=\"col\">Manfaat</th>"
                   "<th scope=\"col\">Rincian</th><th scope=\"col\">Jumlah</th></tr></thead>\n"
                   "<tbody>\n");
    money_row(b, "Saldo pelatihan", s->training_balance, 1, "");
    money_row(b, "Insentif pasca pelatihan", s->incentive, s->incentive_months, "bulan");
    money_row(b, "Insentif survei", s->survey_incentive, s->survey_count, "survei");
    pk_buf_printf(b, "</tbody>\n<tfoot><tr><th scope=\"row\" colspan=\"2\">Total manfaat</th>"
                     "<td class=\"num\">%s</td></tr></tfoot>\n</table>\n",
                  total);
    pk_buf_printf(b, "<p>Saldo pelatihan hanya untuk membeli pelatihan dan <strong>tidak dapat "
                     "dicairkan</strong>. Pelatihan pertama wajib dibeli paling lambat "
                     "<strong>%d hari</strong> setelah Anda dinyatakan lolos; jika tidak, "
                     "kepesertaan dicabut dan saldo kembali ke negara.</p>\n</section>\n",
                  s->purchase_deadline_days);

    pk_buf_adds(b, "<section aria-labelledby=\"siapa\">\n<h2 id=\"siapa\">Siapa yang boleh "
                   "ikut</h2>\n<ul>\n<li>Warga Negara Indonesia yang memiliki KTP (NIK).</li>\n");
    if (s->max_age > 0)
        pk_buf_printf(b, "<li>Berusia %d sampai %d tahun.</li>\n", s->min_age, s->max_age);
    else
        pk_buf_printf(b, "<li>Berusia paling sedikit %d tahun.</li>\n", s->min_age);
    pk_buf_adds(b, "<li>Tidak sedang menempuh pendidikan formal (sekolah atau kuliah).</li>\n");
    if (s->kk_max > 0)
        pk_buf_printf(b, "<li>Paling banyak %d orang penerima dalam satu Kartu Keluarga.</li>\n",
                      s->kk_max);
    pk_buf_adds(b, "</ul>\n<h2>Siapa yang tidak boleh ikut</h2>\n<ul>\n"
                   "<li>Pejabat negara, anggota DPR dan DPRD.</li>\n"
                   "<li>Aparatur Sipil Negara (ASN), anggota TNI dan Polri.</li>\n"
                   "<li>Kepala desa dan perangkat desa.</li>\n"
                   "<li>Direksi, komisaris, dan dewan pengawas BUMN atau BUMD.</li>\n"
                   "<li>Penerima Kartu Prakerja sebelumnya: setiap orang hanya sekali menerima.</li>\n");
    if (s->exclusion_lists & (PK_LIST_DTKS | PK_LIST_BSU | PK_LIST_BPUM))
        pk_buf_adds(b, "<li>Penerima bantuan sosial lain (DTKS termasuk PKH dan BPNT, BSU, "
                       "BPUM).</li>\n");
    pk_buf_adds(b, "</ul>\n<p><a class=\"button\" href=\"/cek-kelayakan\">Cek kelayakan "
                   "Anda</a></p>\n</section>\n");

    pk_buf_printf(b,
        "<section aria-labelledby=\"langkah\">\n<h2 id=\"langkah\">Langkah demi langkah</h2>\n"
        "<ol class=\"steps\">\n"
        "<li><a href=\"/daftar\"><strong>Daftar</strong></a> dengan NIK, nomor KK, tanggal "
        "lahir, nomor HP, dan kelurahan domisili. Anda langsung melihat nomor pendaftaran dan "
        "hasil pemeriksaan syarat.</li>\n"
        "<li><a href=\"/cek-status\"><strong>Cek status</strong></a> pendaftaran Anda kapan "
        "saja dengan NIK dan tanggal lahir.</li>\n"
        "<li><strong>Ikuti tes</strong> motivasi dan kemampuan dasar, lalu <strong>gabung "
        "gelombang</strong>.</li>\n"
        "<li><strong>Tunggu seleksi</strong> setelah gelombang ditutup. Seleksi bukan siapa "
        "cepat dia dapat: data diverifikasi, lalu diundi sesuai kuota.</li>\n"
        "<li><strong>Lolos?</strong> Anda menerima nomor Kartu Prakerja 16 angka dan saldo "
        "pelatihan.</li>\n"
        "<li><strong>Beli pelatihan pertama</strong> dalam %d hari di platform digital mitra.</li>\n"
        "<li><strong>Selesaikan pelatihan</strong>, beri ulasan dan rating, lalu dapatkan "
        "sertifikat.</li>\n"
        "<li><strong>Terima insentif</strong> ke rekening bank atau dompet digital atas NIK "
        "dan nomor HP Anda sendiri, lalu isi survei kebekerjaan.</li>\n"
        "</ol>\n<p><a href=\"/linimasa\">Hitung linimasa manfaat Anda</a> &middot; "
        "<a href=\"/cek-nik\">Periksa format NIK</a> &middot; "
        "<a href=\"/cek-status\">Cek status pendaftaran Anda</a></p>\n</section>\n",
        s->purchase_deadline_days);
    pk_html_finish(resp, 200, true);
}
