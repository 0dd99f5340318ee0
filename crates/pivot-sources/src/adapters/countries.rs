//! The reference tables: `countries` from pivot's country identity (world-countries, COW and
//! GW state lists, BACI codes, pivot's concordances) and `products` from BACI's HS2017 list.

use super::{Adapter, Ctx, Stats, info};
use crate::canonical::{Batcher, CountryRow, Product};
use crate::input::Csv;
use crate::{DatasetInfo, Input, SourceError, TableSink};

/// The reference-table adapter (reads only embedded data).
pub struct CountriesTable;

fn join(v: &[u16]) -> Option<String> {
    (!v.is_empty()).then(|| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",")
    })
}

impl Adapter for CountriesTable {
    fn name(&self) -> &'static str {
        "countries"
    }
    fn summary(&self) -> &'static str {
        "pivot's reference tables (countries with every code; HS2017 products), from embedded data"
    }
    fn user_ingest(&self) -> bool {
        false
    }
    fn dataset(&self, _: &[Input]) -> DatasetInfo {
        info(
            "reference",
            "Country identity and product codes",
            "mledoze/countries (world-countries 5.1.0); COW and Gleditsch-Ward state lists; CEPII BACI V202201 code lists; pivot concordances",
            "world-countries 5.1.0; BACI V202201",
            "ODbL 1.0 (world-countries: attribute 'mledoze/countries (world-countries), ODbL 1.0'); BACI code lists Etalab 2.0 (not verified)",
            "Mohammed Le Doze, world-countries 5.1.0 (mledoze/countries), ODbL 1.0. CEPII, BACI country and product codes, V202201.",
            "@misc{worldcountries,\n  author = {Le Doze, Mohammed},\n  title = {world-countries},\n  version = {5.1.0},\n  note = {ODbL 1.0}\n}",
            &["countries", "products"],
            &["Centroids are approximate (not population-weighted)."],
        )
    }
    fn read(
        &self,
        _: &[Input],
        ctx: &Ctx<'_>,
        sink: &mut dyn TableSink,
    ) -> Result<Stats, SourceError> {
        let mut stats = Stats::default();
        let mut out = Batcher::<CountryRow>::new(None);
        for c in ctx.countries.all() {
            out.push(
                CountryRow {
                    iso3: c.iso3.clone(),
                    iso2: c.iso2.clone(),
                    m49: c.m49.map(i32::from),
                    cow: join(&c.cow),
                    gw: join(&c.gw),
                    name: c.name.clone(),
                    official_name: c.official_name.clone(),
                    region: c.region.clone(),
                    subregion: c.subregion.clone(),
                    kind: c.kind.as_str().to_string(),
                    start_year: c.start_year,
                    end_year: c.end_year,
                    lat: c.latlng.map(|x| x.0),
                    lng: c.latlng.map(|x| x.1),
                },
                sink,
            )?;
        }
        out.flush(sink)?;
        stats.add("countries", out.total);
        let mut prods = Batcher::<Product>::new(None);
        let mut csv = Csv::open(
            &Input::bundled(pivot_bundled::HS17_PRODUCT_CODES),
            b',',
            0,
            &["code", "description"],
            "BACI product codes",
        )?;
        while let Some(r) = csv.next_row() {
            let r = r?;
            let mut code = r.str("code").to_string();
            while code.len() < 6 {
                code.insert(0, '0');
            }
            prods.push(
                Product {
                    chapter: code[..2].to_string(),
                    code,
                    description: r.str("description").to_string(),
                    nomenclature: "HS2017".into(),
                },
                sink,
            )?;
        }
        prods.flush(sink)?;
        stats.add("products", prods.total);
        Ok(stats)
    }
}
