/* replay.c -- runs a fuzz target over files without libFuzzer, so the
 * seed corpus (and any crash found by fuzzing, once added to it) is a
 * regression test under the normal sanitizer build.  Prints TAP. */
#include "fuzz.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int run_file(const char *path, int *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        printf("not ok %d - %s (cannot open)\n", ++*n, path);
        return 1;
    }
    size_t cap = 1 << 20, len;
    uint8_t *buf = malloc(cap);
    len = buf ? fread(buf, 1, cap, f) : 0;
    fclose(f);
    /* An exact-size copy, so ASan sees reads one past the end. */
    uint8_t *exact = malloc(len ? len : 1);
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    printf("ok %d - %s\n", ++*n, path);
    return 0;
}

int main(int argc, char **argv)
{
    int n = 0, failed = 0;
    char path[4096];
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            while (d && (e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.')
                    continue;
                snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
                failed |= run_file(path, &n);
            }
            if (d)
                closedir(d);
        } else {
            failed |= run_file(argv[i], &n);
        }
    }
    printf("1..%d\n", n);
    return failed;
}
