/* test_verdicts.c - what happened -> status -> exit code for the new verdicts
 * (report_outcome.c), the learner's file in each format with a message that names the
 * limit (report_feedback_format.c), when usher writes it and which empty files it
 * removes (report_feedback.c), and the room reserved for it (report_reserve.c). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "feedback.h"
#include "lockdown.h"
#include "plan.h"
#include "report.h"
#include "reserve.h"
#include "stages.h"
#include "sys_fake.h"

static struct usher_config load(int argc, char **argv)
{
	struct usher_config cfg;
	struct usher_report rep = {0};
	char *envp[] = {NULL};
	config_free(&cfg);
	assert_int_equal(config_load(argc, argv, envp, &cfg, &rep), 0);
	return cfg;
}

#define LOAD(...)                                                                      \
	({                                                                             \
		char *argv_[] = {(char *)"usher", __VA_ARGS__, (char *)"--", (char *)"/g", NULL}; \
		load((int)(sizeof argv_ / sizeof argv_[0]) - 1, argv_);                \
	})

static void outcomes(void **state)
{
	(void)state;
	static const struct {
		int signal, exit;
		enum usher_limit limit;
		uint64_t oom;
		enum usher_status want;
		int code;
	} rows[] = {
		{0, 0, LIMIT_NONE, 0, ST_EXITED, 0},
		{0, 3, LIMIT_NONE, 1, ST_EXITED, 3},         /* a learner's process was OOM-killed; the grader coped */
		{SIGKILL, -1, LIMIT_NONE, 0, ST_SIGNALED, 137},
		{SIGKILL, -1, LIMIT_NONE, 1, ST_MEMORY_LIMIT, 137}, /* the OOM killer */
		{SIGKILL, -1, LIMIT_MEMORY, 0, ST_MEMORY_LIMIT, 137}, /* usher's guard */
		{SIGKILL, -1, LIMIT_CPU_TIME, 0, ST_CPU_TIME_LIMIT, 152},
		{SIGXCPU, -1, LIMIT_NONE, 0, ST_CPU_TIME_LIMIT, 152},
		{SIGXFSZ, -1, LIMIT_NONE, 0, ST_FILE_SIZE_LIMIT, 153},
		{SIGTERM, -1, LIMIT_TIMEOUT, 0, ST_TIMEOUT, 124},
		{SIGKILL, -1, LIMIT_CPU_TIME, 1, ST_CPU_TIME_LIMIT, 152}, /* the first limit is the cause */
		{SIGSEGV, -1, LIMIT_NONE, 0, ST_SIGNALED, 139},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct usher_report rep = {0};
		rep.grader.ran = true;
		rep.grader.signal = rows[i].signal;
		rep.grader.exit_code = rows[i].exit;
		rep.grader.limit = rows[i].limit;
		rep.grader.oom_kills = rows[i].oom;
		rep.status = outcome_after_grader(&rep);
		assert_int_equal(rep.status, rows[i].want);
		assert_int_equal(outcome_exit_code(&rep), rows[i].code);
	}
	assert_string_equal(status_name(ST_MEMORY_LIMIT), "memory_limit");
	assert_string_equal(status_name(ST_CPU_TIME_LIMIT), "cpu_time_limit");
	assert_string_equal(status_name(ST_FILE_SIZE_LIMIT), "file_size_limit");
}

static void render(const struct usher_config *cfg, struct usher_report *rep, enum usher_status st, char *buf,
		   size_t len)
{
	rep->status = st;
	int n = feedback_render(cfg, rep, buf, len);
	assert_true(n > 0);
	assert_int_equal(buf[n - 1], '\n');
	buf[n] = '\0';
}

