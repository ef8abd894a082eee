/* supervise_notify.c - PID 1 answers the grader's seccomp user notifications.
 *
 * The notification variant of the filter (lockdown_seccomp.c) sends two kinds of
 * calls here instead of refusing them in the kernel:
 *
 *   socket(AF_INET or AF_INET6) in --network loopback (the default). seccomp cannot read
 *   a sockaddr, and Landlock's TCP rules know ports, not addresses, so neither can tell
 *   127.0.0.1 from the internet. Instead PID 1 creates the socket itself, binds it to the
 *   loopback device (SO_BINDTODEVICE "lo"), and installs it in the grader
 *   (SECCOMP_IOCTL_NOTIF_ADDFD). What PID 1 decides on is in registers only (family,
 *   type, protocol): no memory a racing thread could change after the check. A socket
 *   bound to lo routes nowhere else: connect() or sendto() to any other address fails
 *   (ENETUNREACH or EHOSTUNREACH), accept() gives sockets bound to lo too, and undoing
 *   the binding needs CAP_NET_RAW, which the grader never has. Only TCP and UDP
 *   (SOCK_STREAM, SOCK_DGRAM): PID 1 must never make for the grader what the grader
 *   could not make itself (a raw or ICMP socket).
 *
 *   every refused call. PID 1 answers with the errno the plain filter gives
 *   (seccomp_refusal_errno) and counts it by name and detail for the result's
 *   `denied` (bounded: 32 entries, the rest in one count).
 *
 * Needs Linux 5.0 (user notification) and 5.9 (ADDFD) for loopback; where ADDFD is
 * missing, the sockets are refused (no network at all) and the result says so. A grader
 * that makes a million refused calls is only slowing itself: each waits for an answer,
 * and PID 1 takes a bounded batch per turn of its loop, so timers and signals still run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "lockdown.h"
#include "log.h"
#include "notify.h"
#include "stages.h"
#include "sys.h"

#define BATCH 64 /* notifications per turn of the supervise loop */

int notify_open(struct notifier *n, int listener, const struct usher_config *cfg,
		struct usher_report *rep)
{
	int rc;
	n->fd = listener;
	n->loopback = false;
	if (listener < 0)
		return 0;
	if ((rc = sys_seccomp_notif_sizes(&n->sizes)) < 0)
		return report_fail(rep, STEP_SUPERVISE, -rc, "seccomp SECCOMP_GET_NOTIF_SIZES");
	if (n->sizes.seccomp_notif > sizeof n->req || n->sizes.seccomp_notif_resp > sizeof n->resp)
		return report_fail(rep, STEP_SUPERVISE, EOVERFLOW, "seccomp notification sizes %u/%u",
				   n->sizes.seccomp_notif, n->sizes.seccomp_notif_resp);
	if (rep->lockdown.network != NET_LOOPBACK)
		return 0;
	/* Which ADDFD does the kernel have? A notification id that cannot exist tells:
	 * ENOENT means the request was understood (and the id unknown). */
	struct seccomp_notif_addfd probe = {.id = UINT64_MAX, .srcfd = (unsigned)listener,
					    .flags = SECCOMP_ADDFD_FLAG_SEND};
	rc = sys_ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, (unsigned long)&probe);
	n->addfd_send = rc == -ENOENT; /* Linux 5.14 */
	if (!n->addfd_send) {
		probe.flags = 0;
		rc = sys_ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, (unsigned long)&probe);
	}
	if (rc != -ENOENT) {
		rep->lockdown.network = NET_NONE;
		return degrade(cfg, rep, PROT_LOOPBACK, 0, "no SECCOMP_IOCTL_NOTIF_ADDFD (Linux < 5.9): "
			       "the grader gets no network at all");
	}
	n->loopback = true;
	return 0;
}

void notify_close(struct notifier *n)
{
	if (n->fd >= 0)
		sys_close(n->fd);
	n->fd = -1;
}

/* --- the names for the result --- */

