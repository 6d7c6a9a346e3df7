/*
 * check_rootfs.c - rootfs manifests (sim/rootfs.c): parsing and its errors by line, and
 * populating the fixture kernel's tree through the public VFS API (modes exact whatever
 * the umask, owners, file contents with escapes, links, devices).
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "../sim/rootfs.h"
#include "helpers.h"

static struct rootfs_manifest *parse_ok(const char *text)
{
	struct rootfs_manifest *m = NULL;
	char err[512] = "";

	ck_assert_msg(rootfs_parse(text, strlen(text), "m", &m, err, sizeof(err)) == 0, "%s", err);
	return m;
}

static void parse_err(const char *text, const char *want)
{
	struct rootfs_manifest *m = NULL;
	char err[512] = "";

	ck_assert_int_eq(rootfs_parse(text, strlen(text), "rootfs.manifest", &m, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_null(m);
	ck_assert_str_eq(err, want);
}

START_TEST(rootfs_parse_entries)
{
	struct rootfs_manifest *m = parse_ok(
		"# comment\n\nd / 0755 0 0\nd /a\\040b 01777 1 2\nf /f 04755 3 4 "
		"x\\n\\ty\\\\\\101\\0z\n"
		"l /l 0777 0 0 ../a b\nh /h 0 0 0 /f\nc /c 0620 0 5 5:1\nb /b 0600 0 0 8:0\n"
		"p /p 0644 0 0\ns /s 0755 0 0\nf /empty 0600 0 0");
	const struct rootfs_entry *e;

	ck_assert_uint_eq(m->n, 10);
	e = rootfs_find(m, "/a b");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->mode, 01777);
	ck_assert_uint_eq(e->uid, 1);
	e = rootfs_find(m, "/f");
	ck_assert_uint_eq(e->arglen, 8);
	ck_assert(!memcmp(e->arg, "x\n\ty\\A\0z", 8));
	ck_assert_str_eq(rootfs_find(m, "/l")->arg, "../a b");
	ck_assert_uint_eq(rootfs_find(m, "/c")->major, 5);
	ck_assert_uint_eq(rootfs_find(m, "/b")->minor, 0);
	ck_assert_ptr_null(rootfs_find(m, "/empty")->arg);
	ck_assert(rootfs_has_children(m, "/"));
	ck_assert(!rootfs_has_children(m, "/a b"));
	rootfs_free(m);
}
END_TEST

START_TEST(rootfs_parse_errors)
{
	parse_err("d /a 0755 0 0\nx /b 0 0 0\n", "rootfs.manifest:2: unknown type 'x'");
	parse_err("d /a 0755 0\n", "rootfs.manifest:1: want TYPE PATH MODE UID GID [ARG]");
	parse_err("d /a  0755 0 0\n",
		  "rootfs.manifest:1: empty field (fields are separated by one space)");
	parse_err("d a 0755 0 0\n", "rootfs.manifest:1: path 'a' is not a clean absolute path");
	parse_err("d /a/../b 0755 0 0\n",
		  "rootfs.manifest:1: path '/a/../b' is not a clean absolute path");
	parse_err("d /a 0789 0 0\n", "rootfs.manifest:1: bad mode '0789' (octal permission bits)");
	parse_err("d /a 0755 -1 0\n", "rootfs.manifest:1: bad uid '-1'");
	parse_err("d /a 0755 0 x\n", "rootfs.manifest:1: bad gid 'x'");
	parse_err("f /a/b 0644 0 0\n",
		  "rootfs.manifest:1: parent '/a' of '/a/b' is not listed before it");
	parse_err("f /a 0644 0 0\nf /a/b 0644 0 0\n",
		  "rootfs.manifest:2: parent '/a' of '/a/b' is not a directory");
	parse_err("d /a 0755 0 0\nd /a 0755 0 0\n", "rootfs.manifest:2: '/a' is listed twice");
	parse_err("l /l 0777 0 0\n", "rootfs.manifest:1: symlink '/l' needs a target");
	parse_err("d /d 0755 0 0\nh /h 0 0 0 /d\n",
		  "rootfs.manifest:2: hard link target '/d' is a directory");
	parse_err("h /h 0 0 0 /nope\n",
		  "rootfs.manifest:1: hard link target '/nope' is not listed before it");
	parse_err("c /c 0600 0 0 5\n", "rootfs.manifest:1: bad device number '5' (want MAJ:MIN)");
	parse_err("c /c 0600 0 0\n", "rootfs.manifest:1: device '/c' needs MAJ:MIN");
	parse_err("d /d 0755 0 0 x\n", "rootfs.manifest:1: type 'd' takes no argument");
	parse_err("f /f 0644 0 0 bad\\q\n", "rootfs.manifest:1: bad escape in argument");
	parse_err("f / 0644 0 0\n", "rootfs.manifest:1: '/' must be a directory");
}
END_TEST

START_TEST(rootfs_populate_tree)
{
	struct rootfs_manifest *m =
		parse_ok("d / 0711 0 0\nd /d 01777 5 6\nf /d/f 06755 7 8 hi\\n\nl /d/l 0777 9 9 f\n"
			 "h /d/h 0 0 0 /d/f\nc /null 0666 0 0 1:3\np /fifo 0640 0 0\n");
	struct vfs_stat st;
	char buf[64], err[256] = "";

	vfs_umask(tt, 077);
	ck_assert_msg(rootfs_populate(tt, "/", m, "m", err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/", &st, 0), 0);
	ck_assert_uint_eq(st.mode & 07777, 0711);
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/d", &st, 0), 0);
	ck_assert_uint_eq(st.mode, S_IFDIR | 01777);
	ck_assert_uint_eq(st.uid, 5);
	ck_assert_uint_eq(st.gid, 6);
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/d/f", &st, 0), 0);
	ck_assert_uint_eq(st.mode, S_IFREG | 06755);
	ck_assert_uint_eq(st.uid, 7);
	ck_assert_uint_eq(st.nlink, 2);
	ck_assert_int_eq(t_read_file(tt, "/d/h", buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "hi\n");
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/d/l", &st, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISLNK(st.mode));
	ck_assert_uint_eq(st.uid, 9);
	ck_assert_int_eq(vfs_readlinkat(tt, AT_FDCWD, "/d/l", buf, sizeof(buf)), 1);
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/null", &st, 0), 0);
	ck_assert_uint_eq(st.mode, S_IFCHR | 0666);
	ck_assert_uint_eq(st.rdev, VFS_MKDEV(1, 3));
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/fifo", &st, 0), 0);
	ck_assert(S_ISFIFO(st.mode));
	/* A second time, the first entry that exists fails, naming its line. */
	ck_assert_int_eq(rootfs_populate(tt, "/", m, "m", err, sizeof(err)), -EEXIST);
	ck_assert_str_eq(err, "m:2: /d: mkdir: EEXIST");
	rootfs_free(m);
}
END_TEST

