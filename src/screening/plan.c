/* plan.c: the round planner — Dorfman two-stage pooling arithmetic, sampling desks and
 * lab hours. Pure functions, no database. */
#include <math.h>

#include "core/core.h"
#include "screening.h"

int screening_plan(const struct screening_plan_in *in, struct screening_plan_out *out)
{
	if (in->people < 0 || in->k < 1 || !(in->prevalence >= 0 && in->prevalence < 1) ||
	    in->desks < 0 || in->swabs_per_desk_day < 0 || in->lab_capacity < 0)
		return MU_EINVAL;
	double p = in->prevalence, k = in->k;
	int64_t swabs =
	    in->swabs_per_desk_day ? in->swabs_per_desk_day : SCREENING_SWABS_PER_DESK_DAY;
	out->tubes = (in->people + in->k - 1) / in->k;
	out->tube_positive = 1.0 - pow(1.0 - p, k);
	out->positive_tubes = (double)out->tubes * out->tube_positive;
	/* A single tube is its own answer: no second stage. */
	out->recalls = in->k > 1 ? out->positive_tubes * k : 0.0;
	out->tests_per_person = in->k > 1 ? 1.0 / k + out->tube_positive : 1.0;
	out->desks = in->desks ? in->desks : (in->people + swabs - 1) / swabs;
	out->sampling_hours =
	    out->desks ? (double)in->people / ((double)out->desks * (double)swabs) * 24.0 : 0.0;
	out->lab_hours = in->lab_capacity
			     ? ((double)out->tubes + out->recalls) / (double)in->lab_capacity * 24.0
			     : 0.0;
	out->hours = out->sampling_hours > out->lab_hours ? out->sampling_hours : out->lab_hours;
	return 0;
}
