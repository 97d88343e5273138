#include "store_test.h"
const st_division st_sealed = {NULL, 0};
