/*
 * p9.h - the 9P2000.L protocol: message structures, the codec, and our 9P server.
 *
 * Wire format (little-endian): size[4] type[1] tag[2] body, where size counts the whole
 * frame. Strings are len[2] + bytes (no NUL); a qid is type[1] version[4] path[8]. The
 * layouts are those of Linux's net/9p/protocol.c, diod and QEMU (see src/p9/msg_*.c).
 *
 * Codec. p9_decode_t() and p9_decode_r() take exactly one frame and fill a struct
 * p9_fcall whose strings and data point INTO the frame (valid while the frame is): they
 * never read past (buf, len), never allocate, and are safe on hostile input (this is what
 * the libFuzzer target calls). Malformed frames give -EIO: a size field < 7, > msize or
 * unlike len, bytes left over or missing, strings running past the frame or holding NUL,
 * counts not matching their bytes, more than P9_MAXWELEM walk elements or qids, an
 * Rreaddir whose entries are malformed, an Rlerror with ecode 0 or >= 4096. A well-framed
 * message of a type we do not know gives -EOPNOTSUPP (type and tag are filled in, so a
 * server can answer Rlerror). p9_check_reply() then checks a reply against its request
 * (type, tag, nwqid <= nwname, counts <= asked) and p9_check_rversion() the version
 * answer (-EREMOTEIO: unknown version, msize below P9_MIN_MSIZE or above ours).
 *
 * Server. p9_server_new() makes a server exporting a directory of a vfslab kernel; it acts
 * as a task of that kernel chrooted to the export root, so `..` at the root stays at the
 * root and absolute symlink targets resolve inside the export; walks go one component at
 * a time with O_PATH|O_NOFOLLOW, so the server never follows a symlink on a walk. It may
 * export a single regular file instead (a bind mount of a file, as runsc serves one): the
 * task is chrooted to the file's directory, but an attach reaches the file itself and
 * nothing else: no walk leaves a non-directory (ENOTDIR), an aname naming anything below
 * the file fails the same way, and Tremove of the file is EBUSY. Each
 * connection (p9_server_serve_fd) gets a reader thread and a pool of workers: replies may
 * go out of order, Tflush is answered after the flushed request's reply (or at once when
 * it was still queued and is dropped). Credentials: each attach runs as the uid its
 * n_uname names (or its uname, when numeric and n_uname is P9_NONUNAME), with the gid
 * equal to the uid and no supplementary groups, as diod -N ("no user database") does; only
 * a server whose task is root may serve uids other than its own.
 *
 * Thread safety: the codec is pure; the server functions may be called from any thread.
 */
#ifndef VFSLAB_P9_H
#define VFSLAB_P9_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;

/* Message types (Linux include/net/9p/9p.h). */
enum p9_msg_type {
	P9_TLERROR = 6,
	P9_RLERROR = 7,
	P9_TSTATFS = 8,
	P9_RSTATFS = 9,
	P9_TLOPEN = 12,
	P9_RLOPEN = 13,
	P9_TLCREATE = 14,
	P9_RLCREATE = 15,
	P9_TSYMLINK = 16,
	P9_RSYMLINK = 17,
	P9_TMKNOD = 18,
	P9_RMKNOD = 19,
	P9_TRENAME = 20,
	P9_RRENAME = 21,
	P9_TREADLINK = 22,
	P9_RREADLINK = 23,
	P9_TGETATTR = 24,
	P9_RGETATTR = 25,
	P9_TSETATTR = 26,
	P9_RSETATTR = 27,
	P9_TXATTRWALK = 30,
	P9_RXATTRWALK = 31,
	P9_TXATTRCREATE = 32,
	P9_RXATTRCREATE = 33,
	P9_TREADDIR = 40,
	P9_RREADDIR = 41,
	P9_TFSYNC = 50,
	P9_RFSYNC = 51,
	P9_TLOCK = 52,
	P9_RLOCK = 53,
	P9_TGETLOCK = 54,
	P9_RGETLOCK = 55,
	P9_TLINK = 70,
	P9_RLINK = 71,
	P9_TMKDIR = 72,
	P9_RMKDIR = 73,
	P9_TRENAMEAT = 74,
	P9_RRENAMEAT = 75,
	P9_TUNLINKAT = 76,
	P9_RUNLINKAT = 77,
	P9_TVERSION = 100,
	P9_RVERSION = 101,
	P9_TAUTH = 102,
	P9_RAUTH = 103,
	P9_TATTACH = 104,
	P9_RATTACH = 105,
	P9_TFLUSH = 108,
	P9_RFLUSH = 109,
	P9_TWALK = 110,
	P9_RWALK = 111,
	P9_TREAD = 116,
	P9_RREAD = 117,
	P9_TWRITE = 118,
	P9_RWRITE = 119,
	P9_TCLUNK = 120,
	P9_RCLUNK = 121,
	P9_TREMOVE = 122,
	P9_RREMOVE = 123,
};

