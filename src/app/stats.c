/* stats.c -- the aggregates staff see (stats.h). */
#include "app/stats.h"

#include <string.h>

#include "core/pk.h"

int pk_stats_region(const pk_app *app, const pk_principal *who, const char *code,
                    pk_region_stats *out)
{
    memset(out, 0, sizeof(*out));
    pk_auth_scope(who, out->scope);
    char want[PK_REGION_CODE_MAX];
    if (code == NULL || code[0] == '\0') {
        memcpy(want, out->scope, sizeof(want));
    } else {
        if (pk_region_normalize(code, strlen(code), want) == PK_REGION_NONE)
            return PK_EINVAL;
        if (pk_regions_find(app->regions, want) == NULL)
            return PK_ENOENT;
        if (!pk_auth_region_within(out->scope, want))
            return PK_EDENIED;
    }
    if (want[0] != '\0' && (out->region = pk_regions_find(app->regions, want)) == NULL)
        return PK_ENOENT; /* an account region the table no longer has */
    pk_stats st;
    if (pk_store_stats(app->store, want, &st) != 0)
        return PK_EIO;
    out->total = st.total;
    out->eligible = st.eligible;
    _Static_assert(sizeof(st.by_segment) == sizeof(out->by_segment), "segments");
    _Static_assert(PK_C__COUNT <= PK_ARRAY_LEN(st.by_reason), "reasons");
    memcpy(out->by_segment, st.by_segment, sizeof(out->by_segment));
    memcpy(out->by_sex, st.by_sex, sizeof(out->by_sex));
    memcpy(out->by_reason, st.by_reason, sizeof(out->by_reason));
    return 0;
}

static int count_user(void *ctx, const pk_user *u)
{
    pk_account_counts *c = ctx;
    unsigned bit = pk_role_by_name(u->role);
    if (u->disabled)
        c->disabled++;
    else if (bit == PK_ROLE_ADMIN)
        c->admin++;
    else if (bit == PK_ROLE_OPERATOR)
        c->operator++;
    else if (bit == PK_ROLE_VIEWER)
        c->viewer++;
    return 0;
}

int pk_stats_accounts(const pk_app *app, pk_account_counts *out)
{
    memset(out, 0, sizeof(*out));
    return pk_store_users_each(app->store, count_user, out) != 0 ? PK_EIO : 0;
}
