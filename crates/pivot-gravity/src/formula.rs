//! Formula parsing in fixest syntax: `y ~ x1 + log(x2) + i(g, ref = "b") | fe1^fe2 + fe3`.
//!
//! * Left of `~`: the outcome, a column or an expression (`log(y)` for OLS).
//! * Between `~` and `|`: terms separated by `+`. `0` or `-1` removes the
//!   intercept; `1` keeps it. An intercept is included only when there are no
//!   fixed effects (they absorb it), as in fixest.
//!   - a column (`dist`) or a numeric expression: `log(x)`, `exp(x)`,
//!     `sqrt(x)`, `abs(x)` and, inside `I(...)`, arithmetic with `+ - * / ^`
//!     and numbers (`I(a*b)`, `I(log(d)^2)`);
//!   - `a:b`: the product of two numeric terms; `a*b` is `a + b + a:b` (R);
//!   - `i(var)` / `factor(var)`: dummies for the levels of a column except a
//!     reference level (the first in sorted order, numerically when every
//!     level is a number); `i(var, ref = lvl)` or `i(var, ref = c(l1, l2))`
//!     chooses it; `i(var, x)` multiplies each level's dummy by the numeric
//!     term `x` and keeps every level unless `ref` is given (fixest's rule);
//!   - `offset(expr)`: an offset with coefficient 1 (fixest's `offset =`);
//! * After `|`: fixed effects separated by `+`; `a^b` is the interaction of
//!   `a` and `b` (one level per observed combination).
//! * Stepwise models: one `sw(a, b, ...)` (each argument in turn),
//!   `csw(a, b, ...)` (cumulatively), `sw0`/`csw0` (starting with none) in
//!   the regressors or the fixed effects; [`Formula::expand`] gives the list
//!   of models, [`Formula::parse`] refuses them.
//!
//! Errors name the offending term once, with its 1-based character position.

use std::fmt;

use crate::error::{GravityError, Result};

/// The most factors `a*b*…` expands (into 2^k - 1 terms).
pub const MAX_CROSSED: usize = 10;

/// A numeric function allowed in formulas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// Natural logarithm.
    Log,
    /// Exponential.
    Exp,
    /// Square root.
    Sqrt,
    /// Absolute value.
    Abs,
}

