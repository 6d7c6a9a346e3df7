/*
 * gofer_main.c - `vfslab gofer`: a 9P2000.L server confined to a host directory, or to
 * a single host file (the source of a file bind mount, as runsc's gofer serves one).
 *
 *   vfslab gofer --root PATH (--fd N | --listen unix:PATH | --listen tcp:127.0.0.1:PORT) [--ro]
 *
 * A kernel on the real host registers hostfs, mounts DIR with it at the path DIR itself
 * inside the kernel (so that diod's clients, which name the export by its path with
 * `-a DIR`, attach to it; an empty aname works too), and serves that subtree with our 9P
 * server (src/p9/server), which runs as a task chrooted to it. Confinement is hostfs's
 * (openat2 beneath descriptors it holds) and the chroot's (`..` and absolute symlinks
 * stay inside); --ro mounts hostfs read-only and makes the server answer EROFS. When PATH
 * is a regular file, hostfs is mounted over its directory and the server exports the file
 * alone: attaches reach it and nothing else (src/p9/server refuses every walk from it).
 * PATH is resolved on the host first (realpath: it is the administrator's path).
 *
 * --fd N serves one connection on descriptor N (a socketpair end given by the parent,
 * as runsc passes gofer FDs) and exits when it closes. --listen accepts any number of
 * clients, each its own connection with its own threads. TCP is loopback only: a host
 * directory served to the network would be served to anyone. Either way one line
 * 'vfslab gofer: serving PATH on ADDR' goes to standard error once the server is serving
 * (ADDR is fd:N for --fd): a parent waiting for it knows the start succeeded, and a
 * failure is one line 'vfslab gofer: WHAT: ARG: ENAME (text)' instead (src/host/gofer_proc.c
 * reads both).
 *
 * SIGINT and SIGTERM end the server cleanly (connections closed, kernel destroyed, a
 * unix socket we bound removed). Exit status: 0 after a clean end, 1 for a failure while
 * running or setting up, 2 for a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/err.h"
#include "base/errname.h"
#include "host/hostfs/hostfs.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"
#include "vfslab/p9.h"
#include "vfslab/vfs.h"

int gofer_main(int argc, char **argv);

static const char gofer_usage[] =
	"usage: vfslab gofer --root PATH (--fd N | --listen ADDR) [--ro]\n"
	"\n"
	"Serves the host directory PATH over 9P2000.L, confined to it: every access stays\n"
	"beneath PATH (symlinks are never followed on the host, '..' stops at PATH).\n"
	"PATH may be a regular file instead: then that file alone is served.\n"
	"\n"
	"  --root PATH         the directory or regular file to export (absolute or\n"
	"                      relative to the cwd)\n"
	"  --fd N              serve one connection on the open descriptor N (a socket or a\n"
	"                      socketpair end); exit when it closes\n"
	"  --listen unix:PATH  accept connections on a new unix socket at PATH\n"
	"  --listen tcp:127.0.0.1:PORT\n"
	"                      accept connections on loopback TCP (127.0.0.0/8 or [::1]);\n"
	"                      PORT 0 picks a free port. Other addresses are refused.\n"
	"  --ro                export read-only: modifying calls fail with EROFS\n"
	"  -h, --help          this text\n"
	"\n"
	"Clients attach with an aname of PATH (as diod's clients do: diodls -a PATH) or an\n"
	"empty one. A line 'vfslab gofer: serving PATH on ADDR' goes to standard error once\n"
	"the server is serving (ADDR: fd:N, or the address with the port actually bound).\n"
	"SIGINT and SIGTERM stop the server.\n"
	"\n"
	"Exit status: 0 after a clean stop, 1 on a failure, 2 for a usage error.\n";

static volatile sig_atomic_t gofer_stop;
static int gofer_sigpipe[2] = { -1, -1 };

static void gofer_on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	gofer_stop = 1;
	if (gofer_sigpipe[1] >= 0 && write(gofer_sigpipe[1], &c, 1) < 0) {
		/* The pipe is full: a stop is already pending. */
	}
	errno = saved;
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("vfslab gofer: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'vfslab gofer --help'.\n", stderr);
	return 2;
}

/* "vfslab gofer: WHAT: ARG: ENAME (text)" for err (negative or positive errno). */
static void report(const char *what, const char *arg, int err)
{
	if (err < 0)
		err = -err;
	if (arg)
		fprintf(stderr, "vfslab gofer: %s: %s: %s (%s)\n", what, arg, errno_name(err),
			strerror(err));
	else
		fprintf(stderr, "vfslab gofer: %s: %s (%s)\n", what, errno_name(err),
			strerror(err));
}

/* ------------------------------------------------------------------ listening */

struct listen_addr {
	int family; /* AF_UNIX, AF_INET, AF_INET6 */
	struct sockaddr_storage ss;
	socklen_t len;
	const char *path; /* AF_UNIX */
};

