/*
 * spec.c - OCI runtime spec (config.json) loading through jansson.
 *
 * Only what mount setup needs is kept: root, mounts, process (args, env, cwd, user),
 * annotations, linux.maskedPaths and linux.readonlyPaths, hostname; everything else is
 * accepted and ignored. A value of the wrong JSON type, or a value the OCI spec forbids,
 * is an error naming its JSON path ("mounts[3].destination: must be a string"): the load
 * never half-succeeds. Things the OCI spec tolerates but deprecates (a relative mount
 * destination, a missing ociVersion) load with a warning in spec->warnings.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

/* The loader's state: where errors are reported and the spec being filled. */
struct loader {
	struct boot_spec *spec;
	struct boot_err *err;
	const char *name;
};

static int fail(struct loader *ld, const char *path, const char *what)
{
	boot_err_set(ld->err, "%s: %s: %s", ld->name, path, what);
	return -EINVAL;
}

static int warn(struct loader *ld, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int warn(struct loader *ld, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return boot_strv_push(&ld->spec->warnings, buf);
}

/* An optional string member: absent or null gives def. */
static int get_string(struct loader *ld, json_t *obj, const char *key, const char *path,
		      const char *def, char **out)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v)) {
		*out = vl_strdup(def);
		return *out ? 0 : -ENOMEM;
	}
	if (!json_is_string(v))
		return fail(ld, path, "must be a string");
	*out = vl_strndup(json_string_value(v), json_string_length(v));
	return *out ? 0 : -ENOMEM;
}

/* An optional array of strings. */
static int get_strv(struct loader *ld, json_t *obj, const char *key, const char *path,
		    struct boot_strv *out)
{
	json_t *v = json_object_get(obj, key), *e;
	char p[256];
	size_t i;
	int err;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return fail(ld, path, "must be an array of strings");
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e)) {
			snprintf(p, sizeof(p), "%s[%zu]", path, i);
			return fail(ld, p, "must be a string");
		}
		err = boot_strv_push_take(out,
					  vl_strndup(json_string_value(e), json_string_length(e)));
		if (err)
			return err;
	}
	return 0;
}

/* A uint32 (uid, gid): JSON integers 0..4294967295 only. */
static int get_id(struct loader *ld, json_t *v, const char *path, uint32_t *out)
{
	json_int_t n;

	if (!json_is_integer(v))
		return fail(ld, path, "must be an integer");
	n = json_integer_value(v);
	if (n < 0 || n > (json_int_t)UINT32_MAX)
		return fail(ld, path, "must be between 0 and 4294967295");
	*out = (uint32_t)n;
	return 0;
}

static int load_root(struct loader *ld, json_t *top)
{
	json_t *root = json_object_get(top, "root"), *ro;
	int err;

	if (!root || json_is_null(root))
		return fail(ld, "root", "missing (the OCI spec requires it on Linux)");
	if (!json_is_object(root))
		return fail(ld, "root", "must be an object");
	err = get_string(ld, root, "path", "root.path", "", &ld->spec->root_path);
	if (err)
		return err;
	if (!ld->spec->root_path[0])
		return fail(ld, "root.path", "must be a non-empty string");
	ro = json_object_get(root, "readonly");
	if (ro && !json_is_null(ro)) {
		if (!json_is_boolean(ro))
			return fail(ld, "root.readonly", "must be true or false");
		ld->spec->root_readonly = json_is_true(ro);
	}
	return 0;
}

static int load_mount(struct loader *ld, json_t *m, size_t i, struct boot_mount *bm)
{
	char p[64];
	int err;

	bm->index = (int)i;
	snprintf(p, sizeof(p), "mounts[%zu]", i);
	if (!json_is_object(m))
		return fail(ld, p, "must be an object");
	snprintf(p, sizeof(p), "mounts[%zu].destination", i);
	if (!json_object_get(m, "destination") || json_is_null(json_object_get(m, "destination")))
		return fail(ld, p, "missing (each mount needs a destination)");
	err = get_string(ld, m, "destination", p, "", &bm->written);
	if (err)
		return err;
	if (!bm->written[0])
		return fail(ld, p, "must not be empty");
	bm->destination = boot_path_clean(bm->written);
	if (!bm->destination)
		return -ENOMEM;
	if (bm->written[0] != '/') {
		/* runtime-spec config.md: relative destinations are deprecated and MUST be
		 * taken relative to "/"; runc warns and does so, runsc refuses (see lint). */
		err = warn(ld, "%s: relative path '%s' taken as '%s' (deprecated by the OCI spec)",
			   p, bm->written, bm->destination);
		if (err)
			return err;
	}
	snprintf(p, sizeof(p), "mounts[%zu].type", i);
	err = get_string(ld, m, "type", p, "", &bm->type);
	if (err)
		return err;
	snprintf(p, sizeof(p), "mounts[%zu].source", i);
	err = get_string(ld, m, "source", p, "", &bm->source);
	if (err)
		return err;
	snprintf(p, sizeof(p), "mounts[%zu].options", i);
	return get_strv(ld, m, "options", p, &bm->options);
}

