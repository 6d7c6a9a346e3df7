/*
 * check_base.c - src/base (strbuf, errno names, the fault injector, the allocator, object
 * counters, ERR_PTR) and the two host implementations. No kernel is needed: plain test
 * cases, with a teardown that disarms the injector so a failed test cannot leak an armed
 * fault into the next one when CK_FORK=no.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/errname.h"
#include "base/fault.h"
#include "base/list.h"
#include "base/objcount.h"
#include "base/strbuf.h"
#include "vfslab/host.h"

#define SIM_EPOCH_NS (1577836800LL * 1000000000LL)

static void base_teardown(void)
{
	fault_disarm();
}

/* ------------------------------------------------------------------ strbuf */

START_TEST(strbuf_grows_and_stays_terminated)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, len;
	char *s;

	for (i = 0; i < 10000; i++) {
		sb_addc(&sb, (char)('a' + i % 26));
		ck_assert_uint_eq(sb.len, i + 1);
		ck_assert_uint_gt(sb.cap, sb.len);
		ck_assert_int_eq(sb.buf[sb.len], '\0');
	}
	ck_assert_int_eq(sb.buf[9999], 'a' + 9999 % 26);
	sb_reset(&sb);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_str_eq(sb.buf, "");
	sb_adds(&sb, "x=");
	sb_printf(&sb, "%d-%s", 42, "y");
	sb_add(&sb, "\0z", 2);
	ck_assert_uint_eq(sb.len, 8);
	ck_assert_mem_eq(sb.buf, "x=42-y\0z", 9);
	ck_assert_int_eq(sb_error(&sb), 0);
	s = sb_detach(&sb, &len);
	ck_assert_uint_eq(len, 8);
	ck_assert_str_eq(s, "x=42-y");
	ck_assert_ptr_null(sb.buf);
	vl_free(s);
	sb_free(&sb);
}
END_TEST

START_TEST(strbuf_detach_empty_is_empty_string)
{
	struct strbuf sb;
	size_t len = 99;
	char *s;

	sb_init(&sb);
	s = sb_detach(&sb, &len);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(s, "");
	vl_free(s);
}
END_TEST

START_TEST(strbuf_escaped_mountinfo_set)
{
	struct strbuf sb = STRBUF_INIT;

	sb_add_escaped(&sb, "a b\tc\nd\\e#f", " \t\n\\");
	ck_assert_str_eq(sb.buf, "a\\040b\\011c\\012d\\134e#f");
	sb_free(&sb);
}
END_TEST

START_TEST(strbuf_cescaped)
{
	struct strbuf sb = STRBUF_INIT;

	sb_add_cescaped(&sb, "a\n\t\r\\\"\x01\x7f\xff z", 11);
	ck_assert_str_eq(sb.buf, "a\\n\\t\\r\\\\\\\"\\001\\177\\377 z");
	sb_reset(&sb);
	sb_add_cescaped(&sb, "x\0y", 3);
	ck_assert_str_eq(sb.buf, "x\\000y");
	sb_free(&sb);
}
END_TEST

START_TEST(strbuf_enomem_latches)
{
	struct strbuf sb = STRBUF_INIT;

	sb_adds(&sb, "kept");
	/* Force a realloc at the next add: fill up to capacity. */
	while (sb.len + 1 < sb.cap)
		sb_addc(&sb, '.');
	fault_arm(1, 1u << FAULT_ALLOC);
	sb_adds(&sb, "lost");
	ck_assert(fault_fired());
	ck_assert_int_eq(sb_error(&sb), -ENOMEM);
	sb_adds(&sb, "also lost"); /* no allocation is attempted once latched */
	sb_printf(&sb, "%s", "and this");
	ck_assert_int_eq(strncmp(sb.buf, "kept", 4), 0);
	ck_assert_uint_eq(sb.len, sb.cap - 1);
	ck_assert_ptr_null(sb_detach(&sb, NULL));
	sb_reset(&sb);
	ck_assert_int_eq(sb_error(&sb), 0);
	sb_adds(&sb, "again");
	ck_assert_str_eq(sb.buf, "again");
	sb_free(&sb);
}
END_TEST

