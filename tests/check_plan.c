/*
 * check_plan.c - the plan (src/boot/plan.c), its text format (format_steps.c) and lint
 * (lint.c): the seed's sequence step by step, both ordering policies, FD dispensing,
 * option filtering and type mapping, the overlay, verity, hints, and where runsc fails.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "../sim/rootfs.h"
#include "base/fault.h"
#include "vfslab/boot.h"

#define HEAD                                                                                   \
	"{\"ociVersion\":\"1\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"]," \
	"\"cwd\":\"/\"},"

static struct boot_spec *spec_of(const char *json)
{
	struct boot_spec *s = NULL;
	struct boot_err e = { "" };

	ck_assert_msg(boot_spec_parse(json, strlen(json), "t", &s, &e) == 0, "%s", e.msg);
	return s;
}

static struct boot_plan *plan_of(const struct boot_spec *s, enum boot_order order, bool overlay)
{
	struct boot_config c;
	struct boot_plan *p = NULL;
	struct boot_err e = { "" };

	boot_config_default(&c);
	c.order = order;
	c.overlay = overlay;
	ck_assert_msg(boot_plan_build(s, &c, &p, &e) == 0, "%s", e.msg);
	return p;
}

/* The first step of kind at target at or after *from; its index, or -1. */
static int find(const struct boot_plan *p, enum boot_step_kind kind, const char *target)
{
	size_t i;

	for (i = 0; i < p->nsteps; i++)
		if (p->steps[i].kind == kind && !strcmp(p->steps[i].target, target))
			return (int)i;
	return -1;
}

static char *line(const struct boot_plan *p, int i)
{
	ck_assert_int_ge(i, 0);
	return boot_format_step(p, (size_t)i);
}

#define ASSERT_LINE(p, i, want)             \
	do {                                \
		char *_l = line(p, i);      \
		ck_assert_str_eq(_l, want); \
		free(_l);                   \
	} while (0)

START_TEST(plan_default_spec_sequence)
{
	struct boot_spec *s = spec_of(rootfs_default_spec);
	struct boot_plan *p = plan_of(s, BOOT_ORDER_GVISOR, false);
	static const char *const types[] = { "cgroup",	"devpts", "devtmpfs", "fuse",  "9p",
					     "overlay", "proc",	  "sysfs",    "tmpfs", "verity" };
	size_t i;

	ck_assert(!p->failed);
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(p->steps[i].kind, BOOT_STEP_REGISTER_FS);
		ck_assert_str_eq(p->steps[i].target, types[i]);
	}
	ck_assert_uint_eq(p->steps[1].flags, BOOT_FS_USER_LIST);
	ck_assert_uint_eq(p->steps[4].flags, BOOT_FS_USER_LIST);
	ck_assert_uint_eq(p->steps[9].flags, BOOT_FS_USER_LIST);
	ck_assert_uint_eq(p->steps[8].flags, BOOT_FS_USER_MOUNT | BOOT_FS_USER_LIST);
	ASSERT_LINE(p, 1,
		    "02 register-fs devpts flags=user-list # devpts; users may not mount it "
		    "until terminals are usable (b/29356795)\n");
	ck_assert_int_ge(find(p, BOOT_STEP_REGISTER_DEV, "tundev"), 0);
	ck_assert_int_ge(find(p, BOOT_STEP_SKIP, "fuse"), 0);
	ASSERT_LINE(p, find(p, BOOT_STEP_DEVTMPFS_FILE, "null"),
		    "16 devtmpfs-file null char=1:3 mode=0666 # memdev\n");
	ASSERT_LINE(p, find(p, BOOT_STEP_MOUNT_ROOT, "/"),
		    "24 mount-root / type=9p src=rootfs opts=trans=fd,rfdno=3,wfdno=3,"
		    "overlayfs_stale_read flags=ro fd=3 # the namespace root over the gofer "
		    "(root.readonly; no overlay on a read-only root)\n");
	/* Read-only root: writable right after, restored last. */
	ck_assert_int_eq(find(p, BOOT_STEP_SET_RW, "/"), find(p, BOOT_STEP_MOUNT_ROOT, "/") + 1);
	ck_assert_int_eq(p->steps[p->nsteps - 1].kind, BOOT_STEP_FD_MAP);
	ck_assert_int_lt(find(p, BOOT_STEP_RESTORE_RO, "/sys"), find(p, BOOT_STEP_RESTORE_RO, "/"));
	ck_assert_int_lt(find(p, BOOT_STEP_MOUNT_TMP, "/tmp"),
			 find(p, BOOT_STEP_RESTORE_RO, "/sys"));
	/* The cgroup mount is dropped by compileMounts, mqueue skipped as unknown. */
	ck_assert_int_lt(find(p, BOOT_STEP_SKIP, "/sys/fs/cgroup"),
			 find(p, BOOT_STEP_MOUNT_ROOT, "/"));
	ASSERT_LINE(p, find(p, BOOT_STEP_SKIP, "/dev/mqueue"),
		    "37 skip /dev/mqueue type=mqueue src=mqueue # mounts[4]: ignoring unknown "
		    "filesystem type \"mqueue\"\n");
	ASSERT_LINE(p, find(p, BOOT_STEP_MOUNT, "/dev/shm"),
		    "36 mount /dev/shm type=tmpfs src=shm opts=mode=1777,size=65536k "
		    "flags=nosuid,noexec ignored=nodev # mounts[3]; unknown options ignored\n");
	ck_assert_int_ge(find(p, BOOT_STEP_RESOLVE_EXEC, "sh"), 0);
	ck_assert_int_ge(find(p, BOOT_STEP_MASKED_PATH, "/proc/kcore"), 0);
	boot_plan_free(p);
	boot_spec_free(s);
}
END_TEST