/* Parse ADDR; a usage error message is printed and 2 returned on failure. */
static int parse_listen(const char *addr, struct listen_addr *la)
{
	memset(la, 0, sizeof(*la));
	if (strncmp(addr, "unix:", 5) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&la->ss;
		const char *path = addr + 5;

		if (!*path)
			return usage_error("--listen: '%s': empty socket path", addr);
		if (strlen(path) >= sizeof(sun->sun_path))
			return usage_error("--listen: '%s': socket path too long", addr);
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, path);
		la->family = AF_UNIX;
		la->len = sizeof(*sun);
		la->path = path;
		return 0;
	}
	if (strncmp(addr, "tcp:", 4) == 0) {
		const char *host = addr + 4, *colon;
		char hostbuf[INET6_ADDRSTRLEN + 2], *end;
		size_t hlen;
		long port;

		colon = strrchr(host, ':');
		if (!colon || colon == host)
			return usage_error("--listen: '%s': expected tcp:HOST:PORT", addr);
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (!colon[1] || *end || errno || port < 0 || port > 65535)
			return usage_error("--listen: '%s': bad port", addr);
		hlen = (size_t)(colon - host);
		if (hlen >= sizeof(hostbuf))
			return usage_error("--listen: '%s': bad address", addr);
		memcpy(hostbuf, host, hlen);
		hostbuf[hlen] = '\0';
		if (hostbuf[0] == '[' && hlen > 2 && hostbuf[hlen - 1] == ']') {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&la->ss;

			hostbuf[hlen - 1] = '\0';
			if (inet_pton(AF_INET6, hostbuf + 1, &s6->sin6_addr) != 1)
				return usage_error("--listen: '%s': bad IPv6 address", addr);
			if (!IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
				return usage_error("--listen: '%s': not a loopback address "
						   "(a host directory is never served to the "
						   "network)",
						   addr);
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)port);
			la->family = AF_INET6;
			la->len = sizeof(*s6);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&la->ss;

			if (inet_pton(AF_INET, hostbuf, &s4->sin_addr) != 1)
				return usage_error("--listen: '%s': bad IPv4 address (a numeric "
						   "loopback address is needed)",
						   addr);
			if ((ntohl(s4->sin_addr.s_addr) >> 24) != 127)
				return usage_error("--listen: '%s': not a loopback address "
						   "(a host directory is never served to the "
						   "network)",
						   addr);
			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)port);
			la->family = AF_INET;
			la->len = sizeof(*s4);
		}
		return 0;
	}
	return usage_error("--listen: '%s': expected unix:PATH or tcp:127.0.0.1:PORT", addr);
}

/* A listening socket for la, or -errno. */
static int open_listener(const struct listen_addr *la)
{
	int fd = socket(la->family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, err;

	if (fd < 0)
		return -errno;
	if (la->family != AF_UNIX)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&la->ss, la->len) < 0 || listen(fd, 64) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* The bound address as the user would write it (tcp: with the real port). */
static void describe_listener(int fd, const struct listen_addr *la, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN];

	if (la->family == AF_UNIX || getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		snprintf(buf, size, "unix:%s", la->path ? la->path : "?");
		return;
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "tcp:[%s]:%u", host, ntohs(s6->sin6_port));
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(buf, size, "tcp:%s:%u", host, ntohs(s4->sin_port));
	}
}

/* ------------------------------------------------------------------ the kernel side */

/* mkdir -p path inside the kernel (its rootfs is an empty tmpfs). */
static int kernel_mkdir_p(struct task *t, const char *path)
{
	char buf[PATH_MAX];
	size_t i, len = strlen(path);
	int err;

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		err = vfs_mkdirat(t, AT_FDCWD, buf, 0755);
		if (err && err != -EEXIST)
			return err;
		buf[i] = path[i];
	}
	return 0;
}

/* Each 9P fid holds a host descriptor: let the gofer use as many as it may. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int install_signals(void)
{
	struct sigaction sa;

	if (pipe2(gofer_sigpipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = gofer_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A client that goes away mid-reply must end its connection, not the server. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

/* Serve until stopped: accept on lfd (>= 0), or wait for the single connection's end. */
static int serve(struct p9_server *srv, int lfd)
{
	struct pollfd pfd[2] = {
		{ .fd = gofer_sigpipe[0], .events = POLLIN },
		{ .fd = lfd, .events = POLLIN },
	};
	int n, cfd, err;

	while (!gofer_stop) {
		n = poll(pfd, lfd >= 0 ? 2 : 1, lfd >= 0 ? -1 : 100);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			report("poll", NULL, errno);
			return 1;
		}
		if (lfd < 0) {
			if (p9_server_nconns(srv) == 0)
				break;
			continue;
		}
		if (!(pfd[1].revents & POLLIN))
			continue;
		cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN)
				continue;
			/* Out of descriptors or memory: refuse this one, keep serving. */
			report("accept", NULL, errno);
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				poll(NULL, 0, 100);
			continue;
		}
		err = p9_server_serve_fd(srv, cfd, cfd); /* cfd is the server's now */
		if (err)
			report("connection", NULL, err);
	}
	return 0;
}

