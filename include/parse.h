/* parse.h - strict parsers for the values of the command line and USHER_* variables.
 * Pure functions: no printing, no exiting, no allocation. Each returns 0 or -EINVAL
 * (malformed) / -ERANGE (overflow), and writes *out only on success. */
#ifndef USHER_PARSE_H
#define USHER_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

/* Decimal digits only: no sign, no space, no empty string, no trailing junk. */
int parse_u64(const char *s, uint64_t *out);
/* parse_u64 plus an optional K, M or G suffix (powers of 1024), either case. */
int parse_size(const char *s, uint64_t *out);
/* Seconds with up to three decimals ("2", "0.05"), returned as milliseconds. */
int parse_seconds_ms(const char *s, uint64_t *out);
/* Environment booleans: 1/true/yes/on and 0/false/no/off/"" (case-insensitive). */
int parse_bool(const char *s, bool *out);

/* Capability name ("NET_BIND_SERVICE", "cap_net_bind_service") -> number. */
int cap_from_name(const char *s, unsigned *out);
const char *cap_name(unsigned cap); /* "NET_BIND_SERVICE" (no CAP_), NULL if unknown */
unsigned cap_last(void);            /* the highest capability number usher knows */

/* rlimit name ("nofile") -> RLIMIT_NOFILE. */
int rlimit_from_name(const char *s, int *out);
const char *rlimit_name(int resource); /* lowercase, NULL if unknown */
/* "NAME=SOFT[:HARD]"; values take SIZE suffixes or "unlimited"; HARD defaults to SOFT;
 * SOFT above HARD is -EINVAL. */
int parse_rlimit(const char *s, int *resource, rlim_t *soft, rlim_t *hard);

#endif
