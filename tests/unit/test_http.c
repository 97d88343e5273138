/* test_http.c -- the HTTP layer alone (web/http.c), a real server on a
 * free port with handlers of the test's own: an answer whose buffer failed
 * an append goes out as a 500 of its kind, never truncated as a 200; the
 * request's scratch memory and adopted blocks are released (LeakSanitizer
 * checks under the test build) whatever way the handler returned. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/pk.h"
#include "web/http.h"

static void dispatch(void *ctx, pk_req *req, pk_resp *resp)
{
    (void)ctx;
    req->route = req->path;
    pk_buf *b = &resp->body;
    if (strcmp(req->path, "/scratch") == 0) {
        /* scratch blocks and an adopted one, then an early return */
        for (int i = 0; i < 10; i++) {
            char *p = pk_req_scratch(req, 1000);
            assert_non_null(p);
            assert_int_equal(p[999], 0);
            memset(p, 'x', 1000);
        }
        char *own = malloc(64);
        assert_non_null(own);
        assert_int_equal(pk_req_adopt(req, own, 64), 0);
        pk_buf_adds(b, "scratch ok");
        resp->status = 200;
        resp->content_type = "text/plain";
        return;
    }
    bool json = strcmp(req->path, "/json") == 0;
    resp->content_type = json ? "application/json; charset=utf-8" : "text/html; charset=utf-8";
    pk_resp_header(resp, "Location", "/elsewhere");
    pk_buf_adds(b, json ? "{\"start\":" : "<p>start");
    /* past the cap: this append fails and poisons the buffer ... */
    static char big[5 * 1024 * 1024];
    memset(big, 'a', sizeof(big) - 1);
    pk_buf_adds(b, big);
    /* ... so this one, which would fit, must not leave a hole in the page */
    pk_buf_adds(b, json ? "1}" : "end</p>");
    resp->status = 200;
}

/* GET path on 127.0.0.1:port; the whole answer, NUL-terminated. */
static char *get(int port, const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    char req[256];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                     path);
    assert_int_equal(write(fd, req, (size_t)n), n);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    ssize_t r;
    while ((r = read(fd, out + len, cap - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = '\0';
    close(fd);
    return out;
}

static int start(pk_http **h)
{
    pk_http_opts o = {.listen = "127.0.0.1:0", .threads = 2, .max_connections = 16,
                      .timeout = 5, .max_body = 1024, .dispatch = dispatch};
    char err[200];
    int port = 0;
    assert_int_equal(pk_http_start(&o, h, &port, err, sizeof(err)), 0);
    return port;
}

static void test_failed_answer_is_500(void **state)
{
    (void)state;
    pk_http *h;
    int port = start(&h);
    char *html = get(port, "/html");
    assert_non_null(strstr(html, "HTTP/1.1 500"));
    assert_non_null(strstr(html, "Content-Type: text/html"));
    assert_non_null(strstr(html, "Terjadi kesalahan pada server"));
    assert_null(strstr(html, "<p>start")); /* nothing of the broken page */
    assert_null(strstr(html, "Location:")); /* nor the handler's headers */
    free(html);
    char *json = get(port, "/json");
    assert_non_null(strstr(json, "HTTP/1.1 500"));
    assert_non_null(strstr(json, "Content-Type: application/json"));
    assert_non_null(strstr(json, "\"code\":\"kesalahan_server\""));
    assert_null(strstr(json, "start"));
    free(json);
    pk_http_stop(h, 1000);
}

static void test_scratch_released(void **state)
{
    (void)state;
    pk_http *h;
    int port = start(&h);
    for (int i = 0; i < 20; i++) {
        char *r = get(port, "/scratch");
        assert_non_null(strstr(r, "HTTP/1.1 200"));
        assert_non_null(strstr(r, "scratch ok"));
        free(r);
    }
    pk_http_stop(h, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_answer_is_500),
        cmocka_unit_test(test_scratch_released),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
