/* reply.c -- JSON replies and request-body reading shared by API handlers,
 * and the answer to a write refused by a full disk (API and pages). */
#include <string.h>

#include "web/html.h"
#include "web/json.h"
#include "web/web.h"

void pk_reply_json(pk_resp *resp, int status, json_t *body)
{
    pk_buf_reset(&resp->body);
    resp->content_type = "application/json; charset=utf-8";
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (s == NULL || pk_buf_adds(&resp->body, s) != 0) {
        free(s);
        pk_buf_reset(&resp->body);
        pk_buf_adds(&resp->body, "{\"error\":{\"code\":\"kesalahan_server\",\"message\":"
                                 "\"Terjadi kesalahan pada server.\",\"fields\":[]}}");
        resp->status = 500;
        return;
    }
    free(s);
    pk_buf_addc(&resp->body, '\n');
    resp->status = status;
}

void pk_reply_error(pk_resp *resp, int status, const char *code, const char *message,
                    json_t *fields)
{
    pk_reply_json(resp, status,
                  json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message", message,
                            "fields", fields ? fields : json_array()));
}

json_t *pk_read_json_object(pk_req *req, pk_resp *resp)
{
    char ct[64];
    pk_req_content_type(req, ct, sizeof(ct));
    if (strcmp(ct, "application/json") != 0) {
        pk_reply_error(resp, 415, "tipe_konten_tidak_didukung",
                       "Gunakan Content-Type: application/json.", NULL);
        return NULL;
    }
    const char *why = NULL;
    json_t *root = pk_json_parse_object(req->body, req->body_len, &why);
    if (root == NULL)
        pk_reply_error(resp, 400, "json_tidak_valid", why, NULL);
    return root;
}

bool pk_web_disk_full(const pk_app *app, int rc)
{
    return rc == PK_ENOSPC || (rc == PK_EIO && pk_app_disk_full(app));
}

void pk_reply_disk_full(const pk_app *app, pk_resp *resp, bool api)
{
    if (api)
        pk_reply_error(resp, 507, "penyimpanan_penuh", PK_MSG_DISK_FULL, NULL);
    else
        pk_html_error_page(app, resp, 507, "Penyimpanan penuh", PK_MSG_DISK_FULL);
}
