-- Grants for the data summaries (src/sql/36_summaries.sql), after
-- 99_finalize.sql has revoked every function from PUBLIC.  CREATE TRIGGER
-- needs EXECUTE on the trigger function: publish() creates the trigger as
-- the role that owns the dataset's table, a publisher.  The function can
-- only run as a trigger, and forgets only the summaries of the table it is
-- on.
GRANT EXECUTE ON FUNCTION opendata._data_changed() TO opendata_publisher;
