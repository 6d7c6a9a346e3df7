/*
 * rootfs.c - rootfs manifests: parsing (DESIGN §7), populating a tree through the public
 * VFS API, and the embedded minimal rootfs and default spec. See rootfs.h.
 *
 * The tree is made by the task given (in the simulation, the in-memory gofer's kernel)
 * with the plain syscall-like calls, so the manifest exercises the same paths a user
 * would: mkdirat, openat+write, symlinkat, linkat, mknodat, then fchownat and fchmodat so
 * that owners and modes are exactly as listed whatever the task's umask.
 */
#include "rootfs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/compiler.h"
#include "base/errname.h"
#include "vfslab/vfs.h"

static int errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Decode C escapes of s[0..n) into a new buffer; *outlen gets its length. Returns NULL
 * with *bad set on a malformed escape (and with *bad clear when out of memory). */
static char *unescape(const char *s, size_t n, size_t *outlen, bool *bad)
{
	char *d = vl_malloc(n + 1);
	size_t i = 0, o = 0;

	*bad = false;
	if (!d)
		return NULL;
	while (i < n) {
		char c = s[i++];

		if (c != '\\') {
			d[o++] = c;
			continue;
		}
		if (i == n)
			goto bad;
		c = s[i++];
		switch (c) {
		case 'n': d[o++] = '\n'; break;
		case 't': d[o++] = '\t'; break;
		case 'r': d[o++] = '\r'; break;
		case 'a': d[o++] = '\a'; break;
		case 'b': d[o++] = '\b'; break;
		case 'f': d[o++] = '\f'; break;
		case 'v': d[o++] = '\v'; break;
		case '\\': d[o++] = '\\'; break;
		case '"': d[o++] = '"'; break;
		case '\'': d[o++] = '\''; break;
		case 'x': {
			unsigned v = 0, k;

			for (k = 0;
			     k < 2 && i < n && strchr("0123456789abcdefABCDEF", s[i]) && s[i];
			     k++, i++)
				v = v * 16 +
				    (unsigned)(s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
			if (!k)
				goto bad;
			d[o++] = (char)v;
			break;
		}
		default:
			if (c >= '0' && c <= '7') {
				unsigned v = (unsigned)(c - '0'), k;

				for (k = 1; k < 3 && i < n && s[i] >= '0' && s[i] <= '7'; k++, i++)
					v = v * 8 + (unsigned)(s[i] - '0');
				if (v > 0xff)
					goto bad;
				d[o++] = (char)v;
				break;
			}
			goto bad;
		}
	}
	d[o] = '\0';
	*outlen = o;
	return d;
bad:
	vl_free(d);
	*bad = true;
	return NULL;
}

/* A clean absolute path: no empty, "." or ".." components, no trailing slash. */
static bool path_is_clean(const char *p)
{
	const char *c = p;

	if (p[0] != '/')
		return false;
	if (!strcmp(p, "/"))
		return true;
	while (*c) {
		const char *e;
		size_t n;

		c++; /* the slash */
		e = strchr(c, '/');
		n = e ? (size_t)(e - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
	}
	return true;
}

const struct rootfs_entry *rootfs_find(const struct rootfs_manifest *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->entries[i].path, path))
			return &m->entries[i];
	return NULL;
}

bool rootfs_has_children(const struct rootfs_manifest *m, const char *path)
{
	size_t n = strlen(path), i;

	for (i = 0; i < m->n; i++) {
		const char *p = m->entries[i].path;

		if (!strcmp(p, "/"))
			continue;
		if (!strcmp(path, "/")) {
			if (!strchr(p + 1, '/'))
				return true;
		} else if (!strncmp(p, path, n) && p[n] == '/' && !strchr(p + n + 1, '/')) {
			return true;
		}
	}
	return false;
}

/* The parent of a clean path, in buf. */
static void parent_of(const char *p, char *buf, size_t size)
{
	const char *s = strrchr(p, '/');

	if (s == p)
		snprintf(buf, size, "/");
	else
		snprintf(buf, size, "%.*s", (int)(s - p), p);
}

