/*
 * gofer_proc.h - gofer processes on the real host: `vfslab gofer` started as a child over
 * a socketpair, as runsc starts its gofer and hands the sandbox one connection per mount.
 * The caller mounts our end with -t 9p -o trans=fd,rfdno=N,wfdno=N.
 *
 * The child is `EXE gofer --root ROOT --fd 3 [--ro]`. It inherits nothing but its end of
 * the socketpair as fd 3, /dev/null as stdin, and a pipe to us as stdout and stderr (every
 * descriptor of ours is close-on-exec, and the child closes any other from 4 up before
 * exec). It runs in a process group of its own, with default signal dispositions and an
 * empty signal mask, so the terminal's ^C reaches us and not our gofers.
 *
 * Messages. The library never prints: the child's output comes to us through that pipe.
 * gofer_proc_start waits (10 s at most) for the child's first line: 'vfslab gofer:
 * serving ...' means it serves; anything else is its error line ('vfslab gofer: --root:
 * PATH: ENOENT (No such file or directory)'), which start returns in err with the errno it
 * names. Later lines are kept (the last one) for gofer_proc_stop to explain a failure.
 * Our end of the pipe is read only at start and stop, and the child's end is
 * non-blocking: a child with more to say than the pipe holds loses lines, never stalls.
 *
 * err/errlen: a buffer for one line saying what went wrong ("" on success); err may be
 * NULL. Thread-safe: the descriptors are made close-on-exec atomically, so concurrent
 * starts in other threads do not leak them into each other's children.
 */
#ifndef VFSLAB_GOFER_PROC_H
#define VFSLAB_GOFER_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct gofer_proc;

/* Start `exe gofer --root root --fd 3 [--ro]` (see above) and wait until it serves. *out
 * receives the process and *fd our end of its connection (one socket: rfdno and wfdno);
 * the descriptor stays the gofer_proc's, closed by gofer_proc_stop (a mount duplicates
 * it). Returns 0, or -errno with a message in err:
 *   the errno the gofer's error line names (-ENOENT: root missing, -EINVAL: root neither
 *   a directory nor a regular file, ...); -EINVAL without one for its other usage errors
 *   (exit status 2), -EIO for other failures;
 *   posix_spawn's errno when exe cannot be run (-ENOENT, -EACCES, ...);
 *   -ETIMEDOUT when it neither serves nor fails within 10 s (it is killed);
 *   -EPROTO when it ends without a word; -EINVAL for NULL arguments.
 * No child is left behind on failure. */
int gofer_proc_start(const char *exe, const char *root, bool readonly, struct gofer_proc **out,
		     int *fd, char *err, size_t errlen);

/* The child's process id (for messages and /proc). */
pid_t gofer_proc_pid(const struct gofer_proc *p);

/* Close our end of the connection, send SIGTERM (on which the gofer stops cleanly, ending
 * its connection even if a mount still holds a duplicate of our end; every request it
 * answered was carried out), SIGKILL if it has not ended 5 s later, and reap it. Frees p.
 * Returns how the child ended, with a message in err when not 0:
 *   0: it exited with status 0 (on its own or on our SIGTERM);
 *   -ETIMEDOUT: it ignored SIGTERM and was killed;
 *   -ECONNABORTED: it was killed by a signal we did not send (a crash);
 *   -errno named by its last line, else -EINVAL (status 2) or -EIO: it failed. */
int gofer_proc_stop(struct gofer_proc *p, char *err, size_t errlen);

#endif
