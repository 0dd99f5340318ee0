//! CEPII GeoDep product-level strategic dependence on HS6 trade, with a 2-of-3-years stability rule.
//!
//! # What it measures
//! Which HS6 products an importer depends on strategically: it buys them from few suppliers,
//! few countries in the world export them, and it cannot cover its needs from its own
//! exports — and whether that holds persistently rather than in one odd year.
//!
//! # Formula
//! For importer i, product k and year t (shares of value, domestic rows ignored):
//! C1: HHI of i's suppliers of k, Σ_s (m_isk / m_ik)² > θ1 (default 0.4);
//! C2: HHI of world exporters of k, Σ_e (X_ek / X_wk)² > θ2 (default 0.4), X_ek = e's exports
//! of k to all importers in the rows;
//! C3: m_ik / x_ik > θ3 (default 1), i's imports over its exports of k; it passes when i
//! exports none of k (ratio reported as None).
//! A year passes when C1, C2 and C3 all hold. Windows: for every year t from (first data
//! year + w − 1) to the last data year (first/last over all input rows; w = window length,
//! default 3), the window is the w calendar years t−w+1 … t. A year in the window with no
//! imports of k by i counts as failing. The product is **flagged** in window t when at least
//! n of its w years pass (default n = 2). The window's leading supplier is the exporter with
//! the largest imports of k by i summed over the window's years; its share is of that sum.
//!
//! # Reading it
//! A flagged product is a persistent, hard-to-replace dependence on few suppliers; read the
//! leading supplier to see on whom. One passing year out of three is noise (a one-off
//! shipment), two of three is persistence. The thresholds are the source's; make them
//! stricter (higher θ) for fewer, stronger flags.
//!
//! # Data it needs
//! `trade_flows` at HS6 level (BACI), all exporters and importers of each product for C2 and
//! C3, values in any common unit (shares and ratios are unit-free). Only importer-product-years
//! with positive imports produce year rows; windows are produced for importer-products with at
//! least one such year inside the window.
//!
//! # Reference
//! Vicard, V. and Wibaux, P. (2023), "EU Strategic Dependencies: A Long View", CEPII Policy
//! Brief 41; Jaravel, X. and Méjean, I. (2021), "Quelle stratégie de résilience dans la
//! mondialisation ?", *Notes du Conseil d'analyse économique* 64; European Commission (2021),
//! "Strategic dependencies and capacities", SWD(2021) 352.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::common::{PartnerSelection, check_code, check_nonneg};
use crate::error::{MeasureError, Result};

pub use crate::records::{PanelExport, PanelFlow, ProductFlow, ProductPanel};

impl GeoDepParams {
    /// The importers assessed: `focal`, or every importer.
    pub fn importers(&self) -> PartnerSelection {
        match &self.focal {
            Some(c) => PartnerSelection::Only(vec![c.0.clone()]),
            None => PartnerSelection::All,
        }
    }

    fn check(&self) -> Result<()> {
        for (name, v) in [
            ("importer_hhi_threshold", self.importer_hhi_threshold),
            ("world_hhi_threshold", self.world_hhi_threshold),
        ] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return Err(MeasureError::InvalidParameter {
                    name,
                    value: v.to_string(),
                    reason: "an HHI threshold lies in [0, 1]",
                });
            }
        }
        let r = self.import_export_ratio_threshold;
        if !(r.is_finite() && r >= 0.0) {
            return Err(MeasureError::InvalidParameter {
                name: "import_export_ratio_threshold",
                value: r.to_string(),
                reason: "must be a finite number >= 0",
            });
        }
        if self.window_years == 0 {
            return Err(MeasureError::InvalidParameter {
                name: "window_years",
                value: "0".into(),
                reason: "must be >= 1",
            });
        }
        if self.min_years_passing == 0 || self.min_years_passing > self.window_years {
            return Err(MeasureError::InvalidParameter {
                name: "min_years_passing",
                value: self.min_years_passing.to_string(),
                reason: "must lie in 1..=window_years",
            });
        }
        Ok(())
    }
}

