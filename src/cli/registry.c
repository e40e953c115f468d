/* registry.c: every capability `muster serve` runs, in one table — its name, its route
 * table, how it starts and stops, and its /metrics lines. `muster serve` and `muster
 * routes` (hence docs/roles.md and the API's docs test) read this table alone: adding a
 * capability is one row here. */
#include <stdlib.h>

#include "auth/api.h"
#include "calls/api.h"
#include "cli.h"
#include "control/api.h"
#include "core/core.h"
#include "forces/api.h"
#include "people/api.h"
#include "places/api.h"
#include "places/places.h"
#include "screening/api.h"

static int auth_start(const struct cli_env *env)
{
	struct auth_config ac = {.db_path = env->db_path,
				 .writer = env->writer,
				 .session_hours = env->session_hours,
				 .anon_per_s = env->anon_rate,
				 .cookie_secure = env->secure_cookies,
				 .trusted_proxy = env->trusted_proxy,
				 .place_code = places_code_get,
				 .place_path = places_path};
	return auth_init(&ac);
}

static void auth_lines(struct mu_buf *out)
{
	auth_metrics(NULL, out);
}

static int places_start(const struct cli_env *env)
{
	return places_api_init(env->db_path);
}

static int people_start(const struct cli_env *env)
{
	return people_api_init(env->db_path);
}

static int screening_start(const struct cli_env *env)
{
	return screening_api_init(env->db_path);
}

static int control_start(const struct cli_env *env)
{
	return control_api_init(env->db_path, env->writer);
}

static int calls_start(const struct cli_env *env)
{
	return calls_api_init(env->db_path, env->writer);
}

static int forces_start(const struct cli_env *env)
{
	return forces_api_init(env->db_path, env->writer);
}

const struct cli_capability cli_capabilities[] = {
    {"auth", auth_routes, auth_start, auth_fini, auth_lines, true},
    {"places", places_api_routes, places_start, places_api_fini, places_api_metrics, true},
    {"people", people_api_routes, people_start, people_api_fini, people_api_metrics, false},
    {"screening", screening_api_routes, screening_start, screening_api_fini, NULL, false},
    {"control", control_api_routes, control_start, control_api_fini, NULL, false},
    {"calls", calls_api_routes, calls_start, calls_api_fini, NULL, false},
    {"forces", forces_api_routes, forces_start, forces_api_fini, NULL, false},
    {NULL, NULL, NULL, NULL, NULL, false},
};

int cli_capabilities_start(const struct cli_env *env, const char **failed)
{
	int rc = 0;
	*failed = NULL;
	for (const struct cli_capability *c = cli_capabilities; c->name; c++)
		if (c->init && (rc = c->init(env)) != 0) {
			*failed = c->name;
			break;
		}
	return rc;
}

void cli_capabilities_stop(bool after_writer)
{
	size_t n = 0;
	while (cli_capabilities[n].name)
		n++;
	while (n-- > 0) {
		const struct cli_capability *c = &cli_capabilities[n];
		if (c->fini && c->after_writer == after_writer)
			c->fini();
	}
}

void cli_capabilities_metrics(struct mu_buf *out)
{
	for (const struct cli_capability *c = cli_capabilities; c->name; c++)
		if (c->metrics)
			c->metrics(out);
}

const struct http_route **cli_route_tables_new(const struct http_route *first,
					       const struct http_route *last, const char ***names)
{
	size_t n = 0, i = 0;
	for (const struct cli_capability *c = cli_capabilities; c->name; c++)
		n++;
	const struct http_route **t = mu_xcalloc(n + 3, sizeof *t);
	const char **nm = mu_xcalloc(n + 3, sizeof *nm);
	if (first) {
		nm[i] = "";
		t[i++] = first;
	}
	for (const struct cli_capability *c = cli_capabilities; c->name; c++)
		if (c->routes) {
			nm[i] = c->name;
			t[i++] = c->routes;
		}
	if (last) {
		nm[i] = "";
		t[i++] = last;
	}
	if (names)
		*names = nm;
	else
		free(nm);
	return t;
}
