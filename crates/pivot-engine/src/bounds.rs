//! Bounds on the work one request may start, shared by every front door.
//!
//! - **SQL text** is checked before planning: its size ([`MAX_QUERY_BYTES`]), its number of
//!   tokens ([`MAX_QUERY_TOKENS`]), the depth of its expressions ([`MAX_EXPR_DEPTH`]) and the
//!   length of its chains of `UNION`/`INTERSECT`/`EXCEPT` ([`MAX_SET_OPERATIONS`]). A flat chain
//!   such as `1 + 1 + … + 1` is a tree as deep as it is long once parsed, and every later step
//!   (planning, optimizing, dropping it) walks it recursively: without these checks a 4 KB query
//!   overflowed a thread's stack and aborted the process. The engine's query threads also have
//!   a large stack ([`QUERY_THREAD_STACK`]) so that what passes the checks plans with room.
//! - **Budgets**: a front door runs an engine call under a deadline and a [`Cancel`] flag
//!   ([`bounded`]); every query the call makes, and every step of a long call (each claim
//!   check, each report section), checks them, and a query past them is aborted — its
//!   DataFusion tasks are dropped, so the work stops, not only the answer.
//! - **Values**: SQL functions that build a value whose size is an argument (`repeat`, `lpad`,
//!   `rpad`, `array_repeat`, `range`, `generate_series`, `array_resize`) refuse to build one
//!   past [`MAX_VALUE_BYTES`] / [`MAX_LIST_ITEMS`] (or [`MAX_BATCH_BYTES`] for a batch) before
//!   they allocate it (`functions.rs`), at most [`MAX_BUILDER_CALLS`] of them in a query; a
//!   constant over 64 KiB (a literal, or one computed while planning) is refused, since it is
//!   repeated down every row of a batch (`interrupt.rs`).

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use datafusion::sql::parser::{CopyToSource, Statement as DFStatement};
use datafusion::sql::sqlparser::ast::{Expr, Query, SetExpr, Visit, Visitor};

use crate::EngineError;

/// The longest SQL text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1 << 20;
/// The most tokens (words, numbers, strings, symbols; not spaces or comments) in one query.
pub const MAX_QUERY_TOKENS: usize = 100_000;
/// The deepest nesting of expressions in one query: `a + b + c` is 3 deep (the parser nests a
/// chain of operators), `f(g(x))` 3.
pub const MAX_EXPR_DEPTH: usize = 256;
/// The most set operations (`UNION`, `INTERSECT`, `EXCEPT`) in one query body.
pub const MAX_SET_OPERATIONS: usize = 1_000;
/// The most calls of the value-building functions (`repeat`, `lpad`, `rpad`, `array_repeat`,
/// `array_resize`, `range`, `generate_series`) in one query: each may build up to
/// [`MAX_VALUE_BYTES`], and constant ones are built while the query is planned.
pub const MAX_BUILDER_CALLS: usize = 16;

/// The value-building functions (bounded one by one in `functions.rs`, counted per query
/// here).
pub(crate) const BUILDERS: &[&str] = &[
    "repeat",
    "lpad",
    "rpad",
    "array_repeat",
    "list_repeat",
    "array_resize",
    "list_resize",
    "range",
    "generate_series",
];
/// The most bytes a value-building function may produce for one batch of rows (a value per
/// row when an argument is a column).
pub const MAX_BATCH_BYTES: usize = 64 << 20;
/// The largest text or binary value `repeat`, `lpad` and `rpad` may build, in bytes.
pub const MAX_VALUE_BYTES: usize = 16 << 20;
/// The most items `array_repeat`, `range`, `generate_series` and `array_resize` may build in
/// one list.
pub const MAX_LIST_ITEMS: usize = 1 << 20;
/// The largest claims or scenario file read, in bytes (the shipped ones are a few KB).
pub const MAX_SPEC_BYTES: u64 = 1 << 20;
/// The stack of the engine's query threads (planning recurses over expressions).
pub const QUERY_THREAD_STACK: usize = 32 << 20;

/// Refuse SQL that cannot be a query before DataFusion parses it: blank, longer than
/// [`MAX_QUERY_BYTES`], holding a control character other than tab and line breaks, or of
/// more than [`MAX_QUERY_TOKENS`] tokens.
pub(crate) fn check_query_text(query: &str) -> Result<(), EngineError> {
    if query.trim().is_empty() {
        return Err(EngineError::Input(
            "empty SQL query: give a statement, e.g. SELECT table_name FROM information_schema.tables".into(),
        ));
    }
    if query.len() > MAX_QUERY_BYTES {
        return Err(EngineError::Input(format!(
            "SQL query of {} bytes is too long (at most {MAX_QUERY_BYTES})",
            query.len()
        )));
    }
    if let Some((i, c)) = query
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(EngineError::Input(format!(
            "SQL query contains the control character {} at byte {i}; remove it",
            c.escape_unicode()
        )));
    }
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer};
    // A text the tokenizer refuses is left to the parser, which says where and why.
    if let Ok(tokens) = Tokenizer::new(&GenericDialect {}, query).tokenize() {
        let n = tokens
            .iter()
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .count();
        if n > MAX_QUERY_TOKENS {
            return Err(EngineError::Input(format!(
                "SQL query of {n} tokens is too large (at most {MAX_QUERY_TOKENS}); split it, or put long value lists in a table"
            )));
        }
    }
    Ok(())
}

