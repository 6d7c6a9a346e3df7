/*
 * complete.c - tab completion for the REPL: command names, options and paths inside the
 * VFS; the core (complete_line) and its readline glue (complete_rl_*).
 *
 * The core reads the line before the cursor with the REPL's own rules: commands split at
 * ';' outside quotes, a leading '-' marks a command whose failure is ignored, words split
 * at blanks, '...' quotes literally, "..." quotes with op's C escapes, a backslash outside
 * quotes is an ordinary character, and an unquoted '#' at the start of a word begins a
 * comment (cmd_split_commands, cmd_run_line and op_split_line). It then knows which
 * command the word belongs to and what the word says so far, decoded.
 *
 * Invariants:
 *  - A candidate begins with the word exactly as typed and continues it in the quote state
 *    the typed text left open. Whatever part of the word readline decides to replace, the
 *    glue can cut the candidate to match, and the line keeps meaning what was typed.
 *  - Options and keywords come from the synopsis strings of cmd_table, so a command added
 *    to the table completes without a change here.
 *  - Paths are listed only through the public API as the session's task: its root, cwd
 *    and credentials. The host's files are never looked at; readline's own filename
 *    completion is switched off (it would stat host paths).
 *  - Every descriptor opened is closed before returning.
 */
#include "complete.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <readline/readline.h>

#include "base/hex.h"
#include "base/strbuf.h"
#include "cmd.h"
#include "vfslab/vfs.h"

/* ---------------------------------------------------------------- reading the line */

