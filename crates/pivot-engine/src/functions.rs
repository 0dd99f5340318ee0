//! SQL functions whose result's size is an argument, bounded: `repeat`, `lpad`, `rpad`,
//! `array_repeat`, `array_resize`, `range` and `generate_series` refuse, before they allocate,
//! to build a value over [`MAX_VALUE_BYTES`] or a list over [`MAX_LIST_ITEMS`]. Without this,
//! `SELECT repeat('x', 2147483647)` ran one uninterruptible call for minutes and gigabytes
//! after its request had timed out: a single call inside one batch never yields, so neither a
//! time limit nor the memory pool (which does not see a function's result) can stop it.
//!
//! Each is DataFusion's own function behind a check of its arguments ([`Bounded`]); the local
//! session registers them under the same names (`register`). On a Ballista cluster the
//! executors run DataFusion's functions unchecked.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Int64Array};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, simplify::ExprSimplifyResult, simplify::SimplifyContext,
};
use datafusion::prelude::SessionContext;

use crate::bounds::{MAX_BATCH_BYTES, MAX_LIST_ITEMS, MAX_VALUE_BYTES};

/// What a bounded function checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Check {
    /// `repeat(text, n)`: longest text × largest n bytes.
    Repeat,
    /// `lpad`/`rpad(text, n, …)`: n characters (up to 4 bytes each).
    Pad,
    /// A list of n items from argument `index` (`array_repeat(x, n)`, `array_resize(a, n)`).
    Items(usize),
    /// `range`/`generate_series(start, stop[, step])` over integers.
    Series,
}

/// The functions bounded, by name.
const BOUNDED: &[(&str, Check)] = &[
    ("repeat", Check::Repeat),
    ("lpad", Check::Pad),
    ("rpad", Check::Pad),
    ("array_repeat", Check::Items(1)),
    ("array_resize", Check::Items(1)),
    ("range", Check::Series),
    ("generate_series", Check::Series),
];

/// Replace the session's unbounded functions by bounded ones of the same names.
pub(crate) fn register(ctx: &SessionContext) {
    for (name, check) in BOUNDED {
        if let Ok(inner) = ctx.udf(name) {
            ctx.register_udf(ScalarUDF::new_from_impl(Bounded {
                inner,
                check: *check,
            }));
        }
    }
}

/// A DataFusion function with its arguments checked before it runs.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Bounded {
    inner: Arc<ScalarUDF>,
    check: Check,
}

/// The largest value of an integer argument (None when it is not an integer or all null).
fn max_int(v: &ColumnarValue) -> Option<i64> {
    match v {
        ColumnarValue::Scalar(s) => match s.cast_to(&DataType::Int64).ok()? {
            ScalarValue::Int64(n) => n,
            _ => None,
        },
        ColumnarValue::Array(a) => {
            let a = datafusion::arrow::compute::cast(a, &DataType::Int64).ok()?;
            let a = a.as_any().downcast_ref::<Int64Array>()?;
            datafusion::arrow::compute::max(a)
        }
    }
}

/// The smallest value of an integer argument.
fn min_int(v: &ColumnarValue) -> Option<i64> {
    match v {
        ColumnarValue::Array(a) => {
            let a = datafusion::arrow::compute::cast(a, &DataType::Int64).ok()?;
            let a = a.as_any().downcast_ref::<Int64Array>()?;
            datafusion::arrow::compute::min(a)
        }
        s => max_int(s),
    }
}

/// The longest text or binary value of an argument, in bytes.
fn max_len(v: &ColumnarValue) -> Option<i64> {
    let a: ArrayRef = match v {
        ColumnarValue::Scalar(s) => s.to_array().ok()?,
        ColumnarValue::Array(a) => a.clone(),
    };
    let lengths = datafusion::arrow::compute::kernels::length::length(&a).ok()?;
    max_int(&ColumnarValue::Array(lengths))
}