/// The three criteria for one importer, product and year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeoDepYearRow {
    /// Year.
    pub year: i32,
    /// Importer.
    pub importer: String,
    /// HS6 product.
    pub product: String,
    /// m_ik: the importer's imports of the product.
    pub imports: f64,
    /// x_ik: the importer's exports of the product.
    pub exports: f64,
    /// C1 statistic: HHI of the importer's suppliers.
    pub importer_hhi: f64,
    /// C2 statistic: HHI of world exporters.
    pub world_hhi: f64,
    /// C3 statistic: imports / exports; None when exports are 0.
    pub import_export_ratio: Option<f64>,
    /// C1 holds.
    pub c1: bool,
    /// C2 holds.
    pub c2: bool,
    /// C3 holds.
    pub c3: bool,
    /// C1, C2 and C3 all hold.
    pub passes: bool,
    /// Largest supplier this year (ties: smallest code).
    pub leading_supplier: String,
    /// Its share of the importer's imports of the product.
    pub leading_supplier_share: f64,
}

/// The stability rule for one importer, product and window.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct GeoDepWindowRow {
    /// First year of the window.
    pub window_start: i32,
    /// Last year of the window (t).
    pub window_end: i32,
    /// Importer.
    pub importer: String,
    /// HS6 product.
    pub product: String,
    /// Years in the window where C1–C3 all hold.
    pub years_passing: u32,
    /// Years in the window with imports of the product.
    pub years_with_imports: u32,
    /// `years_passing >= min_years_passing`.
    pub flagged: bool,
    /// Largest supplier over the window's summed imports.
    pub leading_supplier: String,
    /// Its share of the window's summed imports.
    pub leading_supplier_share: f64,
}

/// Year rows and window rows of [`geodep`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeoDepResult {
    /// Criteria per importer, product and year (sorted by importer, product, year).
    pub years: Vec<GeoDepYearRow>,
    /// Flags per importer, product and window (sorted by importer, product, window end).
    pub windows: Vec<GeoDepWindowRow>,
}

/// Builds a [`ProductPanel`] from rows in any order, interning codes as they come.
#[derive(Debug, Default)]
pub struct PanelBuilder {
    countries: std::collections::HashMap<String, u32>,
    products: std::collections::HashMap<String, u32>,
    panel: ProductPanel,
}

fn intern(map: &mut std::collections::HashMap<String, u32>, s: &str) -> u32 {
    if let Some(&i) = map.get(s) {
        return i;
    }
    let i = u32::try_from(map.len()).unwrap_or(u32::MAX);
    map.insert(s.to_string(), i);
    i
}

impl PanelBuilder {
    /// An empty panel.
    pub fn new() -> Self {
        Self::default()
    }

    /// A year with data.
    pub fn year(&mut self, year: i32) {
        self.panel.years.insert(year);
    }

    /// A flow into an assessed importer (exporter ≠ importer).
    pub fn import(
        &mut self,
        year: i32,
        exporter: &str,
        importer: &str,
        product: &str,
        value: f64,
    ) -> Result<()> {
        check_row(year, exporter, importer, product, value)?;
        self.panel.years.insert(year);
        let row = PanelFlow {
            year,
            product: intern(&mut self.products, product),
            exporter: intern(&mut self.countries, exporter),
            importer: intern(&mut self.countries, importer),
            value,
        };
        self.panel.imports.push(row);
        Ok(())
    }

    /// An exporter's exports of a product to other states (summed with earlier rows of the
    /// same year, product and exporter).
    pub fn export(&mut self, year: i32, exporter: &str, product: &str, value: f64) -> Result<()> {
        check_row(year, exporter, "world", product, value)?;
        self.panel.years.insert(year);
        let row = PanelExport {
            year,
            product: intern(&mut self.products, product),
            exporter: intern(&mut self.countries, exporter),
            value,
        };
        self.panel.world.push(row);
        Ok(())
    }

