// SPDX-License-Identifier: GPL-2.0
/*
 * file-validate: holds data.bin open and a copy of its own executable
 * (elf.bin, with its build-id) open read-only. The runner changes one of
 * them between dump and restore (special/file-*.desc); the restore must
 * then fail, naming the file. Left alone, both are as they were.
 */
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	static char data[4096];
	struct stat st, now;
	int fd, elf, exe;

	test_init(argc, argv);
	fd = open("data.bin", O_RDWR | O_CREAT | O_TRUNC, 0600);
	exe = open("/proc/self/exe", O_RDONLY);
	elf = open("elf.bin", O_RDWR | O_CREAT | O_TRUNC, 0700);
	if (fd < 0 || exe < 0 || elf < 0 || write(fd, data, sizeof(data)) != sizeof(data) ||
	    fstat(exe, &st) || sendfile(elf, exe, NULL, st.st_size) != st.st_size) {
		fail("set-up: %m");
		return 1;
	}
	close(exe);
	close(elf);
	elf = open("elf.bin", O_RDONLY);
	if (elf < 0) {
		fail("set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();
	if (fstat(elf, &now) || now.st_size != st.st_size || fstat(fd, &now) ||
	    now.st_size != sizeof(data))
		fail("a file changed size");
	return test_result();
}