static int load_mounts(struct loader *ld, json_t *top)
{
	json_t *mounts = json_object_get(top, "mounts"), *m;
	size_t i;
	int err;

	if (!mounts || json_is_null(mounts))
		return 0;
	if (!json_is_array(mounts))
		return fail(ld, "mounts", "must be an array");
	ld->spec->mounts = vl_zalloc(json_array_size(mounts) * sizeof(*ld->spec->mounts));
	if (!ld->spec->mounts)
		return -ENOMEM;
	json_array_foreach(mounts, i, m)
	{
		/* Counted before loading so a failure part way frees what was loaded. */
		ld->spec->nmounts = i + 1;
		err = load_mount(ld, m, i, &ld->spec->mounts[i]);
		if (err)
			return err;
	}
	return 0;
}

static int load_user(struct loader *ld, json_t *proc)
{
	json_t *user = json_object_get(proc, "user"), *v, *g;
	char p[64];
	size_t i;
	int err;

	if (!user || json_is_null(user))
		return 0;
	if (!json_is_object(user))
		return fail(ld, "process.user", "must be an object");
	v = json_object_get(user, "uid");
	if (v && !json_is_null(v) && (err = get_id(ld, v, "process.user.uid", &ld->spec->uid)))
		return err;
	v = json_object_get(user, "gid");
	if (v && !json_is_null(v) && (err = get_id(ld, v, "process.user.gid", &ld->spec->gid)))
		return err;
	v = json_object_get(user, "additionalGids");
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return fail(ld, "process.user.additionalGids", "must be an array of integers");
	ld->spec->gids = vl_zalloc(json_array_size(v) * sizeof(*ld->spec->gids));
	if (!ld->spec->gids)
		return -ENOMEM;
	json_array_foreach(v, i, g)
	{
		snprintf(p, sizeof(p), "process.user.additionalGids[%zu]", i);
		err = get_id(ld, g, p, &ld->spec->gids[i]);
		if (err)
			return err;
		ld->spec->ngids = i + 1;
	}
	return 0;
}

static int load_process(struct loader *ld, json_t *top)
{
	json_t *proc = json_object_get(top, "process");
	size_t i;
	int err;

	if (!proc || json_is_null(proc)) {
		ld->spec->cwd = vl_strdup("/");
		return ld->spec->cwd ? 0 : -ENOMEM;
	}
	if (!json_is_object(proc))
		return fail(ld, "process", "must be an object");
	ld->spec->has_process = true;
	err = get_strv(ld, proc, "args", "process.args", &ld->spec->args);
	if (err)
		return err;
	err = get_strv(ld, proc, "env", "process.env", &ld->spec->env);
	if (err)
		return err;
	for (i = 0; i < ld->spec->env.n; i++) {
		if (!strchr(ld->spec->env.v[i], '=')) {
			err = warn(ld, "process.env[%zu]: '%s' is not KEY=value", i,
				   ld->spec->env.v[i]);
			if (err)
				return err;
		}
	}
	if (!json_object_get(proc, "cwd") || json_is_null(json_object_get(proc, "cwd"))) {
		err = warn(ld, "process.cwd: missing (the OCI spec requires it), '/' used");
		if (err)
			return err;
	}
	err = get_string(ld, proc, "cwd", "process.cwd", "/", &ld->spec->cwd);
	if (err)
		return err;
	if (ld->spec->cwd[0] != '/')
		return fail(ld, "process.cwd", "must be an absolute path");
	return load_user(ld, proc);
}

