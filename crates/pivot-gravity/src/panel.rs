//! A small columnar table: named `f64` columns and named categorical columns.
//!
//! The engine fills a [`Panel`] from Arrow record batches; tests fill it from
//! CSV. Categorical columns hold dense `u32` codes into a level list, which is
//! what the fixed-effect machinery needs. A numeric column can also be used as a
//! fixed effect or cluster variable (its distinct values become levels).

use std::collections::HashMap;

use crate::error::{GravityError, Result};

/// A categorical column: one `u32` code per row, indexing into `levels`.
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical {
    codes: Vec<u32>,
    levels: Vec<String>,
}

impl Categorical {
    /// Builds a categorical column from string values; levels are kept in
    /// order of first appearance.
    pub fn from_strings<S: AsRef<str>>(values: &[S]) -> Self {
        let mut map: HashMap<&str, u32> = HashMap::new();
        let mut levels = Vec::new();
        let mut codes = Vec::with_capacity(values.len());
        for v in values {
            let v = v.as_ref();
            let code = *map.entry(v).or_insert_with(|| {
                levels.push(v.to_string());
                (levels.len() - 1) as u32
            });
            codes.push(code);
        }
        Categorical { codes, levels }
    }

    /// Builds a categorical column from codes and levels; fails if a code is
    /// out of range.
    pub fn from_codes(codes: Vec<u32>, levels: Vec<String>) -> Result<Self> {
        if let Some((row, c)) = codes
            .iter()
            .enumerate()
            .find(|(_, c)| **c as usize >= levels.len())
        {
            return Err(GravityError::BadValue {
                column: "<codes>".into(),
                row,
                reason: format!("code {c} but only {} levels", levels.len()),
            });
        }
        Ok(Categorical { codes, levels })
    }

    /// Builds a categorical column from the distinct values of a numeric column
    /// (levels are the values formatted with `{}`), ordered by first appearance.
    pub fn from_numeric(values: &[f64]) -> Self {
        let mut map: HashMap<u64, u32> = HashMap::new();
        let mut levels = Vec::new();
        let codes = values
            .iter()
            .map(|v| {
                *map.entry(v.to_bits()).or_insert_with(|| {
                    levels.push(format!("{v}"));
                    (levels.len() - 1) as u32
                })
            })
            .collect();
        Categorical { codes, levels }
    }

    /// Per-row codes.
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// Level names.
    pub fn levels(&self) -> &[String] {
        &self.levels
    }

    /// Level name of row `i`.
    pub fn value(&self, i: usize) -> &str {
        &self.levels[self.codes[i] as usize]
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The interaction of two categorical columns (`a^b`): one level per
    /// observed combination, named `"a_level^b_level"`.
    pub fn interact(&self, other: &Categorical) -> Categorical {
        let mut map: HashMap<(u32, u32), u32> = HashMap::new();
        let mut levels = Vec::new();
        let codes = self
            .codes
            .iter()
            .zip(&other.codes)
            .map(|(&a, &b)| {
                *map.entry((a, b)).or_insert_with(|| {
                    levels.push(format!(
                        "{}^{}",
                        self.levels[a as usize], other.levels[b as usize]
                    ));
                    (levels.len() - 1) as u32
                })
            })
            .collect();
        Categorical { codes, levels }
    }

    /// Keeps the rows where `keep` is true and drops levels no longer used,
    /// renumbering the codes densely (first-appearance order is preserved).
    pub fn filter(&self, keep: &[bool]) -> Categorical {
        let mut remap = vec![u32::MAX; self.levels.len()];
        let mut levels = Vec::new();
        let mut codes = Vec::new();
        for (c, k) in self.codes.iter().zip(keep) {
            if *k {
                let r = &mut remap[*c as usize];
                if *r == u32::MAX {
                    *r = levels.len() as u32;
                    levels.push(self.levels[*c as usize].clone());
                }
                codes.push(*r);
            }
        }
        Categorical { codes, levels }
    }
}

/// One column of a [`Panel`].
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Floating-point values.
    Numeric(Vec<f64>),
    /// Categorical codes and levels.
    Categorical(Categorical),
}

impl Column {
    fn kind(&self) -> &'static str {
        match self {
            Column::Numeric(_) => "numeric",
            Column::Categorical(_) => "categorical",
        }
    }
    fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Categorical(c) => c.len(),
        }
    }
}

/// A columnar table of named numeric and categorical columns, all the same length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Panel {
    nrows: Option<usize>,
    names: Vec<String>,
    columns: Vec<Column>,
}

impl Panel {
    /// An empty panel; its row count is set by the first column added.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of rows (0 for a panel without columns).
    pub fn nrows(&self) -> usize {
        self.nrows.unwrap_or(0)
    }

    /// Column names in insertion order.
    pub fn column_names(&self) -> &[String] {
        &self.names
    }