struct lexed {
	char **words; /* decoded words of the command, before the cursor's word */
	size_t nwords;
	size_t cap;
	struct strbuf cur; /* the cursor's word, decoded so far */
	size_t start;	   /* where the cursor's word begins in the line */
	char quote;	   /* the quote open at the cursor: 0, '\'' or '"' */
	bool comment;	   /* the cursor is inside a comment */
	bool dangling;	   /* the cursor follows a backslash inside "...": nothing to add yet */
	int err;	   /* -ENOMEM */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_ctl(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

/* Decodes the escape at p (just past a backslash inside "...", avail > 0 bytes before the
 * cursor) as op's word splitter does; returns the number of bytes it takes. */
static size_t unescape_at(const char *p, size_t avail, char *out)
{
	size_t n;
	int v = 0;

	switch (p[0]) {
	case 'n': *out = '\n'; return 1;
	case 't': *out = '\t'; return 1;
	case 'r': *out = '\r'; return 1;
	case 'x':
		for (n = 1; n < 3 && n < avail && hex_digit(p[n]) >= 0; n++)
			v = v * 16 + hex_digit(p[n]);
		*out = (char)v;
		return n;
	default:
		if (p[0] >= '0' && p[0] <= '7') {
			for (n = 0; n < 3 && n < avail && p[n] >= '0' && p[n] <= '7'; n++)
				v = v * 8 + (p[n] - '0');
			*out = (char)v;
			return n;
		}
		*out = p[0];
		return 1;
	}
}

static void lex_drop_words(struct lexed *lx)
{
	size_t i;

	for (i = 0; i < lx->nwords; i++)
		free(lx->words[i]);
	lx->nwords = 0;
}

static void lex_free(struct lexed *lx)
{
	lex_drop_words(lx);
	free(lx->words);
	sb_free(&lx->cur);
}

/* The cursor's word so far becomes a finished word of the command. */
static void lex_push(struct lexed *lx)
{
	char *w;

	if (sb_error(&lx->cur)) {
		lx->err = -ENOMEM;
		return;
	}
	w = strdup(lx->cur.buf ? lx->cur.buf : "");
	if (!w) {
		lx->err = -ENOMEM;
		return;
	}
	if (lx->nwords == lx->cap) {
		size_t cap = lx->cap ? lx->cap * 2 : 8;
		char **v = realloc(lx->words, cap * sizeof(*v));

		if (!v) {
			free(w);
			lx->err = -ENOMEM;
			return;
		}
		lx->words = v;
		lx->cap = cap;
	}
	lx->words[lx->nwords++] = w;
	sb_reset(&lx->cur);
}

static void lex(const char *line, size_t point, struct lexed *lx)
{
	bool in_word = false, cmd_start = true;
	size_t i = 0;

	memset(lx, 0, sizeof(*lx));
	sb_init(&lx->cur);
	while (i < point && !lx->err) {
		char c = line[i];

		if (lx->quote == '\'') {
			if (c == '\'')
				lx->quote = 0;
			else
				sb_addc(&lx->cur, c);
			i++;
			continue;
		}
		if (lx->quote == '"') {
			char d;

			if (c == '"') {
				lx->quote = 0;
				i++;
			} else if (c != '\\') {
				sb_addc(&lx->cur, c);
				i++;
			} else if (i + 1 >= point) {
				lx->dangling = true;
				i++;
			} else {
				i++;
				i += unescape_at(line + i, point - i, &d);
				sb_addc(&lx->cur, d);
			}
			continue;
		}
		if (is_blank(c)) {
			if (in_word)
				lex_push(lx);
			in_word = false;
			i++;
			continue;
		}
		if (c == ';') {
			if (in_word)
				lex_push(lx);
			lex_drop_words(lx);
			in_word = false;
			cmd_start = true;
			i++;
			continue;
		}
		if (!in_word && c == '#') {
			lx->comment = true;
			return;
		}
		if (cmd_start) {
			cmd_start = false;
			/* cmd_run_line strips one '-' before the command name. */
			if (c == '-') {
				i++;
				continue;
			}
		}
		if (!in_word) {
			in_word = true;
			lx->start = i;
			sb_reset(&lx->cur);
		}
		if (c == '\'' || c == '"')
			lx->quote = c;
		else
			sb_addc(&lx->cur, c);
		i++;
	}
	if (!in_word) {
		lx->start = point;
		sb_reset(&lx->cur);
	}
	if (!lx->err && sb_error(&lx->cur))
		lx->err = -ENOMEM;
}

static const char *lex_cur(const struct lexed *lx)
{
	return lx->cur.buf ? lx->cur.buf : "";
}

/* ---------------------------------------------------------------- quoting */

/* Whether text, continuing a word in no quote, needs quotes; at_start: the word is empty
 * so far (a '#' there would begin a comment). */
static bool needs_quotes(const char *text, bool at_start)
{
	const char *p;

	for (p = text; *p; p++) {
		if (is_blank(*p) || is_ctl(*p) || *p == ';' || *p == '\'' || *p == '"')
			return true;
		if (*p == '#' && at_start && p == text)
			return true;
	}
	return false;
}

/* One character inside "...". Octal escapes have three digits so that a digit after one
 * cannot extend it. */
static void add_dq_char(struct strbuf *sb, char c)
{
	switch (c) {
	case '"': sb_adds(sb, "\\\""); break;
	case '\\': sb_adds(sb, "\\\\"); break;
	case '\n': sb_adds(sb, "\\n"); break;
	case '\t': sb_adds(sb, "\\t"); break;
	case '\r': sb_adds(sb, "\\r"); break;
	default:
		if (is_ctl(c))
			sb_printf(sb, "\\%03o", (unsigned char)c);
		else
			sb_addc(sb, c);
	}
}

/* Appends text to a word whose open quote is *q (updated), quoting what needs it: in no
 * quote, a quote is opened first ("..." when text holds a ' or a control character,
 * '...' otherwise); inside '...', a ' or a control character is written as "..." between
 * a closing and a reopening '. */
static void add_quoted(struct strbuf *sb, const char *text, char *q, bool at_start)
{
	const char *p;

	if (!*q && needs_quotes(text, at_start)) {
		*q = '\'';
		for (p = text; *p; p++)
			if (*p == '\'' || is_ctl(*p))
				*q = '"';
		sb_addc(sb, *q);
	}
	for (p = text; *p; p++) {
		if (*q == '\'' && (*p == '\'' || is_ctl(*p))) {
			sb_adds(sb, "'\"");
			add_dq_char(sb, *p);
			sb_adds(sb, "\"'");
		} else if (*q == '"') {
			add_dq_char(sb, *p);
		} else {
			sb_addc(sb, *p);
		}
	}
}

/* ---------------------------------------------------------------- candidates */

struct cand {
	char *word;
	char *shown;
};

struct cands {
	const char *line;
	size_t point;
	const struct lexed *lx;
	struct cand *v;
	size_t n;
	size_t cap;
	int err;
};

/* Adds the candidate that completes the word with rest (the part of the name not typed
 * yet) then suffix (a directory's '/'); whole: the word is finished, close its quote. */
static void cand_add(struct cands *cs, const char *rest, const char *suffix, const char *shown,
		     bool whole)
{
	struct strbuf sb = STRBUF_INIT;
	const struct lexed *lx = cs->lx;
	char q = lx->quote;
	char *word, *sh;

	if (cs->err)
		return;
	sb_add(&sb, cs->line + lx->start, cs->point - lx->start);
	add_quoted(&sb, rest, &q, cs->point == lx->start);
	add_quoted(&sb, suffix, &q, false);
	if (whole && q)
		sb_addc(&sb, q);
	word = sb_detach(&sb, NULL);
	sh = strdup(shown);
	if (!word || !sh)
		goto nomem;
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 16;
		struct cand *v = realloc(cs->v, cap * sizeof(*v));

		if (!v)
			goto nomem;
		cs->v = v;
		cs->cap = cap;
	}
	cs->v[cs->n].word = word;
	cs->v[cs->n].shown = sh;
	cs->n++;
	return;
nomem:
	free(word);
	free(sh);
	sb_free(&sb);
	cs->err = -ENOMEM;
}

static void cands_free(struct cands *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		free(cs->v[i].word);
		free(cs->v[i].shown);
	}
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
}

