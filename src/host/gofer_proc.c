/*
 * gofer_proc.c - gofer processes on the real host (see gofer_proc.h): posix_spawn of
 * `vfslab gofer --fd 3`, the start handshake on the child's stderr, and the bounded stop.
 *
 * Descriptors: everything we make is close-on-exec from birth (socketpair, pipe2,
 * F_DUPFD_CLOEXEC). The child's ends are first moved to 10 and up, so that the spawn's
 * dup2s onto 0..3 can never overwrite one another (a descriptor of ours might be 0..3 when
 * the caller has closed its standard ones), then dup2'd onto 1, 2 and 3 (dup2 clears
 * close-on-exec on the copy), and posix_spawn_file_actions_addclosefrom_np(4) closes
 * whatever else the process has without close-on-exec.
 *
 * The start handshake needs no extra descriptor: `vfslab gofer --fd` writes one line to
 * stderr once it serves, and one line (then exits) when it cannot. A child that has
 * exited has closed the pipe, so EOF there means "reap it and say why".
 *
 * Waiting is by polling waitpid(WNOHANG) with short sleeps: bounded, and it reaps only our
 * own child (never waitpid(-1), which would steal the caller's other children).
 *
 * Like the rest of the library this file leaves the caller's errno as it found it.
 */
#include "vfslab/gofer_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/errname.h"

extern char **environ;

#define GOFER_PROC_START_MS 10000 /* for the first line */
#define GOFER_PROC_TERM_MS 5000	  /* after SIGTERM, before SIGKILL */
#define GOFER_PROC_LINE 512
#define GOFER_PROC_READY "vfslab gofer: serving "
/* The child's ends are moved at least this high before the spawn's dup2s onto 0..3. */
#define GOFER_PROC_HIGH_FD 10

struct gofer_proc {
	pid_t pid;
	int fd;	   /* our end of the connection */
	int errfd; /* our end of the child's stdout/stderr pipe (non-blocking) */
	/* Bytes of an unfinished line, and the last complete line other than the ready one. */
	char partial[GOFER_PROC_LINE];
	size_t npartial;
	char last[GOFER_PROC_LINE];
	bool ready; /* the ready line was seen */
};

static void set_msg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One complete line of the child's (NUL-terminated, no newline). */
static void take_line(struct gofer_proc *p, const char *line)
{
	if (strncmp(line, GOFER_PROC_READY, strlen(GOFER_PROC_READY)) == 0) {
		p->ready = true;
		return;
	}
	if (*line)
		snprintf(p->last, sizeof(p->last), "%s", line);
}

/* Split n new bytes into lines; a line longer than the buffer is cut, not lost. */
static void take_bytes(struct gofer_proc *p, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\n' || p->npartial == sizeof(p->partial) - 1) {
			p->partial[p->npartial] = '\0';
			take_line(p, p->partial);
			p->npartial = 0;
			if (buf[i] == '\n')
				continue;
		}
		p->partial[p->npartial++] = buf[i];
	}
}

