/*
 * cmd.c - the one command table, the session, and what every command shares: word
 * splitting, prefix lookup, the option parser and the error reporter.
 *
 * The table is the single source of the command language: the REPL (batch and
 * interactive), `help`, and later the TUI and readline completion all read it, so a
 * command exists exactly when it has an entry here. Entries are sorted by name; the
 * prefix lookup relies on it only for the order it lists ambiguous candidates in.
 */
#include "cmd.h"
#include "setup.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/errname.h"
#include "base/hex.h"
#include "op.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"

const struct cmd cmd_table[] = {
	{ "append", "append PATH TEXT...", "append TEXT to a file, creating it if needed",
	  "Opens PATH with O_WRONLY|O_CREAT|O_APPEND (mode 0666 less the umask) and writes the\n"
	  "words of TEXT joined by single spaces, with C escapes (\\n, \\t, \\\\, \\ooo, \\xHH)\n"
	  "decoded. No newline is added.\n"
	  "Example: append /etc/motd 'second line\\n'",
	  cmd_append, 0 },
	{ "break", "break DEST|KIND", "stop the setup before a destination or a kind of step",
	  "Sets a breakpoint: the setup stops before the first step whose target is DEST (an\n"
	  "absolute path, e.g. the mkdir and mount steps of a mount) or whose kind is KIND\n"
	  "(register-fs, mount-root, configure-overlay, mkdir, mount, shared-mount, set-rw,\n"
	  "restore-ro, mount-tmp, skip, resolve-exec, ...). step, next, finish and continue\n"
	  "stop there; breakpoints survive reset and order.\n"
	  "Example: break /dev/pts",
	  cmd_break, 0 },
	{ "cat", "cat PATH...", "print the contents of files",
	  "Reads each PATH to its end and copies the bytes to the output as they are.\n"
	  "Example: cat /etc/hostname",
	  cmd_cat, 0 },
	{ "cd", "cd [PATH]", "change the working directory",
	  "Changes the current task's working directory (chdir(2)); without PATH, to /.\n"
	  "Example: cd /tmp",
	  cmd_cd, 0 },
	{ "chmod", "chmod MODE PATH...", "change permission bits (octal MODE)",
	  "Sets the mode of each PATH to the octal MODE (at most 07777), following symlinks,\n"
	  "as chmod(2) does. Symbolic modes (u+x) are not accepted.\n"
	  "Example: chmod 1777 /tmp",
	  cmd_chmod, 0 },
	{ "chown", "chown [-h] UID[:GID] PATH...", "change owner and group (numeric ids)",
	  "Sets the owner to UID and, when given, the group to GID (\":GID\" alone changes only\n"
	  "the group), as chown(2); -h changes a symlink itself (lchown(2)).\n"
	  "Example: chown 1000:1000 /home/user",
	  cmd_chown, 0 },
	{ "compare", "compare", "run the spec under both orders and show the mounts side by side",
	  "Runs the spec's mount setup to the end twice on fresh kernels, under the gvisor\n"
	  "order (by destination length, as runsc) and the spec order (as runc and crun), and\n"
	  "prints every mount point with what is mounted there under each: type, source, rw/ro\n"
	  "and (shadowed) when a later mount hides it. Rows that differ start with '*'. The\n"
	  "session's own setup is not touched.\n"
	  "Example: compare",
	  cmd_compare, 0 },
	{ "continue", "continue", "carry the setup on to the next breakpoint or the end",
	  "Carries out steps until a breakpoint is reached (the setup stops before that step)\n"
	  "or the setup is complete; from a breakpoint, the step it names is carried out\n"
	  "first. Each step's mount-table change is printed. 'c' is short for it.\n"
	  "Example: continue",
	  cmd_continue, CMD_F_STEP },
	{ "c", "c", "continue",
	  "Same as continue.\n"
	  "Example: break mount-tmp; c",
	  cmd_continue, CMD_F_STEP | CMD_F_ALIAS },
	{ "delete", "delete [N...]", "delete breakpoints (all without N)",
	  "Deletes the breakpoints numbered N (as 'info breakpoints' lists them), or every\n"
	  "breakpoint when no number is given.\n"
	  "Example: delete 1",
	  cmd_delete, 0 },
	{ "echo", "echo [TEXT...]", "print the words given, then a newline",
	  "Prints its arguments separated by spaces; handy to label parts of a script.\n"
	  "Example: echo -- now as user 1000 --",
	  cmd_echo, 0 },
	{ "exit", "exit", "leave the REPL (same as quit)",
	  "Same as quit.\n"
	  "Example: exit",
	  cmd_quit, CMD_F_ALIAS },
	{ "findmnt", "findmnt [--json]", "show the mount tree as findmnt(8) does",
	  "Prints the mounts of the task's namespace as a tree with the columns TARGET,\n"
	  "SOURCE, FSTYPE and OPTIONS (mount options, then the filesystem's own options),\n"
	  "like findmnt's default output. A bind mount of a subdirectory shows its root in\n"
	  "brackets after the source. --json prints the mounts as JSON instead (each with\n"
	  "its fields and whether a later mount shadows it).\n"
	  "Example: findmnt",
	  cmd_findmnt, 0 },
	{ "finish", "finish", "carry out the rest of the current phase of the setup",
	  "Carries out steps to the end of the current phase: devices (registration and\n"
	  "device files), root (masters, overlay, the root mount), submounts, tmp, restore\n"
	  "(read-only again), process (executable, masked paths, restore's FD map). Stops\n"
	  "early at a breakpoint.\n"
	  "Example: finish",
	  cmd_finish, CMD_F_STEP },
	{ "getxattr", "getxattr [-h] PATH NAME", "print the value of an extended attribute",
	  "Prints the value of the attribute NAME of PATH, C-escaped, then a newline; -h\n"
	  "reads a symlink's own attribute (lgetxattr(2)).\n"
	  "Example: getxattr /f user.comment",
	  cmd_getxattr, 0 },
	{ "help", "help [CMD]", "list the commands, or describe one",
	  "Without CMD, lists every command with one line each; with CMD (or a unique prefix\n"
	  "of one), prints its synopsis, description and an example.\n"
	  "Example: help mount",
	  cmd_help, 0 },
	{ "id", "id", "print the current task's credentials",
	  "Prints uid, gid and groups (the gid, then the supplementary groups) of the task\n"
	  "the commands run as, as id(1) does with numbers only.\n"
	  "Example: su 1000:1000,10; id",
	  cmd_id, 0 },
	{ "info", "info breakpoints", "list the breakpoints",
	  "Lists the breakpoints with their number, type (destination or kind), what they\n"
	  "match and how many times they stopped the setup.\n"
	  "Example: info breakpoints",
	  cmd_info, 0 },
	{ "lint", "lint [--json]", "the spec's ordering hazards and mistakes",
	  "Reports what 'vfslab lint' reports for the loaded spec under the session's order and\n"
	  "configuration: mounts shadowed by later ones, duplicate destinations, order left\n"
	  "undefined by gVisor's unstable sort, destinations through symlinks, /proc or /sys\n"
	  "replaced, a hidden /tmp, unsupported types and options, hint problems, verity with\n"
	  "no root hash. --json prints a JSON document.\n"
	  "Example: lint",
	  cmd_lint, 0 },
	{ "listxattr", "listxattr [-h] PATH", "list the extended attributes of a file",
	  "Prints the names of PATH's extended attributes, sorted, one a line; -h lists a\n"
	  "symlink's own (llistxattr(2)).\n"
	  "Example: listxattr /f",
	  cmd_listxattr, 0 },
	{ "ln", "ln [-s] TARGET LINK", "make a hard link, or a symbolic link with -s",
	  "Creates LINK as a hard link to TARGET (linkat(2), not following TARGET if it is a\n"
	  "symlink), or with -s a symlink whose contents are TARGET (symlinkat(2)). When LINK\n"
	  "is an existing directory, the link is made inside it with TARGET's last component.\n"
	  "Example: ln -s ../etc/passwd /tmp/pw",
	  cmd_ln, 0 },
	{ "ls", "ls [-l] [-a] [-d] [PATH...]", "list directory contents",
	  "Lists each directory's entries sorted by name (byte order), one a line, hiding\n"
	  "names that start with '.' unless -a; a file is listed as itself, and -d lists a\n"
	  "directory as itself. -l prints mode, links, uid, gid, size (or major, minor),\n"
	  "mtime in UTC (ls --time-style=full-iso) and the name, with '-> TARGET' for\n"
	  "symlinks, after a 'total' line in 1 KiB blocks. Without -l, a symlink given as\n"
	  "PATH is followed; with -l it is listed itself, as coreutils does.\n"
	  "Example: ls -la /",
	  cmd_ls, 0 },
	{ "mkdir", "mkdir [-p] [-m MODE] PATH...", "make directories",
	  "Creates each directory with mode 0777 less the umask, or exactly the octal MODE\n"
	  "given with -m. -p creates missing parents and accepts an existing directory.\n"
	  "Example: mkdir -p -m 700 /a/b/c",
	  cmd_mkdir, 0 },
	{ "mknod", "mknod [-m MODE] PATH TYPE [MAJOR MINOR]", "make a special file",
	  "TYPE is p (fifo), c or u (character device), b (block device), f (regular file)\n"
	  "or s (socket); c and b need MAJOR and MINOR. The mode is 0666 less the umask, or\n"
	  "exactly the octal MODE of -m, as mknod(1) does.\n"
	  "Example: mknod /dev/null c 1 3",
	  cmd_mknod, 0 },
	{ "mount", "mount [-t TYPE] [-o OPTS] [--bind|--rbind] [SRC] DEST",
	  "mount a filesystem, bind a tree, remount, or change propagation",
	  "Calls mount(2). OPTS is a comma list: rw ro nosuid suid nodev dev noexec exec\n"
	  "noatime atime nodiratime relatime sync dirsync remount bind rbind and the\n"
	  "propagation types (shared private slave unbindable, r-prefixed for recursive)\n"
	  "become mount flags; every other option goes to the filesystem as data. With only\n"
	  "DEST, -o remount,... remounts it and --make-shared, --make-private,\n"
	  "--make-slave, --make-unbindable (and --make-r*) change its propagation. Without\n"
	  "arguments, prints the mount table as /proc/self/mounts. This is mount(2) itself,\n"
	  "not mount(8): a new bind mount ignores ro and the other per-mount flags (follow\n"
	  "it with -o remount,bind,ro), and a remount sets the mount's flags to exactly\n"
	  "those given instead of merging them with the current ones.\n"
	  "Examples: mount -t tmpfs -o size=1m,mode=755 tmpfs /mnt\n"
	  "          mount --bind /mnt /srv; mount -o remount,bind,ro /srv",
	  cmd_mount, 0 },
	{ "mountinfo", "mountinfo", "print /proc/self/mountinfo of the task",
	  "Prints the task's mount table in the exact format of /proc/self/mountinfo (the\n"
	  "file findmnt -F reads).\n"
	  "Example: mountinfo",
	  cmd_mountinfo, 0 },
	{ "mv", "mv [-n] [-T] [--exchange] SRC DST", "rename (move) a file",
	  "Renames SRC to DST with renameat2(2). When DST is an existing directory (and\n"
	  "neither -T nor --exchange is given) SRC moves into it, as mv(1) does. -n passes\n"
	  "RENAME_NOREPLACE, so an existing DST is an error (EEXIST) instead of being\n"
	  "replaced; --exchange swaps SRC and DST atomically (RENAME_EXCHANGE).\n"
	  "Example: mv --exchange /a /b",
	  cmd_mv, 0 },
	{ "next", "next [N]", "carry out steps up to the next mount",
	  "Carries out steps up to and including the next one that mounts something (a mount,\n"
	  "mount-root, shared-mount, mount-tmp or pod master), so its mount point and overlay\n"
	  "layers come with it; N times with a count. Stops early at a breakpoint.\n"
	  "Example: next",
	  cmd_next, CMD_F_STEP },
	{ "op", "op [-U UMASK] [-u UID] [-g GID[,GID...]] SYSCALL ARGS [: SYSCALL ARGS]...",
	  "the conformance command (pjdfstest's helper syntax)",
	  "Runs system calls as pjdfstest's helper program does and prints one line per call:\n"
	  "0, the errno name, or the fields a stat call asked for. See DESIGN.md section 6.\n"
	  "Example: op -u 1000 -g 1000 open /f O_CREAT,O_WRONLY 0644 : write 0 hello",
	  cmd_op, 0 },
	{ "order", "order [gvisor|spec]", "show or change the mount ordering policy (restarts)",
	  "Without an argument prints the ordering policy. With one, rebuilds the plan under\n"
	  "that order and restarts the setup on a fresh kernel: gvisor sorts the spec's mounts\n"
	  "by destination length (runsc; stable here), spec keeps the listed order (runc, crun).\n"
	  "Example: order spec",
	  cmd_order, 0 },
	{ "plan", "plan [--json]", "list the setup's steps, marking where it stands",
	  "Prints every step of the plan, one per line (the format of 'vfslab replay --format\n"
	  "steps'), each prefixed with '+' when carried out, '!' when it failed, '=>' for the\n"
	  "next one; breakpoints are marked [break]. --json prints the steps with what each\n"
	  "changed, and the mount table, as 'vfslab replay --format json'.\n"
	  "Example: plan",
	  cmd_plan, 0 },
	{ "pwd", "pwd", "print the working directory",
	  "Prints the current task's working directory relative to its root (getcwd(2)).\n"
	  "Example: pwd",
	  cmd_pwd, 0 },
	{ "quit", "quit", "leave the REPL (exit does the same)",
	  "Ends the session; in a script, the run ends here with status 0.\n"
	  "Example: quit",
	  cmd_quit, 0 },
	{ "readlink", "readlink PATH", "print a symlink's target",
	  "Prints the contents of the symlink PATH (readlinkat(2)), then a newline; a path\n"
	  "that is not a symlink is an error (EINVAL).\n"
	  "Example: readlink /tmp/pw",
	  cmd_readlink, 0 },
	{ "removexattr", "removexattr [-h] PATH NAME", "remove an extended attribute",
	  "Removes the attribute NAME of PATH (removexattr(2)); -h acts on a symlink itself.\n"
	  "Example: removexattr /f user.comment",
	  cmd_removexattr, 0 },
	{ "reset", "reset", "start the setup again on a fresh kernel",
	  "Throws the kernel away and starts the setup again at step 0 on a fresh one; the\n"
	  "spec, the order and the breakpoints are kept.\n"
	  "Example: reset",
	  cmd_reset, 0 },
	{ "rm", "rm [-r] [-f] PATH...", "remove files (and trees with -r)",
	  "Unlinks each PATH (unlinkat(2)). With -r a directory is removed with its contents,\n"
	  "depth first (a mount point inside gives EBUSY and the rest goes on); without -r a\n"
	  "directory gives EISDIR, as unlink(2) does. -f ignores names that do not exist.\n"
	  "Example: rm -rf /tmp/work",
	  cmd_rm, 0 },
	{ "rmdir", "rmdir PATH...", "remove empty directories",
	  "Removes each empty directory (unlinkat(2) with AT_REMOVEDIR).\n"
	  "Example: rmdir /mnt",
	  cmd_rmdir, 0 },
	{ "setxattr", "setxattr [-h] PATH NAME VALUE", "set an extended attribute",
	  "Sets the attribute NAME of PATH to VALUE, with C escapes decoded (setxattr(2)\n"
	  "with no flags); -h sets a symlink's own attribute.\n"
	  "Example: setxattr /f user.comment 'hello\\0world'",
	  cmd_setxattr, 0 },
	{ "spec", "spec load [--rootfs M] PATH|default | spec set KEY=VALUE... | spec show",
	  "load a spec, set runsc options, or show them",
	  "spec load reads an OCI config.json (or a folder holding one; 'default' is the\n"
	  "embedded runc spec) with its rootfs manifest (--rootfs, rootfs.manifest beside it,\n"
	  "or the embedded one) and starts its setup at step 0 on a fresh kernel. spec set\n"
	  "changes runsc's options (overlay, file-access, file-access-mounts,\n"
	  "overlayfs-stale-read, network, fuse, cgroupfs, order) and restarts the setup. spec\n"
	  "show prints the spec, rootfs, configuration and progress.\n"
	  "Example: spec set overlay=true network=host",
	  cmd_spec, 0 },
	{ "stat", "stat [-L] PATH...", "show a file's status as stat(1) does",
	  "Prints the status of each PATH in the default layout of coreutils' stat, times in\n"
	  "UTC; a symlink is described itself unless -L follows it. Names: uid and gid 0\n"
	  "show as root, other ids as UNKNOWN (the simulated kernel has no user database).\n"
	  "Example: stat -L /proc/self",
	  cmd_stat, 0 },
	{ "step", "step [N]", "carry out one step of the setup (N steps with a count)",
	  "Carries out the next step of the mount setup and prints it with the change it made\n"
	  "to the mount table ('+' a mount added, '~' flags changed, created, skipped, or '!'\n"
	  "the error that stops the setup). 's' is short for it; an empty line repeats it.\n"
	  "Example: step 3",
	  cmd_step, CMD_F_STEP },
	{ "s", "s", "step",
	  "Same as step.\n"
	  "Example: s 2",
	  cmd_step, CMD_F_STEP | CMD_F_ALIAS },
	{ "su", "su [UID[:GID[,GID...]]]", "run the following commands as another user",
	  "Switches to a task with the given credentials, made from the current one (same\n"
	  "working directory, root, umask and mounts), as su(1) without '-' does. GID defaults\n"
	  "to UID; the GIDs after the comma are the supplementary groups (none by default).\n"
	  "su without arguments goes back to the init task (root, as it was left).\n"
	  "Example: su 1000:1000,10,20",
	  cmd_su, 0 },
	{ "tree", "tree [-a] [PATH]", "show a directory tree",
	  "Prints the tree below PATH (default .) with tree(1)'s drawing, names sorted, hidden\n"
	  "names only with -a, symlinks shown with '-> TARGET' and not followed, then a count\n"
	  "of directories and files.\n"
	  "Example: tree /etc",
	  cmd_tree, 0 },
	{ "truncate", "truncate [-c] -s SIZE PATH...", "set a file's size",
	  "Sets each file's size to SIZE bytes (K, M, G suffixes are powers of 1024),\n"
	  "creating a missing file unless -c, as truncate(1) does.\n"
	  "Example: truncate -s 1M /big",
	  cmd_truncate, 0 },
	{ "umask", "umask [MODE]", "print or set the file mode creation mask",
	  "Without MODE prints the task's umask as four octal digits; with MODE (octal, at\n"
	  "most 0777) sets it.\n"
	  "Example: umask 077",
	  cmd_umask, 0 },
	{ "umount", "umount [-l] [-f] PATH", "unmount a filesystem",
	  "Unmounts the mount at PATH (umount2(2)); -l detaches it lazily (MNT_DETACH),\n"
	  "-f passes MNT_FORCE.\n"
	  "Example: umount -l /mnt",
	  cmd_umount, 0 },
	{ "verity", "verity enable|measure PATH", "prepare or measure a verity tree",
	  "verity enable PATH enables verity on PATH and everything below it, children before\n"
	  "parents (FS_IOC_ENABLE_VERITY), on a verity mount without roothash. verity measure\n"
	  "PATH prints its digest in hex (on the mount's root: the root hash for -o roothash=).\n"
	  "Example: mount -t verity -o lowerdir=/lower none /v; verity enable /v; verity measure /v",
	  cmd_verity, 0 },
	{ "write", "write PATH TEXT...", "write TEXT to a file, replacing its contents",
	  "Opens PATH with O_WRONLY|O_CREAT|O_TRUNC (mode 0666 less the umask) and writes the\n"
	  "words of TEXT joined by single spaces, with C escapes (\\n, \\t, \\\\, \\ooo,\n"
	  "\\xHH) decoded. No newline is added: end TEXT with \\n for one.\n"
	  "Example: write /etc/hostname 'sandbox\\n'",
	  cmd_write, 0 },
};

