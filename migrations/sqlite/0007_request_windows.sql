-- +goose Up
-- The SQLite twin of postgres/0007_request_windows.sql: per-token request
-- counts per fixed window, for the rate limit.
CREATE TABLE request_windows (
    key          TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX request_windows_start ON request_windows (window_start);

-- +goose Down
DROP TABLE request_windows;
