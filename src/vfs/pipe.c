/*
 * pipe.c - named pipes (FIFOs), as Linux's fs/pipe.c has them: whatever filesystem
 * holds a fifo inode, opening it gives these file operations.
 *
 * A pipe exists while the fifo has readers or writers; its data goes with it. Opens for
 * reading wait for a writer and opens for writing wait for a reader unless O_NONBLOCK
 * (then a writer with no reader gets ENXIO); O_RDWR never waits. Reads take what is
 * there, return 0 with no writers, and wait (or EAGAIN) when empty; writes of up to
 * PIPE_BUF bytes are all or nothing, and EPIPE with no readers. Waiting releases the VFS
 * lock (a condition variable on it), so another thread can open the other end.
 *
 * Invariants (under vfs->lock): a pipe is in vfs->pipes while readers + writers > 0.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

#define PIPE_SIZE 65536
#define PIPE_ATOMIC 4096 /* PIPE_BUF */

struct pipe {
	struct list_head link;		/* in vfs->pipes */
	struct inode *inode;
	char *buf;
	size_t head;			/* read position */
	size_t len;			/* bytes held */
	int readers, writers;
	unsigned r_counter, w_counter;	/* opens so far, to wake waiting openers */
	pthread_cond_t wait;
};

static struct pipe *pipe_find(struct vfs *vfs, struct inode *inode)
{
	struct list_head *p;

	list_for_each(p, &vfs->pipes) {
		struct pipe *pp = list_entry(p, struct pipe, link);

		if (pp->inode == inode)
			return pp;
	}
	return NULL;
}

static struct pipe *pipe_get(struct vfs *vfs, struct inode *inode)
{
	struct pipe *pp = pipe_find(vfs, inode);

	if (pp)
		return pp;
	pp = vl_zalloc(sizeof(*pp));
	if (!pp)
		return NULL;
	pp->buf = vl_malloc(PIPE_SIZE);
	if (!pp->buf) {
		vl_free(pp);
		return NULL;
	}
	pp->inode = inode;
	pthread_cond_init(&pp->wait, NULL);
	list_add(&pp->link, &vfs->pipes);
	return pp;
}

static void pipe_maybe_free(struct pipe *pp)
{
	if (pp->readers || pp->writers)
		return;
	list_del(&pp->link);
	pthread_cond_destroy(&pp->wait);
	vl_free(pp->buf);
	vl_free(pp);
}

static void pipe_wait(struct pipe *pp, struct vfs *vfs)
{
	vfs_cond_wait(vfs, &pp->wait);
}

static int fifo_open(struct inode *inode, struct file *f)
{
	struct vfs *vfs = inode->i_sb->s_vfs;
	bool nonblock = (f->f_flags & O_NONBLOCK) != 0;
	struct pipe *pp;
	unsigned seen;

	if (!(f->f_mode & (FMODE_READ | FMODE_WRITE)))
		return -EINVAL;
	pp = pipe_get(vfs, inode);
	if (!pp)
		return -ENOMEM;
	f->private_data = pp;
	switch (f->f_mode & (FMODE_READ | FMODE_WRITE)) {
	case FMODE_READ:
		pp->r_counter++;
		pp->readers++;
		pthread_cond_broadcast(&pp->wait);
		if (!pp->writers && !nonblock) {
			seen = pp->w_counter;
			while (seen == pp->w_counter)
				pipe_wait(pp, vfs);
		}
		break;
	case FMODE_WRITE:
		if (!pp->readers && nonblock) {
			pipe_maybe_free(pp);
			return -ENXIO;
		}
		pp->w_counter++;
		pp->writers++;
		pthread_cond_broadcast(&pp->wait);
		if (!pp->readers) {
			seen = pp->r_counter;
			while (seen == pp->r_counter)
				pipe_wait(pp, vfs);
		}
		break;
	default:
		pp->r_counter++;
		pp->w_counter++;
		pp->readers++;
		pp->writers++;
		pthread_cond_broadcast(&pp->wait);
		break;
	}
	return 0;
}

static void fifo_release(struct inode *inode, struct file *f)
{
	struct pipe *pp = f->private_data;

	(void)inode;
	if (!pp)
		return;
	if (f->f_mode & FMODE_READ)
		pp->readers--;
	if (f->f_mode & FMODE_WRITE)
		pp->writers--;
	pthread_cond_broadcast(&pp->wait);
	pipe_maybe_free(pp);
}

static ssize_t fifo_read(struct file *f, void *buf, size_t len, int64_t off)
{
	struct pipe *pp = f->private_data;
	struct vfs *vfs = f->f_inode->i_sb->s_vfs;
	size_t n, first;

	(void)off;
	if (len == 0)
		return 0;
	while (pp->len == 0) {
		if (!pp->writers)
			return 0;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		pipe_wait(pp, vfs);
	}
	n = len < pp->len ? len : pp->len;
	first = PIPE_SIZE - pp->head;
	if (first > n)
		first = n;
	memcpy(buf, pp->buf + pp->head, first);
	memcpy((char *)buf + first, pp->buf, n - first);
	pp->head = (pp->head + n) % PIPE_SIZE;
	pp->len -= n;
	pthread_cond_broadcast(&pp->wait);
	return (ssize_t)n;
}

static ssize_t fifo_write(struct file *f, const void *buf, size_t len, int64_t off)
{
	struct pipe *pp = f->private_data;
	struct vfs *vfs = f->f_inode->i_sb->s_vfs;
	const char *src = buf;
	size_t done = 0;

	(void)off;
	while (done < len) {
		size_t room, n, tail, first;

		if (!pp->readers)
			return done ? (ssize_t)done : -EPIPE;
		room = PIPE_SIZE - pp->len;
		/* Up to PIPE_BUF bytes go in whole or wait. */
		if (room == 0 || (len <= PIPE_ATOMIC && room < len)) {
			if (f->f_flags & O_NONBLOCK)
				return done ? (ssize_t)done : -EAGAIN;
			pipe_wait(pp, vfs);
			continue;
		}
		n = len - done < room ? len - done : room;
		tail = (pp->head + pp->len) % PIPE_SIZE;
		first = PIPE_SIZE - tail;
		if (first > n)
			first = n;
		memcpy(pp->buf + tail, src + done, first);
		memcpy(pp->buf, src + done + first, n - first);
		pp->len += n;
		done += n;
		pthread_cond_broadcast(&pp->wait);
	}
	return (ssize_t)done;
}

const struct file_operations fifo_fops = {
	.open = fifo_open,
	.release = fifo_release,
	.read = fifo_read,
	.write = fifo_write,
};
