//! bp / Energy Institute Statistical Review trade movements (long form: data_year, flow, unit,
//! exporter, importer, value, importer_is_subtotal, source_edition) → `energy_flows`.
//! Subtotal rows are dropped before anything is summed.

use std::collections::HashSet;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{Batcher, EnergyFlow};
use crate::input::Csv;
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The EI trade movements adapter.
pub struct EiEnergy;

const COLS: &[&str] = &[
    "data_year",
    "flow",
    "unit",
    "exporter",
    "importer",
    "value",
    "importer_is_subtotal",
    "source_edition",
];
const CARRIERS: &[&str] = &["crude_oil", "oil_products", "lng", "pipeline_gas", "coal"];

impl Adapter for EiEnergy {
    fn name(&self) -> &'static str {
        "ei-energy"
    }
    fn summary(&self) -> &'static str {
        "bp/Energy Institute trade movements, long CSV (data_year, flow, unit, exporter, importer, value …)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "ei_energy",
            "Energy trade movements (Statistical Review of World Energy)",
            "bp p.l.c. (2020-2022 editions); Energy Institute (2024 edition)",
            "data years 2019, 2020, 2021, 2023",
            "free reuse with attribution as generally understood (not verified)",
            "bp Statistical Review of World Energy (2020, 2021, 2022 editions); Energy Institute, Statistical Review of World Energy 2024, https://www.energyinst.org/statistical-review.",
            "@misc{ei_statreview_2024,\n  author = {{Energy Institute}},\n  title = {Statistical Review of World Energy 2024},\n  year = {2024},\n  url = {https://www.energyinst.org/statistical-review}\n}",
            &["energy_flows"],
            &[
                "Volumes, not values: oil in million tonnes, gas in billion cubic metres, coal in exajoules.",
                "2022 is missing. Oil and coal matrices are by area (Europe is one area); LNG and pipeline by country; subtotal rows dropped.",
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
        let mut out = Batcher::<EnergyFlow>::new(None);
        let mut subtotals = 0;
        for input in inputs {
            let mut csv = Csv::open(input, b',', 0, COLS, "Energy Institute trade movements")?;
            let mut seen = HashSet::new();
            while let Some(r) = csv.next_row() {
                let r = r?;
                if r.flag("importer_is_subtotal")? {
                    subtotals += 1;
                    continue;
                }
                let year = r.year("data_year")?;
                let carrier = r.str("flow").to_string();
                if !CARRIERS.contains(&carrier.as_str()) {
                    return Err(r.err(
                        "flow",
                        format!("unknown carrier (expected one of {})", CARRIERS.join(", ")),
                    ));
                }
                let exporter = r.str("exporter").to_string();
                let importer = r.str("importer").to_string();
                let edition = r.str("source_edition").to_string();
                if !seen.insert((
                    year,
                    carrier.clone(),
                    exporter.clone(),
                    importer.clone(),
                    edition.clone(),
                )) {
                    return Err(duplicate(
                        &r,
                        "importer",
                        &format!("{year} {carrier} {exporter}->{importer}"),
                    ));
                }
                let volume = r.nonneg("value")?;
                stats.year(year);
                let importer_iso3 = ctx.name_iso3(&importer);
                out.push(
                    EnergyFlow {
                        year,
                        exporter_iso3: ctx.name_iso3(&exporter),
                        exporter,
                        importer_is_area: importer_iso3.is_none(),
                        importer_iso3,
                        importer,
                        carrier,
                        volume,
                        unit: r.str("unit").to_string(),
                        edition,
                        source: "ei_energy".into(),
                    },
                    sink,
                )?;
            }
        }
        out.flush(sink)?;
        stats.add("energy_flows", out.total);
        stats.drop_note(
            subtotals,
            "regional subtotal rows (importer_is_subtotal = 1) dropped",
        );
        Ok(stats)
    }
}
