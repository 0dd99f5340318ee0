//! The table catalogue, at the bottom of the stack: every canonical table (PRODUCT.md §3) is one
//! [`Table`] variant and one row type in [`canonical`], declared once; adapters write batches
//! of them into a [`TableSink`]; the store (which implements the sink) and the SQL catalog read
//! names and schemas from here. Sources, store and engine depend on this crate, and it on none
//! of them.

pub mod canonical;

use arrow::datatypes::{FieldRef, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;

use crate::canonical::CanonicalRow;

/// Why a sink refused a batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    /// The sink could not write (disk, encoding).
    #[error("writing table {table}: {message}")]
    Write {
        /// Table.
        table: String,
        /// Message.
        message: String,
    },
    /// Rows did not fit their own table's schema: a bug.
    #[error("internal error building table {table}: {message}; this is a bug, please report it")]
    Bug {
        /// Table.
        table: String,
        /// Message.
        message: String,
    },
}

/// Where adapters put what they parse: one call per batch of rows of a canonical table.
pub trait TableSink {
    /// Accept a batch for `table` (a canonical table name). `part` names a partition (e.g. a
    /// year) for sources that arrive one file per partition; `None` otherwise.
    fn push(
        &mut self,
        table: &str,
        part: Option<&str>,
        batch: RecordBatch,
    ) -> Result<(), SinkError>;

    /// A hint that no more batches will come for (`table`, `part`), so its files can be
    /// finished now rather than at the end of the ingest. Sinks may ignore it.
    fn part_done(&mut self, _table: &str, _part: Option<&str>) -> Result<(), SinkError> {
        Ok(())
    }
}

/// A sink that keeps everything in memory (tests and small inputs).
#[derive(Debug, Default)]
pub struct MemorySink {
    /// (table, part, batch) in arrival order.
    pub batches: Vec<(String, Option<String>, RecordBatch)>,
}

impl MemorySink {
    /// Total rows pushed for `table`.
    pub fn rows(&self, table: &str) -> usize {
        self.batches
            .iter()
            .filter(|b| b.0 == table)
            .map(|b| b.2.num_rows())
            .sum()
    }

    /// Deserialize every row of `table` into `T` (a canonical row type).
    pub fn decode<T: serde::de::DeserializeOwned>(&self, table: &str) -> Vec<T> {
        self.batches
            .iter()
            .filter(|b| b.0 == table)
            .flat_map(|b| {
                serde_arrow::from_record_batch::<Vec<T>>(&b.2)
                    .expect("canonical batches decode into their own row type; this is a bug")
            })
            .collect()
    }
}

impl TableSink for MemorySink {
    fn push(
        &mut self,
        table: &str,
        part: Option<&str>,
        batch: RecordBatch,
    ) -> Result<(), SinkError> {
        self.batches
            .push((table.to_string(), part.map(str::to_string), batch));
        Ok(())
    }
}

macro_rules! tables {
    ($($variant:ident => $row:ident, $desc:literal;)*) => {
        /// A canonical table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Table {
            $(
                #[doc = $desc]
                $variant,
            )*
        }

        impl Table {
            /// Every canonical table, in catalogue order.
            pub const ALL: &'static [Table] = &[$(Table::$variant),*];

            /// Its name in SQL and in the store (the row type's `TABLE`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Table::$variant => <canonical::$row as CanonicalRow>::TABLE,)*
                }
            }

            /// One line on what it holds.
            pub fn description(self) -> &'static str {
                match self {
                    $(Table::$variant => $desc,)*
                }
            }

            /// Its Arrow fields (from the row type).
            pub fn fields(self) -> Vec<FieldRef> {
                match self {
                    $(Table::$variant => canonical::fields::<canonical::$row>(),)*
                }
            }
        }
    };
}

tables! {
    TradeFlows => TradeFlow, "directed trade by year, exporter, importer, product; million current USD";
    TradeDyadYear => TradeDyadYear, "product-level trade (BACI) summed per year, exporter, importer; rolled up at ingest";
    TradeDyadHs2 => TradeDyadHs2, "product-level trade (BACI) summed per year, exporter, importer, HS chapter";
    EnergyFlows => EnergyFlow, "energy volumes by origin, destination and carrier";
    ArmsTransfers => ArmsTransfer, "SIPRI deals by delivery year; TIV (volume index)";
    ArmsDyadYear => ArmsDyadYear, "SIPRI TIV per supplier, recipient, year";
    UnVotes => UnVote, "UNGA roll-call votes by country";
    UnRollCalls => UnRollCall, "UNGA roll calls: session, date, importance";
    UnIssues => UnIssue, "issue tags of roll calls";
    UnIdealPoints => IdealPoint, "published UNGA ideal points (Bailey, Strezhnev & Voeten) per state, year and series";
    Alliances => Alliance, "ATOP obligations per undirected dyad-year";
    FinanceFlows => FinanceFlow, "official finance and investment flows";
    CountryYear => CountryYear, "country-year indicators (GDP, population, CINC, military expenditure …)";
    Events => Event, "GDELT / ICEWS events";
    AgtpaGravity => AgtpaRow, "AGTPA gravity panel (estimator validation)";
    Countries => CountryRow, "country identity and codes";
    Products => Product, "HS6 product codes";
}

impl Table {
    /// The table called `name`.
    pub fn parse(name: &str) -> Option<Table> {
        Table::ALL.iter().copied().find(|t| t.name() == name)
    }

    /// Its Arrow schema.
    pub fn schema(self) -> SchemaRef {
        std::sync::Arc::new(Schema::new(self.fields()))
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_round_trips_by_name_and_has_columns() {
        let mut names = std::collections::BTreeSet::new();
        for t in Table::ALL {
            assert!(names.insert(t.name()), "duplicate table {t}");
            assert_eq!(Table::parse(t.name()), Some(*t));
            assert!(!t.fields().is_empty(), "{t} has no columns");
            assert!(t.description().len() > 10);
        }
        // 16 until issue 30 added un_ideal_points.
        assert_eq!(Table::ALL.len(), 17);
        assert_eq!(Table::TradeFlows.name(), "trade_flows");
        assert_eq!(Table::parse("nope"), None);
    }
}