impl Func {
    fn from_name(s: &str) -> Option<Func> {
        Some(match s {
            "log" => Func::Log,
            "exp" => Func::Exp,
            "sqrt" => Func::Sqrt,
            "abs" => Func::Abs,
            _ => return None,
        })
    }
    fn name(self) -> &'static str {
        match self {
            Func::Log => "log",
            Func::Exp => "exp",
            Func::Sqrt => "sqrt",
            Func::Abs => "abs",
        }
    }
    fn apply(self, v: f64) -> f64 {
        match self {
            Func::Log => v.ln(),
            Func::Exp => v.exp(),
            Func::Sqrt => v.sqrt(),
            Func::Abs => v.abs(),
        }
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*` (and `:` between numeric terms)
    Mul,
    /// `/`
    Div,
    /// `^`
    Pow,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Pow => "^",
        }
    }
    fn prec(self) -> u8 {
        match self {
            Op::Add | Op::Sub => 1,
            Op::Mul | Op::Div => 2,
            Op::Pow => 3,
        }
    }
}

/// A numeric expression of columns.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A numeric column.
    Col(String),
    /// A number.
    Num(f64),
    /// `-e`
    Neg(Box<Expr>),
    /// A binary operation.
    Bin(Op, Box<Expr>, Box<Expr>),
    /// A function call.
    Call(Func, Box<Expr>),
}

impl Expr {
    /// The columns the expression reads, in order of appearance.
    pub fn columns(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }
    fn collect(&self, out: &mut Vec<String>) {
        match self {
            Expr::Col(c) => {
                if !out.contains(c) {
                    out.push(c.clone());
                }
            }
            Expr::Num(_) => {}
            Expr::Neg(e) | Expr::Call(_, e) => e.collect(out),
            Expr::Bin(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }

    /// Evaluates the expression on every row, reading numeric columns
    /// through `col` (non-finite results are left as they are: the design
    /// drops them as missing).
    pub fn eval<'a>(&self, n: usize, col: &dyn Fn(&str) -> Result<&'a [f64]>) -> Result<Vec<f64>> {
        Ok(match self {
            Expr::Col(c) => col(c)?.to_vec(),
            Expr::Num(v) => vec![*v; n],
            Expr::Neg(e) => e.eval(n, col)?.into_iter().map(|v| -v).collect(),
            Expr::Call(f, e) => e.eval(n, col)?.into_iter().map(|v| f.apply(v)).collect(),
            Expr::Bin(op, a, b) => {
                let a = a.eval(n, col)?;
                let b = b.eval(n, col)?;
                a.iter()
                    .zip(&b)
                    .map(|(x, y)| match op {
                        Op::Add => x + y,
                        Op::Sub => x - y,
                        Op::Mul => x * y,
                        Op::Div => x / y,
                        Op::Pow => x.powf(*y),
                    })
                    .collect()
            }
        })
    }

    fn fmt_prec(&self, f: &mut fmt::Formatter<'_>, parent: u8) -> fmt::Result {
        match self {
            Expr::Col(c) => write!(f, "{c}"),
            Expr::Num(v) => write!(f, "{v}"),
            Expr::Neg(e) => {
                write!(f, "-")?;
                e.fmt_prec(f, 4)
            }
            Expr::Call(func, e) => {
                write!(f, "{}(", func.name())?;
                e.fmt_prec(f, 0)?;
                write!(f, ")")
            }
            Expr::Bin(op, a, b) => {
                let p = op.prec();
                if p < parent {
                    write!(f, "(")?;
                }
                a.fmt_prec(f, if *op == Op::Pow { p + 1 } else { p })?;
                write!(f, "{}", op.symbol())?;
                b.fmt_prec(f, if *op == Op::Pow { p } else { p + 1 })?;
                if p < parent {
                    write!(f, ")")?;
                }
                Ok(())
            }
        }
    }

    /// Whether the expression is a bare column.
    fn is_col(&self) -> bool {
        matches!(self, Expr::Col(_))
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_prec(f, 0)
    }
}

/// One regressor term.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// A numeric regressor: a column or an expression (`log(dist)`,
    /// `I(a*b)`, `a:b`); `name` is the coefficient's name as written.
    Numeric {
        /// Coefficient name (the term as written, normalised).
        name: String,
        /// The expression.
        expr: Expr,
    },
    /// Dummies for the levels of a categorical column except the reference
    /// levels (`i(var)`, `factor(var)`, `i(var, ref = lvl)`), each
    /// optionally multiplied by a numeric term (`i(var, x)`).
    Factor {
        /// The categorical column.
        var: String,
        /// Reference levels left out (`None`: the first level, or none when
        /// there is a slope).
        reference: Option<Vec<String>>,
        /// The numeric term multiplying each dummy, with its name.
        slope: Option<(String, Expr)>,
    },
}

impl Term {
    /// A plain column regressor.
    pub fn var(name: &str) -> Term {
        Term::Numeric {
            name: name.to_string(),
            expr: Expr::Col(name.to_string()),
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Numeric { name, .. } => write!(f, "{name}"),
            Term::Factor {
                var,
                reference,
                slope,
            } => {
                write!(f, "i({var}")?;
                if let Some((n, _)) = slope {
                    write!(f, ", {n}")?;
                }
                if let Some(r) = reference {
                    if r.len() == 1 {
                        write!(f, ", ref = {}", r[0])?;
                    } else {
                        write!(f, ", ref = c({})", r.join(", "))?;
                    }
                }
                write!(f, ")")
            }
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
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    /// Outcome as written (a column name or an expression).
    pub response: String,
    /// The outcome's expression.
    pub response_expr: Expr,
    /// Regressor terms in order.
    pub terms: Vec<Term>,
    /// Whether the model has an intercept (never true when fixed effects exist).
    pub intercept: bool,
    /// Fixed-effect terms.
    pub fixed_effects: Vec<FeTerm>,
    /// `offset(expr)` terms, summed.
    pub offset: Option<Expr>,
}

// ---------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    Str(String),
    Sym(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// 0-based character offset in the formula text.
    pos: usize,
}

fn tokenize(text: &str, base: usize) -> std::result::Result<Vec<Token>, (usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_alphabetic()
            || c == '_'
            || (c == '.' && !chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(chars[start..i].iter().collect()),
                pos: base + start,
            });
        } else if c == '`' {
            i += 1;
            while i < chars.len() && chars[i] != '`' {
                i += 1;
            }
            if i == chars.len() {
                return Err((base + start, "unterminated `backquoted` name".into()));
            }
            out.push(Token {
                tok: Tok::Ident(chars[start + 1..i].iter().collect()),
                pos: base + start,
            });
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let s: String = chars[start..i].iter().collect();
            let v: f64 = s
                .parse()
                .map_err(|_| (base + start, format!("'{s}' is not a number")))?;
            out.push(Token {
                tok: Tok::Num(v),
                pos: base + start,
            });
        } else if c == '"' || c == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += 1;
            }
            if i == chars.len() {
                return Err((base + start, "unterminated string".into()));
            }
            out.push(Token {
                tok: Tok::Str(chars[start + 1..i].iter().collect()),
                pos: base + start,
            });
            i += 1;
        } else if "+-*/^:(),=|~".contains(c) {
            out.push(Token {
                tok: Tok::Sym(c),
                pos: base + start,
            });
            i += 1;
        } else {
            return Err((base + start, format!("unexpected character '{c}'")));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Parser

struct Parser<'t> {
    toks: &'t [Token],
    i: usize,
    /// Position just past the end (for "unexpected end" errors).
    end: usize,
}