    /// The panel: codes sorted, rows re-indexed, sorted, duplicate keys summed in arrival order.
    pub fn finish(self) -> ProductPanel {
        let PanelBuilder {
            countries,
            products,
            mut panel,
        } = self;
        let (countries, cmap) = sorted_names(countries);
        let (products, pmap) = sorted_names(products);
        for r in &mut panel.imports {
            r.exporter = cmap[r.exporter as usize];
            r.importer = cmap[r.importer as usize];
            r.product = pmap[r.product as usize];
        }
        for r in &mut panel.world {
            r.exporter = cmap[r.exporter as usize];
            r.product = pmap[r.product as usize];
        }
        // Stable sorts keep arrival order within a key, so sums add up as a running total would.
        panel
            .imports
            .sort_by_key(|r| (r.importer, r.product, r.year, r.exporter));
        panel.imports.dedup_by(|b, a| {
            let same = (a.importer, a.product, a.year, a.exporter)
                == (b.importer, b.product, b.year, b.exporter);
            if same {
                a.value += b.value;
            }
            same
        });
        panel.world.sort_by_key(|r| (r.year, r.product, r.exporter));
        panel.world.dedup_by(|b, a| {
            let same = (a.year, a.product, a.exporter) == (b.year, b.product, b.exporter);
            if same {
                a.value += b.value;
            }
            same
        });
        panel.countries = countries;
        panel.products = products;
        panel
    }
}

/// Names sorted, and the new index of each old one.
fn sorted_names(map: std::collections::HashMap<String, u32>) -> (Vec<String>, Vec<u32>) {
    let mut named: Vec<(String, u32)> = map.into_iter().collect();
    named.sort_unstable();
    let mut remap = vec![0u32; named.len()];
    for (new, (_, old)) in named.iter().enumerate() {
        remap[*old as usize] = u32::try_from(new).unwrap_or(u32::MAX);
    }
    (named.into_iter().map(|(n, _)| n).collect(), remap)
}

fn check_row(year: i32, exporter: &str, importer: &str, product: &str, value: f64) -> Result<()> {
    let ctx = || format!("{year} {exporter}->{importer} product {product}");
    check_nonneg("trade value", value, ctx)?;
    check_code("exporter", exporter, ctx)?;
    check_code("importer", importer, ctx)?;
    if product.trim().is_empty() {
        return Err(MeasureError::InvalidField {
            field: "product",
            value: product.to_string(),
            context: ctx(),
            reason: "an HS6 code must not be empty",
        });
    }
    Ok(())
}

impl ProductPanel {
    /// The panel of plain rows: every non-domestic row counts towards world exports, and rows
    /// into a selected importer are its imports.
    pub fn from_flows(flows: &[ProductFlow], importers: &PartnerSelection) -> Result<Self> {
        let mut b = PanelBuilder::new();
        for f in flows {
            check_row(f.year, &f.exporter, &f.importer, &f.product, f.value)?;
            b.year(f.year);
            if f.exporter == f.importer {
                continue;
            }
            b.export(f.year, &f.exporter, &f.product, f.value)?;
            if importers.includes(&f.importer) {
                b.import(f.year, &f.exporter, &f.importer, &f.product, f.value)?;
            }
        }
        Ok(b.finish())
    }
}

/// HHI of values listed in code order (0 when they sum to 0).
fn hhi(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let total: f64 = values.clone().sum();
    if total <= 0.0 {
        return 0.0;
    }
    values.map(|v| (v / total).powi(2)).sum()
}

/// The largest value (ties: the first in code order) and its share of the total.
fn leader(values: impl Iterator<Item = (u32, f64)> + Clone) -> (Option<u32>, f64) {
    let total: f64 = values.clone().map(|x| x.1).sum();
    let (k, v) = values.fold((None, f64::NEG_INFINITY), |acc, (k, v)| {
        if v > acc.1 { (Some(k), v) } else { acc }
    });
    (k, if total > 0.0 { v / total } else { 0.0 })
}

