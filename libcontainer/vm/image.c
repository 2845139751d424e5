/* image.c - the microVM's guest kernel and initramfs, made once and cached (image.h).
 *
 * Debian's kernel is a bzImage whose payload is xz: under TCG its own decompression
 * costs seconds at every boot, so the payload is unpacked once (with xz) into the ELF
 * vmlinux it holds.  The initramfs carries husk as /init (the guest agent is husk
 * itself), the shared objects this very process has mapped, and the virtio modules
 * from /lib/modules/<version> when the kernel has them as modules. */
#include "config.h"

#include <dirent.h>
#include <elf.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "image.h"
#include "utils.h"

#define CACHE_DEFAULT "/var/cache/husk/microvm"
/* What the agent needs from the kernel: the virtio-mmio transport, the serial port
 * it talks over, and 9p for the rootfs and the bind mounts.  In load order. */
static const char *const guest_modules[] = { "virtio_mmio", "virtio_console", "9pnet_virtio", "9p" };

static const char *cache_dir(void)
{
	const char *d = getenv("HUSK_MICROVM_CACHE");
	return d && *d ? d : CACHE_DEFAULT;
}

static bool is_elf(const char *path)
{
	char magic[4];
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd >= 0 && read(fd, magic, 4) == 4 && !memcmp(magic, ELFMAG, 4);
}

static char *newest_boot_kernel(void)
{
	char *best = NULL;
	struct dirent *de;
	DIR *d = opendir("/boot");

	if (!d)
		return NULL;
	while ((de = readdir(d)))
		if (str_has_prefix(de->d_name, "vmlinuz-") && (!best || strverscmp(de->d_name, best) > 0)) {
			free(best);
			best = xstrdup(de->d_name);
		}
	closedir(d);
	if (!best)
		return NULL;
	char *path = xasprintf("/boot/%s", best);
	free(best);
	return path;
}

/* Run ARGV with stdin from IN and stdout to OUT; its exit status, or -errno. */
static int run_filter(char *const argv[], int in, int out)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
			_exit(126);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The first xz stream in a bzImage, unpacked into DEST (atomically). */
static int unpack_bzimage(const char *kernel, const char *dest, struct husk_error *err)
{
	static const char xz_magic[] = { (char) 0xfd, '7', 'z', 'X', 'Z', 0 };
	_cleanup_free_ char *tmp = xasprintf("%s.%d.tmp", dest, getpid());
	_cleanup_close_ int in = open(kernel, O_RDONLY | O_CLOEXEC), out = -1;
	char *const argv[] = { "xz", "-dcq", NULL };
	struct stat st;
	char *map;
	const char *at;
	int r;

	if (in < 0 || fstat(in, &st) < 0)
		return husk_error_sys(err, errno, "microvm: guest kernel \"%s\"", kernel);
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, in, 0);
	if (map == MAP_FAILED)
		return husk_error_sys(err, errno, "microvm: guest kernel \"%s\"", kernel);
	at = memmem(map, st.st_size, xz_magic, sizeof(xz_magic));
	off_t off = at ? at - map : -1;
	munmap(map, st.st_size);
	if (off < 0)
		return husk_error_set(err, ENOEXEC, "microvm: guest kernel \"%s\": not an ELF vmlinux, and no xz "
				      "payload in it to unpack", kernel);
	if (lseek(in, off, SEEK_SET) < 0)
		return husk_error_sys(err, errno, "microvm: guest kernel \"%s\"", kernel);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return husk_error_sys(err, errno, "microvm: create \"%s\"", tmp);
	r = run_filter(argv, in, out);
	/* xz complains about the bytes after the stream: its status says nothing; the
	 * ELF magic does. */
	if (r == 127 || r < 0) {
		unlink(tmp);
		return husk_error_set(err, ENOENT, "microvm: unpacking the guest kernel needs xz (Debian: apt-get "
				      "install xz-utils)");
	}
	if (!is_elf(tmp)) {
		unlink(tmp);
		return husk_error_set(err, ENOEXEC, "microvm: guest kernel \"%s\": its payload is not an ELF vmlinux",
				      kernel);
	}
	if (rename(tmp, dest) < 0) {
		r = -errno;
		unlink(tmp);
		return husk_error_sys(err, -r, "microvm: rename \"%s\"", tmp);
	}
	return 0;
}

