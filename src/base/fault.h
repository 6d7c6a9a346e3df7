/*
 * fault.h - the countdown fault injector.
 *
 * Allocation, the host boundary and transports consult fault_check(site) before doing
 * their work. When armed with fault_arm(n), the n-th consultation from then on fails
 * (returns true) and every later one succeeds, so a test can sweep n = 1..k over an
 * operation until it completes without a failure being injected. The injector is
 * process-global and thread-safe; counts are kept for `make reliability`.
 */
#ifndef VFSLAB_BASE_FAULT_H
#define VFSLAB_BASE_FAULT_H

#include <stdbool.h>
#include <stdint.h>

enum fault_site {
	FAULT_ALLOC,
	FAULT_HOST,
	FAULT_TRANSPORT,
	FAULT_NR_SITES
};

/* Fail the n-th check (n >= 1) of any site in mask (bit per fault_site); 0 disarms. */
void fault_arm(uint64_t n, unsigned site_mask);
void fault_disarm(void);
/* True once the armed fault has fired (since the last fault_arm). */
bool fault_fired(void);
/* Consulted by instrumented code: true means "fail now". */
bool fault_check(enum fault_site site);
/* Totals since start: checks consulted and faults injected. */
uint64_t fault_injected_total(void);

#define ALL_FAULT_SITES ((1u << FAULT_NR_SITES) - 1)

#endif
