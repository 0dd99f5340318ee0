//! SIPRI Arms Transfers Database, in four layouts recognised by their header:
//! - the cleaned deliveries table (`deal_id, supplier, recipient, …, tiv_delivered`),
//! - the cleaned dyad-year table (`supplier, recipient, delivery_year, tiv_delivered, …`),
//! - the current download (a text preamble, then `SIPRI AT Database ID, Supplier, Recipient, …`),
//! - the older "trade register" download (Latin-1, a preamble, then `Recipient, Supplier, Year of
//!   order, , Number ordered, , …, Number delivered, , …, SIPRI TIV of delivered weapons`): a `?`
//!   in a value or in the unnamed column after it marks the value uncertain, and a value in
//!   brackets, `(2025)`, is a SIPRI estimate; either sets `uncertain`. One row per deal, with
//!   `delivery_years` as written.
//!
//! Names are SIPRI's ("Viet Nam", "Turkiye", "UAE"); non-state actors (`*`) and organisations
//! (`**`) keep their name with no ISO3. Any other name pivot cannot resolve is an error.

use std::collections::HashSet;
use std::io::Cursor;

use super::{Adapter, Ctx, Stats, duplicate, info};
use crate::canonical::{ArmsDyadYear, ArmsTransfer, Batcher};
use crate::input::{Csv, Row};
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The SIPRI arms transfers adapter.
pub struct Sipri;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    Deliveries,
    DyadYear,
    Download,
    Register,
}

fn detect(line: &str) -> Option<Layout> {
    let l = line.trim_start_matches('\u{feff}');
    if l.starts_with("deal_id,supplier,recipient") {
        Some(Layout::Deliveries)
    } else if l.starts_with("supplier,recipient,delivery_year") {
        Some(Layout::DyadYear)
    } else if l.starts_with("SIPRI AT Database ID,") {
        Some(Layout::Download)
    } else if l.starts_with("Recipient,Supplier,") {
        Some(Layout::Register)
    } else {
        None
    }
}

/// Decode SIPRI bytes: UTF-8 when valid, else Latin-1 (Windows-1252) as SIPRI exports are.
fn decode(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => encoding_rs::WINDOWS_1252
            .decode(e.as_bytes())
            .0
            .into_owned(),
    }
}

fn party(ctx: &Ctx<'_>, r: &Row<'_>, col: &str) -> Result<(String, Option<String>), SourceError> {
    let name = r.str(col).to_string();
    if name.is_empty() {
        return Err(r.err(col, "is empty"));
    }
    if name.ends_with('*') || name.starts_with("unknown") {
        return Ok((name, None));
    }
    match ctx.name_iso3(&name) {
        Some(iso3) => Ok((name, Some(iso3))),
        None => Err(r.err(col, "is not a country pivot knows (non-state actors end in '*' in SIPRI files); see pivot country NAME")),
    }
}

/// A SIPRI number that may carry `?` (uncertain) or brackets (a SIPRI estimate, in the register
/// layout): (value, uncertain).
fn sipri_num(r: &Row<'_>, col: &str) -> Result<(Option<f64>, bool), SourceError> {
    let Some(s) = r.opt_str(col) else {
        return Ok((None, false));
    };
    let uncertain = s.contains('?') || s.contains('(');
    let t = s.trim_matches(|c: char| c == '?' || c == '(' || c == ')' || c.is_whitespace());
    if t.is_empty() {
        return Ok((None, uncertain));
    }
    let v: f64 = t.parse().map_err(|_| r.err(col, "is not a number"))?;
    if v < 0.0 {
        return Err(r.err(col, "is negative"));
    }
    Ok((Some(v), uncertain))
}

fn opt_year(r: &Row<'_>, col: &str) -> Result<(Option<i32>, bool), SourceError> {
    let (v, u) = sipri_num(r, col)?;
    match v {
        None => Ok((None, u)),
        Some(y) if y.fract() == 0.0 && (1900.0..=2100.0).contains(&y) => Ok((Some(y as i32), u)),
        Some(_) => Err(r.err(col, "is not a plausible year")),
    }
}

