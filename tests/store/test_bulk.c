#include "store_test.h"
const st_division st_bulk = {NULL, 0};
