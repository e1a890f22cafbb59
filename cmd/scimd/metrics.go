package main

import (
	"database/sql"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimd/scimd/directory/postgres"
	"github.com/scimd/scimd/directory/sqlite"
)

// poolStats is one connection pool's state, in the terms both database
// drivers share, so that dashboards work on either store.
type poolStats struct {
	pool                   string // "postgres", "sqlite_writer", "sqlite_reader"
	max, open, inUse, idle int64
	// acquires counts connections handed out; -1 where the driver does
	// not count them (database/sql).
	acquires int64
	// waits counts acquires that found no free connection, waited the
	// time they waited.
	waits  int64
	waited time.Duration
}

// poolCollector reports the store's connection pools at each scrape. It
// reads the pools' own counters, so it costs nothing between scrapes.
type poolCollector struct {
	stats func() []poolStats

	max, open, inUse, idle, acquires, waits, waited *prometheus.Desc
}

// newPoolCollector returns a collector of st's pools: pgxpool.Stat on
// PostgreSQL, sql.DBStats of the writer and reader pools on SQLite.
func newPoolCollector(st store) prometheus.Collector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("scimd_db_pool_"+name, help, []string{"pool"}, nil)
	}
	c := &poolCollector{
		max:      desc("max_connections", "Most connections the pool opens."),
		open:     desc("open_connections", "Connections open, in use or idle."),
		inUse:    desc("in_use_connections", "Connections in use."),
		idle:     desc("idle_connections", "Connections open and idle."),
		acquires: desc("acquires_total", "Connections handed out (PostgreSQL only)."),
		waits:    desc("waits_total", "Requests for a connection that had to wait for one."),
		waited:   desc("wait_seconds_total", "Time spent waiting for a connection."),
	}
	switch s := st.(type) {
	case *postgres.Store:
		c.stats = func() []poolStats {
			p := s.Pool().Stat()
			return []poolStats{{
				pool: "postgres", max: int64(p.MaxConns()), open: int64(p.TotalConns()),
				inUse: int64(p.AcquiredConns()), idle: int64(p.IdleConns()), acquires: p.AcquireCount(),
				waits: p.EmptyAcquireCount(), waited: p.EmptyAcquireWaitTime(),
			}}
		}
	case *sqlite.Store:
		c.stats = func() []poolStats {
			w, r := s.DBs()
			return []poolStats{sqlStats("sqlite_writer", w), sqlStats("sqlite_reader", r)}
		}
	default:
		c.stats = func() []poolStats { return nil }
	}
	return c
}

func sqlStats(name string, db *sql.DB) poolStats {
	s := db.Stats()
	return poolStats{
		pool: name, max: int64(s.MaxOpenConnections), open: int64(s.OpenConnections),
		inUse: int64(s.InUse), idle: int64(s.Idle), acquires: -1,
		waits: s.WaitCount, waited: s.WaitDuration,
	}
}

// Describe sends the metrics' descriptions.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.max, c.open, c.inUse, c.idle, c.acquires, c.waits, c.waited} {
		ch <- d
	}
}

// Collect sends the pools' current values.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.stats() {
		gauge := func(d *prometheus.Desc, v int64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), s.pool)
		}
		gauge(c.max, s.max)
		gauge(c.open, s.open)
		gauge(c.inUse, s.inUse)
		gauge(c.idle, s.idle)
		if s.acquires >= 0 {
			ch <- prometheus.MustNewConstMetric(c.acquires, prometheus.CounterValue, float64(s.acquires), s.pool)
		}
		ch <- prometheus.MustNewConstMetric(c.waits, prometheus.CounterValue, float64(s.waits), s.pool)
		ch <- prometheus.MustNewConstMetric(c.waited, prometheus.CounterValue, s.waited.Seconds(), s.pool)
	}
}
