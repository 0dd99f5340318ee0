//! UN Comtrade bulk/API CSV (`refYear, reporterCode, reporterISO, flowCode, partnerCode,
//! partnerISO, partner2Code, cmdCode, customsCode, motCode, qty, netWgt, primaryValue …`).
//! Keeps the totals over partner2/customs/transport (`partner2Code = 0`, `customsCode = C00`,
//! `motCode = 0`), imports (M, importer-reported) and exports (X, exporter-reported); drops
//! re-exports/re-imports, the World partner (0) and Comtrade's partners that are not countries
//! ([`NON_COUNTRY_PARTNERS`]: "Areas, nes", bunkers, free zones, special categories, regional
//! "nes" residuals, EU), each counted. Values in USD → million USD; net weight in kg → tonnes.

use std::collections::HashSet;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{Batcher, TradeFlow};
use crate::input::{Csv, Row};
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The Comtrade adapter.
pub struct Comtrade;

const COLS: &[&str] = &[
    "refYear",
    "reporterCode",
    "flowCode",
    "partnerCode",
    "partner2Code",
    "cmdCode",
    "customsCode",
    "motCode",
    "primaryValue",
];

/// Comtrade partner codes that are not countries: EU (97), the regional "not elsewhere
/// specified" residuals, Neutral Zone (536), Bunkers (837), Free Zones (838), Special Categories
/// (839) and Areas, nes (899). Rows with these partners are dropped and counted, unless the code
/// resolves to a country pivot knows (490 "Other Asia, nes" is Taiwan in practice).
pub const NON_COUNTRY_PARTNERS: &[i64] = &[
    97, 129, 221, 290, 471, 472, 473, 492, 527, 536, 568, 577, 636, 637, 697, 837, 838, 839, 879,
    899,
];

fn country(
    ctx: &Ctx<'_>,
    r: &Row<'_>,
    code_col: &str,
    iso_col: &str,
) -> Result<String, SourceError> {
    if let Some(iso) = r.opt_str(iso_col)
        && let Some(c) = ctx.countries.by_iso3(iso)
    {
        return Ok(c.iso3.clone());
    }
    let code = r.i64(code_col)?;
    u16::try_from(code)
        .ok()
        .and_then(|c| ctx.countries.by_m49(c))
        .map(|c| c.iso3.clone())
        .ok_or_else(|| r.err(code_col, "is not a Comtrade/M49 country code pivot knows"))
}

impl Adapter for Comtrade {
    fn name(&self) -> &'static str {
        "comtrade"
    }
    fn summary(&self) -> &'static str {
        "UN Comtrade bulk/API CSV (refYear, reporterCode, flowCode, partnerCode, cmdCode, primaryValue …)"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "comtrade",
            "UN Comtrade Database",
            "United Nations Statistics Division",
            "user download",
            "UN Comtrade terms of use (check your subscription); not redistributed by pivot",
            "United Nations, UN Comtrade Database, https://comtradeplus.un.org.",
            "@misc{comtrade,\n  author = {{United Nations Statistics Division}},\n  title = {UN Comtrade Database},\n  url = {https://comtradeplus.un.org}\n}",
            &["trade_flows"],
            &[
                "primaryValue in USD stored as million USD; imports are CIF, exports FOB, as reported.",
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
        let mut out = Batcher::<TradeFlow>::new(None);
        let (mut world, mut breakdown, mut reflows, mut not_country) = (0, 0, 0, 0);
        for input in inputs {
            let delim = if input.first_line()?.contains('\t') {
                b'\t'
            } else {
                b','
            };
            let mut csv = Csv::open(input, delim, 0, COLS, "UN Comtrade")?;
            let mut seen = HashSet::new();
            while let Some(r) = csv.next_row() {
                let r = r?;
                if r.str("partner2Code") != "0"
                    || r.str("customsCode") != "C00"
                    || r.str("motCode") != "0"
                {
                    breakdown += 1;
                    continue;
                }
                if r.str("partnerCode") == "0" {
                    world += 1;
                    continue;
                }
                let flow = r.str("flowCode");
                if !matches!(flow, "M" | "X") {
                    if matches!(flow, "RM" | "RX" | "DX" | "FM") {
                        reflows += 1;
                        continue;
                    }
                    return Err(r.err("flowCode", "must be M, X, RM, RX, DX or FM"));
                }
                let year = r.year("refYear")?;
                let reporter = country(ctx, &r, "reporterCode", "reporterISO")?;
                let partner = match country(ctx, &r, "partnerCode", "partnerISO") {
                    Ok(p) => p,
                    Err(e) => {
                        if r.i64("partnerCode")
                            .is_ok_and(|c| NON_COUNTRY_PARTNERS.contains(&c))
                        {
                            not_country += 1;
                            continue;
                        }
                        return Err(e);
                    }
                };
                let (exporter, importer, basis) = if flow == "M" {
                    (partner, reporter, "importer-reported")
                } else {
                    (reporter, partner, "exporter-reported")
                };
                let product = match r.str("cmdCode") {
                    "TOTAL" => "TOTAL".to_string(),
                    c if !c.is_empty() && c.len() <= 6 && c.chars().all(|x| x.is_ascii_digit()) => {
                        c.to_string()
                    }
                    _ => return Err(r.err("cmdCode", "is neither TOTAL nor an HS code")),
                };
                if !seen.insert((
                    year,
                    exporter.clone(),
                    importer.clone(),
                    product.clone(),
                    basis,
                )) {
                    return Err(duplicate(
                        &r,
                        "cmdCode",
                        &format!("{year} {exporter}->{importer} {product} {basis}"),
                    ));
                }
                stats.year(year);
                let v = r.nonneg("primaryValue")?;
                r.flow_usd_m("primaryValue", v / 1e6)?;
                let q = r.opt_nonneg("netWgt")?.map(|kg| kg / 1000.0);
                out.push(
                    TradeFlow {
                        year,
                        exporter,
                        importer,
                        product,
                        value_usd_m: v / 1e6,
                        quantity_t: q,
                        source: "comtrade".into(),
                        basis: basis.into(),
                    },
                    sink,
                )?;
            }
        }
        out.flush(sink)?;
        stats.add("trade_flows", out.total);
        stats.drop_note(world, "rows with partner World (0) dropped");
        stats.drop_note(
            breakdown,
            "breakdown rows (partner2/customs/transport mode) dropped; totals kept",
        );
        stats.drop_note(reflows, "re-export/re-import rows dropped");
        stats.drop_note(
            not_country,
            "rows with a partner that is not a country (Areas nes, bunkers, free zones …) dropped",
        );
        Ok(stats)
    }
}
