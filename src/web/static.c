/* static.c -- serving the embedded static files and the OpenAPI document.
 * Only names in the compiled-in table exist: a request path never
 * reaches the file system, so there is nothing to traverse. */
#include <string.h>

#include "web/assets.h"
#include "web/html.h"
#include "web/web.h"

const pk_asset *pk_asset_find(const char *name)
{
    for (size_t i = 0; i < pk_nassets; i++)
        if (strcmp(pk_assets[i].name, name) == 0)
            return &pk_assets[i];
    return NULL;
}

static void serve(const pk_asset *a, pk_resp *resp)
{
    pk_buf_reset(&resp->body);
    if (pk_buf_add(&resp->body, a->data, a->len) != 0) {
        resp->status = 500;
        return;
    }
    resp->status = 200;
    resp->content_type = a->content_type;
    resp->cache_control = "public, max-age=3600";
}

void pk_page_static(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const pk_asset *a = pk_asset_find(req->params[0]);
    if (a == NULL || strcmp(a->name, "openapi.json") == 0) {
        pk_html_error_page(app, resp, 404, "Berkas tidak ditemukan",
                           "Berkas yang Anda minta tidak ada.");
        return;
    }
    serve(a, resp);
}

/* /favicon.ico and /robots.txt: the files clients ask for at the root
 * (the asset of the same name), cached for a day. */
void pk_page_root_file(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const pk_asset *a = pk_asset_find(req->path[0] == '/' ? req->path + 1 : req->path);
    if (a == NULL || (strcmp(a->name, "favicon.ico") != 0 && strcmp(a->name, "robots.txt") != 0)) {
        pk_html_error_page(app, resp, 404, "Berkas tidak ditemukan",
                           "Berkas yang Anda minta tidak ada.");
        return;
    }
    serve(a, resp);
    resp->cache_control = "public, max-age=86400";
}

void pk_api_openapi(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const pk_asset *a = pk_asset_find("openapi.json");
    if (a == NULL) {
        pk_reply_error(resp, 404, "tidak_ditemukan", "Dokumen OpenAPI tidak tersedia.", NULL);
        return;
    }
    serve(a, resp);
}
