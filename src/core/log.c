/* log.c: log lines, clocks, the terminal progress bar and where the database lives. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

static enum mu_log_level min_level = MU_LOG_INFO;

void mu_log_set_level(enum mu_log_level lv)
{
	min_level = lv;
}

void mu_log(enum mu_log_level lv, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	if (lv < min_level)
		return;
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* One write per line so that lines from threads do not interleave. */
	fprintf(stderr, "%s %s %s\n", stamp, names[lv], line);
}

double mu_now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t mu_now_unix(void)
{
	return (int64_t)time(NULL);
}

void mu_progress_init(struct mu_progress *p, const char *label, uint64_t total)
{
	p->label = label;
	p->total = total;
	p->done = 0;
	p->started = mu_now_mono();
	p->last_draw = 0;
	p->tty = isatty(STDERR_FILENO) && !getenv("MUSTER_NO_PROGRESS");
}

static void draw(struct mu_progress *p)
{
	double el = mu_now_mono() - p->started;
	double frac = p->total ? (double)p->done / (double)p->total : 0;
	if (frac > 1)
		frac = 1;
	char bar[31];
	int fill = (int)(frac * 30);
	for (int i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	double rate = el > 0 ? (double)p->done / el : 0;
	double eta = rate > 0 && p->total > p->done ? (double)(p->total - p->done) / rate : 0;
	fprintf(stderr, "\r%-10s [%s] %5.1f%% %llu/%llu  %.0f/s  %.0fs left ", p->label, bar,
		frac * 100, (unsigned long long)p->done, (unsigned long long)p->total, rate, eta);
	fflush(stderr);
}

void mu_progress_set(struct mu_progress *p, uint64_t done)
{
	p->done = done;
	if (!p->tty)
		return;
	double now = mu_now_mono();
	if (now - p->last_draw < 0.1)
		return;
	p->last_draw = now;
	draw(p);
}

void mu_progress_fini(struct mu_progress *p)
{
	if (!p->tty)
		return;
	draw(p);
	fputc('\n', stderr);
}

const char *mu_config_db_path(const char *flag_value)
{
	if (flag_value && *flag_value)
		return flag_value;
	const char *env = getenv("MUSTER_DB");
	if (env && *env)
		return env;
	return "muster.db";
}
