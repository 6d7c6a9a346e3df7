/*
 * plan.c - a spec and runsc's configuration become the plan: every step gVisor's mount
 * setup takes (the seed, runsc/boot/vfs.go, with fs.go's compileMounts and mount hints),
 * in the seed's order, under the chosen ordering policy.
 *
 * The seed's sequence, which the plan follows:
 *   registerFilesystems   types with their user-mount/user-list flags, devices, devtmpfs
 *   newPodMountHints      the dev.gvisor.spec.mount.* annotations (an error stops here)
 *   compileMounts         spec mounts kept (cgroup ones dropped), mandatory ones first
 *   processHints          one disconnected master per tmpfs hint
 *   createMountNamespace  root over the gofer (first FD), overlay on it when configured
 *   mountAll              a read-only root made writable until the end
 *   prepareMounts         FDs dispensed to bind mounts in compiled order, all must be used,
 *                         then the mounts ordered (gvisor: by destination length)
 *   mountSubmounts        per mount: shared bind of a master, or mount point + mount; a
 *                         read-only mount made writable until the end
 *   mountTmp              the internal /tmp tmpfs
 *   (deferred)            read-only restored, last made writable first; the root last
 *   ResolveExecutablePath args[0] through cwd and PATH
 * What runsc would fail on (an invalid hint, a bad verity option, the FD dispenser running
 * dry) ends the plan with a fail step. Whatever depends on the rootfs at run time (does
 * the mount point exist, is /tmp empty, where is args[0]) is the stepper's to decide; the
 * step's reason states the rule.
 *
 * Departures from the seed, each from later gVisor and noted where made: bind/rbind
 * options make a mount a bind mount (specutils.MaybeConvertToBindMount), nosuid is a
 * flag, tmpfs keeps size= (DESIGN §5).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "internal.h"

#define HINT_PREFIX "dev.gvisor.spec.mount."

struct deferred {
	char *target;
	int mount;
};

struct builder {
	struct boot_plan *p;
	const struct boot_spec *spec;
	const struct boot_config *conf;
	int err;     /* -ENOMEM, latched */
	int next_fd; /* the FD dispenser: next FD, and how many are left */
	int fds_left;
	struct deferred *deferred; /* restore-ro steps owed, in order of set-rw */
	size_t ndeferred;
};

/* ------------------------------------------------------------------ steps */

/* A new step at the end of the plan; valid until the next step_new. NULL when out of
 * memory (b->err is then set and every later call is a no-op). */
static struct boot_step *step_new(struct builder *b, enum boot_step_kind kind, const char *target)
{
	struct boot_plan *p = b->p;
	struct boot_step *steps, *st;

	if (b->err)
		return NULL;
	steps = vl_realloc(p->steps, (p->nsteps + 1) * sizeof(*steps));
	if (!steps) {
		b->err = -ENOMEM;
		return NULL;
	}
	p->steps = steps;
	st = &steps[p->nsteps];
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->fd = -1;
	st->mount = -1;
	st->change.mnt_id = -1;
	st->target = vl_strdup(target);
	if (!st->target) {
		b->err = -ENOMEM;
		return NULL;
	}
	p->nsteps++;
	return st;
}

/* Set *dst to a copy of s (NULL stays NULL). */
static void set_str(struct builder *b, char **dst, const char *s)
{
	vl_free(*dst);
	*dst = NULL;
	if (!s || b->err)
		return;
	*dst = vl_strdup(s);
	if (!*dst)
		b->err = -ENOMEM;
}

static void set_fmt(struct builder *b, char **dst, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void set_fmt(struct builder *b, char **dst, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	set_str(b, dst, buf);
}

/* Add a fail step: where runsc stops, and its error. */
static void step_fail(struct builder *b, const char *target, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
static void step_fail(struct builder *b, const char *target, const char *fmt, ...)
{
	struct boot_step *st = step_new(b, BOOT_STEP_FAIL, target);
	char buf[1024];
	va_list ap;

	if (!st)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	set_str(b, &st->reason, buf);
	b->p->failed = true;
}

static void defer_restore(struct builder *b, const char *target, int mount)
{
	struct deferred *d;

	if (b->err)
		return;
	d = vl_realloc(b->deferred, (b->ndeferred + 1) * sizeof(*d));
	if (!d) {
		b->err = -ENOMEM;
		return;
	}
	b->deferred = d;
	d[b->ndeferred].mount = mount;
	d[b->ndeferred].target = vl_strdup(target);
	if (!d[b->ndeferred].target) {
		b->err = -ENOMEM;
		return;
	}
	b->ndeferred++;
}

/* ------------------------------------------------------------------ registerFilesystems */

static const struct {
	const char *name;
	unsigned flags;
	const char *reason;
} fs_types[] = {
	{ "cgroup", BOOT_FS_USER_MOUNT | BOOT_FS_USER_LIST, "cgroupfs" },
	{ "devpts", BOOT_FS_USER_LIST,
	  "devpts; users may not mount it until terminals are usable (b/29356795)" },
	{ "devtmpfs", BOOT_FS_USER_MOUNT | BOOT_FS_USER_LIST, "devtmpfs" },
	{ "fuse", BOOT_FS_USER_MOUNT | BOOT_FS_USER_LIST, "fuse" },
	{ "9p", BOOT_FS_USER_LIST, "gofer (9P client); only runsc mounts it" },
	{ "overlay", BOOT_FS_USER_MOUNT | BOOT_FS_USER_LIST, "overlay" },
	{ "proc", BOOT_FS_USER_MOUNT | BOOT_FS_USER_LIST, "proc" },
	{ "sysfs", BOOT_FS_USER_MOUNT | BOOT_FS_USER_LIST, "sys" },
	{ "tmpfs", BOOT_FS_USER_MOUNT | BOOT_FS_USER_LIST, "tmpfs" },
	{ "verity", BOOT_FS_USER_LIST, "verity; only runsc mounts it" },
};

static void devfile(struct builder *b, const char *name, unsigned major, unsigned minor,
		    const char *reason)
{
	struct boot_step *st = step_new(b, BOOT_STEP_DEVTMPFS_FILE, name);

	if (!st)
		return;
	st->mode = S_IFCHR | 0666;
	st->major = major;
	st->minor = minor;
	set_str(b, &st->reason, reason);
}

static void register_filesystems(struct builder *b)
{
	/* tundev.IsNetTunSupported: netstack has tun, hostinet does not. */
	bool tun = b->conf->network != BOOT_NET_HOST;
	struct boot_step *st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fs_types); i++) {
		st = step_new(b, BOOT_STEP_REGISTER_FS, fs_types[i].name);
		if (!st)
			return;
		st->flags = fs_types[i].flags;
		set_str(b, &st->reason, fs_types[i].reason);
	}
	st = step_new(b, BOOT_STEP_REGISTER_DEV, "memdev");
	if (st)
		set_str(b, &st->reason, "null zero full random urandom (char major 1)");
	st = step_new(b, BOOT_STEP_REGISTER_DEV, "ttydev");
	if (st)
		set_str(b, &st->reason, "tty (char 5:0)");
	if (tun) {
		st = step_new(b, BOOT_STEP_REGISTER_DEV, "tundev");
		if (st)
			set_str(b, &st->reason, "net/tun (char 10:200): netstack supports tun");
	} else {
		st = step_new(b, BOOT_STEP_SKIP, "tundev");
		if (st)
			set_str(b, &st->reason, "network=host: hostinet does not support tun");
	}
	if (b->conf->fuse) {
		st = step_new(b, BOOT_STEP_REGISTER_DEV, "fuse");
		if (st)
			set_str(b, &st->reason, "fuse (char 10:229): FUSE is enabled");
	} else {
		st = step_new(b, BOOT_STEP_SKIP, "fuse");
		if (st)
			set_str(b, &st->reason, "FUSE is not enabled (--fuse)");
	}
	st = step_new(b, BOOT_STEP_DEVTMPFS_INIT, "devtmpfs");
	if (st) {
		set_str(b, &st->fields, "symlinks=fd,stdin,stdout,stderr,ptmx dirs=shm,pts");
		set_str(b, &st->reason,
			"user-space init: fd -> /proc/self/fd, std{in,out,err} -> "
			"/proc/self/fd/{0,1,2}, ptmx -> pts/ptmx; dirs mode 0755");
	}
	devfile(b, "null", 1, 3, "memdev");
	devfile(b, "zero", 1, 5, "memdev");
	devfile(b, "full", 1, 7, "memdev");
	devfile(b, "random", 1, 8, "memdev");
	devfile(b, "urandom", 1, 9, "memdev");
	devfile(b, "tty", 5, 0, "ttydev");
	if (tun)
		devfile(b, "net/tun", 10, 200, "tundev (creates net/ mode 0755)");
	if (b->conf->fuse)
		devfile(b, "fuse", 10, 229, "fuse");
}

