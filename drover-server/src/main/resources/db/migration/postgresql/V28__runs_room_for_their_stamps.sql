-- Room on each page for a run's next versions. A run is updated often while it is young: its creation's stamp right
-- after its insert, then each transition's compare-and-set and stamp. An UPDATE that changes no indexed column is
-- HOT (a new version on the same page, no entry in any of runs' indexes) only if the page has room, and the stamp is
-- written while its transaction holds the event counter (docs/events.md). With V27's 85 %, a page of fresh runs had
-- room for the new versions of about one in seven of them: 62-70 % of the stamps of a burst of creates were HOT
-- (pg_stat_user_tables), 100 % with half the page free, and Drover's create batch from pgbench did 161 -> 196
-- transactions per second (median of three pairs). Measured: docs/benchmarks.md, "Room for the stamps".
-- Dormant runs keep their pages half empty: the table is about 1.7 times as large. New pages only; nothing is
-- rewritten.
ALTER TABLE runs SET (fillfactor = 50);
