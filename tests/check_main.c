/*
 * check_main.c - the one test runner: every Check suite of tests/check_NAME.c, in one
 * SRunner.
 *
 * The list of suites is not kept by hand: the Makefile generates test-list.h with one
 * SUITE(NAME) line per tests/check_NAME.c (this file excepted), and each of those files
 * defines `Suite *NAME_suite(void)`. Adding a suite is adding a file.
 *
 * Check's environment variables work as usual: CK_RUN_SUITE and CK_RUN_CASE pick a suite
 * and a test case, CK_FORK=no runs the tests in this process (for gdb and valgrind),
 * CK_VERBOSITY=verbose lists every test (the default is CK_NORMAL, whose summary line is
 * "100%: Checks: N, Failures: 0, Errors: 0"), CK_DEFAULT_TIMEOUT and CK_TIMEOUT_MULTIPLIER
 * set the per-test timeout, CK_XML_LOG_FILE_NAME and CK_TAP_LOG_FILE_NAME write logs.
 * Arguments do the same as CK_RUN_SUITE/CK_RUN_CASE: `check_all [SUITE [CASE]]`.
 *
 * The exit status is 0 only if at least one check ran and none failed: a run that
 * selects nothing is a failure, so a typo in CK_RUN_SUITE cannot pass silently.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define SUITE(name) Suite *name##_suite(void);
#include "test-list.h"
#undef SUITE

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [SUITE [CASE]]\n", argv0);
	fprintf(stderr, "suites:");
#define SUITE(name) fprintf(stderr, " %s", #name);
#include "test-list.h"
#undef SUITE
	fprintf(stderr, "\n");
}

int main(int argc, char **argv)
{
	const char *suite = NULL, *tcase = NULL;
	SRunner *sr = NULL;
	int run, failed;

	if (argc > 3 || (argc > 1 && argv[1][0] == '-')) {
		usage(argv[0]);
		return 2;
	}
	if (argc > 1)
		suite = argv[1];
	if (argc > 2)
		tcase = argv[2];

#define SUITE(name)                                            \
	do {                                                   \
		if (!sr)                                       \
			sr = srunner_create(name##_suite());   \
		else                                           \
			srunner_add_suite(sr, name##_suite()); \
	} while (0);
#include "test-list.h"
#undef SUITE

	if (!sr) {
		fprintf(stderr, "check_all: no suites were built in (no tests/check_*.c)\n");
		return 1;
	}
	/* CK_ENV: CK_VERBOSITY if set, else CK_NORMAL. NULL names defer to CK_RUN_SUITE and
	 * CK_RUN_CASE. */
	srunner_run(sr, suite, tcase, CK_ENV);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	if (run == 0) {
		if (!suite)
			suite = getenv("CK_RUN_SUITE");
		if (!tcase)
			tcase = getenv("CK_RUN_CASE");
		fprintf(stderr, "check_all: FAILED: no checks ran (suite %s, case %s)\n",
			suite ? suite : "all", tcase ? tcase : "all");
		return 1;
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
