// SPDX-License-Identifier: GPL-2.0
/*
 * pwtest's kernel pinners that charge (or do not charge) what they pin, for
 * the accounting view: AF_XDP's UMEM (XDP_UMEM_REG: long-term pins, charged
 * to user->locked_vm only, nothing for CAP_IPC_LOCK) and VFIO type1
 * (VFIO_IOMMU_MAP_DMA: long-term pins, charged to VmLck once per container).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/if_xdp.h>
#include <linux/vfio.h>

#include "pwtest.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

/* ------------------------------------------------------------ AF_XDP */

/* pwtest xdp --pages N [--dev IF] [--hold-ms MS]: a UMEM of N pages, and
 * with --dev the socket bound to IF's queue 0 in copy mode (no XDP program:
 * nothing is redirected to it, the UMEM is what counts) */
int cmd_xdp(int argc, char **argv)
{
	struct opts o;

	parse_opts(argc, argv, &o, "pages,hold-ms,dev");
	char *buf = alloc_buf(o.pages, false);
	struct xdp_umem_reg reg = { .addr = (uintptr_t)buf, .len = o.pages * PG, .chunk_size = 2048 };
	int fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0), ring = 64;

	if (fd < 0)
		die("socket(AF_XDP): %s", strerror(errno));
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)))
		die("XDP_UMEM_REG (%ld pages): %s", o.pages, strerror(errno));
	if (o.dev) {
		struct sockaddr_xdp sa = { .sxdp_family = AF_XDP, .sxdp_ifindex = if_nametoindex(o.dev),
					   .sxdp_queue_id = 0, .sxdp_flags = XDP_COPY };
		if (!sa.sxdp_ifindex)
			die("no interface %s", o.dev);
		if (setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &ring, sizeof(ring)) ||
		    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &ring, sizeof(ring)) ||
		    setsockopt(fd, SOL_XDP, XDP_RX_RING, &ring, sizeof(ring)))
			die("AF_XDP rings: %s", strerror(errno));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
			die("bind AF_XDP to %s queue 0: %s", o.dev, strerror(errno));
	}
	printf("xdp umem pages=%ld registered%s%s\n", o.pages, o.dev ? ", bound to " : "", o.dev ? o.dev : "");
	sleep_ms(o.hold_ms);
	close(fd);	/* the UMEM goes with the socket (deferred to a work item) */
	printf("xdp closed\n");
	return 0;
}

/* ------------------------------------------------------------ VFIO type1 */

static int vfio_container(void)
{
	int c = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	if (c < 0)
		die("/dev/vfio/vfio: %s", strerror(errno));
	if (ioctl(c, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		die("VFIO API version mismatch");
	if (ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) <= 0)
		die("no VFIO type1 IOMMU");
	return c;
}

static void vfio_add_group(int container, const char *group, bool first)
{
	char path[64];
	struct vfio_group_status st = { .argsz = sizeof(st) };

	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	int g = open(path, O_RDWR | O_CLOEXEC);
	if (g < 0)
		die("%s: %s", path, strerror(errno));
	if (ioctl(g, VFIO_GROUP_GET_STATUS, &st) || !(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group %s is not viable (every device bound to vfio-pci?)", group);
	if (ioctl(g, VFIO_GROUP_SET_CONTAINER, &container))
		die("VFIO_GROUP_SET_CONTAINER %s: %s", group, strerror(errno));
	if (first && ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))
		die("VFIO_SET_IOMMU: %s", strerror(errno));
	/* the group fd stays open: closing it would take it out of the container */
}

/* pwtest vfio --groups G1[,G2] --containers 1|2 --pages N [--hold-ms MS]:
 * one buffer mapped for DMA in one container holding every group, or in one
 * container per group (the same pages pinned, and charged, once each). */
int cmd_vfio(int argc, char **argv)
{
	struct opts o;
	char groups[64], *g2;
	int c[2] = { -1, -1 }, nc;

	parse_opts(argc, argv, &o, "pages,hold-ms,groups,containers");
	if (!o.groups)
		die("--groups G1[,G2] (IOMMU groups bound to vfio-pci) is required");
	nc = o.containers ? (int)o.containers : 1;
	snprintf(groups, sizeof(groups), "%s", o.groups);
	if ((g2 = strchr(groups, ',')))
		*g2++ = 0;
	if (nc == 2 && !g2)
		die("--containers 2 needs two groups");
	char *buf = alloc_buf(o.pages, false);
	memset(buf, 1, o.pages * PG);
	for (int i = 0; i < nc; i++)
		c[i] = vfio_container();
	vfio_add_group(c[0], groups, true);
	if (g2)
		vfio_add_group(c[nc - 1], g2, nc == 2);
	for (int i = 0; i < nc; i++) {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)buf, .iova = 1ull << 32, .size = o.pages * PG,
		};
		if (ioctl(c[i], VFIO_IOMMU_MAP_DMA, &map))
			die("VFIO_IOMMU_MAP_DMA (container %d, %ld pages): %s", i, o.pages, strerror(errno));
	}
	printf("vfio mapped pages=%ld containers=%d groups=%s\n", o.pages, nc, o.groups);
	sleep_ms(o.hold_ms);
	for (int i = 0; i < nc; i++) {
		struct vfio_iommu_type1_dma_unmap un = { .argsz = sizeof(un), .iova = 1ull << 32,
							  .size = o.pages * PG };
		if (ioctl(c[i], VFIO_IOMMU_UNMAP_DMA, &un) || un.size != o.pages * PG)
			die("VFIO_IOMMU_UNMAP_DMA (container %d): %s", i, strerror(errno));
	}
	printf("vfio unmapped\n");
	return 0;
}
