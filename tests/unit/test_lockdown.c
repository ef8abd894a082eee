/* test_lockdown.c - the lockdown runs SPEC's steps in order, and every step fails
 * closed: when one fails, lockdown() fails with that step named, no later call happens
 * (the trace stops at the failed call, bar the closing of what it opened), and the
 * grader's process never execs (the same faults through spawn_prepare, with real
 * processes: the child locks down, fails, and its exec log stays empty). Through the
 * fake seam: nothing here drops real privileges. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "lockdown.h"
#include "plan.h"
#include "stages.h"
#include "sys_fake.h"

#define ALL_CAPS UINT64_C(0x1ffffffffff)

static struct usher_config cfg;
static struct usher_report rep;
static struct usher_plan plan;
static struct sock_filter insn[1];

static int setup(void **state)
{
	/* static: the configuration keeps pointing at argv */
	static char *argv[] = {(char *)"usher", (char *)"--", (char *)"/grader", NULL};
	static char *envp[] = {NULL};
	(void)state;
	config_free(&cfg);
	assert_int_equal(config_load(3, argv, envp, &cfg, &rep), 0);
	memset(&rep, 0, sizeof rep);
	plan = (struct usher_plan){.seccomp = {insn, 1}, .seccomp_name = "default",
				   .landlock_abi = 6, .report_fd = -1, .result_dirfd = -1,
				   .priv = {.root = true, .setid = true, .setpcap = true, .chown = true},
				   .uid = 65534, .gid = 65534, .switch_ids = true};
	fake_reset();
	fake_set_creds(0, 0, 3, ALL_CAPS); /* root with every capability and 3 groups */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

/* The calls that make each SPEC step, in SPEC order (bounding set and securebits
 * belong to the identity change; see lockdown_creds.c). */
static const char *const order[] = {
	"sys_close_range", "sys_setsid", "sys_setrlimit", "sys_capbset_drop", "sys_setgroups",
	"sys_setresgid", "sys_setresuid", "sys_capng_set", "sys_getgroups",
	"sys_landlock_create_ruleset", "sys_landlock_restrict_self", "sys_seccomp_attach",
};

static void steps_in_order(void **state)
{
	(void)state;
	assert_int_equal(lockdown(&cfg, &plan, &rep), 0);
	for (size_t i = 0; i + 1 < sizeof order / sizeof order[0]; i++) {
		int a = fake_index(order[i]), b = fake_index(order[i + 1]);
		if (a < 0 || b < 0 || a >= b)
			fail_msg("%s (%d) must come before %s (%d): %s", order[i], a, order[i + 1], b,
				 fake_trace());
	}
	assert_true(rep.lockdown.applied);
	assert_int_equal(rep.lockdown.uid, 65534);
	assert_int_equal(rep.lockdown.caps, 0);
	assert_true(rep.lockdown.no_new_privs);
	assert_int_equal(rep.lockdown.landlock_abi, 6);
}

/* Each failable call, the step the result must name, and the call that must then
 * never happen (the next step's). */
static const struct {
	const char *call;
	int nth;
	const char *step;
} faults[] = {
	{"sys_close_range", 1, "fds"},
	{"sys_setsid", 1, "setsid"},            {"sys_setrlimit", 1, "rlimit"},
	{"sys_setrlimit", 3, "rlimit"},         {"sys_capbset_drop", 1, "caps"},
	{"sys_capbset_drop", 7, "caps"},       {"sys_ambient_clear", 1, "caps"},
	{"sys_prctl", 1, "securebits"},         {"sys_setgroups", 1, "groups"},
	{"sys_setresgid", 1, "gid"},            {"sys_setresuid", 1, "uid"},
	{"sys_capng_set", 1, "caps"},          {"sys_prctl", 2, "no_new_privs"},
	{"sys_getresuid", 1, "verify"},
	{"sys_getgroups", 1, "verify"},         {"sys_caps_read", 1, "verify"},
	{"sys_landlock_create_ruleset", 1, "landlock"},
	{"sys_landlock_add_rule", 1, "landlock"},
	{"sys_landlock_restrict_self", 1, "landlock"},
	{"sys_seccomp_attach", 1, "seccomp"},
};

/* close_range's EPERM (a runtime profile that predates it) and ENOSYS mean "walk
 * /proc/self/fd instead", setsid's EPERM "a group leader: join the session leader's
 * group first", capbset_drop's EPERM "is it still in the set?": EIO is the failure that
 * must stop them. */
static int fault_errno(const char *call)
{
	return strcmp(call, "sys_close_range") && strcmp(call, "sys_setsid") && strcmp(call, "sys_capbset_drop")
		       ? EPERM : EIO;
}

