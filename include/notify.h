/* notify.h - PID 1's side of the seccomp user-notification listener
 * (supervise_notify.c): loopback sockets made for the grader, refused calls named. */
#ifndef USHER_NOTIFY_H
#define USHER_NOTIFY_H

#include <linux/seccomp.h>
#include <stdbool.h>

#include "usher.h"

struct notifier {
	int fd;          /* the listener; -1: none */
	bool loopback;   /* AF_INET/AF_INET6 sockets are made, bound to lo */
	bool addfd_send; /* SECCOMP_ADDFD_FLAG_SEND (Linux 5.14) */
	bool any_device; /* usher run --allow-network where the grader has the whole network:
			  * the sockets are made, not bound to lo */
	struct seccomp_notif_sizes sizes;
	int nr[32]; /* the syscall number of each entry of the report's denied[] */
	/* The kernel's structures may grow; these hold more than today's. */
	_Alignas(8) unsigned char req[256];
	_Alignas(8) unsigned char resp[64];
};

/* Take the listener the grader's lockdown created (-1: none), learn what the kernel
 * can do with it; in --network loopback without ADDFD, the network becomes none (a
 * degradation in rep). */
int notify_open(struct notifier *n, int listener, const struct usher_config *cfg,
		struct usher_report *rep);
/* Answer a batch of pending notifications (poll said the listener is readable). */
int notify_handle(struct notifier *n, struct usher_report *rep);
void notify_close(struct notifier *n);

#endif