static const char *const families[] = {
	[0] = "AF_UNSPEC", [1] = "AF_UNIX", [2] = "AF_INET", [3] = "AF_AX25", [4] = "AF_IPX",
	[5] = "AF_APPLETALK", [6] = "AF_NETROM", [7] = "AF_BRIDGE", [8] = "AF_ATMPVC", [9] = "AF_X25",
	[10] = "AF_INET6", [11] = "AF_ROSE", [12] = "AF_DECnet", [13] = "AF_NETBEUI", [14] = "AF_SECURITY",
	[15] = "AF_KEY", [16] = "AF_NETLINK", [17] = "AF_PACKET", [18] = "AF_ASH", [19] = "AF_ECONET",
	[20] = "AF_ATMSVC", [21] = "AF_RDS", [22] = "AF_SNA", [23] = "AF_IRDA", [24] = "AF_PPPOX",
	[25] = "AF_WANPIPE", [26] = "AF_LLC", [27] = "AF_IB", [28] = "AF_MPLS", [29] = "AF_CAN",
	[30] = "AF_TIPC", [31] = "AF_BLUETOOTH", [32] = "AF_IUCV", [33] = "AF_RXRPC", [34] = "AF_ISDN",
	[35] = "AF_PHONET", [36] = "AF_IEEE802154", [37] = "AF_CAIF", [38] = "AF_ALG", [39] = "AF_NFC",
	[40] = "AF_VSOCK", [41] = "AF_KCM", [42] = "AF_QIPCRTR", [43] = "AF_SMC", [44] = "AF_XDP",
	[45] = "AF_MCTP",
};

static const struct {
	unsigned long value;
	const char *name;
} ioctls[] = {
	{0x5412, "TIOCSTI"}, {0x541C, "TIOCLINUX"}, {0x540A, "TCXONC"}, {0x5423, "TIOCSETD"},
}, personas[] = {
	{0x0400000, "READ_IMPLIES_EXEC"}, {0x0040000, "ADDR_NO_RANDOMIZE"}, {0x0100000, "MMAP_PAGE_ZERO"},
}, clones[] = {
	{0x00020000, "CLONE_NEWNS"}, {0x02000000, "CLONE_NEWCGROUP"}, {0x04000000, "CLONE_NEWUTS"},
	{0x08000000, "CLONE_NEWIPC"}, {0x10000000, "CLONE_NEWUSER"}, {0x20000000, "CLONE_NEWPID"},
	{0x40000000, "CLONE_NEWNET"},
};

static void name_of(unsigned nr, char *out, size_t len)
{
	char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr);
	if (s) {
		snprintf(out, len, "%s", s);
		free(s);
		return;
	}
	/* Newer than libseccomp: the prelude's own table names the reviewed ones. */
	const char *why;
	unsigned r;
	bool allow;
	for (unsigned i = 0; (why = seccomp_reviewed(i, &r, &allow)); i++)
		if (r == nr) {
			snprintf(out, len, "%.*s", (int)strcspn(why, ":"), why);
			return;
		}
	snprintf(out, len, "syscall %u", nr);
}

static void detail_of(const struct seccomp_data *d, char *out, size_t len)
{
	uint32_t a0 = (uint32_t)d->args[0], a1 = (uint32_t)d->args[1];
	out[0] = '\0';
	switch (d->nr) {
	case 41: /* socket */
	case 53: /* socketpair */
		if (a0 < sizeof families / sizeof families[0])
			snprintf(out, len, "%s", families[a0]);
		else
			snprintf(out, len, "family %u", a0);
		if ((a0 == AF_INET || a0 == AF_INET6) && d->nr == 41)
			snprintf(out + strlen(out), len - strlen(out), " type %u protocol %u", a1 & 0xff,
				 (uint32_t)d->args[2]);
		return;
	case 16: /* ioctl */
		for (size_t i = 0; i < sizeof ioctls / sizeof ioctls[0]; i++)
			if (ioctls[i].value == a1)
				return (void)snprintf(out, len, "%s", ioctls[i].name);
		return (void)snprintf(out, len, "request %#x", a1);
	case 135: /* personality */
		for (size_t i = 0; i < sizeof personas / sizeof personas[0]; i++)
			if (a0 & personas[i].value)
				return (void)snprintf(out, len, "%s", personas[i].name);
		return;
	case 56: /* clone */
		for (size_t i = 0; i < sizeof clones / sizeof clones[0]; i++)
			if (a0 & clones[i].value)
				snprintf(out + strlen(out), len - strlen(out), "%s%s", *out ? "|" : "", clones[i].name);
		return;
	case 317: /* seccomp */
		return (void)snprintf(out, len, "SECCOMP_FILTER_FLAG_NEW_LISTENER");
	default:
		return;
	}
}

/* Count a refused call. The entry is found by number and detail; the name (a
 * libseccomp lookup, the slow part) is made once, for a new entry. */