/* ------------------------------------------------------------------ errno names */

START_TEST(errname_round_trip)
{
	int e, named = 0;

	for (e = 1; e < 134; e++) {
		const char *name = errno_name(e);

		ck_assert_ptr_nonnull(name);
		ck_assert_int_eq(name[0], 'E');
		if (name[1] >= '0' && name[1] <= '9')
			continue; /* unnamed value, printed as E<number> */
		named++;
		ck_assert_msg(errno_from_name(name) == e, "%d -> %s -> %d", e, name,
			      errno_from_name(name));
	}
	ck_assert_int_gt(named, 80);
}
END_TEST

START_TEST(errname_known_values)
{
	ck_assert_str_eq(errno_name(ENOENT), "ENOENT");
	ck_assert_str_eq(errno_name(-EACCES), "EACCES");
	ck_assert_str_eq(errno_name(EAGAIN), "EAGAIN");
	ck_assert_str_eq(errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	ck_assert_str_eq(errno_name(ENAMETOOLONG), "ENAMETOOLONG");
	ck_assert_str_eq(errno_name(9999), "E9999");
	ck_assert_int_eq(errno_from_name("ELOOP"), ELOOP);
	ck_assert_int_eq(errno_from_name("EWOULDBLOCK"), EAGAIN);
	ck_assert_int_eq(errno_from_name("ENOTSUP"), EOPNOTSUPP);
	ck_assert_int_eq(errno_from_name("ENOPE"), 0);
	ck_assert_int_eq(errno_from_name(""), 0);
}
END_TEST

/* ------------------------------------------------------------------ fault injector */

START_TEST(fault_third_check_fails)
{
	uint64_t before = fault_injected_total();

	ck_assert(!fault_check(FAULT_ALLOC)); /* disarmed */
	fault_arm(3, 1u << FAULT_ALLOC);
	ck_assert(!fault_fired());
	ck_assert(!fault_check(FAULT_ALLOC));
	ck_assert(!fault_check(FAULT_HOST)); /* not in the mask: not counted */
	ck_assert(!fault_check(FAULT_ALLOC));
	ck_assert(!fault_fired());
	ck_assert(fault_check(FAULT_ALLOC));
	ck_assert(fault_fired());
	ck_assert(!fault_check(FAULT_ALLOC));
	ck_assert(!fault_check(FAULT_ALLOC));
	ck_assert(fault_fired());
	ck_assert_uint_eq(fault_injected_total(), before + 1);
}
END_TEST

START_TEST(fault_mask_and_disarm)
{
	fault_arm(2, ALL_FAULT_SITES);
	ck_assert(!fault_check(FAULT_TRANSPORT));
	ck_assert(fault_check(FAULT_HOST));
	fault_arm(1, 1u << FAULT_TRANSPORT);
	ck_assert(!fault_fired()); /* re-arming resets fired */
	fault_disarm();
	ck_assert(!fault_check(FAULT_TRANSPORT));
	ck_assert(!fault_fired());
	fault_arm(0, ALL_FAULT_SITES); /* 0 disarms */
	ck_assert(!fault_check(FAULT_ALLOC));
}
END_TEST

/* ------------------------------------------------------------------ allocator */

START_TEST(alloc_basics)
{
	char *p = vl_malloc(0), *z, *s;
	size_t i;

	ck_assert_ptr_nonnull(p);
	vl_free(p);
	z = vl_zalloc(64);
	ck_assert_ptr_nonnull(z);
	for (i = 0; i < 64; i++)
		ck_assert_int_eq(z[i], 0);
	z = vl_realloc(z, 4096);
	ck_assert_ptr_nonnull(z);
	vl_free(z);
	s = vl_strndup("hello", 3);
	ck_assert_str_eq(s, "hel");
	vl_free(s);
	s = vl_strndup("hi", 10);
	ck_assert_str_eq(s, "hi");
	vl_free(s);
	vl_free(NULL);
}
END_TEST

START_TEST(alloc_fails_under_fault)
{
	char *s;

	fault_arm(1, 1u << FAULT_ALLOC);
	ck_assert_ptr_null(vl_strdup("x"));
	ck_assert(fault_fired());
	s = vl_strdup("x");
	ck_assert_str_eq(s, "x");
	vl_free(s);

	fault_arm(1, 1u << FAULT_ALLOC);
	ck_assert_ptr_null(vl_zalloc(8));
	fault_arm(1, 1u << FAULT_ALLOC);
	ck_assert_ptr_null(vl_malloc(8));
	s = vl_malloc(8);
	fault_arm(1, 1u << FAULT_ALLOC);
	ck_assert_ptr_null(vl_realloc(s, 16)); /* s is still ours */
	vl_free(s);
	fault_arm(1, 1u << FAULT_HOST);
	s = vl_strdup("y"); /* other sites do not affect allocation */
	ck_assert_ptr_nonnull(s);
	vl_free(s);
}
END_TEST

/* ------------------------------------------------------------------ objcount, err, list */

START_TEST(objcount_counts)
{
	int64_t before = obj_live(OBJ_FID);

	obj_inc(OBJ_FID);
	obj_inc(OBJ_FID);
	ck_assert_int_eq(obj_live(OBJ_FID), before + 2);
	obj_dec(OBJ_FID);
	obj_dec(OBJ_FID);
	ck_assert_int_eq(obj_live(OBJ_FID), before);
	ck_assert_str_eq(obj_kind_name(OBJ_DENTRY), "dentry");
	ck_assert_str_eq(obj_kind_name(OBJ_NR_KINDS), "?");
}
END_TEST

START_TEST(err_ptr_round_trip)
{
	int x;
	void *p = ERR_PTR(-ENOENT);

	ck_assert(IS_ERR(p));
	ck_assert_int_eq(PTR_ERR(p), -ENOENT);
	ck_assert(IS_ERR(ERR_PTR(-MAX_ERRNO)));
	ck_assert(!IS_ERR(&x));
	ck_assert(!IS_ERR(NULL));
	ck_assert(IS_ERR_OR_NULL(NULL));
	ck_assert(IS_ERR_OR_NULL(p));
	ck_assert(!IS_ERR_OR_NULL(&x));
}
END_TEST

struct item {
	int v;
	struct list_head link;
};

START_TEST(list_order)
{
	struct list_head head = LIST_HEAD_INIT(head), *pos, *tmp;
	struct item it[3] = { { .v = 0 }, { .v = 1 }, { .v = 2 } };
	int want[] = { 2, 0, 1 }, i = 0;

	ck_assert(list_empty(&head));
	list_add_tail(&it[0].link, &head);
	list_add_tail(&it[1].link, &head);
	list_add(&it[2].link, &head);
	list_for_each(pos, &head)
		ck_assert_int_eq(list_entry(pos, struct item, link)->v, want[i++]);
	ck_assert_int_eq(i, 3);
	list_move_after(&it[2].link, &it[1].link);
	ck_assert_ptr_eq(head.prev, &it[2].link);
	list_for_each_safe(pos, tmp, &head)
		list_del(pos);
	ck_assert(list_empty(&head));
}
END_TEST

/* ------------------------------------------------------------------ hosts */

static void read_host(struct host *h, unsigned char rnd[64], int64_t clk[6])
{
	int i;

	ck_assert_int_eq(h->ops->getrandom(h, rnd, 61), 0); /* odd length: a partial word */
	ck_assert_int_eq(h->ops->getrandom(h, rnd + 61, 3), 0);
	for (i = 0; i < 6; i++)
		clk[i] = i % 2 ? h->ops->clock_monotonic_ns(h) : h->ops->clock_realtime_ns(h);
}

START_TEST(host_sim_is_deterministic)
{
	struct host *a = host_sim_new(42), *b = host_sim_new(42), *c = host_sim_new(43);
	unsigned char ra[64], rb[64], rc[64];
	int64_t ca[6], cb[6], cc[6];

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	read_host(a, ra, ca);
	read_host(b, rb, cb);
	read_host(c, rc, cc);
	ck_assert_mem_eq(ra, rb, sizeof(ra));
	ck_assert_mem_eq(ca, cb, sizeof(ca));
	ck_assert(memcmp(ra, rc, sizeof(ra)) != 0);
	ck_assert_mem_eq(ca, cc, sizeof(ca)); /* the clock does not depend on the seed */
	a->ops->destroy(a);
	b->ops->destroy(b);
	c->ops->destroy(c);
}
END_TEST

START_TEST(host_sim_clock_ticks)
{
	struct host *h = host_sim_new(1);

	ck_assert_uint_eq(h->ops->version, HOST_ABI_VERSION);
	ck_assert_str_eq(h->ops->name, "sim");
	ck_assert_int_eq(h->ops->clock_realtime_ns(h), SIM_EPOCH_NS);
	ck_assert_int_eq(h->ops->clock_monotonic_ns(h), 1000);
	ck_assert_int_eq(h->ops->clock_realtime_ns(h), SIM_EPOCH_NS + 2000);
	ck_assert_int_eq(h->ops->clock_realtime_ns(h), SIM_EPOCH_NS + 3000);
	ck_assert_int_eq(h->ops->clock_monotonic_ns(h), 4000);
	h->ops->destroy(h);

	h = host_sim_new(1);
	ck_assert_int_eq(h->ops->clock_monotonic_ns(h), 0);
	h->ops->destroy(h);
}
END_TEST

START_TEST(host_sim_faults)
{
	struct host *h = host_sim_new(7), *g = host_sim_new(7);
	unsigned char a[16], b[16];

	fault_arm(1, 1u << FAULT_HOST);
	/* Clocks never fail and never consume the countdown. */
	ck_assert_int_eq(h->ops->clock_realtime_ns(h), SIM_EPOCH_NS);
	ck_assert(!fault_fired());
	ck_assert_int_eq(h->ops->getrandom(h, a, sizeof(a)), -EIO);
	ck_assert(fault_fired());
	/* A failed call does not advance the generator. */
	ck_assert_int_eq(h->ops->getrandom(h, a, sizeof(a)), 0);
	ck_assert_int_eq(g->ops->getrandom(g, b, sizeof(b)), 0);
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert_int_eq(h->ops->getrandom(h, a, 0), 0);
	/* An allocation fault at creation gives NULL. */
	fault_arm(1, 1u << FAULT_ALLOC);
	ck_assert_ptr_null(host_sim_new(1));
	fault_disarm();
	h->ops->destroy(h);
	g->ops->destroy(g);
}
END_TEST

START_TEST(host_sim_log_lines)
{
	struct host *h = host_sim_new(1), *r = host_real_new(HOST_LOG_ERROR);

	ck_assert_str_eq(host_sim_log(h), "");
	h->ops->log(h, HOST_LOG_DEBUG, "d");
	h->ops->log(h, HOST_LOG_INFO, "i");
	h->ops->log(h, HOST_LOG_WARN, "w two");
	h->ops->log(h, HOST_LOG_ERROR, "");
	ck_assert_str_eq(host_sim_log(h), "D: d\nI: i\nW: w two\nE: \n");
	/* Logging consumes no fault-injection checks. */
	fault_arm(1, ALL_FAULT_SITES);
	h->ops->log(h, HOST_LOG_INFO, "kept");
	ck_assert(!fault_fired());
	fault_disarm();
	host_sim_clear_log(h);
	ck_assert_str_eq(host_sim_log(h), "");
	h->ops->log(h, HOST_LOG_WARN, "after");
	ck_assert_str_eq(host_sim_log(h), "W: after\n");
	/* Not a simulated host: an empty log, and clearing is a no-op. */
	ck_assert_str_eq(host_sim_log(r), "");
	host_sim_clear_log(r);
	ck_assert_str_eq(host_sim_log(NULL), "");
	h->ops->destroy(h);
	r->ops->destroy(r);
}
END_TEST

START_TEST(host_sim_log_grows)
{
	struct host *h = host_sim_new(1);
	char line[200];
	int i;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	for (i = 0; i < 100; i++)
		h->ops->log(h, HOST_LOG_INFO, line);
	ck_assert_uint_eq(strlen(host_sim_log(h)), 100 * (3 + 199 + 1));
	h->ops->destroy(h);
}
END_TEST

START_TEST(host_real_works)
{
	struct host *h = host_real_new(HOST_LOG_ERROR);
	unsigned char buf[300], zero[300] = { 0 };
	int64_t m1, m2;
	int saved, null;

	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->ops->version, HOST_ABI_VERSION);
	ck_assert_str_eq(h->ops->name, "real");
	/* The machine as the sandbox sees it is this machine. */
	ck_assert_uint_eq(h->ops->ncpus(h), (unsigned)sysconf(_SC_NPROCESSORS_ONLN));
	ck_assert_uint_eq(h->ops->mem_total(h),
			  (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE));
	ck_assert_int_gt(h->ops->clock_realtime_ns(h), SIM_EPOCH_NS);
	m1 = h->ops->clock_monotonic_ns(h);
	m2 = h->ops->clock_monotonic_ns(h);
	ck_assert_int_ge(m2, m1);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(h->ops->getrandom(h, buf, sizeof(buf)), 0);
	ck_assert(memcmp(buf, zero, sizeof(buf)) != 0);
	fault_arm(1, 1u << FAULT_HOST);
	ck_assert_int_eq(h->ops->getrandom(h, buf, sizeof(buf)), -EIO);
	h->ops->log(h, HOST_LOG_DEBUG, "below the level: not printed");
	/* At the level: printed (to /dev/null here, to keep the test output clean). */
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	null = open("/dev/null", O_WRONLY);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(null, 0);
	dup2(null, STDERR_FILENO);
	h->ops->log(h, HOST_LOG_ERROR, "at the level: printed");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(null);
	h->ops->destroy(h);

	fault_arm(1, 1u << FAULT_ALLOC);
	ck_assert_ptr_null(host_real_new(HOST_LOG_DEBUG));
}
END_TEST

