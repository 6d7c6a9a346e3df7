/*
 * check_spec.c - OCI spec loading (src/boot/spec.c) and runsc's configuration
 * (src/boot/config.c): the embedded default spec field by field, every schema error with
 * its JSON path, the OCI's tolerance for relative destinations, annotations.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/rootfs.h"
#include "base/fault.h"
#include "vfslab/boot.h"

static struct boot_spec *parse_ok(const char *json)
{
	struct boot_spec *s = NULL;
	struct boot_err e = { "" };
	int ret = boot_spec_parse(json, strlen(json), "t.json", &s, &e);

	ck_assert_msg(ret == 0, "parse failed: %s", e.msg);
	return s;
}

static void parse_err(const char *json, const char *want)
{
	struct boot_spec *s = NULL;
	struct boot_err e = { "" };
	int ret = boot_spec_parse(json, strlen(json), "t.json", &s, &e);

	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(e.msg, want);
}

START_TEST(spec_default_is_runc_spec)
{
	struct boot_spec *s = parse_ok(rootfs_default_spec);

	ck_assert_str_eq(s->oci_version, "1.0.2-dev");
	ck_assert_str_eq(s->root_path, "rootfs");
	ck_assert(s->root_readonly);
	ck_assert_uint_eq(s->nmounts, 7);
	ck_assert_str_eq(s->mounts[0].destination, "/proc");
	ck_assert_str_eq(s->mounts[1].type, "tmpfs");
	ck_assert_uint_eq(s->mounts[1].options.n, 4);
	ck_assert_str_eq(s->mounts[1].options.v[2], "mode=755");
	ck_assert_str_eq(s->mounts[6].destination, "/sys/fs/cgroup");
	ck_assert(s->has_process);
	ck_assert_uint_eq(s->args.n, 1);
	ck_assert_str_eq(s->args.v[0], "sh");
	ck_assert_str_eq(s->env.v[0],
			 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	ck_assert_str_eq(s->cwd, "/");
	ck_assert_uint_eq(s->uid, 0);
	ck_assert_str_eq(s->hostname, "runc");
	ck_assert_uint_eq(s->masked_paths.n, 10);
	ck_assert_uint_eq(s->readonly_paths.n, 5);
	ck_assert_uint_eq(s->warnings.n, 0);
	boot_spec_free(s);
}
END_TEST

START_TEST(spec_minimal_and_user)
{
	struct boot_spec *s = parse_ok(
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],"
		"\"cwd\":\"/w\",\"user\":{\"uid\":1000,\"gid\":100,\"additionalGids\":[4,"
		"4294967295]}},\"hostname\":null,\"mounts\":null}");

	ck_assert_uint_eq(s->nmounts, 0);
	ck_assert_uint_eq(s->uid, 1000);
	ck_assert_uint_eq(s->gid, 100);
	ck_assert_uint_eq(s->ngids, 2);
	ck_assert_uint_eq(s->gids[1], 4294967295u);
	ck_assert_str_eq(s->cwd, "/w");
	ck_assert_str_eq(s->hostname, "");
	ck_assert(!s->root_readonly);
	boot_spec_free(s);
}
END_TEST

START_TEST(spec_relative_destination_warns)
{
	struct boot_spec *s = parse_ok(
		"{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"mounts\":[{\"destination\":"
		"\"a/../b/./c/\",\"type\":\"tmpfs\"},{\"destination\":\"/x//y/..\"},"
		"{\"destination\":\"../../etc\"}]}");

	ck_assert_str_eq(s->mounts[0].destination, "/b/c");
	ck_assert_str_eq(s->mounts[0].written, "a/../b/./c/");
	ck_assert_str_eq(s->mounts[1].destination, "/x");
	ck_assert_str_eq(s->mounts[1].type, "");
	ck_assert_str_eq(s->mounts[1].source, "");
	ck_assert_str_eq(s->mounts[2].destination, "/etc");
	ck_assert_uint_eq(s->warnings.n, 2);
	ck_assert_str_eq(s->warnings.v[0], "mounts[0].destination: relative path 'a/../b/./c/' "
					   "taken as '/b/c' (deprecated by the OCI spec)");
	/* No process: cwd defaults to "/" and nothing is warned about it. */
	ck_assert(!s->has_process);
	ck_assert_str_eq(s->cwd, "/");
	boot_spec_free(s);
}
END_TEST