START_TEST(rootfs_embedded_below_a_directory)
{
	struct rootfs_manifest *m = parse_ok(rootfs_embedded_manifest);
	struct vfs_stat st;
	char buf[256], err[256] = "";

	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/rootfs", 0755), 0);
	ck_assert_msg(rootfs_populate(tt, "/rootfs", m, "embedded", err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/rootfs/tmp", &st, 0), 0);
	ck_assert_uint_eq(st.mode, S_IFDIR | 01777);
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/rootfs/bin/sh", &st, 0), 0);
	ck_assert_uint_eq(st.mode & 0777, 0755);
	ck_assert_int_gt(t_read_file(tt, "/rootfs/etc/passwd", buf, sizeof(buf)), 0);
	ck_assert(!strncmp(buf, "root:x:0:0:", 11));
	ck_assert(rootfs_has_children(m, "/usr/bin"));
	rootfs_free(m);
}
END_TEST

Suite *rootfs_suite(void)
{
	Suite *s = suite_create("rootfs");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, rootfs_parse_entries);
	tcase_add_test(tc, rootfs_parse_errors);
	suite_add_tcase(s, tc);
	tc = t_case(s, "populate");
	tcase_add_test(tc, rootfs_populate_tree);
	tcase_add_test(tc, rootfs_embedded_below_a_directory);
	return s;
}