/* Every status renders in every format, and the messages name the limit. */
static void formats(void **state)
{
	(void)state;
	char buf[4096];
	struct usher_config cfg = LOAD((char *)"--timeout=90", (char *)"--cpu-time=2.5", (char *)"--rlimit=fsize=10M");
	struct usher_report rep = {0};
	rep.grader.ran = true;
	rep.grader.memory_limit = UINT64_C(512) << 20;
	for (int f = FEEDBACK_COURSERA; f <= FEEDBACK_PRAIRIELEARN; f++) {
		cfg.feedback_format = (enum usher_feedback_format)f;
		for (int st = 0; st < USHER_STATUS_COUNT; st++) {
			render(&cfg, &rep, (enum usher_status)st, buf, sizeof buf);
			assert_non_null(strstr(buf, f == FEEDBACK_COURSERA ? "{\"fractionalScore\":0.000,\"feedback\":\""
						    : f == FEEDBACK_GRADESCOPE ? "{\"score\":0.000,\"output\":\""
									       : "{\"gradable\":"));
		}
	}
	cfg.feedback_format = FEEDBACK_COURSERA;
	render(&cfg, &rep, ST_MEMORY_LIMIT, buf, sizeof buf);
	assert_non_null(strstr(buf, "Your program used more than 512 MiB of memory."));
	render(&cfg, &rep, ST_TIMEOUT, buf, sizeof buf);
	assert_non_null(strstr(buf, "within the time limit of 90 seconds."));
	render(&cfg, &rep, ST_CPU_TIME_LIMIT, buf, sizeof buf);
	assert_non_null(strstr(buf, "more than 2.5 seconds of CPU time."));
	render(&cfg, &rep, ST_FILE_SIZE_LIMIT, buf, sizeof buf);
	assert_non_null(strstr(buf, "a file larger than 10 MiB."));
	/* PrairieLearn: gradable with a score where the learner's program hit a limit;
	 * not gradable (no attempt charged, no score) where the fault is elsewhere. */
	cfg.feedback_format = FEEDBACK_PRAIRIELEARN;
	render(&cfg, &rep, ST_MEMORY_LIMIT, buf, sizeof buf);
	assert_non_null(strstr(buf, "\"gradable\":true,\"score\":0.000,"));
	render(&cfg, &rep, ST_SETUP_FAILED, buf, sizeof buf);
	assert_non_null(strstr(buf, "\"gradable\":false,\"message\":"));
	assert_null(strstr(buf, "score"));
	rep.error.set = true;
	snprintf(rep.error.message, sizeof rep.error.message, "submission/x: a FIFO");
	render(&cfg, &rep, ST_REJECTED, buf, sizeof buf);
	assert_non_null(strstr(buf, "\"format_errors\":[\"Your submission was not accepted: submission/x: a FIFO.\"]"));
	config_free(&cfg);
}

static void overrides(void **state)
{
	(void)state;
	char buf[4096];
	struct usher_config cfg = LOAD((char *)"--feedback-message=memory_limit=Too much memory\\, sorry",
				       (char *)"--feedback-format=gradescope");
	struct usher_report rep = {0};
	render(&cfg, &rep, ST_MEMORY_LIMIT, buf, sizeof buf);
	assert_string_equal(buf, "{\"score\":0.000,\"output\":\"Too much memory, sorry\"}\n");
	render(&cfg, &rep, ST_TIMEOUT, buf, sizeof buf); /* the others keep their default */
	assert_non_null(strstr(buf, "time limit"));
	/* Gradescope's and PrairieLearn's defaults: their own results.json. */
	assert_int_equal(cfg.feedback.n, 1);
	assert_string_equal(cfg.feedback.v[0], "/autograder/results/results.json");
	config_free(&cfg);
	char *bad[] = {(char *)"usher", (char *)"--feedback-message=oom=x", (char *)"--", (char *)"/g", NULL};
	char *envp[] = {NULL};
	struct usher_report r2 = {0};
	assert_true(config_load(4, bad, envp, &cfg, &r2) < 0);
	config_free(&cfg);
}

static void when_usher_writes(void **state)
{
	(void)state;
	assert_true(feedback_usher_ended(ST_TIMEOUT));
	assert_true(feedback_usher_ended(ST_MEMORY_LIMIT));
	assert_true(feedback_usher_ended(ST_REJECTED));
	assert_true(feedback_usher_ended(ST_EXEC_FAILED));
	assert_false(feedback_usher_ended(ST_EXITED));
	assert_false(feedback_usher_ended(ST_SIGNALED));
	assert_true(feedback_gradable(ST_CPU_TIME_LIMIT));
	assert_false(feedback_gradable(ST_SIDECAR_FAILED));
	assert_false(feedback_gradable(ST_EXITED));
}

