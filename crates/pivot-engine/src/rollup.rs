//! Answers from what was already summed: a DataFusion optimizer rule that answers an aggregate
//! over BACI's rows of `trade_flows` from the roll-ups the same ingest wrote
//! (`trade_dyad_year`, `trade_dyad_hs2`) when, and only when, the answer is the same.
//!
//! The rule looks at each `Aggregate` of the optimized plan whose input is a chain of
//! projections, filters and aliases over one scan of BACI's `trade_flows` rows (the view's
//! `trade_flows__baci` branch, or on a cluster the whole table with a `source = 'baci'` filter).
//! It resolves every grouping key, filter and aggregate argument down to the scan's columns and
//! rewrites only if:
//!
//! - every grouping key and every filter is computed from the roll-up's keys alone: `year`,
//!   `exporter`, `importer`, and, for `trade_dyad_hs2`, the HS chapter written as the first two
//!   characters of `product` (`substr(product, 1, 2)`, `substring(product FROM 1 FOR 2)`,
//!   `left(product, 2)`), through deterministic scalar expressions (no volatile function, no
//!   subquery);
//! - every aggregate can be rebuilt: `SUM(value_usd_m)`; `COUNT(*)` or the `COUNT` of a column
//!   that is never null, from the stored number of product lines (`trade_dyad_year` only; the
//!   sum of line counts, 0 on no rows); `AVG(value_usd_m)` as that sum over that count;
//!   `MIN`/`MAX` and `COUNT(DISTINCT …)` of key expressions (a roll-up has one row for every
//!   key present in the rows, so the set of keys is the same). No `FILTER`, `ORDER BY` or
//!   null treatment inside the aggregate.
//!
//! Anything else is left alone: a filter on `product` (other than its chapter) or
//! `quantity_t`, `SUM(quantity_t)`, `MIN(value_usd_m)`, `COUNT(quantity_t)` (nullable),
//! `COUNT(DISTINCT product)`, an aggregate over a join, over all sources, or over a scan with a
//! row limit. Grouping and filtering commute with summing when the filter reads only the keys
//! being summed over, which is why these conditions give the same answer; floating-point sums
//! differ only in the order of additions (the roll-up adds each dyad's lines in file order).
//!
//! The roll-ups cannot be stale: the BACI adapter writes `trade_flows`, `trade_dyad_year` and
//! `trade_dyad_hs2` in one staged ingest that the store commits with one manifest write, a
//! removal or re-ingest replaces all three, and the rule is built from the manifest's `baci`
//! entry at the same time as the tables it rewrites (`catalog::context`, rebuilt after every
//! ingest and removal) — its roll-up files are the ones listed under the same entry as the rows.
//!
//! The rewritten plan reads the roll-up through an alias named `pivot_rollup_<table>`, which
//! `EXPLAIN` shows and from which the provenance says the answer came from the roll-up
//! ([`rollups_used`]). The session option `pivot.rollups` (`pivot sql --no-rollups`) turns the
//! rule off.

use std::sync::Arc;

use datafusion::catalog::TableProvider;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DataFusionError, ScalarValue};
use datafusion::config::ConfigExtension;
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::utils::{conjunction, split_conjunction};
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, Volatility, cast, lit};
use datafusion::optimizer::optimizer::ApplyOrder;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};

/// pivot's own session options (`pivot.*`), listed in `information_schema.df_settings`.
#[derive(Debug, Clone)]
pub struct PivotOptions {
    /// Answer aggregates over BACI's `trade_flows` rows from the ingest's roll-ups
    /// (`trade_dyad_year`, `trade_dyad_hs2`) where the answer is the same.
    pub rollups: bool,
}

impl Default for PivotOptions {
    fn default() -> Self {
        PivotOptions { rollups: true }
    }
}

impl ConfigExtension for PivotOptions {
    const PREFIX: &'static str = "pivot";
}

