//! A sample report with invented numbers, for tests, previews and the
//! browser check. Every title says "sample data": none of these numbers is a
//! measurement, and none should be quoted.

use crate::model::{
    Annotation, Block, Cell, Chart, ChartKind, Citation, ClaimRow, ClaimsTable, Point, Report,
    Section, Series, Table, Verdict,
};

const SAMPLE_SOURCE: &str =
    "Source: sample data invented for testing pivot-report (shaped like COW Dyadic Trade v4.0)";

fn line_series(name: &str, start: i32, values: &[f64], highlight: bool) -> Series {
    Series {
        name: name.to_string(),
        points: values
            .iter()
            .enumerate()
            .map(|(i, v)| Point::num(f64::from(start) + i as f64, *v))
            .collect(),
        highlight,
    }
}

fn cat_series(name: &str, cats: &[&str], values: &[f64]) -> Series {
    Series {
        name: name.to_string(),
        points: cats
            .iter()
            .zip(values)
            .map(|(c, v)| Point::cat(*c, *v))
            .collect(),
        highlight: false,
    }
}

/// The trade-share line chart of the sample (four partners, 1992–2014, a gap in 1998).
pub fn sample_line_chart() -> Chart {
    let years = 23;
    let grow = |a: f64, b: f64| -> Vec<f64> {
        (0..years)
            .map(|i| a + (b - a) * (i as f64 / (years - 1) as f64).powf(1.3))
            .collect()
    };
    let mut china = grow(4.0, 11.3);
    china[6] = f64::NAN; // a missing year, drawn as a gap
    Chart {
        id: "trade-share".to_string(),
        title: "Partner shares of Russia's total trade, 1992–2014 (sample data)".to_string(),
        kind: ChartKind::Line,
        x_label: "Year".to_string(),
        y_label: "Share of Russia's total trade".to_string(),
        y_unit: "%".to_string(),
        series: vec![
            line_series("China", 1992, &china, true),
            line_series("Germany", 1992, &grow(12.5, 8.9), false),
            line_series("Japan", 1992, &grow(4.2, 3.6), false),
            line_series("India", 1992, &grow(1.4, 1.5), false),
        ],
        annotations: vec![
            Annotation {
                x: 2001.0,
                label: "Treaty of Friendship 2001".to_string(),
            },
            Annotation {
                x: 2014.0,
                label: "Crimea 2014".to_string(),
            },
        ],
        y_range: None,
        source: SAMPLE_SOURCE.to_string(),
        method:
            "Share = trade with partner (exports + imports) / Russia's trade with all partners, \
                 current USD; missing years left as gaps. Sample values, not measurements."
                .to_string(),
    }
}

/// A stacked bar chart of the sample (crude exports by destination, per year).
pub fn sample_stacked_chart() -> Chart {
    let years = ["2019", "2020", "2021", "2022", "2023"];
    Chart {
        id: "crude-destinations".to_string(),
        title: "Russian crude oil exports by destination (sample data)".to_string(),
        kind: ChartKind::StackedBar,
        x_label: "Year".to_string(),
        y_label: "Crude oil exports".to_string(),
        y_unit: "million tonnes".to_string(),
        series: vec![
            cat_series("Europe", &years, &[138.0, 120.0, 118.0, 95.0, 12.0]),
            cat_series("China", &years, &[77.0, 83.0, 79.0, 86.0, 107.0]),
            cat_series("India", &years, &[2.0, 3.0, 4.5, 33.0, 82.0]),
            cat_series(
                "Other Asia Pacific",
                &years,
                &[14.0, 13.0, 15.0, 14.0, 18.0],
            ),
            cat_series("Rest of world", &years, &[9.0, 8.0, 8.0, 11.0, 16.0]),
        ],
        annotations: Vec::new(),
        y_range: None,
        source: "Source: sample data invented for testing (shaped like Energy Institute, \
                 Statistical Review of World Energy 2024, trade movements)"
            .to_string(),
        method: "Exports by destination region as reported by the importing side; stacks add up \
                 to total exports; label above each bar is the total."
            .to_string(),
    }
}

