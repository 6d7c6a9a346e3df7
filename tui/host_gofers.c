/*
 * host_gofers.c - the gofers of a --host run (host_gofers.h): one `vfslab gofer` process
 * per mount, this very binary (/proc/self/exe) started through gofer_proc, serving the
 * spec's root directory or a bind source read-only or read-write as the mount asks.
 *
 * Nothing is created on the real host: a bind source that does not exist is an error
 * naming it (the simulation is where missing sources are made up).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_gofers.h"
#include "vfslab/gofer_proc.h"

struct host_gofers {
	char *bundle;
	char exe[PATH_MAX];
	struct gofer_proc **procs;
	size_t n;
};

int host_gofers_new(const char *bundle, struct host_gofers **out, struct boot_err *e)
{
	struct host_gofers *hg = calloc(1, sizeof(*hg));
	ssize_t n;

	if (!hg)
		return -ENOMEM;
	hg->bundle = strdup(bundle ? bundle : ".");
	n = readlink("/proc/self/exe", hg->exe, sizeof(hg->exe) - 1);
	if (!hg->bundle || n <= 0) {
		snprintf(e->msg, sizeof(e->msg), "--host: cannot find the vfslab binary to run "
						 "gofers (/proc/self/exe)");
		host_gofers_free(hg);
		return -ENOENT;
	}
	hg->exe[n] = '\0';
	*out = hg;
	return 0;
}

static int connect_host(void *ctx, const char *source, bool root, bool readonly, mode_t want,
			struct boot_err *e)
{
	struct host_gofers *hg = ctx;
	struct gofer_proc *p, **np;
	char path[PATH_MAX * 2], msg[400];
	struct stat st;
	int fd, dfd, err;

	(void)want;
	if (!*source) {
		snprintf(e->msg, sizeof(e->msg), "a bind mount needs a source");
		return -EINVAL;
	}
	if (source[0] == '/')
		snprintf(path, sizeof(path), "%s", source);
	else
		snprintf(path, sizeof(path), "%s/%s", hg->bundle, source);
	if (stat(path, &st)) {
		err = -errno;
		snprintf(e->msg, sizeof(e->msg), "%s %.300s: %s", root ? "root.path" : "bind source",
			 path, strerror(errno));
		return err;
	}
	np = realloc(hg->procs, (hg->n + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	hg->procs = np;
	err = gofer_proc_start(hg->exe, path, readonly, &p, &fd, msg, sizeof(msg));
	if (err) {
		snprintf(e->msg, sizeof(e->msg), "gofer for %.200s: %.290s", path, msg);
		return err;
	}
	hg->procs[hg->n++] = p;
	/* The kernel takes a descriptor of its own; the gofer_proc keeps its end. */
	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dfd < 0) {
		err = -errno;
		snprintf(e->msg, sizeof(e->msg), "gofer for %.200s: %s", path, strerror(errno));
		return err;
	}
	return dfd;
}

void host_gofers_get(struct host_gofers *hg, struct boot_gofers *g)
{
	g->ctx = hg;
	g->connect = connect_host;
}

void host_gofers_free(struct host_gofers *hg)
{
	size_t i;

	if (!hg)
		return;
	for (i = 0; i < hg->n; i++)
		gofer_proc_stop(hg->procs[i], NULL, 0);
	free(hg->procs);
	free(hg->bundle);
	free(hg);
}