const size_t cmd_table_len = ARRAY_SIZE(cmd_table);

int session_init(struct session *s)
{
	struct host *h;

	memset(s, 0, sizeof(*s));
	h = host_sim_new(1);
	if (IS_ERR_OR_NULL(h))
		return h ? (int)PTR_ERR(h) : -ENOMEM;
	s->k = kernel_new(h);
	if (IS_ERR_OR_NULL(s->k)) {
		int err = s->k ? (int)PTR_ERR(s->k) : -ENOMEM;

		s->k = NULL;
		return err;
	}
	s->init = kernel_init_task(s->k);
	s->task = s->init;
	s->out = stdout;
	s->err = stderr;
	s->src = "";
	return 0;
}

int session_init_spec(struct session *s, const char *cmd, const char *path, const char *rootfs,
		      bool host)
{
	struct boot_err e;
	int status;

	memset(s, 0, sizeof(*s));
	s->out = stdout;
	s->err = stderr;
	s->src = "";
	s->setup = calloc(1, sizeof(*s->setup));
	if (!s->setup) {
		fputs("vfslab: out of memory\n", stderr);
		return 1;
	}
	status = setup_load(s->setup, cmd, path, rootfs, host, stderr);
	if (status) {
		free(s->setup);
		s->setup = NULL;
		return status;
	}
	if (setup_start(s->setup, &e)) {
		fprintf(stderr, "vfslab: %s: %s\n", cmd, e.msg);
		setup_free(s->setup);
		free(s->setup);
		s->setup = NULL;
		return 2;
	}
	session_attach(s);
	return 0;
}

