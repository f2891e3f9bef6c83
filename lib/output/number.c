/* gicsim: numbers read and scaled without the locale, shared by the sweep's
 * files (config/sweep.c, sweep_tables.c, output_plot.c) and the charts
 * (svg.c); declared in output_internal.h. */
#include "output_internal.h"

double out_pow10(int e)
{
    double v = 1;
    for (int i = 0; i < e; i++)
        v *= 10;
    for (int i = 0; i > e; i--)
        v /= 10;
    return v;
}

bool out_parse_decimal(const char *s, double *v, bool *point)
{
    bool neg = *s == '-', dot = false;
    s += neg;
    if (*s < '0' || *s > '9')
        return false;
    double x = 0, scale = 1;
    for (; *s >= '0' && *s <= '9'; s++)
        x = x * 10 + (*s - '0');
    if (*s == '.') {
        dot = true;
        if (s[1] < '0' || s[1] > '9')
            return false;
        for (s++; *s >= '0' && *s <= '9'; s++) {
            scale *= 10;
            x = x * 10 + (*s - '0');
        }
    }
    if (*s)
        return false;
    *v = (neg ? -x : x) / scale;
    if (point)
        *point = dot;
    return *v - *v == 0; /* finite */
}
