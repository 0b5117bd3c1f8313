/*
 * an_sql.h -- SQL helpers on a connection to a heapql database, for
 * `heapql sql` and anyone else querying a recording:
 *
 *   callsite_frames   TEMP virtual table (callsite_id, depth, frame_id,
 *                     module, rel_pc, function, file, line, inlined): every
 *                     frame of every callsite, depth 0 the innermost, inlined
 *                     functions as rows of their own (inlined = 1).  Reads
 *                     one callsite's stack directly when the query fixes
 *                     callsite_id (=, IN, or a join on it).
 *   stack(callsite_id) the symbolized stack as text, one frame per line,
 *                     innermost first: "function (file:line)", or
 *                     "module+0xrel_pc" when the function is unknown.
 *   kind_name(kind)   the name of an allocation kind (table kinds).
 *
 * Only TEMP objects and functions of this connection: the database file
 * is not changed, and plain sqlite3 sees nothing of this.
 */
#ifndef AN_SQL_H
#define AN_SQL_H

#include <stddef.h>
#include <sqlite3.h>

/* Returns 0, or -1 with err set.  Calling it again on db is harmless. */
int an_sql_register(sqlite3 *db, char *err, size_t errlen);

#endif