/* What may follow a failed call: closing what was open, and reading the state to say
 * why (getrlimit after an EPERM from setrlimit). Nothing that changes anything. */
static bool aftermath(const char *call)
{
	static const char *const ok[] = {"sys_close", "sys_get", "sys_caps_get", "sys_caps_read", "sys_fstat"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (!strncmp(call, ok[i], strlen(ok[i])))
			return true;
	return false;
}

/* The calls of a trace, split. */
static size_t split(char *trace, const char **v, size_t max)
{
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(trace, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save))
		v[n++] = t;
	return n;
}

static void every_step_fails_closed(void **state)
{
	static char good[16384], bad[16384];
	const char *g[1024], *b[1024];
	assert_int_equal(lockdown(&cfg, &plan, &rep), 0);
	snprintf(good, sizeof good, "%s", fake_trace());
	size_t ng = split(good, g, 1024);
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		setup(state);
		fake_fail(faults[i].call, faults[i].nth, fault_errno(faults[i].call));
		int rc = lockdown(&cfg, &plan, &rep);
		if (rc >= 0)
			fail_msg("%s #%d failing: lockdown succeeded: %s", faults[i].call, faults[i].nth,
				 fake_trace());
		assert_string_equal(step_name(rep.error.step), faults[i].step);
		assert_int_equal(rep.error.err, fault_errno(faults[i].call));
		assert_false(rep.lockdown.applied);
		/* The trace is the successful one up to the failed call (its nth occurrence),
		 * then at most its aftermath: nothing of a later step. */
		snprintf(bad, sizeof bad, "%s", fake_trace());
		size_t nb = split(bad, b, 1024), at = 0;
		for (int seen = 0; at < ng; at++)
			if (!strcmp(g[at], faults[i].call) && ++seen == faults[i].nth)
				break;
		assert_true(at < ng);
		for (size_t k = 0; k < nb; k++) {
			bool same = k <= at && !strcmp(b[k], g[k]);
			if (!same && !(k > at && aftermath(b[k])))
				fail_msg("%s #%d failing: call %zu is %s, not %s: %s", faults[i].call,
					 faults[i].nth, k, b[k], k <= at ? g[k] : "a close or a read", fake_trace());
		}
		assert_true(nb > at);
	}
}

/* The same faults in the grader's own process (spawn_prepare forks it for real, the
 * privileges still pretend): the failure reaches usher with its step, and the child
 * never reaches an exec, not even a failing one (the exec log would show both). */
static void no_exec_after_a_failed_step(void **state)
{
	char dir[] = "/tmp/usher-lockdown.XXXXXX", log_path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(log_path, sizeof log_path, "%s/execs", dir);
	sigset_t saved;
	sigprocmask(SIG_SETMASK, NULL, &saved);
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		setup(state);
		fake_processes(true);
		fake_exec_log(log_path);
		fake_exec_result("/grader", 0);
		fake_fail(faults[i].call, faults[i].nth, fault_errno(faults[i].call));
		struct usher_child child;
		if (spawn_prepare(&cfg, &plan, &rep, &child) >= 0)
			fail_msg("%s #%d failing in the child: spawn_prepare succeeded", faults[i].call,
				 faults[i].nth);
		assert_string_equal(step_name(rep.error.step), faults[i].step);
		assert_int_equal(child.pid, -1);
		assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
		assert_int_equal(access(log_path, F_OK), -1);
	}
	/* The control: without a fault the same child does exec. */
	setup(state);
	fake_processes(true);
	fake_exec_log(log_path);
	fake_exec_result("/grader", 0);
	struct usher_child child;
	pid_t grader;
	assert_int_equal(spawn_prepare(&cfg, &plan, &rep, &child), 0);
	assert_int_equal(spawn_start(&cfg, &rep, &child, &grader), 0);
	assert_int_equal(waitpid(grader, NULL, 0), grader);
	assert_int_equal(access(log_path, F_OK), 0);
	unlink(log_path);
	rmdir(dir);
	sigprocmask(SIG_SETMASK, &saved, NULL);
}

/* A read-back that disagrees with the plan stops the lockdown before the exec. */
static void verify_catches_a_lying_kernel(void **state)
{
	static const struct { const char *call; } lies[] = {
		{"sys_setresuid"}, {"sys_setresgid"}, {"sys_setgroups"}, {"sys_capng_set"},
		{"sys_capbset_drop"},
	};
	for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
		setup(state);
		fake_ignore(lies[i].call);
		if (lockdown(&cfg, &plan, &rep) >= 0)
			fail_msg("%s changed nothing, yet lockdown succeeded", lies[i].call);
		assert_string_equal(step_name(rep.error.step), "verify");
		assert_int_equal(fake_count("sys_landlock_restrict_self"), 0);
		assert_int_equal(fake_count("sys_seccomp_attach"), 0);
	}
}

