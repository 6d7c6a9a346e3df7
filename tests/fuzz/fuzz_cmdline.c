/*
 * fuzz_cmdline.c - libFuzzer target for the command parser: the input is a script of
 * REPL lines run in batch mode through the one command table (cmd_split_commands, then
 * cmd_run_line, as tui/main.c does for -f), output and errors to /dev/null.
 *
 * Each input gets a fresh session (a simulated kernel, seed 1), so inputs do not see each
 * other's files; at most 32 commands run per input, and `quit` ends it early. Links the
 * front end's objects (tui/cmd*.c, tui/op*.c) besides libvfslab.a.
 *
 * Seeds: tests/fuzz/corpus/cmdline/. No main: libFuzzer provides it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct session s;
	char *text, *line, *save = NULL;
	int ran = 0;

	if (size > 8192)
		return 0;
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (session_init(&s)) {
		free(text);
		return 0;
	}
	s.out = devnull;
	s.err = devnull;
	s.batch = true;
	s.src = "fuzz";
	for (line = strtok_r(text, "\n", &save); line && !s.quit && ran < 32;
	     line = strtok_r(NULL, "\n", &save)) {
		char **cmds;
		int n = cmd_split_commands(line, &cmds), i;

		s.line++;
		for (i = 0; i < n && !s.quit && ran < 32; i++, ran++) {
			bool ignore;
			int rc = cmd_run_line(&s, cmds[i], &ignore);

			if (rc != CMD_OK && rc != CMD_FAIL && rc != CMD_USAGE)
				abort(); /* a handler returned something that is not a status */
		}
		cmd_free_words(n, cmds);
	}
	session_fini(&s);
	free(text);
	return 0;
}