type PResult<T> = std::result::Result<T, (usize, String)>;

/// A formula-level term before expansion.
enum Raw {
    Intercept(bool),
    Terms(Vec<Term>),
    Offset(Expr),
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|t| &t.tok)
    }
    fn pos(&self) -> usize {
        self.toks.get(self.i).map_or(self.end, |t| t.pos)
    }
    fn bump(&mut self) -> Option<&'t Token> {
        let t = self.toks.get(self.i);
        self.i += 1;
        t
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Sym(c)) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: char, what: &str) -> PResult<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err((self.pos(), format!("expected '{c}' {what}")))
        }
    }
    fn done(&self) -> bool {
        self.i >= self.toks.len()
    }

    // Arithmetic (inside functions and I()).
    fn aexpr(&mut self) -> PResult<Expr> {
        let mut lhs = self.aterm()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Sym('+')) => Op::Add,
                Some(Tok::Sym('-')) => Op::Sub,
                _ => return Ok(lhs),
            };
            self.i += 1;
            let rhs = self.aterm()?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }
    fn aterm(&mut self) -> PResult<Expr> {
        let mut lhs = self.afactor()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Sym('*')) | Some(Tok::Sym(':')) => Op::Mul,
                Some(Tok::Sym('/')) => Op::Div,
                _ => return Ok(lhs),
            };
            self.i += 1;
            let rhs = self.afactor()?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }
    fn afactor(&mut self) -> PResult<Expr> {
        if self.eat('-') {
            return Ok(Expr::Neg(Box::new(self.afactor()?)));
        }
        if self.eat('+') {
            return self.afactor();
        }
        let base = self.aprimary()?;
        if self.eat('^') {
            let e = self.afactor()?;
            return Ok(Expr::Bin(Op::Pow, Box::new(base), Box::new(e)));
        }
        Ok(base)
    }
    fn aprimary(&mut self) -> PResult<Expr> {
        let pos = self.pos();
        match self.bump().map(|t| t.tok.clone()) {
            Some(Tok::Num(v)) => Ok(Expr::Num(v)),
            Some(Tok::Ident(name)) => {
                if self.eat('(') {
                    let e = self.call(&name, pos, true)?;
                    Ok(e)
                } else {
                    Ok(Expr::Col(name))
                }
            }
            Some(Tok::Sym('(')) => {
                let e = self.aexpr()?;
                self.expect(')', "to close '('")?;
                Ok(e)
            }
            Some(t) => Err((pos, format!("unexpected {}", describe(&t)))),
            None => Err((pos, "unexpected end of formula".into())),
        }
    }
    /// A numeric function call after its '(' (`I` is only a grouping).
    fn call(&mut self, name: &str, pos: usize, inside: bool) -> PResult<Expr> {
        if name == "I" {
            let e = self.aexpr()?;
            self.expect(')', "to close 'I('")?;
            return Ok(e);
        }
        match Func::from_name(name) {
            Some(f) => {
                let e = self.aexpr()?;
                if self.peek() == Some(&Tok::Sym(',')) {
                    return Err((
                        self.pos(),
                        format!("{name}() takes one argument (log with a base is not supported)"),
                    ));
                }
                self.expect(')', &format!("to close '{name}('"))?;
                Ok(Expr::Call(f, Box::new(e)))
            }
            None => {
                let hint = if inside {
                    "supported inside expressions: log, exp, sqrt, abs, I"
                } else {
                    "supported: log, exp, sqrt, abs, I, i, factor, offset, sw, csw, sw0, csw0"
                };
                Err((pos, format!("unknown function '{name}' ({hint})")))
            }
        }
    }

    /// A formula-level atom: a numeric term, a factor term, an offset, or an intercept marker.
    fn fatom(&mut self) -> PResult<(Raw, usize)> {
        let pos = self.pos();
        match self.bump().map(|t| t.tok.clone()) {
            Some(Tok::Num(v)) if v == 0.0 || v == 1.0 => Ok((Raw::Intercept(v == 1.0), pos)),
            Some(Tok::Num(v)) => Err((
                pos,
                format!("a number ({v}) is not a term; use I() for arithmetic"),
            )),
            Some(Tok::Ident(name)) if self.peek() == Some(&Tok::Sym('(')) => {
                self.i += 1;
                match name.as_str() {
                    "i" | "factor" | "as.factor" => {
                        Ok((Raw::Terms(vec![self.factor_call(&name, pos)?]), pos))
                    }
                    "offset" => {
                        let e = self.aexpr()?;
                        self.expect(')', "to close 'offset('")?;
                        Ok((Raw::Offset(e), pos))
                    }
                    "sw" | "csw" | "sw0" | "csw0" => Err((
                        pos,
                        format!(
                            "stepwise '{name}()' gives several models: use Formula::expand (or a multi-model command)"
                        ),
                    )),
                    _ => {
                        let expr = self.call(&name, pos, false)?;
                        let term = if name == "I" {
                            Term::Numeric {
                                name: format!("I({expr})"),
                                expr,
                            }
                        } else {
                            numeric(expr)
                        };
                        Ok((Raw::Terms(vec![term]), pos))
                    }
                }
            }
            Some(Tok::Ident(name)) => Ok((Raw::Terms(vec![numeric(Expr::Col(name))]), pos)),
            Some(Tok::Sym('(')) => Err((
                pos,
                "parentheses at formula level are not supported; use I() for arithmetic".into(),
            )),
            Some(t) => Err((pos, format!("unexpected {}", describe(&t)))),
            None => Err((pos, "expected a term".into())),
        }
    }

    /// `i(var [, slope] [, ref = lvl | ref = c(l1, l2)])` or `factor(var)`, after '('.
    fn factor_call(&mut self, name: &str, pos: usize) -> PResult<Term> {
        let var = match self.bump().map(|t| t.tok.clone()) {
            Some(Tok::Ident(v)) => v,
            _ => {
                return Err((
                    pos,
                    format!("{name}() needs a column name as its first argument"),
                ));
            }
        };
        let mut reference = None;
        let mut slope = None;
        while self.eat(',') {
            let is_ref = matches!(self.peek(), Some(Tok::Ident(k)) if k == "ref")
                && self.toks.get(self.i + 1).map(|t| &t.tok) == Some(&Tok::Sym('='));
            if is_ref {
                self.i += 2;
                reference = Some(self.levels()?);
            } else if name == "i" && slope.is_none() {
                let start = self.pos();
                let e = self.aexpr()?;
                let _ = start;
                slope = Some((e.to_string(), e));
            } else {
                return Err((self.pos(), format!("unexpected argument to {name}()")));
            }
        }
        self.expect(')', &format!("to close '{name}('"))?;
        Ok(Term::Factor {
            var,
            reference,
            slope,
        })
    }

    /// A level or `c(l1, l2, ...)`.
    fn levels(&mut self) -> PResult<Vec<String>> {
        let one = |p: &mut Parser<'_>| -> PResult<String> {
            let pos = p.pos();
            match p.bump().map(|t| t.tok.clone()) {
                Some(Tok::Num(v)) => Ok(v.to_string()),
                Some(Tok::Str(s)) | Some(Tok::Ident(s)) => Ok(s),
                Some(Tok::Sym('-')) => match p.bump().map(|t| t.tok.clone()) {
                    Some(Tok::Num(v)) => Ok((-v).to_string()),
                    _ => Err((pos, "expected a level".into())),
                },
                _ => Err((pos, "expected a level".into())),
            }
        };
        if matches!(self.peek(), Some(Tok::Ident(c)) if c == "c")
            && self.toks.get(self.i + 1).map(|t| &t.tok) == Some(&Tok::Sym('('))
        {
            self.i += 2;
            let mut v = vec![one(self)?];
            while self.eat(',') {
                v.push(one(self)?);
            }
            self.expect(')', "to close 'c('")?;
            Ok(v)
        } else {
            Ok(vec![one(self)?])
        }
    }

    /// A formula-level term: atoms joined by ':' (product) or '*' (R's crossing).
    fn fterm(&mut self) -> PResult<(Vec<Raw>, usize)> {
        let (first, pos) = self.fatom()?;
        let mut factors = vec![(first, pos)];
        let mut cross = false;
        loop {
            match self.peek() {
                Some(Tok::Sym(':')) => {
                    self.i += 1;
                }
                Some(Tok::Sym('*')) => {
                    self.i += 1;
                    cross = true;
                }
                Some(Tok::Sym('^')) => {
                    return Err((self.pos(), "'^' between regressors is only for fixed effects (after '|'); use I(x^2) for a power".into()));
                }
                _ => break,
            }
            factors.push(self.fatom()?);
        }
        if factors.len() == 1 {
            return Ok((
                vec![factors.pop().map(|f| f.0).unwrap_or(Raw::Intercept(true))],
                pos,
            ));
        }
        // Products of numeric terms (one factor term may carry them as its slope).
        let mut parts: Vec<Term> = Vec::new();
        for (raw, p) in factors {
            match raw {
                Raw::Terms(mut t) if t.len() == 1 => parts.push(t.remove(0)),
                _ => {
                    return Err((
                        p,
                        "only regressors can be interacted with ':' or '*'".into(),
                    ));
                }
            }
        }
        let product = |ts: &[Term]| -> PResult<Term> {
            let mut fac: Option<Term> = None;
            let mut num: Option<(String, Expr)> = None;
            for t in ts {
                match t {
                    Term::Numeric { name, expr } => {
                        num = Some(match num.take() {
                            None => (name.clone(), expr.clone()),
                            Some((n, e)) => (
                                format!("{n}:{name}"),
                                Expr::Bin(Op::Mul, Box::new(e), Box::new(expr.clone())),
                            ),
                        });
                    }
                    Term::Factor { .. } if fac.is_none() => fac = Some(t.clone()),
                    Term::Factor { .. } => {
                        return Err((pos, "interactions of two factors are not supported; use a fixed effect a^b or a combined column".into()));
                    }
                }
            }
            Ok(match (fac, num) {
                (None, Some((name, expr))) => Term::Numeric { name, expr },
                (
                    Some(Term::Factor {
                        var,
                        reference,
                        slope: None,
                    }),
                    Some(s),
                ) => Term::Factor {
                    var,
                    reference,
                    slope: Some(s),
                },
                (Some(f), None) => f,
                _ => {
                    return Err((
                        pos,
                        "cannot interact a factor that already has a slope".into(),
                    ));
                }
            })
        };
        let mut out = Vec::new();
        if cross {
            // a*b*c: every non-empty subset, in R's order (main effects first). k factors make
            // 2^k - 1 terms, so k is capped (a 40-factor product overflowed the subset mask).
            let k = parts.len();
            if k > MAX_CROSSED {
                return Err((
                    pos,
                    format!(
                        "a*b*… crosses {k} factors; at most {MAX_CROSSED} ({} terms) are expanded",
                        (1u32 << MAX_CROSSED) - 1
                    ),
                ));
            }
            let mut subsets: Vec<Vec<usize>> = (1u32..(1 << k))
                .map(|m| (0..k).filter(|j| m & (1 << j) != 0).collect())
                .collect();
            subsets.sort_by_key(|s| s.len());
            for s in subsets {
                let ts: Vec<Term> = s.iter().map(|&j| parts[j].clone()).collect();
                out.push(Raw::Terms(vec![product(&ts)?]));
            }
        } else {
            out.push(Raw::Terms(vec![product(&parts)?]));
        }
        Ok((out, pos))
    }
}

