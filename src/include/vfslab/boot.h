/*
 * boot.h - container mount setup from an OCI spec: the spec, runsc's configuration, the
 * plan of steps (gVisor's runsc/boot/vfs.go, step by step), and lint.
 *
 * The flow: boot_spec_parse() turns config.json text into a struct boot_spec (errors name
 * the JSON path: "mounts[3].destination: must be a string"); boot_config_default() gives
 * runsc's defaults, which boot_config_set() and the spec's dev.gvisor.flag.* annotations
 * change; boot_plan_build() makes the plan: every step the seed takes, in its order, under
 * the chosen ordering policy. A step says what it will do (kind, target, filesystem type,
 * source, data, flags, gofer FD) and why; the stepper (next increment of issue 7) carries
 * steps out and fills in each step's mount-table change. boot_lint() reports ordering
 * hazards and mistakes. Nothing here prints or reads files: text comes in, results and
 * messages go out (struct boot_err).
 *
 * Thread safety: the objects are plain data; distinct objects may be used from distinct
 * threads, one object from one thread at a time.
 */
#ifndef VFSLAB_BOOT_H
#define VFSLAB_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A message explaining a failure: "config.json: mounts[3].destination: must be a string". */
struct boot_err {
	char msg[512];
};

/* A vector of strings; n entries, v[n] is NULL. */
struct boot_strv {
	char **v;
	size_t n;
};

/* ------------------------------------------------------------------ the spec */

/* One entry of the spec's mounts[]. */
struct boot_mount {
	char *destination; /* absolute and cleaned ("/a//b/" -> "/a/b") */
	char *written;	   /* the destination as the spec wrote it */
	char *type;	   /* "" when absent */
	char *source;	   /* "" when absent */
	struct boot_strv options;
	int index; /* position in mounts[] */
};

struct boot_spec {
	char *name;	   /* for messages: the file name given to boot_spec_parse */
	char *oci_version; /* "" when absent */
	char *root_path;   /* "" when absent */
	bool root_readonly;
	struct boot_mount *mounts;
	size_t nmounts;
	bool has_process;
	struct boot_strv args;
	struct boot_strv env;
	char *cwd; /* "/" when absent (the runtime's default) */
	uint32_t uid;
	uint32_t gid;
	uint32_t *gids; /* process.user.additionalGids */
	size_t ngids;
	struct boot_strv ann_keys; /* annotations, sorted by key */
	struct boot_strv ann_values;
	struct boot_strv masked_paths;
	struct boot_strv readonly_paths;
	char *hostname;		   /* "" when absent */
	struct boot_strv warnings; /* "mounts[2].destination: relative path 'x' taken as '/x'" */
};

/* Parse config.json text. name names the text in messages. On failure returns -EINVAL
 * (-ENOMEM) with err->msg "NAME: JSON.PATH: what is wrong" (or "NAME:LINE:COL: ..." for
 * JSON syntax). A relative mount destination is taken relative to "/" with a warning, as
 * the OCI runtime spec says and runc does. */
int boot_spec_parse(const char *json, size_t len, const char *name, struct boot_spec **out,
		    struct boot_err *err);
void boot_spec_free(struct boot_spec *spec);
/* The annotation's value, or NULL. */
const char *boot_spec_annotation(const struct boot_spec *spec, const char *key);

/* ------------------------------------------------------------------ runsc's configuration */

enum boot_file_access {
	BOOT_FA_EXCLUSIVE,
	BOOT_FA_SHARED,
};

enum boot_network {
	BOOT_NET_SANDBOX, /* netstack: the tun device is supported */
	BOOT_NET_HOST,	  /* hostinet: no tun */
	BOOT_NET_NONE,	  /* netstack with loopback only: tun supported */
};

enum boot_order {
	BOOT_ORDER_GVISOR, /* the seed: sorted by destination length (stable here) */
	BOOT_ORDER_SPEC,   /* the spec's order, as runc and crun mount */
};

