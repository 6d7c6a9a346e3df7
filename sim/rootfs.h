/*
 * rootfs.h - rootfs manifests (DESIGN §7) and what the simulation embeds: a minimal
 * rootfs and the default spec.
 *
 * A manifest is text, one entry a line: TYPE PATH MODE UID GID [ARG]. TYPE is one of
 * d f l h c b p s (directory, file, symlink, hard link, char device, block device, fifo,
 * socket); PATH is absolute (C escapes allowed, so a blank is \040); MODE is octal
 * permission bits (setuid, setgid and sticky included); ARG is the rest of the line after
 * one space: a file's content C-escaped (\n \t \\ \ooo \xHH), a symlink's target, the
 * path a hard link links to, or MAJ:MIN for a device. A line starting with '#' is a
 * comment, a blank line is skipped. Parents come before children; "/" itself may be
 * listed (to set the root's mode and owner). Errors name the line:
 * "rootfs.manifest:12: unknown type 'x'".
 */
#ifndef VFSLAB_SIM_ROOTFS_H
#define VFSLAB_SIM_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct task;

struct rootfs_entry {
	char type;   /* d f l h c b p s */
	char *path;  /* absolute, clean */
	mode_t mode; /* permission bits (07777) */
	uid_t uid;
	gid_t gid;
	char *arg; /* content (decoded, may hold NULs), link target, or NULL */
	size_t arglen;
	unsigned major, minor; /* c and b */
	int line;
};

struct rootfs_manifest {
	struct rootfs_entry *entries;
	size_t n;
};

/* Parse manifest text; name names it in messages. 0, or -EINVAL with "NAME:LINE: what"
 * in err (errlen bytes), or -ENOMEM. */
int rootfs_parse(const char *text, size_t len, const char *name, struct rootfs_manifest **out,
		 char *err, size_t errlen);
void rootfs_free(struct rootfs_manifest *m);
/* The entry for a clean absolute path, or NULL ("/" is found only when listed). */
const struct rootfs_entry *rootfs_find(const struct rootfs_manifest *m, const char *path);
/* True if some entry lies directly below path. */
bool rootfs_has_children(const struct rootfs_manifest *m, const char *path);

/* Create the manifest's tree below the directory dir (an absolute path of t's namespace,
 * "/" for its root) through the public VFS API, as task t: modes exactly as listed
 * (umask does not apply), owners as listed. 0, or -errno with "NAME:LINE: PATH: what:
 * ENAME" in err. */
int rootfs_populate(struct task *t, const char *dir, const struct rootfs_manifest *m,
		    const char *name, char *err, size_t errlen);

/* The embedded minimal rootfs (a manifest), and the embedded default spec: the
 * config.json that `runc spec` writes (runc's libcontainer/specconv/example.go). */
extern const char rootfs_embedded_manifest[];
extern const char rootfs_default_spec[];

#endif
