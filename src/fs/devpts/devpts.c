/*
 * devpts.c - devpts superblocks, ptmx and the pty pairs (see devpts.h).
 *
 * A pty lives while its master is open or a replica file is open: the master's release
 * removes the replica's name and frees the number; the last of the two frees the pty.
 * Every pty is on its superblock's list, so a replica open finds its pty by number.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/ida.h"
#include "fs/sys/kernfs.h"
#include "vfs/internal.h"
#include "devpts.h"

#define DEVPTS_BUF_SIZE 4096	/* Linux's N_TTY_BUF_SIZE */
#define DEVPTS_MAX_LINES 256	/* completed canonical lines waiting to be read */

/* termios flags (Linux's values) the line discipline acts on. */
#define T_ICRNL 0000400
#define T_INLCR 0000100
#define T_IGNCR 0000200
#define T_IXON 0002000
#define T_OPOST 0000001
#define T_ONLCR 0000004
#define T_ISIG 0000001
#define T_ICANON 0000002
#define T_ECHO 0000010
#define T_ECHOE 0000020
#define T_ECHOK 0000040
#define T_ECHONL 0000100
#define T_ECHOCTL 0001000
#define T_ECHOKE 0004000
#define T_IEXTEN 0100000
#define T_B38400 0000017
#define T_CS8 0000060
#define T_CREAD 0000200
enum { V_INTR, V_QUIT, V_ERASE, V_KILL, V_EOF, V_TIME, V_MIN, V_SWTC, V_START, V_STOP,
       V_SUSP, V_EOL, V_REPRINT, V_DISCARD, V_WERASE, V_LNEXT, V_EOL2 };

/* What a new pty's replica starts with: Linux's tty_std_termios with pty.c's
 * c_cflag for the Unix98 replica driver (no HUPCL). */
static const struct devpts_termios devpts_std_termios = {
	.c_iflag = T_ICRNL | T_IXON,
	.c_oflag = T_OPOST | T_ONLCR,
	.c_cflag = T_B38400 | T_CS8 | T_CREAD,
	.c_lflag = T_ISIG | T_ICANON | T_ECHO | T_ECHOE | T_ECHOK | T_ECHOCTL | T_ECHOKE |
		   T_IEXTEN,
	.c_cc = "\003\034\177\025\004\0\1\0\021\023\032\0\022\017\027\026\0",
};

/* Protected by: vfs->lock. */
struct devpts_sb_info {
	uint32_t mode;
	uint32_t ptmxmode;
	uint32_t uid, gid;
	bool setuid, setgid;
	int max;
	struct ida ids;
	struct list_head ptys;
};

struct pty_buf {
	size_t len;
	char data[DEVPTS_BUF_SIZE];
};

/* Protected by: vfs->lock. */
struct pty {
	struct list_head link;		/* in devpts_sb_info.ptys while the master is open */
	int index;
	bool locked;
	bool master_open;
	bool slave_seen;		/* a replica was opened once */
	int slave_opens;
	struct dentry *slave;		/* the replica's name, cached (no reference) */
	struct pty_buf to_slave;	/* input: completed lines first, then the line being
					 * edited (canonical mode) */
	struct pty_buf to_master;	/* output and echo */
	struct devpts_termios termios;	/* the replica's (the master's ioctls act on it too) */
	struct devpts_winsize winsize;
	size_t lines[DEVPTS_MAX_LINES];	/* canonical: lengths of the completed lines */
	int nlines;
	size_t canon_bytes;		/* sum of lines[] */
	pthread_cond_t wait;		/* readers of either side sleep here */
};

static struct devpts_sb_info *DEVPTS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* ---------------------------------------------------------------------------------- */
/* Options */

