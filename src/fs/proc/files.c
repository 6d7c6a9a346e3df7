/*
 * files.c - proc's generated files: the file operations that snapshot an entry's
 * contents at open (Linux's single_open seq_file: a reader sees one consistent
 * generation however small its reads), and the global files of /proc.
 *
 * Values are Linux's formats (gVisor's numbers where gVisor invents them): the CPU count,
 * the memory size and every time come through the host boundary, so the simulation
 * prints the same bytes every run and a real host shows its own machine.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "fs/cgroupfs/cgroupfs.h"
#include "fs/tmpfs/tmpfs.h"
#include "internal.h"
#include "vfs/internal.h"

/* ---------------------------------------------------------------------------------- */
/* Snapshot files */

/* A file's contents, taken at open. */
struct proc_seq {
	size_t len;
	char data[];
};

static int proc_seq_open(struct inode *inode, struct file *file)
{
	struct proc_inode *pi = PROC_I(inode);
	struct strbuf sb = STRBUF_INIT;
	struct proc_seq *seq;
	struct proc_ctx c;
	int err;

	err = proc_ctx_init(&c, inode);
	if (err)
		return err;
	err = pi->pe->show(&c, &sb);
	if (!err)
		err = sb_error(&sb);
	if (err)
		goto out;
	err = -ENOMEM;
	seq = vl_malloc(sizeof(*seq) + sb.len);
	if (!seq)
		goto out;
	seq->len = sb.len;
	if (sb.len)
		memcpy(seq->data, sb.buf, sb.len);
	file->private_data = seq;
	err = 0;
out:
	sb_free(&sb);
	return err;
}

static void proc_seq_release(struct inode *inode, struct file *file)
{
	(void)inode;
	vl_free(file->private_data);
	file->private_data = NULL;
}

static ssize_t proc_seq_read(struct file *file, void *buf, size_t len, int64_t off)
{
	const struct proc_seq *seq = file->private_data;
	size_t n;

	if (off < 0)
		return -EINVAL;
	if (!seq || (uint64_t)off >= seq->len)
		return 0;
	n = seq->len - (size_t)off;
	if (n > len)
		n = len;
	memcpy(buf, seq->data + off, n);
	return (ssize_t)n;
}

const struct file_operations proc_seq_fops = {
	.open = proc_seq_open,
	.release = proc_seq_release,
	.read = proc_seq_read,
};

/* ---------------------------------------------------------------------------------- */
/* The global files */

int proc_cgroups_show(const struct proc_ctx *c, struct strbuf *out)
{
	return cgroupfs_show_controllers(c->k->vfs, out);
}

int proc_filesystems_show(const struct proc_ctx *c, struct strbuf *out)
{
	return filesystems_show(c->k->vfs, out);
}

int proc_mounts_link_show(const struct proc_ctx *c, struct strbuf *out)
{
	(void)c;
	sb_adds(out, "self/mounts");
	return sb_error(out);
}

/* gVisor's simulated CPU (pkg/cpuid's /proc/cpuinfo for a generic x86-64), trimmed to
 * the flags every x86-64 has. */
int proc_cpuinfo_show(const struct proc_ctx *c, struct strbuf *out)
{
	struct host *h = c->k->host;
	int cpu, n = (int)h->ops->ncpus(h);

	for (cpu = 0; cpu < n; cpu++) {
		sb_printf(out, "processor\t: %d\n", cpu);
		sb_adds(out, "vendor_id\t: GenuineIntel\n"
			     "cpu family\t: 6\n"
			     "model\t\t: 85\n"
			     "model name\t: unknown\n"
			     "stepping\t: unknown\n"
			     "cpu MHz\t\t: 2000.000\n"
			     "fpu\t\t: yes\n"
			     "fpu_exception\t: yes\n"
			     "cpuid level\t: 13\n"
			     "wp\t\t: yes\n"
			     "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca "
			     "cmov pat pse36 clflush mmx fxsr sse sse2 syscall nx lm pni\n"
			     "bogomips\t: 2000.00\n"
			     "clflush size\t: 64\n"
			     "cache_alignment\t: 64\n"
			     "address sizes\t: 46 bits physical, 48 bits virtual\n"
			     "power management:\n\n");
	}
	return sb_error(out);
}