/// A grouped bar chart of the sample (arms deliveries by recipient, per period).
pub fn sample_grouped_chart() -> Chart {
    let periods = [
        "2000–2004",
        "2005–2009",
        "2010–2014",
        "2015–2019",
        "2020–2023",
    ];
    Chart {
        id: "arms-recipients".to_string(),
        title: "Recipients' shares of Russian arms deliveries by period (sample data)".to_string(),
        kind: ChartKind::GroupedBar,
        x_label: "Period of delivery".to_string(),
        y_label: "Share of Russia's deliveries".to_string(),
        y_unit: "%".to_string(),
        series: vec![
            cat_series("India", &periods, &[33.0, 28.0, 39.0, 31.0, 34.0]),
            cat_series("China", &periods, &[43.0, 30.0, 11.0, 16.0, 21.0]),
            cat_series("Vietnam", &periods, &[2.0, 4.0, 7.0, 4.5, 1.0]),
            cat_series("Other", &periods, &[22.0, 38.0, 43.0, 48.5, 44.0]),
        ],
        annotations: Vec::new(),
        y_range: None,
        source: "Source: sample data invented for testing (shaped like SIPRI Arms Transfers \
                 Database)"
            .to_string(),
        method: "Share of each recipient in the sum of SIPRI trend-indicator values (TIV) \
                 delivered by Russia in the period. TIV is a volume index, not money."
            .to_string(),
    }
}

/// A horizontal bar chart of the sample (hedging view: HHI* by dimension), with a negative value.
pub fn sample_hbar_chart() -> Chart {
    let dims = [
        "Trade (Asian partners)",
        "Energy (crude oil destinations)",
        "Arms (recipients)",
        "Diplomacy (UNGA agreement gap, CN − US)",
    ];
    Chart {
        id: "hedging-view".to_string(),
        title: "Concentration of Russia's partners by dimension, latest period (sample data)"
            .to_string(),
        kind: ChartKind::HorizontalBar,
        x_label: "Dimension".to_string(),
        y_label: "Normalised HHI*".to_string(),
        y_unit: "index 0–1".to_string(),
        series: vec![
            Series {
                name: "2010s".to_string(),
                points: dims
                    .iter()
                    .zip([0.41, 0.22, 0.18, -0.05])
                    .map(|(c, v)| Point::cat(*c, v))
                    .collect(),
                highlight: false,
            },
            Series {
                name: "2020s".to_string(),
                points: dims
                    .iter()
                    .zip([0.52, 0.37, 0.21, 0.12])
                    .map(|(c, v)| Point::cat(*c, v))
                    .collect(),
                highlight: true,
            },
        ],
        annotations: Vec::new(),
        y_range: None,
        source: "Source: sample data invented for testing".to_string(),
        method: "HHI* = (HHI − 1/N)/(1 − 1/N) over the partner set, shares within each dimension. \
                 The diplomacy bar is a difference of agreement scores and may be negative."
            .to_string(),
    }
}

/// A chart with no data, to show the placeholder.
pub fn sample_empty_chart() -> Chart {
    Chart {
        id: "finance-empty".to_string(),
        title: "Chinese official finance to Russia by year (sample: no data loaded)".to_string(),
        kind: ChartKind::Line,
        x_label: "Year".to_string(),
        y_label: "Commitments".to_string(),
        y_unit: "million constant 2021 USD".to_string(),
        series: Vec::new(),
        annotations: Vec::new(),
        y_range: None,
        source: "Source: AidData GCDF 3.0 (not loaded in this sample)".to_string(),
        method: "Sum of commitments by year.".to_string(),
    }
}