/* ---- the initramfs: a newc cpio written as it goes ------------------------------ */
struct cpio {
	int fd;
	unsigned ino;
	off_t off;
	int error;
	char **dirs; /* made already */
	size_t n_dirs;
};

static void cpio_write(struct cpio *c, const void *buf, size_t len)
{
	static const char zeros[4];

	if (!c->error && write_all(c->fd, buf, len) < 0)
		c->error = errno;
	c->off += len;
	if (c->off % 4) {
		size_t pad = 4 - c->off % 4;
		if (!c->error && write_all(c->fd, zeros, pad) < 0)
			c->error = errno;
		c->off += pad;
	}
}

static void cpio_header(struct cpio *c, const char *name, mode_t mode, size_t size, dev_t rdev)
{
	char h[111];
	size_t namesize = strlen(name) + 1;

	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ++c->ino, mode, 0,
		 0, 1, 0, size, 0, 0, major(rdev), minor(rdev), namesize, 0);
	/* The header (110 bytes) and the name are padded together to 4. */
	if (!c->error && write_all(c->fd, h, 110) < 0)
		c->error = errno;
	c->off += 110;
	cpio_write(c, name, namesize);
}

static void cpio_dir(struct cpio *c, const char *name)
{
	for (size_t i = 0; i < c->n_dirs; i++)
		if (!strcmp(c->dirs[i], name))
			return;
	strv_push(&c->dirs, &c->n_dirs, name);
	cpio_header(c, name, S_IFDIR | 0755, 0, 0);
}

/* Every parent of NAME ("usr/lib/x"), as directories. */
static void cpio_parents(struct cpio *c, const char *name)
{
	_cleanup_free_ char *copy = xstrdup(name);

	for (char *s = strchr(copy, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		cpio_dir(c, copy);
		*s = '/';
	}
}

static int cpio_file(struct cpio *c, const char *name, const char *src, mode_t mode)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r = read_file_at(AT_FDCWD, src, 256u << 20, &data, &len);

	if (r < 0)
		return r;
	cpio_parents(c, name);
	cpio_header(c, name, S_IFREG | mode, len, 0);
	cpio_write(c, data, len);
	return 0;
}

/* The shared objects this process has loaded, each at the path the dynamic linker
 * opened it by (its soname in a system directory, as the guest's linker will look
 * for it), and the interpreter by the name husk's ELF header gives. */
struct libs {
	struct cpio *c;
	int error;
	char *failed;
};

static int add_library(struct dl_phdr_info *info, size_t size, void *data)
{
	struct libs *l = data;
	char real[PATH_MAX];

	if (l->error || !info->dlpi_name || info->dlpi_name[0] != '/' || strstr(info->dlpi_name, "linux-vdso"))
		return 0;
	if (!realpath(info->dlpi_name, real) || cpio_file(l->c, info->dlpi_name + 1, real, 0755) < 0) {
		l->error = errno ? errno : EIO;
		l->failed = xstrdup(info->dlpi_name);
	}
	return 0;
}

static int add_libraries(struct cpio *c, struct husk_error *err)
{
	struct libs l = { .c = c };

	dl_iterate_phdr(add_library, &l);
	if (l.error) {
		int r = husk_error_sys(err, l.error, "microvm: read \"%s\"", l.failed);
		free(l.failed);
		return r;
	}
	/* The interpreter by the name the ELF header gives (/lib64/ld-linux-x86-64.so.2). */
	{
		_cleanup_free_ char *exe = NULL;
		size_t len;
		Elf64_Ehdr *eh;
		if (read_file_at(AT_FDCWD, "/proc/self/exe", 256u << 20, &exe, &len) < 0 || len < sizeof(*eh))
			return husk_error_set(err, EIO, "microvm: read husk's own binary");
		eh = (Elf64_Ehdr *) exe;
		for (unsigned i = 0; i < eh->e_phnum; i++) {
			Elf64_Phdr *ph = (Elf64_Phdr *) (exe + eh->e_phoff + i * eh->e_phentsize);
			if ((char *) (ph + 1) > exe + len || ph->p_type != PT_INTERP || ph->p_offset + ph->p_filesz > len)
				continue;
			_cleanup_free_ char *interp = strndup(exe + ph->p_offset, ph->p_filesz);
			char real[PATH_MAX];
			if (interp && interp[0] == '/' && realpath(interp, real) &&
			    cpio_file(c, interp + 1, real, 0755) < 0)
				return husk_error_sys(err, errno, "microvm: read \"%s\"", interp);
		}
	}
	return 0;
}

