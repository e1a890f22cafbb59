-- +goose Up
-- PostgreSQL gets statistics on lower-cased keys here (see
-- postgres/0002_expression_statistics.sql). SQLite needs none: without
-- sqlite_stat1 its planner prefers an equality on an index, and stale
-- statistics from an empty database would mislead it later.
SELECT 1;

-- +goose Down
SELECT 1;