static int parse_line(struct rootfs_manifest *m, const char *line, size_t len, int lineno,
		      const char *name, char *err, size_t errlen)
{
	struct rootfs_entry *e = &m->entries[m->n];
	const char *p = line, *end = line + len, *f[5];
	size_t flen[5], k;
	char buf[64], parent[4096], *ep;
	bool bad;
	unsigned long v;

	memset(e, 0, sizeof(*e));
	e->line = lineno;
	/* Five fields separated by single spaces; ARG is what follows the fifth's space. */
	for (k = 0; k < 5; k++) {
		const char *sp;

		if (p >= end)
			return errf(err, errlen, "%s:%d: %s", name, lineno,
				    "want TYPE PATH MODE UID GID [ARG]");
		sp = memchr(p, ' ', (size_t)(end - p));
		f[k] = p;
		flen[k] = sp ? (size_t)(sp - p) : (size_t)(end - p);
		if (!flen[k])
			return errf(err, errlen, "%s:%d: %s", name, lineno,
				    "empty field (fields are separated by one space)");
		p = sp ? sp + 1 : end;
		if (!sp && k < 4)
			return errf(err, errlen, "%s:%d: %s", name, lineno,
				    "want TYPE PATH MODE UID GID [ARG]");
	}
	if (flen[0] != 1 || !strchr("dflhcbps", f[0][0]))
		return errf(err, errlen, "%s:%d: unknown type '%.*s'", name, lineno, (int)flen[0],
			    f[0]);
	e->type = f[0][0];
	e->path = unescape(f[1], flen[1], &k, &bad);
	if (!e->path)
		return bad ? errf(err, errlen, "%s:%d: bad escape in path", name, lineno) : -ENOMEM;
	if (strlen(e->path) != k || !path_is_clean(e->path) || k >= sizeof(parent))
		return errf(err, errlen, "%s:%d: path '%s' is not a clean absolute path", name,
			    lineno, e->path);
	snprintf(buf, sizeof(buf), "%.*s", (int)MIN(flen[2], sizeof(buf) - 1), f[2]);
	v = strtoul(buf, &ep, 8);
	if (*ep || buf[0] == '-' || v > 07777)
		return errf(err, errlen, "%s:%d: bad mode '%s' (octal permission bits)", name,
			    lineno, buf);
	e->mode = (mode_t)v;
	snprintf(buf, sizeof(buf), "%.*s", (int)MIN(flen[3], sizeof(buf) - 1), f[3]);
	v = strtoul(buf, &ep, 10);
	if (*ep || buf[0] == '-' || v > 0xfffffffeUL)
		return errf(err, errlen, "%s:%d: bad uid '%s'", name, lineno, buf);
	e->uid = (uid_t)v;
	snprintf(buf, sizeof(buf), "%.*s", (int)MIN(flen[4], sizeof(buf) - 1), f[4]);
	v = strtoul(buf, &ep, 10);
	if (*ep || buf[0] == '-' || v > 0xfffffffeUL)
		return errf(err, errlen, "%s:%d: bad gid '%s'", name, lineno, buf);
	e->gid = (gid_t)v;
	if (p < end || (p == end && p[-1] == ' ' && p > f[4] + flen[4])) {
		e->arg = unescape(p, (size_t)(end - p), &e->arglen, &bad);
		if (!e->arg)
			return bad ? errf(err, errlen, "%s:%d: bad escape in argument", name,
					  lineno)
				   : -ENOMEM;
	}
	if (rootfs_find(m, e->path))
		return errf(err, errlen, "%s:%d: '%s' is listed twice", name, lineno, e->path);
	if (!strcmp(e->path, "/")) {
		if (e->type != 'd')
			return errf(err, errlen, "%s:%d: '/' must be a directory", name, lineno);
	} else {
		const struct rootfs_entry *pe;

		parent_of(e->path, parent, sizeof(parent));
		pe = rootfs_find(m, parent);
		if (strcmp(parent, "/") && !pe)
			return errf(err, errlen,
				    "%s:%d: parent '%s' of '%s' is not listed before it", name,
				    lineno, parent, e->path);
		if (pe && pe->type != 'd')
			return errf(err, errlen, "%s:%d: parent '%s' of '%s' is not a directory",
				    name, lineno, parent, e->path);
	}
	switch (e->type) {
	case 'l':
		if (!e->arg || !e->arglen || strlen(e->arg) != e->arglen)
			return errf(err, errlen, "%s:%d: symlink '%s' needs a target", name, lineno,
				    e->path);
		break;
	case 'h': {
		const struct rootfs_entry *t;

		if (!e->arg || !e->arglen)
			return errf(err, errlen, "%s:%d: hard link '%s' needs the path it links to",
				    name, lineno, e->path);
		t = rootfs_find(m, e->arg);
		if (!t)
			return errf(err, errlen,
				    "%s:%d: hard link target '%s' is not listed before it", name,
				    lineno, e->arg);
		if (t->type == 'd')
			return errf(err, errlen, "%s:%d: hard link target '%s' is a directory",
				    name, lineno, e->arg);
		break;
	}
	case 'c':
	case 'b': {
		unsigned long ma, mi;
		char *colon;

		if (!e->arg)
			return errf(err, errlen, "%s:%d: device '%s' needs MAJ:MIN", name, lineno,
				    e->path);
		ma = strtoul(e->arg, &colon, 10);
		if (colon == e->arg || *colon != ':')
			return errf(err, errlen, "%s:%d: bad device number '%s' (want MAJ:MIN)",
				    name, lineno, e->arg);
		mi = strtoul(colon + 1, &ep, 10);
		if (ep == colon + 1 || *ep || ma > 0xfff || mi > 0xfffff)
			return errf(err, errlen, "%s:%d: bad device number '%s' (want MAJ:MIN)",
				    name, lineno, e->arg);
		e->major = (unsigned)ma;
		e->minor = (unsigned)mi;
		break;
	}
	case 'f': break;
	default:
		if (e->arg)
			return errf(err, errlen, "%s:%d: type '%c' takes no argument", name, lineno,
				    e->type);
	}
	m->n++;
	return 0;
}

