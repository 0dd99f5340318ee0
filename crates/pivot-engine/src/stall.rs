//! A query that ran out of memory and then stopped: DataFusion 55, under a very small memory
//! limit, sometimes loses the "Resources exhausted" error of one part of a plan while another
//! part waits for it forever — every thread parked, no CPU used, `block_on` never returning
//! (seen 1 run in 10-30 of a grouped, sorted query over 300,000 rows at `PIVOT_MEMORY_LIMIT=1M`;
//! gdb: the main thread in `block_on`, all query threads parked).
//!
//! The query's memory pool is wrapped in [`CountingPool`], which counts refused allocations.
//! While a local query runs, [`watch`] looks at each [`QUIET`] window: once an allocation was
//! refused during this query and the process used (next to) no CPU time for a whole window, the
//! query has stalled, and it ends with [`EngineError::Memory`] instead of hanging. A query that is
//! spilling or reading uses far more CPU time than that; without a refusal nothing is cut, however
//! idle (a slow disk is not a stall). Linux only (CPU time from `/proc/self/stat`); elsewhere
//! the query runs unwatched.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use datafusion::common::Result;
use datafusion::execution::memory_pool::{
    MemoryConsumer, MemoryLimit, MemoryPool, MemoryReservation,
};

use crate::EngineError;

/// How long a query that has been refused memory may use no CPU before it counts as stalled.
pub(crate) const QUIET: Duration = Duration::from_secs(10);

/// A memory pool that counts the allocations it refused.
#[derive(Debug)]
pub(crate) struct CountingPool {
    inner: Arc<dyn MemoryPool>,
    refused: AtomicU64,
}

impl CountingPool {
    pub(crate) fn new(inner: Arc<dyn MemoryPool>) -> CountingPool {
        CountingPool {
            inner,
            refused: AtomicU64::new(0),
        }
    }

    /// Allocations refused so far.
    pub(crate) fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

impl std::fmt::Display for CountingPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl MemoryPool for CountingPool {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn register(&self, consumer: &MemoryConsumer) {
        self.inner.register(consumer)
    }
    fn unregister(&self, consumer: &MemoryConsumer) {
        self.inner.unregister(consumer)
    }
    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        self.inner.grow(reservation, additional)
    }
    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        self.inner.shrink(reservation, shrink)
    }
    fn try_grow(&self, reservation: &MemoryReservation, additional: usize) -> Result<()> {
        let r = self.inner.try_grow(reservation, additional);
        if r.is_err() {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
        r
    }
    fn reserved(&self) -> usize {
        self.inner.reserved()
    }
    fn memory_limit(&self) -> MemoryLimit {
        self.inner.memory_limit()
    }
}

/// CPU time this process has used, in clock ticks (Linux; `None` elsewhere).
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) in parentheses: state is the
    // 3rd field of the line, utime the 14th and stime the 15th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut f = rest.split_whitespace().skip(11);
    let utime: u64 = f.next()?.parse().ok()?;
    let stime: u64 = f.next()?.parse().ok()?;
    Some(utime + stime)
}

/// CPU time, in clock ticks (10 ms each on Linux), that a stalled process may still use in
/// [`QUIET`]: parked runtimes wake now and then (idle blocking threads retire, timers fire).
const IDLE_TICKS: u64 = 10;

/// Resolves only when the query has stalled: an allocation was refused since `start` refusals
/// and the process used at most [`IDLE_TICKS`] of CPU time over a whole `quiet` window. Pending
/// forever where CPU time cannot be read.
pub(crate) async fn watch(pool: &CountingPool, start: u64, quiet: Duration) -> EngineError {
    // Most queries end before the first check: they cost a timer, not a read of /proc.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let Some(mut from) = cpu_ticks() else {
        return std::future::pending().await;
    };
    let mut since = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if since.elapsed() < quiet {
            continue;
        }
        let now = cpu_ticks().unwrap_or(u64::MAX);
        if pool.refused() > start && now.saturating_sub(from) <= IDLE_TICKS {
            return EngineError::Memory {
                limit: crate::error::limit_text(),
                detail: format!(
                    "the query was refused memory {} times and then stopped making progress for {} s; DataFusion did not report the error, so pivot stopped it",
                    pool.refused() - start,
                    quiet.as_secs()
                ),
            };
        }
        (from, since) = (now, Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::execution::memory_pool::GreedyMemoryPool;

    #[test]
    fn cpu_time_is_read_and_grows_with_work() {
        let a = cpu_ticks().expect("Linux /proc/self/stat");
        let t = Instant::now();
        let mut x = 0u64;
        while t.elapsed() < Duration::from_millis(100) {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        assert!(x > 0);
        assert!(cpu_ticks().unwrap() > a, "100 ms of work used no ticks");
    }

    /// Refusals are counted; a stall is said only after a refusal and a quiet spell.
    #[test]
    fn a_stall_is_said_only_after_a_refusal() {
        let pool = Arc::new(CountingPool::new(Arc::new(GreedyMemoryPool::new(100))));
        let dyn_pool: Arc<dyn MemoryPool> = pool.clone();
        let r = MemoryConsumer::new("t").register(&dyn_pool);
        r.try_grow(50).unwrap();
        assert_eq!(pool.refused(), 0);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let quiet = Duration::from_secs(1);
        // No refusal: nothing is said, however quiet the process.
        let none = rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(2), watch(&pool, 0, quiet)).await
        });
        assert!(none.is_err(), "a stall was said without a refusal");
        r.try_grow(100).unwrap_err();
        assert_eq!(pool.refused(), 1);
        let said = rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(10), watch(&pool, 0, quiet)).await
        });
        let e = said.expect("a stall after a refusal is said").to_string();
        assert!(
            e.contains("refused memory 1 times") && e.contains("PIVOT_MEMORY_LIMIT"),
            "{e}"
        );
    }
}
