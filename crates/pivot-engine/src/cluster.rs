//! The distributed path: the SQL behind `pivot sql`, `pivot measure` and `pivot report` on an
//! Apache DataFusion Ballista cluster (feature `ballista`, off by default).
//!
//! The client plans each query as it does locally, over the same canonical tables (the store's
//! Parquet files as `ListingTable`s), and sends the logical plan to the scheduler, which cuts
//! it into stages that the executors run, reading the files by path. Measures, claims and the
//! report compute on the client from the rows that come back, exactly as on one machine; so
//! does the gravity estimator (custom iterative code is not a SQL plan and does not travel).
//! Writes never go to the cluster: ingest is local, single writer, atomic manifest.
//!
//! The roles a cluster needs are embedded in `pivot` itself, so one binary is all a machine
//! needs: [`run_scheduler`] (`pivot cluster scheduler`) and [`run_executor`]
//! (`pivot cluster executor`). Executors must see the store at the same path as the client
//! (one machine, or a shared file system mounted at the same place).

use crate::EngineError;

/// A Ballista scheduler's address, given as `df://HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    host: String,
    port: u16,
}

impl Cluster {
    /// Parse `df://HOST:PORT` (the scheme Ballista's clients use).
    pub fn parse(url: &str) -> Result<Cluster, EngineError> {
        let shown: String = url.chars().take(100).collect();
        let bad = |why: &str| {
            EngineError::Input(format!(
                "--cluster '{shown}': {why} (expected df://HOST:PORT, e.g. df://127.0.0.1:50050)"
            ))
        };
        let rest = url
            .strip_prefix("df://")
            .ok_or_else(|| bad("the address must start with df://"))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = rest.rsplit_once(':').ok_or_else(|| bad("no port given"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'))
        {
            return Err(bad("not a host name or IP address"));
        }
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| bad("the port is not a number from 1 to 65535"))?;
        Ok(Cluster {
            host: host.to_string(),
            port,
        })
    }

    /// `df://HOST:PORT`, as given to [`Cluster::parse`].
    pub fn url(&self) -> String {
        if self.host.contains(':') {
            format!("df://[{}]:{}", self.host, self.port)
        } else {
            format!("df://{}:{}", self.host, self.port)
        }
    }

    /// The note every result computed through the cluster carries in its provenance.
    pub fn note(&self) -> String {
        format!(
            "SQL ran on the DataFusion Ballista cluster at {} (Ballista 55; the store's Parquet files read by its executors)",
            self.url()
        )
    }

    /// A session whose queries run on the cluster.
    #[cfg(feature = "ballista")]
    pub(crate) fn context(
        &self,
        config: datafusion::prelude::SessionConfig,
    ) -> Result<datafusion::prelude::SessionContext, EngineError> {
        use ballista::prelude::{SessionConfigExt, SessionContextExt};
        use datafusion::execution::session_state::SessionStateBuilder;
        use datafusion::prelude::SessionContext;
        // A client that cannot reach the scheduler gives up after 10 s instead of Ballista's 20.
        let config = config
            .upgrade_for_ballista()
            .set_usize("ballista.client.grpc_connect_timeout_seconds", 10);
        let state = SessionStateBuilder::new()
            .with_default_features()
            .with_config(config)
            .build();
        let url = format!("df://{}:{}", self.host, self.port);
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| EngineError::Io {
                context: "starting the cluster client".into(),
                source,
            })?
            .block_on(SessionContext::remote_with_state(&url, state))
            .map_err(|e| EngineError::Input(format!("--cluster {}: {e}", self.url())))
    }

    /// Without the `ballista` feature there is no cluster client: say how to get one.
    #[cfg(not(feature = "ballista"))]
    pub(crate) fn context(
        &self,
        _config: datafusion::prelude::SessionConfig,
    ) -> Result<datafusion::prelude::SessionContext, EngineError> {
        Err(not_built())
    }
}

#[cfg(not(feature = "ballista"))]
fn not_built() -> EngineError {
    EngineError::Input(
        "this pivot was built without the `ballista` feature: build it with \
         `cargo install --path crates/pivot-cli --features ballista` to use a cluster"
            .into(),
    )
}

/// Where an executor listens and which scheduler it serves.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler (`df://HOST:PORT`).
    pub scheduler: Cluster,
    /// Address to listen on (the host is also what the executor advertises).
    pub bind_host: String,
    /// Arrow Flight port (shuffle data and results).
    pub port: u16,
    /// gRPC port (tasks from the scheduler).
    pub grpc_port: u16,
    /// Tasks run at once.
    pub concurrent_tasks: usize,
    /// Folder for shuffle files (a temporary folder if absent).
    pub work_dir: Option<std::path::PathBuf>,
}

