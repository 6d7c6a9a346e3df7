/*
 * super.c - the "9p" filesystem type: mount options (gofer.h), connecting the transport,
 * version and attach, the root inode, statfs and show_options.
 *
 * The mount's descriptors (trans=fd) are duplicated, so the caller keeps its own and the
 * superblock owns its copies (closed with the connection at put_super). The attach names
 * the mounting credentials' fsuid (n_uname) unless uname= says otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "fs/gofer/internal.h"
#include "kernel/internal.h"
#include "vfs/internal.h"

enum gofer_trans { GOFER_TRANS_NONE, GOFER_TRANS_FD, GOFER_TRANS_UNIX, GOFER_TRANS_TCP };

struct gofer_opts {
	enum gofer_trans trans;
	int rfd, wfd;
	unsigned port;
	const char *aname;
	const char *uname;
	const char *cache;
	uint32_t msize;
	unsigned timeout_ms;
	uint32_t dfltuid, dfltgid;
	bool revalidate;
	bool stale_read;
};

/* gVisor's defaults for files without an owner: the overflow ids. */
#define GOFER_DFLT_ID 65534

static bool parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	v = strtoull(s, &end, 0);
	if (*end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int parse_options(struct fs_context *fc, struct gofer_opts *o)
{
	char *cursor = fc->data, *key, *value;
	uint32_t v = 0;
	bool ok = true;

	while (fs_opt_next(&cursor, &key, &value)) {
		if (strcmp(key, "trans") == 0) {
			if (!value)
				ok = false;
			else if (strcmp(value, "fd") == 0)
				o->trans = GOFER_TRANS_FD;
			else if (strcmp(value, "unix") == 0)
				o->trans = GOFER_TRANS_UNIX;
			else if (strcmp(value, "tcp") == 0)
				o->trans = GOFER_TRANS_TCP;
			else
				return fc_error(fc, -EINVAL, "9p: unsupported transport '%s'",
						value);
		} else if (strcmp(key, "rfdno") == 0) {
			ok = parse_u32(value, &v) && v <= INT32_MAX;
			o->rfd = (int)v;
		} else if (strcmp(key, "wfdno") == 0) {
			ok = parse_u32(value, &v) && v <= INT32_MAX;
			o->wfd = (int)v;
		} else if (strcmp(key, "port") == 0) {
			ok = parse_u32(value, &v) && v > 0 && v <= 65535;
			o->port = v;
		} else if (strcmp(key, "aname") == 0) {
			ok = value != NULL;
			o->aname = value;
		} else if (strcmp(key, "uname") == 0) {
			ok = value != NULL;
			o->uname = value;
		} else if (strcmp(key, "msize") == 0) {
			ok = parse_u32(value, &o->msize) && o->msize >= P9_MIN_MSIZE;
		} else if (strcmp(key, "timeout_ms") == 0) {
			ok = parse_u32(value, &v) && v > 0;
			o->timeout_ms = v;
		} else if (strcmp(key, "cache") == 0) {
			if (!value)
				ok = false;
			else if (!strcmp(value, "remote_revalidating") || !strcmp(value, "none"))
				o->revalidate = true;
			else if (!strcmp(value, "fscache") ||
				 !strcmp(value, "fscache_writethrough") ||
				 !strcmp(value, "loose") || !strcmp(value, "mmap"))
				o->revalidate = false;
			else
				return fc_error(fc, -EINVAL, "9p: unknown cache mode '%s'", value);
			o->cache = value;
		} else if (strcmp(key, "dfltuid") == 0) {
			ok = parse_u32(value, &o->dfltuid);
		} else if (strcmp(key, "dfltgid") == 0) {
			ok = parse_u32(value, &o->dfltgid);
		} else if (strcmp(key, "overlayfs_stale_read") == 0) {
			ok = value == NULL;
			o->stale_read = true;
		} else if (strcmp(key, "version") == 0) {
			if (!value || strcasecmp(value, "9p2000.L") != 0)
				return fc_error(fc, -EINVAL, "9p: only version 9p2000.L is spoken");
		} else if (strcmp(key, "access") == 0 || strcmp(key, "posixacl") == 0) {
			/* Permissions are checked by the VFS here and by the server there. */
		} else {
			return fc_error(fc, -EINVAL, "9p: unknown option '%s'", key);
		}
		if (!ok)
			return fc_error(fc, -EINVAL, "9p: bad value '%s' for option '%s'",
					value ? value : "", key);
	}
	switch (o->trans) {
	case GOFER_TRANS_NONE:
		return fc_error(fc, -EINVAL, "9p: a transport is required (trans=fd|unix|tcp)");
	case GOFER_TRANS_FD:
		if (o->rfd < 0 || o->wfd < 0)
			return fc_error(fc, -EINVAL, "9p: trans=fd needs rfdno= and wfdno=");
		break;
	case GOFER_TRANS_UNIX:
		if (!fc->source || !*fc->source)
			return fc_error(fc, -EINVAL,
					"9p: trans=unix needs a socket path as source");
		break;
	case GOFER_TRANS_TCP:
		if (!fc->source || !*fc->source)
			return fc_error(fc, -EINVAL, "9p: trans=tcp needs an address as source");
		if (!o->port)
			o->port = 564;
		break;
	}
	return 0;
}

/* ",key=value" of what was asked, for mountinfo. */
static char *format_opts(const struct gofer_opts *o, uint32_t msize)
{
	static const char *const tn[] = { "", "fd", "unix", "tcp" };
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf), ",trans=%s", tn[o->trans]);
	if (o->trans == GOFER_TRANS_FD)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",rfdno=%d,wfdno=%d", o->rfd,
			      o->wfd);
	if (o->trans == GOFER_TRANS_TCP)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",port=%u", o->port);
	if (o->aname && n < (int)sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",aname=%s", o->aname);
	if (o->cache && n < (int)sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",cache=%s", o->cache);
	if (n < (int)sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",dfltuid=%u,dfltgid=%u,msize=%u",
			      o->dfltuid, o->dfltgid, msize);
	if (o->stale_read && n < (int)sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n, ",overlayfs_stale_read");
	return vl_strdup(buf);
}

