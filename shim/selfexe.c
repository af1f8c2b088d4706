/* selfexe.c — see selfexe.h. */
#define _GNU_SOURCE
#include "selfexe.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U  /* Linux 6.3: asks for an executable memfd where vm.memfd_noexec would refuse one */
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

bool selfexe_is_sealed(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	int seals = fcntl(fd, F_GET_SEALS);  /* EINVAL on a file of a file system without seals */
	close(fd);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

static int copy_all(int from, int to, off_t size)
{
	off_t done = 0;
	while (done < size) {
		ssize_t n = sendfile(to, from, NULL, (size_t)(size - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? fail_errno("copy the shim binary") : fail("copy the shim binary: it shrank while read");
		done += n;
	}
	return 0;
}

int selfexe_sealed_copy(void)
{
	int mfd = memfd_create("nodelet-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL)  /* a kernel before 6.3 knows no MFD_EXEC: every memfd is executable there */
		mfd = memfd_create("nodelet-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return fail_errno("memfd_create");
	int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (self < 0 || fstat(self, &st) < 0) {
		fail_errno("open /proc/self/exe");
		goto fail;
	}
	if (copy_all(self, mfd, st.st_size) < 0)
		goto fail;
	if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0) {
		fail_errno("seal the shim's copy");
		goto fail;
	}
	close(self);
	return mfd;
fail:
	if (self >= 0)
		close(self);
	close(mfd);
	return -1;
}

int selfexe_ensure_sealed(char **argv)
{
	if (selfexe_is_sealed())
		return 0;
	int mfd = selfexe_sealed_copy();
	if (mfd < 0)
		return fail_context("protect the shim binary");
	/* Close-on-exec does not matter for an ELF file (only a script needs its fd after the exec). */
	execveat(mfd, "", argv, environ, AT_EMPTY_PATH);
	fail_errno("protect the shim binary: execute its sealed copy");
	close(mfd);
	return -1;
}
