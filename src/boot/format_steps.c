/*
 * format_steps.c - the steps text format: one line per step, stable across runs, for
 * golden files and the REPL's `plan`:
 *
 *   NN KIND TARGET [type=T] [src=S] [opts=D] [flags=F] [fd=N] [ignored=O] [FIELDS] # reason
 *
 * NN counts from 01 (wider when the plan has 100 steps or more). A value holding a blank,
 * '#', '"', a backslash or an unprintable byte is written in double quotes with C escapes,
 * so a line splits unambiguously on blanks before " # ".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "internal.h"

static bool needs_quotes(const char *s)
{
	const unsigned char *p;

	if (!*s)
		return true;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '#' || *p == '"' || *p == '\\')
			return true;
	return false;
}

static void add_value(struct strbuf *sb, const char *s)
{
	if (!needs_quotes(s)) {
		sb_adds(sb, s);
		return;
	}
	sb_addc(sb, '"');
	sb_add_cescaped(sb, s, strlen(s));
	sb_addc(sb, '"');
}

static void add_field(struct strbuf *sb, const char *key, const char *value)
{
	if (!value)
		return;
	sb_printf(sb, " %s=", key);
	add_value(sb, value);
}

static void add_mount_flags(struct strbuf *sb, unsigned long flags)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} names[] = {
		{ MS_RDONLY, "ro" },
		{ MS_NOSUID, "nosuid" },
		{ MS_NOEXEC, "noexec" },
		{ MS_NOATIME, "noatime" },
	};
	bool first = true;
	size_t i;

	if (!flags)
		return;
	sb_adds(sb, " flags=");
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (flags & names[i].flag) {
			sb_printf(sb, "%s%s", first ? "" : ",", names[i].name);
			first = false;
		}
	}
}

static void add_step(struct strbuf *sb, const struct boot_plan *p, size_t i, int width)
{
	const struct boot_step *st = &p->steps[i];

	sb_printf(sb, "%0*zu %s ", width, i + 1, boot_step_kind_name(st->kind));
	add_value(sb, st->target);
	add_field(sb, "type", st->fstype);
	add_field(sb, "src", st->source);
	add_field(sb, "opts", st->data);
	if (st->kind == BOOT_STEP_REGISTER_FS) {
		sb_printf(sb, " flags=%s",
			  st->flags == (BOOT_FS_USER_MOUNT | BOOT_FS_USER_LIST)
				  ? "user-mount,user-list"
			  : st->flags & BOOT_FS_USER_LIST  ? "user-list"
			  : st->flags & BOOT_FS_USER_MOUNT ? "user-mount"
							   : "none");
	} else {
		add_mount_flags(sb, st->flags);
	}
	if (st->fd >= 0)
		sb_printf(sb, " fd=%d", st->fd);
	add_field(sb, "ignored", st->ignored);
	if (st->kind == BOOT_STEP_DEVTMPFS_FILE)
		sb_printf(sb, " %s=%u:%u mode=%04o", S_ISBLK(st->mode) ? "block" : "char",
			  st->major, st->minor, (unsigned)(st->mode & 07777));
	if (st->fields) {
		/* Fields are key=value pairs already; only their values may need quotes. */
		const char *s = st->fields;

		while (*s) {
			const char *end = strchr(s, ' '), *eq;
			size_t n = end ? (size_t)(end - s) : strlen(s);
			char *kv = vl_strndup(s, n);

			if (!kv) {
				sb->err = -ENOMEM;
				return;
			}
			eq = strchr(kv, '=');
			sb_addc(sb, ' ');
			if (eq) {
				sb_add(sb, kv, (size_t)(eq - kv) + 1);
				add_value(sb, eq + 1);
			} else {
				add_value(sb, kv);
			}
			vl_free(kv);
			s += n;
			while (*s == ' ')
				s++;
		}
	}
	if (st->reason) {
		sb_adds(sb, " # ");
		/* The reason runs to the end of the line: only newlines need care. */
		for (const char *r = st->reason; *r; r++)
			sb_addc(sb, *r == '\n' ? ' ' : *r);
	}
	sb_addc(sb, '\n');
}

static int width_of(size_t n)
{
	int w = 1;

	while (n >= 10) {
		n /= 10;
		w++;
	}
	return w < 2 ? 2 : w;
}

char *boot_format_step(const struct boot_plan *plan, size_t i)
{
	struct strbuf sb = STRBUF_INIT;

	if (i >= plan->nsteps)
		return NULL;
	add_step(&sb, plan, i, width_of(plan->nsteps));
	if (sb_error(&sb)) {
		sb_free(&sb);
		return NULL;
	}
	return sb_detach(&sb, NULL);
}

char *boot_format_steps(const struct boot_plan *plan)
{
	struct strbuf sb = STRBUF_INIT;
	int w = width_of(plan->nsteps);
	size_t i;

	sb_adds(&sb, "");
	for (i = 0; i < plan->nsteps; i++)
		add_step(&sb, plan, i, w);
	if (sb_error(&sb)) {
		sb_free(&sb);
		return NULL;
	}
	return sb_detach(&sb, NULL);
}