struct boot_config {
	bool overlay;				  /* --overlay (false) */
	enum boot_file_access file_access;	  /* --file-access, the root (exclusive) */
	enum boot_file_access file_access_mounts; /* bind mounts (shared) */
	bool overlayfs_stale_read;		  /* --overlayfs-stale-read (true) */
	enum boot_network network;		  /* --network (sandbox) */
	bool fuse;				  /* --fuse (false) */
	bool cgroupfs;				  /* --cgroupfs (false) */
	enum boot_order order;			  /* ours: gvisor */
	int gofer_fd_base;			  /* ours: the first gofer FD number (3) */
	bool subcontainer; /* a pod's later container: no registration, no masters */
};

void boot_config_default(struct boot_config *conf);
/* Set one option by runsc's flag name: overlay, file-access, file-access-mounts,
 * overlayfs-stale-read, network, fuse, cgroupfs, and ours: order, gofer-fd-base.
 * Returns 0 or -EINVAL with a message. */
int boot_config_set(struct boot_config *conf, const char *key, const char *value,
		    struct boot_err *err);
/* Apply the spec's dev.gvisor.flag.NAME annotations, as runsc's ReadSpecFromFile does. */
int boot_config_apply_annotations(struct boot_config *conf, const struct boot_spec *spec,
				  struct boot_err *err);
const char *boot_order_name(enum boot_order order);
int boot_order_parse(const char *s, enum boot_order *out);
/* "overlay=false file-access=exclusive ..." for headers; caller frees with free(). */
char *boot_config_describe(const struct boot_config *conf);

/* ------------------------------------------------------------------ the plan */

enum boot_step_kind {
	BOOT_STEP_REGISTER_FS,	     /* target: the type; flags: BOOT_FS_* */
	BOOT_STEP_REGISTER_DEV,	     /* target: the driver (memdev ...) */
	BOOT_STEP_DEVTMPFS_INIT,     /* devtmpfs user-space init: symlinks and dirs */
	BOOT_STEP_DEVTMPFS_FILE,     /* target: /dev/NAME; data: "c MAJ:MIN mode=0666" */
	BOOT_STEP_MOUNT_MASTER,	     /* pod-shared master, disconnected; target: hint name */
	BOOT_STEP_CONFIGURE_OVERLAY, /* the overlay's lower (described) and tmpfs upper */
	BOOT_STEP_MOUNT_ROOT,	     /* the namespace's root */
	BOOT_STEP_SET_RW,	     /* a read-only mount made writable for its children */
	BOOT_STEP_MKDIR,	     /* a mount point: kept if present, else synthetic */
	BOOT_STEP_MOUNT,	     /* a submount */
	BOOT_STEP_SHARED_MOUNT,	     /* a bind of a pod-shared master */
	BOOT_STEP_SKIP,		     /* a mount not mounted, and why */
	BOOT_STEP_MOUNT_TMP,	     /* the internal tmpfs at /tmp, if safe at run time */
	BOOT_STEP_RESTORE_RO,	     /* back to read-only, in reverse order */
	BOOT_STEP_RESOLVE_EXEC,	     /* args[0] through cwd and PATH */
	BOOT_STEP_MASKED_PATH,	     /* linux.maskedPaths entry: what vfslab does */
	BOOT_STEP_READONLY_PATH,     /* linux.readonlyPaths entry: what vfslab does */
	BOOT_STEP_FD_MAP,	     /* restore's map of destinations to gofer FDs */
	BOOT_STEP_FAIL,		     /* where runsc would stop, with its error */
	BOOT_STEP_KIND_COUNT
};

/* register-fs flags (the seed's RegisterFilesystemTypeOptions). */
#define BOOT_FS_USER_MOUNT 0x1u
#define BOOT_FS_USER_LIST 0x2u

/* Mount flags use <sys/mount.h>'s MS_RDONLY, MS_NOSUID, MS_NOEXEC, MS_NOATIME. */

/* Verity's internal options, for a mount whose type became "verity". */
struct boot_verity {
	char *lower_type;	/* the filesystem verity sits on */
	char *lower_data;	/* its data string */
	char *roothash;		/* NULL: none given, runtime enable allowed (no protection) */
	char *action;		/* "error" or "panic" */
	char *root_merkle_name; /* basename of the destination */
};

