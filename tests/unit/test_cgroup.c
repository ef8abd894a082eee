/* test_cgroup.c - the cgroup readers and the memory guard on fake cgroup trees:
 * temporary directories laid out like /sys/fs/cgroup (v1's memory/ and cpuacct/, v2's
 * unified directory), since these machines' Docker offers no cgroup v2 controllers.
 *
 * The group-OOM design (supervise_limits.c): where memory.oom.group = 1, an OOM kill
 * would take PID 1 too, so PID 1 kills the grader before the kernel does, at a margin
 * below the limit, counting only memory the kernel cannot reclaim (never page cache). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgroup.h"
#include "config.h"
#include "enforce.h"
#include "stages.h"
#include "sys_fake.h"

#define MIB (UINT64_C(1) << 20)

static char root[64];

static void put(const char *rel, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(const char *rel, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static int dir(const char *rel)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	mkdir(path, 0755);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/usher-cgroup.XXXXXX");
	assert_non_null(mkdtemp(root));
	fake_reset();
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void find(void **state)
{
	(void)state;
	char d[256];
	/* Docker on cgroup v1: the host's namespace, the container's cgroup mounted at the
	 * controller's directory. */
	const char *docker_cg = "4:memory:/docker/abc\n2:cpuacct:/docker/abc\n1:cpu:/docker/abc\n0::/docker/abc\n";
	const char *docker_mi =
		"154 153 0:68 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
		"156 154 0:30 /docker/abc /sys/fs/cgroup/cpuacct ro - cgroup cgroup rw,cpuacct\n"
		"158 154 0:32 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n";
	assert_int_equal(cgroup_find(docker_cg, docker_mi, "memory", d, sizeof d), 0);
	assert_string_equal(d, "/sys/fs/cgroup/memory");
	assert_int_equal(cgroup_find(docker_cg, docker_mi, "cpuacct", d, sizeof d), 0);
	assert_string_equal(d, "/sys/fs/cgroup/cpuacct");
	assert_int_equal(cgroup_find(docker_cg, docker_mi, "", d, sizeof d), -ENOENT); /* no cgroup2 mount */
	/* A host: the root of the hierarchy mounted, the path below it; "cpu,cpuacct". */
	const char *host_cg = "5:memory:/user.slice/x\n3:cpu,cpuacct:/user.slice/x\n0::/user.slice/x\n";
	const char *host_mi = "30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
			      "31 25 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
			      "32 25 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
	assert_int_equal(cgroup_find(host_cg, host_mi, "memory", d, sizeof d), 0);
	assert_string_equal(d, "/sys/fs/cgroup/memory/user.slice/x");
	assert_int_equal(cgroup_find(host_cg, host_mi, "cpuacct", d, sizeof d), 0);
	assert_string_equal(d, "/sys/fs/cgroup/cpu,cpuacct/user.slice/x");
	assert_int_equal(cgroup_find(host_cg, host_mi, "", d, sizeof d), 0);
	assert_string_equal(d, "/sys/fs/cgroup/unified/user.slice/x");
	/* cgroup v2 with a cgroup namespace (Kubernetes, Amazon Linux 2023): "0::/". */
	assert_int_equal(cgroup_find("0::/\n", "40 30 0:29 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "", d,
				     sizeof d), 0);
	assert_string_equal(d, "/sys/fs/cgroup");
	/* A mount of another part of the hierarchy does not count; escapes are undone. */
	assert_int_equal(cgroup_find("4:memory:/a\n", "1 0 0:1 /b /m rw - cgroup cgroup rw,memory\n", "memory", d,
				     sizeof d), -ENOENT);
	assert_int_equal(cgroup_find("4:memory:/a/b\n", "1 0 0:1 /a /my\\040dir rw - cgroup cgroup rw,memory\n",
				     "memory", d, sizeof d), 0);
	assert_string_equal(d, "/my dir/b");
	assert_int_equal(cgroup_find("4:memory:/ab\n", "1 0 0:1 /a /m rw - cgroup cgroup rw,memory\n", "memory", d,
				     sizeof d), -ENOENT); /* /a is not a prefix of /ab */
}