fn numeric(expr: Expr) -> Term {
    Term::Numeric {
        name: expr.to_string(),
        expr,
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("name '{s}'"),
        Tok::Num(v) => format!("number {v}"),
        Tok::Str(s) => format!("string \"{s}\""),
        Tok::Sym(c) => format!("'{c}'"),
    }
}

/// The stepwise function found in a formula text: its name, the byte span of
/// the whole call and the byte spans of its arguments.
fn find_stepwise(text: &str) -> Option<(String, (usize, usize), Vec<(usize, usize)>)> {
    let bytes = text.as_bytes();
    for name in ["csw0", "sw0", "csw", "sw"] {
        let mut from = 0;
        while let Some(off) = text[from..].find(name) {
            let start = from + off;
            let end_name = start + name.len();
            from = end_name;
            let prev_ok = start == 0 || {
                let c = bytes[start - 1] as char;
                !(c.is_alphanumeric() || c == '_' || c == '.')
            };
            let rest = &text[end_name..];
            let ws = rest.len() - rest.trim_start().len();
            if !prev_ok || !rest.trim_start().starts_with('(') {
                continue;
            }
            let open = end_name + ws;
            let mut depth = 0;
            let mut args = Vec::new();
            let mut arg_start = open + 1;
            for (j, c) in text[open..].char_indices() {
                let j = open + j;
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            args.push((arg_start, j));
                            return Some((name.to_string(), (start, j + 1), args));
                        }
                    }
                    ',' if depth == 1 => {
                        args.push((arg_start, j));
                        arg_start = j + 1;
                    }
                    _ => {}
                }
            }
            return None;
        }
    }
    None
}

