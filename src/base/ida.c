/*
 * ida.c - lowest-free ID allocation over a growable bitmap; see ida.h.
 */
#include "ida.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"

int ida_alloc_min(struct ida *ida, int min)
{
	uint32_t w, nw;
	uint64_t *nb;

	if (min < 0)
		return -EINVAL;
	for (w = (uint32_t)min / 64; w < ida->nwords; w++) {
		uint64_t free = ~ida->bits[w];

		if (w == (uint32_t)min / 64)
			free &= ~0ull << (min % 64);
		if (free) {
			int bit = __builtin_ctzll(free);

			ida->bits[w] |= 1ull << bit;
			return (int)(w * 64 + (uint32_t)bit);
		}
	}
	nw = ida->nwords ? ida->nwords * 2 : 1;
	while (nw * 64 <= (uint32_t)min)
		nw *= 2;
	nb = vl_realloc(ida->bits, nw * sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	memset(nb + ida->nwords, 0, (nw - ida->nwords) * sizeof(*nb));
	ida->bits = nb;
	ida->nwords = nw;
	return ida_alloc_min(ida, min);
}

void ida_free(struct ida *ida, int id)
{
	if (id >= 0 && (uint32_t)id / 64 < ida->nwords)
		ida->bits[id / 64] &= ~(1ull << (id % 64));
}

void ida_destroy(struct ida *ida)
{
	vl_free(ida->bits);
	ida->bits = NULL;
	ida->nwords = 0;
}