/* The modules named in guest_modules and what they depend on, from modules.dep, in
 * an order insmod can follow (dependencies first), as /modules/NN.ko. */
static int add_module(struct cpio *c, const char *dir, const char *dep_text, const char *name, char ***done,
		      size_t *n_done, FILE *order, struct husk_error *err)
{
	_cleanup_free_ char *needle = xasprintf("/%s.ko", name);
	const char *line = dep_text, *hit = NULL;

	for (const char *p = dep_text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		size_t len = strcspn(p, ":\n");
		/* the module's own path ends with /NAME.ko (or .ko.xz) before the colon */
		const char *m = memmem(p, len, needle, strlen(needle));
		if (m && (m + strlen(needle) == p + len || !strncmp(m + strlen(needle), ".xz", 3))) {
			hit = p;
			break;
		}
	}
	(void) line;
	if (!hit)
		return 0; /* built in (modules.builtin), or not a module of this kernel */
	size_t len = strcspn(hit, ":");
	_cleanup_free_ char *rel = strndup(hit, len);
	for (size_t i = 0; i < *n_done; i++)
		if (!strcmp((*done)[i], rel))
			return 0;
	strv_push(done, n_done, rel);
	/* dependencies first */
	const char *deps = hit + len + 1, *end = strchr(deps, '\n');
	_cleanup_free_ char *deplist = end ? strndup(deps, end - deps) : xstrdup(deps);
	char *save, *tok;
	for (tok = strtok_r(deplist, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		const char *base = strrchr(tok, '/') ? strrchr(tok, '/') + 1 : tok;
		_cleanup_free_ char *dname = strndup(base, strcspn(base, "."));
		int r = add_module(c, dir, dep_text, dname, done, n_done, order, err);
		if (r < 0)
			return r;
	}
	_cleanup_free_ char *src = xasprintf("%s/%s", dir, rel), *dst = xasprintf("modules/%s.ko", name);
	if (strstr(rel, ".xz")) {
		char *const argv[] = { "xz", "-dcq", NULL };
		_cleanup_free_ char *tmp = xasprintf("%s/module.%d.tmp", cache_dir(), getpid());
		_cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC),
				    out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int r = in < 0 || out < 0 ? -1 : run_filter(argv, in, out);
		if (r == 0)
			r = cpio_file(c, dst, tmp, 0644);
		unlink(tmp);
		if (r != 0)
			return husk_error_set(err, EIO, "microvm: unpack the kernel module \"%s\"", src);
	} else if (cpio_file(c, dst, src, 0644) < 0) {
		return husk_error_sys(err, errno, "microvm: read the kernel module \"%s\"", src);
	}
	fprintf(order, "%s\n", name);
	return 0;
}

static int add_modules(struct cpio *c, const char *kver, bool *modular, struct husk_error *err)
{
	_cleanup_free_ char *dir = xasprintf("/lib/modules/%s", kver), *dep = xasprintf("%s/modules.dep", dir);
	_cleanup_free_ char *text = NULL, *order_text = NULL;
	_cleanup_strv_ char **done = NULL;
	size_t n_done = 0, len, order_len = 0;
	FILE *order;
	int r = 0;

	if (read_file_at(AT_FDCWD, dep, 64u << 20, &text, &len) < 0)
		return 0; /* no modules: a kernel with what the guest needs built in */
	*modular = true;
	order = open_memstream(&order_text, &order_len);
	for (size_t i = 0; i < ARRAY_SIZE(guest_modules) && r == 0; i++)
		r = add_module(c, dir, text, guest_modules[i], &done, &n_done, order, err);
	fclose(order);
	if (r < 0)
		return r;
	cpio_dir(c, "modules");
	cpio_header(c, "modules/order", S_IFREG | 0644, order_len, 0);
	cpio_write(c, order_text, order_len);
	return 0;
}

/* FNV-1a of husk's binary and of the shared objects' names: a new build of husk makes
 * a new initramfs. */