/// Run a Ballista scheduler on `bind` until the process is stopped.
#[cfg(feature = "ballista")]
pub fn run_scheduler(bind: std::net::SocketAddr) -> Result<(), EngineError> {
    use ballista_scheduler::cluster::BallistaCluster;
    use ballista_scheduler::config::SchedulerConfig;
    let rt = role_runtime()?;
    rt.block_on(async {
        let config = SchedulerConfig {
            bind_host: bind.ip().to_string(),
            bind_port: bind.port(),
            external_host: bind.ip().to_string(),
            // A job with no executor fails after a minute instead of waiting three.
            no_executors_grace_period_seconds: 60,
            ..SchedulerConfig::default()
        };
        let cluster = BallistaCluster::new_from_config(&config)
            .await
            .map_err(role_error("scheduler"))?;
        eprintln!("pivot cluster: Ballista scheduler listening on df://{bind}");
        ballista_scheduler::scheduler_process::start_server(cluster, bind, config.into())
            .await
            .map_err(role_error("scheduler"))
    })
}

/// Run a Ballista executor until the process is stopped (SIGTERM or Ctrl-C end it cleanly).
#[cfg(feature = "ballista")]
pub fn run_executor(opts: &ExecutorOptions) -> Result<(), EngineError> {
    use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
    let rt = role_runtime()?;
    let config = ExecutorProcessConfig {
        bind_host: opts.bind_host.clone(),
        external_host: Some(opts.bind_host.clone()),
        port: opts.port,
        grpc_port: opts.grpc_port,
        scheduler_host: opts.scheduler.host.clone(),
        scheduler_port: opts.scheduler.port,
        // Wait up to 30 s for a scheduler that is still starting.
        scheduler_connect_timeout_seconds: 30,
        vcores: opts.concurrent_tasks.max(1),
        work_dir: opts
            .work_dir
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        ..ExecutorProcessConfig::default()
    };
    eprintln!(
        "pivot cluster: Ballista executor on {}:{} (flight) / {} (grpc), scheduler {}",
        opts.bind_host,
        opts.port,
        opts.grpc_port,
        opts.scheduler.url()
    );
    rt.block_on(start_executor_process(config.into()))
        .map_err(role_error("executor"))
}

/// Without the `ballista` feature there are no cluster roles.
#[cfg(not(feature = "ballista"))]
pub fn run_scheduler(_bind: std::net::SocketAddr) -> Result<(), EngineError> {
    Err(not_built())
}

/// Without the `ballista` feature there are no cluster roles.
#[cfg(not(feature = "ballista"))]
pub fn run_executor(_opts: &ExecutorOptions) -> Result<(), EngineError> {
    Err(not_built())
}

#[cfg(feature = "ballista")]
fn role_runtime() -> Result<tokio::runtime::Runtime, EngineError> {
    // Ballista's own binaries give their runtime threads 32 MiB stacks (deep plans recurse).
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()
        .map_err(|source| EngineError::Io {
            context: "starting the cluster runtime".into(),
            source,
        })
}

#[cfg(feature = "ballista")]
fn role_error<E: std::fmt::Display>(role: &'static str) -> impl Fn(E) -> EngineError {
    move |e| EngineError::Io {
        context: format!("Ballista {role}"),
        source: std::io::Error::other(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::Cluster;

    #[test]
    fn cluster_addresses_are_parsed_or_refused_by_name() {
        let c = Cluster::parse("df://127.0.0.1:50050").unwrap();
        assert_eq!(c.url(), "df://127.0.0.1:50050");
        assert_eq!(
            Cluster::parse("df://sched.example.org:1/").unwrap().url(),
            "df://sched.example.org:1"
        );
        assert_eq!(
            Cluster::parse("df://[::1]:7").unwrap().url(),
            "df://[::1]:7"
        );
        for (bad, why) in [
            ("http://127.0.0.1:50050", "must start with df://"),
            ("df://127.0.0.1", "no port"),
            ("df://127.0.0.1:0", "1 to 65535"),
            ("df://127.0.0.1:70000", "1 to 65535"),
            ("df://:50050", "host"),
            ("df://a b:50050", "host"),
        ] {
            let e = Cluster::parse(bad).unwrap_err().to_string();
            assert!(
                e.contains(why) && e.contains("df://HOST:PORT"),
                "{bad}: {e}"
            );
        }
    }
}
