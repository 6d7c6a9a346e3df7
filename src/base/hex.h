/*
 * hex.h - the value of a hexadecimal digit, for the parsers that decode \xHH escapes and
 * hex strings (the REPL's words, op lines, completion, Merkle salts).
 */
#ifndef VFSLAB_BASE_HEX_H
#define VFSLAB_BASE_HEX_H

/* 0..15 for [0-9a-fA-F], else -1. */
static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
