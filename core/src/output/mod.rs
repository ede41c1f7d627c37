//! Output: what evaluation decided ([`outcome`]), rendered as JSON ([`render`], through
//! the writer of [`json`]), a batch's backlog report ([`report`], split by the fields of
//! [`dims`], compared with an earlier one by [`trend`]), and the comparison of a case,
//! or a batch, under two policies ([`diff`], [`diff_report`]).

pub(crate) mod diff;
pub(crate) mod diff_report;
pub(crate) mod dims;
pub(crate) mod flow;
pub(crate) mod histogram;
pub(crate) mod json;
pub(crate) mod outcome;
pub(crate) mod render;
pub(crate) mod report;
pub(crate) mod trend;