void session_attach(struct session *s)
{
	if (s->task && s->task != s->init)
		task_exit(s->task);
	s->k = s->setup->k;
	s->init = kernel_init_task(s->k);
	s->task = s->init;
}

void session_fini(struct session *s)
{
	if (s->task && s->task != s->init)
		task_exit(s->task);
	s->task = NULL;
	if (s->setup) {
		setup_free(s->setup);
		free(s->setup);
		s->setup = NULL;
	} else if (s->k) {
		kernel_destroy(s->k);
	}
	s->k = NULL;
}

/* Error reporting. */

void cmd_err_prefix(struct session *s)
{
	fflush(s->out);
	if (s->batch)
		fprintf(s->err, "%s:%u: ", s->src, s->line);
}

static const char *cur_name(const struct session *s)
{
	return s->cur ? s->cur->name : "vfslab";
}

int cmd_err(struct session *s, const char *path, int err)
{
	const char *msg;

	if (err < 0)
		err = -err;
	/* Read the task's message before anything else can make a VFS call. */
	msg = s->task ? task_errmsg(s->task) : "";
	cmd_err_prefix(s);
	fprintf(s->err, "vfslab: %s: ", cur_name(s));
	if (path)
		fprintf(s->err, "%s: ", path);
	fprintf(s->err, "%s (%s)", errno_name(err), strerror(err));
	if (msg && *msg)
		fprintf(s->err, ": %s", msg);
	fputc('\n', s->err);
	fflush(s->err);
	return CMD_FAIL;
}

