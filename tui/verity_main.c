/*
 * verity_main.c - `vfslab verity digest`: the fs-verity file digest of host files, printed
 * exactly as `fsverity digest` (fsverity-utils) prints it.
 *
 * Output, one line per FILE, in order: "ALG:HEX FILE"; with --compact only "HEX"; with
 * --for-builtin-sig the hex of the formatted digest the kernel signs ("FSVerity", le16
 * algorithm, le16 digest size, digest) in place of "ALG:HEX". Like fsverity, the first
 * file that cannot be read ends the run (exit 1) after the lines already printed; usage
 * errors exit 2 before anything is read.
 *
 * This is a host tool: it reads real files with pread(2), from several threads for large
 * files (src/merkle spreads the leaf hashing over the CPUs).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errname.h"
#include "vfslab/merkle.h"

int verity_main(int argc, char **argv);

static const char verity_usage[] =
	"usage: vfslab verity digest FILE... [--hash-alg sha256|sha512] [--block-size N]\n"
	"                                    [--salt HEX] [--compact] [--for-builtin-sig]\n"
	"                                    [--out-merkle-tree FILE] [--out-descriptor FILE]\n"
	"                                    [--threads N]\n"
	"\n"
	"Prints the fs-verity file digest of each FILE as 'ALG:HEX FILE', byte for byte what\n"
	"'fsverity digest' prints (the digest Linux reports for the file once verity is\n"
	"enabled on it with the same parameters).\n"
	"\n"
	"  --hash-alg ALG          sha256 (default) or sha512\n"
	"  --block-size N          Merkle tree block size: a power of 2 from 1024 to 65536\n"
	"                          (default 4096)\n"
	"  --salt HEX              salt prepended to every hashed block, at most 32 bytes\n"
	"                          (default none; an empty salt is no salt)\n"
	"  --compact               print only the hex digest\n"
	"  --for-builtin-sig       print the hex of the formatted digest the kernel's built-in\n"
	"                          signatures sign\n"
	"  --out-merkle-tree FILE  write the Merkle tree, as fs-verity stores it (one FILE only)\n"
	"  --out-descriptor FILE   write the 256-byte fs-verity descriptor (one FILE only)\n"
	"  --threads N             hash with at most N threads (vfslab only; default 0:\n"
	"                          every CPU for files of 4 MiB and more; the digest is the same)\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: 0 on success, 1 if a file cannot be read (the files before it are\n"
	"printed), 2 for a usage error.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fputs("vfslab verity: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'vfslab verity --help'.\n", stderr);
	return 2;
}

static int file_error(const char *path, int err)
{
	fprintf(stderr, "vfslab verity: %s: %s (%s)\n", path, errno_name(err), strerror(err));
	return 1;
}

struct digest_opts {
	struct merkle_params params;
	uint8_t salt[MERKLE_MAX_SALT_SIZE];
	bool compact;
	bool builtin_sig;
	const char *out_tree;
	const char *out_desc;
};

static int parse_block_size(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || s[0] == '+' || v < MERKLE_MIN_BLOCK_SIZE ||
	    v > MERKLE_MAX_BLOCK_SIZE || (v & (v - 1)))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_threads(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || s[0] == '+' || v > 64)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int pread_full(void *ctx, void *buf, size_t len, uint64_t off)
{
	int fd = *(int *)ctx;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO; /* the file shrank while we read it */
		done += (size_t)n;
	}
	return 0;
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int err = 0;

	if (!f)
		return -errno;
	if (len && fwrite(data, 1, len, f) != len)
		err = errno ? -errno : -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* Digest of one file; prints its line. 0, or 1 after reporting the error. */
static int digest_one(const struct digest_opts *o, const char *path)
{
	const struct merkle_params *p = &o->params;
	const size_t ds = merkle_digest_size(p->hash_alg);
	uint8_t root[MERKLE_MAX_DIGEST_SIZE], digest[MERKLE_MAX_DIGEST_SIZE];
	uint8_t desc[MERKLE_DESCRIPTOR_SIZE], formatted[12 + MERKLE_MAX_DIGEST_SIZE];
	char hex[2 * sizeof(formatted) + 1];
	struct merkle_tree *tree = NULL;
	struct stat st;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block */
	if (fd < 0)
		return file_error(path, errno);
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		/* fs-verity is for regular files (fsverity would hash a device as empty). */
		fprintf(stderr, "vfslab verity: %s: EINVAL (not a regular file)\n", path);
		close(fd);
		return 1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (o->out_tree) {
		err = merkle_build(p, pread_full, &fd, (uint64_t)st.st_size, &tree);
		if (!err)
			memcpy(root, tree->root_hash, ds);
	} else {
		err = merkle_root_hash(p, pread_full, &fd, (uint64_t)st.st_size, root);
	}
	if (err)
		goto out;
	err = merkle_descriptor(p, (uint64_t)st.st_size, root, desc);
	if (!err)
		err = merkle_digest_from_root(p, (uint64_t)st.st_size, root, digest);
	if (err)
		goto out;
	if (o->out_tree) {
		err = write_file(o->out_tree, tree->tree, (size_t)tree->geo.tree_size);
		if (err) {
			path = o->out_tree;
			goto out;
		}
	}
	if (o->out_desc) {
		err = write_file(o->out_desc, desc, sizeof(desc));
		if (err) {
			path = o->out_desc;
			goto out;
		}
	}

	if (o->builtin_sig) {
		/* struct fsverity_formatted_digest: magic, le16 algorithm, le16 size, digest. */
		memcpy(formatted, "FSVerity", 8);
		formatted[8] = (uint8_t)p->hash_alg;
		formatted[9] = 0;
		formatted[10] = (uint8_t)ds;
		formatted[11] = 0;
		memcpy(formatted + 12, digest, ds);
		merkle_to_hex(formatted, 12 + ds, hex);
	} else {
		merkle_to_hex(digest, ds, hex);
	}
	if (o->compact)
		printf("%s\n", hex);
	else if (o->builtin_sig)
		printf("%s %s\n", hex, path);
	else
		printf("%s:%s %s\n", merkle_hash_name(p->hash_alg), hex, path);
out:
	merkle_tree_free(tree);
	close(fd);
	return err ? file_error(path, -err) : 0;
}

