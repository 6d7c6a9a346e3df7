/*
 * op.h - the `op` conformance command: one line of pjdfstest's helper-program language,
 * run against a backend.
 *
 *	op [-U UMASK] [-u UID] [-g GID[,GID...]] SYSCALL ARGS [: SYSCALL ARGS]...
 *
 * Each call prints one line to `out`: "0" on success, the errno name on failure (and the
 * line ends there), the requested stat fields, or the data of pread/readlink/getxattr/
 * readdir/listxattr. The language is DESIGN.md §6; pjdfstest's pjdfstest.c is the model
 * for argument kinds (a descriptor argument is an index into the descriptors this line
 * opened, or AT_FDCWD, or BADFD), flag lists ("O_CREAT,O_WRONLY", "none", "0") and output.
 *
 * The engine knows nothing of where the calls go: a backend is a table of Linux-semantics
 * calls returning the result or a negative errno. Two backends exist: our VFS
 * (op_vfs_backend, ctx a struct task *) and the real kernel (tests/oracle), and the same
 * line must print the same thing through both.
 */
#ifndef VFSLAB_TUI_OP_H
#define VFSLAB_TUI_OP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct strbuf;
struct vfs_stat;

struct op_backend {
	/* The calls; each returns >= 0 on success and -errno on failure. Paths are passed
	 * as given; dirfd is a backend descriptor, AT_FDCWD or -1 (BADFD). */
	int (*openat)(void *ctx, int dirfd, const char *path, int flags, mode_t mode);
	int (*close)(void *ctx, int fd);
	int (*unlinkat)(void *ctx, int dirfd, const char *path, int flags);
	int (*mkdirat)(void *ctx, int dirfd, const char *path, mode_t mode);
	/* dev is VFS_MKDEV(major, minor). */
	int (*mknodat)(void *ctx, int dirfd, const char *path, mode_t mode, uint32_t dev);
	int (*linkat)(void *ctx, int olddirfd, const char *oldpath, int newdirfd,
		      const char *newpath, int flags);
	int (*symlinkat)(void *ctx, const char *target, int dirfd, const char *path);
	int (*renameat2)(void *ctx, int olddirfd, const char *oldpath, int newdirfd,
			 const char *newpath, unsigned flags);
	int (*fchmodat)(void *ctx, int dirfd, const char *path, mode_t mode, int flags);
	int (*fchmod)(void *ctx, int fd, mode_t mode);
	int (*fchownat)(void *ctx, int dirfd, const char *path, uid_t uid, gid_t gid, int flags);
	int (*fchown)(void *ctx, int fd, uid_t uid, gid_t gid);
	int (*truncate)(void *ctx, const char *path, off_t len);
	int (*ftruncate)(void *ctx, int fd, off_t len);
	int (*fstatat)(void *ctx, int dirfd, const char *path, struct vfs_stat *st, int flags);
	int (*fstat)(void *ctx, int fd, struct vfs_stat *st);
	ssize_t (*write)(void *ctx, int fd, const void *buf, size_t len);
	ssize_t (*pread)(void *ctx, int fd, void *buf, size_t len, off_t off);
	int (*utimensat)(void *ctx, int dirfd, const char *path, const struct timespec times[2],
			 int flags);
	ssize_t (*readlinkat)(void *ctx, int dirfd, const char *path, char *buf, size_t len);
	/* Records packed as struct linux_dirent64, as getdents64(2). */
	ssize_t (*getdents)(void *ctx, int fd, void *buf, size_t len);
	ssize_t (*getxattr)(void *ctx, const char *path, const char *name, void *value,
			    size_t size);
	int (*setxattr)(void *ctx, const char *path, const char *name, const void *value,
			size_t size, int xflags);
	ssize_t (*listxattr)(void *ctx, const char *path, char *list, size_t size);
	int (*removexattr)(void *ctx, const char *path, const char *name);

	/* Credentials for the rest of the line: uid (uid_t)-1 keeps the uid; ngids 0 keeps
	 * the groups, otherwise the groups become gids[] and the gid gids[0]. Returns 0 or
	 * -errno. restore_creds puts back what the line started with. */
	int (*set_creds)(void *ctx, uid_t uid, const gid_t *gids, size_t ngids);
	void (*restore_creds)(void *ctx);
	/* Sets the umask and returns the previous one. */
	mode_t (*umask)(void *ctx, mode_t mask);
};

/* Return values of op_run. */
#define OP_OK 0	   /* the line ran; failed calls are output, not errors */
#define OP_ERROR 1 /* the environment failed (credentials could not be set) */
#define OP_USAGE 2 /* unknown call, wrong argument count, bad number or flag */

/*
 * Runs one op line: argv[0..argc) are the words after "op". Output lines are appended to
 * out; on OP_USAGE or OP_ERROR a one-line message (no newline) is appended to err, and
 * the output of the calls that ran before the bad one stays in out. Descriptors opened
 * by the line are closed, and credentials and umask restored, before returning.
 */
int op_run(const struct op_backend *be, void *ctx, int argc, char **argv, struct strbuf *out,
	   struct strbuf *err);

/*
 * Splits line in place into words: blanks separate words; '...' quotes literally;
 * "..." quotes with C escapes (\n \t \\ \" \ooo, \xHH); an unquoted '#' at the start of
 * a word starts a comment. *argv is malloc'ed (caller frees; the strings point into
 * line) and NULL-terminated. Returns 0, -EINVAL for an unterminated quote, or -ENOMEM.
 */
int op_split_line(char *line, char ***argv, int *argc);

/* The backend over our VFS; ctx is a struct task *. */
extern const struct op_backend op_vfs_backend;

#endif