#define P9_VERSION_L "9P2000.L"
#define P9_NOTAG ((uint16_t)~0)
#define P9_NOFID ((uint32_t)~0)
#define P9_NONUNAME ((uint32_t)~0)
#define P9_MAXWELEM 16
#define P9_HDRSZ 7	    /* size[4] type[1] tag[2] */
#define P9_IOHDRSZ 24	    /* Twrite's header, rounded: what a read or write leaves of msize */
#define P9_READ_DATA_OFF 11 /* where Rread/Rreaddir data starts in the frame */
#define P9_MIN_MSIZE 4096
#define P9_QID_SIZE 13

/* qid types. */
#define P9_QTDIR 0x80
#define P9_QTAPPEND 0x40
#define P9_QTEXCL 0x20
#define P9_QTMOUNT 0x10
#define P9_QTAUTH 0x08
#define P9_QTTMP 0x04
#define P9_QTSYMLINK 0x02
#define P9_QTLINK 0x01
#define P9_QTFILE 0x00

/* Tgetattr request_mask and Rgetattr valid. */
#define P9_GETATTR_MODE 0x00000001ULL
#define P9_GETATTR_NLINK 0x00000002ULL
#define P9_GETATTR_UID 0x00000004ULL
#define P9_GETATTR_GID 0x00000008ULL
#define P9_GETATTR_RDEV 0x00000010ULL
#define P9_GETATTR_ATIME 0x00000020ULL
#define P9_GETATTR_MTIME 0x00000040ULL
#define P9_GETATTR_CTIME 0x00000080ULL
#define P9_GETATTR_INO 0x00000100ULL
#define P9_GETATTR_SIZE 0x00000200ULL
#define P9_GETATTR_BLOCKS 0x00000400ULL
#define P9_GETATTR_BTIME 0x00000800ULL
#define P9_GETATTR_GEN 0x00001000ULL
#define P9_GETATTR_DATA_VERSION 0x00002000ULL
#define P9_GETATTR_BASIC 0x000007ffULL
#define P9_GETATTR_ALL 0x00003fffULL

/* Tsetattr valid. */
#define P9_SETATTR_MODE 0x00000001U
#define P9_SETATTR_UID 0x00000002U
#define P9_SETATTR_GID 0x00000004U
#define P9_SETATTR_SIZE 0x00000008U
#define P9_SETATTR_ATIME 0x00000010U
#define P9_SETATTR_MTIME 0x00000020U
#define P9_SETATTR_CTIME 0x00000040U
#define P9_SETATTR_ATIME_SET 0x00000080U
#define P9_SETATTR_MTIME_SET 0x00000100U

/* Tlopen/Tlcreate flags (P9_DOTL_*): Linux's x86 open flag values. */
#define P9_DOTL_RDONLY 00000000
#define P9_DOTL_WRONLY 00000001
#define P9_DOTL_RDWR 00000002
#define P9_DOTL_NOACCESS 00000003
#define P9_DOTL_CREATE 00000100
#define P9_DOTL_EXCL 00000200
#define P9_DOTL_NOCTTY 00000400
#define P9_DOTL_TRUNC 00001000
#define P9_DOTL_APPEND 00002000
#define P9_DOTL_NONBLOCK 00004000
#define P9_DOTL_DSYNC 00010000
#define P9_DOTL_FASYNC 00020000
#define P9_DOTL_DIRECT 00040000
#define P9_DOTL_LARGEFILE 00100000
#define P9_DOTL_DIRECTORY 00200000
#define P9_DOTL_NOFOLLOW 00400000
#define P9_DOTL_NOATIME 01000000
#define P9_DOTL_CLOEXEC 02000000
#define P9_DOTL_SYNC 04000000

/* Tunlinkat flags. */
#define P9_DOTL_AT_REMOVEDIR 0x200

/* Tlock / Tgetlock. */
#define P9_LOCK_TYPE_RDLCK 0
#define P9_LOCK_TYPE_WRLCK 1
#define P9_LOCK_TYPE_UNLCK 2
#define P9_LOCK_FLAGS_BLOCK 1
#define P9_LOCK_FLAGS_RECLAIM 2
#define P9_LOCK_SUCCESS 0
#define P9_LOCK_BLOCKED 1
#define P9_LOCK_ERROR 2
#define P9_LOCK_GRACE 3

struct p9_qid {
	uint8_t type;
	uint32_t version;
	uint64_t path;
};

