/*
 * perm.c - discretionary access checks, as Linux's fs/namei.c does them without ACLs:
 * owner, group (fsgid or a supplementary group) and other bits against the caller's
 * fsuid/fsgid, with root's capability overrides and their limits.
 *
 * Every function here runs under the VFS lock and takes the credentials to check
 * explicitly; none looks at a task. faccessat(2) checks with the real ids: its caller
 * passes a temporary cred whose fsuid/fsgid are the real uid/gid and whose capabilities
 * are those the real uid implies (all for uid 0, none otherwise), unless AT_EACCESS.
 * MAY_ACCESS itself changes nothing here (as in Linux, it is a hint for filesystems and
 * security modules).
 *
 * Read-only mounts are not seen here (an inode does not know its mount): callers that
 * write check mnt_readonly() themselves; a read-only superblock is checked here.
 */
#include <errno.h>

#include "internal.h"

#define MODE_IXUGO (S_IXUSR | S_IXGRP | S_IXOTH)

/* Linux's acl_permission_check() with no ACLs: 0 or -EACCES from the mode bits alone. */
static int mode_permission_check(const struct inode *inode, int mask, const struct cred *cred)
{
	unsigned mode = inode->i_mode;

	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (cred->fsuid == inode->i_uid) {
		mode >>= 6;
		return (mask & ~mode) ? -EACCES : 0;
	}
	/* The group is consulted only if its bits differ from other's where it matters. */
	if ((mask & (mode ^ (mode >> 3))) && cred_in_group(cred, inode->i_gid))
		mode >>= 3;
	return (mask & ~mode) ? -EACCES : 0;
}

/*
 * The default permission check (fs.h). After the mode bits refuse: directories may be
 * read and searched with CAP_DAC_READ_SEARCH and anything with CAP_DAC_OVERRIDE; other
 * files may be read with CAP_DAC_READ_SEARCH, read and written with CAP_DAC_OVERRIDE,
 * and executed with it only if some execute bit is set.
 */
int generic_permission(struct inode *inode, int mask, const struct cred *cred)
{
	int ret = mode_permission_check(inode, mask, cred);

	if (ret != -EACCES)
		return ret;
	if (S_ISDIR(inode->i_mode)) {
		if (!(mask & MAY_WRITE) && capable(cred, CAP_DAC_READ_SEARCH))
			return 0;
		if (capable(cred, CAP_DAC_OVERRIDE))
			return 0;
		return -EACCES;
	}
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (mask == MAY_READ && capable(cred, CAP_DAC_READ_SEARCH))
		return 0;
	if ((!(mask & MAY_EXEC) || (inode->i_mode & MODE_IXUGO)) && capable(cred, CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

/*
 * May cred access inode as mask asks? A read-only superblock refuses writes to regular
 * files, directories and symlinks (-EROFS, before any permission bit is looked at, as
 * Linux's sb_permission); devices, fifos and sockets stay writable there. Then the
 * filesystem's permission op or generic_permission().
 */
int inode_permission(struct inode *inode, int mask, const struct cred *cred)
{
	if (mask & MAY_WRITE) {
		uint32_t mode = inode->i_mode;

		if (inode->i_sb && (inode->i_sb->s_flags & SB_RDONLY) &&
		    (S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode)))
			return -EROFS;
	}
	if (inode->i_op && inode->i_op->permission)
		return inode->i_op->permission(inode, mask, cred);
	return generic_permission(inode, mask, cred);
}

/*
 * Linux's check_sticky(), inverted: in a sticky directory only the owner of the victim,
 * the owner of the directory or a CAP_FOWNER holder may remove or rename the victim.
 * The caller has already checked write and search permission on dir.
 */
bool may_delete_sticky(struct inode *dir, struct inode *victim, const struct cred *cred)
{
	if (!(dir->i_mode & S_ISVTX))
		return true;
	if (victim->i_uid == cred->fsuid || dir->i_uid == cred->fsuid)
		return true;
	return capable(cred, CAP_FOWNER);
}

/* The owner (by fsuid) or CAP_FOWNER: who may chmod, set times, and the like. */
bool inode_owner_or_capable(struct inode *inode, const struct cred *cred)
{
	return inode->i_uid == cred->fsuid || capable(cred, CAP_FOWNER);
}
