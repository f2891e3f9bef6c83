/* gicsim: the run's random number generator (internal to the library).
 *
 * Every random draw of a model comes from a stream of the run's seed:
 * rng_init(r, seed, stream) derives the stream's state from the pair with
 * splitmix64, so streams of one seed share nothing and a mechanism that
 * draws from its own stream never moves another's. The generator is
 * xoshiro256** (Blackman and Vigna); the normal draws use the polar method
 * (only sqrt and log), so a seed gives the same draws wherever IEEE doubles
 * and a correctly rounded sqrt are. Not installed. */
#ifndef GICSIM_ENGINE_RNG_H
#define GICSIM_ENGINE_RNG_H

#include <gicsim/variation.h>

#include <stdint.h>

typedef struct rng {
    uint64_t s[4];
} rng;

/* Stream `stream` of `seed`. */
void rng_init(rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_u64(rng *r);
/* Uniform in (0, 1): never 0 nor 1. */
double rng_uniform(rng *r);
/* Standard normal. */
double rng_normal(rng *r);
/* Exponential with mean 1. */
double rng_exp(rng *r);
/* A draw of `d` (GICSIM_DIST_NONE: 1.0; gicsim_dist_check must accept d). */
double rng_dist(rng *r, const gicsim_dist *d);

#endif
