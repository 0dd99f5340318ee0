//! Properties of the BACI line parser and of the BACI adapter, on generated input.

mod common;

use pivot_sources::adapters::parse_baci_line;
use pivot_sources::canonical::TradeFlow;
use proptest::prelude::*;

/// An HS code of 1 to 6 digits, as a BACI file may write it (numbers lose leading zeros).
fn hs_code() -> impl Strategy<Value = String> {
    "[0-9]{1,6}"
}

/// A non-negative value as text, the way BACI writes them (up to three decimals).
fn value() -> impl Strategy<Value = (f64, String)> {
    (0u64..10_000_000_000u64, 0u32..4).prop_map(|(n, dec)| {
        let s = if dec == 0 {
            n.to_string()
        } else {
            format!("{}.{:0>w$}", n / 1000, n % 1000, w = 3)
        };
        (s.parse().unwrap(), s)
    })
}

proptest! {
    #[test]
    fn valid_lines_round_trip(
        t in 1988i32..=2100,
        i in 0u16..=999,
        j in 0u16..=999,
        k in hs_code(),
        (v, vs) in value(),
        q in proptest::option::of(value()),
        crlf in any::<bool>(),
        quoted in any::<bool>(),
    ) {
        let ks = if quoted { format!("\"{k}\"") } else { k.clone() };
        let qs = q.as_ref().map(|x| x.1.clone()).unwrap_or_default();
        let line = format!("{t},{i},{j},{ks},{vs},{qs}{}", if crlf { "\r" } else { "" });
        let p = parse_baci_line(line.as_bytes()).unwrap();
        prop_assert_eq!(p.t, t);
        prop_assert_eq!((p.i, p.j), (i, j));
        // The code comes back as six digits whose numeric value is unchanged.
        prop_assert_eq!(std::str::from_utf8(&p.k).unwrap(), format!("{:0>6}", k));
        prop_assert_eq!(p.v, v);
        prop_assert_eq!(p.q, q.map(|x| x.0));
    }

    #[test]
    fn hs_codes_of_one_to_six_digits_are_left_padded(k in hs_code()) {
        let p = parse_baci_line(format!("2021,4,8,{k},1,").as_bytes()).unwrap();
        let s = std::str::from_utf8(&p.k).unwrap();
        prop_assert_eq!(s.len(), 6);
        prop_assert!(s.ends_with(k.as_str()));
        prop_assert!(s[..6 - k.len()].bytes().all(|b| b == b'0'));
    }

    #[test]
    fn a_bad_field_is_named(field in 0usize..6, junk in "[a-z]{1,4}") {
        // Replace one of t,i,j,k,v,q with letters: the error names that field.
        let mut f = ["2021".to_string(), "4".into(), "8".into(), "010121".into(), "1.5".into(), "2".into()];
        f[field] = junk;
        let err = parse_baci_line(f.join(",").as_bytes()).unwrap_err();
        prop_assert_eq!(err.0, ["t", "i", "j", "k", "v", "q"][field]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_adapter_divides_by_a_thousand_and_counts_lines(
        rows in proptest::collection::btree_map((0u16..8, 0u32..1_000_000), (value(), any::<bool>()), 1..20),
        bad in any::<proptest::sample::Index>(),
    ) {
        // Keys are distinct HS6 codes as numbers (so "6" and "000006", the same code, never
        // both appear: that would be a real duplicate), written padded or not at random.
        // Exporter/importer from a fixed set of BACI codes (SOURCES.md §6 list): AFG 4, ALB 8,
        // CHN 156, RUS 643, IND 699, USA 842, DEU 276, JPN 392.
        const CODES: [(u16, &str); 8] =
            [(4, "AFG"), (8, "ALB"), (156, "CHN"), (643, "RUS"), (699, "IND"), (842, "USA"), (276, "DEU"), (392, "JPN")];
        let lines: Vec<String> = rows
            .iter()
            .map(|((e, k), ((_, vs), pad))| {
                let k = if *pad { format!("{k:06}") } else { k.to_string() };
                format!("2020,{},{},{k},{vs},", CODES[*e as usize].0, CODES[(*e as usize + 1) % 8].0)
            })
            .collect();
        let dir = common::Dir::new();
        let text = format!("t,i,j,k,v,q\n{}\n", lines.join("\n"));
        let (sink, _) = common::run("baci", &[dir.file("BACI_HS17_Y2020_V202301.csv", &text)]).unwrap();
        let got: Vec<TradeFlow> = sink.decode("trade_flows");
        prop_assert_eq!(got.len(), rows.len());
        for (g, ((e, k), ((v, _), _))) in got.iter().zip(&rows) {
            prop_assert_eq!(&g.exporter, CODES[*e as usize].1);
            prop_assert_eq!(&g.product, &format!("{k:06}"));
            prop_assert!((g.value_usd_m - v / 1000.0).abs() <= 1e-12 * v.max(1.0));
        }
        // Break one data line's value: the error is at that line (header is line 1).
        let n = bad.index(lines.len());
        let mut broken = lines.clone();
        let cells: Vec<&str> = lines[n].split(',').collect();
        broken[n] = format!("{},{},{},{},x{},", cells[0], cells[1], cells[2], cells[3], cells[4]);
        let text = format!("t,i,j,k,v,q\n{}\n", broken.join("\n"));
        let err = common::run("baci", &[dir.file("BACI_bad.csv", &text)]).unwrap_err();
        common::assert_field(&err, "BACI_bad.csv", n as u64 + 2, "v");
    }
}