/// Apply the GeoDep criteria and the stability rule to plain rows (the importer assessed is
/// `focal`; none: every importer).
pub fn geodep(flows: &[ProductFlow], params: &GeoDepParams) -> Result<GeoDepResult> {
    params.check()?;
    geodep_panel(
        &ProductPanel::from_flows(flows, &params.importers())?,
        params,
    )
}

/// Apply the GeoDep criteria and the stability rule to a panel (its imports are the importers
/// assessed; `focal` is not re-applied).
pub fn geodep_panel(p: &ProductPanel, params: &GeoDepParams) -> Result<GeoDepResult> {
    params.check()?;
    let name = |i: Option<u32>| i.map_or_else(String::new, |i| p.countries[i as usize].clone());
    // (year, product) → its exporters' rows in `p.world`, and the world HHI.
    let mut world: std::collections::HashMap<(i32, u32), (&[PanelExport], f64)> =
        std::collections::HashMap::new();
    for g in p
        .world
        .chunk_by(|a, b| (a.year, a.product) == (b.year, b.product))
    {
        world.insert(
            (g[0].year, g[0].product),
            (g, hhi(g.iter().map(|r| r.value))),
        );
    }
    let (Some(&first), Some(&last)) = (p.years.first(), p.years.last()) else {
        return Ok(GeoDepResult {
            years: vec![],
            windows: vec![],
        });
    };
    let window = i32::try_from(params.window_years).unwrap_or(i32::MAX);
    let mut years_out = Vec::new();
    let mut windows_out = Vec::new();
    for pair in p
        .imports
        .chunk_by(|a, b| (a.importer, a.product) == (b.importer, b.product))
    {
        let (importer, product) = (pair[0].importer, pair[0].product);
        let by_year: Vec<&[PanelFlow]> = pair.chunk_by(|a, b| a.year == b.year).collect();
        let mut passes: Vec<(i32, bool)> = Vec::new();
        for suppliers in &by_year {
            let year = suppliers[0].year;
            let m: f64 = suppliers.iter().map(|r| r.value).sum();
            if m <= 0.0 {
                continue;
            }
            let (exporters, world_hhi) = world.get(&(year, product)).copied().unwrap_or((&[], 0.0));
            let x = exporters
                .binary_search_by_key(&importer, |r| r.exporter)
                .map_or(0.0, |i| exporters[i].value);
            let importer_hhi = hhi(suppliers.iter().map(|r| r.value));
            let ratio = (x > 0.0).then(|| m / x);
            let c1 = importer_hhi > params.importer_hhi_threshold;
            let c2 = world_hhi > params.world_hhi_threshold;
            let c3 = ratio.is_none_or(|r| r > params.import_export_ratio_threshold);
            let (lead, leading_supplier_share) =
                leader(suppliers.iter().map(|r| (r.exporter, r.value)));
            passes.push((year, c1 && c2 && c3));
            years_out.push(GeoDepYearRow {
                year,
                importer: name(Some(importer)),
                product: p.products[product as usize].clone(),
                imports: m,
                exports: x,
                importer_hhi,
                world_hhi,
                import_export_ratio: ratio,
                c1,
                c2,
                c3,
                passes: c1 && c2 && c3,
                leading_supplier: name(lead),
                leading_supplier_share,
            });
        }
        let mut t = first.saturating_add(window - 1);
        while t <= last {
            let start = t - (window - 1);
            let in_window: Vec<bool> = passes
                .iter()
                .filter(|(y, _)| (start..=t).contains(y))
                .map(|x| x.1)
                .collect();
            if !in_window.is_empty() {
                let years_passing =
                    u32::try_from(in_window.iter().filter(|p| **p).count()).unwrap_or(u32::MAX);
                let mut summed: BTreeMap<u32, f64> = BTreeMap::new();
                for suppliers in by_year.iter().filter(|s| (start..=t).contains(&s[0].year)) {
                    for r in *suppliers {
                        *summed.entry(r.exporter).or_insert(0.0) += r.value;
                    }
                }
                let (lead, leading_supplier_share) = leader(summed.iter().map(|(k, v)| (*k, *v)));
                windows_out.push(GeoDepWindowRow {
                    window_start: start,
                    window_end: t,
                    importer: name(Some(importer)),
                    product: p.products[product as usize].clone(),
                    years_passing,
                    years_with_imports: u32::try_from(in_window.len()).unwrap_or(u32::MAX),
                    flagged: years_passing >= params.min_years_passing,
                    leading_supplier: name(lead),
                    leading_supplier_share,
                });
            }
            t += 1;
        }
    }
    Ok(GeoDepResult {
        years: years_out,
        windows: windows_out,
    })
}