/* ------------------------------------------------------------------ mount hints */

static struct boot_hint *hint_get(struct builder *b, const char *name)
{
	struct boot_plan *p = b->p;
	struct boot_hint *h;
	size_t i;

	for (i = 0; i < p->nhints; i++)
		if (!strcmp(p->hints[i].name, name))
			return &p->hints[i];
	h = vl_realloc(p->hints, (p->nhints + 1) * sizeof(*h));
	if (!h) {
		b->err = -ENOMEM;
		return NULL;
	}
	p->hints = h;
	h = &p->hints[p->nhints];
	memset(h, 0, sizeof(*h));
	h->name = vl_strdup(name);
	if (!h->name) {
		b->err = -ENOMEM;
		return NULL;
	}
	p->nhints++;
	return h;
}

/* specutils.ValidateMountOptions, for hint options. */
static int validate_options(const struct boot_strv *opts, char *msg, size_t size)
{
	size_t i;

	for (i = 0; i < opts->n; i++) {
		const char *o = opts->v[i];

		if (boot_refused_mount_option(o)) {
			snprintf(msg, size, "mount option \"%s\" is not supported", o);
			return -EINVAL;
		}
		if (!boot_known_mount_option(o) && !boot_propagation_option(o) &&
		    strncmp(o, "verity.roothash=", 16) && strncmp(o, "verity.action=", 14)) {
			snprintf(msg, size, "unknown mount option \"%s\"", o);
			return -EINVAL;
		}
	}
	return 0;
}

static int hint_set(struct builder *b, struct boot_hint *h, const char *key, const char *field,
		    const char *val, char *msg, size_t size)
{
	if (!strcmp(field, "source")) {
		if (!val[0]) {
			snprintf(msg, size, "source cannot be empty");
			return -EINVAL;
		}
		set_str(b, &h->source, val);
	} else if (!strcmp(field, "type")) {
		if (strcmp(val, "tmpfs") && strcmp(val, "bind")) {
			snprintf(msg, size, "invalid type \"%s\"", val);
			return -EINVAL;
		}
		set_str(b, &h->type, val);
	} else if (!strcmp(field, "share")) {
		if (strcmp(val, "container") && strcmp(val, "pod") && strcmp(val, "shared")) {
			snprintf(msg, size, "invalid share value \"%s\"", val);
			return -EINVAL;
		}
		set_str(b, &h->share, val);
	} else if (!strcmp(field, "options")) {
		const char *s = val, *comma;

		boot_strv_free(&h->options);
		/* Go's strings.Split: "" is one empty option, which validation refuses. */
		for (;;) {
			comma = strchr(s, ',');
			if (boot_strv_push_take(
				    &h->options,
				    vl_strndup(s, comma ? (size_t)(comma - s) : strlen(s)))) {
				b->err = -ENOMEM;
				return -ENOMEM;
			}
			if (!comma)
				break;
			s = comma + 1;
		}
		if (validate_options(&h->options, msg, size))
			return -EINVAL;
		/* Sorted, to compare with the container's options later. */
		boot_strv_sort(&h->options);
	} else {
		snprintf(msg, size, "invalid mount annotation: %s=%s", key, val);
		return -EINVAL;
	}
	return 0;
}

