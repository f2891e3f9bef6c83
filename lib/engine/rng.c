/* gicsim: the run's random number generator (see engine/rng.h). */
#include "engine/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void rng_init(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    uint64_t mix = splitmix64(&x) ^ (stream * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&mix);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1; /* xoshiro's one forbidden state */
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rng_u64(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(rng *r)
{
    return ((double)(rng_u64(r) >> 11) + 0.5) / 9007199254740992.0;
}

double rng_normal(rng *r)
{
    double u, v, q;
    do {
        u = 2.0 * rng_uniform(r) - 1.0;
        v = 2.0 * rng_uniform(r) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    return u * sqrt(-2.0 * log(q) / q);
}

double rng_exp(rng *r)
{
    return -log(rng_uniform(r));
}

double rng_dist(rng *r, const gicsim_dist *d)
{
    switch (d->kind) {
    case GICSIM_DIST_FIXED:
        return d->a;
    case GICSIM_DIST_UNIFORM:
        return d->a + (d->b - d->a) * rng_uniform(r);
    case GICSIM_DIST_NORMAL: {
        /* Truncated at 0 by rejection: gicsim_dist_check asks for at least
         * 1% of the mass above 0. */
        double x;
        do
            x = d->a + d->b * rng_normal(r);
        while (x < 0);
        return x;
    }
    case GICSIM_DIST_LOGNORMAL:
        return d->a * exp(d->b * rng_normal(r));
    case GICSIM_DIST_EMPIRICAL: {
        double total = 0;
        for (uint32_t i = 0; i < d->n; i++)
            total += d->w[i];
        double u = rng_uniform(r) * total;
        for (uint32_t i = 0; i + 1 < d->n; i++) {
            if (u < d->w[i])
                return d->x[i];
            u -= d->w[i];
        }
        return d->n ? d->x[d->n - 1] : 1.0;
    }
    default:
        return 1.0;
    }
}
