/* accel.c - the accelerator for the microVM: KVM where /dev/kvm can run a stock guest,
 * else TCG.  A paravirtual KVM (a cloud VM's nested one) can answer every ioctl yet
 * boot only kernels built for it: QEMU then hangs at the first instruction.  Such a
 * KVM hides CPU features from its guests that the host has; a KVM that offers fewer
 * of the baseline x86-64 features than the host's CPU is not used. */
#include "config.h"

#include <cpuid.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "utils.h"
#include "vm.h"

/* CPUID leaf 1 ECX: SSE3, SSSE3, CX16, SSE4.1, SSE4.2, POPCNT. */
#define BASELINE_ECX ((1u << 0) | (1u << 9) | (1u << 13) | (1u << 19) | (1u << 20) | (1u << 23))

const char *vm_accel_choose(const char **why)
{
	struct {
		struct kvm_cpuid2 head;
		struct kvm_cpuid_entry2 e[256];
	} cpuid = { .head.nent = 256 };
	unsigned a, b, c, d, host_ecx = 0, kvm_ecx = 0;
	_cleanup_close_ int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm;

	*why = NULL;
	if (kvm < 0) {
		*why = "no usable /dev/kvm";
		return "tcg";
	}
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION || (vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0) {
		*why = "/dev/kvm does not make virtual machines";
		return "tcg";
	}
	close(vm);
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid) < 0) {
		*why = "/dev/kvm does not tell its CPU features";
		return "tcg";
	}
	for (unsigned i = 0; i < cpuid.head.nent; i++)
		if (cpuid.e[i].function == 1)
			kvm_ecx = cpuid.e[i].ecx;
	if (__get_cpuid(1, &a, &b, &c, &d))
		host_ecx = c;
	if ((host_ecx & BASELINE_ECX) & ~kvm_ecx) {
		*why = "/dev/kvm hides CPU features the host has (a paravirtual KVM that boots only kernels built "
		       "for it)";
		return "tcg";
	}
	return "kvm";
}