impl datafusion::config::ExtensionOptions for PivotOptions {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }

    fn cloned(&self) -> Box<dyn datafusion::config::ExtensionOptions> {
        Box::new(self.clone())
    }

    fn set(&mut self, key: &str, value: &str) -> datafusion::common::Result<()> {
        match key {
            "rollups" => {
                self.rollups = value.parse().map_err(|_| {
                    DataFusionError::Configuration(format!(
                        "pivot.rollups: '{value}' is not true or false"
                    ))
                })?;
                Ok(())
            }
            _ => Err(DataFusionError::Configuration(format!(
                "no pivot option '{key}' (there is pivot.rollups)"
            ))),
        }
    }

    fn entries(&self) -> Vec<datafusion::config::ConfigEntry> {
        vec![datafusion::config::ConfigEntry {
            key: "pivot.rollups".into(),
            value: Some(self.rollups.to_string()),
            description: "Answer aggregates over BACI's trade_flows rows from the ingest's roll-ups (trade_dyad_year, trade_dyad_hs2) where the answer is the same; pivot sql --no-rollups sets it to false",
        }]
    }
}

/// The alias a rewritten plan reads a roll-up through.
const ALIAS_PREFIX: &str = "pivot_rollup_";

/// The provenance's note on an answer that came from the roll-up `table`.
pub(crate) fn note(table: &str) -> String {
    format!(
        "answered from the roll-up {table} (same ingest as BACI's rows in trade_flows; the same answer as summing those rows, up to the order of floating-point additions; `pivot sql --no-rollups` sums the rows)"
    )
}

/// The roll-up tables a (rewritten, optimized) plan answered from.
pub(crate) fn rollups_used(plan: &LogicalPlan) -> Vec<String> {
    let mut out = Vec::new();
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::SubqueryAlias(a) = node
            && let Some(t) = a.alias.table().strip_prefix(ALIAS_PREFIX)
        {
            out.push(t.to_string());
        }
        Ok(TreeNodeRecursion::Continue)
    });
    out.sort();
    out.dedup();
    out
}

/// The rule, with the `baci` dataset's roll-up files (absent when BACI is not loaded).
pub(crate) struct RollUps {
    /// `trade_dyad_year`'s BACI files.
    pub(crate) dyad: Option<Arc<dyn TableProvider>>,
    /// `trade_dyad_hs2`'s BACI files.
    pub(crate) hs2: Option<Arc<dyn TableProvider>>,
}

impl std::fmt::Debug for RollUps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RollUps")
            .field("dyad", &self.dyad.is_some())
            .field("hs2", &self.hs2.is_some())
            .finish()
    }
}

impl OptimizerRule for RollUps {
    fn name(&self) -> &str {
        "pivot_rollups"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        config: &dyn OptimizerConfig,
    ) -> datafusion::common::Result<Transformed<LogicalPlan>> {
        let on = config
            .options()
            .extensions
            .get::<PivotOptions>()
            .is_none_or(|o| o.rollups);
        if !on {
            return Ok(Transformed::no(plan));
        }
        let LogicalPlan::Aggregate(agg) = &plan else {
            return Ok(Transformed::no(plan));
        };
        // Any failure to build the rewritten plan leaves the query as it was.
        match self.answer(agg) {
            Some(new)
                if new
                    .schema()
                    .logically_equivalent_names_and_types(plan.schema()) =>
            {
                Ok(Transformed::yes(new))
            }
            _ => Ok(Transformed::no(plan)),
        }
    }
}

/// The roll-ups' key columns (besides the chapter).
const KEYS: [&str; 3] = ["year", "exporter", "importer"];
/// `trade_flows`' columns that are never null (a `COUNT` of one is a count of rows).
const NOT_NULL: [&str; 7] = [
    "year",
    "exporter",
    "importer",
    "product",
    "value_usd_m",
    "source",
    "basis",
];