/* What carrying out a step changed; filled in by the stepper. */
enum boot_change_kind {
	BOOT_CHANGE_NONE,     /* not carried out yet, or changed nothing */
	BOOT_CHANGE_ADDED,    /* a mount appeared */
	BOOT_CHANGE_MODIFIED, /* a mount's flags changed (set-rw, restore-ro) */
	BOOT_CHANGE_CREATED,  /* a file or directory was created (mkdir, devtmpfs) */
	BOOT_CHANGE_SKIPPED,  /* decided at run time not to act (/tmp not empty, ...) */
};

struct boot_change {
	bool done;
	int err; /* 0 or -errno */
	enum boot_change_kind kind;
	int mnt_id; /* the mount added or modified, or -1 */
	char *text; /* one line: the mountinfo line or what was created */
};

struct boot_step {
	enum boot_step_kind kind;
	char *target;		    /* a path, a type name, a driver, a hint name */
	char *fstype;		    /* NULL when none */
	char *source;		    /* NULL when none */
	char *data;		    /* filesystem data string; NULL when none */
	unsigned long flags;	    /* MS_* (or BOOT_FS_* for register-fs) */
	int fd;			    /* gofer FD, or -1 */
	int mount;		    /* index into plan->mounts, or -1 */
	mode_t mode;		    /* devtmpfs-file: type and permission bits */
	unsigned major, minor;	    /* devtmpfs-file: the device number */
	char *ignored;		    /* options runsc ignores, comma-separated; NULL when none */
	char *fields;		    /* other key=value fields, space-separated; NULL when none */
	char *reason;		    /* why, in words */
	struct boot_verity *verity; /* mount steps whose type is verity */
	struct boot_change change;
};

/* A mount as runsc compiles it (mandatory mounts first, then the spec's). */
struct boot_plan_mount {
	char *destination;
	char *type;	 /* after /dev, /dev/pts and bind-option conversion */
	char *spec_type; /* as written */
	char *source;
	struct boot_strv options;
	int spec_index; /* -1 for mounts runsc adds */
	int fd;		/* gofer FD dispensed, or -1 */
	int hint;	/* index into plan->hints or -1 */
};

/* A dev.gvisor.spec.mount.NAME.* hint. */
struct boot_hint {
	char *name;
	char *source;
	char *type;
	char *share;		  /* container | pod | shared */
	struct boot_strv options; /* sorted */
};

struct boot_plan {
	const struct boot_spec *spec; /* borrowed: the spec must outlive its plan */
	struct boot_config conf;
	struct boot_step *steps;
	size_t nsteps;
	struct boot_plan_mount *mounts; /* dispense order */
	size_t nmounts;
	size_t *order; /* mounting order: indices into mounts */
	struct boot_hint *hints;
	size_t nhints;
	int root_fd;
	bool failed; /* the last step is a fail step */
};

/* Build the plan of spec under conf. Returns 0 — also when runsc would fail part way:
 * then plan->failed and the last step, of kind fail, says where and why — or -ENOMEM,
 * or -EINVAL with a message for a configuration that cannot be planned. */
int boot_plan_build(const struct boot_spec *spec, const struct boot_config *conf,
		    struct boot_plan **out, struct boot_err *err);
void boot_plan_free(struct boot_plan *plan);
const char *boot_step_kind_name(enum boot_step_kind kind);

/* The steps format, one line per step (stable, golden-tested):
 *   NN KIND TARGET [type=T] [src=S] [opts=D] [flags=F] [fd=N] [ignored=O] [FIELDS] # reason
 * Values are C-escaped when they hold blanks or unprintables. Caller frees with free().
 * NULL when out of memory. */
char *boot_format_step(const struct boot_plan *plan, size_t i);
char *boot_format_steps(const struct boot_plan *plan);

/* ------------------------------------------------------------------ the stepper */

struct kernel;
struct kernel_options;

/* Where the gofers come from: the simulated host's in-memory gofer, or gofer processes
 * serving real directories. connect() returns a host descriptor (a connected socket, the
 * client's end; the stepper hands it to the kernel, which owns it from then on) for a
 * gofer serving source: the container's root (spec root.path; root true) or a bind
 * mount's source. readonly: serve it read-only. want: S_IFDIR or S_IFREG, what the mount
 * point is (a simulation creates a missing source of that type). On failure -errno with
 * err->msg naming the source and what is wrong. */