START_TEST(plan_orders_and_fds)
{
	struct boot_spec *s = spec_of(
		HEAD
		"\"mounts\":[{\"destination\":\"/a/b/c\",\"type\":\"bind\",\"source\":\"/h1\"},"
		"{\"destination\":\"/a\",\"type\":\"none\",\"source\":\"/"
		"h2\",\"options\":[\"rbind\"]},"
		"{\"destination\":\"/zz\",\"type\":\"tmpfs\"},{\"destination\":\"/"
		"yy\",\"type\":\"tmpfs\"}]}");
	struct boot_plan *g = plan_of(s, BOOT_ORDER_GVISOR, false);
	struct boot_plan *o = plan_of(s, BOOT_ORDER_SPEC, false);

	/* FDs go in compiled order before sorting: root 3, /a/b/c 4, /a 5. */
	ck_assert_int_eq(g->root_fd, 3);
	ck_assert_int_eq(g->steps[find(g, BOOT_STEP_MOUNT, "/a/b/c")].fd, 4);
	ck_assert_int_eq(g->steps[find(g, BOOT_STEP_MOUNT, "/a")].fd, 5);
	ck_assert_str_eq(g->steps[find(g, BOOT_STEP_MOUNT, "/a")].fstype, "9p");
	/* gvisor: by length, stable (/zz before /yy); spec: as listed. */
	ck_assert_int_lt(find(g, BOOT_STEP_MOUNT, "/a"), find(g, BOOT_STEP_MOUNT, "/a/b/c"));
	ck_assert_int_lt(find(g, BOOT_STEP_MOUNT, "/zz"), find(g, BOOT_STEP_MOUNT, "/yy"));
	ck_assert_int_gt(find(o, BOOT_STEP_MOUNT, "/a"), find(o, BOOT_STEP_MOUNT, "/a/b/c"));
	ck_assert_int_eq(o->steps[find(o, BOOT_STEP_MOUNT, "/a/b/c")].fd, 4);
	/* Mandatory mounts come first in compiled order. */
	ck_assert_str_eq(g->mounts[0].destination, "/proc");
	ck_assert_int_eq(g->mounts[0].spec_index, -1);
	ck_assert_str_eq(g->steps[find(g, BOOT_STEP_FD_MAP, "restore")].fields,
			 "/=3 /a/b/c=4 /a=5");
	boot_plan_free(g);
	boot_plan_free(o);
	boot_spec_free(s);
}
END_TEST

