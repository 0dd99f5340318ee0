//! The report on a focal state's pivot (default: Russia's pivot to Asia, with the claims of
//! Mankoff 2015 checked against the data). Every number comes from the measures, read through
//! the engine's typed call ([`Engine::run`]): each section is a module, a function from typed
//! answers to blocks, and each figure or table names exactly the datasets of the answers it
//! draws. A measure that fails is a note in its section with the reason, and a line under
//! "Limits"; the coverage lines come from the store's manifest.

mod arms;
mod before_after;
mod ctx;
mod diplomacy;
mod energy;
mod finance;
mod hedging;
mod influence;
mod limits;
mod power;
mod trade;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pivot_report::{Block, ClaimRow, ClaimsTable, Report, Section};

use crate::claims::{ClaimVerdict, parse_claims};
use crate::{Engine, EngineError};
use ctx::{Ctx, name};

/// The Mankoff 2015 claims, embedded so the report works from any folder.
pub const MANKOFF_CLAIMS: &str = include_str!("../../../../claims/mankoff-2015.toml");

/// Options of `pivot report`.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Focal state.
    pub focal: String,
    /// Partners (the first is highlighted).
    pub partners: Vec<String>,
    /// Years.
    pub years: Option<String>,
    /// Claims file (default: Mankoff 2015 when the focal state is Russia).
    pub claims: Option<PathBuf>,
    /// Contrast partners: shown in the trade and UN charts, left out of the hedging view (which
    /// asks how the focal state spreads its ties among the others).
    pub contrasts: Vec<String>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            focal: "RUS".into(),
            partners: ["CHN", "IND", "JPN", "KOR", "VNM", "DEU", "USA"]
                .map(String::from)
                .to_vec(),
            years: None,
            claims: None,
            contrasts: ["DEU", "USA"].map(String::from).to_vec(),
        }
    }
}

impl Engine {
    /// Build the report document.
    pub fn build_report(&self, opts: &ReportOptions) -> Result<Report, EngineError> {
        let focal = self.iso3(&opts.focal)?;
        if opts.partners.iter().all(|p| p.trim().is_empty()) {
            return Err(EngineError::Input(
                "the report needs at least one partner (e.g. --partners CHN,IND)".into(),
            ));
        }
        let partners = self.resolve_set(&opts.partners)?;
        // Years that do not parse would fail every section: refused here.
        let years = match &opts.years {
            Some(y) => Some(pivot_measures::Years(
                y.parse::<pivot_vocab::YearRange>()
                    .map_err(|e| EngineError::Input(format!("report years: {e}")))?,
            )),
            None => None,
        };
        let contrasts = self.resolve_set(&opts.contrasts)?;
        let mut c = Ctx {
            e: self,
            fname: name(&focal),
            focal: focal.clone(),
            highlight: partners.first().cloned().unwrap_or_default(),
            partners: partners.clone(),
            years,
            used: BTreeSet::new(),
            missing: vec![],
        };
        // The caller's time limit is checked between sections (a section reads remembered
        // answers without touching the store, so nothing else might check it).
        let builders: [&dyn Fn(&mut Ctx) -> Section; 9] = [
            &before_after::section,
            &trade::section,
            &energy::section,
            &arms::section,
            &diplomacy::section,
            &power::section,
            &influence::section,
            &finance::section,
            &|c: &mut Ctx| hedging::section(c, &contrasts),
        ];
        let mut sections = Vec::with_capacity(builders.len());
        for build in builders {
            crate::bounds::check()?;
            sections.push(build(&mut c));
        }
        // A measure that ran out of time becomes a section's note; the report itself is refused.
        crate::bounds::check()?;
        if let Some(claims) = self.claims_section(opts, &focal, &sections)? {
            sections.insert(0, claims);
        }
        let limits = limits::limits(&c);
        let citations = self
            .manifest()
            .datasets
            .values()
            .filter(|d| c.used.contains(&d.id) || d.id == "reference")
            .map(|d| pivot_report::Citation {
                key: d.id.clone(),
                text: d.citation.clone(),
            })
            .collect();
        Ok(Report {
            title: format!("{}'s pivot: dependence, hedging and alignment", c.fname),
            subtitle: Some(format!(
                "Focal state {} with {}; all numbers recomputed by pivot from the bundled open data",
                c.fname,
                partners
                    .iter()
                    .map(|p| name(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            generated_note: Some(format!(
                "pivot {} — datasets: {}{}",
                env!("CARGO_PKG_VERSION"),
                c.used.iter().cloned().collect::<Vec<_>>().join(", "),
                self.cluster()
                    .map(|cl| format!(" — {}", cl.note()))
                    .unwrap_or_default()
            )),
            sections,
            limits,
            citations,
        })
    }

    /// The claims section: the claims file asked for, or Mankoff 2015 for Russia; none
    /// otherwise. Each verdict links to the figures and tables shown that bear on it.
    fn claims_section(
        &self,
        opts: &ReportOptions,
        focal: &str,
        sections: &[Section],
    ) -> Result<Option<Section>, EngineError> {
        let text = match &opts.claims {
            Some(p) => crate::bounds::read_spec(p, "claims file")?,
            None if focal == "RUS" => MANKOFF_CLAIMS.to_string(),
            None => return Ok(None),
        };
        let file = parse_claims(&text).map_err(|e| EngineError::Input(format!("claims: {e}")))?;
        let verdicts = self.check_claims(&file)?;
        let ids: BTreeSet<&str> = sections
            .iter()
            .flat_map(|s| s.blocks.iter())
            .filter_map(|b| match b {
                Block::Chart(ch) => Some(ch.id.as_str()),
                Block::Table(t) => Some(t.id.as_str()),
                _ => None,
            })
            .collect();
        Ok(Some(Section {
            id: "claims".into(),
            heading: "Claims checked against the data".into(),
            blocks: vec![
                Block::Paragraph(format!(
                    "{} — {}. Each claim's checks are in the claims file; a claim is supported when every check that the data can evaluate passes.",
                    file.title, file.source
                )),
                Block::Claims(ClaimsTable {
                    id: "claims-table".into(),
                    title: "Verdicts".into(),
                    rows: verdicts.iter().map(|v| claim_row(v, &ids)).collect(),
                }),
            ],
        }))
    }

    /// Build and write the report; returns the files written.
    pub fn write_report(
        &self,
        opts: &ReportOptions,
        out: &Path,
    ) -> Result<Vec<PathBuf>, EngineError> {
        let r = self.build_report(opts)?;
        Ok(pivot_report::write_report(&r, out)?)
    }
}

fn claim_row(v: &ClaimVerdict, ids: &BTreeSet<&str>) -> ClaimRow {
    ClaimRow {
        id: v.id.clone(),
        claim: v.claim.clone(),
        verdict: v.verdict,
        evidence: v.evidence.clone(),
        links: v
            .charts
            .iter()
            .filter(|c| ids.contains(c.as_str()))
            .cloned()
            .collect(),
    }
}