static void readers_v1(void **state)
{
	(void)state;
	int fd = dir("memory");
	uint64_t v;
	put("memory/memory.stat", "cache 999999999\nrss 1\nshmem 2\nhierarchical_memory_limit 67108864\n"
				  "total_cache 999999999\ntotal_rss %llu\ntotal_shmem %llu\n",
	    (unsigned long long)(30 * MIB), (unsigned long long)(20 * MIB));
	put("memory/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
	put("memory/memory.max_usage_in_bytes", "67100000\n");
	assert_int_equal(cgroup_mem_limit(1, fd, &v), 0);
	assert_int_equal(v, 64 * MIB);
	assert_int_equal(cgroup_mem_unreclaimable(1, fd, &v), 0);
	assert_int_equal(v, 50 * MIB); /* rss + shmem; the page cache is not counted */
	assert_int_equal(cgroup_oom_kills(1, fd, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(cgroup_mem_peak(1, fd, &v), 0);
	assert_int_equal(v, 67100000);
	assert_false(cgroup_oom_group(1, fd));
	put("memory/memory.stat", "hierarchical_memory_limit 9223372036854771712\ntotal_rss 0\n");
	assert_int_equal(cgroup_mem_limit(1, fd, &v), 0);
	assert_true(v == CGROUP_NO_LIMIT);
	int cpu = dir("cpuacct");
	put("cpuacct/cpuacct.usage", "1500000000\n");
	assert_int_equal(cgroup_cpu_ns(1, cpu, &v), 0);
	assert_int_equal(v, 1500000000);
	close(fd);
	close(cpu);
}

/* A v2 container cgroup (the namespace's root) with a parent that is lower. */
static int v2_tree(uint64_t limit, bool group)
{
	dir("parent");
	put("parent/memory.max", "%llu\n", (unsigned long long)limit);
	int fd = dir("parent/ctr");
	put("parent/ctr/memory.max", "max\n");
	put("parent/ctr/memory.oom.group", "%d\n", group ? 1 : 0);
	put("parent/ctr/memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 0\noom_group_kill 0\n");
	put("parent/ctr/memory.peak", "1048576\n");
	put("parent/ctr/memory.stat", "anon %llu\nfile %llu\nkernel 5000\nkernel_stack 16384\npagetables 32768\n"
				      "sec_pagetables 0\npercpu 0\nsock 0\nvmalloc 0\nshmem 0\nslab_reclaimable 99999\n"
				      "slab_unreclaimable 1024\n",
	    (unsigned long long)MIB, (unsigned long long)(900 * MIB));
	put("parent/ctr/cpu.stat", "usage_usec 100\nuser_usec 60\nsystem_usec 40\n");
	return fd;
}

static void set_anon(uint64_t anon, uint64_t shmem)
{
	put("parent/ctr/memory.stat", "anon %llu\nfile %llu\nshmem %llu\n", (unsigned long long)anon,
	    (unsigned long long)(900 * MIB), (unsigned long long)shmem);
}

static void readers_v2(void **state)
{
	(void)state;
	int fd = v2_tree(512 * MIB, true);
	uint64_t v;
	assert_int_equal(cgroup_mem_limit(2, fd, &v), 0);
	assert_int_equal(v, 512 * MIB); /* the parent's: the container's own says max */
	assert_int_equal(cgroup_mem_unreclaimable(2, fd, &v), 0);
	assert_int_equal(v, MIB + 16384 + 32768 + 1024); /* never the 900 MiB of file pages */
	assert_true(cgroup_oom_group(2, fd));
	assert_int_equal(cgroup_cpu_ns(2, fd, &v), 0);
	assert_int_equal(v, 100000);
	assert_int_equal(cgroup_oom_kills(2, fd, &v), 0);
	assert_int_equal(v, 0);
	close(fd);
}

static struct usher_config cfg_with(const char *opt)
{
	struct usher_config cfg;
	struct usher_report rep = {0};
	char *argv[] = {(char *)"usher", (char *)opt, (char *)"--", (char *)"/g", NULL};
	char *envp[] = {NULL};
	int argc = 4;
	if (!opt) {
		argv[1] = (char *)"--";
		argv[2] = (char *)"/g";
		argv[3] = NULL;
		argc = 3;
	}
	config_free(&cfg);
	assert_int_equal(config_load(argc, argv, envp, &cfg, &rep), 0);
	return cfg;
}

static struct limits limits_on(int fd, int version, bool ours)
{
	struct limits l;
	memset(&l, 0, sizeof l);
	l.cg = (struct cgroup){.mem_version = version, .mem = fd, .cpu_version = version, .cpu = fd, .ours = ours};
	return l;
}

/* The group-OOM guard: on only where an OOM kill would take PID 1 too; it kills the
 * grader's group at the margin below the limit, and only for unreclaimable memory. */
static void group_oom_guard(void **state)
{
	(void)state;
	struct usher_config cfg = cfg_with(NULL);
	struct usher_report rep = {0};
	int fd = v2_tree(256 * MIB, true);
	struct limits l = limits_on(fd, 2, true);
	assert_int_equal(limits_init(&l, &cfg, &rep), 0);
	assert_true(l.guard);
	assert_int_equal(guard_margin(256 * MIB), 16 * MIB);
	assert_int_equal(l.guard_at, 240 * MIB);
	limits_start(&l, 4242, false, 0);
	assert_int_equal(limits_timeout(&l, l.next_guard), 0);

	set_anon(200 * MIB, 30 * MIB); /* 230 MiB, and a lot of page cache: fine */
	assert_int_equal(limits_check(&l, &rep, l.next_guard), LIMIT_NONE);
	assert_int_equal(fake_count("sys_kill"), 0);
	set_anon(200 * MIB, 40 * MIB); /* 240 MiB: at the margin */
	assert_int_equal(limits_check(&l, &rep, l.next_guard), LIMIT_MEMORY);
	assert_int_equal(rep.grader.limit, LIMIT_MEMORY);
	assert_true(fake_count("sys_kill") >= 1);
	/* The first limit is the cause: nothing fires twice. */
	assert_int_equal(limits_check(&l, &rep, l.next_guard + 100), LIMIT_NONE);
	limits_finish(&l, &rep);
	assert_true(rep.grader.has_peak);
	assert_int_equal(rep.grader.peak_memory_kib, 1024);
	assert_int_equal(rep.grader.memory_limit, 256 * MIB);
	/* The guard only polls while it is on: the deadline comes from GUARD_INTERVAL_MS. */
	assert_int_equal(limits_timeout(&l, l.next_guard - GUARD_INTERVAL_MS), GUARD_INTERVAL_MS);
	close(fd);
	config_free(&cfg);
}

/* Without memory.oom.group (v2) or on v1, the kernel's OOM killer picks a grader
 * process (oom_score_adj 1000) and PID 1 lives: no guard, the kill is counted. */
static void no_guard_without_group(void **state)
{
	(void)state;
	struct usher_config cfg = cfg_with(NULL);
	struct usher_report rep = {0};
	int fd = v2_tree(256 * MIB, false);
	struct limits l = limits_on(fd, 2, true);
	assert_int_equal(limits_init(&l, &cfg, &rep), 0);
	assert_false(l.guard);
	assert_int_equal(limits_timeout(&l, 0), -1);
	limits_start(&l, 4242, false, 0);
	put("parent/ctr/memory.events", "oom 2\noom_kill 2\n");
	limits_finish(&l, &rep);
	assert_int_equal(rep.grader.oom_kills, 2);
	close(fd);
	config_free(&cfg);
}

/* --memory below the container's limit, no delegated cgroup (a read-only tree: the
 * v2 one has no cgroup.controllers): the guard at exactly that size. On a host's shared
 * cgroup, where nothing counts the grader alone, it is refused. */
static void memory_option(void **state)
{
	(void)state;
	struct usher_config cfg = cfg_with("--memory=64M");
	struct usher_report rep = {0};
	int fd = v2_tree(256 * MIB, false);
	struct limits l = limits_on(fd, 2, true);
	assert_int_equal(limits_init(&l, &cfg, &rep), 0);
	assert_true(l.guard);
	assert_int_equal(l.guard_at, 64 * MIB);
	limits_start(&l, 4242, false, 0);
	set_anon(63 * MIB, 0);
	assert_int_equal(limits_check(&l, &rep, l.next_guard), LIMIT_NONE);
	set_anon(64 * MIB, 0);
	assert_int_equal(limits_check(&l, &rep, l.next_guard), LIMIT_MEMORY);

	struct usher_report rep2 = {0};
	struct limits shared = limits_on(fd, 2, false);
	assert_true(limits_init(&shared, &cfg, &rep2) < 0);
	assert_int_equal(rep2.error.step, STEP_LIMITS);
	close(fd);
	config_free(&cfg);
}

/* A delegated v2 cgroup: usher moves itself into a leaf, enables the memory controller
 * for the children, and the grader's leaf gets memory.max. On the fake tree the leaves
 * exist already, empty: an earlier usher's leftovers, which are reused. */
static void delegate_v2(void **state)
{
	(void)state;
	char name[32], procs[32], buf[64], path[128];
	int fd = v2_tree(256 * MIB, true);
	snprintf(procs, sizeof procs, "%d\n", (int)getpid());
	put("parent/ctr/cgroup.controllers", "cpuset cpu io memory pids\n");
	put("parent/ctr/cgroup.subtree_control", "\n");
	put("parent/ctr/cgroup.procs", "%s", procs);
	close(dir("parent/ctr/usher"));
	put("parent/ctr/usher/cgroup.procs", "%s", "");
	close(dir("parent/ctr/grader"));
	put("parent/ctr/grader/cgroup.procs", "%s", "");
	put("parent/ctr/grader/memory.max", "max\n");
	int g = cgroup_delegate(2, fd, 64 * MIB, name, sizeof name);
	assert_true(g >= 0);
	assert_string_equal(name, "grader");
	snprintf(path, sizeof path, "%s/parent/ctr/grader/memory.max", root);
	FILE *f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "67108864");
	assert_int_equal(cgroup_adopt(g, 4242), 0);
	close(g);
	/* Not delegated: the memory controller is not offered to the children. */
	put("parent/ctr/cgroup.controllers", "cpu pids\n");
	assert_int_equal(cgroup_delegate(2, fd, 64 * MIB, name, sizeof name), -EOPNOTSUPP);
	/* Another process shares the cgroup: it would be left in an inner node. */
	put("parent/ctr/cgroup.controllers", "memory\n");
	put("parent/ctr/cgroup.procs", "1\n%d\n", (int)getpid());
	assert_int_equal(cgroup_delegate(2, fd, 64 * MIB, name, sizeof name), -EBUSY);
	close(fd);
}

/* --cpu-time on the cgroup's counter, minus what it counted before the grader. */
static void cpu_time(void **state)
{
	(void)state;
	struct usher_config cfg = cfg_with("--cpu-time=2");
	struct usher_report rep = {0};
	int fd = v2_tree(256 * MIB, false);
	struct limits l = limits_on(fd, 2, true);
	assert_int_equal(limits_init(&l, &cfg, &rep), 0);
	put("parent/ctr/cpu.stat", "usage_usec 5000000\n"); /* 5 s before the grader */
	limits_start(&l, 4242, false, 0);
	put("parent/ctr/cpu.stat", "usage_usec 6500000\n");
	assert_int_equal(limits_check(&l, &rep, l.next_cpu), LIMIT_NONE);
	put("parent/ctr/cpu.stat", "usage_usec 7500000\n");
	assert_int_equal(limits_check(&l, &rep, l.next_cpu), LIMIT_CPU_TIME);
	assert_int_equal(rep.grader.limit, LIMIT_CPU_TIME);
	close(fd);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(find),
		cmocka_unit_test_setup_teardown(readers_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(readers_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(group_oom_guard, setup, teardown),
		cmocka_unit_test_setup_teardown(no_guard_without_group, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_option, setup, teardown),
		cmocka_unit_test_setup_teardown(delegate_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(cpu_time, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