START_TEST(plan_overlay_and_verity)
{
	struct boot_spec *s = spec_of(
		HEAD
		"\"mounts\":[{\"destination\":\"/w\",\"type\":\"bind\",\"source\":\"/h\"},"
		"{\"destination\":\"/r\",\"type\":\"bind\",\"source\":\"/h\",\"options\":[\"ro\"]},"
		"{\"destination\":\"/v\",\"type\":\"bind\",\"source\":\"/h\",\"options\":[\"ro\","
		"\"verity.roothash=ab\",\"verity.action=error\"]}]}");
	struct boot_plan *p = plan_of(s, BOOT_ORDER_GVISOR, true);
	const struct boot_step *st;
	int i;

	ck_assert_int_eq(p->steps[find(p, BOOT_STEP_MOUNT_ROOT, "/")].kind, BOOT_STEP_MOUNT_ROOT);
	ck_assert_str_eq(p->steps[find(p, BOOT_STEP_MOUNT_ROOT, "/")].fstype, "overlay");
	ck_assert_int_eq(find(p, BOOT_STEP_CONFIGURE_OVERLAY, "/") + 1,
			 find(p, BOOT_STEP_MOUNT_ROOT, "/"));
	i = find(p, BOOT_STEP_CONFIGURE_OVERLAY, "/w");
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(p->steps[i].flags, MS_RDONLY);
	ck_assert_str_eq(p->steps[i + 1].fstype, "overlay");
	/* A read-only bind mount gets no overlay but set-rw/restore-ro. */
	ck_assert_int_eq(find(p, BOOT_STEP_CONFIGURE_OVERLAY, "/r"), -1);
	ck_assert_int_ge(find(p, BOOT_STEP_SET_RW, "/r"), 0);
	/* Verity: flags dropped (no set-rw), lower described. */
	st = &p->steps[find(p, BOOT_STEP_MOUNT, "/v")];
	ck_assert_str_eq(st->fstype, "verity");
	ck_assert_uint_eq(st->flags, 0);
	ck_assert_str_eq(st->verity->lower_type, "9p");
	ck_assert_str_eq(st->verity->roothash, "ab");
	ck_assert_str_eq(st->verity->action, "error");
	ck_assert_str_eq(st->verity->root_merkle_name, "v");
	ck_assert_int_eq(find(p, BOOT_STEP_SET_RW, "/v"), -1);
	boot_plan_free(p);
	boot_spec_free(s);
}
END_TEST

/* The reason of the plan's fail step, or "" when it does not fail. */
static void fails_with(const char *json, const char *want)
{
	struct boot_spec *s = spec_of(json);
	struct boot_plan *p = plan_of(s, BOOT_ORDER_GVISOR, false);

	ck_assert_msg(p->failed, "plan does not fail (want: %s)", want);
	ck_assert_int_eq(p->steps[p->nsteps - 1].kind, BOOT_STEP_FAIL);
	ck_assert_str_eq(p->steps[p->nsteps - 1].reason, want);
	boot_plan_free(p);
	boot_spec_free(s);
}

#define HINT "dev.gvisor.spec.mount."