impl Adapter for Sipri {
    fn name(&self) -> &'static str {
        "sipri"
    }
    fn summary(&self) -> &'static str {
        "SIPRI arms transfers: trade-register download (either layout, Latin-1 ok) or pivot's cleaned tables"
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "sipri_arms",
            "SIPRI Arms Transfers Database",
            "Stockholm International Peace Research Institute",
            "data generated 3 Jan 2025 (deliveries 2000-2023)",
            "use with attribution as generally understood (not verified); keep 'Source: SIPRI Arms Transfers Database'",
            "Stockholm International Peace Research Institute, SIPRI Arms Transfers Database, https://www.sipri.org/databases/armstransfers (data generated 3 Jan 2025).",
            "@misc{sipri_at_2025,\n  author = {{Stockholm International Peace Research Institute}},\n  title = {SIPRI Arms Transfers Database},\n  year = {2025},\n  note = {Data generated 3 January 2025},\n  url = {https://www.sipri.org/databases/armstransfers}\n}",
            &["arms_transfers", "arms_dyad_year"],
            &[
                "TIV (trend-indicator value) is SIPRI's volume index in millions, not money: never add it to USD.",
                "No coverage before 2000 and none for 2024 in the bundled export.",
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
        let mut deals = Batcher::<ArmsTransfer>::new(None);
        let mut dyads = Batcher::<ArmsDyadYear>::new(None);
        for input in inputs {
            let text = decode(input.read_all()?);
            let (hline, layout) = text
                .lines()
                .take(40)
                .enumerate()
                .find_map(|(i, l)| detect(l).map(|k| (i, k)))
                .ok_or_else(|| SourceError::Header {
                    file: input.name(),
                    line: 1,
                    missing: "a SIPRI header line".into(),
                    found: text.lines().next().unwrap_or("").chars().take(80).collect(),
                    format: "SIPRI trade register".into(),
                })?;
            let body: String = text.lines().skip(hline).collect::<Vec<_>>().join("\n");
            let rdr = Box::new(Cursor::new(body.into_bytes()));
            let req: &[&str] = match layout {
                Layout::Deliveries => &[
                    "deal_id",
                    "supplier",
                    "recipient",
                    "designation",
                    "description",
                    "armament_category",
                    "order_year",
                    "n_delivered",
                    "n_delivered_is_estimate",
                    "delivery_year",
                    "delivery_year_is_estimate",
                    "status",
                    "tiv_unit_deal",
                    "tiv_delivered",
                ],
                Layout::DyadYear => &[
                    "supplier",
                    "recipient",
                    "delivery_year",
                    "tiv_delivered",
                    "n_deals",
                    "n_items",
                ],
                Layout::Download => &[
                    "SIPRI AT Database ID",
                    "Supplier",
                    "Recipient",
                    "Designation",
                    "Description",
                    "Armament category",
                    "Order date",
                    "Numbers delivered",
                    "Numbers delivered is estimate",
                    "Delivery year",
                    "Delivery year is estimate",
                    "Status",
                    "TIV deal unit",
                    "TIV delivery values",
                ],
                Layout::Register => &[
                    "Recipient",
                    "Supplier",
                    "Year of order",
                    "Number delivered",
                    "SIPRI TIV of delivered weapons",
                ],
            };
            let mut csv = Csv::from_reader(input.name(), rdr, b',', hline as u64, req, "SIPRI")?;
            // The register layout marks uncertainty in columns with an empty name, each right
            // after the value it qualifies (`Year of order,,Number ordered,,…`): a `?` there
            // makes the row uncertain.
            let flag_cols: Vec<usize> = csv
                .header()
                .iter()
                .enumerate()
                .filter(|(_, h)| h.is_empty())
                .map(|(i, _)| i)
                .collect();
            let mut seen_dyad = HashSet::new();
            let mut seen_deal = HashSet::new();
            while let Some(r) = csv.next_row() {
                let r = r?;
                match layout {
                    Layout::DyadYear => {
                        let (supplier, supplier_iso3) = party(ctx, &r, "supplier")?;
                        let (recipient, recipient_iso3) = party(ctx, &r, "recipient")?;
                        let year = r.year("delivery_year")?;
                        if !seen_dyad.insert((supplier.clone(), recipient.clone(), year)) {
                            return Err(duplicate(
                                &r,
                                "delivery_year",
                                &format!("{supplier}->{recipient} {year}"),
                            ));
                        }
                        stats.year(year);
                        dyads.push(
                            ArmsDyadYear {
                                supplier,
                                supplier_iso3,
                                recipient,
                                recipient_iso3,
                                year,
                                tiv: r.nonneg("tiv_delivered")?,
                                n_deals: r.i64("n_deals")?,
                                n_items: r.nonneg("n_items")?,
                                source: "sipri_arms".into(),
                            },
                            sink,
                        )?;
                    }
                    Layout::Deliveries | Layout::Download => {
                        let c = |clean: &'static str, raw: &'static str| {
                            if layout == Layout::Deliveries {
                                clean
                            } else {
                                raw
                            }
                        };
                        let deal_id = r.i64(c("deal_id", "SIPRI AT Database ID"))?;
                        let (supplier, supplier_iso3) = party(ctx, &r, c("supplier", "Supplier"))?;
                        let (recipient, recipient_iso3) =
                            party(ctx, &r, c("recipient", "Recipient"))?;
                        let (delivery_year, u1) =
                            opt_year(&r, c("delivery_year", "Delivery year"))?;
                        let delivery_year = delivery_year.ok_or_else(|| {
                            r.err(c("delivery_year", "Delivery year"), "is empty")
                        })?;
                        if !seen_deal.insert((deal_id, delivery_year)) {
                            return Err(duplicate(
                                &r,
                                c("deal_id", "SIPRI AT Database ID"),
                                &format!("deal {deal_id} year {delivery_year}"),
                            ));
                        }
                        let (order_year, u2) = opt_year(&r, c("order_year", "Order date"))?;
                        let (n, u3) = sipri_num(&r, c("n_delivered", "Numbers delivered"))?;
                        let (unit, _) = sipri_num(&r, c("tiv_unit_deal", "TIV deal unit"))?;
                        let (tiv, u4) = sipri_num(&r, c("tiv_delivered", "TIV delivery values"))?;
                        let est = |col: &str| {
                            r.opt_str(col)
                                .is_some_and(|v| v.eq_ignore_ascii_case("yes"))
                        };
                        let uncertain = u1
                            || u2
                            || u3
                            || u4
                            || est(c(
                                "n_delivered_is_estimate",
                                "Numbers delivered is estimate",
                            ))
                            || est(c("delivery_year_is_estimate", "Delivery year is estimate"));
                        stats.year(delivery_year);
                        deals.push(
                            ArmsTransfer {
                                deal_id: Some(deal_id),
                                supplier,
                                supplier_iso3,
                                recipient,
                                recipient_iso3,
                                designation: r.str(c("designation", "Designation")).to_string(),
                                description: r.str(c("description", "Description")).to_string(),
                                category: r
                                    .opt_str(c("armament_category", "Armament category"))
                                    .map(str::to_string),
                                order_year,
                                n_delivered: n,
                                delivery_year: Some(delivery_year),
                                delivery_years: None,
                                status: r.opt_str(c("status", "Status")).map(str::to_string),
                                tiv_unit: unit,
                                tiv_delivered: tiv,
                                uncertain,
                                source: "sipri_arms".into(),
                            },
                            sink,
                        )?;
                    }
                    Layout::Register => {
                        let (supplier, supplier_iso3) = party(ctx, &r, "Supplier")?;
                        let (recipient, recipient_iso3) = party(ctx, &r, "Recipient")?;
                        let (order_year, u1) = opt_year(&r, "Year of order")?;
                        let (n, u2) = sipri_num(&r, "Number delivered")?;
                        let (unit, u3) = sipri_num(&r, "SIPRI TIV per unit")?;
                        let (tiv, u4) = sipri_num(&r, "SIPRI TIV of delivered weapons")?;
                        if let Some(y) = order_year {
                            stats.year(y);
                        }
                        deals.push(
                            ArmsTransfer {
                                deal_id: None,
                                supplier,
                                supplier_iso3,
                                recipient,
                                recipient_iso3,
                                designation: r
                                    .opt_str("Weapon designation")
                                    .unwrap_or("")
                                    .to_string(),
                                description: r
                                    .opt_str("Weapon description")
                                    .unwrap_or("")
                                    .to_string(),
                                category: None,
                                order_year,
                                n_delivered: n,
                                delivery_year: None,
                                delivery_years: r
                                    .opt_str("Year(s) of delivery")
                                    .map(str::to_string),
                                status: r.opt_str("status").map(str::to_string),
                                tiv_unit: unit,
                                tiv_delivered: tiv,
                                uncertain: u1
                                    || u2
                                    || u3
                                    || u4
                                    || flag_cols.iter().any(|&i| r.at(i).contains('?')),
                                source: "sipri_arms".into(),
                            },
                            sink,
                        )?;
                    }
                }
            }
        }
        deals.flush(sink)?;
        dyads.flush(sink)?;
        stats.add("arms_transfers", deals.total);
        stats.add("arms_dyad_year", dyads.total);
        Ok(stats)
    }
}