impl Formula {
    /// Parses a fixest-style formula (one model; see [`Formula::expand`] for
    /// `sw()`/`csw()`).
    pub fn parse(text: &str) -> Result<Formula> {
        Self::parse_one(text).map_err(|(pos, reason)| GravityError::Formula {
            formula: text.to_string(),
            reason: format!("{reason} (at position {})", pos + 1),
        })
    }

    /// Expands stepwise functions (`sw`, `csw`, `sw0`, `csw0`; one per
    /// formula, as in fixest) into the list of models, and parses each.
    pub fn expand(text: &str) -> Result<Vec<Formula>> {
        let Some((name, (s, e), args)) = find_stepwise(text) else {
            return Ok(vec![Self::parse(text)?]);
        };
        let err = |reason: String| GravityError::Formula {
            formula: text.to_string(),
            reason,
        };
        if find_stepwise(&text[e..]).is_some() || find_stepwise(&text[..s]).is_some() {
            return Err(err(format!(
                "only one stepwise function per formula (the second follows position {})",
                e
            )));
        }
        let args: Vec<&str> = args.iter().map(|(a, b)| text[*a..*b].trim()).collect();
        if args.iter().any(|a| a.is_empty()) {
            return Err(err(format!(
                "empty argument in {name}() (at position {})",
                s + 1
            )));
        }
        let cumulative = name.starts_with("csw");
        let with_zero = name.ends_with('0');
        let mut variants: Vec<String> = Vec::new();
        if with_zero {
            variants.push(String::new());
        }
        for k in 0..args.len() {
            variants.push(if cumulative {
                args[..=k].join(" + ")
            } else {
                args[k].to_string()
            });
        }
        let before = text[..s].trim_end();
        let after = text[e..].trim_start();
        variants
            .into_iter()
            .map(|v| {
                let t = if v.is_empty() {
                    // Drop the operator that joined the stepwise call.
                    let b = before.strip_suffix('+').unwrap_or(before).trim_end();
                    let a = if b.ends_with('~') || b.ends_with('|') {
                        after.strip_prefix('+').unwrap_or(after)
                    } else {
                        after
                    };
                    let b = if b.ends_with('~')
                        && (a.trim().is_empty() || a.trim_start().starts_with('|'))
                    {
                        format!("{b} 1")
                    } else if b.ends_with('|') && a.trim().is_empty() {
                        b.trim_end_matches('|').trim_end().to_string()
                    } else {
                        b.to_string()
                    };
                    format!("{b} {a}")
                } else {
                    format!("{before} {v} {after}")
                };
                Self::parse(t.trim())
            })
            .collect()
    }