/* A counted string; after decoding, s points into the frame and is not NUL-terminated. */
struct p9_str {
	const char *s;
	uint16_t len;
};

/* One Rreaddir entry: qid[13] offset[8] type[1] name[s]. */
struct p9_dirent {
	struct p9_qid qid;
	uint64_t offset; /* the cookie of the entry after this one */
	uint8_t type;	 /* DT_* */
	struct p9_str name;
};

struct p9_getattr {
	uint64_t valid;
	struct p9_qid qid;
	uint32_t mode, uid, gid;
	uint64_t nlink, rdev, size, blksize, blocks;
	uint64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
	uint64_t btime_sec, btime_nsec, gen, data_version;
};

struct p9_setattr {
	uint32_t valid, mode, uid, gid;
	uint64_t size, atime_sec, atime_nsec, mtime_sec, mtime_nsec;
};

struct p9_statfs {
	uint32_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree, fsid;
	uint32_t namelen;
};

struct p9_flock {
	uint8_t type;
	uint32_t flags; /* Tlock only */
	uint64_t start, length;
	uint32_t proc_id;
	struct p9_str client_id;
};

/* One message, either direction; the member used is the one named for type. */
struct p9_fcall {
	uint8_t type;
	uint16_t tag;
	union {
		struct {
			uint32_t msize;
			struct p9_str version;
		} version; /* T and R */
		struct {
			uint32_t afid;
			struct p9_str uname, aname;
			uint32_t n_uname;
		} tauth;
		struct {
			struct p9_qid qid;
		} rauth;
		struct {
			uint32_t fid, afid;
			struct p9_str uname, aname;
			uint32_t n_uname;
		} tattach;
		struct {
			struct p9_qid qid;
		} rattach;
		struct {
			uint32_t ecode;
		} rlerror;
		struct {
			uint16_t oldtag;
		} tflush;
		struct {
			uint32_t fid, newfid;
			uint16_t nwname;
			struct p9_str wname[P9_MAXWELEM];
		} twalk;
		struct {
			uint16_t nwqid;
			struct p9_qid wqid[P9_MAXWELEM];
		} rwalk;
		/* Tread and Treaddir. */
		struct {
			uint32_t fid;
			uint64_t offset;
			uint32_t count;
		} tread;
		/* Rread and Rreaddir (data: count bytes of packed p9_dirent for Rreaddir). */
		struct {
			uint32_t count;
			const uint8_t *data;
		} rread;
		struct {
			uint32_t fid;
			uint64_t offset;
			uint32_t count;
			const uint8_t *data;
		} twrite;
		struct {
			uint32_t count;
		} rwrite;
		/* Tclunk, Tremove, Tstatfs, Treadlink. */
		struct {
			uint32_t fid;
		} tfid;
		struct {
			struct p9_statfs st;
		} rstatfs;
		struct {
			uint32_t fid, flags;
		} tlopen;
		/* Rlopen and Rlcreate. */
		struct {
			struct p9_qid qid;
			uint32_t iounit;
		} ropen;
		struct {
			uint32_t fid;
			struct p9_str name;
			uint32_t flags, mode, gid;
		} tlcreate;
		struct {
			uint32_t fid;
			struct p9_str name, target;
			uint32_t gid;
		} tsymlink;
		struct {
			uint32_t dfid;
			struct p9_str name;
			uint32_t mode, major, minor, gid;
		} tmknod;
		/* Rsymlink, Rmknod, Rmkdir. */
		struct {
			struct p9_qid qid;
		} rqid;
		struct {
			uint32_t fid, dfid;
			struct p9_str name;
		} trename;
		struct {
			struct p9_str target;
		} rreadlink;
		struct {
			uint32_t fid;
			uint64_t request_mask;
		} tgetattr;
		struct p9_getattr rgetattr;
		struct {
			uint32_t fid;
			struct p9_setattr attr;
		} tsetattr;
		struct {
			uint32_t fid, newfid;
			struct p9_str name;
		} txattrwalk;
		struct {
			uint64_t size;
		} rxattrwalk;
		struct {
			uint32_t fid;
			struct p9_str name;
			uint64_t size;
			uint32_t flags;
		} txattrcreate;
		struct {
			uint32_t fid, datasync;
		} tfsync;
		/* Tlock, Tgetlock (fid + lock), Rgetlock (lock; fid unused). */
		struct {
			uint32_t fid;
			struct p9_flock lock;
		} tlock;
		struct {
			uint8_t status;
		} rlock;
		struct {
			uint32_t dfid, fid;
			struct p9_str name;
		} tlink;
		struct {
			uint32_t dfid;
			struct p9_str name;
			uint32_t mode, gid;
		} tmkdir;
		struct {
			uint32_t olddirfid;
			struct p9_str oldname;
			uint32_t newdirfid;
			struct p9_str newname;
		} trenameat;
		struct {
			uint32_t dirfid;
			struct p9_str name;
			uint32_t flags;
		} tunlinkat;
	} u;
};