/// A long-run line chart with many points and no highlight (UN agreement).
pub fn sample_votes_chart() -> Chart {
    let n = 29;
    let wave = |a: f64, b: f64, phase: f64| -> Vec<f64> {
        (0..n)
            .map(|i| a + b * ((i as f64) / 4.0 + phase).sin())
            .collect()
    };
    Chart {
        id: "un-agreement".to_string(),
        title: "UN General Assembly vote agreement with Russia, 1991–2019 (sample data)"
            .to_string(),
        kind: ChartKind::Line,
        x_label: "Year".to_string(),
        y_label: "Voeten agreement score".to_string(),
        y_unit: "share of votes".to_string(),
        series: vec![
            line_series("China", 1991, &wave(0.86, 0.04, 0.0), true),
            line_series("India", 1991, &wave(0.78, 0.05, 1.0), false),
            line_series("Japan", 1991, &wave(0.55, 0.06, 2.0), false),
            line_series("United States", 1991, &wave(0.32, 0.08, 3.0), false),
        ],
        annotations: Vec::new(),
        y_range: Some((0.0, 1.0)),
        source: "Source: sample data invented for testing (shaped like Voeten, Strezhnev & \
                 Bailey, United Nations General Assembly Voting Data)"
            .to_string(),
        method: "Agreement = mean over joint roll calls of 1 (same vote), 0.5 (one abstains), \
                 0 (opposite votes)."
            .to_string(),
    }
}