START_TEST(spec_annotations_sorted)
{
	struct boot_spec *s = parse_ok("{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
				       "\"annotations\":{\"z\":\"1\",\"a\":\"2\",\"m\":\"3\"}}");

	ck_assert_uint_eq(s->ann_keys.n, 3);
	ck_assert_str_eq(s->ann_keys.v[0], "a");
	ck_assert_str_eq(s->ann_values.v[0], "2");
	ck_assert_str_eq(s->ann_keys.v[2], "z");
	ck_assert_str_eq(boot_spec_annotation(s, "m"), "3");
	ck_assert_ptr_null(boot_spec_annotation(s, "q"));
	boot_spec_free(s);
}
END_TEST

#define R "\"root\":{\"path\":\"r\"}"

START_TEST(spec_errors_name_the_path)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
		{ "[]", "t.json: (top level): must be an object" },
		{ "{\"ociVersion\":\"1\"}",
		  "t.json: root: missing (the OCI spec requires it on Linux)" },
		{ "{\"root\":[]}", "t.json: root: must be an object" },
		{ "{\"root\":{\"path\":7}}", "t.json: root.path: must be a string" },
		{ "{\"root\":{\"path\":\"\"}}", "t.json: root.path: must be a non-empty string" },
		{ "{\"root\":{\"path\":\"r\",\"readonly\":\"yes\"}}",
		  "t.json: root.readonly: must be true or false" },
		{ "{" R ",\"mounts\":{}}", "t.json: mounts: must be an array" },
		{ "{" R ",\"mounts\":[{\"destination\":\"/a\"},3]}",
		  "t.json: mounts[1]: must be an object" },
		{ "{" R ",\"mounts\":[{},{}]}",
		  "t.json: mounts[0].destination: missing (each mount needs a destination)" },
		{ "{" R ",\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"/b\"},"
		  "{\"destination\":\"/c\"},{\"destination\":[]}]}",
		  "t.json: mounts[3].destination: must be a string" },
		{ "{" R ",\"mounts\":[{\"destination\":\"\"}]}",
		  "t.json: mounts[0].destination: must not be empty" },
		{ "{" R ",\"mounts\":[{\"destination\":\"/a\",\"type\":1}]}",
		  "t.json: mounts[0].type: must be a string" },
		{ "{" R ",\"mounts\":[{\"destination\":\"/a\",\"source\":false}]}",
		  "t.json: mounts[0].source: must be a string" },
		{ "{" R ",\"mounts\":[{\"destination\":\"/a\",\"options\":[\"ro\",1]}]}",
		  "t.json: mounts[0].options[1]: must be a string" },
		{ "{" R ",\"process\":1}", "t.json: process: must be an object" },
		{ "{" R ",\"process\":{\"args\":\"sh\"}}",
		  "t.json: process.args: must be an array of strings" },
		{ "{" R ",\"process\":{\"env\":[1]}}", "t.json: process.env[0]: must be a string" },
		{ "{" R ",\"process\":{\"cwd\":\"x\"}}",
		  "t.json: process.cwd: must be an absolute path" },
		{ "{" R ",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":1.5}}}",
		  "t.json: process.user.uid: must be an integer" },
		{ "{" R ",\"process\":{\"cwd\":\"/\",\"user\":{\"gid\":4294967296}}}",
		  "t.json: process.user.gid: must be between 0 and 4294967295" },
		{ "{" R ",\"process\":{\"cwd\":\"/\",\"user\":{\"additionalGids\":[1,-2]}}}",
		  "t.json: process.user.additionalGids[1]: must be between 0 and 4294967295" },
		{ "{" R ",\"annotations\":[]}",
		  "t.json: annotations: must be an object of strings" },
		{ "{" R ",\"annotations\":{\"k\":1}}",
		  "t.json: annotations[\"k\"]: must be a string" },
		{ "{" R ",\"linux\":{\"maskedPaths\":[null]}}",
		  "t.json: linux.maskedPaths[0]: must be a string" },
		{ "{" R ",\"hostname\":5}", "t.json: hostname: must be a string" },
		{ "{" R ",\n\"root\":{}}", "t.json:2:6: duplicate object key near '\"root\"'" },
		{ "{\n\n  \"a\": tru }", "t.json:3:10: invalid token near 'tru'" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		parse_err(cases[i].json, cases[i].msg);
}
END_TEST