/// An aggregate of the rows as the roll-up rebuilds it.
enum Call {
    /// `SUM(value_usd_m)`: the sum of the roll-up's sums.
    Sum,
    /// A count of rows: the sum of the roll-up's line counts.
    Lines,
    /// `AVG(value_usd_m)`: sum of values over sum of line counts.
    Avg,
    /// `MIN` (true) or `MAX` of a key expression.
    MinMax(bool, Expr),
    /// `COUNT(DISTINCT …)` of a key expression.
    CountDistinct(Expr),
}

impl RollUps {
    fn answer(&self, agg: &datafusion::logical_expr::Aggregate) -> Option<LogicalPlan> {
        if agg
            .group_expr
            .iter()
            .any(|e| matches!(e, Expr::GroupingSet(_)))
            || agg.schema.fields().len() != agg.group_expr.len() + agg.aggr_expr.len()
        {
            return None;
        }
        // The chain down to the scan of BACI's rows, and the filters met on the way.
        let mut chain: Vec<&LogicalPlan> = Vec::new();
        let mut node = agg.input.as_ref();
        let scan = loop {
            match node {
                LogicalPlan::Projection(p) => {
                    chain.push(node);
                    node = &p.input;
                }
                LogicalPlan::Filter(f) => {
                    chain.push(node);
                    node = &f.input;
                }
                LogicalPlan::SubqueryAlias(s) => {
                    chain.push(node);
                    node = &s.input;
                }
                LogicalPlan::TableScan(t) => break t,
                _ => return None,
            }
        };
        if scan.fetch.is_some() {
            return None;
        }
        let whole = match scan.table_name.table() {
            "trade_flows__baci" => false,
            "trade_flows" => true,
            _ => return None,
        };
        // Each expression resolved to the scan's columns (unqualified names).
        let down = |from: usize, e: Expr| -> Option<Expr> {
            let mut e = e;
            for n in &chain[from..] {
                e = through(n, e)?;
            }
            through_scan(scan, e)
        };
        let mut preds: Vec<Expr> = Vec::new();
        for (i, n) in chain.iter().enumerate() {
            if let LogicalPlan::Filter(f) = n {
                for c in split_conjunction(&f.predicate) {
                    preds.push(down(i, c.clone())?);
                }
            }
        }
        for f in &scan.filters {
            for c in split_conjunction(f) {
                preds.push(through_scan(scan, c.clone())?);
            }
        }
        // The whole table (a cluster's): only BACI's rows, by a `source = 'baci'` conjunct.
        if whole {
            let before = preds.len();
            preds.retain(|p| !is_source_baci(p));
            if preds.len() == before {
                return None;
            }
        }
        let base = |e: Expr| down(0, e).and_then(source_is_baci);
        let preds: Vec<Expr> = preds
            .into_iter()
            .map(source_is_baci)
            .collect::<Option<_>>()?;
        let groups: Vec<Expr> = agg
            .group_expr
            .iter()
            // The output names come from the aggregate's schema: an alias adds nothing.
            .map(|g| base(g.clone().unalias_nested().data))
            .collect::<Option<_>>()?;
        let calls: Vec<(AggregateFunction, Vec<Expr>)> = agg
            .aggr_expr
            .iter()
            .map(|a| {
                let Expr::AggregateFunction(f) = a.clone().unalias_nested().data else {
                    return None;
                };
                let args = f
                    .params
                    .args
                    .iter()
                    .map(|x| base(x.clone()))
                    .collect::<Option<Vec<_>>>()?;
                Some((f, args))
            })
            .collect::<Option<_>>()?;
        let chapter = groups.iter().chain(&preds).any(has_chapter)
            || calls.iter().flat_map(|c| &c.1).any(has_chapter);
        let (table, provider) = if chapter {
            ("trade_dyad_hs2", self.hs2.clone()?)
        } else {
            ("trade_dyad_year", self.dyad.clone()?)
        };
        let alias = format!("{ALIAS_PREFIX}{table}");
        let key = |e: &Expr| key_expr(e, chapter, &alias);
        let col = |name: &str| Expr::Column(Column::new(Some(alias.as_str()), name));

        // Each aggregate as the roll-up rebuilds it.
        use datafusion::functions_aggregate::{
            average::Avg, count::Count, min_max::Max, min_max::Min, sum::Sum,
        };
        let mut rebuilt: Vec<Call> = Vec::new();
        for (f, args) in &calls {
            let p = &f.params;
            if p.filter.is_some() || !p.order_by.is_empty() || p.null_treatment.is_some() {
                return None;
            }
            let func = f.func.inner();
            let value = args.len() == 1 && is_column(&args[0], "value_usd_m");
            rebuilt.push(if func.is::<Sum>() && !p.distinct && value {
                Call::Sum
            } else if func.is::<Count>() && p.distinct {
                let [a] = args.as_slice() else { return None };
                Call::CountDistinct(key(a)?)
            } else if func.is::<Count>() && !chapter {
                let rows = match args.as_slice() {
                    [] => true,
                    [Expr::Literal(v, _)] => !v.is_null(),
                    [Expr::Column(c)] => {
                        c.relation.is_none() && NOT_NULL.contains(&c.name.as_str())
                    }
                    _ => false,
                };
                if !rows {
                    return None;
                }
                Call::Lines
            } else if func.is::<Avg>() && !p.distinct && value && !chapter {
                Call::Avg
            } else if func.is::<Min>() || func.is::<Max>() {
                let [a] = args.as_slice() else { return None };
                Call::MinMax(func.is::<Min>(), key(a)?)
            } else {
                return None;
            });
        }
        let keys: Vec<Expr> = groups.iter().map(key).collect::<Option<_>>()?;
        let preds: Vec<Expr> = preds.iter().map(key).collect::<Option<_>>()?;
        // Grouped by every key of the roll-up: each group is one of its rows, no aggregate.
        let table_keys: &[&str] = if chapter {
            &["year", "exporter", "importer", "hs2"]
        } else {
            &KEYS
        };
        let one_row_per_group = table_keys.iter().all(|k| {
            keys.iter()
                .any(|e| matches!(e, Expr::Column(c) if c.name == *k))
        });

        let mut b = LogicalPlanBuilder::scan(
            format!("{table}__baci"),
            datafusion::datasource::provider_as_source(provider),
            None,
        )
        .ok()?
        .alias(alias.as_str())
        .ok()?;
        if let Some(p) = conjunction(preds) {
            b = b.filter(p).ok()?;
        }
        let float = datafusion::arrow::datatypes::DataType::Float64;
        let (b, outputs) = if one_row_per_group {
            let outs: Vec<Expr> = rebuilt
                .into_iter()
                .map(|c| match c {
                    Call::Sum => col("value_usd_m"),
                    Call::Lines => col("products"),
                    Call::Avg => col("value_usd_m") / cast(col("products"), float.clone()),
                    Call::MinMax(_, k) => k,
                    Call::CountDistinct(k) => {
                        datafusion::logical_expr::when(k.is_null(), lit(0i64))
                            .otherwise(lit(1i64))
                            .unwrap_or_else(|_| lit(ScalarValue::Null))
                    }
                })
                .collect();
            (b, keys.into_iter().chain(outs).collect::<Vec<_>>())
        } else {
            use datafusion::functions_aggregate::expr_fn;
            let mut aggs: Vec<Expr> = Vec::new();
            let a = |i: usize| Expr::Column(Column::from_name(format!("__pivot_a{i}")));
            let mut push = |e: Expr| {
                aggs.push(e.alias(format!("__pivot_a{}", aggs.len())));
                a(aggs.len() - 1)
            };
            let outs: Vec<Expr> = rebuilt
                .into_iter()
                .map(|c| match c {
                    Call::Sum => push(expr_fn::sum(col("value_usd_m"))),
                    // 0 on no rows, as COUNT gives.
                    Call::Lines => datafusion::functions::expr_fn::coalesce(vec![
                        push(expr_fn::sum(col("products"))),
                        lit(0i64),
                    ]),
                    Call::Avg => {
                        push(expr_fn::sum(col("value_usd_m")))
                            / cast(push(expr_fn::sum(col("products"))), float.clone())
                    }
                    Call::MinMax(true, k) => push(expr_fn::min(k)),
                    Call::MinMax(false, k) => push(expr_fn::max(k)),
                    Call::CountDistinct(k) => push(expr_fn::count_distinct(k)),
                })
                .collect();
            let groups: Vec<Expr> = keys
                .into_iter()
                .enumerate()
                .map(|(i, k)| k.alias(format!("__pivot_g{i}")))
                .collect();
            let n = groups.len();
            let b = b.aggregate(groups, aggs).ok()?;
            let gs = (0..n).map(|i| Expr::Column(Column::from_name(format!("__pivot_g{i}"))));
            (b, gs.chain(outs).collect())
        };
        // The original output columns: same names, qualifiers and types.
        let exprs = agg
            .schema
            .iter()
            .zip(outputs)
            .map(|((q, field), e)| {
                cast(e, field.data_type().clone()).alias_qualified(q.cloned(), field.name())
            })
            .collect::<Vec<_>>();
        b.project(exprs).ok()?.build().ok()
    }
}

