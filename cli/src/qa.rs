//! The QA part of a report in the text table and on the HTML page: per queue what checking
//! the cases against what actually happened found, and the QA sample by stratum. Both
//! show the numbers of the JSON's `queues.<q>.qa` and `sample`.

use crate::escape::text;
use crate::html::esc;
use crate::render::rows;
use docket_core::{Engine, Report};
use std::fmt::Write;

/// Whether any case of the report carried what actually happened.
fn any_checked(rep: &Report) -> bool {
    rep.queues.iter().any(|q| q.qa.checked > 0)
}

/// The strata with their rate and counts, in the policy's order.
fn strata<'a>(engine: &'a Engine, rep: &'a Report) -> impl Iterator<Item = (&'a str, &'a str, u64, u64)> {
    engine.strata().enumerate().map(|(i, name)| {
        let c = rep.sample.get(i).copied().unwrap_or_default();
        (name, engine.stratum_rate(i as u32).unwrap_or("0"), c.cases, c.sampled)
    })
}

/// Sections *QA* and *QA sample* of the text table.
pub fn table(s: &mut String, engine: &Engine, rep: &Report) {
    let _ = writeln!(s, "\nQA: what actually happened against the policy");
    if any_checked(rep) {
        let _ = writeln!(
            s,
            "{:<30} {:>7} {:>9} {:>16} {:>14} {:>16} {:>7}",
            "queue", "checked", "misrouted", "late escalations", "closed without", "closed by barred", "sampled"
        );
        for (name, q) in rows(engine, rep) {
            let x = &q.qa;
            let _ = writeln!(
                s,
                "{:<30} {:>7} {:>9} {:>16} {:>14} {:>16} {:>7}",
                text(name),
                x.checked,
                x.misrouted,
                x.late_escalations,
                x.closed_without,
                x.closed_by_barred,
                x.sampled
            );
        }
    } else {
        let _ = writeln!(s, "no case carried worked_queue, escalations or closed_by");
    }
    if engine.samples() {
        let _ = writeln!(s, "\nQA sample by stratum");
        let _ = writeln!(s, "{:<30} {:>10} {:>6} {:>7}", "stratum", "rate", "cases", "sampled");
        for (name, rate, cases, sampled) in strata(engine, rep) {
            let _ = writeln!(s, "{:<30} {:>10} {:>6} {:>7}", text(name), rate, cases, sampled);
        }
    }
}

/// Tables `#qa` and `#sample` of the HTML page.
pub fn html(s: &mut String, engine: &Engine, rep: &Report) {
    s.push_str("<h2>QA: what actually happened against the policy</h2>");
    if any_checked(rep) {
        s.push_str("<table id=\"qa\"><tr><th>queue</th><th>checked</th><th>misrouted</th><th>late escalations</th><th>closed without approvals or evidence</th><th>closed by a barred actor</th><th>sampled</th></tr>\n");
        for (name, q) in rows(engine, rep) {
            let x = &q.qa;
            let cls = |n: u64| if n > 0 { " class=\"bad\"" } else { "" };
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td{}>{}</td><td{}>{}</td><td{}>{}</td><td{}>{}</td><td>{}</td></tr>",
                esc(name),
                x.checked,
                cls(x.misrouted),
                x.misrouted,
                cls(x.late_escalations),
                x.late_escalations,
                cls(x.closed_without),
                x.closed_without,
                cls(x.closed_by_barred),
                x.closed_by_barred,
                x.sampled
            );
        }
        s.push_str("</table>\n");
    } else {
        s.push_str("<p id=\"qa\">No case carried worked_queue, escalations or closed_by.</p>\n");
    }
    if engine.samples() {
        s.push_str("<h2>QA sample by stratum</h2><table id=\"sample\"><tr><th>stratum</th><th>rate</th><th>cases</th><th>sampled</th></tr>\n");
        for (name, rate, cases, sampled) in strata(engine, rep) {
            let _ =
                writeln!(s, "<tr><td>{}</td><td>{}</td><td>{cases}</td><td>{sampled}</td></tr>", esc(name), esc(rate));
        }
        s.push_str("</table>\n");
    }
}