/* newPodMountHints: returns 0, or -EINVAL after adding the fail step. */
static int parse_hints(struct builder *b)
{
	const struct boot_spec *s = b->spec;
	struct boot_plan *p = b->p;
	char msg[600];
	size_t i, j;

	for (i = 0; i < s->ann_keys.n; i++) {
		const char *k = s->ann_keys.v[i], *v = s->ann_values.v[i], *rest, *dot;
		char name[256];
		struct boot_hint *h;

		if (strncmp(k, HINT_PREFIX, sizeof(HINT_PREFIX) - 1))
			continue;
		rest = k + sizeof(HINT_PREFIX) - 1;
		dot = strchr(rest, '.');
		if (!dot || strchr(dot + 1, '.')) {
			step_fail(b, "annotations", "invalid mount annotation: %s=%s", k, v);
			return -EINVAL;
		}
		if (dot == rest) {
			step_fail(b, "annotations", "invalid mount name: ");
			return -EINVAL;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(dot - rest), rest);
		h = hint_get(b, name);
		if (!h)
			return -ENOMEM;
		if (hint_set(b, h, k, dot + 1, v, msg, sizeof(msg))) {
			if (!b->err)
				step_fail(b, "annotations", "%s", msg);
			return -EINVAL;
		}
	}
	/* Sorted by name: Go's map order is random, ours is not. */
	for (i = 1; i < p->nhints; i++) {
		for (j = i; j > 0 && strcmp(p->hints[j - 1].name, p->hints[j].name) > 0; j--) {
			struct boot_hint t = p->hints[j];

			p->hints[j] = p->hints[j - 1];
			p->hints[j - 1] = t;
		}
	}
	for (i = 0; i < p->nhints; i++) {
		struct boot_hint *h = &p->hints[i];

		if (!h->share) {
			step_fail(b, "annotations", "share field for \"%s\" has not been set",
				  h->name);
			return -EINVAL;
		}
		if (!h->source) {
			step_fail(b, "annotations", "source field for \"%s\" has not been set",
				  h->name);
			return -EINVAL;
		}
		if (!h->type) {
			step_fail(b, "annotations", "type field for \"%s\" has not been set",
				  h->name);
			return -EINVAL;
		}
		for (j = 0; j < p->nhints; j++) {
			if (j != i && p->hints[j].source &&
			    !strcmp(h->source, p->hints[j].source)) {
				step_fail(b, "annotations",
					  "mounts \"%s\" and \"%s\" have the same mount source "
					  "\"%s\"",
					  h->name, p->hints[j].name, h->source);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int find_hint(const struct boot_plan *p, const char *source)
{
	size_t i;

	for (i = 0; i < p->nhints; i++)
		if (p->hints[i].source && !strcmp(p->hints[i].source, source))
			return (int)i;
	return -1;
}

static bool hint_supported(const struct boot_hint *h)
{
	return !strcmp(h->type, "tmpfs") && !strcmp(h->share, "pod");
}

/* ------------------------------------------------------------------ compileMounts */

static int add_mount(struct builder *b, const char *dest, const char *type, const char *spec_type,
		     const char *source, const struct boot_strv *opts, int spec_index)
{
	struct boot_plan *p = b->p;
	struct boot_plan_mount *m;

	m = vl_realloc(p->mounts, (p->nmounts + 1) * sizeof(*m));
	if (!m)
		return b->err = -ENOMEM;
	p->mounts = m;
	m = &p->mounts[p->nmounts++];
	memset(m, 0, sizeof(*m));
	m->spec_index = spec_index;
	m->fd = -1;
	m->hint = -1;
	m->destination = vl_strdup(dest);
	m->type = vl_strdup(type);
	m->spec_type = vl_strdup(spec_type);
	m->source = vl_strdup(source);
	if (!m->destination || !m->type || !m->spec_type || !m->source ||
	    (opts && boot_strv_copy(&m->options, opts)))
		return b->err = -ENOMEM;
	return 0;
}

static int add_mandatory(struct builder *b, const char *dest, const char *type, const char *opt)
{
	struct boot_strv o = { NULL, 0 };
	int err;

	if (opt && boot_strv_push(&o, opt))
		return b->err = -ENOMEM;
	err = add_mount(b, dest, type, type, "", &o, -1);
	boot_strv_free(&o);
	return err;
}

/* specutils.MaybeConvertToBindMount: the OCI spec says a mount whose options hold bind
 * or rbind is a bind mount whatever its (dummy) type. */
static bool has_bind_option(const struct boot_strv *opts)
{
	return boot_strv_has(opts, "bind") || boot_strv_has(opts, "rbind");
}

static void compile_mounts(struct builder *b)
{
	const struct boot_spec *s = b->spec;
	bool proc = false, sys = false, dev = false, devpts = false;
	struct boot_step *st;
	size_t i;

	/* Mandatory mounts go first, so compute which before adding the spec's. */
	for (i = 0; i < s->nmounts; i++) {
		const char *d = s->mounts[i].destination;

		if (!strcmp(s->mounts[i].type, "cgroup"))
			continue;
		proc |= !strcmp(d, "/proc");
		sys |= !strcmp(d, "/sys");
		dev |= !strcmp(d, "/dev");
		devpts |= !strcmp(d, "/dev/pts");
	}
	if (b->conf->cgroupfs) {
		add_mandatory(b, "/sys/fs/cgroup", "tmpfs", NULL);
		add_mandatory(b, "/sys/fs/cgroup/memory", "cgroup", "memory");
		add_mandatory(b, "/sys/fs/cgroup/cpu", "cgroup", "cpu");
	}
	if (!proc)
		add_mandatory(b, "/proc", "proc", NULL);
	if (!sys)
		add_mandatory(b, "/sys", "sysfs", NULL);
	if (!dev)
		add_mandatory(b, "/dev", "devtmpfs", NULL);
	if (!devpts)
		add_mandatory(b, "/dev/pts", "devpts", NULL);
	for (i = 0; i < s->nmounts && !b->err; i++) {
		const struct boot_mount *m = &s->mounts[i];
		const char *type = m->type;

		if (!strcmp(m->type, "cgroup")) {
			st = step_new(b, BOOT_STEP_SKIP, m->destination);
			if (!st)
				return;
			st->mount = -1;
			set_str(b, &st->fstype, m->type);
			set_fmt(b, &st->reason,
				"mounts[%d]: compileMounts drops cgroup mounts (runsc mounts its "
				"own with --cgroupfs)",
				m->index);
			continue;
		}
		if (!strcmp(m->destination, "/dev"))
			type = "devtmpfs";
		else if (!strcmp(m->destination, "/dev/pts"))
			type = "devpts";
		else if (strcmp(type, "bind") && has_bind_option(&m->options))
			type = "bind";
		add_mount(b, m->destination, type, m->type, m->source, &m->options, m->index);
	}
}

/* ------------------------------------------------------------------ options */

/* tmpfsAllowedData (size from later gVisor), cgroupfs.SupportedMountOptions. */
static const char *const tmpfs_data[] = { "mode", "uid", "gid", "size", NULL };
static const char *const cgroup_data[] = {
	"all", "cpu", "cpuacct", "cpuset", "job", "memory", NULL
};

/* parseMountOption: the key of "k=v" (or the whole option) is in allowed. A second '='
 * is an error, as Go's SplitN(opt, "=", 3) sees it. */
static int option_allowed(const char *opt, const char *const *allowed, bool *ok)
{
	const char *eq = strchr(opt, '=');
	size_t klen = eq ? (size_t)(eq - opt) : strlen(opt);
	size_t i;

	*ok = false;
	if (eq && strchr(eq + 1, '='))
		return -EINVAL;
	for (i = 0; allowed[i]; i++)
		if (strlen(allowed[i]) == klen && !strncmp(opt, allowed[i], klen))
			*ok = true;
	return 0;
}

/* The seed's mountFlags(...).ReadOnly: the last of rw/ro wins. */
static bool options_readonly(const struct boot_strv *opts)
{
	bool ro = false;
	size_t i;

	for (i = 0; i < opts->n; i++) {
		if (!strcmp(opts->v[i], "ro"))
			ro = true;
		else if (!strcmp(opts->v[i], "rw"))
			ro = false;
	}
	return ro;
}

/* getMountNameAndOptionsVFS2's result. */
struct mount_opts {
	char fstype[16]; /* "" when the type is unknown (skipped) */
	struct boot_strv data;
	unsigned long flags;
	struct boot_strv ignored; /* options neither flags nor data */
	bool use_overlay;
	bool verity;
	char *roothash;
	char action[8];
	char *lower_data;
	char lower_type[16];
	char bad_action[64]; /* an invalid verity.action value, warned about */
};

static void mount_opts_free(struct mount_opts *mo)
{
	boot_strv_free(&mo->data);
	boot_strv_free(&mo->ignored);
	vl_free(mo->roothash);
	vl_free(mo->lower_data);
}

static char *join(const struct boot_strv *sv, const char *sep)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < sv->n; i++)
		len += strlen(sv->v[i]) + strlen(sep);
	s = vl_malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < sv->n; i++) {
		if (i)
			strcat(s, sep);
		strcat(s, sv->v[i]);
	}
	return s;
}

/* p9MountData. */
static int p9_data(struct boot_strv *data, int fd, enum boot_file_access fa)
{
	char buf[64];
	int err;

	snprintf(buf, sizeof(buf), "trans=fd");
	err = boot_strv_push(data, buf);
	snprintf(buf, sizeof(buf), "rfdno=%d", fd);
	err = err ?: boot_strv_push(data, buf);
	snprintf(buf, sizeof(buf), "wfdno=%d", fd);
	err = err ?: boot_strv_push(data, buf);
	if (!err && fa == BOOT_FA_SHARED)
		err = boot_strv_push(data, "cache=remote_revalidating");
	return err;
}

/* getMountNameAndOptionsVFS2 for plan mount m (or a hint's master when m->destination is
 * ""). Returns 0 (mo->fstype "" for a skipped type), -ENOMEM, or -EINVAL with msg. */
static int mount_options(struct builder *b, const struct boot_plan_mount *m, int fd,
			 struct mount_opts *mo, char *msg, size_t size)
{
	struct boot_strv rest = { NULL, 0 };
	const char *const *allowed = NULL;
	size_t i;
	int err = 0;

	memset(mo, 0, sizeof(*mo));
	snprintf(mo->action, sizeof(mo->action), "panic");
	/* parseVerityMountOptions: verity.* options come off first. */
	for (i = 0; i < m->options.n && !err; i++) {
		const char *o = m->options.v[i], *eq;

		if (strncmp(o, "verity.", 7)) {
			err = boot_strv_push(&rest, o);
			continue;
		}
		eq = strchr(o, '=');
		if (!eq) {
			snprintf(msg, size, "invalid verity mount option with no value: \"%s\"", o);
			err = -EINVAL;
		} else if (!strncmp(o, "verity.roothash", 15) && eq == o + 15) {
			mo->verity = true;
			vl_free(mo->roothash);
			mo->roothash = vl_strdup(eq + 1);
			if (!mo->roothash)
				err = -ENOMEM;
		} else if (!strncmp(o, "verity.action", 13) && eq == o + 13) {
			mo->verity = true;
			if (!strcmp(eq + 1, "error") || !strcmp(eq + 1, "panic")) {
				snprintf(mo->action, sizeof(mo->action), "%s", eq + 1);
			} else {
				snprintf(mo->bad_action, sizeof(mo->bad_action), "%s", eq + 1);
				snprintf(mo->action, sizeof(mo->action), "panic");
			}
		} else {
			snprintf(msg, size, "unknown verity mount option: \"%.*s\"", (int)(eq - o),
				 o);
			err = -EINVAL;
		}
	}
	if (err)
		goto out_rest;
	/* An empty roothash is no root hash: runtime enable is allowed, no protection. */
	if (mo->roothash && !mo->roothash[0]) {
		vl_free(mo->roothash);
		mo->roothash = NULL;
	}

	if (!strcmp(m->type, "devpts") || !strcmp(m->type, "devtmpfs") ||
	    !strcmp(m->type, "proc") || !strcmp(m->type, "sysfs")) {
		snprintf(mo->fstype, sizeof(mo->fstype), "%s", m->type);
	} else if (!strcmp(m->type, "none")) {
		snprintf(mo->fstype, sizeof(mo->fstype), "sysfs");
	} else if (!strcmp(m->type, "tmpfs")) {
		snprintf(mo->fstype, sizeof(mo->fstype), "tmpfs");
		allowed = tmpfs_data;
	} else if (!strcmp(m->type, "bind")) {
		enum boot_file_access fa = b->conf->file_access_mounts;

		snprintf(mo->fstype, sizeof(mo->fstype), "9p");
		if (fd <= 0) {
			snprintf(msg, size, "9P mount requires a connection FD");
			err = -EINVAL;
			goto out_rest;
		}
		/* getMountAccessType: a hint's share decides, else the configuration. */
		if (m->hint >= 0)
			fa = strcmp(b->p->hints[m->hint].share, "container") ? BOOT_FA_SHARED
									     : BOOT_FA_EXCLUSIVE;
		err = p9_data(&mo->data, fd, fa);
		mo->use_overlay = b->conf->overlay && !options_readonly(&rest);
	} else if (!strcmp(m->type, "cgroup")) {
		snprintf(mo->fstype, sizeof(mo->fstype), "cgroup");
		allowed = cgroup_data;
	} else {
		goto out_rest; /* unknown type: skipped by the caller */
	}
	for (i = 0; i < rest.n && !err; i++) {
		const char *o = rest.v[i];
		bool data = false;

		if (allowed) {
			if (option_allowed(o, allowed, &data)) {
				snprintf(msg, size, "invalid option \"%s\"", o);
				err = -EINVAL;
				break;
			}
			if (data) {
				err = boot_strv_push(&mo->data, o);
				continue;
			}
		}
		if (!strcmp(o, "rw"))
			mo->flags &= ~(unsigned long)MS_RDONLY;
		else if (!strcmp(o, "ro"))
			mo->flags |= MS_RDONLY;
		else if (!strcmp(o, "noatime"))
			mo->flags |= MS_NOATIME;
		else if (!strcmp(o, "noexec"))
			mo->flags |= MS_NOEXEC;
		else if (!strcmp(o, "nosuid"))
			mo->flags |= MS_NOSUID;
		else if (!strcmp(o, "bind") || !strcmp(o, "rbind"))
			; /* what made it a bind mount */
		else
			err = boot_strv_push(&mo->ignored, o);
	}
	if (!err && mo->verity) {
		/* The seed builds the verity mount's options afresh: the lower keeps the
		 * data, the verity mount gets the same data string and no flags. */
		snprintf(mo->lower_type, sizeof(mo->lower_type), "%s", mo->fstype);
		snprintf(mo->fstype, sizeof(mo->fstype), "verity");
		mo->lower_data = join(&mo->data, ",");
		if (!mo->lower_data)
			err = -ENOMEM;
		mo->flags = 0;
	}
out_rest:
	boot_strv_free(&rest);
	if (err == -ENOMEM)
		b->err = err;
	return err;
}

static const char *type_reason(const struct boot_plan_mount *m)
{
	if (strcmp(m->type, m->spec_type)) {
		if (!strcmp(m->destination, "/dev"))
			return "compileMounts: /dev is always devtmpfs";
		if (!strcmp(m->destination, "/dev/pts"))
			return "compileMounts: /dev/pts is always devpts";
		return "a bind/rbind option makes it a bind mount";
	}
	return NULL;
}

/* The "from" part of a reason: mounts[N] or the runtime's own. */
static void origin(const struct boot_plan_mount *m, char *buf, size_t size)
{
	if (m->spec_index >= 0)
		snprintf(buf, size, "mounts[%d]", m->spec_index);
	else if (!strcmp(m->type, "cgroup") || !strcmp(m->destination, "/sys/fs/cgroup"))
		snprintf(buf, size, "added by runsc (--cgroupfs)");
	else
		snprintf(buf, size, "mandatory, added by runsc");
}

/* ------------------------------------------------------------------ root */

static void mount_root(struct builder *b)
{
	const struct boot_spec *s = b->spec;
	struct boot_strv data = { NULL, 0 };
	struct boot_step *st;
	char *d;

	b->p->root_fd = b->next_fd++;
	b->fds_left--;
	if (p9_data(&data, b->p->root_fd, b->conf->file_access) ||
	    (b->conf->overlayfs_stale_read && boot_strv_push(&data, "overlayfs_stale_read"))) {
		b->err = -ENOMEM;
		goto out;
	}
	d = join(&data, ",");
	if (!d) {
		b->err = -ENOMEM;
		goto out;
	}
	if (b->conf->overlay && !s->root_readonly) {
		st = step_new(b, BOOT_STEP_CONFIGURE_OVERLAY, "/");
		if (st) {
			set_str(b, &st->fstype, "9p");
			set_str(b, &st->source, s->root_path);
			set_str(b, &st->data, d);
			st->flags = MS_RDONLY;
			st->fd = b->p->root_fd;
			set_str(b, &st->fields, "upper=tmpfs");
			set_str(b, &st->reason,
				"overlay on the root: the gofer root as read-only lower, "
				"disconnected; a tmpfs upper whose root has the lower root's type "
				"(a file's data copied up) and uid, gid, mode");
		}
		st = step_new(b, BOOT_STEP_MOUNT_ROOT, "/");
		if (st) {
			set_str(b, &st->fstype, "overlay");
			set_str(b, &st->source, s->root_path);
			set_str(b, &st->reason, "the namespace root: the overlay (--overlay)");
		}
	} else {
		st = step_new(b, BOOT_STEP_MOUNT_ROOT, "/");
		if (st) {
			set_str(b, &st->fstype, "9p");
			set_str(b, &st->source, s->root_path);
			set_str(b, &st->data, d);
			st->flags = s->root_readonly ? MS_RDONLY : 0;
			st->fd = b->p->root_fd;
			set_fmt(b, &st->reason, "the namespace root over the gofer%s",
				s->root_readonly
					? " (root.readonly; no overlay on a read-only root)"
					: "");
		}
	}
	vl_free(d);
	if (s->root_readonly) {
		st = step_new(b, BOOT_STEP_SET_RW, "/");
		if (st)
			set_str(b, &st->reason,
				"read-only root: writable while submounts are set up");
	}
out:
	boot_strv_free(&data);
}

/* ------------------------------------------------------------------ hints' masters */

static void mount_masters(struct builder *b)
{
	struct boot_plan *p = b->p;
	struct mount_opts mo;
	char msg[512];
	size_t i;

	for (i = 0; i < p->nhints && !b->err && !p->failed; i++) {
		struct boot_hint *h = &p->hints[i];
		struct boot_plan_mount pm = { 0 };
		struct boot_step *st;

		if (strcmp(h->type, "tmpfs")) {
			st = step_new(b, BOOT_STEP_SKIP, h->name);
			if (st)
				set_fmt(b, &st->reason,
					"hint '%s': only tmpfs hints get a shared master "
					"(b/142076984); its mount is set up as usual",
					h->name);
			continue;
		}
		pm.destination = "";
		pm.type = h->type;
		pm.spec_type = h->type;
		pm.source = h->source;
		pm.options = h->options;
		pm.spec_index = -1;
		pm.hint = (int)i;
		if (mount_options(b, &pm, -1, &mo, msg, sizeof(msg))) {
			if (!b->err)
				step_fail(b, h->name, "mounting shared master \"%s\": %s", h->name,
					  msg);
			mount_opts_free(&mo);
			return;
		}
		st = step_new(b, BOOT_STEP_MOUNT_MASTER, h->name);
		if (st) {
			char *d = join(&mo.data, ",");

			set_str(b, &st->fstype, mo.fstype);
			set_str(b, &st->source, h->source);
			set_str(b, &st->data, d && *d ? d : NULL);
			vl_free(d);
			st->flags = mo.flags;
			set_fmt(b, &st->fields, "share=%s", h->share);
			set_fmt(b, &st->reason,
				"pod-shared volume '%s': mounted once, disconnected; containers "
				"bind it%s",
				h->name,
				hint_supported(h) ? ""
						  : " (share is not pod: containers will not)");
		}
		mount_opts_free(&mo);
	}
}

/* ------------------------------------------------------------------ submounts */

/* prepareMountsVFS2's FD dispensing; 0 or -EINVAL after a fail step. */
static int dispense_fds(struct builder *b)
{
	struct boot_plan *p = b->p;
	size_t i;

	for (i = 0; i < p->nmounts; i++) {
		struct boot_plan_mount *m = &p->mounts[i];

		m->hint = find_hint(p, m->source);
		if (strcmp(m->type, "bind"))
			continue;
		if (b->fds_left <= 0) {
			step_fail(b, m->destination,
				  "fdDispenser out of fds: the gofer made one FD per bind mount "
				  "with a source, but %s needs one (runsc panics)",
				  m->spec_index >= 0 ? "this mount" : "a mount");
			return -EINVAL;
		}
		m->fd = b->next_fd++;
		b->fds_left--;
	}
	if (b->fds_left > 0) {
		step_fail(b, "gofer", "not all gofer FDs were consumed, remaining: %d",
			  b->fds_left);
		return -EINVAL;
	}
	return 0;
}

/* Destination length, then position: a stable order (gVisor's sort.Slice is not stable;
 * lint says where that matters). qsort with the position as the last key is stable and
 * n log n, which a spec of 10,000 mounts needs. */
static int by_length(const void *a, const void *b, void *ctx)
{
	const struct boot_plan *p = ctx;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	size_t la = strlen(p->mounts[ia].destination);
	size_t lb = strlen(p->mounts[ib].destination);

	if (la != lb)
		return la < lb ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

static void order_mounts(struct builder *b)
{
	struct boot_plan *p = b->p;
	size_t i;

	p->order = vl_malloc((p->nmounts ? p->nmounts : 1) * sizeof(*p->order));
	if (!p->order) {
		b->err = -ENOMEM;
		return;
	}
	for (i = 0; i < p->nmounts; i++)
		p->order[i] = i;
	if (b->conf->order != BOOT_ORDER_GVISOR)
		return;
	qsort_r(p->order, p->nmounts, sizeof(*p->order), by_length, p);
}

static void step_mkdir(struct builder *b, const char *dest, int mi)
{
	struct boot_step *st = step_new(b, BOOT_STEP_MKDIR, dest);

	if (!st)
		return;
	st->mount = mi;
	set_str(b, &st->reason, "mount point: kept if it exists, else a synthetic mount point");
}

/* The ignored options as a fields string, and a reason suffix. */
static void describe_ignored(struct builder *b, struct boot_step *st, const struct mount_opts *mo,
			     const char *why)
{
	char *ign = mo->ignored.n ? join(&mo->ignored, ",") : NULL;

	if (mo->ignored.n && !ign) {
		b->err = -ENOMEM;
		return;
	}
	if (ign)
		set_str(b, &st->ignored, ign);
	set_fmt(b, &st->reason, "%s%s", why, ign ? "; unknown options ignored" : "");
	vl_free(ign);
}

static void shared_mount(struct builder *b, size_t mi)
{
	struct boot_plan *p = b->p;
	struct boot_plan_mount *m = &p->mounts[mi];
	struct boot_hint *h = &p->hints[m->hint];
	struct boot_strv master = { NULL, 0 }, replica = { NULL, 0 };
	struct boot_plan_mount copy = *m;
	struct mount_opts mo;
	struct boot_step *st;
	char msg[512], from[48], *a = NULL, *r = NULL;
	size_t i;
	bool same;

	/* checkCompatible: the options that matter, as sorted sets. */
	for (i = 0; i < h->options.n; i++) {
		bool ok = false;

		if (!strcmp(h->options.v[i], "rw") || !strcmp(h->options.v[i], "ro") ||
		    !strcmp(h->options.v[i], "noatime") || !strcmp(h->options.v[i], "noexec") ||
		    (!option_allowed(h->options.v[i], tmpfs_data, &ok) && ok))
			b->err = b->err ?: boot_strv_push(&master, h->options.v[i]);
	}
	for (i = 0; i < m->options.n; i++) {
		const char *o = m->options.v[i];
		const char *const *allowed = !strcmp(m->type, "tmpfs")	  ? tmpfs_data
					     : !strcmp(m->type, "cgroup") ? cgroup_data
									  : NULL;
		bool ok = false;

		if (!strcmp(o, "rw") || !strcmp(o, "ro") || !strcmp(o, "noatime") ||
		    !strcmp(o, "noexec") || (allowed && !option_allowed(o, allowed, &ok) && ok))
			b->err = b->err ?: boot_strv_push(&replica, o);
	}
	boot_strv_sort(&master);
	boot_strv_sort(&replica);
	same = master.n == replica.n;
	for (i = 0; same && i < master.n; i++)
		same = !strcmp(master.v[i], replica.v[i]);
	if (!same) {
		a = join(&master, " ");
		r = join(&replica, " ");
		if (a && r)
			step_fail(
				b, m->destination,
				"mount shared mount \"%s\" to \"%s\": mount options in annotations "
				"differ from container mount, annotation: [%s], mount: [%s]",
				h->name, m->destination, a, r);
		else
			b->err = -ENOMEM;
		goto out;
	}
	/* The seed passes the mount with no FD here (a bind-typed one then fails). */
	copy.fd = 0;
	if (mount_options(b, &copy, 0, &mo, msg, sizeof(msg))) {
		if (!b->err)
			step_fail(b, m->destination, "mount shared mount \"%s\" to \"%s\": %s",
				  h->name, m->destination, msg);
		mount_opts_free(&mo);
		goto out;
	}
	step_mkdir(b, m->destination, (int)mi);
	st = step_new(b, BOOT_STEP_SHARED_MOUNT, m->destination);
	if (st) {
		origin(m, from, sizeof(from));
		st->mount = (int)mi;
		set_str(b, &st->fstype, h->type);
		set_str(b, &st->source, m->source);
		st->flags = mo.flags;
		set_fmt(b, &st->fields, "master=%s", h->name);
		set_fmt(b, &st->reason,
			"%s: a bind of pod-shared master '%s' (options checked compatible)", from,
			h->name);
	}
	if (mo.flags & MS_RDONLY) {
		st = step_new(b, BOOT_STEP_SET_RW, m->destination);
		if (st) {
			st->mount = (int)mi;
			set_str(b, &st->reason,
				"read-only mount: writable while mounts below it "
				"are set up");
		}
		defer_restore(b, m->destination, (int)mi);
	}
	mount_opts_free(&mo);
out:
	vl_free(a);
	vl_free(r);
	boot_strv_free(&master);
	boot_strv_free(&replica);
}

static void submount(struct builder *b, size_t mi)
{
	struct boot_plan *p = b->p;
	struct boot_plan_mount *m = &p->mounts[mi];
	struct mount_opts mo;
	struct boot_step *st;
	char msg[512], from[48], why[600];
	const char *tr = type_reason(m);
	char *d;

	origin(m, from, sizeof(from));
	if (mount_options(b, m, m->fd, &mo, msg, sizeof(msg))) {
		if (!b->err)
			step_fail(b, m->destination,
				  "mount submount \"%s\": mountOptions failed: %s", m->destination,
				  msg);
		goto out;
	}
	if (!mo.fstype[0]) {
		st = step_new(b, BOOT_STEP_SKIP, m->destination);
		if (st) {
			st->mount = (int)mi;
			set_str(b, &st->fstype, m->type);
			set_str(b, &st->source, m->source[0] ? m->source : NULL);
			set_fmt(b, &st->reason, "%s: ignoring unknown filesystem type \"%s\"", from,
				m->type);
		}
		goto out;
	}
	step_mkdir(b, m->destination, (int)mi);
	d = join(&mo.data, ",");
	if (!d) {
		b->err = -ENOMEM;
		goto out;
	}
	if (mo.use_overlay) {
		st = step_new(b, BOOT_STEP_CONFIGURE_OVERLAY, m->destination);
		if (st) {
			st->mount = (int)mi;
			set_str(b, &st->fstype, mo.fstype);
			set_str(b, &st->source, m->source);
			set_str(b, &st->data, *d ? d : NULL);
			st->flags = mo.flags | MS_RDONLY;
			st->fd = m->fd;
			set_str(b, &st->fields, "upper=tmpfs");
			set_str(b, &st->reason,
				"--overlay on a writable bind mount: read-only lower, "
				"disconnected; "
				"tmpfs upper of the lower root's type (a file's data copied up), "
				"its "
				"uid, gid, mode");
		}
	}
	st = step_new(b, BOOT_STEP_MOUNT, m->destination);
	if (!st) {
		vl_free(d);
		goto out;
	}
	st->mount = (int)mi;
	set_str(b, &st->source, m->source[0] ? m->source : NULL);
	if (mo.use_overlay) {
		set_str(b, &st->fstype, "overlay");
		st->flags = mo.flags & ~(unsigned long)MS_RDONLY;
	} else {
		set_str(b, &st->fstype, mo.fstype);
		set_str(b, &st->data, *d ? d : NULL);
		st->flags = mo.flags;
		st->fd = mo.verity ? -1 : m->fd;
	}
	vl_free(d);
	if (mo.verity) {
		st->verity = vl_zalloc(sizeof(*st->verity));
		if (!st->verity) {
			b->err = -ENOMEM;
			goto out;
		}
		set_str(b, &st->verity->lower_type, mo.lower_type);
		set_str(b, &st->verity->lower_data, mo.lower_data);
		set_str(b, &st->verity->roothash, mo.roothash);
		set_str(b, &st->verity->action, mo.action);
		st->verity->root_merkle_name = boot_path_base(m->destination);
		if (!st->verity->root_merkle_name)
			b->err = -ENOMEM;
		st->fd = m->fd;
		snprintf(why, sizeof(why), "%s: verity over %s (%s; action %s%s%s)%s", from,
			 mo.lower_type,
			 mo.roothash ? "root hash given"
				     : "no root hash: runtime enable allowed, no protection",
			 mo.action, mo.bad_action[0] ? ", invalid action " : "", mo.bad_action,
			 "; the seed gives the verity mount no flags");
	} else {
		snprintf(why, sizeof(why), "%s%s%s%s", from, tr ? ": " : "", tr ? tr : "",
			 mo.use_overlay ? "; the overlay over the lower just configured" : "");
	}
	describe_ignored(b, st, &mo, why);
	if (mo.verity)
		set_fmt(b, &st->fields, "%s%s%saction=%s lower=%s", mo.roothash ? "roothash=" : "",
			mo.roothash ? mo.roothash : "", mo.roothash ? " " : "", mo.action,
			mo.lower_type);
	if (st->flags & MS_RDONLY) {
		st = step_new(b, BOOT_STEP_SET_RW, m->destination);
		if (st) {
			st->mount = (int)mi;
			set_str(b, &st->reason,
				"read-only mount: writable while mounts below it "
				"are set up");
		}
		defer_restore(b, m->destination, (int)mi);
	}
out:
	mount_opts_free(&mo);
}

static void mount_tmp(struct builder *b)
{
	struct boot_plan *p = b->p;
	struct boot_step *st;
	bool below = false;
	size_t i;

	for (i = 0; i < p->nmounts; i++) {
		if (!strcmp(p->mounts[i].destination, "/tmp")) {
			st = step_new(b, BOOT_STEP_SKIP, "/tmp");
			if (st)
				set_str(b, &st->reason,
					"no internal tmpfs: /tmp is mounted "
					"explicitly");
			return;
		}
		below |= boot_path_below(p->mounts[i].destination, "/tmp");
	}
	st = step_new(b, BOOT_STEP_MOUNT_TMP, "/tmp");
	if (!st)
		return;
	set_str(b, &st->fstype, "tmpfs");
	set_str(b, &st->data, "mode=01777");
	set_str(b, &st->reason,
		below ? "internal tmpfs, sticky: but mount points below /tmp make it non-empty, "
			"so it will be skipped"
		      : "internal tmpfs, sticky; skipped at run time if /tmp is not empty or not "
			"a directory");
}

static void restore_ro(struct builder *b)
{
	struct boot_step *st;
	size_t i;

	/* Deferred in the seed: the last made writable is restored first. */
	for (i = b->ndeferred; i-- > 0;) {
		st = step_new(b, BOOT_STEP_RESTORE_RO, b->deferred[i].target);
		if (!st)
			return;
		st->mount = b->deferred[i].mount;
		set_str(b, &st->reason, "back to read-only now that the mounts below are done");
	}
	if (b->spec->root_readonly) {
		st = step_new(b, BOOT_STEP_RESTORE_RO, "/");
		if (st)
			set_str(b, &st->reason, "the root back to read-only, last");
	}
}

static void resolve_exec(struct builder *b)
{
	const struct boot_spec *s = b->spec;
	const char *name, *path = NULL;
	struct boot_step *st;
	size_t i;

	if (!s->args.n) {
		st = step_new(b, BOOT_STEP_SKIP, "exec");
		if (st)
			set_str(b, &st->reason,
				s->has_process ? "process.args is empty: nothing to execute (runsc "
						 "refuses this "
						 "spec)"
					       : "no process: nothing to execute (runsc refuses "
						 "this spec)");
		return;
	}
	name = s->args.v[0];
	for (i = 0; i < s->env.n; i++) {
		if (!strncmp(s->env.v[i], "PATH=", 5)) {
			path = s->env.v[i] + 5;
			break;
		}
	}
	st = step_new(b, BOOT_STEP_RESOLVE_EXEC, name);
	if (!st)
		return;
	if (name[0] == '/') {
		set_str(b, &st->reason, "absolute: used as it is");
	} else if (strchr(name, '/')) {
		set_fmt(b, &st->fields, "cwd=%s", s->cwd);
		set_str(b, &st->reason, "holds a '/': joined to the working directory");
	} else if (path) {
		set_fmt(b, &st->fields, "PATH=%s", path);
		set_str(b, &st->reason,
			"looked up in PATH, absolute entries only: the first executable found");
	} else {
		set_str(b, &st->reason, "no PATH in process.env: not found (ENOENT)");
	}
}

static void masked_paths(struct builder *b)
{
	const struct boot_spec *s = b->spec;
	struct boot_step *st;
	size_t i;

	for (i = 0; i < s->masked_paths.n; i++) {
		st = step_new(b, BOOT_STEP_MASKED_PATH, s->masked_paths.v[i]);
		if (st)
			set_str(b, &st->reason,
				"not applied, as runsc: the sandbox's /proc and /sys hold no host "
				"data to mask");
	}
	for (i = 0; i < s->readonly_paths.n; i++) {
		st = step_new(b, BOOT_STEP_READONLY_PATH, s->readonly_paths.v[i]);
		if (st)
			set_str(b, &st->reason,
				"not applied, as runsc: the sandbox's /proc and /sys are its own");
	}
}

static void fd_map(struct builder *b)
{
	struct boot_plan *p = b->p;
	char buf[2048];
	size_t i, len;
	struct boot_step *st;

	len = (size_t)snprintf(buf, sizeof(buf), "/=%d", p->root_fd);
	for (i = 0; i < p->nmounts && len < sizeof(buf); i++)
		if (p->mounts[i].fd >= 0)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s=%d",
						p->mounts[i].destination, p->mounts[i].fd);
	st = step_new(b, BOOT_STEP_FD_MAP, "restore");
	if (!st)
		return;
	set_str(b, &st->fields, buf);
	set_str(b, &st->reason, "configureRestore: gofer FDs by destination, used on restore only");
}

/* ------------------------------------------------------------------ the plan */

static int count_gofer_fds(const struct boot_spec *s)
{
	size_t i;
	int n = 1; /* the root */

	/* specutils.IsGoferMount, as the gofer decides which FDs to make. */
	for (i = 0; i < s->nmounts; i++) {
		const struct boot_mount *m = &s->mounts[i];

		if ((!strcmp(m->type, "bind") || has_bind_option(&m->options)) && m->source[0])
			n++;
	}
	return n;
}

int boot_plan_build(const struct boot_spec *spec, const struct boot_config *conf,
		    struct boot_plan **out, struct boot_err *err)
{
	struct builder b = { 0 };
	size_t i;

	*out = NULL;
	b.spec = spec;
	b.conf = conf;
	b.p = vl_zalloc(sizeof(*b.p));
	if (!b.p) {
		boot_err_set(err, "out of memory");
		return -ENOMEM;
	}
	b.p->conf = *conf;
	b.p->spec = spec;
	b.p->root_fd = -1;
	b.next_fd = conf->gofer_fd_base;
	b.fds_left = count_gofer_fds(spec);

	/* A pod's later containers start in the running sandbox: the types, devices and
	 * pod-shared masters are the first container's (runsc's StartContainer). */
	if (!conf->subcontainer)
		register_filesystems(&b);
	if (!b.err && parse_hints(&b))
		goto done;
	compile_mounts(&b);
	if (!b.err && !conf->subcontainer)
		mount_masters(&b);
	if (b.err || b.p->failed)
		goto done;
	mount_root(&b);
	if (b.err || dispense_fds(&b))
		goto done;
	order_mounts(&b);
	for (i = 0; i < b.p->nmounts && !b.err && !b.p->failed; i++) {
		size_t mi = b.p->order[i];
		int h = b.p->mounts[mi].hint;

		if (h >= 0 && hint_supported(&b.p->hints[h]))
			shared_mount(&b, mi);
		else
			submount(&b, mi);
	}
	if (b.err || b.p->failed)
		goto done;
	mount_tmp(&b);
	restore_ro(&b);
	resolve_exec(&b);
	masked_paths(&b);
	fd_map(&b);
done:
	for (i = 0; i < b.ndeferred; i++)
		vl_free(b.deferred[i].target);
	vl_free(b.deferred);
	if (b.err) {
		boot_plan_free(b.p);
		boot_err_set(err, "out of memory");
		return b.err;
	}
	*out = b.p;
	return 0;
}

void boot_plan_free(struct boot_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nsteps; i++) {
		struct boot_step *st = &p->steps[i];

		vl_free(st->target);
		vl_free(st->fstype);
		vl_free(st->source);
		vl_free(st->data);
		vl_free(st->ignored);
		vl_free(st->fields);
		vl_free(st->reason);
		vl_free(st->change.text);
		if (st->verity) {
			vl_free(st->verity->lower_type);
			vl_free(st->verity->lower_data);
			vl_free(st->verity->roothash);
			vl_free(st->verity->action);
			vl_free(st->verity->root_merkle_name);
			vl_free(st->verity);
		}
	}
	vl_free(p->steps);
	for (i = 0; i < p->nmounts; i++) {
		vl_free(p->mounts[i].destination);
		vl_free(p->mounts[i].type);
		vl_free(p->mounts[i].spec_type);
		vl_free(p->mounts[i].source);
		boot_strv_free(&p->mounts[i].options);
	}
	vl_free(p->mounts);
	vl_free(p->order);
	for (i = 0; i < p->nhints; i++) {
		vl_free(p->hints[i].name);
		vl_free(p->hints[i].source);
		vl_free(p->hints[i].type);
		vl_free(p->hints[i].share);
		boot_strv_free(&p->hints[i].options);
	}
	vl_free(p->hints);
	vl_free(p);
}