static int digest_main(int argc, char **argv)
{
	enum {
		OPT_ALG = 256,
		OPT_BS,
		OPT_SALT,
		OPT_COMPACT,
		OPT_SIG,
		OPT_TREE,
		OPT_DESC,
		OPT_THREADS
	};
	static const struct option longs[] = {
		{ "hash-alg", required_argument, NULL, OPT_ALG },
		{ "block-size", required_argument, NULL, OPT_BS },
		{ "salt", required_argument, NULL, OPT_SALT },
		{ "compact", no_argument, NULL, OPT_COMPACT },
		{ "for-builtin-sig", no_argument, NULL, OPT_SIG },
		{ "out-merkle-tree", required_argument, NULL, OPT_TREE },
		{ "out-descriptor", required_argument, NULL, OPT_DESC },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct digest_opts o = {
		.params = { .hash_alg = MERKLE_HASH_SHA256, .block_size = 4096 },
	};
	bool seen_alg = false, seen_bs = false, seen_salt = false;
	int c, n, i;

	opterr = 0;
	optind = 1;
	/* Options may follow the files, as with fsverity: no '+' in the option string. */
	while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		switch (c) {
		case OPT_ALG:
			n = merkle_hash_alg_from_name(optarg);
			if (seen_alg)
				return usage_error("%s can only be given once", "--hash-alg");
			if (n < 0)
				return usage_error("--hash-alg: unknown hash algorithm '%s' "
						   "(sha256 or sha512)",
						   optarg);
			o.params.hash_alg = n;
			seen_alg = true;
			break;
		case OPT_BS:
			if (seen_bs)
				return usage_error("%s can only be given once", "--block-size");
			if (parse_block_size(optarg, &o.params.block_size))
				return usage_error(
					"%s: must be a power of 2 between 1024 and 65536",
					"--block-size");
			seen_bs = true;
			break;
		case OPT_SALT:
			if (seen_salt)
				return usage_error("%s can only be given once", "--salt");
			n = merkle_parse_hex(optarg, o.salt, sizeof(o.salt));
			if (n == -E2BIG)
				return usage_error("--salt: at most 32 bytes (64 hex digits), "
						   "not '%s'",
						   optarg);
			if (n < 0)
				return usage_error(
					"--salt: '%s' is not an even number of hex digits", optarg);
			o.params.salt = o.salt;
			o.params.salt_len = (size_t)n;
			seen_salt = true;
			break;
		case OPT_COMPACT: o.compact = true; break;
		case OPT_SIG: o.builtin_sig = true; break;
		case OPT_TREE: o.out_tree = optarg; break;
		case OPT_DESC: o.out_desc = optarg; break;
		case OPT_THREADS:
			if (parse_threads(optarg, &o.params.threads))
				return usage_error("%s: must be a number from 0 (automatic) to 64",
						   "--threads");
			break;
		case 'h': fputs(verity_usage, stdout); return 0;
		case ':': return usage_error("option '%s' requires an argument", argv[optind - 1]);
		default:
			if (optopt)
				return usage_error("invalid option -- '%s'",
						   (char[]){ (char)optopt, 0 });
			return usage_error("unrecognized option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%s: no FILE given", "digest");
	if ((o.out_tree || o.out_desc) && argc - optind > 1)
		return usage_error("%s: --out-merkle-tree and --out-descriptor take one FILE only",
				   "digest");
	for (i = optind; i < argc; i++) {
		if (digest_one(&o, argv[i])) {
			fflush(stdout);
			return 1;
		}
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "vfslab verity: standard output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int verity_main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(verity_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "digest"))
		return digest_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "enable") || !strcmp(argv[1], "measure")) {
		fprintf(stderr,
			"vfslab verity: %s: a command of the REPL, on a verity mount of the "
			"simulated kernel (vfslab -c 'help verity')\n",
			argv[1]);
		return 2;
	}
	return usage_error("'%s' is not a verity command (digest)", argv[1]);
}