void rootfs_free(struct rootfs_manifest *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		vl_free(m->entries[i].path);
		vl_free(m->entries[i].arg);
	}
	vl_free(m->entries);
	vl_free(m);
}

int rootfs_parse(const char *text, size_t len, const char *name, struct rootfs_manifest **out,
		 char *err, size_t errlen)
{
	struct rootfs_manifest *m;
	const char *p = text, *end = text + len;
	size_t lines = 1, i;
	int lineno = 0, ret = 0;

	*out = NULL;
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	m = vl_zalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->entries = vl_zalloc(lines * sizeof(*m->entries));
	if (!m->entries) {
		vl_free(m);
		return -ENOMEM;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		lineno++;
		if (n && p[0] != '#') {
			ret = parse_line(m, p, n, lineno, name, err, errlen);
			if (ret) {
				/* The entry being parsed is not counted: free its strings. */
				vl_free(m->entries[m->n].path);
				vl_free(m->entries[m->n].arg);
				if (ret == -ENOMEM)
					errf(err, errlen, "%s:%d: out of memory", name, lineno);
				rootfs_free(m);
				return ret;
			}
		}
		p += n + 1;
	}
	*out = m;
	return 0;
}

static int populate_one(struct task *t, const char *dir, const struct rootfs_entry *e,
			const char *name, char *err, size_t errlen)
{
	char path[8192], target[8192];
	const char *what = "mkdir";
	bool root = !strcmp(e->path, "/");
	int ret = 0, fd;

	snprintf(path, sizeof(path), "%s%s", strcmp(dir, "/") ? dir : "",
		 root ? (strcmp(dir, "/") ? "" : "/") : e->path);
	switch (e->type) {
	case 'd':
		if (!root)
			ret = vfs_mkdirat(t, AT_FDCWD, path, e->mode);
		break;
	case 'f':
		what = "create";
		fd = vfs_openat(t, AT_FDCWD, path, O_WRONLY | O_CREAT | O_EXCL, e->mode);
		if (fd < 0) {
			ret = fd;
			break;
		}
		if (e->arglen) {
			ssize_t n = vfs_write(t, fd, e->arg, e->arglen);

			what = "write";
			if (n >= 0 && (size_t)n != e->arglen)
				n = -EIO;
			ret = n < 0 ? (int)n : 0;
		}
		vfs_close(t, fd);
		break;
	case 'l':
		what = "symlink";
		ret = vfs_symlinkat(t, e->arg, AT_FDCWD, path);
		break;
	case 'h':
		what = "link";
		snprintf(target, sizeof(target), "%s%s", strcmp(dir, "/") ? dir : "", e->arg);
		ret = vfs_linkat(t, AT_FDCWD, target, AT_FDCWD, path, 0);
		break;
	case 'c':
	case 'b':
		what = "mknod";
		ret = vfs_mknodat(t, AT_FDCWD, path, (e->type == 'c' ? S_IFCHR : S_IFBLK) | e->mode,
				  VFS_MKDEV(e->major, e->minor));
		break;
	case 'p':
		what = "mknod";
		ret = vfs_mknodat(t, AT_FDCWD, path, S_IFIFO | e->mode, 0);
		break;
	case 's':
		what = "mknod";
		ret = vfs_mknodat(t, AT_FDCWD, path, S_IFSOCK | e->mode, 0);
		break;
	}
	/* A hard link shares its target's owner and mode: nothing more to set. */
	if (!ret && e->type != 'h') {
		/* Owner first: chown clears setuid and setgid, chmod then sets them. */
		what = "chown";
		ret = vfs_fchownat(t, AT_FDCWD, path, e->uid, e->gid, AT_SYMLINK_NOFOLLOW);
		if (!ret && e->type != 'l') {
			what = "chmod";
			ret = vfs_fchmodat(t, AT_FDCWD, path, e->mode, 0);
		}
	}
	if (ret < 0) {
		errf(err, errlen, "%s:%d: %s: %s: %s", name, e->line, e->path, what,
		     errno_name(-ret));
		return ret;
	}
	return 0;
}