fn theta() -> f64 {
    0.4
}
fn ratio() -> f64 {
    1.0
}
fn window() -> u32 {
    3
}
fn passing() -> u32 {
    2
}

/// Parameters of `pivot measure geodep`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GeoDepParams {
    /// The importer to assess; none: every importer.
    #[serde(default)]
    pub focal: Option<crate::params::Country>,
    /// Years (each window t-2…t needs its three years in range).
    #[serde(default)]
    pub years: crate::params::Years,
    /// C1 threshold θ1: the importer's supplier HHI must be strictly above it.
    #[serde(default = "theta")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub importer_hhi_threshold: f64,
    /// C2 threshold θ2: the world exporter HHI must be strictly above it.
    #[serde(default = "theta")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub world_hhi_threshold: f64,
    /// C3 threshold θ3: imports / exports must be strictly above it.
    #[serde(default = "ratio")]
    #[schemars(range(min = 0.0))]
    pub import_export_ratio_threshold: f64,
    /// Window length w in years.
    #[serde(default = "window")]
    #[schemars(range(min = 1, max = 50))]
    pub window_years: u32,
    /// Passing years needed in a window for a flag (at most window_years).
    #[serde(default = "passing")]
    #[schemars(range(min = 1, max = 50))]
    pub min_years_passing: u32,
}

impl Default for GeoDepParams {
    /// Every parameter at its default: every importer, every year, the source's thresholds.
    fn default() -> Self {
        Self {
            focal: None,
            years: crate::params::Years::ALL,
            importer_hhi_threshold: theta(),
            world_hhi_threshold: theta(),
            import_export_ratio_threshold: ratio(),
            window_years: window(),
            min_years_passing: passing(),
        }
    }
}

impl crate::params::Validate for GeoDepParams {
    fn validate(&self) -> std::result::Result<(), crate::params::ParamError> {
        if self.min_years_passing > self.window_years {
            return Err(crate::params::ParamError::new(
                "min_years_passing",
                Some(self.min_years_passing.to_string()),
                format!("more than window_years = {}", self.window_years),
            )
            .accepting("1 to window_years"));
        }
        Ok(())
    }
}

/// The `geodep` measure.
pub struct GeoDep;