START_TEST(plan_failures)
{
	fails_with(HEAD "\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\"},"
			"{\"destination\":\"/y\",\"type\":\"bind\",\"source\":\"/h\"}]}",
		   "fdDispenser out of fds: the gofer made one FD per bind mount with a source, "
		   "but this mount needs one (runsc panics)");
	fails_with(HEAD "\"mounts\":[{\"destination\":\"/c\",\"type\":\"cgroup\",\"source\":\"/h\","
			"\"options\":[\"rbind\"]}]}",
		   "not all gofer FDs were consumed, remaining: 1");
	fails_with(HEAD "\"mounts\":[{\"destination\":\"/v\",\"type\":\"tmpfs\",\"options\":"
			"[\"verity.roothash\"]}]}",
		   "mount submount \"/v\": mountOptions failed: invalid verity mount option with "
		   "no value: \"verity.roothash\"");
	fails_with(HEAD "\"mounts\":[{\"destination\":\"/t\",\"type\":\"tmpfs\",\"options\":"
			"[\"mode=1=2\"]}]}",
		   "mount submount \"/t\": mountOptions failed: invalid option \"mode=1=2\"");
	fails_with(HEAD "\"annotations\":{\"" HINT "a.b.c\":\"x\"}}",
		   "invalid mount annotation: " HINT "a.b.c=x");
	fails_with(HEAD "\"annotations\":{\"" HINT "a.color\":\"x\"}}",
		   "invalid mount annotation: " HINT "a.color=x");
	fails_with(HEAD "\"annotations\":{\"" HINT "a.type\":\"nfs\"}}", "invalid type \"nfs\"");
	fails_with(HEAD "\"annotations\":{\"" HINT "a.source\":\"/s\",\"" HINT
			"a.type\":\"tmpfs\"}}",
		   "share field for \"a\" has not been set");
	fails_with(HEAD "\"annotations\":{\"" HINT "a.options\":\"rw,shared\"}}",
		   "mount option \"shared\" is not supported");
	fails_with(HEAD "\"annotations\":{\"" HINT "a.source\":\"/s\",\"" HINT "a.type\":\"tmpfs\","
			"\"" HINT "a.share\":\"pod\",\"" HINT "b.source\":\"/s\",\"" HINT
			"b.type\":\"tmpfs\","
			"\"" HINT "b.share\":\"pod\"}}",
		   "mounts \"a\" and \"b\" have the same mount source \"/s\"");
	/* The seed passes a bind-typed container mount of a pod hint no FD. */
	fails_with(HEAD "\"mounts\":[{\"destination\":\"/m\",\"type\":\"bind\",\"source\":\"/s\"}],"
			"\"annotations\":{\"" HINT "a.source\":\"/s\",\"" HINT "a.type\":\"tmpfs\","
			"\"" HINT "a.share\":\"pod\"}}",
		   "mount shared mount \"a\" to \"/m\": 9P mount requires a connection FD");
}
END_TEST

START_TEST(plan_tmp_and_exec)
{
	struct boot_spec *s1 =
		spec_of(HEAD "\"mounts\":[{\"destination\":\"/tmp\",\"type\":\"tmpfs\"}]}");
	struct boot_spec *s2 = spec_of(
		"{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"bin/x\"],"
		"\"cwd\":\"/app\",\"env\":[\"A=1\"]}}");
	struct boot_plan *p1 = plan_of(s1, BOOT_ORDER_GVISOR, false);
	struct boot_plan *p2 = plan_of(s2, BOOT_ORDER_GVISOR, false);

	ck_assert_int_ge(find(p1, BOOT_STEP_SKIP, "/tmp"), 0);
	ck_assert_int_eq(find(p1, BOOT_STEP_MOUNT_TMP, "/tmp"), -1);
	ck_assert_str_eq(p2->steps[find(p2, BOOT_STEP_MOUNT_TMP, "/tmp")].data, "mode=01777");
	ck_assert_str_eq(p2->steps[find(p2, BOOT_STEP_RESOLVE_EXEC, "bin/x")].fields, "cwd=/app");
	boot_plan_free(p1);
	boot_plan_free(p2);
	boot_spec_free(s1);
	boot_spec_free(s2);
}
END_TEST

