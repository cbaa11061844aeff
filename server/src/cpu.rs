//! CPU-bound work (password hashing, picture decoding) on Tokio's blocking pool, a bounded
//! number at a time: a burst of such requests queues here instead of starving the async workers
//! that serve everyone else, and their memory (19 MiB per argon2 hash, a decode budget per
//! picture) stays bounded.

use std::sync::Arc;

use anyhow::Context;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct CpuPool {
    name: &'static str,
    permits: Arc<Semaphore>,
}

impl CpuPool {
    /// At most `at_once` jobs run together (at least one).
    pub fn new(name: &'static str, at_once: usize) -> Self {
        Self {
            name,
            permits: Arc::new(Semaphore::new(at_once.max(1))),
        }
    }

    /// One job per core: the work is pure CPU.
    pub fn per_core(name: &'static str) -> Self {
        Self::new(
            name,
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        )
    }

    /// Runs `job` once a permit is free.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let waiting = crate::metrics::cpu_job(self.name, "waiting");
        let _permit = self
            .permits
            .acquire()
            .await
            .with_context(|| format!("{} pool closed", self.name))?;
        drop(waiting);
        let _running = crate::metrics::cpu_job(self.name, "running");
        tokio::task::spawn_blocking(job)
            .await
            .with_context(|| format!("{} job failed", self.name))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn never_runs_more_than_its_bound_at_once() {
        let pool = CpuPool::new("test", 2);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs = (0..8).map(|_| {
            let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
            tokio::spawn(async move {
                pool.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            })
        });
        for job in jobs.collect::<Vec<_>>() {
            job.await.unwrap().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }
}