static char dir[64];

static char *slurp(const char *name)
{
	static char buf[4096];
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* One run's files, end to end on a directory: prepare, the grader's part, finish. */
static void run(const char *grader_writes, enum usher_status st, bool want_usher)
{
	char list[256], a[128];
	snprintf(dir, sizeof dir, "/tmp/usher-fb.XXXXXX");
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755); /* the grader (uid 1234) reaches it: no warning */
	snprintf(list, sizeof list, "--feedback=%s/feedback.json,%s/html.html", dir, dir);
	struct usher_config cfg = LOAD(list);
	struct usher_report rep = {0};
	struct usher_plan plan = {.result_dirfd = -1, .uid = 1234, .gid = 1234, .switch_ids = true};
	fake_reset();
	assert_int_equal(feedback_prepare(&cfg, &plan, &rep), 0);
	assert_non_null(plan.feedback);
	/* Room is taken now: the temp file exists, full size, before any grader. */
	struct stat st_tmp;
	snprintf(a, sizeof a, "%s/.feedback.json.usher-tmp.%d", dir, (int)getpid());
	assert_int_equal(stat(a, &st_tmp), 0);
	assert_true(st_tmp.st_blocks * 512 >= RESERVE_BYTES);
	if (grader_writes) {
		snprintf(a, sizeof a, "%s/feedback.json", dir);
		FILE *f = fopen(a, "w");
		fputs(grader_writes, f);
		fclose(f);
	}
	rep.status = st;
	rep.grader.ran = true;
	feedback_finish(&cfg, &plan, &rep);
	feedback_cleanup(&plan);
	char *got = slurp("feedback.json");
	assert_non_null(got);
	if (want_usher)
		assert_non_null(strstr(got, "fractionalScore"));
	else
		assert_string_equal(got, grader_writes);
	assert_null(slurp("html.html")); /* created by usher, left empty: removed */
	snprintf(a, sizeof a, "%s/.feedback.json.usher-tmp.%d", dir, (int)getpid());
	assert_int_equal(stat(a, &st_tmp), -1); /* the room is given back */
	snprintf(a, sizeof a, "rm -rf %s", dir);
	assert_int_equal(system(a), 0);
	config_free(&cfg);
}

static void finish_cases(void **state)
{
	(void)state;
	run("{\"fractionalScore\": 1, \"feedback\": \"ok\"}", ST_EXITED, false); /* the grader's grade stands */
	run(NULL, ST_EXITED, true);                                          /* the grader wrote none */
	run("{\"fractionalScore\": 1, \"feedback\": \"half", ST_TIMEOUT, true); /* usher ended it */
	run(NULL, ST_REJECTED, true);
}

/* The reserved room holds what is published into it even when the filesystem has no
 * other room (here: the published data replaces the reservation in place). */
static void reservation(void **state)
{
	(void)state;
	struct reserved r;
	snprintf(dir, sizeof dir, "/tmp/usher-rsv.XXXXXX");
	assert_non_null(mkdtemp(dir));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(reserve(&r, dfd, "result.json", 8192), 0);
	assert_int_equal(reserved_publish(&r, "result.json", "{}\n", 3, 0644), 0);
	assert_string_equal(slurp("result.json"), "{}\n");
	/* Bigger than the room: refused, so the caller uses file_publish instead. */
	assert_int_equal(reserve(&r, dfd, "result.json", 2), 0);
	assert_int_equal(reserved_publish(&r, "result.json", "{\"a\":1}\n", 8, 0644), -EFBIG);
	assert_string_equal(slurp("result.json"), "{}\n");
	close(dfd);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(outcomes),
		cmocka_unit_test(formats),
		cmocka_unit_test(overrides),
		cmocka_unit_test(when_usher_writes),
		cmocka_unit_test(finish_cases),
		cmocka_unit_test(reservation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