/* A non-root usher (the plan decided it cannot switch): no identity change, no
 * bounding set, and the read-back checks the ids the grader really keeps. */
static void non_root(void **state)
{
	(void)state;
	fake_set_creds(1000, 1000, 0, 0);
	plan.priv = (struct privilege){0};
	plan.switch_ids = false;
	plan.uid = plan.gid = 1000;
	assert_int_equal(lockdown(&cfg, &plan, &rep), 0);
	assert_int_equal(fake_count("sys_setresuid"), 0);
	assert_int_equal(fake_count("sys_capbset_drop"), 0);
	assert_int_equal(rep.lockdown.uid, 1000);
	/* The plan said 1000 but the process is 1001: the read-back refuses. */
	setup(state);
	fake_set_creds(1001, 1001, 0, 0);
	plan.priv = (struct privilege){0};
	plan.switch_ids = false;
	plan.uid = plan.gid = 1000;
	assert_true(lockdown(&cfg, &plan, &rep) < 0);
	assert_string_equal(step_name(rep.error.step), "verify");
	assert_int_equal(fake_count("sys_seccomp_attach"), 0);
}

/* The plan's identity decisions: fail closed where the grader would be root or could
 * not be who --user asked for; a uid of its own by default. */
static void identity_fails_closed(void **state)
{
	struct usher_plan p;
	(void)state;
	/* root without CAP_SETUID/CAP_SETGID: a setup failure... */
	memset(&p, 0, sizeof p);
	p.priv = (struct privilege){.root = true, .setpcap = true, .chown = true};
	assert_true(plan_identity(&cfg, &p, &rep) < 0);
	assert_string_equal(step_name(rep.error.step), "identity");
	/* ...unless the operator accepts it, and then it is said in the result. */
	setup(state);
	memset(&p, 0, sizeof p);
	p.priv = (struct privilege){.root = true, .setpcap = true, .chown = true};
	cfg.unsafe = UNSAFE_ROOT_GRADER;
	cfg.writable.n = 0; /* no HOME made in the test's /tmp */
	assert_int_equal(plan_identity(&cfg, &p, &rep), 0);
	assert_int_equal(p.uid, 0);
	assert_int_equal(rep.lockdown.ndegraded, 1);
	assert_int_equal(rep.lockdown.degraded[0].what, PROT_UID_SWITCH);
	/* --require uid-switch turns that into a failure. */
	setup(state);
	memset(&p, 0, sizeof p);
	p.priv = (struct privilege){.root = true};
	cfg.unsafe = UNSAFE_ROOT_GRADER;
	cfg.require = 1u << PROT_UID_SWITCH;
	assert_true(plan_identity(&cfg, &p, &rep) < 0);
	assert_string_equal(step_name(rep.error.step), "require");
	/* A non-root start with an explicit --user it cannot become. */
	setup(state);
	memset(&p, 0, sizeof p);
	cfg.user_explicit = true;
	cfg.uid = cfg.gid = getuid() + 1;
	assert_true(plan_identity(&cfg, &p, &rep) < 0);
	assert_string_equal(step_name(rep.error.step), "uid");
	/* auto, able to switch: a uid of its own, never a listed one, gid the same. */
	setup(state);
	memset(&p, 0, sizeof p);
	p.priv = (struct privilege){.setid = true};
	cfg.writable.n = 0;
	assert_int_equal(plan_identity(&cfg, &p, &rep), 0);
	assert_true(p.switch_ids);
	assert_true(p.uid >= 0x70000000u && p.uid < 0x7fff0000u);
	assert_int_equal(p.gid, p.uid);
	assert_int_equal(rep.lockdown.ndegraded, 0);
}

static void landlock_require_without_landlock(void **state)
{
	(void)state;
	cfg.landlock = LANDLOCK_REQUIRE;
	plan.landlock_abi = 0;
	assert_true(lockdown(&cfg, &plan, &rep) < 0);
	assert_string_equal(step_name(rep.error.step), "landlock");
	assert_int_equal(fake_count("sys_seccomp_attach"), 0);
	setup(state);
	cfg.landlock = LANDLOCK_AUTO;
	plan.landlock_abi = 0;
	assert_int_equal(lockdown(&cfg, &plan, &rep), 0);
	assert_int_equal(rep.lockdown.landlock_abi, 0);
}

/* The default profile usher attaches is the one built at build time
 * (lockdown_seccomp_prebuilt.c); each of its four programs (refusals as errnos or as
 * notifications, AF_INET allowed or not) must be exactly what lockdown_seccomp.c
 * compiles at run time from the same table (with the host's libseccomp, the same
 * Debian 2.5.4 as build/deps). */
