//! Case issues: problems with one case that do not stop its evaluation.

/// Stable issue codes (the string form is the public contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum IssueCode {
    /// A field required for the case's kind (or for `*`) is absent.
    MissingField,
    /// A declared field (or standard key) has the wrong JSON type or an unparsable value.
    BadType,
    /// An enum field carries a value outside its declared values.
    UnknownEnumValue,
    /// The case's currency is neither the policy currency nor in `fx`.
    UnknownCurrency,
    /// A `unique` or `any` table had conflicting matches.
    AmbiguousRules,
    /// No role's limit covers a `by_limit` approval step.
    NoAuthority,
    /// The calendar has no working time within the search horizon.
    NoWorkingTime,
    /// No routing rule matched and the table has no default.
    Unrouted,
    /// A completion stamp lies before `opened_at`.
    BadTimestamp,
    /// An entry of the case's `approvals` counts for nothing; [`Issue::reason`] says why
    /// (`malformed`, `after_now`, `before_opened`, `role_not_permitted`, `over_limit`,
    /// `separation_of_duties`, `duplicate`, `no_open_step`).
    ApprovalIgnored,
    /// A money value does not fit the decimal range once converted to the policy currency
    /// at its `fx` rate; the field counts as absent.
    MoneyOverflow,
    /// A stamp of the case is after the evaluation's `now`: it has not happened yet (a
    /// completion stamp, `closed_at`, the start or end of a pause or of a wait).
    AfterNow,
    /// `waiting` or a pause's `reason` names a dependency the policy does not declare.
    UnknownDependency,
    /// `worked_queue` names a queue the policy does not declare.
    UnknownQueue,
}

/// Every issue code, in the order reports list them.
pub const ISSUE_CODES: [IssueCode; 14] = [
    IssueCode::MissingField,
    IssueCode::BadType,
    IssueCode::UnknownEnumValue,
    IssueCode::UnknownCurrency,
    IssueCode::AmbiguousRules,
    IssueCode::NoAuthority,
    IssueCode::NoWorkingTime,
    IssueCode::Unrouted,
    IssueCode::BadTimestamp,
    IssueCode::ApprovalIgnored,
    IssueCode::MoneyOverflow,
    IssueCode::AfterNow,
    IssueCode::UnknownDependency,
    IssueCode::UnknownQueue,
];

impl IssueCode {
    /// The stable string form.
    pub const fn as_str(self) -> &'static str {
        match self {
            IssueCode::MissingField => "missing_field",
            IssueCode::BadType => "bad_type",
            IssueCode::UnknownEnumValue => "unknown_enum_value",
            IssueCode::UnknownCurrency => "unknown_currency",
            IssueCode::AmbiguousRules => "ambiguous_rules",
            IssueCode::NoAuthority => "no_authority",
            IssueCode::NoWorkingTime => "no_working_time",
            IssueCode::Unrouted => "unrouted",
            IssueCode::BadTimestamp => "bad_timestamp",
            IssueCode::ApprovalIgnored => "approval_ignored",
            IssueCode::MoneyOverflow => "money_overflow",
            IssueCode::AfterNow => "after_now",
            IssueCode::UnknownDependency => "unknown_dependency",
            IssueCode::UnknownQueue => "unknown_queue",
        }
    }

    /// Index in [`ISSUE_CODES`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// What an issue is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// Nothing in particular.
    None,
    /// A declared field, by slot.
    Field(u16),
    /// A metric's completion stamp (`<metric>_at`) or clock, by metric index.
    Metric(u16),
    /// A standard key such as `currency`.
    Key(&'static str),
    /// A decision table: 0 routing, 1 SLA targets, 2 approvals.
    Table(u8),
    /// An approval of the case's `approvals` list, by position.
    Approval(u16),
    /// An approval step, by position in the outcome's steps.
    Step(u16),
    /// An entry of a list of the case (`paused`, `waiting`, `escalations`), by position.
    Item(&'static str, u16),
}

/// One issue of a case. `Copy`, no heap: details are rendered from the policy and outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Stable code.
    pub code: IssueCode,
    /// What it concerns.
    pub subject: Subject,
    /// For `ambiguous_rules`: how many rules conflicted (their ids are in the detail).
    pub(crate) rules: [u32; 4],
    pub(crate) n_rules: u8,
    /// Text of the outcome the detail quotes (the actor of a separation violation).
    pub(crate) text: Option<crate::value::Span>,
}

impl Issue {
    /// A new issue.
    pub const fn new(code: IssueCode, subject: Subject) -> Issue {
        Issue { code, subject, rules: [0; 4], n_rules: 0, text: None }
    }

    /// Why an approval counts for nothing (`approval_ignored` only): `malformed`,
    /// `after_now`, `before_opened`, `role_not_permitted`, `over_limit`,
    /// `separation_of_duties`, `duplicate` or `no_open_step`.
    pub fn reason(&self) -> Option<&'static str> {
        match self.code {
            IssueCode::ApprovalIgnored => {
                self.rules.first().and_then(|&r| crate::eval::Ignored::from_u32(r)).map(|r| r.as_str())
            }
            _ => None,
        }
    }
}