int rootfs_populate(struct task *t, const char *dir, const struct rootfs_manifest *m,
		    const char *name, char *err, size_t errlen)
{
	size_t i;
	int ret;

	for (i = 0; i < m->n; i++) {
		ret = populate_one(t, dir, &m->entries[i], name, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The embedded minimal rootfs: enough for the default spec to boot and resolve "sh"
 * through PATH, with the mount points the usual specs need. Programs are placeholders:
 * the simulation does not execute them.
 */
const char rootfs_embedded_manifest[] =
	"# vfslab's embedded minimal rootfs (DESIGN §7 manifest)\n"
	"d / 0755 0 0\n"
	"d /bin 0755 0 0\n"
	"f /bin/sh 0755 0 0 #!/bin/sh\\n# vfslab placeholder: the simulation runs no programs\\n\n"
	"l /bin/bash 0777 0 0 sh\n"
	"d /dev 0755 0 0\n"
	"d /etc 0755 0 0\n"
	"f /etc/passwd 0644 0 0 root:x:0:0:root:/root:/bin/sh\\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\\n\n"
	"f /etc/group 0644 0 0 root:x:0:\\ntty:x:5:\\nnogroup:x:65534:\\n\n"
	"f /etc/hostname 0644 0 0 vfslab\\n\n"
	"f /etc/hosts 0644 0 0 127.0.0.1\\tlocalhost\\n::1\\tlocalhost\\n\n"
	"f /etc/resolv.conf 0644 0 0 \n"
	"d /home 0755 0 0\n"
	"d /proc 0555 0 0\n"
	"d /root 0700 0 0\n"
	"d /run 0755 0 0\n"
	"d /sbin 0755 0 0\n"
	"d /sys 0555 0 0\n"
	"d /tmp 01777 0 0\n"
	"d /usr 0755 0 0\n"
	"d /usr/bin 0755 0 0\n"
	"f /usr/bin/env 0755 0 0 #!/bin/sh\\n# vfslab placeholder\\n\n"
	"h /usr/bin/sh 0755 0 0 /bin/sh\n"
	"d /usr/local 0755 0 0\n"
	"d /usr/local/bin 0755 0 0\n"
	"d /usr/sbin 0755 0 0\n"
	"d /var 0755 0 0\n"
	"d /var/tmp 01777 0 0\n";

/* `runc spec` (runc 1.1.5, Debian 12), byte for byte: runc's specconv.Example(). */
const char rootfs_default_spec[] =
	"{\n"
	"\t\"ociVersion\": \"1.0.2-dev\",\n"
	"\t\"process\": {\n"
	"\t\t\"terminal\": true,\n"
	"\t\t\"user\": {\n"
	"\t\t\t\"uid\": 0,\n"
	"\t\t\t\"gid\": 0\n"
	"\t\t},\n"
	"\t\t\"args\": [\n"
	"\t\t\t\"sh\"\n"
	"\t\t],\n"
	"\t\t\"env\": [\n"
	"\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
	"\t\t\t\"TERM=xterm\"\n"
	"\t\t],\n"
	"\t\t\"cwd\": \"/\",\n"
	"\t\t\"capabilities\": {\n"
	"\t\t\t\"bounding\": [\n"
	"\t\t\t\t\"CAP_AUDIT_WRITE\",\n"
	"\t\t\t\t\"CAP_KILL\",\n"
	"\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"
	"\t\t\t],\n"
	"\t\t\t\"effective\": [\n"
	"\t\t\t\t\"CAP_AUDIT_WRITE\",\n"
	"\t\t\t\t\"CAP_KILL\",\n"
	"\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"
	"\t\t\t],\n"
	"\t\t\t\"permitted\": [\n"
	"\t\t\t\t\"CAP_AUDIT_WRITE\",\n"
	"\t\t\t\t\"CAP_KILL\",\n"
	"\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"
	"\t\t\t],\n"
	"\t\t\t\"ambient\": [\n"
	"\t\t\t\t\"CAP_AUDIT_WRITE\",\n"
	"\t\t\t\t\"CAP_KILL\",\n"
	"\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t\"rlimits\": [\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"RLIMIT_NOFILE\",\n"
	"\t\t\t\t\"hard\": 1024,\n"
	"\t\t\t\t\"soft\": 1024\n"
	"\t\t\t}\n"
	"\t\t],\n"
	"\t\t\"noNewPrivileges\": true\n"
	"\t},\n"
	"\t\"root\": {\n"
	"\t\t\"path\": \"rootfs\",\n"
	"\t\t\"readonly\": true\n"
	"\t},\n"
	"\t\"hostname\": \"runc\",\n"
	"\t\"mounts\": [\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/proc\",\n"
	"\t\t\t\"type\": \"proc\",\n"
	"\t\t\t\"source\": \"proc\"\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/dev\",\n"
	"\t\t\t\"type\": \"tmpfs\",\n"
	"\t\t\t\"source\": \"tmpfs\",\n"
	"\t\t\t\"options\": [\n"
	"\t\t\t\t\"nosuid\",\n"
	"\t\t\t\t\"strictatime\",\n"
	"\t\t\t\t\"mode=755\",\n"
	"\t\t\t\t\"size=65536k\"\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/dev/pts\",\n"
	"\t\t\t\"type\": \"devpts\",\n"
	"\t\t\t\"source\": \"devpts\",\n"
	"\t\t\t\"options\": [\n"
	"\t\t\t\t\"nosuid\",\n"
	"\t\t\t\t\"noexec\",\n"
	"\t\t\t\t\"newinstance\",\n"
	"\t\t\t\t\"ptmxmode=0666\",\n"
	"\t\t\t\t\"mode=0620\",\n"
	"\t\t\t\t\"gid=5\"\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/dev/shm\",\n"
	"\t\t\t\"type\": \"tmpfs\",\n"
	"\t\t\t\"source\": \"shm\",\n"
	"\t\t\t\"options\": [\n"
	"\t\t\t\t\"nosuid\",\n"
	"\t\t\t\t\"noexec\",\n"
	"\t\t\t\t\"nodev\",\n"
	"\t\t\t\t\"mode=1777\",\n"
	"\t\t\t\t\"size=65536k\"\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/dev/mqueue\",\n"
	"\t\t\t\"type\": \"mqueue\",\n"
	"\t\t\t\"source\": \"mqueue\",\n"
	"\t\t\t\"options\": [\n"
	"\t\t\t\t\"nosuid\",\n"
	"\t\t\t\t\"noexec\",\n"
	"\t\t\t\t\"nodev\"\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/sys\",\n"
	"\t\t\t\"type\": \"sysfs\",\n"
	"\t\t\t\"source\": \"sysfs\",\n"
	"\t\t\t\"options\": [\n"
	"\t\t\t\t\"nosuid\",\n"
	"\t\t\t\t\"noexec\",\n"
	"\t\t\t\t\"nodev\",\n"
	"\t\t\t\t\"ro\"\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/sys/fs/cgroup\",\n"
	"\t\t\t\"type\": \"cgroup\",\n"
	"\t\t\t\"source\": \"cgroup\",\n"
	"\t\t\t\"options\": [\n"
	"\t\t\t\t\"nosuid\",\n"
	"\t\t\t\t\"noexec\",\n"
	"\t\t\t\t\"nodev\",\n"
	"\t\t\t\t\"relatime\",\n"
	"\t\t\t\t\"ro\"\n"
	"\t\t\t]\n"
	"\t\t}\n"
	"\t],\n"
	"\t\"linux\": {\n"
	"\t\t\"resources\": {\n"
	"\t\t\t\"devices\": [\n"
	"\t\t\t\t{\n"
	"\t\t\t\t\t\"allow\": false,\n"
	"\t\t\t\t\t\"access\": \"rwm\"\n"
	"\t\t\t\t}\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t\"namespaces\": [\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"pid\"\n"
	"\t\t\t},\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"network\"\n"
	"\t\t\t},\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"ipc\"\n"
	"\t\t\t},\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"uts\"\n"
	"\t\t\t},\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"mount\"\n"
	"\t\t\t}\n"
	"\t\t],\n"
	"\t\t\"maskedPaths\": [\n"
	"\t\t\t\"/proc/acpi\",\n"
	"\t\t\t\"/proc/asound\",\n"
	"\t\t\t\"/proc/kcore\",\n"
	"\t\t\t\"/proc/keys\",\n"
	"\t\t\t\"/proc/latency_stats\",\n"
	"\t\t\t\"/proc/timer_list\",\n"
	"\t\t\t\"/proc/timer_stats\",\n"
	"\t\t\t\"/proc/sched_debug\",\n"
	"\t\t\t\"/sys/firmware\",\n"
	"\t\t\t\"/proc/scsi\"\n"
	"\t\t],\n"
	"\t\t\"readonlyPaths\": [\n"
	"\t\t\t\"/proc/bus\",\n"
	"\t\t\t\"/proc/fs\",\n"
	"\t\t\t\"/proc/irq\",\n"
	"\t\t\t\"/proc/sys\",\n"
	"\t\t\t\"/proc/sysrq-trigger\"\n"
	"\t\t]\n"
	"\t}\n"
	"}";