static void count(struct notifier *n, struct usher_report *rep, const struct seccomp_data *d)
{
	char detail[sizeof rep->denied[0].detail];
	detail_of(d, detail, sizeof detail);
	for (unsigned i = 0; i < rep->ndenied; i++)
		if (n->nr[i] == d->nr && !strcmp(rep->denied[i].detail, detail)) {
			rep->denied[i].count++;
			return;
		}
	if (rep->ndenied == sizeof rep->denied / sizeof rep->denied[0]) {
		rep->denied_more++;
		return;
	}
	unsigned i = rep->ndenied++;
	n->nr[i] = d->nr;
	name_of(d->nr, rep->denied[i].syscall, sizeof rep->denied[i].syscall);
	memcpy(rep->denied[i].detail, detail, sizeof detail);
	rep->denied[i].count = 1;
	log_info("refused %s%s%s (further refusals are counted in the result)", rep->denied[i].syscall,
		 *detail ? " " : "", detail);
}

/* --- loopback sockets --- */

/* Make the socket the grader asked for, bound to lo, and install it. 0 when done (the
 * grader's call has returned), or the errno to answer. */
static int loopback_socket(struct notifier *n, const struct seccomp_notif *req)
{
	int family = (int)(uint32_t)req->data.args[0], type = (int)(uint32_t)req->data.args[1];
	int proto = (int)(uint32_t)req->data.args[2], base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!((base == SOCK_STREAM && (proto == 0 || proto == IPPROTO_TCP)) ||
	      (base == SOCK_DGRAM && (proto == 0 || proto == IPPROTO_UDP))))
		return EPERM; /* raw, ICMP, SCTP...: nothing PID 1 makes for the grader */
	int fd = sys_socket(family, type | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -fd; /* the grader would have got the same (EAFNOSUPPORT without IPv6...) */
	int rc = n->any_device ? 0 : sys_setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3);
	if (rc < 0) {
		sys_close(fd);
		log_error("socket for the grader: SO_BINDTODEVICE lo: %s: refused", strerror(-rc));
		return EPERM;
	}
	struct seccomp_notif_addfd a = {.id = req->id, .srcfd = (unsigned)fd,
					.newfd_flags = (type & SOCK_CLOEXEC) ? O_CLOEXEC : 0,
					.flags = n->addfd_send ? SECCOMP_ADDFD_FLAG_SEND : 0};
	rc = sys_ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ADDFD, (unsigned long)&a);
	sys_close(fd);
	if (rc < 0)
		return rc == -ENOENT ? 0 : -rc; /* ENOENT: the caller is gone, nothing to answer */
	if (n->addfd_send)
		return 0; /* installed, and the call returned its number */
	/* Before 5.14: the fd is installed; answer the call with its number. */
	struct seccomp_notif_resp *resp = (struct seccomp_notif_resp *)n->resp;
	memset(n->resp, 0, sizeof n->resp);
	resp->id = req->id;
	resp->val = rc;
	sys_ioctl(n->fd, SECCOMP_IOCTL_NOTIF_SEND, (unsigned long)resp);
	return 0;
}

int notify_handle(struct notifier *n, struct usher_report *rep)
{
	for (int i = 0; i < BATCH; i++) {
		struct pollfd p = {.fd = n->fd, .events = POLLIN};
		if (i && sys_poll(&p, 1, 0) <= 0)
			return 0;
		struct seccomp_notif *req = (struct seccomp_notif *)n->req;
		memset(n->req, 0, sizeof n->req); /* RECV wants a zeroed buffer */
		int rc = sys_ioctl(n->fd, SECCOMP_IOCTL_NOTIF_RECV, (unsigned long)req);
		if (rc == -ENOENT || rc == -EINTR)
			continue; /* the caller was interrupted or died */
		if (rc < 0)
			return rc;
		int err;
		if (req->data.nr == 41 && n->loopback &&
		    ((uint32_t)req->data.args[0] == AF_INET || (uint32_t)req->data.args[0] == AF_INET6)) {
			if ((err = loopback_socket(n, req)) == 0)
				continue;
		} else {
			err = seccomp_refusal_errno(req->data.nr);
		}
		count(n, rep, &req->data);
		struct seccomp_notif_resp *resp = (struct seccomp_notif_resp *)n->resp;
		memset(n->resp, 0, sizeof n->resp);
		resp->id = req->id;
		resp->error = -err;
		rc = sys_ioctl(n->fd, SECCOMP_IOCTL_NOTIF_SEND, (unsigned long)resp);
		if (rc < 0 && rc != -ENOENT)
			return rc;
	}
	return 0;
}