static int cand_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cand *)a)->word, ((const struct cand *)b)->word);
}

/* Sorts, drops duplicates and moves the candidates into c. */
static int cands_finish(struct cands *cs, struct completion *c)
{
	size_t i, n = 0;

	if (cs->err)
		return cs->err;
	if (cs->n) /* qsort's array may not be NULL, even empty */
		qsort(cs->v, cs->n, sizeof(*cs->v), cand_cmp);
	c->words = calloc(cs->n + 1, sizeof(*c->words));
	c->shown = calloc(cs->n + 1, sizeof(*c->shown));
	if (!c->words || !c->shown)
		return -ENOMEM;
	for (i = 0; i < cs->n; i++) {
		if (n && strcmp(c->words[n - 1], cs->v[i].word) == 0) {
			free(cs->v[i].word);
			free(cs->v[i].shown);
		} else {
			c->words[n] = cs->v[i].word;
			c->shown[n] = cs->v[i].shown;
			n++;
		}
	}
	c->n = n;
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
	return 0;
}

/* ---------------------------------------------------------------- what to complete */

static void complete_commands(struct cands *cs, const char *prefix)
{
	size_t i, len = strlen(prefix);

	for (i = 0; i < cmd_table_len; i++) {
		const struct cmd *c = &cmd_table[i];

		if (c->flags & CMD_F_ALIAS || strncmp(c->name, prefix, len) != 0)
			continue;
		cand_add(cs, c->name + len, "", c->name, true);
	}
}

/* What a synopsis says about completion: its options and the words its first operand
 * can be. The table is ours, so fixed limits are enough; a longer synopsis only loses
 * completions past them. */
#define SYN_MAX 24
#define SYN_WORD 32

struct synopsis {
	char opts[SYN_MAX][SYN_WORD];
	bool opt_arg[SYN_MAX]; /* the option takes an argument ("-t TYPE") */
	size_t nopts;
	char keywords[SYN_MAX][SYN_WORD]; /* "verity enable|measure PATH" */
	size_t nkeywords;
	bool cmd_operand; /* "help [CMD]": the first operand is a command name */
};

static void syn_add(char (*list)[SYN_WORD], size_t *n, const char *word, size_t len)
{
	size_t i;

	if (*n >= SYN_MAX || len == 0 || len >= SYN_WORD)
		return;
	for (i = 0; i < *n; i++)
		if (strlen(list[i]) == len && strncmp(list[i], word, len) == 0)
			return;
	memcpy(list[*n], word, len);
	list[*n][len] = '\0';
	(*n)++;
}

static bool is_keyword(const char *w, size_t len)
{
	size_t i;

	if (len == 0 || !islower((unsigned char)w[0]))
		return false;
	for (i = 0; i < len; i++)
		if (!islower((unsigned char)w[i]) && !isdigit((unsigned char)w[i]) && w[i] != '-')
			return false;
	return true;
}

/* The next '|'-separated piece of [*pp, end); *pp moves past it and its '|'. */
static size_t next_piece(const char **pp, const char *end, const char **piece)
{
	const char *q = *pp;

	*piece = q;
	while (q < end && *q != '|')
		q++;
	*pp = q < end ? q + 1 : end;
	return (size_t)(q - *piece);
}

