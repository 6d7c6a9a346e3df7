/*
 * gen_random.c - seeded random op lines for the differential test.
 *
 * The lines work on a small pool of names (a few directories two levels deep, files,
 * symlinks, hard links) so that calls keep meeting each other's results: renames over
 * existing entries, links to directories, unlinks of open files, permission checks as
 * non-root users, and so on. Only what both sides must agree on is printed: results and
 * errnos, and of stat the fields type,mode,nlink,uid,gid,size (inode numbers, times and
 * block counts are the filesystem's own business; see divergences.md).
 *
 * No line may climb above the test's root (the two sides' roots have different parents),
 * so no path or symlink target holds "..": a name before it could be a symlink to ".".
 *
 * The generator is a fixed xorshift64* so a seed gives the same lines on every machine.
 */
#include <stdint.h>
#include <stdio.h>

#include "oracle.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* A number in [0, n). */
static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() >> 33) % n;
}

#define PICK(arr) (arr[pick(sizeof(arr) / sizeof(arr[0]))])

static const char *const files[] = {
	"a", "b", "c", "d/a", "d/b", "e/a", "d/f/a", "d/f/b", "e/d/a",
};
static const char *const dirs[] = { "d", "e", "d/f", "e/d" };
static const char *const odd[] = { "a/x", "d/", "a/", "nx/a", "./c", "d/f/", "d/./a" };
static const char *const readdirs[] = { ".", "d", "e", "d/f", "e/d", "a" };
static const char *const targets[] = {
	"a", "b", "d", "nx", "d/a", "d/f/", "f/a", ".", "e/d/a", "l", "./d/f",
};
static const char *const fmodes[] = { "0644",  "0600",	"0755", "0666", "0700",
				      "04755", "02755", "0",	"0444", "06777" };
static const char *const dmodes[] = { "0755",  "0700", "0777", "01777",
				      "02775", "0555", "0711", "0300" };
static const char *const ids[] = { "0", "65534", "1000", "-1" };
static const char *const creds[] = {
	"-u 65534 -g 65534 ",	   "-u 1000 -g 1000 ", "-u 1000 -g 1000,65534 ",
	"-u 65534 -g 65534,1000 ", "-u 1000 ",	       "-g 1000 ",
};
static const char *const sizes[] = { "0", "1", "5", "100", "4096", "5000" };
static const char *const data[] = { "hello", "x", "0123456789abcdef", "a\\nb" };
static const char *const rflags[] = { "0", "RENAME_NOREPLACE", "RENAME_EXCHANGE" };
/* O_NONBLOCK everywhere: an open of a fifo must not wait for a peer that never comes. */
static const char *const oflags[] = {
	"O_RDONLY,O_NONBLOCK",
	"O_WRONLY,O_NONBLOCK",
	"O_RDWR,O_NONBLOCK",
	"O_WRONLY,O_APPEND,O_NONBLOCK",
	"O_RDWR,O_TRUNC,O_NONBLOCK",
	"O_RDONLY,O_NOFOLLOW,O_NONBLOCK",
	"O_RDONLY,O_DIRECTORY,O_NONBLOCK",
};
static const char *const cflags[] = {
	"O_CREAT,O_RDWR,O_NONBLOCK",
	"O_CREAT,O_EXCL,O_WRONLY,O_NONBLOCK",
	"O_CREAT,O_WRONLY,O_TRUNC,O_NONBLOCK",
	"O_CREAT,O_RDWR,O_APPEND,O_NONBLOCK",
	"O_CREAT,O_RDONLY,O_NOFOLLOW,O_NONBLOCK",
};
static const char *const xnames[] = { "user.a", "user.b", "trusted.t" };

/* Mostly names that can hold files, some directories, a few odd paths. */
static const char *any_path(void)
{
	unsigned r = pick(100);

	if (r < 60)
		return PICK(files);
	if (r < 85)
		return PICK(dirs);
	return PICK(odd);
}

#define FIELDS "type,mode,nlink,uid,gid,size"

