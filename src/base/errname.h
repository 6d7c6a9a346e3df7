/*
 * errname.h - symbolic names of errno values ("ENOENT"), as pjdfstest prints them.
 */
#ifndef VFSLAB_BASE_ERRNAME_H
#define VFSLAB_BASE_ERRNAME_H

/* The symbolic name of err (positive or negative); "E<number>" style for unknown values
 * is written into a static buffer per thread. */
const char *errno_name(int err);
/* The errno value named by name ("ENOENT"), or 0 if unknown. */
int errno_from_name(const char *name);

#endif