static void vreport(struct session *s, const char *fmt, va_list ap)
{
	cmd_err_prefix(s);
	fprintf(s->err, "vfslab: %s: ", cur_name(s));
	vfprintf(s->err, fmt, ap);
	fputc('\n', s->err);
	fflush(s->err);
}

int cmd_errf(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(s, fmt, ap);
	va_end(ap);
	return CMD_FAIL;
}

int cmd_usage(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(s, fmt, ap);
	va_end(ap);
	if (s->cur)
		fprintf(s->err, "usage: %s\n", s->cur->synopsis);
	fflush(s->err);
	return CMD_USAGE;
}

/* Lookup. */

const struct cmd *cmd_lookup(struct session *s, const char *name, bool report)
{
	size_t len = strlen(name), i, n = 0;
	const struct cmd *found = NULL;

	for (i = 0; i < cmd_table_len; i++) {
		if (strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
		if (strncmp(cmd_table[i].name, name, len) == 0) {
			found = &cmd_table[i];
			n++;
		}
	}
	if (n == 1)
		return found;
	if (!report)
		return NULL;
	s->cur = NULL;
	cmd_err_prefix(s);
	if (n == 0) {
		fprintf(s->err, "vfslab: %s: unknown command (try 'help')\n", name);
	} else {
		fprintf(s->err, "vfslab: %s: ambiguous command:", name);
		for (i = 0; i < cmd_table_len; i++)
			if (strncmp(cmd_table[i].name, name, len) == 0)
				fprintf(s->err, " %s", cmd_table[i].name);
		fputc('\n', s->err);
	}
	fflush(s->err);
	return NULL;
}

/* Word splitting. */

struct words {
	char **v;
	int n, cap;
};

static int words_push(struct words *w, char *word)
{
	if (w->n + 1 >= w->cap) {
		int cap = w->cap ? w->cap * 2 : 8;
		char **v = realloc(w->v, (size_t)cap * sizeof(*v));

		if (!v)
			return -1;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n++] = word;
	w->v[w->n] = NULL;
	return 0;
}

void cmd_free_words(int argc, char **argv)
{
	int i;

	if (!argv)
		return;
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

static void die_oom(void)
{
	fputs("vfslab: out of memory\n", stderr);
	exit(1);
}

int cmd_split_words(const char *line, char ***argvp, const char **errmsg)
{
	char *copy = strdup(line), **words;
	char **argv;
	int argc, err, i;

	if (!copy)
		die_oom();
	/* One quoting language for every command: op's, so that an op line means the same
	 * in a script here and in the oracle's corpus. */
	err = op_split_line(copy, &words, &argc);
	if (err == -ENOMEM)
		die_oom();
	if (err) {
		free(copy);
		*errmsg = "unterminated quote";
		*argvp = NULL;
		return -1;
	}
	argv = calloc((size_t)argc + 1, sizeof(*argv));
	if (!argv)
		die_oom();
	for (i = 0; i < argc; i++) {
		argv[i] = strdup(words[i]);
		if (!argv[i])
			die_oom();
	}
	free(words);
	free(copy);
	*argvp = argv;
	return argc;
}

static char *trimmed(const char *start, const char *end)
{
	char *r;

	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	r = strndup(start, (size_t)(end - start));
	if (!r)
		die_oom();
	return r;
}

int cmd_split_commands(const char *line, char ***cmdsp)
{
	struct words w = { 0 };
	const char *p = line, *start = line;
	char quote = 0;

	for (; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			else if (quote == '"' && *p == '\\' && p[1])
				p++;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
			/* A comment runs to the end of the line, ';' included. */
			break;
		} else if (*p == ';') {
			if (words_push(&w, trimmed(start, p)))
				die_oom();
			start = p + 1;
		}
	}
	if (words_push(&w, trimmed(start, p)))
		die_oom();
	*cmdsp = w.v;
	return w.n;
}

int cmd_run_line(struct session *s, const char *line, bool *ignore)
{
	const struct cmd *c;
	const char *errmsg = NULL;
	char **argv;
	int argc, rc;

	*ignore = false;
	while (isspace((unsigned char)*line))
		line++;
	if (*line == '-') {
		*ignore = true;
		line++;
	}
	s->cur = NULL;
	argc = cmd_split_words(line, &argv, &errmsg);
	if (argc < 0) {
		cmd_err_prefix(s);
		fprintf(s->err, "vfslab: %s\n", errmsg);
		fflush(s->err);
		return CMD_USAGE;
	}
	if (argc == 0) {
		cmd_free_words(argc, argv);
		return CMD_OK;
	}
	c = cmd_lookup(s, argv[0], true);
	if (!c) {
		cmd_free_words(argc, argv);
		return CMD_USAGE;
	}
	/* Handlers see the full name, so messages name the command and not the prefix. */
	free(argv[0]);
	argv[0] = strdup(c->name);
	if (!argv[0])
		die_oom();
	s->cur = c;
	rc = c->fn(s, argc, argv);
	s->cur = NULL;
	fflush(s->out);
	cmd_free_words(argc, argv);
	return rc;
}

/* Options. */

void cmd_opts_init(struct cmd_opts *o, int argc, char **argv, const char *shorts,
		   const struct cmd_longopt *longs)
{
	memset(o, 0, sizeof(*o));
	o->argc = argc;
	o->argv = argv;
	o->ind = 1;
	o->shorts = shorts;
	o->longs = longs;
}

static int opt_long(struct session *s, struct cmd_opts *o, const char *word)
{
	const char *eq = strchr(word, '=');
	size_t len = eq ? (size_t)(eq - word) : strlen(word);
	const struct cmd_longopt *l;

	for (l = o->longs; l && l->name; l++) {
		if (strlen(l->name) != len || strncmp(l->name, word, len) != 0)
			continue;
		if (l->has_arg) {
			if (eq) {
				o->arg = (char *)eq + 1;
			} else if (o->ind < o->argc) {
				o->arg = o->argv[o->ind++];
			} else {
				cmd_usage(s, "option '--%s' requires an argument", l->name);
				return '?';
			}
		} else if (eq) {
			cmd_usage(s, "option '--%s' doesn't allow an argument", l->name);
			return '?';
		}
		return l->val;
	}
	cmd_usage(s, "unrecognized option '--%.*s'", (int)len, word);
	return '?';
}

int cmd_opts_next(struct session *s, struct cmd_opts *o)
{
	const char *p;
	char c;

	o->arg = NULL;
	if (!o->cluster || !*o->cluster) {
		const char *word;

		if (o->ind >= o->argc)
			return -1;
		word = o->argv[o->ind];
		if (word[0] != '-' || word[1] == '\0')
			return -1;
		o->ind++;
		if (strcmp(word, "--") == 0)
			return -1;
		if (word[1] == '-')
			return opt_long(s, o, word + 2);
		o->cluster = word + 1;
	}
	c = *o->cluster++;
	p = strchr(o->shorts, c);
	if (!p || c == ':') {
		cmd_usage(s, "invalid option -- '%c'", c);
		return '?';
	}
	if (p[1] == ':') {
		if (*o->cluster) {
			o->arg = (char *)o->cluster;
		} else if (o->ind < o->argc) {
			o->arg = o->argv[o->ind++];
		} else {
			cmd_usage(s, "option requires an argument -- '%c'", c);
			return '?';
		}
		o->cluster = NULL;
	}
	return c;
}

/* Parsing helpers. */

bool cmd_parse_mode(const char *str, mode_t max, mode_t *mode)
{
	unsigned long v = 0;
	const char *p;

	if (!*str || strlen(str) > 5)
		return false;
	for (p = str; *p; p++) {
		if (*p < '0' || *p > '7')
			return false;
		v = v * 8 + (unsigned long)(*p - '0');
	}
	if (v > max)
		return false;
	*mode = (mode_t)v;
	return true;
}

bool cmd_parse_uint(const char *str, unsigned *val)
{
	unsigned long long v = 0;
	const char *p;

	if (!*str)
		return false;
	for (p = str; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > UINT_MAX)
			return false;
	}
	*val = (unsigned)v;
	return true;
}

