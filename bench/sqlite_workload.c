/* sqlite_workload.c: a SQLite workload (inserts, indexed selects, updates, a join) for tests and benchmarks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3.h"

/* Usage: sqlite_workload [ROWS]. Builds two tables in an in-memory database, runs the queries,
   and prints their results: the output is the same for every build of the same SQLite, so an
   instrumented build can be compared with a plain one line by line. */

static sqlite3 *db;

static void check(int rc, const char *what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    fprintf(stderr, "sqlite_workload: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
  }
}

static void exec(const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "sqlite_workload: %s: %s\n", sql, err);
    sqlite3_free(err);
    exit(1);
  }
}

/* Runs a query that returns one row of integers and prints it under a label. */
static void report(const char *label, const char *sql) {
  sqlite3_stmt *st;
  check(sqlite3_prepare_v2(db, sql, -1, &st, NULL), sql);
  check(sqlite3_step(st), sql);
  printf("%s:", label);
  for (int i = 0; i < sqlite3_column_count(st); i++) printf(" %lld", sqlite3_column_int64(st, i));
  printf("\n");
  sqlite3_finalize(st);
}

int main(int argc, char **argv) {
  int rows = argc > 1 ? atoi(argv[1]) : 200000;
  if (rows < 1) {
    fprintf(stderr, "usage: sqlite_workload [ROWS]\n");
    return 2;
  }
  check(sqlite3_open(":memory:", &db), "open");
  exec("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, city INTEGER, score INTEGER);"
       "CREATE TABLE orders(id INTEGER PRIMARY KEY, user INTEGER, amount INTEGER, note TEXT);"
       "CREATE INDEX users_city ON users(city);"
       "CREATE INDEX orders_user ON orders(user);");

  exec("BEGIN");
  sqlite3_stmt *ins_user, *ins_order;
  check(sqlite3_prepare_v2(db, "INSERT INTO users VALUES(?, ?, ?, ?)", -1, &ins_user, NULL), "prepare");
  check(sqlite3_prepare_v2(db, "INSERT INTO orders VALUES(NULL, ?, ?, ?)", -1, &ins_order, NULL), "prepare");
  unsigned x = 12345;
  for (int i = 1; i <= rows; i++) {
    char name[48], note[64];
    x = x * 1103515245u + 12345u;
    snprintf(name, sizeof name, "user-%d-%u", i, x % 9973);
    sqlite3_bind_int(ins_user, 1, i);
    sqlite3_bind_text(ins_user, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(ins_user, 3, (int)(x % 100));
    sqlite3_bind_int(ins_user, 4, (int)(x % 1000));
    check(sqlite3_step(ins_user), "insert user");
    sqlite3_reset(ins_user);
    for (int k = 0; k < 2; k++) {
      snprintf(note, sizeof note, "order %d/%d for %s", i, k, name);
      sqlite3_bind_int(ins_order, 1, i);
      sqlite3_bind_int(ins_order, 2, (int)((x >> (k * 8)) % 500));
      sqlite3_bind_text(ins_order, 3, note, -1, SQLITE_TRANSIENT);
      check(sqlite3_step(ins_order), "insert order");
      sqlite3_reset(ins_order);
    }
  }
  sqlite3_finalize(ins_user);
  sqlite3_finalize(ins_order);
  exec("COMMIT");

  sqlite3_stmt *sel;
  check(sqlite3_prepare_v2(db, "SELECT count(*), sum(score) FROM users WHERE city = ?", -1, &sel, NULL), "prepare");
  long long hits = 0, total = 0;
  for (int q = 0; q < rows / 10 + 1; q++) {
    sqlite3_bind_int(sel, 1, q % 100);
    check(sqlite3_step(sel), "select");
    hits += sqlite3_column_int64(sel, 0);
    total += sqlite3_column_int64(sel, 1);
    sqlite3_reset(sel);
  }
  sqlite3_finalize(sel);
  printf("indexed selects: %lld rows, score %lld\n", hits, total);

  exec("UPDATE users SET score = score + 1, name = name || '!' WHERE city < 50");
  report("users", "SELECT count(*), sum(score), sum(length(name)) FROM users");
  report("join", "SELECT count(*), sum(o.amount), sum(u.score) FROM users u JOIN orders o ON o.user = u.id WHERE u.city % 7 = 3");
  report("groups", "SELECT count(*), max(n) FROM (SELECT city, count(*) AS n FROM users GROUP BY city)");
  exec("DELETE FROM orders WHERE amount < 100");
  report("orders", "SELECT count(*), sum(amount), sum(length(note)) FROM orders");

  /* A tour of SQL features, so that much of SQLite's code (and its allocation sites) runs. */
  exec("CREATE VIEW rich AS SELECT id, name FROM users WHERE score > 900;"
       "CREATE TABLE audit(id INTEGER PRIMARY KEY, what TEXT, at INTEGER DEFAULT 0);"
       "CREATE TRIGGER users_upd AFTER UPDATE OF score ON users BEGIN "
       "  INSERT INTO audit(what) VALUES('score ' || new.id); END;"
       "UPDATE users SET score = score + 1 WHERE id % 97 = 0;"
       "CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID;"
       "INSERT INTO kv SELECT 'k' || (id % 50), id FROM users WHERE id < 200 "
       "  ON CONFLICT(k) DO UPDATE SET v = v + excluded.v;"
       "CREATE TABLE shapes(w INTEGER, h INTEGER, area INTEGER GENERATED ALWAYS AS (w * h));"
       "INSERT INTO shapes(w, h) VALUES (2, 3), (4, 5), (6, 7);"
       "ALTER TABLE audit ADD COLUMN extra TEXT;"
       "ALTER TABLE audit RENAME TO audit_log;"
       "CREATE TEMP TABLE scratch AS SELECT city, count(*) AS n FROM users GROUP BY city;"
       "ATTACH ':memory:' AS other;"
       "CREATE TABLE other.copy AS SELECT * FROM users WHERE id <= 100;"
       "SAVEPOINT sp1; DELETE FROM other.copy WHERE id > 50; ROLLBACK TO sp1; RELEASE sp1;"
       "CREATE INDEX users_score ON users(score, city);"
       "ANALYZE;"
       "VACUUM;");
  report("view", "SELECT count(*), sum(length(name)) FROM rich");
  report("audit", "SELECT count(*) FROM audit_log");
  report("upsert", "SELECT count(*), sum(v) FROM kv");
  report("generated", "SELECT sum(area) FROM shapes");
  report("attached", "SELECT count(*), sum(id) FROM other.copy");
  report("cte", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
                "SELECT count(*), sum(i) FROM n");
  report("window", "SELECT count(*), sum(r) FROM (SELECT rank() OVER (PARTITION BY city ORDER BY "
                   "score DESC) AS r FROM users)");
  report("json", "SELECT count(*), sum(json_extract(j, '$.s')) FROM (SELECT json_object('id', id, "
                 "'s', score) AS j FROM users WHERE id < 500)");
  report("strings", "SELECT sum(length(printf('%08d-%s', id, upper(name)))), "
                    "sum(instr(name, '-')), length(group_concat(substr(name, 1, 3), ',')) "
                    "FROM users WHERE id < 300");
  report("subquery", "SELECT count(*) FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE "
                     "o.user = u.id AND o.amount > 400) AND u.city IN (SELECT city FROM scratch "
                     "WHERE n > 10)");
  report("compound", "SELECT count(*) FROM (SELECT city FROM users UNION SELECT amount FROM orders "
                     "EXCEPT SELECT 3 INTERSECT SELECT 4)");
  report("returning", "SELECT count(*) FROM shapes");
  exec("DELETE FROM shapes WHERE w = 2 RETURNING area;");
  exec("EXPLAIN QUERY PLAN SELECT * FROM users WHERE city = 3 ORDER BY score;");
  report("integrity", "SELECT count(*) FROM pragma_integrity_check");
  exec("DROP TRIGGER users_upd; DROP VIEW rich; DETACH other;");
  sqlite3_close(db);
  return 0;
}