static uint64_t self_digest(void)
{
	_cleanup_free_ char *exe = NULL;
	size_t len = 0;
	uint64_t h = 14695981039346656037ULL;

	if (read_file_at(AT_FDCWD, "/proc/self/exe", 256u << 20, &exe, &len) < 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char) exe[i]) * 1099511628211ULL;
	return h;
}

static int make_initramfs(const char *kver, const char *dest, bool *modular, struct husk_error *err)
{
	_cleanup_free_ char *tmp = xasprintf("%s.%d.tmp", dest, getpid());
	struct cpio c = { .fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) };
	int r;

	if (c.fd < 0)
		return husk_error_sys(err, errno, "microvm: create \"%s\"", tmp);
	cpio_dir(&c, "dev");
	cpio_header(&c, "dev/console", S_IFCHR | 0600, 0, makedev(5, 1));
	cpio_dir(&c, "proc");
	cpio_dir(&c, "sys");
	cpio_dir(&c, "run");
	cpio_dir(&c, "tmp");
	if ((r = cpio_file(&c, "init", "/proc/self/exe", 0755)) < 0) {
		husk_error_sys(err, -r, "microvm: read husk's own binary");
		goto fail;
	}
	if ((r = add_libraries(&c, err)) < 0 || (r = add_modules(&c, kver, modular, err)) < 0)
		goto fail;
	cpio_header(&c, "TRAILER!!!", 0, 0, 0);
	if (c.error) {
		r = husk_error_sys(err, c.error, "microvm: write \"%s\"", tmp);
		goto fail;
	}
	close(c.fd);
	c.fd = -1;
	strv_free(c.dirs);
	if (rename(tmp, dest) < 0) {
		r = husk_error_sys(err, errno, "microvm: rename \"%s\"", tmp);
		unlink(tmp);
		return r;
	}
	return 0;
fail:
	close(c.fd);
	strv_free(c.dirs);
	unlink(tmp);
	return r;
}

int vm_image_prepare(const char *kernel, struct vm_image *img, struct husk_error *err)
{
	_cleanup_free_ char *found = NULL, *kver = NULL;
	const char *cache = cache_dir();
	struct stat st;
	int r;

	memset(img, 0, sizeof(*img));
	if (!kernel) {
		if (!(found = newest_boot_kernel()))
			return husk_error_set(err, ENOENT, "microvm: no guest kernel: /boot has no vmlinuz-* (Debian: "
					      "apt-get install linux-image-amd64), and no run.husk.microvm.kernel annotation");
		kernel = found;
	}
	if (stat(kernel, &st) < 0)
		return husk_error_sys(err, errno, "microvm: guest kernel \"%s\"", kernel);
	{
		const char *base = strrchr(kernel, '/') ? strrchr(kernel, '/') + 1 : kernel;
		const char *dash = strchr(base, '-');
		kver = xstrdup(str_has_prefix(base, "vmlinu") && dash ? dash + 1 : "none");
	}
	if ((r = mkdir_p(cache, 0755)) < 0)
		return husk_error_sys(err, -r, "microvm: cache directory \"%s\"", cache);
	img->kernel = xstrdup(kernel);
	if (is_elf(kernel)) {
		img->vmlinux = xstrdup(kernel);
	} else {
		img->vmlinux = xasprintf("%s/vmlinux-%s-%lld", cache, kver, (long long) st.st_mtime);
		if (access(img->vmlinux, R_OK) < 0 && (r = unpack_bzimage(kernel, img->vmlinux, err)) < 0)
			goto fail;
	}
	img->initramfs = xasprintf("%s/initramfs-%s-%016llx.cpio", cache, kver, (unsigned long long) self_digest());
	if (access(img->initramfs, R_OK) < 0 && (r = make_initramfs(kver, img->initramfs, &img->modular, err)) < 0)
		goto fail;
	{
		_cleanup_free_ char *dep = xasprintf("/lib/modules/%s/modules.dep", kver);
		img->modular = access(dep, R_OK) == 0;
	}
	return 0;
fail:
	vm_image_free(img);
	return r;
}

void vm_image_free(struct vm_image *img)
{
	free(img->vmlinux);
	free(img->initramfs);
	free(img->kernel);
	memset(img, 0, sizeof(*img));
}