START_TEST(spec_parse_survives_allocation_failures)
{
	struct boot_spec *s;
	struct boot_err e;
	int n, ret;

	/* Every allocation failure point gives -ENOMEM and leaks nothing (ASan, valgrind). */
	for (n = 1;; n++) {
		bool fired;

		fault_arm((uint64_t)n, 1u << FAULT_ALLOC);
		ret = boot_spec_parse(rootfs_default_spec, strlen(rootfs_default_spec), "d", &s,
				      &e);
		fired = fault_fired();
		fault_disarm();
		if (!fired) {
			ck_assert_int_eq(ret, 0);
			break;
		}
		ck_assert_int_eq(ret, -ENOMEM);
		ck_assert_ptr_null(s);
	}
	ck_assert_int_gt(n, 10);
	boot_spec_free(s);
}
END_TEST

START_TEST(config_defaults_and_set)
{
	struct boot_config c;
	struct boot_err e;
	char *d;

	boot_config_default(&c);
	d = boot_config_describe(&c);
	ck_assert_str_eq(d, "overlay=false file-access=exclusive file-access-mounts=shared "
			    "overlayfs-stale-read=true network=sandbox fuse=false cgroupfs=false "
			    "order=gvisor");
	free(d);
	ck_assert_int_eq(c.gofer_fd_base, 3);
	ck_assert_int_eq(boot_config_set(&c, "overlay", "t", &e), 0);
	ck_assert(c.overlay);
	ck_assert_int_eq(boot_config_set(&c, "network", "host", &e), 0);
	ck_assert_int_eq(c.network, BOOT_NET_HOST);
	ck_assert_int_eq(boot_config_set(&c, "order", "spec", &e), 0);
	ck_assert_int_eq(c.order, BOOT_ORDER_SPEC);
	ck_assert_int_eq(boot_config_set(&c, "fuse", "yes", &e), -EINVAL);
	ck_assert_str_eq(e.msg, "fuse: invalid value 'yes' (want true or false)");
	ck_assert_int_eq(boot_config_set(&c, "platform", "kvm", &e), -EINVAL);
	ck_assert_str_eq(e.msg, "unknown configuration option 'platform'");
	ck_assert_int_eq(boot_config_set(&c, "gofer-fd-base", "2", &e), -EINVAL);
}
END_TEST

START_TEST(config_flag_annotations)
{
	struct boot_spec *s = parse_ok(
		"{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"annotations\":{"
		"\"dev.gvisor.flag.file-access\":\"shared\",\"dev.gvisor.flag.fuse\":\"true\","
		"\"other\":\"x\"}}");
	struct boot_spec *bad = parse_ok("{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
					 "\"annotations\":{\"dev.gvisor.flag.debug\":\"true\"}}");
	struct boot_config c;
	struct boot_err e;

	boot_config_default(&c);
	ck_assert_int_eq(boot_config_apply_annotations(&c, s, &e), 0);
	ck_assert_int_eq(c.file_access, BOOT_FA_SHARED);
	ck_assert(c.fuse);
	ck_assert_int_eq(boot_config_apply_annotations(&c, bad, &e), -EINVAL);
	ck_assert_str_eq(e.msg, "annotations[\"dev.gvisor.flag.debug\"]: unknown configuration "
				"option 'debug'");
	boot_spec_free(s);
	boot_spec_free(bad);
}
END_TEST

Suite *spec_suite(void)
{
	Suite *s = suite_create("spec");
	TCase *tc = tcase_create("spec");

	tcase_add_test(tc, spec_default_is_runc_spec);
	tcase_add_test(tc, spec_minimal_and_user);
	tcase_add_test(tc, spec_relative_destination_warns);
	tcase_add_test(tc, spec_annotations_sorted);
	tcase_add_test(tc, spec_errors_name_the_path);
	tcase_add_test(tc, spec_parse_survives_allocation_failures);
	tcase_add_test(tc, config_defaults_and_set);
	tcase_add_test(tc, config_flag_annotations);
	suite_add_tcase(s, tc);
	return s;
}