/// `e`, in terms of `node`'s output, in terms of `node`'s input.
fn through(node: &LogicalPlan, e: Expr) -> Option<Expr> {
    let input = match node {
        LogicalPlan::Projection(p) => &p.input,
        LogicalPlan::Filter(f) => &f.input,
        LogicalPlan::SubqueryAlias(s) => &s.input,
        _ => return None,
    };
    let schema = node.schema();
    e.transform(|x| match x {
        Expr::Column(c) => {
            let i = schema.index_of_column(&c)?;
            let mapped = match node {
                LogicalPlan::Projection(p) => p.expr[i].clone().unalias_nested().data,
                _ => Expr::Column(Column::from(input.schema().qualified_field(i))),
            };
            Ok(Transformed::yes(mapped))
        }
        Expr::OuterReferenceColumn(..) | Expr::Placeholder(_) => {
            Err(DataFusionError::Plan("not rewritable".into()))
        }
        other => Ok(Transformed::no(other)),
    })
    .ok()
    .map(|t| t.data)
}

/// `e`, in terms of the scan's output, with unqualified column names.
fn through_scan(scan: &datafusion::logical_expr::TableScan, e: Expr) -> Option<Expr> {
    let schema = &scan.projected_schema;
    e.transform(|x| match x {
        Expr::Column(c) => {
            let i = schema.index_of_column(&c)?;
            Ok(Transformed::yes(Expr::Column(Column::new_unqualified(
                schema.field(i).name(),
            ))))
        }
        Expr::OuterReferenceColumn(..) | Expr::Placeholder(_) => {
            Err(DataFusionError::Plan("not rewritable".into()))
        }
        other => Ok(Transformed::no(other)),
    })
    .ok()
    .map(|t| t.data)
}