struct boot_gofers {
	void *ctx;
	int (*connect)(void *ctx, const char *source, bool root, bool readonly, mode_t want,
		       struct boot_err *err);
};

struct boot_run;

/* The kernel a plan wants (kernel_new_opts): tun unless --network=host, fuse with --fuse. */
void boot_kernel_options(const struct boot_plan *plan, struct kernel_options *out);
/* A run of plan on k, a fresh kernel (kernel_new_opts with boot_kernel_options), whose
 * init task does the mounting; the new mount namespace becomes that of every task of
 * the kernel's first namespace. plan, k and g->ctx are borrowed: they outlive the run.
 * The steps' change records are reset. 0 or -ENOMEM. */
int boot_run_new(struct boot_plan *plan, struct kernel *k, const struct boot_gofers *g,
		 struct boot_run **out);
/* A run of a pod's later container (a plan built with conf.subcontainer) in the sandbox
 * that the run sandbox set up on k: a new task (root, forked from the kernel's init task)
 * does the mounting and gets the container's own mount namespace; its shared mounts bind
 * the sandbox's pod-shared masters (by hint name). sandbox must outlive the run. */
int boot_run_new_container(struct boot_plan *plan, struct kernel *k,
			   const struct boot_gofers *g, struct boot_run *sandbox,
			   struct boot_run **out);
/* The task that does the run's mounting (the kernel's init task, or a container's). */
struct task *boot_run_task(const struct boot_run *r);
/* The index of the next step (plan->nsteps when all are done). */
size_t boot_run_pos(const struct boot_run *r);
/* True once a step has failed: the run stops there, as runsc's setup would. */
bool boot_run_failed(const struct boot_run *r);
/* Carry out the next step, recording in it what changed (step->change). 0 when the step
 * was carried out; -errno when it failed (err->msg says what and why, as runsc reports
 * it; the step's change has err and that text); -ENODATA when all steps are done;
 * -ECANCELED after a failure. */
int boot_run_step(struct boot_run *r, struct boot_err *err);
/* Free the run: what only it holds (pod-shared masters, overlay layers configured but not
 * mounted) goes; the kernel and its mounts stay. */
void boot_run_free(struct boot_run *r);
const char *boot_change_kind_name(enum boot_change_kind kind);

/* ------------------------------------------------------------------ lint */

enum boot_lint_level {
	BOOT_LINT_INFO,
	BOOT_LINT_WARNING,
	BOOT_LINT_ERROR, /* runsc refuses the spec or fails to set it up */
};

struct boot_finding {
	enum boot_lint_level level;
	char *code;  /* "shadowed", "duplicate-destination", ... */
	char *where; /* "mounts[3] /data", "annotations", "process" */
	char *msg;   /* what and why it matters */
};

struct boot_lint {
	struct boot_finding *findings;
	size_t n;
	size_t count[3]; /* by level */
};

/* What lint may ask about the container's rootfs (from a manifest or a real tree); any
 * callback may be NULL, and then the checks needing it are not made. Paths are absolute
 * in the rootfs. lstat returns 0 with the mode (and, for a symlink, its target in buf),
 * or -ENOENT. */
struct boot_tree {
	void *ctx;
	int (*lstat)(void *ctx, const char *path, mode_t *mode, char *buf, size_t size);
	bool (*has_children)(void *ctx, const char *path);
};

int boot_lint_run(const struct boot_spec *spec, const struct boot_config *conf,
		  const struct boot_tree *rootfs, struct boot_lint **out, struct boot_err *err);
void boot_lint_free(struct boot_lint *lint);
const char *boot_lint_level_name(enum boot_lint_level level);
/* One line per finding: "LEVEL CODE WHERE: MSG", then a count line. Caller frees. */
char *boot_format_lint(const struct boot_lint *lint);
/* A JSON document {"findings":[{level,code,where,message}...],"errors":N,...}. */
char *boot_format_lint_json(const struct boot_lint *lint);

#endif
