/*
 * fault.c - the countdown fault injector; see fault.h.
 */
#include "fault.h"

#include <stdatomic.h>

static _Atomic uint64_t countdown;	/* 0: disarmed */
static _Atomic unsigned armed_mask;
static _Atomic bool fired;
static _Atomic uint64_t injected_total;

void fault_arm(uint64_t n, unsigned site_mask)
{
	atomic_store(&fired, false);
	atomic_store(&armed_mask, site_mask);
	atomic_store(&countdown, n);
}

void fault_disarm(void)
{
	atomic_store(&countdown, 0);
}

bool fault_fired(void)
{
	return atomic_load(&fired);
}

bool fault_check(enum fault_site site)
{
	uint64_t c;

	if (atomic_load_explicit(&countdown, memory_order_relaxed) == 0)
		return false;
	if (!(atomic_load(&armed_mask) & (1u << site)))
		return false;
	c = atomic_load(&countdown);
	while (c != 0) {
		if (atomic_compare_exchange_weak(&countdown, &c, c - 1)) {
			if (c == 1) {
				atomic_store(&fired, true);
				atomic_fetch_add(&injected_total, 1);
				return true;
			}
			return false;
		}
	}
	return false;
}

uint64_t fault_injected_total(void)
{
	return atomic_load(&injected_total);
}