long cmd_unescape(const char *str, char **outp, const char **errmsg)
{
	static const char simple[] = "ntrabfve\\'\"";
	static const char decoded[] = "\n\t\r\a\b\f\v\033\\'\"";
	const char *esc;
	char *out = malloc(strlen(str) + 1);
	size_t n = 0;
	const char *p = str;

	if (!out)
		die_oom();
	while (*p) {
		int v, i;

		if (*p != '\\') {
			out[n++] = *p++;
			continue;
		}
		p++;
		esc = *p ? strchr(simple, *p) : NULL;
		if (esc) {
			out[n++] = decoded[esc - simple];
			p++;
			continue;
		}
		switch (*p) {
		case 'x':
			p++;
			if (hex_digit(*p) < 0) {
				*errmsg = "\\x needs a hexadecimal digit";
				goto fail;
			}
			v = hex_digit(*p++);
			if (hex_digit(*p) >= 0)
				v = v * 16 + hex_digit(*p++);
			out[n++] = (char)v;
			break;
		default:
			if (*p >= '0' && *p <= '7') {
				for (v = 0, i = 0; i < 3 && *p >= '0' && *p <= '7'; i++)
					v = v * 8 + (*p++ - '0');
				if (v > 0377) {
					*errmsg = "octal escape out of range";
					goto fail;
				}
				out[n++] = (char)v;
				break;
			}
			*errmsg = *p ? "unknown escape sequence" : "trailing backslash";
			goto fail;
		}
	}
	out[n] = '\0';
	*outp = out;
	return (long)n;
fail:
	free(out);
	*outp = NULL;
	return -1;
}