/*
 * Reads a synopsis such as "mount [-t TYPE] [-o OPTS] [--bind|--rbind] [SRC] DEST":
 * a word starting with '-' (after any '[') names options, '|' separating alternatives;
 * an option word not closed by ']' and followed by an upper-case word takes that word as
 * its argument ("[-t TYPE]", "-s SIZE"). The first other word is the first operand:
 * lower-case alternatives are keywords ("enable|measure"), CMD a command name.
 */
static void syn_parse(const char *synopsis, struct synopsis *syn)
{
	const char *p = synopsis + strcspn(synopsis, " ");
	size_t operands = 0;

	memset(syn, 0, sizeof(*syn));
	for (;;) {
		const char *tok, *body, *end, *piece, *next;
		size_t toklen, len;
		bool closed, all_keywords = true;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		tok = p;
		toklen = strcspn(tok, " ");
		p = tok + toklen;
		body = tok;
		while (body < p && *body == '[')
			body++;
		end = p;
		while (end > body && (end[-1] == ']' || end[-1] == '.'))
			end--;
		closed = memchr(tok, ']', toklen) != NULL;
		if (end - body >= 2 && body[0] == '-' &&
		    (isalnum((unsigned char)body[1]) || body[1] == '-')) {
			size_t n0 = syn->nopts, i;
			bool arg;

			for (piece = body; piece < end;) {
				const char *pc;
				size_t name;

				len = next_piece(&piece, end, &pc);
				name = strcspn(pc, "=[|]"); /* "--opt=VALUE", "-o[...]" */
				if (pc[0] == '-')
					syn_add(syn->opts, &syn->nopts, pc,
						name < len ? name : len);
			}
			next = p;
			while (*next == ' ')
				next++;
			arg = !closed && isupper((unsigned char)*next);
			for (i = n0; i < syn->nopts; i++)
				syn->opt_arg[i] = arg;
			if (arg)
				p = next + strcspn(next, " ");
			continue;
		}
		if (operands++ > 0)
			continue;
		if (end - body == 3 && strncmp(body, "CMD", 3) == 0) {
			syn->cmd_operand = true;
			continue;
		}
		for (piece = body; piece < end;) {
			const char *pc;

			len = next_piece(&piece, end, &pc);
			if (!is_keyword(pc, len))
				all_keywords = false;
		}
		for (piece = body; all_keywords && piece < end;) {
			const char *pc;

			len = next_piece(&piece, end, &pc);
			syn_add(syn->keywords, &syn->nkeywords, pc, len);
		}
	}
}

/* The option named by word ("-t", "--bind", "--bind=x"), or -1. */
static int syn_find_opt(const struct synopsis *syn, const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < syn->nopts; i++)
		if (strlen(syn->opts[i]) == len && strncmp(syn->opts[i], word, len) == 0)
			return (int)i;
	return -1;
}

static void complete_list(struct cands *cs, char (*list)[SYN_WORD], size_t n, const char *prefix)
{
	size_t i, len = strlen(prefix);

	for (i = 0; i < n; i++)
		if (strncmp(list[i], prefix, len) == 0)
			cand_add(cs, list[i] + len, "", list[i], true);
}

/* The records vfs_getdents() packs, as Linux's struct linux_dirent64. */
struct dirent64_hdr {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
} __attribute__((packed));

/* Names in the directory part of the word that start with its last component; a name
 * starting with '.' only when the component does (as ls and readline hide them). */
static int complete_paths(struct cands *cs, struct session *s, const char *word)
{
	const char *slash = strrchr(word, '/');
	const char *base = slash ? slash + 1 : word;
	size_t blen = strlen(base);
	char *dir, buf[8192];
	int fd;

	dir = slash ? strndup(word, (size_t)(slash - word) + 1) : strdup(".");
	if (!dir)
		return -ENOMEM;
	fd = vfs_openat(s->task, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0);
	free(dir);
	if (fd < 0)
		return fd == -ENOMEM ? -ENOMEM : 0; /* nothing to offer in what cannot be read */
	for (;;) {
		ssize_t len = vfs_getdents(s->task, fd, buf, sizeof(buf));
		size_t off = 0;

		if (len <= 0)
			break;
		while (off < (size_t)len && !cs->err) {
			struct dirent64_hdr h;
			const char *name;
			bool isdir;
			char *shown;

			memcpy(&h, buf + off, sizeof(h));
			if (h.d_reclen == 0)
				break;
			name = buf + off + sizeof(h);
			off += h.d_reclen;
			if (strncmp(name, base, blen) != 0 || (name[0] == '.' && base[0] != '.'))
				continue;
			isdir = h.d_type == DT_DIR;
			if (h.d_type == DT_LNK || h.d_type == DT_UNKNOWN) {
				struct vfs_stat st;

				/* A symlink to a directory completes as one, as in bash. */
				isdir = vfs_fstatat(s->task, fd, name, &st, 0) == 0 &&
					S_ISDIR(st.mode);
			}
			if (asprintf(&shown, "%s%s", name, isdir ? "/" : "") < 0) {
				cs->err = -ENOMEM;
				break;
			}
			cand_add(cs, name + blen, isdir ? "/" : "", shown, !isdir);
			free(shown);
		}
		if (cs->err || off < (size_t)len)
			break;
	}
	vfs_close(s->task, fd);
	return cs->err;
}

