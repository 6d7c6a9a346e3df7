/*
 * internal.h - what the files of src/boot share: string vectors, path helpers and the
 * message helper. Private to src/boot.
 */
#ifndef VFSLAB_BOOT_INTERNAL_H
#define VFSLAB_BOOT_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>

#include "base/compiler.h"
#include "vfslab/boot.h"

/* util.c */
int boot_strv_push(struct boot_strv *sv, const char *s);
int boot_strv_push_take(struct boot_strv *sv, char *s);
int boot_strv_copy(struct boot_strv *dst, const struct boot_strv *src);
void boot_strv_free(struct boot_strv *sv);
bool boot_strv_has(const struct boot_strv *sv, const char *s);
void boot_strv_sort(struct boot_strv *sv);
/* Clean an absolute path as Go's path.Clean does ("/a/./b//../c/" -> "/a/c"); a relative
 * one is taken relative to "/". Returns a new string or NULL. */
char *boot_path_clean(const char *p);
/* True if child is strictly below parent ("/a/b" below "/a"; everything below "/"). */
bool boot_path_below(const char *child, const char *parent);
/* The last component ("/a/b" -> "b", "/" -> "/"); a new string or NULL. */
char *boot_path_base(const char *p);
char *boot_asprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
void boot_err_set(struct boot_err *err, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* The spec's mount options runsc knows (specutils' optionsMap and propOptionsMap); the
 * ones it refuses on bind mounts (shared, rshared). */
bool boot_known_mount_option(const char *opt);
bool boot_propagation_option(const char *opt);
bool boot_refused_mount_option(const char *opt);

#endif