/* gVisor's meminfo lines over the simulated RAM: nothing is accounted yet, so all of
 * it is free. */
int proc_meminfo_show(const struct proc_ctx *c, struct strbuf *out)
{
	struct host *h = c->k->host;
	unsigned long long total = h->ops->mem_total(h) / 1024;

	sb_printf(out, "MemTotal:       %8llu kB\n", total);
	sb_printf(out, "MemFree:        %8llu kB\n", total);
	sb_printf(out, "MemAvailable:   %8llu kB\n", total);
	sb_adds(out, "Buffers:               0 kB\n"
		     "Cached:                0 kB\n"
		     "SwapCached:            0 kB\n"
		     "Active:                0 kB\n"
		     "Inactive:              0 kB\n"
		     "Active(anon):          0 kB\n"
		     "Inactive(anon):        0 kB\n"
		     "Active(file):          0 kB\n"
		     "Inactive(file):        0 kB\n"
		     "Unevictable:           0 kB\n"
		     "Mlocked:               0 kB\n"
		     "SwapTotal:             0 kB\n"
		     "SwapFree:              0 kB\n"
		     "Dirty:                 0 kB\n"
		     "Writeback:             0 kB\n"
		     "AnonPages:             0 kB\n"
		     "Mapped:                0 kB\n"
		     "Shmem:                 0 kB\n");
	return sb_error(out);
}

static int64_t proc_monotonic_ns(struct kernel *k)
{
	return k->host->ops->clock_monotonic_ns(k->host);
}

/* The monotonic clock counts from the (simulated) machine's boot, as Linux's uptime;
 * truncated to hundredths as Linux prints it. No idle time is accounted (gVisor). */
int proc_uptime_show(const struct proc_ctx *c, struct strbuf *out)
{
	int64_t ns = proc_monotonic_ns(c->k);
	int64_t cs = ns > 0 ? ns / 10000000 : 0;

	sb_printf(out, "%lld.%02lld 0.00\n", (long long)(cs / 100), (long long)(cs % 100));
	return sb_error(out);
}

int proc_version_show(const struct proc_ctx *c, struct strbuf *out)
{
	(void)c;
	sb_adds(out, PROC_SYSNAME " version " PROC_RELEASE " " PROC_VERSION "\n");
	return sb_error(out);
}

static int proc_nr_tasks(struct kernel *k)
{
	struct list_head *p;
	int n = 0;

	list_for_each(p, &k->tasks)
		n++;
	return n;
}

/* No load is measured; the running count is the looking task, the last field the most
 * recently allocated PID. */
int proc_loadavg_show(const struct proc_ctx *c, struct strbuf *out)
{
	sb_printf(out, "0.00 0.00 0.00 1/%d %d\n", proc_nr_tasks(c->k), c->k->next_pid);
	return sb_error(out);
}

/* Zero CPU times, as gVisor; btime is the realtime clock at monotonic zero, rounded to
 * the second (the monotonic clock is read first, so a simulated reading of both lands
 * on the simulated boot second exactly). */
int proc_stat_show(const struct proc_ctx *c, struct strbuf *out)
{
	struct host *h = c->k->host;
	int64_t mono = h->ops->clock_monotonic_ns(h);
	int64_t real = h->ops->clock_realtime_ns(h);
	int64_t boot = (real - mono + 500000000) / 1000000000;
	int cpu;

	sb_adds(out, "cpu  0 0 0 0 0 0 0 0 0 0\n");
	for (cpu = 0; cpu < (int)h->ops->ncpus(h); cpu++)
		sb_printf(out, "cpu%d 0 0 0 0 0 0 0 0 0 0\n", cpu);
	sb_adds(out, "intr 0\nctxt 0\n");
	sb_printf(out, "btime %lld\n", (long long)boot);
	sb_printf(out, "processes %d\n", c->k->next_pid);
	sb_printf(out, "procs_running 1\nprocs_blocked 0\n");
	sb_adds(out, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
	return sb_error(out);
}
