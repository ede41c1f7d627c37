//! Evaluating a columnar batch: blocks of cases set column by column
//! ([`crate::case::columns`]), then each case evaluated at once.

use crate::case::Case;
use crate::case::columns::{Columns, set_column, set_lists};
use crate::engine::Engine;
use crate::output::outcome::Outcome;
use crate::time::Instant;
use alloc::vec::Vec;

/// Reusable scratch space of [`Engine::evaluate_columns`]: a block of case buffers and an
/// outcome. Not shared between threads: use one per thread and keep it across batches
/// (a warm workspace evaluates without allocating).
#[derive(Clone, Debug, Default)]
pub struct ColumnWorkspace {
    cases: Vec<Case>,
    outcome: Outcome,
}

impl ColumnWorkspace {
    /// An empty workspace.
    pub fn new() -> ColumnWorkspace {
        ColumnWorkspace::default()
    }
}

/// Cases set column by column before they are evaluated one by one: small enough that
/// the block's cases stay in the first-level cache, large enough that each column's loop
/// runs long.
const BLOCK: usize = 32;

impl Engine {
    /// Evaluates every case of a batch at `now`, in order, calling `each(i, outcome)` for
    /// case `i` (write the outputs you want, add the outcome to a [`crate::Report`]).
    /// Each case gets exactly the outcome the same case has as a JSON record.
    pub fn evaluate_columns(
        &self,
        batch: &Columns<'_>,
        now: Instant,
        ws: &mut ColumnWorkspace,
        mut each: impl FnMut(usize, &Outcome),
    ) {
        if ws.cases.len() < BLOCK {
            ws.cases.resize_with(BLOCK, Case::new);
        }
        let ColumnWorkspace { cases, outcome } = ws;
        let mut start = 0;
        while start < batch.len {
            let n = (batch.len - start).min(BLOCK);
            let Some(block) = cases.get_mut(..n) else { return };
            for case in block.iter_mut() {
                case.reset(self);
            }
            for col in &batch.scalars {
                set_column(self, col, start, block);
            }
            for (k, case) in block.iter_mut().enumerate() {
                set_lists(self, &batch.lists, start + k, case);
                case.finish(self, false);
                self.evaluate(case, now, outcome);
                each(start + k, outcome);
            }
            start += n;
        }
    }
}
