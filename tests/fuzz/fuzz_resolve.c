/* fuzz_resolve.c - the user-space symlink walk (resolve_walk, src/handoff_resolve.c) held
 * against the kernel's openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) on generated trees.
 *
 * The walk stands in for openat2 where it is missing (Linux < 5.6, old runtime profiles,
 * valgrind), so its answer must be the kernel's on every path: 0, -EXDEV (leaves the
 * directory, or an absolute target), -ELOOP, -ENOENT, -ENOTDIR. A difference aborts with
 * the tree and the path.
 *
 * The input is a small text program, one command per line, so that seeds are readable
 * (tests/fuzz/corpus/resolve/) and a crash file says what it built:
 *
 *     d PATH            a directory
 *     f PATH            a regular file
 *     l PATH TARGET     a symlink (TARGET: anything, "..", absolute, loops, files mid-path)
 *     q PATH            ask both about PATH (relative, as resolve_beneath() is called)
 *
 * Every entry made, and each symlink with "/" and "/.." appended, is asked about too.
 *
 * One difference is the kernel's, and tolerated: when its lock-free (RCU) walk must start
 * over in the slower mode, it keeps counting symlinks from the first try (fs/namei.c:
 * total_link_count survives the retry), so a path through more than 20 links can get
 * -ELOOP. A ".." at the root under RESOLVE_BENEATH always starts over: there the kernel's
 * -ELOOP stands for the walk's -EXDEV. A rename anywhere on the machine can start any
 * walk over: then the kernel is asked again, and must give the walk's answer once. The
 * walk's count is the number of readlinkat calls the fake seam saw.
 * The tree is built in a fresh directory under a private temp dir, each component opened
 * with O_NOFOLLOW, so no input can make the harness write outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "handoff.h"
#include "sys_fake.h"

enum { MAX_LINES = 64, MAX_PATH = 200, MAX_ASKED = 256 };

static char base[64]; /* the private temp dir; each input gets base/t */
static char asked[MAX_ASKED][MAX_PATH + 8];
static int nasked;
static char program[MAX_LINES * (2 * MAX_PATH + 8)];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* EAGAIN: the kernel saw a rename or mount somewhere on the machine while it resolved a
 * ".." under RESOLVE_BENEATH (the check is global), and asks the caller to retry
 * (openat2(2)). Other processes on a busy host make that happen. */
static int kernel(int root, const char *path)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
	int fd, tries = 0;
	while ((fd = (int)syscall(SYS_openat2, root, path, &how, sizeof how)) < 0 && errno == EAGAIN &&
	       ++tries < 1000)
		;
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The directory that will hold PATH's last component, reached without following any
 * symlink; -1 when a component is missing, not a directory, or a symlink. */
static int parent_of(int root, const char *path, const char **last)
{
	char copy[MAX_PATH + 1];
	snprintf(copy, sizeof copy, "%s", path);
	int dir = dup(root);
	char *save = NULL, *comp = strtok_r(copy, "/", &save), *next;
	for (; comp && (next = strtok_r(NULL, "/", &save)); comp = next) {
		if (!strcmp(comp, ".") || !strcmp(comp, "..")) {
			close(dir);
			return -1;
		}
		int fd = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dir);
		if (fd < 0)
			return -1;
		dir = fd;
	}
	if (!comp || !strcmp(comp, ".") || !strcmp(comp, "..")) {
		close(dir);
		return -1;
	}
	*last = path + (comp - copy);
	return dir;
}

static void ask(const char *path)
{
	if (nasked < MAX_ASKED && *path && *path != '/')
		snprintf(asked[nasked++], sizeof asked[0], "%s", path);
}

static void make(int root, char op, const char *path, const char *target)
{
	const char *last;
	int dir = parent_of(root, path, &last), fd;
	if (dir < 0)
		return;
	switch (op) {
	case 'd': (void)mkdirat(dir, last, 0755); break;
	case 'f':
		fd = openat(dir, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
		break;
	case 'l':
		if (*target && symlinkat(target, dir, last) == 0) {
			char more[MAX_PATH + 8];
			snprintf(more, sizeof more, "%s/", path);
			ask(more);
			snprintf(more, sizeof more, "%s/..", path);
			ask(more);
		}
		break;
	}
	close(dir);
	ask(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char tree[96], line[2 * MAX_PATH + 8];
	size_t off = 0, plen = 0;

	if (!*base) {
		snprintf(base, sizeof base, "/tmp/usher-fuzz-resolve.XXXXXX");
		if (!mkdtemp(base))
			abort();
	}
	snprintf(tree, sizeof tree, "%s/t", base);
	nftw(tree, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(tree, 0755) < 0)
		abort();
	int root = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		abort();
	if (kernel(root, ".") == -ENOSYS) {
		close(root); /* nothing to compare with on this kernel */
		return 0;
	}
	nasked = 0;
	program[0] = '\0';

	for (int lines = 0; off < size && lines < MAX_LINES; lines++) {
		size_t n = 0;
		while (off < size && data[off] != '\n') {
			if (n < sizeof line - 1)
				line[n++] = data[off] ? (char)data[off] : '?';
			off++;
		}
		off++;
		line[n] = '\0';
		char op = line[0], *path = line + 2, *target = "";
		if (n < 3 || line[1] != ' ' || !strchr("dflq", op))
			continue;
		if (op == 'l') {
			char *sp = strchr(path, ' ');
			if (!sp)
				continue;
			*sp = '\0';
			target = sp + 1;
		}
		if (strlen(path) > MAX_PATH || strlen(target) > MAX_PATH)
			continue;
		plen += (size_t)snprintf(program + plen, sizeof program - plen, "%c %s%s%s\n", op, path,
					 *target ? " " : "", target);
		if (op == 'q')
			ask(path);
		else
			make(root, op, path, target);
	}

	for (int i = 0; i < nasked; i++) {
		fake_reset();
		int k = kernel(root, asked[i]), w = resolve_walk(root, asked[i]);
		if (k == -ELOOP && w != k && fake_count("sys_readlinkat") > 20) {
			if (w == -EXDEV)
				continue; /* the kernel's double count after a ".." at the root */
			for (int again = 0; again < 20 && k != w; again++)
				k = kernel(root, asked[i]); /* a rename elsewhere, perhaps */
		}
		if (k != w) {
			fprintf(stderr, "fuzz_resolve: '%s': openat2 says %d (%s), the walk %d (%s)\n"
				"tree:\n%s", asked[i], k, strerror(-k), w, strerror(-w), program);
			abort();
		}
	}
	close(root);
	return 0;
}