static void gen_line(FILE *f)
{
	const char *p = any_path();

	/* Now and then the directories are put back, so that not every later line meets
	 * ENOTDIR or ENOENT once one has been renamed or replaced. */
	if (pick(100) < 8) {
		fprintf(f, "mkdir %s 0777\n", PICK(dirs));
		return;
	}
	if (pick(100) < 30)
		fputs(PICK(creds), f);
	if (pick(100) < 15)
		fputs(pick(2) ? "-U 022 " : "-U 077 ", f);

	switch (pick(26)) {
	case 0:
	case 1: fprintf(f, "create %s %s", p, PICK(fmodes)); break;
	case 2:
	case 3: fprintf(f, "mkdir %s %s", PICK(dirs), PICK(dmodes)); break;
	case 4: fprintf(f, "mkfifo %s %s", p, PICK(fmodes)); break;
	case 5: fprintf(f, "symlink %s %s", PICK(targets), p); break;
	case 6: fprintf(f, "link %s %s", p, any_path()); break;
	case 7: fprintf(f, "rename %s %s", p, any_path()); break;
	case 8:
		fprintf(f, "renameat2 AT_FDCWD %s AT_FDCWD %s %s", p, any_path(), PICK(rflags));
		break;
	case 9: fprintf(f, "unlink %s", p); break;
	case 10: fprintf(f, "rmdir %s", pick(2) ? p : PICK(dirs)); break;
	case 11: fprintf(f, "chmod %s %s", p, pick(2) ? PICK(fmodes) : PICK(dmodes)); break;
	case 12:
		fprintf(f, "%s %s %s %s", pick(3) ? "chown" : "lchown", p, PICK(ids), PICK(ids));
		break;
	case 13: fprintf(f, "truncate %s %s", p, PICK(sizes)); break;
	case 14: fprintf(f, "open %s %s : write 0 \"%s\"", p, PICK(oflags), PICK(data)); break;
	case 15:
		fprintf(f, "open %s %s : pread 0 64 %s", p, PICK(oflags), pick(2) ? "0" : "3");
		break;
	case 16:
		fprintf(f,
			"open %s %s %s : write 0 \"%s\" : pread 0 64 0 : ftruncate 0 %s : "
			"fstat 0 " FIELDS,
			p, PICK(cflags), PICK(fmodes), PICK(data), PICK(sizes));
		break;
	case 17:
	case 18: fprintf(f, "%s %s " FIELDS, pick(2) ? "stat" : "lstat", p); break;
	case 19: fprintf(f, "readdir %s", PICK(readdirs)); break;
	case 20: fprintf(f, "readlink %s", p); break;
	case 21: fprintf(f, "setxattr %s %s \"%s\"", p, PICK(xnames), PICK(data)); break;
	case 22:
		fprintf(f, "%s %s %s", pick(2) ? "getxattr" : "removexattr", p, PICK(xnames));
		break;
	case 23: fprintf(f, "listxattr %s", p); break;
	case 24:
		fprintf(f,
			"open %s O_RDONLY,O_DIRECTORY : openat 0 a %s 0640 : fstatat 0 a "
			"AT_SYMLINK_NOFOLLOW " FIELDS " : unlinkat 0 %s %s",
			PICK(dirs), PICK(cflags), pick(2) ? "a" : "f",
			pick(2) ? "none" : "AT_REMOVEDIR");
		break;
	case 25:
		fprintf(f, "utimensat AT_FDCWD %s 0 %s 0 %s %s", p,
			pick(2) ? "UTIME_NOW" : "UTIME_OMIT", pick(2) ? "UTIME_NOW" : "0",
			pick(3) ? "0" : "AT_SYMLINK_NOFOLLOW");
		break;
	}
	/* A look at the result now and then. */
	if (pick(100) < 25)
		fprintf(f, " : lstat %s " FIELDS, p);
	fputc('\n', f);
}

void oracle_gen_random(FILE *f, unsigned long seed, unsigned n)
{
	unsigned i;

	rng_state = seed * 0x9e3779b97f4a7c15ull + 0x1234567;
	if (!rng_state)
		rng_state = 1;
	fprintf(f, "# random: seed %lu, %u lines\n", seed, n);
	fputs("mkdir d 0777\nmkdir e 0777\nmkdir d/f 0777\nmkdir e/d 0777\ncreate a 0644\n"
	      "create d/a 0666\nsymlink a l\n",
	      f);
	for (i = 0; i < n; i++)
		gen_line(f);
}
