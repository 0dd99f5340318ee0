//! The verdict on a claim: one type for the claims checker, the report, the server and Python.
//! On the wire and in tables it is its label ("supported", "not supported", "mixed",
//! "not testable").

/// The verdict on one claim.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
pub enum Verdict {
    /// Every check the data can evaluate passes.
    #[serde(rename = "supported")]
    Supported,
    /// Every check the data can evaluate fails.
    #[serde(rename = "not supported")]
    NotSupported,
    /// Some checks pass and others fail.
    #[serde(rename = "mixed")]
    Mixed,
    /// The data loaded can evaluate none of the checks.
    #[serde(rename = "not testable")]
    NotTestable,
}

impl Verdict {
    /// The verdict of a claim with `evaluated` checks the data could evaluate, `passed` of
    /// which pass.
    pub fn of(passed: usize, evaluated: usize) -> Verdict {
        if evaluated == 0 {
            Verdict::NotTestable
        } else if passed == evaluated {
            Verdict::Supported
        } else if passed == 0 {
            Verdict::NotSupported
        } else {
            Verdict::Mixed
        }
    }

    /// Human label: "supported", "not supported", "mixed", "not testable".
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::NotSupported => "not supported",
            Verdict::Mixed => "mixed",
            Verdict::NotTestable => "not testable",
        }
    }

    /// Machine slug used in CSS classes and `data-verdict` attributes.
    pub fn slug(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::NotSupported => "not-supported",
            Verdict::Mixed => "mixed",
            Verdict::NotTestable => "not-testable",
        }
    }

    /// A symbol that survives black-and-white printing.
    pub fn symbol(self) -> &'static str {
        match self {
            Verdict::Supported => "✔",
            Verdict::NotSupported => "✘",
            Verdict::Mixed => "◐",
            Verdict::NotTestable => "?",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-checked: the four cases of passed/evaluated, and the label is the wire form.
    #[test]
    fn verdicts_from_counts_and_their_wire_form() {
        assert_eq!(Verdict::of(0, 0), Verdict::NotTestable);
        assert_eq!(Verdict::of(2, 2), Verdict::Supported);
        assert_eq!(Verdict::of(0, 3), Verdict::NotSupported);
        assert_eq!(Verdict::of(1, 3), Verdict::Mixed);
        for v in [
            Verdict::Supported,
            Verdict::NotSupported,
            Verdict::Mixed,
            Verdict::NotTestable,
        ] {
            let wire = serde_json::to_string(&v).unwrap();
            assert_eq!(wire, format!("\"{}\"", v.label()));
            assert_eq!(serde_json::from_str::<Verdict>(&wire).unwrap(), v);
        }
        assert!(serde_json::from_str::<Verdict>("\"maybe\"").is_err());
    }
}