const char *boot_step_kind_name(enum boot_step_kind kind)
{
	static const char *const names[BOOT_STEP_KIND_COUNT] = {
		[BOOT_STEP_REGISTER_FS] = "register-fs",
		[BOOT_STEP_REGISTER_DEV] = "register-dev",
		[BOOT_STEP_DEVTMPFS_INIT] = "devtmpfs-init",
		[BOOT_STEP_DEVTMPFS_FILE] = "devtmpfs-file",
		[BOOT_STEP_MOUNT_MASTER] = "mount-master",
		[BOOT_STEP_CONFIGURE_OVERLAY] = "configure-overlay",
		[BOOT_STEP_MOUNT_ROOT] = "mount-root",
		[BOOT_STEP_SET_RW] = "set-rw",
		[BOOT_STEP_MKDIR] = "mkdir",
		[BOOT_STEP_MOUNT] = "mount",
		[BOOT_STEP_SHARED_MOUNT] = "shared-mount",
		[BOOT_STEP_SKIP] = "skip",
		[BOOT_STEP_MOUNT_TMP] = "mount-tmp",
		[BOOT_STEP_RESTORE_RO] = "restore-ro",
		[BOOT_STEP_RESOLVE_EXEC] = "resolve-exec",
		[BOOT_STEP_MASKED_PATH] = "masked-path",
		[BOOT_STEP_READONLY_PATH] = "readonly-path",
		[BOOT_STEP_FD_MAP] = "fd-map",
		[BOOT_STEP_FAIL] = "fail",
	};

	if ((unsigned)kind >= BOOT_STEP_KIND_COUNT)
		return "?";
	return names[kind];
}