Suite *base_suite(void)
{
	Suite *s = suite_create("base");
	TCase *tc;

	tc = tcase_create("strbuf");
	tcase_add_checked_fixture(tc, NULL, base_teardown);
	tcase_add_test(tc, strbuf_grows_and_stays_terminated);
	tcase_add_test(tc, strbuf_detach_empty_is_empty_string);
	tcase_add_test(tc, strbuf_escaped_mountinfo_set);
	tcase_add_test(tc, strbuf_cescaped);
	tcase_add_test(tc, strbuf_enomem_latches);
	suite_add_tcase(s, tc);

	tc = tcase_create("errname");
	tcase_add_test(tc, errname_round_trip);
	tcase_add_test(tc, errname_known_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("fault");
	tcase_add_checked_fixture(tc, NULL, base_teardown);
	tcase_add_test(tc, fault_third_check_fails);
	tcase_add_test(tc, fault_mask_and_disarm);
	tcase_add_test(tc, alloc_basics);
	tcase_add_test(tc, alloc_fails_under_fault);
	suite_add_tcase(s, tc);

	tc = tcase_create("misc");
	tcase_add_test(tc, objcount_counts);
	tcase_add_test(tc, err_ptr_round_trip);
	tcase_add_test(tc, list_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("host");
	tcase_add_checked_fixture(tc, NULL, base_teardown);
	tcase_add_test(tc, host_sim_is_deterministic);
	tcase_add_test(tc, host_sim_clock_ticks);
	tcase_add_test(tc, host_sim_faults);
	tcase_add_test(tc, host_sim_log_lines);
	tcase_add_test(tc, host_sim_log_grows);
	tcase_add_test(tc, host_real_works);
	suite_add_tcase(s, tc);

	return s;
}