/* Read what the pipe holds now. 1 at EOF (the child's ends are all closed), else 0. */
static int drain(struct gofer_proc *p)
{
	char buf[1024];
	ssize_t n;

	for (;;) {
		n = read(p->errfd, buf, sizeof(buf));
		if (n > 0) {
			take_bytes(p, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			/* An unfinished last line is a line too. */
			if (p->npartial) {
				p->partial[p->npartial] = '\0';
				take_line(p, p->partial);
				p->npartial = 0;
			}
			return 1;
		}
		return 0; /* EAGAIN: nothing more for now */
	}
}

/* The errno a gofer line names as ": ENAME (" (the last one), or 0. */
static int line_errno(const char *line)
{
	const char *s, *e;
	char name[32];
	int found = 0, v;

	for (s = strstr(line, ": E"); s; s = strstr(s + 1, ": E")) {
		for (e = s + 2; (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9'); e++)
			;
		if (strncmp(e, " (", 2) != 0 || (size_t)(e - (s + 2)) >= sizeof(name))
			continue;
		memcpy(name, s + 2, (size_t)(e - (s + 2)));
		name[e - (s + 2)] = '\0';
		v = errno_from_name(name);
		if (v)
			found = v;
	}
	return found;
}

/* Wait up to ms for the child to end, reading its output meanwhile; true once reaped. */
static bool wait_exit(struct gofer_proc *p, long ms, int *status)
{
	int64_t end = now_ms() + ms;
	long nap = 1;
	pid_t r;

	for (;;) {
		drain(p);
		r = waitpid(p->pid, status, WNOHANG);
		if (r == p->pid)
			return true;
		if (r < 0 && errno != EINTR) {
			/* Reaped by someone else (a caller's waitpid(-1)): status unknown. */
			*status = 0;
			return true;
		}
		if (now_ms() >= end)
			return false;
		sleep_ms(nap);
		if (nap < 20)
			nap *= 2;
	}
}

/* How a reaped child ended: 0 or -errno, with a message. */
static int ended(struct gofer_proc *p, int status, bool termed, bool killed, char *err,
		 size_t errlen)
{
	const char *sig;
	int e;

	if (WIFEXITED(status)) {
		if (WEXITSTATUS(status) == 0)
			return 0;
		e = line_errno(p->last);
		if (!e)
			e = WEXITSTATUS(status) == 2 ? EINVAL : EIO;
		if (p->last[0])
			set_msg(err, errlen, "%s (exit status %d)", p->last, WEXITSTATUS(status));
		else
			set_msg(err, errlen, "vfslab gofer (pid %d) exited with status %d",
				(int)p->pid, WEXITSTATUS(status));
		return -e;
	}
	if (WTERMSIG(status) == SIGTERM && termed)
		return 0; /* ended as asked, before its handler was in place */
	if (WTERMSIG(status) == SIGKILL && killed) {
		set_msg(err, errlen,
			"vfslab gofer (pid %d) did not stop within %d ms of SIGTERM: killed",
			(int)p->pid, GOFER_PROC_TERM_MS);
		return -ETIMEDOUT;
	}
	sig = sigabbrev_np(WTERMSIG(status));
	set_msg(err, errlen, "vfslab gofer (pid %d) killed by signal %d (SIG%s)%s%s", (int)p->pid,
		WTERMSIG(status), sig ? sig : "?", p->last[0] ? ": " : "", p->last);
	return -ECONNABORTED;
}

/* Spawn the child with its ends cfd (the socket) and efd (the pipe's write end), both
 * at GOFER_PROC_HIGH_FD or above. 0 or -errno. */
static int spawn(struct gofer_proc *p, const char *exe, const char *root, bool readonly, int cfd,
		 int efd)
{
	char *argv[] = {
		(char *)exe, "gofer", "--root", (char *)root, "--fd", "3", readonly ? "--ro" : NULL,
		NULL
	};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int err;

	err = posix_spawn_file_actions_init(&fa);
	if (err)
		return -err;
	err = posix_spawnattr_init(&at);
	if (err) {
		posix_spawn_file_actions_destroy(&fa);
		return -err;
	}
	sigemptyset(&none);
	sigfillset(&all);
	err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!err)
		err = posix_spawn_file_actions_adddup2(&fa, efd, 1);
	if (!err)
		err = posix_spawn_file_actions_adddup2(&fa, efd, 2);
	if (!err)
		err = posix_spawn_file_actions_adddup2(&fa, cfd, 3);
	if (!err)
		err = posix_spawn_file_actions_addclosefrom_np(&fa, 4);
	/* Our ignored signals and blocked mask must not become the gofer's: it stops on
	 * SIGTERM. Its own process group keeps the terminal's ^C for us. */
	if (!err)
		err = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
							    POSIX_SPAWN_SETPGROUP);
	if (!err)
		err = posix_spawnattr_setsigmask(&at, &none);
	if (!err)
		err = posix_spawnattr_setsigdefault(&at, &all);
	if (!err)
		err = posix_spawnattr_setpgroup(&at, 0);
	if (!err)
		err = posix_spawn(&p->pid, exe, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return -err;
}

/* Wait for the ready line (0) or the child's end (-errno, reaped); see gofer_proc.h. */
static int await_ready(struct gofer_proc *p, char *err, size_t errlen)
{
	int64_t end = now_ms() + GOFER_PROC_START_MS;
	struct pollfd pfd = { .fd = p->errfd, .events = POLLIN };
	int status, left, e;

	for (;;) {
		if (drain(p)) {
			/* EOF: the child is gone (or closed its output, which it never does). */
			if (!wait_exit(p, GOFER_PROC_TERM_MS, &status)) {
				kill(p->pid, SIGKILL);
				while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
					;
			}
			e = ended(p, status, false, false, err, errlen);
			if (!e) {
				set_msg(err, errlen, "vfslab gofer (pid %d) exited before serving",
					(int)p->pid);
				e = -EPROTO;
			}
			return e;
		}
		if (p->ready)
			return 0;
		left = (int)(end - now_ms());
		if (left <= 0)
			break;
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			break;
	}
	kill(p->pid, SIGKILL);
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	set_msg(err, errlen, "vfslab gofer (pid %d) did not start serving within %d ms%s%s",
		(int)p->pid, GOFER_PROC_START_MS, p->last[0] ? ": " : "", p->last);
	return -ETIMEDOUT;
}

int gofer_proc_start(const char *exe, const char *root, bool readonly, struct gofer_proc **out,
		     int *fd, char *err, size_t errlen)
{
	int saved = errno, sv[2], pp[2], cfd = -1, efd = -1, e;
	struct gofer_proc *p;

	set_msg(err, errlen, "%s", "");
	if (!exe || !root || !out || !fd) {
		set_msg(err, errlen, "gofer_proc_start: missing argument");
		return -EINVAL;
	}
	/* posix_spawn reports an exec failure too, but not on every implementation (under
	 * valgrind the child just exits 127): say it plainly first. */
	if (access(exe, X_OK) < 0) {
		e = -errno;
		set_msg(err, errlen, "cannot run %s: %s (%s)", exe, errno_name(e), strerror(-e));
		errno = saved;
		return e;
	}
	p = vl_zalloc(sizeof(*p));
	if (!p) {
		set_msg(err, errlen, "gofer_proc_start: out of memory");
		return -ENOMEM;
	}
	p->pid = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		e = -errno;
		set_msg(err, errlen, "socketpair: %s", errno_name(e));
		goto out_p;
	}
	p->fd = sv[0];
	if (pipe2(pp, O_CLOEXEC) < 0) {
		e = -errno;
		close(sv[1]);
		set_msg(err, errlen, "pipe2: %s", errno_name(e));
		goto out_fd;
	}
	p->errfd = pp[0];
	cfd = fcntl(sv[1], F_DUPFD_CLOEXEC, GOFER_PROC_HIGH_FD);
	efd = fcntl(pp[1], F_DUPFD_CLOEXEC, GOFER_PROC_HIGH_FD);
	e = cfd < 0 || efd < 0 ? -errno : 0;
	close(sv[1]);
	close(pp[1]);
	/* O_NONBLOCK is the open file's: set on efd, it holds for the child's 1 and 2. */
	if (!e && (fcntl(efd, F_SETFL, O_NONBLOCK) < 0 || fcntl(p->errfd, F_SETFL, O_NONBLOCK) < 0))
		e = -errno;
	if (e) {
		set_msg(err, errlen, "gofer descriptors: %s", errno_name(e));
		goto out_child_fds;
	}
	e = spawn(p, exe, root, readonly, cfd, efd);
	if (e) {
		set_msg(err, errlen, "cannot run %s: %s (%s)", exe, errno_name(e), strerror(-e));
		goto out_child_fds;
	}
	/* Only the child holds its ends now: its exit is our EOF. */
	close(cfd);
	close(efd);
	cfd = efd = -1;
	e = await_ready(p, err, errlen);
	if (e)
		goto out_errfd;
	*out = p;
	*fd = p->fd;
	errno = saved;
	return 0;

out_child_fds:
	if (cfd >= 0)
		close(cfd);
	if (efd >= 0)
		close(efd);
out_errfd:
	close(p->errfd);
out_fd:
	close(p->fd);
out_p:
	vl_free(p);
	errno = saved;
	return e;
}

pid_t gofer_proc_pid(const struct gofer_proc *p)
{
	return p->pid;
}

int gofer_proc_stop(struct gofer_proc *p, char *err, size_t errlen)
{
	int saved = errno, status = 0, e;
	bool termed = false, killed = false;

	set_msg(err, errlen, "%s", "");
	if (!p)
		return 0;
	/* SIGTERM at once: on EOF alone the gofer would notice only at its next 100 ms tick,
	 * and nothing is lost by not waiting (every 9P request is answered only once done). */
	close(p->fd);
	kill(p->pid, SIGTERM);
	termed = true;
	if (!wait_exit(p, GOFER_PROC_TERM_MS, &status)) {
		kill(p->pid, SIGKILL);
		killed = true;
		while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	drain(p);
	close(p->errfd);
	e = ended(p, status, termed, killed, err, errlen);
	vl_free(p);
	errno = saved;
	return e;
}