fn sample_table() -> Table {
    Table {
        id: "partner-ranks".to_string(),
        title: "Russia's largest trading partners, selected years (sample data)".to_string(),
        columns: vec![
            "Year".to_string(),
            "Rank 1".to_string(),
            "Trade with rank 1 (million USD)".to_string(),
            "China's rank".to_string(),
            "China's share (%)".to_string(),
        ],
        rows: vec![
            vec![
                Cell::text("1995"),
                Cell::text("Germany"),
                Cell::num(14_512.25, 0),
                Cell::num(6.0, 0),
                Cell::num(4.9, 1),
            ],
            vec![
                Cell::text("2005"),
                Cell::text("Germany"),
                Cell::num(31_820.7, 0),
                Cell::num(3.0, 0),
                Cell::num(7.1, 1),
            ],
            vec![
                Cell::text("2014"),
                Cell::text("China"),
                Cell::num(88_402.0, 0),
                Cell::num(1.0, 0),
                Cell::num(11.3, 1),
            ],
            vec![
                Cell::text("2015"),
                Cell::text("China"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ],
        ],
        source: SAMPLE_SOURCE.to_string(),
        method: "Rank by exports + imports in current USD; 2015 is outside the data.".to_string(),
    }
}

fn claim(id: &str, claim: &str, verdict: Verdict, evidence: &str, links: &[&str]) -> ClaimRow {
    ClaimRow {
        id: id.to_string(),
        claim: claim.to_string(),
        verdict,
        evidence: evidence.to_string(),
        links: links.iter().map(|s| s.to_string()).collect(),
    }
}

/// The sample claims table (id `claims-table`, eight rows like the real report).
pub fn sample_claims() -> ClaimsTable {
    ClaimsTable {
        id: "claims-table".to_string(),
        title: "Claims checked against the data (sample verdicts)".to_string(),
        rows: vec![
            claim(
                "C1",
                "China has become Russia's largest trading partner",
                Verdict::Supported,
                "Sample: China ranks first from 2010 to 2014, at 11.3% of Russia's trade in 2014.",
                &["trade-share", "partner-ranks"],
            ),
            claim(
                "C2",
                "Power disparity between Russia and China is growing",
                Verdict::Supported,
                "Sample: CN/RU GDP ratio rises from 1.8 to 5.5.",
                &["trade"],
            ),
            claim(
                "C3",
                "Russia turns its energy exports toward Asia",
                Verdict::Supported,
                "Sample: Asia's share of crude exports rises from 39% to 86% (2019–2023).",
                &["crude-destinations"],
            ),
            claim(
                "C4",
                "Russia hedges against China via India, Vietnam, Japan",
                Verdict::Mixed,
                "Sample: India stays the largest arms recipient; trade concentration on China rises.",
                &["arms-recipients", "hedging-view"],
            ),
            claim(
                "C5",
                "China gives Russia diplomatic support",
                Verdict::Supported,
                "Sample: RU–CN agreement averages 0.86 against 0.32 for RU–US.",
                &["un-agreement"],
            ),
            claim(
                "C6",
                "Asia's weight in Russia's economy is growing",
                Verdict::Mixed,
                "Sample: Asia's share rises, Europe stays larger until 2014.",
                &["trade-share"],
            ),
            claim(
                "C7",
                "Western isolation pushes Russia toward China",
                Verdict::NotSupported,
                "Sample: no break in China's share after 2014 in this sample.",
                &["trade-share", "crude-destinations"],
            ),
            claim(
                "C8",
                "Russia and China have a defence relationship short of alliance",
                Verdict::NotTestable,
                "Sample: alliance data not loaded.",
                &[],
            ),
        ],
    }
}

/// A complete sample report: every block and chart kind, eight claims.
pub fn sample_report() -> Report {
    Report {
        title: "Russia's pivot to Asia (sample data)".to_string(),
        subtitle: Some(
            "A preview of pivot's report layout with invented numbers — do not cite".to_string(),
        ),
        generated_note: Some("Generated by pivot-report from built-in sample data.".to_string()),
        sections: vec![
            Section {
                id: "summary".to_string(),
                heading: "Summary".to_string(),
                blocks: vec![
                    Block::Paragraph(
                        "This sample report shows every element the renderer supports. Its \
                         numbers are invented & only shaped like the real data; the verdicts \
                         below are placeholders <not findings>."
                            .to_string(),
                    ),
                    Block::Claims(sample_claims()),
                ],
            },
            Section {
                id: "trade".to_string(),
                heading: "Trade".to_string(),
                blocks: vec![
                    Block::Paragraph(
                        "China's share of Russia's trade rises through the period (sample)."
                            .to_string(),
                    ),
                    Block::Chart(sample_line_chart()),
                    Block::Table(sample_table()),
                ],
            },
            Section {
                id: "energy".to_string(),
                heading: "Energy".to_string(),
                blocks: vec![
                    Block::Chart(sample_stacked_chart()),
                    Block::Chart(sample_empty_chart()),
                ],
            },
            Section {
                id: "arms-and-hedging".to_string(),
                heading: "Arms and hedging".to_string(),
                blocks: vec![
                    Block::Chart(sample_grouped_chart()),
                    Block::Chart(sample_hbar_chart()),
                ],
            },
            Section {
                id: "diplomacy".to_string(),
                heading: "Diplomacy".to_string(),
                blocks: vec![Block::Chart(sample_votes_chart())],
            },
        ],
        limits: vec![
            "All numbers in this report are invented sample data.".to_string(),
            "COW trade ends in 2014; later years need BACI or Comtrade.".to_string(),
        ],
        citations: vec![
            Citation {
                key: "cow-trade".to_string(),
                text: "Barbieri, Katherine and Omar Keshk. 2016. Correlates of War Project \
                       Trade Data Set Codebook, Version 4.0."
                    .to_string(),
            },
            Citation {
                key: "mankoff-2015".to_string(),
                text: "Mankoff, Jeffrey. 2015. Russia's Asia Pivot: Confrontation or \
                       Cooperation? Asia Policy 19: 65–87."
                    .to_string(),
            },
        ],
    }
}

/// Edge cases for layout checks (invented data): long titles and labels,
/// many series and categories, negative stacks, a single point, large numbers.
pub fn edge_case_report() -> Report {
    let partners = [
        "China",
        "India",
        "Japan",
        "Republic of Korea",
        "Viet Nam",
        "Germany",
        "United States of America",
        "Türkiye",
        "Kazakhstan",
        "Belarus",
        "Netherlands",
        "United Kingdom of Great Britain and Northern Ireland",
    ];
    let many_lines = Chart {
        id: "edge-many-lines".to_string(),
        title: "Eight partners over seventy years with a deliberately long title that has to \
                wrap onto a second line (edge-case test data)"
            .to_string(),
        kind: ChartKind::Line,
        x_label: "Year".to_string(),
        y_label: "Trade".to_string(),
        y_unit: "million current USD".to_string(),
        series: partners[..8]
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let values: Vec<f64> = (0..70)
                    .map(|i| 1000.0 * (k as f64 + 1.0) * (1.0 + (i as f64) / 10.0))
                    .collect();
                line_series(name, 1950, &values, k < 2)
            })
            .collect(),
        annotations: vec![
            Annotation {
                x: 1991.0,
                label: "End of USSR".to_string(),
            },
            Annotation {
                x: 2019.0,
                label: "Last year".to_string(),
            },
        ],
        y_range: None,
        source: "Source: edge-case test data".to_string(),
        method: "Invented values growing linearly; eight series, the first two highlighted."
            .to_string(),
    };
    let negative_stack = Chart {
        id: "edge-negative-stack".to_string(),
        title: "Balances by partner with negative values, twelve long categories (edge-case \
                test data)"
            .to_string(),
        kind: ChartKind::StackedBar,
        x_label: "Partner".to_string(),
        y_label: "Balance".to_string(),
        y_unit: "billion USD".to_string(),
        series: vec![
            cat_series(
                "Exports",
                &partners,
                &[
                    60.0, 25.0, 12.0, 14.0, 3.0, 30.0, 8.0, 20.0, 15.0, 22.0, 40.0, 9.0,
                ],
            ),
            cat_series(
                "Imports (negative)",
                &partners,
                &[
                    -55.0, -6.0, -9.0, -12.0, -4.0, -25.0, -15.0, -7.0, -9.0, -14.0, -3.0, -6.0,
                ],
            ),
        ],
        annotations: Vec::new(),
        y_range: None,
        source: "Source: edge-case test data".to_string(),
        method: "Exports stacked above zero, imports below.".to_string(),
    };
    let single = Chart {
        id: "edge-single-point".to_string(),
        title: "A single observation (edge-case test data)".to_string(),
        kind: ChartKind::Line,
        x_label: "Year".to_string(),
        y_label: "Value".to_string(),
        y_unit: String::new(),
        series: vec![line_series("Only", 2020, &[1_234_567.0], true)],
        annotations: Vec::new(),
        y_range: None,
        source: String::new(),
        method: String::new(),
    };
    let ranking = Chart {
        id: "edge-ranking".to_string(),
        title: "Ranking of twelve partners (edge-case test data)".to_string(),
        kind: ChartKind::HorizontalBar,
        x_label: String::new(),
        y_label: "Share of trade".to_string(),
        y_unit: "%".to_string(),
        series: vec![cat_series(
            "Share of Russia's trade",
            &partners,
            &[18.3, 9.1, 4.2, 3.9, 1.2, 8.8, 3.5, 3.0, 2.9, 4.8, 6.7, 2.2],
        )],
        annotations: Vec::new(),
        y_range: None,
        source: "Source: edge-case test data".to_string(),
        method: "One series, no category-axis label.".to_string(),
    };
    Report {
        title: "Layout edge cases (test data)".to_string(),
        subtitle: None,
        generated_note: None,
        sections: vec![Section {
            id: "edge".to_string(),
            heading: "Edge cases".to_string(),
            blocks: vec![
                Block::Claims(ClaimsTable {
                    id: "claims-table".to_string(),
                    title: "One claim (test data)".to_string(),
                    rows: vec![claim(
                        "C1",
                        "Layouts hold",
                        Verdict::Supported,
                        "See the charts.",
                        &["edge-many-lines"],
                    )],
                }),
                Block::Chart(many_lines),
                Block::Chart(negative_stack),
                Block::Chart(single),
                Block::Chart(ranking),
            ],
        }],
        limits: Vec::new(),
        citations: Vec::new(),
    }
}
