/*
 * util.c - string vectors, path cleaning and the tables of mount options, shared by the
 * files of src/boot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

int boot_strv_push_take(struct boot_strv *sv, char *s)
{
	char **v;

	if (!s)
		return -ENOMEM;
	v = vl_realloc(sv->v, (sv->n + 2) * sizeof(*v));
	if (!v) {
		vl_free(s);
		return -ENOMEM;
	}
	v[sv->n++] = s;
	v[sv->n] = NULL;
	sv->v = v;
	return 0;
}

int boot_strv_push(struct boot_strv *sv, const char *s)
{
	return boot_strv_push_take(sv, vl_strdup(s));
}

int boot_strv_copy(struct boot_strv *dst, const struct boot_strv *src)
{
	size_t i;
	int err;

	for (i = 0; i < src->n; i++) {
		err = boot_strv_push(dst, src->v[i]);
		if (err)
			return err;
	}
	return 0;
}

void boot_strv_free(struct boot_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		vl_free(sv->v[i]);
	vl_free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

bool boot_strv_has(const struct boot_strv *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void boot_strv_sort(struct boot_strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

char *boot_path_clean(const char *p)
{
	size_t len = strlen(p), out = 1, i = 0;
	char *r = vl_malloc(len + 2);

	if (!r)
		return NULL;
	r[0] = '/';
	while (i < len) {
		size_t start, n;

		while (i < len && p[i] == '/')
			i++;
		start = i;
		while (i < len && p[i] != '/')
			i++;
		n = i - start;
		if (n == 0 || (n == 1 && p[start] == '.'))
			continue;
		if (n == 2 && p[start] == '.' && p[start + 1] == '.') {
			/* Up one, never above the root. */
			while (out > 1 && r[out - 1] != '/')
				out--;
			if (out > 1)
				out--;
			continue;
		}
		if (out > 1)
			r[out++] = '/';
		memcpy(r + out, p + start, n);
		out += n;
	}
	r[out] = '\0';
	return r;
}

bool boot_path_below(const char *child, const char *parent)
{
	size_t n = strlen(parent);

	if (!strcmp(parent, "/"))
		return strcmp(child, "/") != 0;
	return !strncmp(child, parent, n) && child[n] == '/';
}

char *boot_path_base(const char *p)
{
	const char *s = strrchr(p, '/');

	if (!strcmp(p, "/"))
		return vl_strdup("/");
	return vl_strdup(s ? s + 1 : p);
}

char *boot_asprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = vl_malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

void boot_err_set(struct boot_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* runsc/specutils/fs.go: optionsMap (flags) and propOptionsMap (propagation). */
static const char *const known_options[] = {
	"acl",	      "async",	    "atime",	     "bind",
	"defaults",   "dev",	    "diratime",	     "dirsync",
	"exec",	      "iversion",   "lazytime",	     "loud",
	"mand",	      "noacl",	    "noatime",	     "nodev",
	"nodiratime", "noexec",	    "noiversion",    "nolazytime",
	"nomand",     "norelatime", "nostrictatime", "nosuid",
	"rbind",      "relatime",   "remount",	     "ro",
	"rw",	      "silent",	    "strictatime",   "suid",
	"sync",
};

static const char *const propagation_options[] = {
	"private", "rprivate", "slave", "rslave", "unbindable", "runbindable",
};

bool boot_known_mount_option(const char *opt)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known_options); i++)
		if (!strcmp(opt, known_options[i]))
			return true;
	return false;
}

bool boot_propagation_option(const char *opt)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(propagation_options); i++)
		if (!strcmp(opt, propagation_options[i]))
			return true;
	return false;
}

bool boot_refused_mount_option(const char *opt)
{
	return !strcmp(opt, "shared") || !strcmp(opt, "rshared");
}