impl Bounded {
    fn check_args(&self, args: &[ColumnarValue], rows: usize) -> Result<()> {
        let name = self.inner.name();
        match self.check {
            Check::Repeat => {
                let (Some(len), Some(n)) = (
                    args.first().and_then(max_len),
                    args.get(1).and_then(max_int),
                ) else {
                    return Ok(());
                };
                let bytes = i128::from(len) * i128::from(n);
                if bytes > MAX_VALUE_BYTES as i128 {
                    return exec_err!(
                        "{name} would build a value of {bytes} bytes; pivot builds values of at most {MAX_VALUE_BYTES} bytes"
                    );
                }
                // A column argument builds a value per row.
                let rows = if args.iter().any(|a| matches!(a, ColumnarValue::Array(_))) {
                    rows as i128
                } else {
                    1
                };
                if bytes * rows > MAX_BATCH_BYTES as i128 {
                    return exec_err!(
                        "{name} would build {} bytes for {rows} rows; pivot builds at most {MAX_BATCH_BYTES} bytes per batch",
                        bytes * rows
                    );
                }
            }
            Check::Pad => {
                if let Some(n) = args.get(1).and_then(max_int)
                    && n > (MAX_VALUE_BYTES / 4) as i64
                {
                    return exec_err!(
                        "{name} to {n} characters is longer than pivot builds (at most {} characters)",
                        MAX_VALUE_BYTES / 4
                    );
                }
            }
            Check::Items(i) => {
                if let Some(n) = args.get(i).and_then(max_int)
                    && n > MAX_LIST_ITEMS as i64
                {
                    return exec_err!(
                        "{name} would build a list of {n} items; pivot builds lists of at most {MAX_LIST_ITEMS}"
                    );
                }
            }
            Check::Series => {
                let ints = args.iter().all(|a| a.data_type().is_integer());
                if !ints || args.len() < 2 {
                    return Ok(());
                }
                let (Some(lo), Some(hi)) = (min_int(&args[0]), max_int(&args[1])) else {
                    return Ok(());
                };
                let (lo2, hi2) = (max_int(&args[0]), min_int(&args[1]));
                let step = match args.get(2) {
                    Some(s) => {
                        // The smallest step in absolute value gives the longest list.
                        let (a, b) = (min_int(s).unwrap_or(1), max_int(s).unwrap_or(1));
                        a.unsigned_abs().min(b.unsigned_abs()).max(1)
                    }
                    None => 1,
                };
                // The widest span either way, over every row's start and stop.
                let span = [(lo, hi), (lo2.unwrap_or(lo), hi2.unwrap_or(hi))]
                    .iter()
                    .map(|(a, b)| (i128::from(*b) - i128::from(*a)).unsigned_abs())
                    .max()
                    .unwrap_or(0);
                let items = span / u128::from(step) + 1;
                if items > MAX_LIST_ITEMS as u128 {
                    return exec_err!(
                        "{name} would build a list of {items} items; pivot builds lists of at most {MAX_LIST_ITEMS} (use the table function generate_series in FROM for long series)"
                    );
                }
            }
        }
        Ok(())
    }
}

impl ScalarUDFImpl for Bounded {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }
    fn signature(&self) -> &Signature {
        self.inner.signature()
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }
    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        self.inner.return_field_from_args(args)
    }
    fn is_strict(&self) -> bool {
        self.inner.inner().is_strict()
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.check_args(&args.args, args.number_rows)?;
        self.inner.invoke_with_args(args)
    }
    fn simplify(&self, args: Vec<Expr>, info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        self.inner.simplify(args, info)
    }
    fn short_circuits(&self) -> bool {
        self.inner.short_circuits()
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }
    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}

#[cfg(test)]
mod tests {
    /// Issue 27: `repeat('x', 2147483647)` kept a core and gigabytes busy long after its
    /// request's 4xx; each function that builds a value of a size it is given refuses sizes
    /// past the bounds at once, and builds values within them as DataFusion does.
    #[test]
    fn functions_that_build_values_of_a_given_size_are_bounded() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let ctx = datafusion::prelude::SessionContext::new();
        super::register(&ctx);
        let run = |q: &str| {
            rt.block_on(async {
                let df = ctx.sql(q).await?;
                df.collect().await
            })
        };
        let refused = |q: &str| run(q).unwrap_err().to_string();
        for (q, says) in [
            (
                "SELECT repeat('x', 2147483647)",
                "repeat would build a value of 2147483647 bytes",
            ),
            (
                "SELECT repeat('xy', 16777216)",
                "repeat would build a value of 33554432 bytes",
            ),
            (
                "SELECT lpad('x', 2147483647)",
                "lpad to 2147483647 characters",
            ),
            (
                "SELECT rpad('x', 2147483647, 'y')",
                "rpad to 2147483647 characters",
            ),
            (
                "SELECT array_repeat(1, 100000000)",
                "array_repeat would build a list of 100000000 items",
            ),
            (
                "SELECT range(0, 10000000000)",
                "range would build a list of 10000000001 items",
            ),
            (
                "SELECT generate_series(1, 10000000000, 1)",
                "generate_series would build a list of 10000000000 items",
            ),
            (
                "SELECT array_resize(make_array(1), 100000000)",
                "array_resize would build a list of 100000000 items",
            ),
            // Column arguments are checked over every row.
            (
                "SELECT repeat(s, n) FROM (VALUES ('ab', 1), ('a', 20000000)) AS t(s, n)",
                "repeat would build a value of 40000000 bytes",
            ),
        ] {
            let e = refused(q);
            assert!(e.contains(says), "{q}: {e}");
        }
        use datafusion::arrow::array::{Array, AsArray};
        let b = run("SELECT repeat('ab', 3) AS r, lpad('x', 3, '-') AS l, cardinality(range(0, 10, 2)) AS n").unwrap();
        assert_eq!(b[0].column(0).as_string::<i32>().value(0), "ababab");
        assert_eq!(b[0].column(1).as_string::<i32>().value(0), "--x");
        assert_eq!(
            b[0].column(2)
                .as_primitive::<datafusion::arrow::datatypes::UInt64Type>()
                .value(0),
            5
        );
        assert_eq!(b[0].column(0).len(), 1);
        // The largest value allowed is built.
        let b = run("SELECT length(repeat('x', 16777216)) AS n").unwrap();
        assert_eq!(
            b[0].column(0)
                .as_primitive::<datafusion::arrow::datatypes::Int32Type>()
                .value(0),
            16_777_216
        );
    }
}
