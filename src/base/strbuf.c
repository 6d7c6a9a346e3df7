/*
 * strbuf.c - growable byte strings; see strbuf.h.
 */
#include "strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->err = 0;
}

void sb_free(struct strbuf *sb)
{
	vl_free(sb->buf);
	sb_init(sb);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	sb->err = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

int sb_error(const struct strbuf *sb)
{
	return sb->err;
}

static int sb_grow(struct strbuf *sb, size_t extra)
{
	size_t need, cap;
	char *nb;

	if (sb->err)
		return sb->err;
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	nb = vl_realloc(sb->buf, cap);
	if (!nb) {
		sb->err = -ENOMEM;
		return sb->err;
	}
	sb->buf = nb;
	sb->cap = cap;
	return 0;
}

void sb_add(struct strbuf *sb, const void *data, size_t len)
{
	if (sb_grow(sb, len))
		return;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || sb_grow(sb, (size_t)n))
		return;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

void sb_add_escaped(struct strbuf *sb, const char *s, const char *esc)
{
	for (; *s; s++) {
		if (strchr(esc, *s))
			sb_printf(sb, "\\%03o", (unsigned char)*s);
		else
			sb_addc(sb, *s);
	}
}

void sb_add_cescaped(struct strbuf *sb, const void *data, size_t len)
{
	const unsigned char *s = data;
	size_t i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '\n': sb_adds(sb, "\\n"); break;
		case '\t': sb_adds(sb, "\\t"); break;
		case '\r': sb_adds(sb, "\\r"); break;
		case '\\': sb_adds(sb, "\\\\"); break;
		case '"': sb_adds(sb, "\\\""); break;
		default:
			if (s[i] < 0x20 || s[i] >= 0x7f)
				sb_printf(sb, "\\%03o", s[i]);
			else
				sb_addc(sb, (char)s[i]);
		}
	}
}

char *sb_detach(struct strbuf *sb, size_t *len)
{
	char *b;

	if (sb->err)
		return NULL;
	if (!sb->buf) {
		if (sb_grow(sb, 0))
			return NULL;
		sb->buf[0] = '\0';
	}
	b = sb->buf;
	if (len)
		*len = sb->len;
	sb_init(sb);
	return b;
}