/* A p9_str of a C string (for encoding); strings longer than 65535 bytes fail to encode. */
struct p9_str p9_str_of(const char *s);
/* True if the counted string equals the C string. */
bool p9_str_eq(struct p9_str a, const char *s);

/* The name of a message type ("Twalk"), or NULL for an unknown type. */
const char *p9_type_name(uint8_t type);
/* True for a type this codec knows (T or R). */
bool p9_type_known(uint8_t type);

/* Encode m into buf; returns the frame length or -EMSGSIZE when size is too small (or
 * the frame would not fit 32 bits), -EINVAL for a message that cannot be encoded (an
 * unknown type, more than P9_MAXWELEM walk elements, a string too long). buf and the
 * data pointers of m may overlap only at the same offset (a server that reads file data
 * straight into buf + P9_READ_DATA_OFF). */
long p9_encode(const struct p9_fcall *m, void *buf, size_t size);

/* Decode one frame of exactly len bytes (see above); msize 0 means "no limit yet". */
int p9_decode_t(const void *buf, size_t len, uint32_t msize, struct p9_fcall *m);
int p9_decode_r(const void *buf, size_t len, uint32_t msize, struct p9_fcall *m);
/* The size field of a frame's first 4 bytes, checked: 7 <= size <= msize (msize 0: no
 * limit). Returns the size or -EIO. */
long p9_frame_size(const void *hdr4, uint32_t msize);

/* A reply r checked against its request t: r's tag is t's, r's type is t's + 1 or
 * Rlerror, Rwalk holds no more qids than names asked, Rread/Rreaddir/Rwrite counts are
 * no more than asked. 0 or -EIO. */
int p9_check_reply(const struct p9_fcall *t, const struct p9_fcall *r);
/* Rversion r against our Tversion t: the exact version string, and P9_MIN_MSIZE <=
 * r's msize <= t's. 0 or -EREMOTEIO. */
int p9_check_rversion(const struct p9_fcall *t, const struct p9_fcall *r);

/* Rreaddir payload: p9_dirent_put appends e at *off in buf (size bytes) and returns 0 or
 * -ENOSPC; p9_dirent_next reads the entry at *off (strictly: -EIO when it runs past len
 * or its name is empty or holds NUL or '/'), advances *off and returns 0, or returns 1
 * at the end of the buffer. */
int p9_dirent_put(void *buf, size_t size, size_t *off, const struct p9_dirent *e);
int p9_dirent_next(const void *buf, size_t len, size_t *off, struct p9_dirent *e);
/* A dirent's encoded size. */
size_t p9_dirent_size(const struct p9_dirent *e);

/* ------------------------------------------------------------------ the server */

#define P9_SERVER_RO 0x1 /* refuse every modifying call with EROFS */

/* 4 MiB of data per message and room for its header: a 1 MiB read or write is one. */
#define P9_SERVER_MSIZE_DEFAULT ((4u << 20) + 4096)
#define P9_SERVER_WORKERS_DEFAULT 4

struct p9_server_opts {
	unsigned flags;	    /* P9_SERVER_* */
	uint32_t max_msize; /* 0: P9_SERVER_MSIZE_DEFAULT */
	unsigned workers;   /* worker threads per connection; 0: the default */
};

struct p9_server;

/* A server exporting root (a path as parent sees it) of parent's kernel; it runs as a new
 * task forked from parent and chrooted to root (parent must be allowed to chroot). root is
 * a directory (reached through symlinks or not), or a regular file: then the task is
 * chrooted to its directory and attaches reach the file alone (see above); its last
 * component may not be a symlink (-ELOOP) nor any other kind of file (-EINVAL). An attach
 * names the export with an empty aname, "/", or root as given; a directory export also
 * takes a path below it. opts may be NULL. Returns ERR_PTR(-errno). */
struct p9_server *p9_server_new(struct task *parent, const char *root,
				const struct p9_server_opts *opts);
/* Serve one connection reading requests from rfd and writing replies to wfd (host file
 * descriptors; the same one for a socket). The server owns them from then on, even on
 * failure, and closes them when the connection ends. 0 or -errno. */
int p9_server_serve_fd(struct p9_server *s, int rfd, int wfd);
/* The number of connections still open. */
unsigned p9_server_nconns(struct p9_server *s);
/* Ends every connection (shutting its socket down), waits for their threads, clunks
 * every fid and frees the server. */
void p9_server_destroy(struct p9_server *s);

#endif
