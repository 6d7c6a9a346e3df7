/*
 * errname.c - errno symbolic names. The table lists Linux's errno values; where two
 * names share a value (EWOULDBLOCK/EAGAIN, EDEADLOCK/EDEADLK, ENOTSUP/EOPNOTSUPP) the
 * name pjdfstest prints comes first.
 */
#include "errname.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "compiler.h"

#define E(x) { x, #x }
static const struct {
	int num;
	const char *name;
} table[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC),
	E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(ENOTBLK),
	E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL),
	E(ENFILE), E(EMFILE), E(ENOTTY), E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE),
	E(EROFS), E(EMLINK), E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG),
	E(ENOLCK), E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ENOSTR),
	E(ENODATA), E(ETIME), E(ENOSR), E(EREMOTE), E(ENOLINK), E(EPROTO), E(EBADMSG),
	E(EOVERFLOW), E(EILSEQ), E(EUSERS), E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE),
	E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT), E(EOPNOTSUPP), E(EADDRINUSE),
	E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH), E(ECONNABORTED), E(ECONNRESET),
	E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN),
	E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS), E(ESTALE), E(EDQUOT), E(ECANCELED),
	E(EREMOTEIO), E(ENOMEDIUM), E(EMEDIUMTYPE), E(ENOKEY), E(EKEYEXPIRED),
	E(EOWNERDEAD), E(ENOTRECOVERABLE), E(EUCLEAN), E(ENOTUNIQ), E(EBADFD),
};
#undef E

const char *errno_name(int err)
{
	static _Thread_local char buf[24];
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < ARRAY_SIZE(table); i++)
		if (table[i].num == err)
			return table[i].name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

int errno_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(table); i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].num;
	if (strcmp(name, "EWOULDBLOCK") == 0)
		return EWOULDBLOCK;
	if (strcmp(name, "ENOTSUP") == 0)
		return ENOTSUP;
	return 0;
}
