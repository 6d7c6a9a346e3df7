/*
 * oracle.h - the pieces of the Linux oracle (tests/oracle): the op backend over the real
 * kernel's system calls and the seeded random op-line generator.
 */
#ifndef VFSLAB_TESTS_ORACLE_H
#define VFSLAB_TESTS_ORACLE_H

#include <stdio.h>

#include "../../tui/op.h"

/* The backend over the calling process's own system calls; ctx is unused (NULL).
 * op_linux_init records the process's credentials, which restore_creds goes back to;
 * returns 0 or -errno. */
extern const struct op_backend op_linux_backend;
int op_linux_init(void);

/* Writes n op lines, reproducible from seed, to f (see gen_random.c). */
void oracle_gen_random(FILE *f, unsigned long seed, unsigned n);

#endif
