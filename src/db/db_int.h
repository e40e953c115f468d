/* db_int.h: names shared inside db/ only. */
#ifndef MU_DB_INT_H
#define MU_DB_INT_H

struct db__migration {
	int version;
	const char *name;
	const char *sql;
};

/* Generated at build from src/db/migrations/NNNN_*.sql, in version order. */
extern const struct db__migration db__migrations[];
extern const int db__migrations_n;

#endif
