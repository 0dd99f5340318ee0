//! A physical plan that can be stopped inside a long poll. Aborting a query's task takes
//! effect only when the task yields, and some operators can compute for minutes in one poll
//! without yielding: a nested-loop join whose filter rejects every pair (`a CROSS JOIN b WHERE
//! a.v + b.v > 1e12` over 1.3 M × 1.3 M rows) loops over the whole build side for each probe
//! batch, and an aggregate over a join's output drains batch after batch without giving the
//! scheduler a turn. So a time limit answered its 4xx and the work went on at full CPU.
//!
//! [`interruptible`] rewrites a plan before it runs: each join's filter is evaluated through
//! [`Interruptible`], which fails once the query's stop flag is set, and each join's output
//! goes through DataFusion's `CooperativeExec`, which yields to the scheduler every so many
//! batches (so the task's abort takes effect). The engine sets the flag when a query's budget
//! is spent, then aborts its task (`Engine::run_query`).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, FieldRef, Schema};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::ColumnarValue;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::coop::CooperativeExec;
use datafusion::physical_plan::joins::utils::JoinFilter;
use datafusion::physical_plan::joins::{
    CrossJoinExec, HashJoinExec, NestedLoopJoinExec, NestedLoopJoinExecBuilder, SortMergeJoinExec,
    SymmetricHashJoinExec,
};

/// The message of a query stopped by its flag (the engine reports its own error instead).
const STOPPED: &str = "the query was stopped: its time limit passed or it was cancelled";

/// `plan` with every join's filter checking `stop` and every join's output cooperative.
pub(crate) fn interruptible(
    plan: Arc<dyn ExecutionPlan>,
    stop: &Arc<AtomicBool>,
) -> Result<Arc<dyn ExecutionPlan>> {
    plan.transform_up(|node| {
        let is_join = node.is::<HashJoinExec>()
            || node.is::<NestedLoopJoinExec>()
            || node.is::<CrossJoinExec>()
            || node.is::<SortMergeJoinExec>()
            || node.is::<SymmetricHashJoinExec>();
        if !is_join {
            return Ok(Transformed::no(node));
        }
        let node: Arc<dyn ExecutionPlan> = match node.downcast_ref::<NestedLoopJoinExec>() {
            Some(nlj) if nlj.filter().is_some() => {
                let f = nlj.filter().expect("checked");
                let filter = JoinFilter::new(
                    Arc::new(Interruptible {
                        inner: f.expression().clone(),
                        stop: stop.clone(),
                    }),
                    f.column_indices().to_vec(),
                    f.schema().clone(),
                );
                Arc::new(
                    NestedLoopJoinExecBuilder::new(
                        nlj.left().clone(),
                        nlj.right().clone(),
                        *nlj.join_type(),
                    )
                    .with_projection_ref(nlj.projection().clone())
                    .with_filter(Some(filter))
                    .build()?,
                )
            }
            _ => node,
        };
        Ok(Transformed::yes(Arc::new(CooperativeExec::new(node))))
    })
    .map(|t| t.data)
}

/// An expression that fails once `stop` is set, else evaluates `inner`.
#[derive(Debug)]
pub(crate) struct Interruptible {
    inner: Arc<dyn PhysicalExpr>,
    stop: Arc<AtomicBool>,
}

impl PartialEq for Interruptible {
    fn eq(&self, other: &Self) -> bool {
        self.inner.as_ref() == other.inner.as_ref() && Arc::ptr_eq(&self.stop, &other.stop)
    }
}

impl Eq for Interruptible {}

impl Hash for Interruptible {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
    }
}

impl fmt::Display for Interruptible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl PhysicalExpr for Interruptible {
    fn data_type(&self, input_schema: &Schema) -> Result<DataType> {
        self.inner.data_type(input_schema)
    }
    fn nullable(&self, input_schema: &Schema) -> Result<bool> {
        self.inner.nullable(input_schema)
    }
    fn return_field(&self, input_schema: &Schema) -> Result<FieldRef> {
        self.inner.return_field(input_schema)
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        if self.stop.load(Ordering::Relaxed) {
            return exec_err!("{STOPPED}");
        }
        self.inner.evaluate(batch)
    }
    fn children(&self) -> Vec<&Arc<dyn PhysicalExpr>> {
        vec![&self.inner]
    }
    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn PhysicalExpr>>,
    ) -> Result<Arc<dyn PhysicalExpr>> {
        Ok(Arc::new(Interruptible {
            inner: children
                .into_iter()
                .next()
                .unwrap_or_else(|| self.inner.clone()),
            stop: self.stop.clone(),
        }))
    }
    fn fmt_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt_sql(f)
    }
}

/// Refuse a plan holding a constant larger than [`MAX_CONSTANT_BYTES`]: a constant is
/// repeated down every row of a batch (8,192 copies), so a 16 MB `repeat` folded while
/// planning, or a long literal, would make gigabytes per batch.
pub(crate) fn check_constants(plan: &datafusion::logical_expr::LogicalPlan) -> Result<()> {
    use datafusion::common::tree_node::TreeNodeRecursion;
    use datafusion::logical_expr::Expr;
    plan.apply_with_subqueries(|node| {
        node.apply_expressions(|e| {
            e.apply(|x| {
                if let Expr::Literal(v, _) = x
                    && v.size() > MAX_CONSTANT_BYTES
                {
                    return datafusion::common::plan_err!(
                        "a constant of {} bytes would be repeated down every row; pivot takes constants of at most {MAX_CONSTANT_BYTES} bytes",
                        v.size()
                    );
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })
    })
    .map(|_| ())
}

/// The largest constant (a literal, or a value computed while planning) in a query, in bytes.
pub(crate) const MAX_CONSTANT_BYTES: usize = 64 << 10;
