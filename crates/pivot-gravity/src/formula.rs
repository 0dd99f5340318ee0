//! Formula parsing in fixest syntax: `y ~ x1 + x2 | fe1^fe2 + fe3`.
//!
//! * Left of `~`: the outcome column.
//! * Between `~` and `|`: regressors separated by `+`. `0` or `-1` removes the
//!   intercept; `1` keeps it. `i(var)` expands a categorical column into
//!   dummies for every level except the first in sorted order (R's treatment
//!   contrast). An intercept is included only when there are no fixed effects
//!   (the fixed effects absorb it), as in fixest.
//! * After `|`: fixed effects separated by `+`; `a^b` is the interaction of
//!   `a` and `b` (one level per observed combination).

use std::fmt;

use crate::error::{GravityError, Result};

/// One regressor term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A numeric column used as is.
    Var(String),
    /// `i(var)`: dummies for all levels of a column except the reference level.
    Factor(String),
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Var(v) => write!(f, "{v}"),
            Term::Factor(v) => write!(f, "i({v})"),
        }
    }
}

/// One fixed-effect term: a column or an interaction `a^b^...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeTerm {
    /// The interacted columns (one element for a plain fixed effect).
    pub vars: Vec<String>,
}

impl FeTerm {
    /// The term's name as written (`exp^year`).
    pub fn name(&self) -> String {
        self.vars.join("^")
    }
}

/// A parsed model formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    /// Outcome column.
    pub response: String,
    /// Regressor terms in order.
    pub terms: Vec<Term>,
    /// Whether the model has an intercept (never true when fixed effects exist).
    pub intercept: bool,
    /// Fixed-effect terms.
    pub fixed_effects: Vec<FeTerm>,
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        && !s.chars().next().is_some_and(|c| c.is_ascii_digit())
}

impl Formula {
    /// Parses a fixest-style formula.
    pub fn parse(text: &str) -> Result<Formula> {
        let err = |reason: String| GravityError::Formula {
            formula: text.to_string(),
            reason,
        };
        let (lhs, rest) = text
            .split_once('~')
            .ok_or_else(|| err("missing '~' between outcome and regressors".into()))?;
        let response = lhs.trim().to_string();
        if !is_ident(&response) {
            return Err(err(format!("outcome '{response}' is not a column name")));
        }
        let mut parts = rest.split('|');
        let rhs = parts.next().unwrap_or("");
        let fe_part = parts.next();
        if parts.next().is_some() {
            return Err(err(
                "more than one '|': give the cluster variable to vcov(), not the formula".into(),
            ));
        }
        let mut terms = Vec::new();
        let mut intercept = true;
        // Handle "- 1" by normalising to "+ -1".
        let rhs_norm = rhs.replace('-', "+-");
        for raw in rhs_norm.split('+') {
            let t: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
            if t.is_empty() {
                continue;
            }
            match t.as_str() {
                "0" | "-1" => intercept = false,
                "1" => intercept = true,
                _ if t.starts_with("i(") && t.ends_with(')') => {
                    let v = &t[2..t.len() - 1];
                    if !is_ident(v) {
                        return Err(err(format!("bad factor term '{t}'")));
                    }
                    terms.push(Term::Factor(v.to_string()));
                }
                _ if is_ident(&t) => terms.push(Term::Var(t)),
                _ => return Err(err(format!("unsupported regressor term '{t}'"))),
            }
        }
        let mut fixed_effects = Vec::new();
        if let Some(fe) = fe_part {
            for raw in fe.split('+') {
                let t: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                if t.is_empty() || t == "0" {
                    continue;
                }
                let vars: Vec<String> = t.split('^').map(str::to_string).collect();
                if let Some(bad) = vars.iter().find(|v| !is_ident(v)) {
                    return Err(err(format!("bad fixed-effect term '{t}' ('{bad}')")));
                }
                fixed_effects.push(FeTerm { vars });
            }
        }
        if !fixed_effects.is_empty() {
            intercept = false;
        }
        if terms
            .iter()
            .any(|t| matches!(t, Term::Var(v) if v == &response))
        {
            return Err(err(format!(
                "outcome '{response}' also appears as a regressor"
            )));
        }
        Ok(Formula {
            response,
            terms,
            intercept,
            fixed_effects,
        })
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ~ ", self.response)?;
        let mut rhs: Vec<String> = self.terms.iter().map(|t| t.to_string()).collect();
        if rhs.is_empty() {
            rhs.push(if self.intercept { "1" } else { "0" }.into());
        } else if !self.intercept && self.fixed_effects.is_empty() {
            rhs.insert(0, "0".into());
        }
        write!(f, "{}", rhs.join(" + "))?;
        if !self.fixed_effects.is_empty() {
            let fe: Vec<String> = self.fixed_effects.iter().map(FeTerm::name).collect();
            write!(f, " | {}", fe.join(" + "))?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Formula {
    type Err = GravityError;
    fn from_str(s: &str) -> Result<Self> {
        Formula::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fixest_syntax() {
        let f =
            Formula::parse("trade ~ ln_dist + cntg + rta | exp^year + imp^year + pair").unwrap();
        assert_eq!(f.response, "trade");
        assert_eq!(f.terms.len(), 3);
        assert!(!f.intercept);
        assert_eq!(f.fixed_effects.len(), 3);
        assert_eq!(f.fixed_effects[0].vars, vec!["exp", "year"]);
        assert_eq!(
            f.to_string(),
            "trade ~ ln_dist + cntg + rta | exp^year + imp^year + pair"
        );
    }

    #[test]
    fn intercept_rules() {
        assert!(Formula::parse("y ~ x").unwrap().intercept);
        assert!(!Formula::parse("y ~ 0 + x").unwrap().intercept);
        assert!(!Formula::parse("y ~ x - 1").unwrap().intercept);
        let f = Formula::parse("y ~ x + i(g)").unwrap();
        assert_eq!(f.terms[1], Term::Factor("g".into()));
    }

    #[test]
    fn errors_name_the_term() {
        let e = Formula::parse("y x").unwrap_err().to_string();
        assert!(e.contains("'~'"), "{e}");
        let e = Formula::parse("y ~ log(x)").unwrap_err().to_string();
        assert!(e.contains("log(x)"), "{e}");
        let e = Formula::parse("y ~ x | a^").unwrap_err().to_string();
        assert!(e.contains("a^"), "{e}");
    }
}