    fn parse_one(text: &str) -> PResult<Formula> {
        let toks = tokenize(text, 0)?;
        let end = text.chars().count();
        let tilde = toks
            .iter()
            .position(|t| t.tok == Tok::Sym('~'))
            .ok_or((0, "missing '~' between outcome and regressors".to_string()))?;
        let bars: Vec<usize> = toks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.tok == Tok::Sym('|'))
            .map(|(i, _)| i)
            .collect();
        if bars.len() > 1 {
            return Err((
                toks[bars[1]].pos,
                "more than one '|' (instrumental variables are not supported; give the cluster variable to vcov())".into(),
            ));
        }
        if let Some(t) = toks[tilde + 1..].iter().find(|t| t.tok == Tok::Sym('~')) {
            return Err((t.pos, "a second '~'".into()));
        }
        // Outcome.
        let lhs_toks = &toks[..tilde];
        if lhs_toks.is_empty() {
            return Err((0, "missing outcome before '~'".into()));
        }
        let mut p = Parser {
            toks: lhs_toks,
            i: 0,
            end: toks[tilde].pos,
        };
        let response_expr = p.aexpr()?;
        if !p.done() {
            return Err((
                p.pos(),
                format!("unexpected {} in the outcome", describe(&lhs_toks[p.i].tok)),
            ));
        }
        let response = response_expr.to_string();
        // Regressors.
        let bar = bars.first().copied();
        let rhs_toks = &toks[tilde + 1..bar.unwrap_or(toks.len())];
        let rhs_end = bar.map_or(end, |b| toks[b].pos);
        let mut terms: Vec<Term> = Vec::new();
        let mut intercept = true;
        let mut offset: Option<Expr> = None;
        let mut p = Parser {
            toks: rhs_toks,
            i: 0,
            end: rhs_end,
        };
        if p.done() {
            return Err((
                rhs_end,
                "no regressors after '~' (write 1 for an intercept-only model)".into(),
            ));
        }
        let mut sign_minus = p.eat('-');
        if !sign_minus {
            p.eat('+');
        }
        loop {
            let (raws, pos) = p.fterm()?;
            for raw in raws {
                match raw {
                    Raw::Intercept(one) => {
                        intercept = one != sign_minus;
                    }
                    Raw::Terms(ts) if sign_minus => {
                        return Err((
                            pos,
                            format!(
                                "removing a term with '-' is only for the intercept (-1), not '{}'",
                                ts.first().map(|t| t.to_string()).unwrap_or_default()
                            ),
                        ));
                    }
                    Raw::Terms(ts) => {
                        for t in ts {
                            if terms.iter().any(|u| u.to_string() == t.to_string()) {
                                return Err((pos, format!("term '{t}' appears twice")));
                            }
                            terms.push(t);
                        }
                    }
                    Raw::Offset(_) if sign_minus => {
                        return Err((pos, "an offset cannot be removed with '-'".into()));
                    }
                    Raw::Offset(e) => {
                        offset = Some(match offset.take() {
                            None => e,
                            Some(o) => Expr::Bin(Op::Add, Box::new(o), Box::new(e)),
                        });
                    }
                }
            }
            if p.done() {
                break;
            }
            sign_minus = match p.peek() {
                Some(Tok::Sym('+')) => false,
                Some(Tok::Sym('-')) => true,
                Some(t) => {
                    return Err((
                        p.pos(),
                        format!("unexpected {} (terms are separated by '+')", describe(t)),
                    ));
                }
                None => break,
            };
            p.i += 1;
        }
        // Fixed effects.
        let mut fixed_effects: Vec<FeTerm> = Vec::new();
        if let Some(b) = bar {
            let fe_toks = &toks[b + 1..];
            let mut p = Parser {
                toks: fe_toks,
                i: 0,
                end,
            };
            if p.done() {
                return Err((end, "no fixed effects after '|' (drop the '|')".into()));
            }
            loop {
                let pos = p.pos();
                let mut vars = Vec::new();
                loop {
                    let vp = p.pos();
                    match p.bump().map(|t| t.tok.clone()) {
                        Some(Tok::Ident(v)) if p.peek() == Some(&Tok::Sym('(')) => {
                            return Err((
                                vp,
                                format!(
                                    "function '{v}()' in the fixed effects: only columns and a^b interactions are supported"
                                ),
                            ));
                        }
                        Some(Tok::Ident(v)) => vars.push(v),
                        Some(Tok::Num(v)) if v == 0.0 && vars.is_empty() => break,
                        Some(t) => {
                            return Err((
                                vp,
                                format!("unexpected {} in the fixed effects", describe(&t)),
                            ));
                        }
                        None => return Err((vp, "expected a fixed effect".into())),
                    }
                    if !p.eat('^') {
                        break;
                    }
                }
                if !vars.is_empty() {
                    let t = FeTerm { vars };
                    if fixed_effects.contains(&t) {
                        return Err((pos, format!("fixed effect '{}' appears twice", t.name())));
                    }
                    fixed_effects.push(t);
                }
                if p.done() {
                    break;
                }
                if !p.eat('+') {
                    let t = p.peek().map(describe).unwrap_or_default();
                    return Err((
                        p.pos(),
                        format!("unexpected {t} (fixed effects are separated by '+')"),
                    ));
                }
            }
        }
        if !fixed_effects.is_empty() {
            intercept = false;
        }
        if response_expr.is_col()
            && terms
                .iter()
                .any(|t| matches!(t, Term::Numeric { expr: Expr::Col(c), .. } if c == &response))
        {
            return Err((
                0,
                format!("outcome '{response}' also appears as a regressor"),
            ));
        }
        Ok(Formula {
            response,
            response_expr,
            terms,
            intercept,
            fixed_effects,
            offset,
        })
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ~ ", self.response)?;
        let mut rhs: Vec<String> = self.terms.iter().map(|t| t.to_string()).collect();
        if let Some(o) = &self.offset {
            rhs.push(format!("offset({o})"));
        }
        if self.terms.is_empty() {
            rhs.insert(0, if self.intercept { "1" } else { "0" }.into());
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

    fn names(f: &Formula) -> Vec<String> {
        f.terms.iter().map(|t| t.to_string()).collect()
    }

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
    fn fixest_trade_example_parses() {
        // The model of fixest's walkthrough on its `trade` data.
        let f =
            Formula::parse("Euros ~ log(dist_km) | Origin + Destination + Product + Year").unwrap();
        assert_eq!(names(&f), vec!["log(dist_km)"]);
        assert_eq!(
            f.terms[0],
            Term::Numeric {
                name: "log(dist_km)".into(),
                expr: Expr::Call(Func::Log, Box::new(Expr::Col("dist_km".into())))
            }
        );
        assert_eq!(f.fixed_effects.len(), 4);
    }

    #[test]
    fn intercept_rules() {
        assert!(Formula::parse("y ~ x").unwrap().intercept);
        assert!(!Formula::parse("y ~ 0 + x").unwrap().intercept);
        assert!(!Formula::parse("y ~ x - 1").unwrap().intercept);
        assert!(!Formula::parse("y ~ -1 + x").unwrap().intercept);
        let f = Formula::parse("y ~ x + i(g)").unwrap();
        assert_eq!(
            f.terms[1],
            Term::Factor {
                var: "g".into(),
                reference: None,
                slope: None
            }
        );
    }

    #[test]
    fn expressions_interactions_and_factors() {
        let f = Formula::parse(
            "y ~ exp(a) + I(a*b) + I(log(d)^2) + a:b + i(g, ref = \"x\") + factor(h) + i(g, a, ref = c(1, 2)) + offset(log(e))",
        )
        .unwrap();
        assert_eq!(
            names(&f),
            vec![
                "exp(a)",
                "I(a*b)",
                "I(log(d)^2)",
                "a:b",
                "i(g, ref = x)",
                "i(h)",
                "i(g, a, ref = c(1, 2))"
            ]
        );
        assert_eq!(f.offset.as_ref().unwrap().to_string(), "log(e)");
        // R's crossing: a*b is a + b + a:b.
        let f = Formula::parse("y ~ a*b").unwrap();
        assert_eq!(names(&f), vec!["a", "b", "a:b"]);
        // Evaluation: I(a*b - 1) on two rows, hand-computed.
        let e = match &Formula::parse("y ~ I(a*b - 1) + log(a)").unwrap().terms[0] {
            Term::Numeric { expr, .. } => expr.clone(),
            _ => unreachable!(),
        };
        let a = [2.0, 3.0];
        let b = [5.0, 0.5];
        let v = e
            .eval(2, &|c| Ok(if c == "a" { &a[..] } else { &b[..] }))
            .unwrap();
        assert_eq!(v, vec![9.0, 0.5]);
    }

    #[test]
    fn stepwise_expansion() {
        let fs = Formula::expand("y ~ x + sw(a, b) | f").unwrap();
        let t: Vec<String> = fs.iter().map(|f| f.to_string()).collect();
        assert_eq!(t, vec!["y ~ x + a | f", "y ~ x + b | f"]);
        let fs = Formula::expand("y ~ csw(a, b, log(c)) | f").unwrap();
        let t: Vec<String> = fs.iter().map(|f| f.to_string()).collect();
        assert_eq!(
            t,
            vec!["y ~ a | f", "y ~ a + b | f", "y ~ a + b + log(c) | f"]
        );
        let fs = Formula::expand("y ~ x | csw0(f1, f2)").unwrap();
        let t: Vec<String> = fs.iter().map(|f| f.to_string()).collect();
        assert_eq!(t, vec!["y ~ x", "y ~ x | f1", "y ~ x | f1 + f2"]);
        let e = Formula::parse("y ~ sw(a, b)").unwrap_err().to_string();
        assert!(e.contains("expand") && e.contains("position 5"), "{e}");
    }

    /// Issue 17, found by `bench/fuzz/run.sh` (formula, crash-06c26649): a product of 32 or
    /// more factors overflowed the subset mask of `a*b*…` ("attempt to shift left with
    /// overflow"), and 25 would have asked for 2^25 terms; past 10 it is refused.
    #[test]
    fn issue_17_a_product_of_too_many_factors_is_refused() {
        let crash = "s~y*clu*cyuc*l:uy*clus *clu*cyuc*l:uy*clus *cluyl*cYuc*l*cluyclu*cyuc*l:uy*clus *clu*cyuc*l:uy*clus *cluyl*cYuc*l*cluyl*cyl*cyuc*l:z :z ";
        let e = Formula::parse(crash).unwrap_err().to_string();
        assert!(e.contains("at most 10 (1023 terms)"), "{e}");
        let names: Vec<String> = (0..11).map(|i| format!("x{i}")).collect();
        let e = Formula::parse(&format!("y ~ {}", names.join("*")))
            .unwrap_err()
            .to_string();
        assert!(e.contains("crosses 11 factors"), "{e}");
        // Ten factors: 2^10 - 1 = 1023 terms.
        let f = Formula::parse(&format!("y ~ {}", names[..10].join("*"))).unwrap();
        assert_eq!(f.to_string().matches('+').count(), 1022, "{f}");
    }

    #[test]
    fn errors_name_the_term_once_with_its_position() {
        let e = Formula::parse("y x").unwrap_err().to_string();
        assert!(e.contains("'~'"), "{e}");
        let e = Formula::parse("y ~ foo(x) | a").unwrap_err().to_string();
        assert!(
            e.contains("unknown function 'foo'") && e.contains("position 5"),
            "{e}"
        );
        assert_eq!(e.matches("unknown function").count(), 1, "{e}");
        let e = Formula::parse("y ~ x | a^").unwrap_err().to_string();
        assert!(
            e.contains("expected a fixed effect") && e.contains("position 11"),
            "{e}"
        );
        let e = Formula::parse("y ~ x + log(z").unwrap_err().to_string();
        assert!(
            e.contains("to close 'log('") && e.contains("position 14"),
            "{e}"
        );
        let e = Formula::parse("y ~ x + x").unwrap_err().to_string();
        assert!(
            e.contains("appears twice") && e.contains("position 9"),
            "{e}"
        );
        let e = Formula::parse("y ~ x | f(a)").unwrap_err().to_string();
        assert!(e.contains("position 9"), "{e}");
    }
}
