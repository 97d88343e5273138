/* views.c -- JSON views of domain objects (see views.h). */
#include "app/views.h"

#include "core/money.h"

json_t *pk_json_codes(pk_codeset set)
{
    json_t *a = json_array();
    for (pk_code c = 0; a != NULL && c < PK_C__COUNT; c++)
        if (set & PK_CODEBIT(c))
            json_array_append_new(a, json_pack("{s:s, s:s}", "code", pk_code_name(c),
                                               "message", pk_code_message(c)));
    return a;
}

json_t *pk_json_region(const pk_region *r)
{
    if (r == NULL)
        return json_null();
    return json_pack("{s:s, s:s}", "code", r->code, "name", r->name);
}

json_t *pk_json_date(pk_date d)
{
    char s[11];
    pk_date_format(d, s);
    return json_string(s);
}

json_t *pk_json_rupiah(pk_rupiah v)
{
    char s[32];
    pk_rupiah_format(v, s);
    return json_pack("{s:I, s:s}", "amount", (json_int_t)v, "display", s);
}

json_t *pk_json_nik(const pk_nik_info *info)
{
    char sex[2] = {info->sex, '\0'};
    return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "valid", info->errors == 0,
                     "errors", pk_json_codes(info->errors),
                     "warnings", pk_json_codes(info->warnings),
                     "birth_date", info->has_birth ? pk_json_date(info->birth) : json_null(),
                     "sex", info->has_birth ? json_string(sex) : json_null(),
                     "province", pk_json_region(info->province),
                     "regency", pk_json_region(info->regency),
                     "district", pk_json_region(info->district));
}

json_t *pk_json_scheme(const pk_scheme *s)
{
    json_t *lists = json_array();
    for (unsigned bit = 1; lists != NULL && bit <= PK_LIST_PENERIMA_SEBELUMNYA; bit <<= 1)
        if (s->exclusion_lists & bit)
            json_array_append_new(lists, json_string(pk_list_name(bit)));
    return json_pack(
        "{s:s, s:s, s:{s:i, s:o}, s:o, s:{s:o, s:i}, s:{s:o, s:i}, s:o, s:i, s:{s:i, s:o},"
        " s:o, s:o, s:{s:i, s:i, s:i}}",
        "id", s->id, "name", s->name,
        "waves", "first", s->wave_first, "last",
        s->wave_last ? json_integer(s->wave_last) : json_null(),
        "training_balance", pk_json_rupiah(s->training_balance),
        "incentive", "per_month", pk_json_rupiah(s->incentive), "months", s->incentive_months,
        "survey_incentive", "per_survey", pk_json_rupiah(s->survey_incentive), "count",
        s->survey_count,
        "total", pk_json_rupiah(pk_scheme_total(s)),
        "purchase_deadline_days", s->purchase_deadline_days,
        "age", "min", s->min_age, "max", s->max_age ? json_integer(s->max_age) : json_null(),
        "kk_max_members", s->kk_max ? json_integer(s->kk_max) : json_null(),
        "exclusion_lists", lists,
        "survey", "opens_every_days", s->survey_open_days, "fill_within_days",
        s->survey_fill_days, "paid_within_days", s->survey_pay_days);
}

json_t *pk_json_timeline(const pk_timeline *t)
{
    json_t *inc = json_array(), *sur = json_array();
    for (int i = 0; inc != NULL && i < t->n_incentives; i++)
        json_array_append_new(inc, json_pack("{s:o, s:o, s:o}",
                                             "due_from", pk_json_date(t->incentives[i].due_from),
                                             "due_to", pk_json_date(t->incentives[i].due_to),
                                             "amount", pk_json_rupiah(t->incentives[i].amount)));
    for (int i = 0; sur != NULL && i < t->n_surveys; i++)
        json_array_append_new(sur, json_pack("{s:o, s:o, s:o, s:o}",
                                             "opens", pk_json_date(t->surveys[i].opens),
                                             "closes", pk_json_date(t->surveys[i].closes),
                                             "paid_by", pk_json_date(t->surveys[i].paid_by),
                                             "amount", pk_json_rupiah(t->surveys[i].amount)));
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
                     "selected", pk_json_date(t->selected),
                     "purchase_deadline", pk_json_date(t->purchase_deadline),
                     "completed", pk_json_date(t->completed),
                     "incentives", inc, "surveys", sur,
                     "total", pk_json_rupiah(t->total));
}
