//! Output: what evaluation decided ([`outcome`]), rendered as JSON ([`render`], through
//! the writer of [`json`]), and a batch's backlog report ([`report`]).

pub(crate) mod json;
pub(crate) mod outcome;
pub(crate) mod render;
pub(crate) mod report;
