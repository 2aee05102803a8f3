// SPDX-License-Identifier: GPL-2.0
/*
 * memhog: the memory hog of the Memhog workload (demo and benchmark).
 * Fills MiB mebibytes with a pseudo-random sequence seeded by SEED, says
 * "ready", then re-checks a page every second; on SIGTERM it checks every
 * byte and exits 0 only if all is intact and its pid is the one it began
 * with.
 *
 * usage: memhog MiB SEED
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t next(uint64_t *s)
{
	/* xorshift64*: cheap and reproducible from the seed */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint64_t page_seed(uint64_t seed, size_t page)
{
	return (seed + 1) * 0x9e3779b97f4a7c15ULL ^ (page + 1) * 0xbf58476d1ce4e5b9ULL;
}

static void fill_page(uint64_t *p, uint64_t seed, size_t page)
{
	uint64_t s = page_seed(seed, page);

	for (size_t i = 0; i < 4096 / 8; i++)
		p[i] = next(&s);
}

static int check_page(const uint64_t *p, uint64_t seed, size_t page)
{
	uint64_t s = page_seed(seed, page);

	for (size_t i = 0; i < 4096 / 8; i++)
		if (p[i] != next(&s))
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	size_t mib, pages;
	uint64_t seed, *mem;
	pid_t me = getpid();
	struct sigaction sa = { .sa_handler = on_term };

	if (argc != 3) {
		fprintf(stderr, "usage: memhog MiB SEED\n");
		return 2;
	}
	mib = strtoul(argv[1], NULL, 0);
	seed = strtoull(argv[2], NULL, 0);
	pages = mib << 8;
	sigaction(SIGTERM, &sa, NULL);
	mem = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("memhog: mmap");
		return 2;
	}
	for (size_t i = 0; i < pages; i++)
		fill_page(mem + i * 512, seed, i);
	printf("memhog %d: ready, %zu MiB\n", me, mib);
	fflush(stdout);
	for (unsigned long round = 0; !stop; round++) {
		size_t page = (round * 2654435761u) % pages;

		if (check_page(mem + page * 512, seed, page)) {
			printf("memhog %d: page %zu is corrupt\n", me, page);
			return 1;
		}
		sleep(1);
	}
	for (size_t i = 0; i < pages; i++)
		if (check_page(mem + i * 512, seed, i)) {
			printf("memhog %d: page %zu is corrupt\n", me, i);
			return 1;
		}
	if (getpid() != me) {
		printf("memhog %d: pid changed to %d\n", me, getpid());
		return 1;
	}
	printf("memhog %d: verified %zu MiB\n", me, mib);
	return 0;
}
