/*
 * complete.h - tab completion for the REPL: command names, options and paths inside the
 * VFS, with the command language's quoting.
 *
 * The core, complete_line(), needs no terminal: it reads a line the way the REPL splits it
 * and returns what the word under the cursor may become. The readline glue is a thin layer
 * over it (complete_rl_*), and the tests drive both: the core directly, the glue through
 * readline's own rl_complete() and readline().
 */
#ifndef VFSLAB_TUI_COMPLETE_H
#define VFSLAB_TUI_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

struct session;

/*
 * What the word under the cursor may become. Each candidate replaces line[start..point):
 * it begins with that text exactly as typed and continues it in the quoting the typed text
 * left open, adding quotes where a name needs them ('...' or "..." with C escapes, the
 * REPL's word rules). A whole word (command, keyword, option, file) ends outside quotes; a
 * directory ends with '/' and its quote, if one is open, left open so that the next name
 * can be typed or completed inside it.
 */
struct completion {
	size_t start; /* where the word being completed begins in the line */
	size_t n;     /* number of candidates */
	char **words; /* the candidates, sorted (byte order), unique, NULL-terminated */
	char **shown; /* each as a list shows it: the bare name, with '/' after a directory */
};

/*
 * Completes the word that ends at line[point]: the command name for the first word of a
 * command (names from cmd_table, aliases left out; after ';' and the '-' marker too),
 * the options of the command (read off its synopsis) for a word starting with '-' before
 * its first operand, the keywords of a synopsis's first operand ("verity enable|measure",
 * command names for "help [CMD]"), and otherwise paths in the VFS, listed through the
 * public API as the session's task (relative to its working directory, with its
 * permissions; names starting with '.' only when the typed name does). Nothing in a
 * comment. Returns 0 (c->n may be 0: no candidates, or a directory that cannot be read)
 * or -ENOMEM; free c with completion_free() either way.
 */
int complete_line(struct session *s, const char *line, size_t point, struct completion *c);
void completion_free(struct completion *c);

/*
 * The readline glue. complete_rl_init() installs completion for session s in readline's
 * globals: the attempted-completion function below, our word-break and quote rules, a
 * list display showing bare names, and no fallback to the host's filenames (readline's
 * default completer is switched off). complete_rl_fini() forgets the session.
 */
void complete_rl_init(struct session *s);
void complete_rl_fini(void);
/* The rl_attempted_completion_function: candidates for rl_line_buffer[start..end), as
 * readline asks for them (exposed for the tests). */
char **complete_rl_attempt(const char *text, int start, int end);

#endif