/// `e` with the scan's `source` column as the constant it is on every row read: `'baci'`
/// (the view's branch, or the whole table under a `source = 'baci'` filter).
fn source_is_baci(e: Expr) -> Option<Expr> {
    e.transform(|x| match x {
        Expr::Column(c) if c.relation.is_none() && c.name == "source" => {
            Ok(Transformed::yes(lit("baci")))
        }
        other => Ok(Transformed::no(other)),
    })
    .ok()
    .map(|t| t.data)
}

/// `e` is the column `name` of the scan.
fn is_column(e: &Expr, name: &str) -> bool {
    matches!(e, Expr::Column(c) if c.relation.is_none() && c.name == name)
}

/// `source = 'baci'` (either way round).
fn is_source_baci(e: &Expr) -> bool {
    let Expr::BinaryExpr(b) = e else { return false };
    if b.op != datafusion::logical_expr::Operator::Eq {
        return false;
    }
    let baci = |x: &Expr| match x {
        Expr::Literal(v, _) => v.try_as_str().flatten() == Some("baci"),
        Expr::Cast(c) => {
            matches!(c.expr.as_ref(), Expr::Literal(v, _) if v.try_as_str().flatten() == Some("baci"))
        }
        _ => false,
    };
    (is_column(&b.left, "source") && baci(&b.right))
        || (is_column(&b.right, "source") && baci(&b.left))
}