impl crate::measure::Measure for GeoDep {
    type Params = GeoDepParams;
    type Row = GeoDepWindowRow;
    const NAME: &'static str = "geodep";
    const DIMENSION: crate::Dimension = crate::Dimension::Trade;
    const TABLES: &'static [crate::Table] = &[crate::Table::TradeFlows];
    const SOURCE: &'static str = include_str!("geodep.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let panel = data.product_panel(&p.years, &p.importers())?;
        let res = geodep_panel(&panel, p)?;
        Ok(crate::measure::Output::rows(res.windows).note(crate::trade::USD_NOTE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;

    const YEARS: [i32; 3] = [2019, 2020, 2021];

    /// Importer FRA, six products, 2019–2021 (values in thousand USD).
    fn fixture() -> Vec<ProductFlow> {
        let mut v = Vec::new();
        let mut push = |y, e: &str, i: &str, k: &str, x| v.push(ProductFlow::new(y, e, i, k, x));
        for y in YEARS {
            // 000001 passes every year: suppliers CHN 90, USA 10; world CHN 190, USA 10, FRA 20;
            // FRA imports 100 / exports 20.
            push(y, "CHN", "FRA", "000001", 90.0);
            push(y, "USA", "FRA", "000001", 10.0);
            push(y, "CHN", "DEU", "000001", 100.0);
            push(y, "FRA", "DEU", "000001", 20.0);
            // 000002 = 000001 except FRA exports 150 in 2020 (C3 fails that year only).
            push(y, "CHN", "FRA", "000002", 90.0);
            push(y, "USA", "FRA", "000002", 10.0);
            push(y, "CHN", "DEU", "000002", 100.0);
            push(
                y,
                "FRA",
                "DEU",
                "000002",
                if y == 2020 { 150.0 } else { 20.0 },
            );
            // 000003 = 000001 except FRA exports 150 in 2019 and 2020 (passes only in 2021).
            push(y, "CHN", "FRA", "000003", 90.0);
            push(y, "USA", "FRA", "000003", 10.0);
            push(y, "CHN", "DEU", "000003", 100.0);
            push(
                y,
                "FRA",
                "DEU",
                "000003",
                if y == 2021 { 20.0 } else { 150.0 },
            );
            // 000004 fails C1: FRA buys CHN 30, USA 30, DEU 20, JPN 20; world dominated by CHN.
            push(y, "CHN", "FRA", "000004", 30.0);
            push(y, "USA", "FRA", "000004", 30.0);
            push(y, "DEU", "FRA", "000004", 20.0);
            push(y, "JPN", "FRA", "000004", 20.0);
            push(y, "CHN", "USA", "000004", 1000.0);
            // 000005 fails C2: FRA buys only from KOR, but four exporters of 50 each in the world.
            push(y, "KOR", "FRA", "000005", 50.0);
            push(y, "CHN", "USA", "000005", 50.0);
            push(y, "USA", "CHN", "000005", 50.0);
            push(y, "DEU", "JPN", "000005", 50.0);
            // 000006 fails C3: FRA imports 10 from CHN, exports 40 to USA.
            push(y, "CHN", "FRA", "000006", 10.0);
            push(y, "FRA", "USA", "000006", 40.0);
        }
        v
    }

    fn run(cfg: &GeoDepParams) -> GeoDepResult {
        let cfg = GeoDepParams {
            focal: Some(crate::params::Country("FRA".into())),
            ..cfg.clone()
        };
        geodep(&fixture(), &cfg).unwrap()
    }

    fn year<'a>(r: &'a GeoDepResult, k: &str, y: i32) -> &'a GeoDepYearRow {
        r.years
            .iter()
            .find(|row| row.product == k && row.year == y)
            .unwrap()
    }