/* The commands that are about the REPL itself. */

int cmd_help(struct session *s, int argc, char **argv)
{
	const struct cmd *c;
	size_t i;

	if (argc > 2)
		return cmd_usage(s, "too many arguments");
	if (argc == 2) {
		c = cmd_lookup(s, argv[1], false);
		if (!c) {
			const struct cmd *self = s->cur;

			/* Report as "help: NAME: ..." would be odd; name the word as lookup does. */
			cmd_lookup(s, argv[1], true);
			s->cur = self;
			return CMD_USAGE;
		}
		fprintf(s->out, "usage: %s\n%s.\n\n%s\n", c->synopsis, c->brief, c->help);
		return CMD_OK;
	}
	fprintf(s->out, "Commands (a unique prefix of a name works; 'help CMD' for more):\n");
	for (i = 0; i < cmd_table_len; i++) {
		c = &cmd_table[i];
		if (c->flags & CMD_F_ALIAS)
			continue;
		fprintf(s->out, "  %-12s %s\n", c->name, c->brief);
	}
	fprintf(s->out, "A line starting with '-' may fail without ending a script; '#' starts a "
			"comment;\n';' separates commands.\n");
	return CMD_OK;
}

int cmd_quit(struct session *s, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cmd_usage(s, "too many arguments");
	s->quit = true;
	return CMD_OK;
}

int cmd_echo(struct session *s, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		fprintf(s->out, "%s%s", i > 1 ? " " : "", argv[i]);
	fputc('\n', s->out);
	return CMD_OK;
}
