/* probe.h - shared by the probe's files (see probe.c). */
#ifndef PROBE_H
#define PROBE_H

#include <stdarg.h>

/* Runs the attack argv[0]; returns its exit status, or -1 when there is no such attack. */
int attack(int argc, char **argv);
/* sys NAME...: system calls newer kernels added, with harmless arguments (probe_syscalls.c). */
int sys_probe(int argc, char **argv);
/* Runs the limit-hitting program argv[0] (probe_verdicts.c); -1 when there is none. */
int verdict_program(int argc, char **argv);

#endif