static bool devpts_parse_u32(const char *s, unsigned base, uint32_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (!s || !*s)
		return false;
	for (; *p; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (*p < '0' || *p > '9' || d >= base)
			return false;
		v = v * base + d;
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

static int devpts_parse_options(struct fs_context *fc, struct devpts_sb_info *si)
{
	char *cursor = fc->data, *key, *value;
	uint32_t v = 0;

	while (fs_opt_next(&cursor, &key, &value)) {
		bool ok = true;

		if (strcmp(key, "newinstance") == 0) {
			ok = !value; /* every mount is a new instance anyway */
		} else if (strcmp(key, "mode") == 0) {
			ok = devpts_parse_u32(value, 8, &v);
			si->mode = v & 07777;
		} else if (strcmp(key, "ptmxmode") == 0) {
			ok = devpts_parse_u32(value, 8, &v);
			si->ptmxmode = v & 07777;
		} else if (strcmp(key, "gid") == 0) {
			ok = devpts_parse_u32(value, 10, &si->gid) && si->gid != UINT32_MAX;
			si->setgid = true;
		} else if (strcmp(key, "uid") == 0) {
			ok = devpts_parse_u32(value, 10, &si->uid) && si->uid != UINT32_MAX;
			si->setuid = true;
		} else if (strcmp(key, "max") == 0) {
			ok = devpts_parse_u32(value, 10, &v) && v <= DEVPTS_PTY_MAX;
			si->max = (int)v;
		} else {
			return fc_error(fc, -EINVAL, "devpts: unknown option '%s'", key);
		}
		if (!ok)
			return fc_error(fc, -EINVAL, "devpts: bad value '%s' for option '%s'",
					value ? value : "", key);
	}
	return 0;
}

/* Linux's devpts_show_options. */
static void devpts_show_options(struct super_block *sb, struct strbuf *out)
{
	struct devpts_sb_info *si = DEVPTS_SB(sb);

	if (si->setuid)
		sb_printf(out, ",uid=%u", si->uid);
	if (si->setgid)
		sb_printf(out, ",gid=%u", si->gid);
	sb_printf(out, ",mode=%03o,ptmxmode=%03o", si->mode, si->ptmxmode);
	if (si->max < DEVPTS_PTY_MAX)
		sb_printf(out, ",max=%d", si->max);
}

/* ---------------------------------------------------------------------------------- */
/* Superblock */

static void devpts_put_super(struct super_block *sb)
{
	struct devpts_sb_info *si = DEVPTS_SB(sb);

	if (!si)
		return;
	ida_destroy(&si->ids);
	vl_free(si);
	sb->s_fs_info = NULL;
}

static int devpts_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	(void)sb;
	st->type = DEVPTS_SUPER_MAGIC;
	st->bsize = 4096;
	st->frsize = 4096;
	st->namelen = VFS_NAME_MAX;
	return 0;
}

static const struct super_operations devpts_sops = {
	.destroy_inode = kernfs_destroy_inode,
	.statfs = devpts_statfs,
	.put_super = devpts_put_super,
	.show_options = devpts_show_options,
};

static int devpts_get_tree(struct fs_context *fc, struct super_block **out)
{
	struct devpts_sb_info *si;
	struct super_block *sb;
	struct inode *root, *ptmx;
	struct dentry *d;
	int err = -ENOMEM;

	si = vl_zalloc(sizeof(*si));
	if (!si)
		return -ENOMEM;
	si->mode = 0600;
	si->ptmxmode = 0666;
	si->max = DEVPTS_PTY_MAX;
	list_init(&si->ptys);
	err = devpts_parse_options(fc, si);
	if (err) {
		vl_free(si);
		return err;
	}
	sb = sb_alloc(fc, &devpts_sops, DEVPTS_SUPER_MAGIC);
	if (IS_ERR(sb)) {
		vl_free(si);
		return (int)PTR_ERR(sb);
	}
	sb->s_fs_info = si;
	err = -ENOMEM;
	root = kernfs_root_inode(sb, 0755, NULL);
	if (!root)
		goto out_sb;
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		goto out_sb;
	ptmx = kernfs_new_inode(sb, S_IFCHR | si->ptmxmode,
				VFS_MKDEV(DEVPTS_PTMX_MAJOR, DEVPTS_PTMX_MINOR));
	if (!ptmx)
		goto out_sb;
	d = kernfs_add(sb->s_root, "ptmx", ptmx);
	if (IS_ERR(d)) {
		err = (int)PTR_ERR(d);
		goto out_sb;
	}
	*out = sb;
	return 0;
out_sb:
	sb_free_unmounted(sb);
	return err;
}

const struct fs_type devpts_fs_type = {
	.name = "devpts",
	.get_tree = devpts_get_tree,
};

/* ---------------------------------------------------------------------------------- */
/* The pty pair */

static void pty_free_if_unused(struct pty *pty)
{
	if (!pty->master_open && !pty->slave_opens) {
		pthread_cond_destroy(&pty->wait);
		vl_free(pty);
	}
}

/* Sleep until the other side writes or closes (the VFS lock is released meanwhile). */
static void pty_wait(struct file *f, struct pty *pty)
{
	vfs_cond_wait(f->f_inode->i_sb->s_vfs, &pty->wait);
}

static ssize_t pty_buf_read(struct pty_buf *b, void *buf, size_t len)
{
	if (len > b->len)
		len = b->len;
	memcpy(buf, b->data, len);
	memmove(b->data, b->data + len, b->len - len);
	b->len -= len;
	return (ssize_t)len;
}

static void ptm_release(struct inode *inode, struct file *f)
{
	struct pty *pty = f->private_data;
	struct devpts_sb_info *si = DEVPTS_SB(inode->i_sb);

	/* Linux's devpts_pty_kill: the replica's name goes with the master. */
	list_del(&pty->link);
	kernfs_remove(pty->slave);
	ida_free(&si->ids, pty->index);
	pty->master_open = false;
	pthread_cond_broadcast(&pty->wait);
	pty_free_if_unused(pty);
}

static bool pty_canonical(const struct pty *pty)
{
	return (pty->termios.c_lflag & T_ICANON) != 0;
}

/* Output processing (OPOST): ONLCR turns \n into \r\n. Returns the bytes of buf
 * consumed (a \n is consumed only with room for both bytes), or -EAGAIN when full. */
static ssize_t pty_output(struct pty *pty, const char *buf, size_t len)
{
	struct pty_buf *b = &pty->to_master;
	bool onlcr = (pty->termios.c_oflag & (T_OPOST | T_ONLCR)) == (T_OPOST | T_ONLCR);
	size_t i;

	for (i = 0; i < len; i++) {
		size_t need = onlcr && buf[i] == '\n' ? 2 : 1;

		if (sizeof(b->data) - b->len < need)
			break;
		if (need == 2)
			b->data[b->len++] = '\r';
		b->data[b->len++] = buf[i];
	}
	return i || !len ? (ssize_t)i : -EAGAIN;
}

/* Echo c as n_tty's echo_char: control characters as ^X under ECHOCTL (not \t, \n). */
static void pty_echo(struct pty *pty, char c)
{
	unsigned char u = (unsigned char)c;

	if ((pty->termios.c_lflag & T_ECHOCTL) && (u < 32 || u == 0177) && c != '\t' &&
	    c != '\n') {
		char ctl[2] = { '^', (char)(u ^ 0100) };

		pty_output(pty, ctl, 2);
		return;
	}
	pty_output(pty, &c, 1);
}

/* The line being edited: the bytes of to_slave after the completed lines. */
static size_t pty_edit_len(const struct pty *pty)
{
	return pty->to_slave.len - pty->canon_bytes;
}

static void pty_end_line(struct pty *pty)
{
	pty->lines[pty->nlines++] = pty_edit_len(pty);
	pty->canon_bytes = pty->to_slave.len;
}

/* One input byte from the master through n_tty's receive path (minimal: no signals,
 * no flow control, no WERASE/LNEXT/REPRINT). Returns false when there is no room. */
static bool pty_input(struct pty *pty, char c)
{
	const struct devpts_termios *t = &pty->termios;
	struct pty_buf *b = &pty->to_slave;
	bool echo = (t->c_lflag & T_ECHO) != 0;

	if (c == '\r') {
		if (t->c_iflag & T_IGNCR)
			return true;
		if (t->c_iflag & T_ICRNL)
			c = '\n';
	} else if (c == '\n' && (t->c_iflag & T_INLCR)) {
		c = '\r';
	}
	if (!pty_canonical(pty)) {
		if (b->len == sizeof(b->data))
			return false;
		b->data[b->len++] = c;
		if (echo)
			pty_echo(pty, c);
		return true;
	}
	if (c == (char)t->c_cc[V_ERASE] || c == (char)t->c_cc[V_KILL]) {
		bool kill = c == (char)t->c_cc[V_KILL];

		while (pty_edit_len(pty)) {
			b->len--;
			if (echo && (t->c_lflag & T_ECHOE))
				pty_output(pty, "\b \b", 3);
			if (!kill)
				break;
		}
		return true;
	}
	if (c == (char)t->c_cc[V_EOF]) {
		/* The line so far is readable, without the EOF character: read() returns
		 * what was typed, or 0 on an empty line. */
		if (pty->nlines == DEVPTS_MAX_LINES)
			return false;
		pty_end_line(pty);
		return true;
	}
	/* Linux keeps room for the newline when the line is full. */
	if (b->len + (c == '\n' ? 1 : 2) > sizeof(b->data) || pty->nlines == DEVPTS_MAX_LINES)
		return c != '\n';
	b->data[b->len++] = c;
	if (echo || (c == '\n' && (t->c_lflag & T_ECHONL)))
		pty_echo(pty, c);
	if (c == '\n' || (t->c_cc[V_EOL] && c == (char)t->c_cc[V_EOL]) ||
	    (t->c_cc[V_EOL2] && c == (char)t->c_cc[V_EOL2]))
		pty_end_line(pty);
	return true;
}

/* Discard the input (TCSETSF, TCFLSH). */
static void pty_flush_input(struct pty *pty)
{
	pty->to_slave.len = 0;
	pty->nlines = 0;
	pty->canon_bytes = 0;
}

/* New termios: leaving canonical mode makes the pending line readable; entering it
 * takes what is pending as one completed line. */
static void pty_set_termios(struct pty *pty, const struct devpts_termios *t)
{
	bool was = pty_canonical(pty);

	pty->termios = *t;
	if (was && !pty_canonical(pty)) {
		pty->nlines = 0;
		pty->canon_bytes = 0;
	} else if (!was && pty_canonical(pty)) {
		pty->nlines = 0;
		pty->canon_bytes = 0;
		if (pty->to_slave.len)
			pty_end_line(pty);
	}
}

/* Input readable by the replica now: non-canonical, everything; canonical, the first
 * completed line (len 0 with nlines > 0 is an EOF). */
static bool pty_input_ready(const struct pty *pty)
{
	return pty_canonical(pty) ? pty->nlines > 0 : pty->to_slave.len > 0;
}

static ssize_t pty_read_input(struct pty *pty, void *buf, size_t len)
{
	ssize_t n;
	int i;

	if (!pty_canonical(pty))
		return pty_buf_read(&pty->to_slave, buf, len);
	/* One line per read, as n_tty's canon_copy_from_read_buf. */
	if (len > pty->lines[0])
		len = pty->lines[0];
	n = pty_buf_read(&pty->to_slave, buf, len);
	pty->lines[0] -= (size_t)n;
	pty->canon_bytes -= (size_t)n;
	if (!pty->lines[0]) {
		for (i = 1; i < pty->nlines; i++)
			pty->lines[i - 1] = pty->lines[i];
		pty->nlines--;
	}
	return n;
}

static ssize_t ptm_read(struct file *f, void *buf, size_t len, int64_t off)
{
	struct pty *pty = f->private_data;

	(void)off;
	for (;;) {
		if (pty->to_master.len)
			return pty_buf_read(&pty->to_master, buf, len);
		if (pty->slave_seen && !pty->slave_opens)
			return -EIO;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		pty_wait(f, pty);
	}
}

/* Master writes are the replica's input. */
static ssize_t ptm_write(struct file *f, const void *buf, size_t len, int64_t off)
{
	struct pty *pty = f->private_data;
	const char *p = buf;
	size_t i;

	(void)off;
	for (i = 0; i < len; i++)
		if (!pty_input(pty, p[i]))
			break;
	pthread_cond_broadcast(&pty->wait);
	return i || !len ? (ssize_t)i : -EAGAIN;
}

/* The termios and window size ioctls, on either side (Linux's tty_mode_ioctl acts on
 * the replica for a master too). */
static int pty_mode_ioctl(struct pty *pty, unsigned long req, void *arg)
{
	switch (req) {
	case DEVPTS_TCGETS:
		*(struct devpts_termios *)arg = pty->termios;
		return 0;
	case DEVPTS_TCSETSF:
		pty_flush_input(pty);
		/* fallthrough */
	case DEVPTS_TCSETS:
	case DEVPTS_TCSETSW: /* output is never pending: nothing to drain */
		pty_set_termios(pty, arg);
		pthread_cond_broadcast(&pty->wait);
		return 0;
	case DEVPTS_TIOCGWINSZ:
		*(struct devpts_winsize *)arg = pty->winsize;
		return 0;
	case DEVPTS_TIOCSWINSZ:
		pty->winsize = *(const struct devpts_winsize *)arg;
		return 0;
	default:
		return -ENOTTY;
	}
}

static int ptm_ioctl(struct file *f, unsigned long req, void *arg)
{
	struct pty *pty = f->private_data;

	switch (req) {
	case DEVPTS_TIOCGPTN:
		*(unsigned *)arg = (unsigned)pty->index;
		return 0;
	case DEVPTS_TIOCSPTLCK:
		pty->locked = *(int *)arg != 0;
		return 0;
	case DEVPTS_TIOCGPTLCK:
		*(int *)arg = pty->locked;
		return 0;
	default:
		return pty_mode_ioctl(pty, req, arg);
	}
}

static const struct file_operations ptm_fops = {
	.release = ptm_release,
	.read = ptm_read,
	.write = ptm_write,
	.ioctl = ptm_ioctl,
};

/* Open ptmx: a new pty whose replica appears in this instance's root. */
static int ptmx_open(struct inode *inode, struct file *f)
{
	struct super_block *sb = inode->i_sb;
	struct devpts_sb_info *si;
	struct inode *slave;
	struct dentry *d;
	struct pty *pty;
	char name[16];
	int index, err;

	/* A ptmx node elsewhere would need Linux's lookup of a sibling pts: unsupported. */
	if (sb->s_type != &devpts_fs_type)
		return -ENXIO;
	si = DEVPTS_SB(sb);
	index = ida_alloc_min(&si->ids, 0);
	if (index < 0)
		return index;
	err = -ENOSPC;
	if (index >= si->max)
		goto out_ida;
	err = -ENOMEM;
	pty = vl_zalloc(sizeof(*pty));
	if (!pty)
		goto out_ida;
	pty->index = index;
	pty->locked = true;
	pty->termios = devpts_std_termios;
	pthread_cond_init(&pty->wait, NULL);
	slave = kernfs_new_inode(sb, S_IFCHR | si->mode,
				 VFS_MKDEV(UNIX98_PTY_SLAVE_MAJOR + (uint32_t)index / 256,
					   (uint32_t)index % 256));
	if (!slave)
		goto out_pty;
	slave->i_ino = (uint64_t)index + 3; /* Linux: root 1, ptmx 2, replica N is N+3 */
	slave->i_uid = si->setuid ? si->uid : f->f_cred->fsuid;
	slave->i_gid = si->setgid ? si->gid : f->f_cred->fsgid;
	snprintf(name, sizeof(name), "%d", index);
	d = kernfs_add(sb->s_root, name, slave);
	if (IS_ERR(d)) {
		err = (int)PTR_ERR(d);
		goto out_pty;
	}
	pty->slave = d;
	pty->master_open = true;
	list_add_tail(&pty->link, &si->ptys);
	f->private_data = pty;
	f->f_op = &ptm_fops;
	return 0;
out_pty:
	pthread_cond_destroy(&pty->wait);
	vl_free(pty);
out_ida:
	ida_free(&si->ids, index);
	return err;
}

static const struct file_operations ptmx_fops = {
	.open = ptmx_open,
};

static void pts_release(struct inode *inode, struct file *f)
{
	struct pty *pty = f->private_data;

	(void)inode;
	pty->slave_opens--;
	pthread_cond_broadcast(&pty->wait);
	pty_free_if_unused(pty);
}

static ssize_t pts_read(struct file *f, void *buf, size_t len, int64_t off)
{
	struct pty *pty = f->private_data;

	(void)off;
	for (;;) {
		if (pty_input_ready(pty))
			return pty_read_input(pty, buf, len);
		if (!pty->master_open)
			return 0;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		pty_wait(f, pty);
	}
}

/* Replica writes are output: OPOST processing, then the master reads them. */
static ssize_t pts_write(struct file *f, const void *buf, size_t len, int64_t off)
{
	struct pty *pty = f->private_data;
	ssize_t n;

	(void)off;
	if (!pty->master_open)
		return -EIO;
	n = pty_output(pty, buf, len);
	pthread_cond_broadcast(&pty->wait);
	return n;
}

static int pts_ioctl(struct file *f, unsigned long req, void *arg)
{
	return pty_mode_ioctl(f->private_data, req, arg);
}

static const struct file_operations pts_fops = {
	.release = pts_release,
	.read = pts_read,
	.write = pts_write,
	.ioctl = pts_ioctl,
};

/* Open a replica: the pty with its number in this instance, unlocked. */
static int pts_open(struct inode *inode, struct file *f)
{
	uint32_t major = VFS_MAJOR(inode->i_rdev), minor = VFS_MINOR(inode->i_rdev);
	int index = (int)((major - UNIX98_PTY_SLAVE_MAJOR) * 256 + minor);
	struct list_head *p;

	if (inode->i_sb->s_type != &devpts_fs_type)
		return -ENXIO;
	list_for_each(p, &DEVPTS_SB(inode->i_sb)->ptys) {
		struct pty *pty = list_entry(p, struct pty, link);

		if (pty->index != index)
			continue;
		if (pty->locked)
			return -EIO;
		pty->slave_opens++;
		pty->slave_seen = true;
		f->private_data = pty;
		f->f_op = &pts_fops;
		return 0;
	}
	return -EIO;
}

static const struct file_operations pts_open_fops = {
	.open = pts_open,
};

int devpts_register(struct vfs *vfs)
{
	uint32_t m;
	int err = vfs_register_chrdev(vfs, DEVPTS_PTMX_MAJOR, DEVPTS_PTMX_MINOR, 1, "ptmx",
				      &ptmx_fops);

	for (m = 0; !err && m < DEVPTS_PTY_MAJORS; m++)
		err = vfs_register_chrdev(vfs, UNIX98_PTY_SLAVE_MAJOR + m, 0, 256, "pts",
					  &pts_open_fops);
	return err;
}
