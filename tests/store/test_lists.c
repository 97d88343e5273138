#include "store_test.h"
const st_division st_lists = {NULL, 0};