/* ---------------------------------------------------------------------------------- */
/* Superblock operations */

static int gofer_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	struct p9_statfs s;
	int err = p9_client_statfs(GOFER_SB(sb)->client, GOFER_I(sb->s_root->d_inode)->fid, &s);

	if (err)
		return err;
	st->type = s.type ? s.type : GOFER_MAGIC;
	st->bsize = s.bsize;
	st->frsize = s.bsize;
	st->blocks = s.blocks;
	st->bfree = s.bfree;
	st->bavail = s.bavail;
	st->files = s.files;
	st->ffree = s.ffree;
	st->namelen = s.namelen;
	return 0;
}

static void gofer_put_super(struct super_block *sb)
{
	struct gofer_sb_info *sbi = GOFER_SB(sb);

	if (!sbi)
		return;
	p9_client_destroy(sbi->client);
	vl_free(sbi->opts);
	vl_free(sbi);
	sb->s_fs_info = NULL;
}

static void gofer_show_options(struct super_block *sb, struct strbuf *out)
{
	struct gofer_sb_info *sbi = GOFER_SB(sb);

	if (sbi->opts)
		sb_printf(out, "%s", sbi->opts);
}

static const struct super_operations gofer_sops = {
	.destroy_inode = gofer_destroy_inode,
	.statfs = gofer_statfs,
	.put_super = gofer_put_super,
	.show_options = gofer_show_options,
};

/* ---------------------------------------------------------------------------------- */
/* Mounting */

