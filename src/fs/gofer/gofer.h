/*
 * gofer.h - the 9P2000.L client filesystem (gVisor's fsimpl/gofer, whose Name is "9p";
 * Linux's v9fs): a remote directory tree served by a gofer over 9P.
 *
 * mount -t 9p -o OPTIONS SOURCE DEST, OPTIONS as Linux's and gVisor's:
 *   trans=fd,rfdno=N,wfdno=N   host descriptors of this process (duplicated: the caller
 *                              keeps its own), as the sandbox mounts its root and binds;
 *   trans=unix                 SOURCE is the path of a unix socket;
 *   trans=tcp,port=N           SOURCE is a literal IP address (or localhost);
 *   aname=PATH                 the tree to attach to; msize=N (bytes, >= 4096);
 *   cache=remote_revalidating  shared access: every walk asks the server again (stat
 *                              included), nothing negative is cached (also cache=none);
 *   cache=fscache (the default; also loose, mmap, fscache_writethrough): exclusive access,
 *                              the cache is trusted, negative entries included;
 *   dfltuid=N, dfltgid=N       owner of files whose owner the server cannot say (-1);
 *   overlayfs_stale_read       accepted and shown (gVisor: mmap coherence under overlay);
 *   version=9p2000.L, uname=NAME, access=..., posixacl: accepted;
 *   timeout_ms=N               our own: the bound on every wait for the server.
 * Anything else is EINVAL with a message naming the option.
 */
#ifndef VFSLAB_FS_GOFER_H
#define VFSLAB_FS_GOFER_H

#include "vfs/fs.h"

/* statfs(2) f_type when the server does not say: Linux's V9FS_MAGIC. */
#define GOFER_MAGIC 0x01021997

extern const struct fs_type gofer_fs_type; /* name "9p" */

#endif
