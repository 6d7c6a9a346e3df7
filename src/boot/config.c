/*
 * config.c - runsc's configuration, as far as mount setup reads it.
 *
 * Defaults are runsc's of the seed's time (runsc/config/flags.go): no overlay, exclusive
 * file access for the root and shared for bind mounts ("volume mounts are always
 * shared"), overlayfs_stale_read on, netstack networking (which supports tun), FUSE and
 * cgroupfs off. Ours: the ordering policy and the first gofer FD number.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

void boot_config_default(struct boot_config *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->overlay = false;
	conf->file_access = BOOT_FA_EXCLUSIVE;
	conf->file_access_mounts = BOOT_FA_SHARED;
	conf->overlayfs_stale_read = true;
	conf->network = BOOT_NET_SANDBOX;
	conf->fuse = false;
	conf->cgroupfs = false;
	conf->order = BOOT_ORDER_GVISOR;
	/* 0, 1, 2 are stdio; runsc passes the gofer FDs after them. */
	conf->gofer_fd_base = 3;
}

const char *boot_order_name(enum boot_order order)
{
	return order == BOOT_ORDER_SPEC ? "spec" : "gvisor";
}

int boot_order_parse(const char *s, enum boot_order *out)
{
	if (!strcmp(s, "gvisor"))
		*out = BOOT_ORDER_GVISOR;
	else if (!strcmp(s, "spec"))
		*out = BOOT_ORDER_SPEC;
	else
		return -EINVAL;
	return 0;
}

/* Go's strconv.ParseBool, which runsc's flags use. */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };
	static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_access(const char *s, enum boot_file_access *out)
{
	if (!strcmp(s, "exclusive"))
		*out = BOOT_FA_EXCLUSIVE;
	else if (!strcmp(s, "shared"))
		*out = BOOT_FA_SHARED;
	else
		return -EINVAL;
	return 0;
}

static int parse_network(const char *s, enum boot_network *out)
{
	if (!strcmp(s, "sandbox"))
		*out = BOOT_NET_SANDBOX;
	else if (!strcmp(s, "host"))
		*out = BOOT_NET_HOST;
	else if (!strcmp(s, "none"))
		*out = BOOT_NET_NONE;
	else
		return -EINVAL;
	return 0;
}

int boot_config_set(struct boot_config *conf, const char *key, const char *value,
		    struct boot_err *err)
{
	const char *want = NULL;
	int ret = -EINVAL;

	if (!strcmp(key, "overlay")) {
		ret = parse_bool(value, &conf->overlay);
		want = "true or false";
	} else if (!strcmp(key, "overlayfs-stale-read")) {
		ret = parse_bool(value, &conf->overlayfs_stale_read);
		want = "true or false";
	} else if (!strcmp(key, "fuse")) {
		ret = parse_bool(value, &conf->fuse);
		want = "true or false";
	} else if (!strcmp(key, "cgroupfs")) {
		ret = parse_bool(value, &conf->cgroupfs);
		want = "true or false";
	} else if (!strcmp(key, "file-access")) {
		ret = parse_access(value, &conf->file_access);
		want = "exclusive or shared";
	} else if (!strcmp(key, "file-access-mounts")) {
		ret = parse_access(value, &conf->file_access_mounts);
		want = "exclusive or shared";
	} else if (!strcmp(key, "network")) {
		ret = parse_network(value, &conf->network);
		want = "sandbox, host or none";
	} else if (!strcmp(key, "order")) {
		ret = boot_order_parse(value, &conf->order);
		want = "gvisor or spec";
	} else if (!strcmp(key, "gofer-fd-base")) {
		char *end;
		long n = strtol(value, &end, 10);

		want = "a number from 3 to 1000";
		if (*value && !*end && n >= 3 && n <= 1000) {
			conf->gofer_fd_base = (int)n;
			ret = 0;
		}
	} else {
		boot_err_set(err, "unknown configuration option '%s'", key);
		return -EINVAL;
	}
	if (ret)
		boot_err_set(err, "%s: invalid value '%s' (want %s)", key, value, want);
	return ret;
}

int boot_config_apply_annotations(struct boot_config *conf, const struct boot_spec *spec,
				  struct boot_err *err)
{
	static const char prefix[] = "dev.gvisor.flag.";
	struct boot_err e;
	size_t i;
	int ret;

	for (i = 0; i < spec->ann_keys.n; i++) {
		const char *k = spec->ann_keys.v[i];

		if (strncmp(k, prefix, sizeof(prefix) - 1))
			continue;
		ret = boot_config_set(conf, k + sizeof(prefix) - 1, spec->ann_values.v[i], &e);
		if (ret) {
			boot_err_set(err, "annotations[\"%s\"]: %s", k, e.msg);
			return ret;
		}
	}
	return 0;
}

char *boot_config_describe(const struct boot_config *conf)
{
	static const char *const net[] = { "sandbox", "host", "none" };

	return boot_asprintf("overlay=%s file-access=%s file-access-mounts=%s "
			     "overlayfs-stale-read=%s network=%s fuse=%s cgroupfs=%s order=%s",
			     conf->overlay ? "true" : "false",
			     conf->file_access == BOOT_FA_SHARED ? "shared" : "exclusive",
			     conf->file_access_mounts == BOOT_FA_SHARED ? "shared" : "exclusive",
			     conf->overlayfs_stale_read ? "true" : "false", net[conf->network],
			     conf->fuse ? "true" : "false", conf->cgroupfs ? "true" : "false",
			     boot_order_name(conf->order));
}