/// An integer literal's value.
fn int_lit(e: &Expr) -> Option<i64> {
    let e = match e {
        Expr::Cast(c) => c.expr.as_ref(),
        other => other,
    };
    let Expr::Literal(v, _) = e else { return None };
    match v {
        ScalarValue::Int8(Some(x)) => Some(i64::from(*x)),
        ScalarValue::Int16(Some(x)) => Some(i64::from(*x)),
        ScalarValue::Int32(Some(x)) => Some(i64::from(*x)),
        ScalarValue::Int64(Some(x)) => Some(*x),
        ScalarValue::UInt8(Some(x)) => Some(i64::from(*x)),
        ScalarValue::UInt16(Some(x)) => Some(i64::from(*x)),
        ScalarValue::UInt32(Some(x)) => Some(i64::from(*x)),
        ScalarValue::UInt64(Some(x)) => i64::try_from(*x).ok(),
        _ => None,
    }
}

/// The HS chapter of `product`: its first two characters.
fn is_chapter(e: &Expr) -> bool {
    let Expr::ScalarFunction(f) = e else {
        return false;
    };
    let func = f.func.inner();
    use datafusion::functions::unicode::{left::LeftFunc, substr::SubstrFunc};
    match f.args.as_slice() {
        [p, start, len] if func.is::<SubstrFunc>() => {
            is_column(p, "product") && int_lit(start) == Some(1) && int_lit(len) == Some(2)
        }
        [p, len] if func.is::<LeftFunc>() => is_column(p, "product") && int_lit(len) == Some(2),
        _ => false,
    }
}

/// `e` mentions the HS chapter of `product`.
fn has_chapter(e: &Expr) -> bool {
    e.exists(|x| Ok(is_chapter(x))).unwrap_or(false)
}

/// `e` over the roll-up read as `alias`: keys to its columns (the chapter to `hs2` when
/// `chapter`), through deterministic scalar expressions only; `None` if `e` reads anything
/// else.
fn key_expr(e: &Expr, chapter: bool, alias: &str) -> Option<Expr> {
    if is_chapter(e) {
        return chapter.then(|| Expr::Column(Column::new(Some(alias), "hs2")));
    }
    match e {
        Expr::Column(c) if c.relation.is_none() && KEYS.contains(&c.name.as_str()) => {
            Some(Expr::Column(Column::new(Some(alias), c.name.as_str())))
        }
        Expr::Literal(..) => Some(e.clone()),
        Expr::ScalarFunction(f) if f.func.signature().volatility == Volatility::Volatile => None,
        Expr::ScalarFunction(_)
        | Expr::BinaryExpr(_)
        | Expr::Cast(_)
        | Expr::TryCast(_)
        | Expr::Not(_)
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsTrue(_)
        | Expr::IsFalse(_)
        | Expr::IsNotTrue(_)
        | Expr::IsNotFalse(_)
        | Expr::IsUnknown(_)
        | Expr::IsNotUnknown(_)
        | Expr::Negative(_)
        | Expr::Between(_)
        | Expr::InList(_)
        | Expr::Like(_)
        | Expr::SimilarTo(_)
        | Expr::Case(_) => e
            .clone()
            .map_children(|c| match key_expr(&c, chapter, alias) {
                Some(k) => Ok(Transformed::yes(k)),
                None => Err(DataFusionError::Plan("not a key".into())),
            })
            .ok()
            .map(|t| t.data),
        _ => None,
    }
}
