/* test_config.c - the command line and USHER_* contract of SPEC.md "Command line". */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "stages.h"

static struct usher_config cfg;
static struct usher_report rep;

/* Parse a NULL-terminated argv (without argv[0]) with a NULL-terminated environment. */
static int load(const char **args, const char **env)
{
	static char *argv[64];
	static char envbuf[32][256];
	static char *envp[33];
	int argc = 1;
	argv[0] = (char *)"usher";
	for (; args && *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	int n = 0;
	for (; env && *env; env++, n++) {
		snprintf(envbuf[n], sizeof envbuf[n], "%s", *env); /* writable: secrets get wiped */
		envp[n] = envbuf[n];
	}
	envp[n] = NULL;
	config_free(&cfg);
	memset(&rep, 0, sizeof rep);
	return config_load(argc, argv, envp, &cfg, &rep);
}

#define ARGS(...) ((const char *[]){__VA_ARGS__, NULL})
#define ENV(...) ((const char *[]){__VA_ARGS__, NULL})

static void defaults(void **state)
{
	(void)state;
	assert_int_equal(load(ARGS("--", "/bin/true"), NULL), 0);
	assert_int_equal(cfg.command, CMD_SHIM);
	assert_string_equal(cfg.submission, "/shared/submission");
	assert_string_equal(cfg.ready_file, "/shared/submission.ready");
	assert_string_equal(cfg.failed_file, "/shared/submission.failed");
	assert_int_equal(cfg.wait_timeout_ms, 600000);
	assert_false(cfg.no_wait);
	assert_int_equal(cfg.max_files, 10000);
	assert_int_equal(cfg.max_bytes, 1 << 30);
	assert_int_equal(cfg.max_depth, 32);
	assert_string_equal(cfg.user_spec, "auto"); /* a uid of the run's own, chosen by the plan */
	assert_true(cfg.user_auto);
	assert_false(cfg.user_explicit);
	assert_int_equal(cfg.require, 0);
	assert_int_equal(cfg.unsafe, 0);
	assert_int_equal(cfg.keep_caps, 0);
	assert_int_equal(cfg.writable.n, 3);
	assert_string_equal(cfg.writable.v[0], "/tmp");
	assert_int_equal(cfg.feedback.n, 3);
	assert_string_equal(cfg.feedback.v[0], "/shared/feedback.json");
	assert_int_equal(cfg.network, NET_LOOPBACK);
	assert_int_equal(cfg.seccomp, SECCOMP_DEFAULT);
	assert_int_equal(cfg.landlock, LANDLOCK_AUTO);
	assert_true(cfg.rlimits[RLIMIT_CORE].set);
	assert_int_equal(cfg.rlimits[RLIMIT_CORE].hard, 0);
	assert_int_equal(cfg.rlimits[RLIMIT_NPROC].soft, 1024);
	assert_int_equal(cfg.rlimits[RLIMIT_NOFILE].soft, 1024);
	assert_int_equal(cfg.rlimits[RLIMIT_FSIZE].soft, 1 << 30);
	assert_false(cfg.rlimits[RLIMIT_AS].set);
	assert_int_equal(cfg.timeout_ms, 0);
	assert_int_equal(cfg.kill_after_ms, 5000);
	assert_false(cfg.exec_mode);
	assert_null(cfg.result_path);
	assert_int_equal(cfg.log_format, LOG_TEXT);
	assert_string_equal(cfg.argv[0], "/bin/true");
}

static void every_option(void **state)
{
	(void)state;
	assert_int_equal(load(ARGS("--submission", "/s/sub/", "--ready-file=/r", "--failed-file", "/f",
				   "--wait-timeout", "1.5", "--no-wait", "--wait-poll", "--max-files", "7",
				   "--max-bytes", "3M", "--max-depth", "4", "--user", "1000:2000",
				   "--keep-cap", "NET_BIND_SERVICE,cap_chown", "--keep-cap", "kill",
				   "--writable", "/w1,/w2", "--feedback", "/fb.json", "--allow-network",
				   "--seccomp", "none", "--landlock", "require", "--rlimit",
				   "nofile=10:20,as=1G", "--env-keep", "PATH", "--env-drop", "X",
				   "--setenv", "A=1,B=x\\,y", "--timeout", "30", "--kill-after", "0.25",
				   "--exec", "--result", "/r.json", "--log-format", "json", "-v",
				   "--require", "uid-switch,landlock=4,landlock", "--unsafe", "same-uid", "--",
				   "prog", "arg"),
			      ENV("PATH=/bin", "X=1", "Y=2")),
			 0);
	assert_string_equal(cfg.submission, "/s/sub/");
	assert_string_equal(cfg.ready_file, "/r");
	assert_string_equal(cfg.failed_file, "/f");
	assert_int_equal(cfg.wait_timeout_ms, 1500);
	assert_true(cfg.no_wait);
	assert_true(cfg.wait_poll);
	assert_int_equal(cfg.max_files, 7);
	assert_int_equal(cfg.max_bytes, 3 << 20);
	assert_int_equal(cfg.max_depth, 4);
	assert_int_equal(cfg.uid, 1000);
	assert_int_equal(cfg.gid, 2000);
	assert_true(cfg.user_explicit);
	assert_false(cfg.user_auto);
	assert_int_equal(cfg.require, (1u << PROT_UID_SWITCH) | (1u << PROT_LANDLOCK));
	assert_int_equal(cfg.require_landlock_abi, 4); /* the highest asked for */
	assert_int_equal(cfg.unsafe, UNSAFE_SAME_UID);
	assert_int_equal(cfg.keep_caps, (1u << 10) | (1u << 0) | (1u << 5));
	assert_int_equal(cfg.writable.n, 2);
	assert_string_equal(cfg.writable.v[1], "/w2");
	assert_int_equal(cfg.feedback.n, 1);
	assert_int_equal(cfg.network, NET_ALL);
	assert_int_equal(cfg.seccomp, SECCOMP_NONE);
	assert_int_equal(cfg.landlock, LANDLOCK_REQUIRE);
	assert_int_equal(cfg.rlimits[RLIMIT_NOFILE].soft, 10);
	assert_int_equal(cfg.rlimits[RLIMIT_NOFILE].hard, 20);
	assert_int_equal(cfg.rlimits[RLIMIT_AS].soft, 1 << 30);
	assert_int_equal(cfg.rlimits[RLIMIT_NPROC].soft, 1024); /* defaults stay for the rest */
	assert_true(cfg.env_keep_set);
	assert_int_equal(cfg.timeout_ms, 30000);
	assert_int_equal(cfg.kill_after_ms, 250);
	assert_true(cfg.exec_mode);
	assert_string_equal(cfg.result_path, "/r.json");
	assert_int_equal(cfg.log_format, LOG_JSON);
	assert_int_equal(cfg.verbosity, 1);
	assert_string_equal(cfg.argv[1], "arg");
	/* --env-keep PATH, --setenv A and B (with an escaped comma); X dropped, Y not kept */
	assert_string_equal(cfg.grader_env[0], "PATH=/bin");
	assert_string_equal(cfg.grader_env[1], "A=1");
	assert_string_equal(cfg.grader_env[2], "B=x,y");
	assert_null(cfg.grader_env[3]);
	/* sibling markers derive from the submission without its trailing slash */
	assert_int_equal(load(ARGS("--submission", "/s/sub/", "--", "p"), NULL), 0);
	assert_string_equal(cfg.ready_file, "/s/sub.ready");
}

static void env_twins(void **state)
{
	(void)state;
	assert_int_equal(load(ARGS("--", "p"),
			      ENV("USHER_SUBMISSION=/e", "USHER_WAIT_TIMEOUT=2", "USHER_NO_WAIT=yes",
				  "USHER_MAX_FILES=3", "USHER_MAX_BYTES=1k", "USHER_USER=5",
				  "USHER_KEEP_CAP=NET_RAW", "USHER_WRITABLE=/a,/b",
				  "USHER_ALLOW_NETWORK=1", "USHER_SECCOMP=/pol",
				  "USHER_LANDLOCK=off", "USHER_RLIMIT=cpu=5", "USHER_TIMEOUT=9",
				  "USHER_EXEC=true", "USHER_RESULT=/res", "USHER_QUIET=on")),
			 0);
	assert_string_equal(cfg.submission, "/e");
	assert_string_equal(cfg.ready_file, "/e.ready");
	assert_int_equal(cfg.wait_timeout_ms, 2000);
	assert_true(cfg.no_wait);
	assert_int_equal(cfg.max_files, 3);
	assert_int_equal(cfg.max_bytes, 1024);
	assert_int_equal(cfg.uid, 5);
	assert_int_equal(cfg.keep_caps, 1u << 13);
	assert_int_equal(cfg.writable.n, 2);
	assert_int_equal(cfg.network, NET_ALL);
	assert_int_equal(cfg.seccomp, SECCOMP_FILE);
	assert_string_equal(cfg.seccomp_file, "/pol");
	assert_int_equal(cfg.landlock, LANDLOCK_OFF);
	assert_int_equal(cfg.rlimits[RLIMIT_CPU].soft, 5);
	assert_int_equal(cfg.timeout_ms, 9000);
	assert_true(cfg.exec_mode);
	assert_string_equal(cfg.result_path, "/res");
	assert_int_equal(cfg.verbosity, -1);
	/* a false boolean variable leaves the default */
	assert_int_equal(load(ARGS("--", "p"), ENV("USHER_NO_WAIT=0")), 0);
	assert_false(cfg.no_wait);
	/* an empty list variable is "not given" */
	assert_int_equal(load(ARGS("--", "p"), ENV("USHER_WRITABLE=")), 0);
	assert_int_equal(cfg.writable.n, 3);
}

static void flag_beats_variable(void **state)
{
	(void)state;
	assert_int_equal(load(ARGS("--wait-timeout", "5", "--writable", "/x", "--", "p"),
			      ENV("USHER_WAIT_TIMEOUT=7", "USHER_WRITABLE=/a,/b", "USHER_MAX_FILES=9")),
			 0);
	assert_int_equal(cfg.wait_timeout_ms, 5000);
	assert_int_equal(cfg.writable.n, 1); /* the flag's list replaces the variable's */
	assert_string_equal(cfg.writable.v[0], "/x");
	assert_int_equal(cfg.max_files, 9); /* variables still apply to other options */
	/* a bad variable for an option a flag set is never looked at */
	assert_int_equal(load(ARGS("--timeout", "1", "--", "p"), ENV("USHER_TIMEOUT=bad")), 0);
}

static void usher_vars_never_reach_grader(void **state)
{
	(void)state;
	assert_int_equal(load(ARGS("--env-keep", "USHER_NO_WAIT,AWS_SECRET_ACCESS_KEY,HOME", "--", "p"),
			      ENV("USHER_NO_WAIT=1", "AWS_SECRET_ACCESS_KEY=s", "HOME=/h",
				  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/x",
				  "ECS_CONTAINER_METADATA_URI_V4=http://x", "AWS_SESSION_TOKEN=t")),
			 0);
	assert_string_equal(cfg.grader_env[0], "HOME=/h");
	assert_null(cfg.grader_env[1]);
	assert_true(env_is_secret("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/x"));
	assert_true(env_is_secret("ECS_AGENT_URI=x"));
	/* Every AWS_ and ECS_ variable, and the token names the issue found reaching the
	 * grader; never Coursera's own. */
	static const char *const denied[] = {
		"AWS_REGION=us-east-1", "AWS_SECURITY_TOKEN=t", "AWS_WEB_IDENTITY_TOKEN_FILE=/t",
		"AWS_ROLE_ARN=arn:aws:iam::1:role/r", "AWS_BEARER_TOKEN_BEDROCK=b", "ECS_AGENT_URI_X=1",
		"GITHUB_TOKEN=g", "VAULT_TOKEN=v", "PGPASSWORD=p", "OPENAI_API_KEY=k", "DB_SECRET=s",
		"GOOGLE_APPLICATION_CREDENTIALS=/k.json", "KUBERNETES_SERVICE_HOST=10.0.0.1",
		"npm_config__auth_token=x",
	};
	for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
		if (!env_is_secret(denied[i]))
			fail_msg("%s would reach the grader", denied[i]);
	static const char *const passed[] = {"partId=abc", "filename=hw.py", "userId=42", "PATH=/bin",
					     "HOME=/root", "LANG=C.UTF-8", "TOKENIZER=bpe", "AWSOME=1"};
	for (size_t i = 0; i < sizeof passed / sizeof passed[0]; i++)
		if (env_is_secret(passed[i]))
			fail_msg("%s must reach the grader", passed[i]);
}

static void bad(const char **args, const char **env)
{
	assert_int_equal(load(args, env), -EINVAL);
	assert_true(rep.error.set);
	assert_string_equal(step_name(rep.error.step), "config");
}

static void malformed(void **state)
{
	(void)state;
	bad(ARGS("--wait-timeout", "", "--", "p"), NULL);
	bad(ARGS("--wait-timeout", "-1", "--", "p"), NULL);
	bad(ARGS("--wait-timeout", "10x", "--", "p"), NULL);
	bad(ARGS("--wait-timeout", " 1", "--", "p"), NULL);
	bad(ARGS("--wait-timeout", "1.2345", "--", "p"), NULL);
	bad(ARGS("--wait-timeout", "99999999999999999999", "--", "p"), NULL);
	bad(ARGS("--max-files", "+3", "--", "p"), NULL);
	bad(ARGS("--max-files", "18446744073709551616", "--", "p"), NULL);
	bad(ARGS("--max-bytes", "1T", "--", "p"), NULL);
	bad(ARGS("--max-bytes", "G", "--", "p"), NULL);
	bad(ARGS("--max-bytes", "17179869184G", "--", "p"), NULL); /* overflows with the suffix */
	bad(ARGS("--max-depth", "5000", "--", "p"), NULL);
	bad(ARGS("--keep-cap", "NET_BIND", "--", "p"), NULL);
	bad(ARGS("--keep-cap", "NET_RAW,,KILL", "--", "p"), NULL);
	bad(ARGS("--rlimit", "bogus=1", "--", "p"), NULL);
	bad(ARGS("--rlimit", "nofile", "--", "p"), NULL);
	bad(ARGS("--rlimit", "nofile=20:10", "--", "p"), NULL);
	bad(ARGS("--rlimit", "nofile=1:", "--", "p"), NULL);
	bad(ARGS("--landlock", "maybe", "--", "p"), NULL);
	bad(ARGS("--log-format", "xml", "--", "p"), NULL);
	bad(ARGS("--seccomp", "", "--", "p"), NULL);
	bad(ARGS("--writable", "tmp", "--", "p"), NULL);
	bad(ARGS("--setenv", "=x", "--", "p"), NULL);
	bad(ARGS("--setenv", "NOVALUE", "--", "p"), NULL);
	bad(ARGS("--env-drop", "A=B", "--", "p"), NULL);
	bad(ARGS("--user", "", "--", "p"), NULL);
	bad(ARGS("--user", "4294967295", "--", "p"), NULL);
	bad(ARGS("--user", "nosuchuser_zz", "--", "p"), NULL);
	bad(ARGS("--require", "nosuch", "--", "p"), NULL);
	bad(ARGS("--require", "uid-switch=2", "--", "p"), NULL);
	bad(ARGS("--require", "landlock=0", "--", "p"), NULL);
	bad(ARGS("--require", "seccomp", "--seccomp", "none", "--", "p"), NULL);
	bad(ARGS("--unsafe", "everything", "--", "p"), NULL);
	bad(ARGS("--network", "internet", "--", "p"), NULL);
	bad(ARGS("--no-wait=1", "--", "p"), NULL);
	bad(ARGS("--bogus", "--", "p"), NULL);
	bad(ARGS("-x", "--", "p"), NULL);
	bad(ARGS("--timeout"), NULL);
	bad(ARGS("/bin/true"), NULL);     /* missing -- */
	bad(ARGS("--no-wait"), NULL);     /* missing PROGRAM */
	bad(ARGS("--no-wait", "--"), NULL);
	bad(ARGS("--", "p"), ENV("USHER_NO_WAIT=maybe"));
	bad(ARGS("--", "p"), ENV("USHER_MAX_FILES=1e3"));
	bad(ARGS("--to", "/x", "--", "p"), NULL); /* deliver's option is not the shim's */
	/* the usage message names the option and the value */
	bad(ARGS("--max-files", "10x", "--", "p"), NULL);
	assert_non_null(strstr(rep.error.message, "--max-files"));
	assert_non_null(strstr(rep.error.message, "10x"));
}

static void result_known_before_usage_error(void **state)
{
	(void)state;
	bad(ARGS("--result", "/out.json", "--bogus", "--", "p"), NULL);
	assert_string_equal(cfg.result_path, "/out.json");
	bad(ARGS("--bogus", "--", "p"), ENV("USHER_RESULT=/env.json"));
	assert_string_equal(cfg.result_path, "/env.json");
}

static void commands(void **state)
{
	(void)state;
	assert_int_equal(load(ARGS("--help"), NULL), 0);
	assert_int_equal(cfg.command, CMD_HELP);
	assert_int_equal(load(ARGS("--version"), NULL), 0);
	assert_int_equal(cfg.command, CMD_VERSION);
	assert_int_equal(load(ARGS("--dry-run"), NULL), 0);
	assert_true(cfg.dry_run);
	assert_int_equal(load(ARGS("deliver", "--to", "/d", "a", "b"), NULL), 0);
	assert_int_equal(cfg.command, CMD_DELIVER);
	assert_string_equal(cfg.deliver_to, "/d");
	assert_string_equal(cfg.ready_file, "/d.ready");
	assert_int_equal(cfg.deliver_sources.n, 2);
	assert_int_equal(load(ARGS("deliver", "--fail", "no such object"), NULL), 0);
	assert_string_equal(cfg.deliver_fail, "no such object");
	assert_string_equal(cfg.deliver_to, "/shared/submission");
	assert_int_equal(load(ARGS("doctor", "--json"), NULL), 0);
	assert_int_equal(cfg.command, CMD_DOCTOR);
	assert_true(cfg.doctor_json);
	bad(ARGS("doctor", "--timeout", "3"), NULL);
}

static void secrets_wiped_from_own_environment(void **state)
{
	(void)state;
	static char secret[] = "AWS_SECRET_ACCESS_KEY=hunter2";
	static char plain[] = "HOME=/root";
	char *envp[] = {secret, plain, NULL};
	char *argv[] = {(char *)"usher", (char *)"--", (char *)"p", NULL};
	config_free(&cfg);
	assert_int_equal(config_load(3, argv, envp, &cfg, &rep), 0);
	assert_null(strstr(secret, "hunter2"));
	assert_string_equal(plain, "HOME=/root");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(every_option),
		cmocka_unit_test(env_twins),
		cmocka_unit_test(flag_beats_variable),
		cmocka_unit_test(usher_vars_never_reach_grader),
		cmocka_unit_test(malformed),
		cmocka_unit_test(result_known_before_usage_error),
		cmocka_unit_test(commands),
		cmocka_unit_test(secrets_wiped_from_own_environment),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	config_free(&cfg);
	return rc;
}
