-- opendata install script, assembled by the Makefile from src/sql/*.sql in
-- file-name order.  Each part depends only on the parts before it.

\echo Use "CREATE EXTENSION opendata CASCADE" to load this file. \quit