/* The arguments of cmd before the cursor's word decide what that word is. */
static int complete_args(struct cands *cs, struct session *s, const struct cmd *cmd)
{
	const struct lexed *lx = cs->lx;
	const char *cur = lex_cur(lx);
	bool opts_done = false, want_arg = false;
	size_t i, operands = 0;
	struct synopsis syn;

	syn_parse(cmd->synopsis, &syn);
	/* Walk the words as cmd_opts_next will: options until "--" or the first operand. */
	for (i = 1; i < lx->nwords; i++) {
		const char *w = lx->words[i];
		int o;

		if (want_arg) {
			want_arg = false;
			continue;
		}
		if (opts_done || w[0] != '-' || w[1] == '\0') {
			opts_done = true;
			operands++;
			continue;
		}
		if (strcmp(w, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (w[1] == '-') {
			o = syn_find_opt(&syn, w, strcspn(w, "="));
			want_arg = o >= 0 && syn.opt_arg[o] && !strchr(w, '=');
			continue;
		}
		for (w++; *w; w++) {
			char name[3] = { '-', *w, '\0' };

			o = syn_find_opt(&syn, name, 2);
			if (o >= 0 && syn.opt_arg[o]) {
				want_arg = w[1] == '\0'; /* else attached: "-ttmpfs" */
				break;
			}
		}
	}
	if (!want_arg && !opts_done && cur[0] == '-' && syn.nopts) {
		complete_list(cs, syn.opts, syn.nopts, cur);
		return cs->err;
	}
	if (!want_arg && operands == 0 && syn.nkeywords) {
		complete_list(cs, syn.keywords, syn.nkeywords, cur);
		return cs->err;
	}
	if (!want_arg && operands == 0 && syn.cmd_operand) {
		complete_commands(cs, cur);
		return cs->err;
	}
	return complete_paths(cs, s, cur);
}

int complete_line(struct session *s, const char *line, size_t point, struct completion *c)
{
	struct cands cs = { 0 };
	struct lexed lx;
	int err = 0;

	memset(c, 0, sizeof(*c));
	if (point > strlen(line))
		point = strlen(line);
	lex(line, point, &lx);
	c->start = lx.start;
	cs.line = line;
	cs.point = point;
	cs.lx = &lx;
	if (lx.err) {
		err = lx.err;
	} else if (lx.comment || lx.dangling) {
		/* nothing to complete */
	} else if (lx.nwords == 0) {
		complete_commands(&cs, lex_cur(&lx));
	} else {
		const struct cmd *cmd = cmd_lookup(s, lx.words[0], false);

		if (cmd)
			err = complete_args(&cs, s, cmd);
	}
	if (!err)
		err = cands_finish(&cs, c);
	cands_free(&cs);
	lex_free(&lx);
	if (err) {
		completion_free(c);
		c->n = 0;
	}
	return err;
}

void completion_free(struct completion *c)
{
	size_t i;

	for (i = 0; c->words && c->words[i]; i++)
		free(c->words[i]);
	for (i = 0; c->shown && c->shown[i]; i++)
		free(c->shown[i]);
	free(c->words);
	free(c->shown);
	c->words = NULL;
	c->shown = NULL;
	c->n = 0;
}

/* ---------------------------------------------------------------- readline glue */

static struct session *rl_session;
static struct completion rl_last; /* what the list display shows (the last completion) */
static char **gen_words;	  /* the candidates rl_completion_matches collects */
static size_t gen_n, gen_i;

static char *gen_next(const char *text, int state)
{
	(void)text;
	if (state == 0)
		gen_i = 0;
	return gen_i < gen_n ? strdup(gen_words[gen_i++]) : NULL;
}

/* readline's default completer lists the host's files: never wanted here. */
static char *no_default(const char *text, int state)
{
	(void)text;
	(void)state;
	return NULL;
}

/* Whether line[index] is inside quotes, by the REPL's rules (readline asks when it looks
 * for the start of a word that holds quotes). */
static int char_is_quoted(char *line, int index)
{
	char q = 0;
	int i;

	for (i = 0; i < index && line[i]; i++) {
		if (q == '"' && line[i] == '\\' && line[i + 1])
			i++;
		else if (q && line[i] == q)
			q = 0;
		else if (!q && (line[i] == '\'' || line[i] == '"'))
			q = line[i];
	}
	return q != 0;
}

char **complete_rl_attempt(const char *text, int start, int end)
{
	const char *line = rl_line_buffer;
	struct completion c;
	char **matches = NULL, **adj;
	size_t i, skip = 0, pre = 0;

	/* Never fall back to readline's filename completion (the host's files), and close
	 * quotes ourselves: a directory keeps its quote open. */
	rl_attempted_completion_over = 1;
	rl_completion_suppress_quote = 1;
	if (!rl_session || !line || start < 0 || end < start)
		return NULL;
	if (complete_line(rl_session, line, (size_t)end, &c) || c.n == 0) {
		completion_free(&c);
		return NULL;
	}
	/*
	 * readline replaces line[start..end); our candidates replace line[c.start..end) and
	 * begin with it as typed, so they are cut or extended to readline's start. Inside
	 * an open quote readline starts after the quote and, when the replacement begins
	 * with that quote character, replaces the quote too (insert_match): cutting one
	 * character less keeps the quote at the head of every candidate, so it always does.
	 */
	if ((size_t)start >= c.start) {
		skip = (size_t)start - c.start;
		if (skip > 0 && rl_completion_quote_character &&
		    line[start - 1] == rl_completion_quote_character)
			skip--;
	} else {
		pre = c.start - (size_t)start;
	}
	adj = calloc(c.n + 1, sizeof(*adj));
	if (!adj)
		goto out;
	for (i = 0; i < c.n; i++) {
		if (strlen(c.words[i]) < skip ||
		    asprintf(&adj[i], "%.*s%s", (int)pre, line + start, c.words[i] + skip) < 0) {
			adj[i] = NULL;
			goto out_adj;
		}
	}
	gen_words = adj;
	gen_n = c.n;
	matches = rl_completion_matches(text, gen_next);
	gen_words = NULL;
	gen_n = 0;
	/* A directory is not the end of the word: no space after it. */
	if (c.n == 1) {
		size_t len = strlen(c.shown[0]);

		if (len && c.shown[0][len - 1] == '/')
			rl_completion_suppress_append = 1;
	}
out_adj:
	for (i = 0; i < c.n; i++)
		free(adj[i]);
	free(adj);
out:
	completion_free(&rl_last);
	rl_last = c;
	return matches;
}

/* Lists candidates by their names (the last component, '/' after a directory) rather
 * than the whole quoted word, as readline does for filenames. */
static void display_matches(char **matches, int num, int max)
{
	char **list;
	int i, width = 0;

	list = calloc((size_t)num + 2, sizeof(*list));
	if (!list || rl_last.n != (size_t)num) {
		free(list);
		rl_display_match_list(matches, num, max);
		rl_forced_update_display();
		return;
	}
	list[0] = matches[0];
	for (i = 0; i < num; i++) {
		int len = (int)strlen(rl_last.shown[i]);

		list[i + 1] = rl_last.shown[i];
		if (len > width)
			width = len;
	}
	rl_display_match_list(list, num, width);
	rl_forced_update_display();
	free(list);
}

void complete_rl_init(struct session *s)
{
	rl_session = s;
	rl_readline_name = "vfslab";
	rl_attempted_completion_function = complete_rl_attempt;
	rl_completion_entry_function = no_default;
	/* Words end at blanks and at ';' (commands); quotes are the REPL's two. */
	rl_completer_word_break_characters = " \t\n;";
	rl_completer_quote_characters = "'\"";
	rl_char_is_quoted_p = char_is_quoted;
	rl_completion_display_matches_hook = display_matches;
}

void complete_rl_fini(void)
{
	rl_session = NULL;
	completion_free(&rl_last);
	rl_attempted_completion_function = NULL;
	rl_completion_entry_function = NULL;
	rl_char_is_quoted_p = NULL;
	rl_completion_display_matches_hook = NULL;
}