    /// True if a column of that name exists.
    pub fn has_column(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    fn push(&mut self, name: &str, col: Column) -> Result<()> {
        if self.has_column(name) {
            return Err(GravityError::DuplicateColumn(name.to_string()));
        }
        let len = col.len();
        match self.nrows {
            Some(n) if n != len => {
                return Err(GravityError::LengthMismatch {
                    name: name.to_string(),
                    len,
                    nrows: n,
                });
            }
            _ => self.nrows = Some(len),
        }
        self.names.push(name.to_string());
        self.columns.push(col);
        Ok(())
    }

    /// Adds a numeric column.
    pub fn add_numeric(&mut self, name: &str, values: Vec<f64>) -> Result<()> {
        self.push(name, Column::Numeric(values))
    }

    /// Adds a categorical column from string values.
    pub fn add_categorical<S: AsRef<str>>(&mut self, name: &str, values: &[S]) -> Result<()> {
        self.push(name, Column::Categorical(Categorical::from_strings(values)))
    }

    /// Adds an already-coded categorical column.
    pub fn add_categorical_column(&mut self, name: &str, column: Categorical) -> Result<()> {
        self.push(name, Column::Categorical(column))
    }

    /// Replaces (or adds) a numeric column.
    pub fn set_numeric(&mut self, name: &str, values: Vec<f64>) -> Result<()> {
        if let Some(i) = self.index(name) {
            if values.len() != self.nrows() {
                return Err(GravityError::LengthMismatch {
                    name: name.to_string(),
                    len: values.len(),
                    nrows: self.nrows(),
                });
            }
            self.columns[i] = Column::Numeric(values);
            Ok(())
        } else {
            self.add_numeric(name, values)
        }
    }

    /// Builder-style [`Panel::add_numeric`].
    pub fn with_numeric(mut self, name: &str, values: Vec<f64>) -> Result<Self> {
        self.add_numeric(name, values)?;
        Ok(self)
    }

    /// Builder-style [`Panel::add_categorical`].
    pub fn with_categorical<S: AsRef<str>>(mut self, name: &str, values: &[S]) -> Result<Self> {
        self.add_categorical(name, values)?;
        Ok(self)
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    fn unknown(&self, name: &str) -> GravityError {
        GravityError::UnknownColumn {
            name: name.to_string(),
            available: self.names.join(", "),
        }
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Result<&Column> {
        self.index(name)
            .map(|i| &self.columns[i])
            .ok_or_else(|| self.unknown(name))
    }

    /// A numeric column's values.
    pub fn numeric(&self, name: &str) -> Result<&[f64]> {
        match self.column(name)? {
            Column::Numeric(v) => Ok(v),
            other => Err(GravityError::WrongColumnKind {
                name: name.to_string(),
                expected: "numeric",
                found: other.kind(),
            }),
        }
    }

    /// A categorical column.
    pub fn categorical(&self, name: &str) -> Result<&Categorical> {
        match self.column(name)? {
            Column::Categorical(c) => Ok(c),
            other => Err(GravityError::WrongColumnKind {
                name: name.to_string(),
                expected: "categorical",
                found: other.kind(),
            }),
        }
    }

    /// Any column as categorical codes: categorical columns as they are,
    /// numeric columns by their distinct values.
    pub fn as_categorical(&self, name: &str) -> Result<Categorical> {
        match self.column(name)? {
            Column::Categorical(c) => Ok(c.clone()),
            Column::Numeric(v) => Ok(Categorical::from_numeric(v)),
        }
    }

    /// A new panel with the rows where `keep` is true.
    pub fn filter(&self, keep: &[bool]) -> Result<Panel> {
        if keep.len() != self.nrows() {
            return Err(GravityError::LengthMismatch {
                name: "<filter mask>".into(),
                len: keep.len(),
                nrows: self.nrows(),
            });
        }
        let mut out = Panel::new();
        out.nrows = Some(keep.iter().filter(|k| **k).count());
        for (n, c) in self.names.iter().zip(&self.columns) {
            let col = match c {
                Column::Numeric(v) => Column::Numeric(
                    v.iter()
                        .zip(keep)
                        .filter(|(_, k)| **k)
                        .map(|(x, _)| *x)
                        .collect(),
                ),
                Column::Categorical(cat) => Column::Categorical(cat.filter(keep)),
            };
            out.names.push(n.clone());
            out.columns.push(col);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interact_and_filter_renumber_levels() {
        let a = Categorical::from_strings(&["x", "y", "x", "y"]);
        let b = Categorical::from_strings(&["1", "1", "2", "1"]);
        let ab = a.interact(&b);
        assert_eq!(ab.levels().len(), 3);
        assert_eq!(ab.codes(), &[0, 1, 2, 1]);
        let f = ab.filter(&[false, true, true, true]);
        assert_eq!(f.codes(), &[0, 1, 0]);
        assert_eq!(f.levels(), &["y^1".to_string(), "x^2".to_string()]);
    }

    #[test]
    fn length_mismatch_names_the_column() {
        let mut p = Panel::new();
        p.add_numeric("a", vec![1.0, 2.0]).unwrap();
        let e = p.add_numeric("b", vec![1.0]).unwrap_err();
        assert!(e.to_string().contains("'b'"));
        assert!(p.numeric("zzz").unwrap_err().to_string().contains("zzz"));
    }
}
