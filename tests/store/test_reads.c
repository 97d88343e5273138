#include "store_test.h"
const st_division st_reads = {NULL, 0};
