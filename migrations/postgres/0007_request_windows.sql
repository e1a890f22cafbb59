-- +goose Up
-- Requests counted per key (a SCIM token's id) per fixed window, shared by
-- every replica: the per-token rate limit. A replica adds a batch of
-- requests at a time (directory.RateLimiter), so most requests never
-- write here. Old windows are deleted by the same limiter.
CREATE TABLE request_windows (
    key          text NOT NULL,
    window_start bigint NOT NULL,
    count        bigint NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX request_windows_start ON request_windows (window_start);

-- +goose Down
DROP TABLE request_windows;
