#include "store_test.h"
const st_division st_accounts = {NULL, 0};