/// Refuse a parsed statement whose expressions nest deeper than [`MAX_EXPR_DEPTH`] or whose
/// body chains more than [`MAX_SET_OPERATIONS`] set operations (checked before it is planned;
/// the walk stops at the first excess, so it is itself bounded).
pub(crate) fn check_statement(stmt: &DFStatement) -> Result<(), EngineError> {
    let mut v = Shape::default();
    let flow = match stmt {
        DFStatement::Statement(s) => s.visit(&mut v),
        DFStatement::Explain(e) => return check_statement(&e.statement),
        DFStatement::CopyTo(c) => match &c.source {
            CopyToSource::Query(q) => q.visit(&mut v),
            CopyToSource::Relation(_) => ControlFlow::Continue(()),
        },
        DFStatement::CreateExternalTable(_) | DFStatement::Reset(_) => ControlFlow::Continue(()),
    };
    match flow {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(e) => Err(e),
    }
}

/// Depth of expressions and length of set-operation chains, with the first excess as `Break`.
#[derive(Default)]
struct Shape {
    depth: usize,
    builders: usize,
}

impl Visitor for Shape {
    type Break = EngineError;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<EngineError> {
        // Set operations form a chain the parser builds in a loop; count them without
        // recursing (nested queries are counted when they are visited).
        let mut n = 0usize;
        let mut todo: Vec<&SetExpr> = vec![&query.body];
        while let Some(s) = todo.pop() {
            if let SetExpr::SetOperation { left, right, .. } = s {
                n += 1;
                if n > MAX_SET_OPERATIONS {
                    return ControlFlow::Break(EngineError::Input(format!(
                        "SQL query chains more than {MAX_SET_OPERATIONS} set operations (UNION, INTERSECT, EXCEPT); split it"
                    )));
                }
                todo.push(left);
                todo.push(right);
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<EngineError> {
        if let Expr::Function(f) = expr {
            let name = f.name.to_string().to_ascii_lowercase();
            if BUILDERS.contains(&name.as_str()) {
                self.builders += 1;
                if self.builders > MAX_BUILDER_CALLS {
                    return ControlFlow::Break(EngineError::Input(format!(
                        "SQL query calls value-building functions ({}) more than {MAX_BUILDER_CALLS} times",
                        BUILDERS.join(", ")
                    )));
                }
            }
        }
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return ControlFlow::Break(EngineError::Input(format!(
                "SQL expression nested more than {MAX_EXPR_DEPTH} deep (a chain such as a + b + … counts one level per operator); split it into steps, or use IN (…) for long lists"
            )));
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, _expr: &Expr) -> ControlFlow<EngineError> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }
}

/// Read a claims or scenario file (`what`) as text, at most [`MAX_SPEC_BYTES`]: a larger file,
/// or a device such as `/dev/zero`, is refused after reading one byte past the bound.
pub fn read_spec(path: &std::path::Path, what: &str) -> Result<String, EngineError> {
    use std::io::Read;
    let cannot = |e: std::io::Error| {
        EngineError::Input(format!("cannot read {what} {}: {e}", path.display()))
    };
    let f = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    f.take(MAX_SPEC_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_SPEC_BYTES {
        return Err(EngineError::Input(format!(
            "{what} {} is larger than {MAX_SPEC_BYTES} bytes; pivot reads {what}s up to that size",
            path.display()
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        EngineError::Input(format!(
            "{what} {} is not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// A flag that cancels engine work: set by a server that is shutting down, checked by every
/// query and step of the calls run under it ([`bounded`]).
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag not yet set.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Set it: work under it stops at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether it is set.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The bounds of the engine call running on this thread.
#[derive(Debug, Clone, Default)]
pub(crate) struct Budget {
    /// When the call must end, and the time limit it came from (for the message).
    pub(crate) deadline: Option<(Instant, Duration)>,
    /// The flag that cancels it.
    pub(crate) cancel: Option<Cancel>,
}

thread_local! {
    static BUDGET: RefCell<Budget> = RefCell::new(Budget::default());
}

/// Run `f` — engine calls on this thread — within `limit` from now and until `cancel` is set:
/// each query and each step of a long call checks them and ends with
/// [`EngineError::Timeout`] or [`EngineError::Cancelled`] once past them, stopping its work.
/// Nested calls keep the tighter bound.
pub fn bounded<T>(limit: Option<Duration>, cancel: Option<&Cancel>, f: impl FnOnce() -> T) -> T {
    let outer = BUDGET.with(|b| b.borrow().clone());
    let mut inner = outer.clone();
    if let Some(l) = limit {
        let d = Instant::now() + l;
        if inner.deadline.is_none_or(|(o, _)| d < o) {
            inner.deadline = Some((d, l));
        }
    }
    if let Some(c) = cancel {
        inner.cancel = Some(c.clone());
    }
    struct Restore(Budget);
    impl Drop for Restore {
        fn drop(&mut self) {
            let b = std::mem::take(&mut self.0);
            BUDGET.with(|x| *x.borrow_mut() = b);
        }
    }
    let _restore = Restore(outer);
    BUDGET.with(|b| *b.borrow_mut() = inner);
    f()
}

/// This thread's budget.
pub(crate) fn current() -> Budget {
    BUDGET.with(|b| b.borrow().clone())
}

impl Budget {
    /// An error if the budget is spent: cancelled, or past its deadline.
    pub(crate) fn check(&self) -> Result<(), EngineError> {
        if self.cancel.as_ref().is_some_and(Cancel::is_cancelled) {
            return Err(EngineError::Cancelled);
        }
        if let Some((d, l)) = self.deadline
            && Instant::now() >= d
        {
            return Err(EngineError::Timeout(l));
        }
        Ok(())
    }

    /// The budget with a query's own time limit from now added (the tighter one wins).
    pub(crate) fn with_limit(mut self, limit: Option<Duration>) -> Budget {
        if let Some(l) = limit {
            let d = Instant::now() + l;
            if self.deadline.is_none_or(|(o, _)| d < o) {
                self.deadline = Some((d, l));
            }
        }
        self
    }
}

/// An error if this thread's budget is spent (a step of a long engine call checks it first).
pub(crate) fn check() -> Result<(), EngineError> {
    current().check()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 27: blank, long, control-character and many-token queries are refused before
    /// DataFusion parses them.
    #[test]
    fn blank_long_control_character_and_many_token_queries_are_refused() {
        let msg = |q: &str| check_query_text(q).unwrap_err().to_string();
        assert!(msg(" \n\t").starts_with("empty SQL query"));
        let long = format!("SELECT 1 -- {}", "x".repeat(MAX_QUERY_BYTES));
        assert_eq!(
            msg(&long),
            format!(
                "SQL query of {} bytes is too long (at most 1048576)",
                MAX_QUERY_BYTES + 12
            )
        );
        assert_eq!(
            msg("SELECT '\u{0}'"),
            "SQL query contains the control character \\u{0} at byte 8; remove it"
        );
        check_query_text("SELECT 1\n\tFROM t\r\n").unwrap();
        // "SELECT", "1", then 50,001 × ("+", "1"): 100,004 tokens.
        let many = format!("SELECT 1{}", "+1".repeat(50_001));
        let m = msg(&many);
        assert!(
            m.starts_with("SQL query of 100004 tokens is too large"),
            "{m}"
        );
    }

    fn statement(q: &str) -> DFStatement {
        datafusion::sql::parser::DFParser::parse_sql(q)
            .unwrap()
            .pop_front()
            .unwrap()
    }

    /// Issue 27: a flat chain of 1,000 terms (4 KB) aborted the server; it is refused by its
    /// depth, as are long set-operation chains, while 256-deep ones pass.
    #[test]
    fn deep_expressions_and_long_set_operation_chains_are_refused() {
        // On a stack like the engine's query threads' (the walk of a 256-deep expression
        // takes more than a test thread's 2 MiB in a debug build).
        std::thread::Builder::new()
            .stack_size(QUERY_THREAD_STACK)
            .spawn(deep_expressions_and_long_set_operation_chains)
            .unwrap()
            .join()
            .unwrap();
    }

    fn deep_expressions_and_long_set_operation_chains() {
        let chain = |n: usize| format!("SELECT 1{}", " + 1".repeat(n - 1));
        // 255 operators: the projection's expression is 256 deep.
        check_statement(&statement(&chain(256))).unwrap();
        let e = check_statement(&statement(&chain(1_000))).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("SQL expression nested more than 256 deep"),
            "{e}"
        );
        let e = check_statement(&statement(&format!("EXPLAIN {}", chain(1_000)))).unwrap_err();
        assert!(e.to_string().starts_with("SQL expression nested"), "{e}");
        let unions = |n: usize| {
            format!(
                "SELECT 1{}",
                " UNION ALL SELECT 1".repeat(n) // n set operations
            )
        };
        check_statement(&statement(&unions(1_000))).unwrap();
        let e = check_statement(&statement(&unions(1_001))).unwrap_err();
        assert!(
            e.to_string().contains("more than 1000 set operations"),
            "{e}"
        );
    }

    /// A budget is spent when cancelled or past its deadline, and the tighter of two nested
    /// deadlines wins; outside `bounded` nothing is spent.
    #[test]
    fn budgets_end_at_their_deadline_or_when_cancelled() {
        check().unwrap();
        let c = Cancel::new();
        bounded(Some(Duration::from_secs(60)), Some(&c), || {
            check().unwrap();
            bounded(Some(Duration::ZERO), None, || {
                assert!(matches!(check(), Err(EngineError::Timeout(d)) if d == Duration::ZERO));
            });
            check().unwrap();
            c.cancel();
            assert!(matches!(check(), Err(EngineError::Cancelled)));
        });
        check().unwrap();
    }
}
