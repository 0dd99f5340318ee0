//! AidData Global Chinese Development Finance 3.0, recipient-year totals by COW code
//! (`ccode, year, oof_amt, oof_adj, oda_amt, oda_adj, vof_amt, vof_adj`; constant 2021 USD)
//! → `finance_flows` with lender CHN, one row per class with a non-zero amount.

use std::collections::HashSet;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{Batcher, FinanceFlow};
use crate::input::Csv;
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The AidData GCDF adapter.
pub struct AidData;

impl Adapter for AidData {
    fn name(&self) -> &'static str {
        "aiddata"
    }
    fn summary(&self) -> &'static str {
        "AidData GCDF 3.0 recipient-year totals by COW code (constant 2021 USD)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "aiddata_gcdf",
            "AidData Global Chinese Development Finance Dataset",
            "AidData at William & Mary (recipient-year totals via odadata 1.0.0)",
            "3.0 (commitments 2000-2021)",
            "open with attribution as generally understood (not verified)",
            "Custer, S., Dreher, A., Elston, T.B., et al. (2023), Tracking Chinese Development Finance: An Application of AidData's TUFF 3.0 Methodology, AidData at William & Mary; AidData's Global Chinese Development Finance Dataset, Version 3.0.",
            "@techreport{custer2023,\n  author = {Custer, Samantha and Dreher, Axel and Elston, Thai-Binh and others},\n  title = {Tracking Chinese Development Finance: An Application of AidData's TUFF 3.0 Methodology},\n  institution = {AidData at William \\& Mary},\n  year = {2023}\n}",
            &["finance_flows"],
            &[
                "Amounts in constant 2021 US dollars (units, not millions); commitments, not disbursements.",
                "Official finance from Chinese state institutions, not FDI; regional projects and China, Japan, Korea are not recipients.",
            ],
        )
    }
    fn read(
        &self,
        inputs: &[Input],
        ctx: &Ctx<'_>,
        sink: &mut dyn TableSink,
    ) -> Result<Stats, SourceError> {
        let mut stats = Stats::default();
        let mut out = Batcher::<FinanceFlow>::new(None);
        let cols = [
            "ccode", "year", "oof_amt", "oof_adj", "oda_amt", "oda_adj", "vof_amt", "vof_adj",
        ];
        for input in inputs {
            let mut csv = Csv::open(input, b',', 0, &cols, "AidData GCDF recipient-year")?;
            let mut seen = HashSet::new();
            while let Some(r) = csv.next_row() {
                let r = r?;
                let (recipient, _) = ctx.cow(&r, "ccode")?;
                let year = r.year("year")?;
                if !seen.insert((recipient.clone(), year)) {
                    return Err(duplicate(&r, "year", &format!("{recipient} {year}")));
                }
                stats.year(year);
                for (class, amt, adj) in [
                    ("oof_like", "oof_amt", "oof_adj"),
                    ("oda_like", "oda_amt", "oda_adj"),
                    ("vague", "vof_amt", "vof_adj"),
                ] {
                    let a = r.nonneg(amt)?;
                    let j = r.opt_nonneg(adj)?;
                    if a == 0.0 && j.unwrap_or(0.0) == 0.0 {
                        continue;
                    }
                    out.push(
                        FinanceFlow {
                            lender: "CHN".into(),
                            recipient: recipient.clone(),
                            year,
                            flow_class: class.into(),
                            amount: a,
                            amount_adjusted: j,
                            unit: "constant 2021 USD".into(),
                            sector: None,
                            source: "aiddata_gcdf".into(),
                        },
                        sink,
                    )?;
                }
            }
        }
        out.flush(sink)?;
        stats.add("finance_flows", out.total);
        Ok(stats)
    }
}