    fn window<'a>(r: &'a GeoDepResult, k: &str) -> &'a GeoDepWindowRow {
        let w: Vec<_> = r.windows.iter().filter(|row| row.product == k).collect();
        assert_eq!(w.len(), 1, "one 2019–2021 window for {k}");
        w[0]
    }

    #[test]
    fn all_criteria_pass_hand_computed() {
        let r = run(&GeoDepParams::default());
        let y = year(&r, "000001", 2019);
        // C1: (90/100)² + (10/100)² = 0.81 + 0.01 = 0.82 > 0.4.
        assert_close(y.importer_hhi, 0.82);
        // C2: world CHN 190, USA 10, FRA 20 (total 220): (190² + 10² + 20²)/220² = 36600/48400.
        assert_close(y.world_hhi, 36_600.0 / 48_400.0);
        // C3: 100 / 20 = 5 > 1.
        assert_close(y.import_export_ratio.unwrap(), 5.0);
        assert!(y.c1 && y.c2 && y.c3 && y.passes);
        assert_eq!(y.leading_supplier, "CHN");
        assert_close(y.leading_supplier_share, 0.9);
        let w = window(&r, "000001");
        assert_eq!(
            (
                w.window_start,
                w.window_end,
                w.years_passing,
                w.years_with_imports,
                w.flagged
            ),
            (2019, 2021, 3, 3, true)
        );
        // Leading supplier over the window: CHN 270 of 300.
        assert_eq!(w.leading_supplier, "CHN");
        assert_close(w.leading_supplier_share, 0.9);
    }

    #[test]
    fn two_of_three_years_flag_one_of_three_does_not() {
        let r = run(&GeoDepParams::default());
        // 000002 in 2020: C3 = 100/150 = 0.666… ≤ 1 fails; C2 = (190² + 10² + 150²)/350² = 58700/122500 still passes.
        let y = year(&r, "000002", 2020);
        assert_close(y.import_export_ratio.unwrap(), 100.0 / 150.0);
        assert_close(y.world_hhi, 58_700.0 / 122_500.0);
        assert!(y.c1 && y.c2 && !y.c3 && !y.passes);
        let w2 = window(&r, "000002");
        assert_eq!((w2.years_passing, w2.flagged), (2, true));
        // 000003 passes in 2021 only → 1 of 3 → not flagged.
        assert!(
            !year(&r, "000003", 2019).passes
                && !year(&r, "000003", 2020).passes
                && year(&r, "000003", 2021).passes
        );
        let w3 = window(&r, "000003");
        assert_eq!((w3.years_passing, w3.flagged), (1, false));
    }

    #[test]
    fn each_failing_criterion() {
        let r = run(&GeoDepParams::default());
        // 000004: C1 = 0.3² + 0.3² + 0.2² + 0.2² = 0.26 ≤ 0.4 fails;
        // C2 = (1030² + 30² + 20² + 20²)/1100² = 1062600/1210000 passes; C3: no FRA exports → passes, ratio None.
        let y4 = year(&r, "000004", 2019);
        assert_close(y4.importer_hhi, 0.26);
        assert_close(y4.world_hhi, 1_062_600.0 / 1_210_000.0);
        assert_eq!(y4.import_export_ratio, None);
        assert!(!y4.c1 && y4.c2 && y4.c3);
        assert!(!window(&r, "000004").flagged);
        // 000005: C1 = 1 passes; C2 = 4 × 0.25² = 0.25 fails.
        let y5 = year(&r, "000005", 2020);
        assert_close(y5.importer_hhi, 1.0);
        assert_close(y5.world_hhi, 0.25);
        assert!(y5.c1 && !y5.c2 && y5.c3);
        assert!(!window(&r, "000005").flagged);
        // 000006: C1 = 1; C2 = 0.2² + 0.8² = 0.68 passes; C3 = 10/40 = 0.25 fails.
        let y6 = year(&r, "000006", 2021);
        assert_close(y6.world_hhi, 0.68);
        assert_close(y6.import_export_ratio.unwrap(), 0.25);
        assert!(y6.c1 && y6.c2 && !y6.c3);
        assert!(!window(&r, "000006").flagged);
        let flagged: Vec<_> = r
            .windows
            .iter()
            .filter(|w| w.flagged)
            .map(|w| w.product.as_str())
            .collect();
        assert_eq!(flagged, vec!["000001", "000002"]);
    }

    #[test]
    fn thresholds_are_parameters() {
        // θ1 = 0.25 lets 000004 pass C1 (0.26 > 0.25) → flagged in all three years.
        let r = run(&GeoDepParams {
            importer_hhi_threshold: 0.25,
            ..GeoDepParams::default()
        });
        assert!(window(&r, "000004").flagged);
        // θ3 = 6 makes 000001 fail C3 (5 ≤ 6) → no longer flagged.
        let r = run(&GeoDepParams {
            import_export_ratio_threshold: 6.0,
            ..GeoDepParams::default()
        });
        assert!(!window(&r, "000001").flagged);
        // Requiring 3 of 3 drops 000002.
        let r = run(&GeoDepParams {
            min_years_passing: 3,
            ..GeoDepParams::default()
        });
        assert!(window(&r, "000001").flagged && !window(&r, "000002").flagged);
        assert!(
            geodep(
                &[],
                &GeoDepParams {
                    min_years_passing: 4,
                    ..GeoDepParams::default()
                }
            )
            .is_err()
        );
        assert!(
            geodep(
                &[],
                &GeoDepParams {
                    world_hhi_threshold: 1.5,
                    ..GeoDepParams::default()
                }
            )
            .is_err()
        );
    }

    #[test]
    fn sliding_windows_and_missing_years() {
        // One product, data years 2018–2022; FRA imports only from CHN (C1 = 1, C2 = 1, C3 passes)
        // in 2018, 2020 and 2022; 2019 and 2021 have only an unrelated flow (no FRA imports).
        let mut v = Vec::new();
        for y in [2018, 2020, 2022] {
            v.push(ProductFlow::new(y, "CHN", "FRA", "850760", 5.0));
        }
        for y in [2019, 2021] {
            v.push(ProductFlow::new(y, "CHN", "USA", "850760", 5.0));
        }
        let r = geodep(&v, &GeoDepParams::default()).unwrap();
        let fra: Vec<_> = r
            .windows
            .iter()
            .filter(|w| w.importer == "FRA")
            .map(|w| (w.window_end, w.years_passing, w.flagged))
            .collect();
        // Windows end in 2020, 2021, 2022: 2018–20 has 2 passing (2018, 2020); 2019–21 has 1 (2020);
        // 2020–22 has 2 (2020, 2022). Missing years count as failing.
        assert_eq!(
            fra,
            vec![(2020, 2, true), (2021, 1, false), (2022, 2, true)]
        );
    }

    #[test]
    fn a_panel_built_as_the_engine_builds_it_gives_the_same_answer() {
        // The engine sends the importer's rows and world exports already summed per (year,
        // exporter, product), in no particular order; the answer must equal the one from plain
        // rows (fixture sums are exact in binary, so equality is exact).
        let flows = fixture();
        let fra = PartnerSelection::Only(vec!["FRA".into()]);
        let plain = geodep(
            &flows,
            &GeoDepParams {
                focal: Some(crate::params::Country("FRA".into())),
                ..GeoDepParams::default()
            },
        )
        .unwrap();
        let mut world: BTreeMap<(i32, String, String), f64> = BTreeMap::new();
        let mut b = PanelBuilder::new();
        for f in flows.iter().rev() {
            if f.exporter == f.importer {
                continue;
            }
            *world
                .entry((f.year, f.exporter.clone(), f.product.clone()))
                .or_default() += f.value;
            if fra.includes(&f.importer) {
                b.import(f.year, &f.exporter, &f.importer, &f.product, f.value)
                    .unwrap();
            }
        }
        for ((y, e, k), v) in world.iter().rev() {
            b.export(*y, e, k, *v).unwrap();
        }
        let panel = b.finish();
        assert_eq!(panel.countries, ["CHN", "DEU", "FRA", "JPN", "KOR", "USA"]);
        assert_eq!(
            geodep_panel(&panel, &GeoDepParams::default()).unwrap(),
            plain
        );
        assert_eq!(plain.years.len(), 18, "six products, three years");
    }

    #[test]
    fn negative_value_is_named() {
        let e = geodep(
            &[ProductFlow::new(2020, "CHN", "FRA", "000001", -5.0)],
            &GeoDepParams::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("product 000001"), "{e}");
    }
}