static void prebuilt_filter_is_the_compiled_one(void **state)
{
	(void)state;
	for (int network = 0; network <= 1; network++) {
		struct usher_plan pre = {0};
		cfg.network = network ? NET_ALL : NET_LOOPBACK;
		cfg.verbosity = 0;
		assert_true(seccomp_prebuilt(&cfg, &pre));
		for (int notify = 0; notify <= 1; notify++) {
			struct bpf_prog run = {0}, *want = notify ? &pre.seccomp_notify : &pre.seccomp;
			assert_int_equal(seccomp_compile_variant(&cfg, notify, &run, &rep), 0);
			assert_int_equal(want->len, run.len);
			assert_memory_equal(want->insn, run.insn, run.len * sizeof *run.insn);
			free(run.insn);
		}
		free(pre.seccomp.insn);
		free(pre.seccomp_notify.insn);
	}
	/* -v compiles at run time (to print the rules); --exec has no notify variant. */
	struct usher_plan none = {0};
	cfg.verbosity = 1;
	assert_false(seccomp_prebuilt(&cfg, &none));
	cfg.verbosity = 0;
	cfg.exec_mode = true;
	assert_true(seccomp_prebuilt(&cfg, &none));
	assert_int_equal(none.seccomp_notify.len, 0);
	free(none.seccomp.insn);
	cfg.exec_mode = false;
	cfg.seccomp = SECCOMP_NONE;
	assert_false(seccomp_prebuilt(&cfg, &none));
}

/* The grader's OOM score: halfway from usher's (what the runtime gave) to the learner's
 * 1000, so usher < grader < learner wherever there is room; none from 1000. */
static void oom_scores_in_order(void **state)
{
	static const int usher_scores[] = {-1000, -997, 0, 2, 500, 900, 998, 999};
	(void)state;
	assert_int_equal(oom_score_grader(0), 500);
	assert_int_equal(oom_score_grader(900), 950);
	assert_int_equal(oom_score_grader(1000), 1000); /* no room: step 4 says degraded */
	for (size_t i = 0; i < sizeof usher_scores / sizeof usher_scores[0]; i++) {
		int g = oom_score_grader(usher_scores[i]);
		if (!(usher_scores[i] < g && g <= 1000))
			fail_msg("usher %d, grader %d", usher_scores[i], g);
		if (usher_scores[i] < 999 && g >= 1000)
			fail_msg("usher %d: the grader at %d leaves the learner no room above it", usher_scores[i], g);
	}
}

static bool degraded(enum usher_protection what, const char *reason)
{
	for (unsigned i = 0; i < rep.lockdown.ndegraded; i++)
		if (rep.lockdown.degraded[i].what == what && strstr(rep.lockdown.degraded[i].reason, reason))
			return true;
	return false;
}

/* Step 4 says when the OOM score does not keep usher safe: without Landlock (the
 * grader may write its score back down), and where usher's own score is already 1000
 * (no room above it). Each case in a child that starts from a score of its own: step 4
 * writes this process's real score. */
static bool oom_case(void **state, const char *start, int abi, const char *reason, const char *after)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/proc/self/oom_score_adj", O_WRONLY);
		if (fd < 0 || write(fd, start, strlen(start)) != (ssize_t)strlen(start))
			_exit(2);
		close(fd);
		setup(state);
		plan.landlock_abi = abi;
		if (lockdown(&cfg, &plan, &rep) < 0)
			_exit(3);
		char now[16] = "";
		fd = open("/proc/self/oom_score_adj", O_RDONLY);
		if (fd < 0 || read(fd, now, sizeof now - 1) <= 0 || strtol(now, NULL, 10) != atoi(after))
			_exit(4); /* the score step 4 wrote */
		_exit(reason ? !degraded(PROT_OOM_SCORE, reason) : rep.lockdown.ndegraded != 0);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void oom_score_degraded(void **state)
{
	assert_true(oom_case(state, "0", 6, NULL, "500"));                 /* nothing degraded */
	assert_true(oom_case(state, "900", 6, NULL, "950"));               /* halfway to 1000 */
	assert_true(oom_case(state, "0", 0, "no Landlock", "500"));        /* the grader may lower it */
	assert_true(oom_case(state, "1000", 6, "is 1000, set by", "1000")); /* no room above usher */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(steps_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(every_step_fails_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(no_exec_after_a_failed_step, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_catches_a_lying_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(non_root, setup, teardown),
		cmocka_unit_test_setup_teardown(identity_fails_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(landlock_require_without_landlock, setup, teardown),
		cmocka_unit_test_setup_teardown(prebuilt_filter_is_the_compiled_one, setup, teardown),
		cmocka_unit_test(oom_scores_in_order),
		cmocka_unit_test_setup_teardown(oom_score_degraded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
