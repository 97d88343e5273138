/* routes.c -- every route of the service in one table, and dispatch.
 *
 * The table is the whole surface: method, path, handler, kind (API or
 * page) and who may call it.  Reading it tells what the service exposes;
 * tests walk it to check the OpenAPI document and the access matrix. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "web/html.h"
#include "web/web.h"

const pk_route pk_routes[] = {
    {"GET", "/healthz", pk_api_healthz, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"GET", "/api/v1/openapi.json", pk_api_openapi, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"GET", "/api/v1/nik/{nik}", pk_api_nik, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"GET", "/api/v1/regions", pk_api_regions, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"GET", "/api/v1/schemes", pk_api_schemes, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"GET", "/api/v1/schemes/{id}", pk_api_scheme, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"POST", "/api/v1/eligibility", pk_api_eligibility, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"GET", "/api/v1/timeline", pk_api_timeline, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"POST", "/api/v1/participants", pk_api_participants_create, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"GET", "/api/v1/stats", pk_api_stats, PK_KIND_API, PK_ACCESS_PUBLIC},

    {"GET", "/", pk_page_home, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"GET", "/cek-kelayakan", pk_page_eligibility, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"POST", "/cek-kelayakan", pk_page_eligibility, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"GET", "/linimasa", pk_page_timeline, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"GET", "/cek-nik", pk_page_nik, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"POST", "/cek-nik", pk_page_nik, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"GET", "/daftar", pk_page_register, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"POST", "/daftar", pk_page_register, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"GET", "/static/{file}", pk_page_static, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
};
const size_t pk_nroutes = sizeof(pk_routes) / sizeof(pk_routes[0]);

/* Matches path against pattern.  Path parameters point into `scratch`
 * (a copy of the path with each parameter NUL-terminated). */
static bool match(const char *pattern, const char *path, char *scratch, size_t scratchlen,
                  pk_req *req)
{
    size_t plen = strlen(path);
    if (plen + 1 > scratchlen)
        return false;
    memcpy(scratch, path, plen + 1);
    req->nparams = 0;
    const char *p = pattern;
    char *s = scratch;
    for (;;) {
        if (*p == '{') {
            size_t n = strcspn(s, "/");
            if (n == 0 || req->nparams == PK_MAX_PARAMS)
                return false;
            req->params[req->nparams++] = s;
            p = strchr(p, '}') + 1;
            s += n;
            if (*p == '\0')
                return *s == '\0';
            if (*p != '/' || *s != '/')
                return false;
            *s++ = '\0';
            p++;
            continue;
        }
        if (*p != *s)
            return false;
        if (*p == '\0')
            return true;
        p++;
        s++;
    }
}

void pk_web_dispatch(void *ctx, pk_req *req, pk_resp *resp)
{
    const pk_app *app = ctx;
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    char scratch[2048];
    char allow[128] = "";
    const pk_route *hit = NULL;
    bool is_api = strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/healthz") == 0;

    if (req->body_too_large) {
        req->route = "(body too large)";
        if (is_api)
            pk_reply_error(resp, 413, "isi_terlalu_besar", "Isi permintaan terlalu besar.",
                           NULL);
        else
            pk_html_error_page(app, resp, 413, "Isian terlalu besar",
                               "Isian formulir terlalu besar untuk diproses.");
        return;
    }
    for (size_t i = 0; i < pk_nroutes; i++) {
        const pk_route *r = &pk_routes[i];
        if (!match(r->pattern, req->path, scratch, sizeof(scratch), req))
            continue;
        if (strcmp(r->method, method) == 0) {
            hit = r;
            break;
        }
        if (!strstr(allow, r->method)) {
            size_t n = strlen(allow);
            snprintf(allow + n, sizeof(allow) - n, "%s%s", n ? ", " : "", r->method);
            if (strcmp(r->method, "GET") == 0 && !strstr(allow, "HEAD"))
                snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), ", HEAD");
        }
    }
    if (hit == NULL) {
        req->route = allow[0] ? "(method not allowed)" : "(not found)";
        if (allow[0]) {
            pk_resp_header(resp, "Allow", allow);
            if (is_api)
                pk_reply_error(resp, 405, "metode_tidak_diizinkan",
                               "Metode HTTP ini tidak didukung untuk alamat tersebut.", NULL);
            else
                pk_html_error_page(app, resp, 405, "Metode tidak diizinkan",
                                   "Halaman ini tidak dapat dibuka dengan cara tersebut.");
        } else if (is_api) {
            pk_reply_error(resp, 404, "tidak_ditemukan", "Alamat API tidak ditemukan.", NULL);
        } else {
            pk_html_error_page(app, resp, 404, "Halaman tidak ditemukan",
                               "Halaman yang Anda cari tidak ada. Periksa kembali alamatnya.");
        }
        return;
    }
    req->route = hit->pattern;
    hit->handler(app, req, resp);
}