int gofer_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "root", required_argument, NULL, 'r' },   { "fd", required_argument, NULL, 'f' },
		{ "listen", required_argument, NULL, 'l' }, { "ro", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },	    { NULL, 0, NULL, 0 },
	};
	const char *root_arg = NULL, *listen_arg = NULL, *fd_arg = NULL;
	struct p9_server_opts opts = { 0 };
	struct listen_addr la;
	struct p9_server *srv;
	struct kernel *k;
	struct task *t;
	char root[PATH_MAX], dir[PATH_MAX], desc[PATH_MAX + 32];
	struct stat st;
	bool ro = false;
	int c, conn_fd = -1, lfd = -1, err, status = 1;
	long v;
	char *end;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", longs, NULL)) != -1) {
		switch (c) {
		case 'r': root_arg = optarg; break;
		case 'f': fd_arg = optarg; break;
		case 'l': listen_arg = optarg; break;
		case 'o': ro = true; break;
		case 'h': fputs(gofer_usage, stdout); return 0;
		case ':': return usage_error("option '%s' requires an argument", argv[optind - 1]);
		case '?':
			if (optopt)
				return usage_error("invalid option -- '%c'",
						   (char[]){ (char)optopt, '\0' });
			return usage_error("unrecognized option '%s'", argv[optind - 1]);
		default: return 2;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!root_arg)
		return usage_error("%s", "--root PATH is required");
	if (!fd_arg == !listen_arg)
		return usage_error("%s", "exactly one of --fd N and --listen ADDR is required");
	if (fd_arg) {
		errno = 0;
		v = strtol(fd_arg, &end, 10);
		if (!*fd_arg || *end || errno || v < 0 || v > INT_MAX)
			return usage_error("--fd: '%s': not a descriptor number", fd_arg);
		conn_fd = (int)v;
		if (fcntl(conn_fd, F_GETFD) < 0) {
			report("--fd", fd_arg, errno);
			return 2;
		}
	} else if (parse_listen(listen_arg, &la)) {
		return 2;
	}
	if (!realpath(root_arg, root)) {
		report("--root", root_arg, errno);
		return 2;
	}
	if (stat(root, &st) < 0) {
		report("--root", root_arg, errno);
		return 2;
	}
	/* hostfs mounts a directory: a file's own, whose one entry the server exports. */
	strcpy(dir, root);
	if (S_ISREG(st.st_mode)) {
		char *slash = strrchr(dir, '/'); /* realpath's result is absolute */

		slash[slash == dir] = '\0';
	} else if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr,
			"vfslab gofer: --root: %s: EINVAL (neither a directory nor a "
			"regular file)\n",
			root_arg);
		return 2;
	}

	err = install_signals();
	if (err) {
		report("signals", NULL, err);
		return 1;
	}
	raise_nofile();
	k = kernel_new(host_real_new(HOST_LOG_WARN));
	if (IS_ERR(k)) {
		report("kernel", NULL, (int)PTR_ERR(k));
		return 1;
	}
	t = kernel_init_task(k);
	err = hostfs_register(k);
	if (!err)
		err = kernel_mkdir_p(t, dir);
	if (!err)
		err = vfs_mount(t, dir, dir, "hostfs", ro ? MS_RDONLY : 0, NULL);
	if (err) {
		const char *msg = task_errmsg(t);

		if (*msg)
			fprintf(stderr, "vfslab gofer: mount: %s\n", msg);
		report("mount", dir, err);
		goto out_kernel;
	}
	opts.flags = ro ? P9_SERVER_RO : 0;
	srv = p9_server_new(t, root, &opts);
	if (IS_ERR(srv)) {
		report("server", root, (int)PTR_ERR(srv));
		goto out_kernel;
	}
	if (conn_fd >= 0) {
		err = p9_server_serve_fd(srv, conn_fd, conn_fd);
		if (err) {
			report("--fd", fd_arg, err);
			goto out_server;
		}
		fprintf(stderr, "vfslab gofer: serving %s%s on fd:%d\n", root,
			ro ? " (read-only)" : "", conn_fd);
	} else {
		lfd = open_listener(&la);
		if (lfd < 0) {
			report("--listen", listen_arg, lfd);
			goto out_server;
		}
		describe_listener(lfd, &la, desc, sizeof(desc));
		fprintf(stderr, "vfslab gofer: serving %s%s on %s\n", root,
			ro ? " (read-only)" : "", desc);
	}
	status = serve(srv, lfd);

	if (lfd >= 0) {
		close(lfd);
		if (la.family == AF_UNIX)
			unlink(la.path);
	}
out_server:
	p9_server_destroy(srv);
out_kernel:
	kernel_destroy(k);
	close(gofer_sigpipe[0]);
	close(gofer_sigpipe[1]);
	return status;
}