static int load_annotations(struct loader *ld, json_t *top)
{
	json_t *ann = json_object_get(top, "annotations"), *v;
	const char *key;
	struct boot_strv keys = { NULL, 0 };
	char p[300];
	size_t i;
	int err = 0;

	if (!ann || json_is_null(ann))
		return 0;
	if (!json_is_object(ann))
		return fail(ld, "annotations", "must be an object of strings");
	json_object_foreach(ann, key, v)
	{
		if (!json_is_string(v)) {
			snprintf(p, sizeof(p), "annotations[\"%.250s\"]", key);
			err = fail(ld, p, "must be a string");
			goto out_keys;
		}
		err = boot_strv_push(&keys, key);
		if (err)
			goto out_keys;
	}
	/* Sorted so that everything that walks annotations is deterministic. */
	boot_strv_sort(&keys);
	for (i = 0; i < keys.n; i++) {
		v = json_object_get(ann, keys.v[i]);
		err = boot_strv_push(&ld->spec->ann_keys, keys.v[i]);
		if (!err)
			err = boot_strv_push(&ld->spec->ann_values, json_string_value(v));
		if (err)
			goto out_keys;
	}
out_keys:
	boot_strv_free(&keys);
	return err;
}

static int load_linux(struct loader *ld, json_t *top)
{
	json_t *lx = json_object_get(top, "linux");
	int err;

	if (!lx || json_is_null(lx))
		return 0;
	if (!json_is_object(lx))
		return fail(ld, "linux", "must be an object");
	err = get_strv(ld, lx, "maskedPaths", "linux.maskedPaths", &ld->spec->masked_paths);
	if (err)
		return err;
	return get_strv(ld, lx, "readonlyPaths", "linux.readonlyPaths", &ld->spec->readonly_paths);
}

int boot_spec_parse(const char *json, size_t len, const char *name, struct boot_spec **out,
		    struct boot_err *err)
{
	struct loader ld = { NULL, err, name ? name : "config.json" };
	json_error_t jerr;
	json_t *top;
	int ret;

	*out = NULL;
	ld.spec = vl_zalloc(sizeof(*ld.spec));
	if (!ld.spec)
		return -ENOMEM;
	ld.spec->name = vl_strdup(ld.name);
	if (!ld.spec->name) {
		ret = -ENOMEM;
		goto out_spec;
	}
	top = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!top) {
		boot_err_set(err, "%s:%d:%d: %s", ld.name, jerr.line, jerr.column, jerr.text);
		ret = -EINVAL;
		goto out_spec;
	}
	if (!json_is_object(top)) {
		ret = fail(&ld, "(top level)", "must be an object");
		goto out_json;
	}
	ret = get_string(&ld, top, "ociVersion", "ociVersion", "", &ld.spec->oci_version);
	if (!ret && !ld.spec->oci_version[0])
		ret = warn(&ld, "ociVersion: missing (the OCI spec requires it)");
	if (!ret)
		ret = load_root(&ld, top);
	if (!ret)
		ret = load_mounts(&ld, top);
	if (!ret)
		ret = load_process(&ld, top);
	if (!ret)
		ret = load_annotations(&ld, top);
	if (!ret)
		ret = load_linux(&ld, top);
	if (!ret)
		ret = get_string(&ld, top, "hostname", "hostname", "", &ld.spec->hostname);
	if (ret == -ENOMEM)
		boot_err_set(err, "%s: out of memory", ld.name);
	if (ret)
		goto out_json;
	json_decref(top);
	*out = ld.spec;
	return 0;

out_json:
	json_decref(top);
out_spec:
	boot_spec_free(ld.spec);
	return ret;
}

void boot_spec_free(struct boot_spec *spec)
{
	size_t i;

	if (!spec)
		return;
	for (i = 0; i < spec->nmounts; i++) {
		struct boot_mount *m = &spec->mounts[i];

		vl_free(m->destination);
		vl_free(m->written);
		vl_free(m->type);
		vl_free(m->source);
		boot_strv_free(&m->options);
	}
	vl_free(spec->mounts);
	vl_free(spec->name);
	vl_free(spec->oci_version);
	vl_free(spec->root_path);
	boot_strv_free(&spec->args);
	boot_strv_free(&spec->env);
	vl_free(spec->cwd);
	vl_free(spec->gids);
	boot_strv_free(&spec->ann_keys);
	boot_strv_free(&spec->ann_values);
	boot_strv_free(&spec->masked_paths);
	boot_strv_free(&spec->readonly_paths);
	vl_free(spec->hostname);
	boot_strv_free(&spec->warnings);
	vl_free(spec);
}

const char *boot_spec_annotation(const struct boot_spec *spec, const char *key)
{
	size_t i;

	for (i = 0; i < spec->ann_keys.n; i++)
		if (!strcmp(spec->ann_keys.v[i], key))
			return spec->ann_values.v[i];
	return NULL;
}