static int connect_client(struct fs_context *fc, const struct gofer_opts *o, struct p9_client **out)
{
	struct p9_client_opts co = { .msize = o->msize, .timeout_ms = o->timeout_ms };
	int rfd, wfd, err;

	switch (o->trans) {
	case GOFER_TRANS_FD: {
		/* A kernel the runtime handed gofer FDs to names those (runsc's sentry);
		 * otherwise the numbers are this process's descriptors. */
		int hr = vfs_donated_fd(fc->vfs, o->rfd), hw = vfs_donated_fd(fc->vfs, o->wfd);

		if (hr == -ENOENT || hw == -ENOENT)
			return fc_error(fc, -EBADF, "9p: no gofer descriptor %d was handed over",
					hr == -ENOENT ? o->rfd : o->wfd);
		if (hr == -EBADF) {
			hr = o->rfd;
			hw = o->wfd;
		}
		rfd = fcntl(hr, F_DUPFD_CLOEXEC, 3);
		if (rfd < 0)
			return fc_error(fc, -EBADF, "9p: rfdno=%d is not an open descriptor",
					o->rfd);
		wfd = hw == hr ? rfd : fcntl(hw, F_DUPFD_CLOEXEC, 3);
		if (wfd < 0) {
			close(rfd);
			return fc_error(fc, -EBADF, "9p: wfdno=%d is not an open descriptor",
					o->wfd);
		}
		err = p9_client_new(rfd, wfd, &co, out);
		break;
	}
	case GOFER_TRANS_UNIX: err = p9_client_dial_unix(fc->source, &co, out); break;
	default: err = p9_client_dial_tcp(fc->source, (uint16_t)o->port, &co, out); break;
	}
	if (err == -EREMOTEIO)
		return fc_error(fc, err, "9p: the server does not speak 9P2000.L acceptably");
	if (err)
		return fc_error(fc, err, "9p: cannot reach the server");
	return 0;
}

static int gofer_get_tree(struct fs_context *fc, struct super_block **out)
{
	struct gofer_opts o = {
		.rfd = -1, .wfd = -1, .dfltuid = GOFER_DFLT_ID, .dfltgid = GOFER_DFLT_ID
	};
	struct gofer_sb_info *sbi;
	struct super_block *sb;
	struct p9_getattr ga;
	struct inode *root;
	uint32_t fid;
	int err;

	err = parse_options(fc, &o);
	if (err)
		return err;
	sb = sb_alloc(fc, &gofer_sops, GOFER_MAGIC);
	if (IS_ERR(sb))
		return (int)PTR_ERR(sb);
	err = -ENOMEM;
	sbi = vl_zalloc(sizeof(*sbi));
	if (!sbi)
		goto out_sb;
	sb->s_fs_info = sbi;
	sbi->revalidate = o.revalidate;
	sbi->stale_read = o.stale_read;
	sbi->dfltuid = o.dfltuid;
	sbi->dfltgid = o.dfltgid;
	/* Shared access: unused names are dropped, so each walk asks the server again. */
	sb->s_flags |= o.revalidate ? SB_DROP_UNUSED : SB_CACHE_NEGATIVE;
	err = connect_client(fc, &o, &sbi->client);
	if (err)
		goto out_sb;
	sbi->opts = format_opts(&o, p9_client_msize(sbi->client));
	if (!sbi->opts) {
		err = -ENOMEM; /* found by the mount-setup fault sweep: was 0 here */
		goto out_sb;
	}
	err = p9_client_attach(sbi->client, o.uname,
			       o.uname ? P9_NONUNAME : (fc->cred ? fc->cred->fsuid : 0), o.aname,
			       &fid, NULL);
	if (err) {
		err = fc_error(fc, err, "9p: attach to '%s' refused", o.aname ? o.aname : "");
		goto out_sb;
	}
	err = p9_client_getattr(sbi->client, fid, P9_GETATTR_BASIC, &ga);
	if (!err && !S_ISDIR(ga.mode) && !S_ISREG(ga.mode))
		err = -ENOTDIR;
	if (err) {
		p9_client_clunk_async(sbi->client, fid);
		goto out_sb;
	}
	err = gofer_iget(sb, fid, &ga, &root);
	if (err)
		goto out_sb;
	err = -ENOMEM;
	sb->s_root = d_make_root(root); /* consumes root, even on failure */
	if (!sb->s_root)
		goto out_sb;
	*out = sb;
	return 0;

out_sb:
	sb_free_unmounted(sb);
	return err;
}

const struct fs_type gofer_fs_type = {
	.name = "9p",
	.get_tree = gofer_get_tree,
};