START_TEST(plan_survives_allocation_failures)
{
	struct boot_spec *s = spec_of(rootfs_default_spec);
	struct boot_config c;
	struct boot_plan *p;
	struct boot_err e;
	int n, ret;

	boot_config_default(&c);
	c.overlay = true;
	for (n = 1;; n++) {
		bool fired;

		fault_arm((uint64_t)n, 1u << FAULT_ALLOC);
		ret = boot_plan_build(s, &c, &p, &e);
		fired = fault_fired();
		fault_disarm();
		if (!fired) {
			ck_assert_int_eq(ret, 0);
			break;
		}
		ck_assert_int_eq(ret, -ENOMEM);
		ck_assert_ptr_null(p);
	}
	ck_assert_int_gt(n, 50);
	boot_plan_free(p);
	boot_spec_free(s);
}
END_TEST

static struct boot_lint *lint_of(const struct boot_spec *s)
{
	struct boot_config c;
	struct boot_lint *l = NULL;
	struct boot_err e = { "" };

	boot_config_default(&c);
	ck_assert_msg(boot_lint_run(s, &c, NULL, &l, &e) == 0, "%s", e.msg);
	return l;
}

static bool has_finding(const struct boot_lint *l, const char *code, const char *where)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->findings[i].code, code) && !strcmp(l->findings[i].where, where))
			return true;
	return false;
}

START_TEST(lint_hazards)
{
	struct boot_spec *s = spec_of(
		HEAD "\"mounts\":[{\"destination\":\"/a/b\",\"type\":\"tmpfs\"},"
		     "{\"destination\":\"/a\",\"type\":\"tmpfs\"},{\"destination\":\"/"
		     "a\",\"type\":\"tmpfs\"},"
		     "{\"destination\":\"rel\",\"type\":\"tmpfs\"},{\"destination\":\"/"
		     "q\",\"type\":\"xfs\"},"
		     "{\"destination\":\"/v\",\"type\":\"bind\",\"source\":\"/h\",\"options\":"
		     "[\"verity.action=error\",\"rshared\"]},"
		     "{\"destination\":\"/proc\",\"type\":\"bind\",\"source\":\"/proc\"}]}");
	struct boot_lint *l = lint_of(s);
	char *text, *json;

	ck_assert(has_finding(l, "order-dependent", "mounts[0] /a/b"));
	ck_assert(has_finding(l, "duplicate-destination", "mounts[2] /a"));
	ck_assert(has_finding(l, "relative-destination", "mounts[3] /rel"));
	ck_assert(has_finding(l, "unsupported-type", "mounts[4] /q"));
	ck_assert(has_finding(l, "verity-no-roothash", "mounts[5] /v"));
	ck_assert(has_finding(l, "runsc-refuses", "mounts[5] /v"));
	ck_assert(has_finding(l, "proc-replaced", "mounts[6] /proc"));
	ck_assert(has_finding(l, "undefined-order", "gvisor"));
	ck_assert_uint_eq(l->count[BOOT_LINT_ERROR], 2);
	text = boot_format_lint(l);
	ck_assert_ptr_nonnull(strstr(text, "lint: 2 errors, "));
	json = boot_format_lint_json(l);
	ck_assert_ptr_nonnull(strstr(json, "\"errors\": 2"));
	free(text);
	free(json);
	boot_lint_free(l);
	boot_spec_free(s);
}
END_TEST

START_TEST(lint_default_spec_clean)
{
	struct boot_spec *s = spec_of(rootfs_default_spec);
	struct boot_lint *l = lint_of(s);

	ck_assert_uint_eq(l->count[BOOT_LINT_ERROR], 0);
	ck_assert(has_finding(l, "unsupported-type", "mounts[4] /dev/mqueue"));
	ck_assert(has_finding(l, "type-overridden", "mounts[1] /dev"));
	boot_lint_free(l);
	boot_spec_free(s);
}
END_TEST

Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, plan_default_spec_sequence);
	tcase_add_test(tc, plan_orders_and_fds);
	tcase_add_test(tc, plan_overlay_and_verity);
	tcase_add_test(tc, plan_failures);
	tcase_add_test(tc, plan_tmp_and_exec);
	tcase_add_test(tc, plan_survives_allocation_failures);
	tcase_add_test(tc, lint_hazards);
	tcase_add_test(tc, lint_default_spec_clean);
	suite_add_tcase(s, tc);
	return s;
}
