/*
 * strbuf.h - growable byte strings. An allocation failure latches: the buffer keeps
 * what it had, and sb_error() reports -ENOMEM until sb_reset().
 */
#ifndef VFSLAB_BASE_STRBUF_H
#define VFSLAB_BASE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include "compiler.h"

struct strbuf {
	char *buf;	/* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	int err;	/* 0 or -ENOMEM */
};

#define STRBUF_INIT { NULL, 0, 0, 0 }

void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
int sb_error(const struct strbuf *sb);
void sb_add(struct strbuf *sb, const void *data, size_t len);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
/* Append s with the characters of mountinfo's escape set (space, tab, newline, backslash)
 * written as \ooo, as the kernel's seq_escape does. */
void sb_add_escaped(struct strbuf *sb, const char *s, const char *esc);
/* Append s C-escaped (\n \t \\ \" and \ooo for other non-printables). */
void sb_add_cescaped(struct strbuf *sb, const void *s, size_t len);
/* Take the buffer (caller frees); the strbuf is left empty. Never NULL unless err. */
char *sb_detach(struct strbuf *sb, size_t *len);

#endif
