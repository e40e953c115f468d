/* cmd_city.c: `muster city generate` — builds a synthetic city (sim/) into a fresh
 * database and prints what it made and how fast. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "sim/sim.h"

static const char help[] =
    "usage: muster city generate --preset guangzhou-2021 [--scale F] [--seed N] [--db PATH]\n"
    "\n"
    "Builds a synthetic city into a database that holds no places yet (it is created,\n"
    "with its key file, when missing). guangzhou-2021: Guangzhou's 11 districts and 176\n"
    "streets/towns with their real names and codes, 2,759 communities/villages, and below\n"
    "them grids, compounds, buildings, households and residents shaped like the 2020\n"
    "census (18.7 M people at scale 1). The same seed and scale give the same city;\n"
    "personal codes are random, as secrets must be.\n"
    "\n"
    "Options:\n";

static int64_t file_size(const char *path, const char *suffix)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof p, "%s%s", path, suffix);
	return stat(p, &st) == 0 ? (int64_t)st.st_size : 0;
}

static void print_stats(const struct sim_city_stats *s, const char *path, double scale,
			uint64_t seed)
{
	static const char *const labels[PLACES_NLEVELS] = {
	    "city",  "districts", "streets/towns", "communities/villages",
	    "grids", "compounds", "buildings",	   "households"};
	printf("guangzhou-2021, scale %g, seed %llu, into %s\n", scale, (unsigned long long)seed,
	       path);
	for (int l = 0; l < PLACES_NLEVELS; l++)
		printf("  %-22s %12lld\n", labels[l], (long long)s->places[l]);
	printf("  %-22s %12lld\n", "people", (long long)s->people);
	printf("  %-22s %12lld (%.2f %%)\n", "party members", (long long)s->party,
	       s->people ? 100.0 * (double)s->party / (double)s->people : 0.0);
	printf("  %-22s %12lld\n", "service posts", (long long)s->posts);
	if (s->id_fallbacks)
		printf("  %-22s %12lld (a neighbouring region code of the city)\n",
		       "IDs under another code", (long long)s->id_fallbacks);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	int64_t bytes = file_size(path, "") + file_size(path, "-wal");
	printf("  %-22s %12.1f (indexes and commit: %.1f)\n", "seconds", s->seconds,
	       s->commit_seconds);
	printf("  %-22s %12.0f\n", "people/s", s->seconds > 0 ? (double)s->people / s->seconds : 0);
	printf("  %-22s %12.1f MB\n", "peak RSS", (double)ru.ru_maxrss / 1024.0);
	printf("  %-22s %12.1f MB\n", "database size", (double)bytes / (1024.0 * 1024.0));
}

int cmd_city(int argc, char **argv)
{
	const char *preset = NULL, *dbp = NULL, *pos[CLI_POS_MAX];
	double scale = 1.0;
	int64_t seed = 1;
	const struct cli_opt opts[] = {
	    CLI_STR("preset", &preset, "NAME", "the city to build: guangzhou-2021"),
	    CLI_NUM("scale", &scale, "F",
		    "residents per real resident, 0 < F <= 4 (default 1); the 11\n"
		    "                         districts, 176 streets/towns and 2,759 communities "
		    "never change",
		    false, 0, 0),
	    CLI_INT("seed", &seed, "N", "seed of the generator (default 1)", false, 0, 9e18),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"city", help, opts, NULL};
	int rc, npos;
	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return rc;
	if (npos < 1 || strcmp(pos[0], "generate"))
		return cli_usage_error("city", "expected `city generate`");
	if (npos > 1)
		return cli_usage_error("city", "unexpected argument '%s'", pos[1]);
	if (!(scale > 0 && scale <= 4))
		return cli_usage_error("city", "--scale wants a number in (0, 4]");
	if (!preset)
		return cli_usage_error("city", "--preset is required (guangzhou-2021)");
	if (strcmp(preset, SIM_PRESET_GUANGZHOU_2021))
		return cli_usage_error("city", "unknown preset '%s' (known: guangzhou-2021)",
				       preset);

	struct db *d;
	struct people_keys keys;
	if (cli_open(dbp, true, &d, &keys))
		return CLI_REJECTED;
	struct sim_city_opts o = {
	    .preset = preset, .scale = scale, .seed = (uint64_t)seed, .progress = true};
	struct sim_city_stats st;
	int status = CLI_OK;
	char *path = mu_xstrdup(db_path(d));
	rc = sim_city_generate(d, &keys, &o, &st);
	memset(&keys, 0, sizeof keys);
	/* Closed before measuring, so that the size is that of the checkpointed file. */
	db_close(d);
	if (rc == MU_EEXIST) {
		fprintf(stderr,
			"muster city: %s already holds places or people; generate into a fresh "
			"database (--db NEW.db)\n",
			path);
		status = CLI_REJECTED;
	} else if (rc) {
		fprintf(stderr, "muster city: generation failed, nothing kept: %s\n",
			mu_err_msg(rc));
		status = CLI_REJECTED;
	} else {
		print_stats(&st, path, scale, (uint64_t)seed);
	}
	free(path);
	return status;
}
