/* tslint:disable */
/* eslint-disable */
/* ---- Shapes of the Docket contract (spec: cases-and-outcomes.md, policy-format.md) ---- */

/** An RFC 3339 instant such as `"2026-11-23T10:00:00Z"`. */
export type Rfc3339 = string;
/** A business-time duration: `"90m"`, `"4h"`, `"2h30m"`. */
export type Duration = string;
/** The evaluation instant: a `Date`, an RFC 3339 string or epoch milliseconds (truncated to whole seconds). Omitted: the current time. */
export type Now = Date | Rfc3339 | number;

/** A test in a rule's `when` (see policy-format.md, "Decision tables"). */
export type Test = string | number | boolean | null | ReadonlyArray<string | number> | { not: string | number | ReadonlyArray<string | number> };
/** Hit policies (DMN). */
export type HitPolicy = "unique" | "any" | "priority" | "first" | "rule_order" | "output_order" | "collect";

export interface Rule<Then> {
    id: string;
    when: Record<string, Test>;
    then: Then;
}

export interface DecisionTable<Then> {
    hit?: HitPolicy;
    aggregate?: "sum" | "min" | "max" | "count";
    outputs?: Record<string, ReadonlyArray<string>>;
    default?: Then;
    rules: ReadonlyArray<Rule<Then>>;
}

export type FieldDecl =
| { type: "enum"; values: ReadonlyArray<string> }
| { type: "string" | "integer" | "number" | "money" | "bool" | "timestamp" };

/** A list of local windows `"HH:MM-HH:MM"`. */
export type Windows = ReadonlyArray<string>;

export interface CalendarDecl {
    /** IANA zone; the npm build includes the zones listed in the package README. */
    timezone: string;
    week: "24x7" | Partial<Record<"mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun", Windows>>;
    holidays?: ReadonlyArray<string>;
    overrides?: Record<string, Windows>;
}

export interface SlaDecl {
    metrics: ReadonlyArray<string>;
    warn_at?: number;
    escalation?: ReadonlyArray<{ at: number; to: string }>;
    bands?: { clock?: "calendar" | "business"; limits: ReadonlyArray<{ name: string; under?: Duration }> };
    /** A rule's `warn_at` and `escalation` replace the policy-wide ones for the cases it decides. */
    targets: DecisionTable<
    { calendar: string; warn_at?: number; escalation?: ReadonlyArray<{ at: number; to: string }> } & Record<string, unknown>
    >;
}

export interface ActionDecl {
    roles: ReadonlyArray<string>;
    within_limit?: string;
    not_requester?: boolean;
    not_prior_approver?: boolean;
    /** Refused to an actor who gave one of the case's counted approvals. */
    not_approver?: boolean;
    /** What must be complete first: `approvals` (every approval step filled). */
    requires?: ReadonlyArray<"approvals">;
    evidence?: Record<string, ReadonlyArray<string>>;
    description?: string;
}

/** Who may fill an approval step: its own role, or also a role that ranks above it. */
export type Fill = "same_role" | "same_or_higher";

/** The approvals table: its outputs are roles; `fill` says who may fill a step. */
export interface ApprovalsDecl extends DecisionTable<{ role: string; limit_field?: string }> {
    fill?: Fill;
}

export interface ControlDecl {
    id: string;
    /** Measures and `queue` → tests; `missed_by_cause` and `breached_by_cause` → `{ cause: test }` (`own` or a dependency). */
    when: Record<string, Test | Record<string, Test>>;
    then: { alert: string; to?: string };
}

/** A policy document, format version 1 (policy-format.md). */
export interface Policy {
    docket: 1;
    name: string;
    version?: string;
    description?: string;
    currency: string;
    fx?: Record<string, string | number>;
    fields?: Record<string, FieldDecl>;
    queues: Record<string, { owner: string }>;
    required?: Record<string, ReadonlyArray<string>>;
    invalid_queue?: string;
    routing: DecisionTable<{ queue?: string; priority?: string }>;
    calendars?: Record<string, CalendarDecl>;
    /** What cases may wait on (`waiting`, a pause's `reason`): unique names, not `own`, at most 32. */
    dependencies?: ReadonlyArray<string>;
    sla?: SlaDecl;
    /** Report settings: the IANA time zone of flow buckets (default UTC). */
    report?: { timezone?: string };
    roles?: Record<string, { limit?: string | number }>;
    approvals?: ApprovalsDecl;
    separation?: { requester_cannot_approve?: boolean; distinct_approvers?: boolean };
    actions?: Record<string, ActionDecl>;
    controls?: ReadonlyArray<ControlDecl>;
}

/**
 * The limits an engine enforces on hostile or accidental input (`new Engine(policy,
 * { limits })`); each is a whole number from 0 to `Number.MAX_SAFE_INTEGER`, and an
 * omitted one keeps its default. A limit hit is a specific error or a case's `error` or
 * issue, never unbounded memory or time. See the README, "Limits".
 */
export interface EngineLimits {
    /** Largest policy in bytes (default 4 MiB): JSON text, or an object measured as its JSON text. Over it: `PolicyError` `limit_exceeded`. */
    maxPolicyBytes?: number;
    /** Longest string kept from a case, in UTF-8 bytes (default 4096): a longer `id` is `bad_id`, a longer `requested_by`, approver or string field a `bad_type` issue. */
    maxStringLen?: number;
    /** Most items of a case's `paused`, `approvals` or `evidence` (default 1000): more are a `bad_type` issue. */
    maxListLen?: number;
    /** Largest case in bytes (default 1 MiB): JSON text, an object measured as its JSON text, or a list given as JSON text in a column. Over it the case's `error` is `too_large`. */
    maxCaseBytes?: number;
    /** Most cases in one call (default 1,000,000): `evaluate`, `report`, a columnar `length`. Over it: `ArgumentError` `limit_exceeded`. */
    maxCasesPerCall?: number;
    /** Most rules in one decision table (default 10,000): more are a diagnostic `limit_exceeded`. */
    maxRulesPerTable?: number;
    /** Most windows in one weekday or one override of a calendar (default 48): more are a diagnostic `limit_exceeded`. */
    maxWindowsPerDay?: number;
    /** Most holidays, and most overrides, in one calendar (default 20,000): more are a diagnostic `limit_exceeded`. */
    maxDatesPerCalendar?: number;
    /** Most calendars in a policy (default 1,000): more are a diagnostic `limit_exceeded`. */
    maxCalendars?: number;
    /** Most SLA metrics (default 64): more are a diagnostic `limit_exceeded`. */
    maxMetrics?: number;
    /** Most SLA escalation steps (default 64): more are a diagnostic `limit_exceeded`. */
    maxEscalationSteps?: number;
    /** Most ageing bands (default 64): more are a diagnostic `limit_exceeded`. */
    maxBands?: number;
    /** Most values of one field: an enum's values or the strings the tables name (default 100,000): more are a diagnostic `limit_exceeded`. */
    maxValuesPerField?: number;
    /** Estimated bytes the policy's calendars, SLA thresholds and table indexes may take (default 256 MiB): more are a diagnostic `limit_exceeded`. */
    maxMemoryBytes?: number;
}

/** Options of `new Engine(policy, options)`. */
export interface EngineOptions {
    /** The engine's limits; omitted ones keep their defaults. */
    limits?: EngineLimits;
}

/** A pause of every SLA clock; `to` null or absent = still paused; `reason`: the dependency waited for. */
export interface Pause { from: Rfc3339; to?: Rfc3339 | null; reason?: string | null }
/** Time the case waited on a dependency while its clocks ran; `to` null or absent = still waiting. */
export interface Wait { from: Rfc3339; to?: Rfc3339 | null; on: string }
/** An approval already given. */
export interface GivenApproval { role: string; by: string; at?: Rfc3339 }

/** A case record. Keys other than the standard ones are policy fields (or ignored). */
export interface Case {
    id: string;
    kind: string;
    opened_at: Rfc3339;
    /** When the case was closed: every clock without its own stamp stops there. */
    closed_at?: Rfc3339 | null;
    currency?: string;
    paused?: ReadonlyArray<Pause>;
    waiting?: ReadonlyArray<Wait>;
    requested_by?: string | null;
    approvals?: ReadonlyArray<GivenApproval>;
    evidence?: ReadonlyArray<string>;
    /** Policy fields and `<metric>_at` completion stamps. */
    [key: string]: unknown;
}
/** A case object, or one case as JSON text. */
export type CaseInput = Case | string;

/** The codes of compile warnings (`check()`, `PolicyError.warnings`). */
export type WarningCode = "unreachable_rule" | "unfillable_step" | "unused_queue" | "limit_without_value";

/** A compile diagnostic: stable code and JSON pointer into the policy. */
export interface Diagnostic { code: string; path: string; message: string }

export type SlaState = "met" | "missed" | "ok" | "warning" | "breached" | "paused";

export interface EscalationOutcome {
    level: number;
    next_level?: number;
    next_to?: string;
    next_at?: Rfc3339 | null;
}

export interface MetricOutcome {
    state: SlaState;
    calendar: string;
    target_s: number;
    due: Rfc3339 | null;
    elapsed_s: number;
    remaining_s: number;
    consumed: number | null;
    /** The clock's stop: the metric's stamp, or the case's `closed_at`. */
    completed_at?: Rfc3339;
    escalation?: EscalationOutcome;
    /** Business seconds waited on each dependency within the clock's running span. */
    waiting_s: Record<string, number>;
    /** For a missed or breached metric: the dependency whose wait explains the overrun, or `"own"`. */
    cause?: string;
}

export interface ApprovalStep { role: string; rule: string; done_by?: string }

/** Why an approval counts for nothing (the `reason` of the issue `approval_ignored`). */
export type ApprovalIgnoredReason =
| "malformed" | "after_now" | "before_opened" | "role_not_permitted" | "over_limit"
| "separation_of_duties" | "duplicate" | "no_open_step";

export type IssueCode =
| "missing_field" | "bad_type" | "unknown_enum_value" | "unknown_currency" | "money_overflow"
| "ambiguous_rules" | "no_authority" | "no_working_time" | "unrouted" | "bad_timestamp"
| "approval_ignored";

export interface Issue {
    code: IssueCode;
    /** A field, `<metric>_at`, a metric, `approvals` or `approvals/<index>`. */
    field?: string;
    /** `approval_ignored` only: why the approval counts for nothing. */
    reason?: ApprovalIgnoredReason;
    detail: string;
}

export interface PolicyRef { name: string; version: string; fingerprint: string }

export type CaseErrorCode =
| "not_an_object" | "missing_id" | "bad_id" | "missing_kind" | "bad_kind"
| "missing_opened_at" | "bad_opened_at" | "bad_json" | "too_large" | "id_too_long";

/** What Docket decided for one case (cases-and-outcomes.md). */
export interface Outcome {
    id: string | null;
    /** Set instead of everything else when the case itself is unusable. */
    error?: { code: CaseErrorCode; message: string };
    /** With `error`, in `evaluate`: the case's 1-based position in `cases` (its line, as in NDJSON). */
    line?: number;
    /** Set (instead of everything else) when the case was opened after `now`. */
    not_yet_open?: true;
    queue?: string | null;
    owner?: string | null;
    priority?: string | null;
    sla?: Record<string, MetricOutcome>;
    band?: string;
    /** Open cases: the earliest instant after `now` at which the evaluation would differ; null: nothing scheduled. */
    next_change_at?: Rfc3339 | null;
    approvals?: { steps: ApprovalStep[]; remaining: string[]; barred: string[] };
    issues?: Issue[];
    trace?: string[];
    policy: PolicyRef;
}

export interface QueueReport {
    cases: number;
    open: number;
    bands: Record<string, number>;
    warning: number;
    breached: number;
    paused: number;
    met: number;
    missed: number;
    attainment: number | null;
    oldest_open: { id: string; opened_at: Rfc3339 } | null;
    /** Missed metrics by cause: `own`, each dependency. */
    missed_by_cause: Record<string, number>;
    /** Breached metrics (of open cases) by cause. */
    breached_by_cause: Record<string, number>;
    /** Business seconds waited per dependency, summed over the metrics. */
    waiting_s: Record<string, number>;
    issues: Record<string, number>;
    /** The queue's owning team. */
    owner: string;
    /** Open cases not breached with a running metric within `sla.at_risk` of its target. */
    at_risk: number;
    /** Per metric of the policy: attainment of completed clocks beside the open ones. */
    metrics: Record<string, MetricReport>;
    /** Approval steps open cases still need, by role (roles with a count). */
    pending_approvals: Record<string, number>;
    /** Open cases by the role their escalation has reached (roles with a count). */
    escalated_to: Record<string, number>;
    /** With `by`: the queue's figures per combination of values that its cases have. */
    by?: Array<QueueSplit>;
}

/** A queue's figures for one combination of values of `by` (null: absent). */
export type QueueSplit = Omit<QueueReport, "owner" | "by"> & { values: Record<string, string | boolean | null> };

/** One metric's figures in one queue of a report. */
export interface MetricReport {
    met: number;
    missed: number;
    attainment: number | null;
    /** Open cases whose clock of this metric runs. */
    open: number;
    breached_open: number;
    at_risk: number;
}

/** A batch backlog report. */
export interface Report {
    now: Rfc3339;
    cases: number;
    errors: number;
    invalid: number;
    unrouted: number;
    /** Cases opened after `now` (counted nowhere else). */
    not_yet_open: number;
    /** The policy's `sla.at_risk` in business seconds (null: nothing is at risk). */
    at_risk_horizon_s: number | null;
    /** The fields of `by`, when given. */
    by?: string[];
    queues: Record<string, QueueReport>;
    /** With `flow`: per queue and bucket, received, closed, carried over and cycle times. */
    flow?: FlowReport;
    controls: Array<{ id: string; queue: string; alert: string; to?: string }>;
    policy: PolicyRef;
}

/** `report`'s `flow`: buckets from the one holding `since` to the one holding `now` (at most 400). */
export interface ReportFlowOptions {
    since: Now;
    /** Day (from midnight) or week (from Monday 00:00) in the policy's `report.timezone`; default `"day"`. */
    bucket?: "day" | "week";
}

/** Flow over a period (docs/reports.md, "Flow"). */
export interface FlowReport {
    since: Rfc3339;
    bucket: "day" | "week";
    timezone: string;
    /** The first bucket's start and the last one's end. */
    start: Rfc3339;
    end: Rfc3339;
    queues: Record<string, { open_at_start: number; buckets: FlowBucket[] }>;
}

/** One bucket of a queue's flow. */
export interface FlowBucket {
    start: Rfc3339;
    received: number;
    closed: number;
    /** Open at the bucket's end. */
    carried_over: number;
    /** The metrics completed in the bucket, by kind (null: a value `kind` does not name) then metric. */
    cycle_times: Array<{ kind: string | null; metric: string; count: number; business: CycleTimes; calendar: CycleTimes }>;
}

/** Cycle times in seconds: exact mean (rounded) and max; p50 and p90 within 1/128 of the exact nearest-rank ones. */
export interface CycleTimes { mean_s: number; p50_s: number; p90_s: number; max_s: number }

/** Who wants to act. */
export interface Actor { id: string; roles?: ReadonlyArray<string> }

/** Why an action is denied, in the order reasons are given. */
export type ReasonCode =
| "unknown_action" | "invalid_actor" | "invalid_case" | "role_not_permitted" | "over_limit"
| "separation_of_duties" | "duplicate" | "no_open_step" | "approvals_pending" | "missing_evidence";

/** One reason of a denial. */
export interface Reason {
    code: ReasonCode;
    /** Every reason but `missing_evidence`. */
    detail?: string;
    /** `missing_evidence`: the missing items, in the policy's order. */
    items?: string[];
    /** `approvals_pending`: the open steps' roles, in rule order. */
    roles?: string[];
}

/**
 * The answer of `authorize`: a decision record, ready to append to an audit log as it is
 * (the same from the command line, Rust, C and JS).
 */
export interface Decision {
    /** The case's id (null for an unusable case without one). */
    case: string | null;
    /** The actor's id (null when it is empty or over `maxStringLen`: `invalid_actor`). */
    actor: string | null;
    action: string;
    /** The instant decided as of. */
    now: Rfc3339;
    allowed: boolean;
    reasons: Reason[];
    /** An allowed `approve`: the step it fills, and the actor's role to record it with. */
    fills?: { role: string; rule: string; as: string };
    policy: PolicyRef;
}

/**
 * A string table packed as UTF-8: string `i` is `bytes[offsets[i]..offsets[i + 1]]`;
 * `offsets` has one entry more than there are strings and starts at 0.
 */
export interface PackedStrings {
    bytes: Uint8Array;
    offsets: Uint32Array;
}

/**
 * Columnar cases: one typed array per case key, all rows in step. See the README,
 * "Columnar batches".
 * - `Int32Array`: index into `strings`; `-1` = key absent. For `paused`, `waiting`,
 *   `approvals` and `evidence` (without `offsets.evidence`) the string is the list as
 *   JSON text.
 * - `Float64Array`: a number; `NaN` = absent. For timestamp keys (`opened_at`,
 *   `closed_at`, `<metric>_at`, fields of type timestamp) it is epoch **seconds**.
 * - `Uint8Array`: a bool; `0` false, `1` true, anything else absent.
 *
 * Lists may instead be given as typed list columns, one entry per item, case `i` owning
 * items `offsets.<group>[i]` to `offsets.<group>[i + 1]` (see `ColumnarOffsets`):
 * `paused_from` and `paused_to` (`Float64Array` epoch seconds; `paused_to` `NaN` = still
 * paused) and `paused_reason` (`Int32Array` string indexes), `waiting_from` and
 * `waiting_to` (`Float64Array`; `waiting_to` `NaN` = still waiting) and `waiting_on`
 * (`Int32Array` string indexes of dependency names), `approval_role` and `approval_by` (`Int32Array` string indexes) and
 * `approval_at` (`Float64Array`, `NaN` = no time), and `evidence` (`Int32Array` string
 * indexes of the items, with `offsets.evidence`).
 */
export interface ColumnarCases {
    length: number;
    /** The string table: an array, or packed (faster: one copy instead of one conversion per string). */
    strings: ReadonlyArray<string> | PackedStrings;
    columns: Record<string, Int32Array | Float64Array | Uint8Array>;
    /** Offsets of the typed list columns; needed only with them. */
    offsets?: ColumnarOffsets;
    /**
     * Money columns given as scaled whole numbers: `{ amount: 2 }` reads the `Float64Array`
     * `columns.amount` in hundredths (`125000` is `1250.00`), exact and without decimal
     * text. Present entries must be whole numbers within `Number.MAX_SAFE_INTEGER`; scales
     * run from 0 to 18.
     */
    scales?: Record<string, number>;
}

/**
 * Offsets of typed list columns, `length + 1` non-decreasing entries each: case `i` owns
 * items `offsets[i]` to `offsets[i + 1]` (exclusive) of its group's columns.
 */
export interface ColumnarOffsets {
    /** For `paused_from`, `paused_to` and `paused_reason`. */
    paused?: Uint32Array;
    /** For `waiting_from`, `waiting_to` and `waiting_on`. */
    waiting?: Uint32Array;
    /** For `approval_role`, `approval_by` and `approval_at`. */
    approvals?: Uint32Array;
    /** For `evidence` given as items (without it, `columns.evidence` is JSON text per case). */
    evidence?: Uint32Array;
}

/** One metric's SLA clocks, one entry per row. */
export interface MetricColumns {
    /** Index into `names.states`; `-1` = no target for this metric (or an unusable case). */
    state: Int8Array;
    /** Due instant, epoch seconds; `NaN` = null. */
    due: Float64Array;
    /** Business seconds elapsed, less pauses; `NaN` = no target. */
    elapsed: Float64Array;
    /** Target in business seconds; `NaN` = no target. */
    target: Float64Array;
    /** Escalation steps passed; `-1` = none (completed metric or no ladder). */
    level: Int32Array;
    /** For a missed or breached metric, index into `names.causes`; `-1` = none. */
    cause: Int32Array;
    /** Business seconds waited, `length` × `names.dependencies.length`: row `i`, dependency `d` at `i * dependencies + d`. */
    waiting: Float64Array;
}

/** Results of `evaluateColumns`, one entry per row; `-1` = none in every index column. */
export interface ColumnarOutcomes {
    length: number;
    /** Index into `names.errors`. */
    error: Int32Array;
    /** Index into `names.queues`. */
    queue: Int32Array;
    /** Index into `names.priorities`. */
    priority: Int32Array;
    /** Index into `names.bands`. */
    band: Int32Array;
    /** 1 while some metric is still running. */
    open: Uint8Array;
    /** 1 when intake validation sent the case to the invalid queue. */
    invalid: Uint8Array;
    /** Number of issues. */
    issues: Uint32Array;
    /** Approval steps required. */
    steps: Uint32Array;
    /** Approval steps not yet filled. */
    remaining: Uint32Array;
    /** 1 when the case was opened after `now` (then nothing else is decided). */
    not_yet_open: Uint8Array;
    /** The earliest instant after `now` at which the case's evaluation would differ, epoch seconds; `NaN` = none. */
    next_change_at: Float64Array;
    sla: Record<string, MetricColumns>;
    names: {
        queues: string[];
        priorities: string[];
        bands: string[];
        states: SlaState[];
        errors: CaseErrorCode[];
        /** The policy's declared dependencies (the inner dimension of `waiting`). */
        dependencies: string[];
        /** `"own"`, the declared dependencies, then undeclared names the batch's cases gave. */
        causes: string[];
    };
}

/** A decision a policy change can alter for a case (`diff`). */
export type Aspect =
| "error" | "queue" | "owner" | "priority" | "approvals" | "targets" | "due" | "state" | "band" | "issues";

/** What a case can newly become, or stop being, under the new policy. */
export type DiffStatus = "unrouted" | "invalid" | "error" | "no_authority";

/** One metric's clock in a comparison; `null` where the policy sets no target. */
export interface DiffMetric { calendar: string; target_s: number; due: Rfc3339 | null; state: SlaState }

/**
 * A changed case under one policy: its queue, priority and deciding rules (the trace),
 * and the value of each changed aspect (`sla` holds the metrics whose target, due or
 * state changed).
 */
export interface DiffSide {
    queue: string | null;
    priority: string | null;
    rules: string[];
    error?: CaseErrorCode | null;
    owner?: string | null;
    approvals?: ApprovalStep[];
    sla?: Record<string, DiffMetric | null>;
    band?: string | null;
    issues?: Array<{ code: string; field?: string }>;
}

/** A case whose decisions differ between the two policies. */
export interface CaseChange {
    id: string | null;
    /** The case's 1-based position in `cases`. */
    line?: number;
    changed: Aspect[];
    before: DiffSide;
    after: DiffSide;
}

/** A queue's backlog under one policy (`null`: no case there). */
export interface DiffBacklog {
    cases: number;
    open: number;
    warning: number;
    breached: number;
    met: number;
    missed: number;
    attainment: number | null;
}

/** The impact of a policy change on the batch. */
export interface DiffSummary {
    cases: number;
    changed: number;
    /** Cases changed in each aspect. */
    aspects: Record<Aspect, number>;
    /** Cases by old and new queue (`null`: no queue), cells with cases only. */
    queue_matrix: Array<{ from: string | null; to: string | null; cases: number }>;
    queues: Record<string, { before: DiffBacklog | null; after: DiffBacklog | null }>;
    approval_steps: Record<string, { before: number; after: number }>;
    /** The rules whose number of cases decided changes. */
    rules: Array<{ rule: string; before: number; after: number }>;
    rules_started: string[];
    rules_stopped: string[];
    newly: Record<DiffStatus, number>;
    no_longer: Record<DiffStatus, number>;
}

/** The answer of `diff(oldEngine, newEngine, cases, now)`. */
export interface Diff {
    old: PolicyRef;
    new: PolicyRef;
    now: Rfc3339;
    changed: CaseChange[];
    summary: DiffSummary;
}



/**
 * A compiled policy with reusable decoding and evaluation buffers.
 *
 * The object owns wasm memory: call `free()` when done, or let the garbage collector
 * release it (the glue registers every engine with a `FinalizationRegistry`).
 */
export class Engine {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * May `actor` perform `action` on `case` at `now` (default: the current time)? The
     * decision record: case, actor, action, now, allowed, every reason that applies in
     * the documented order, the step an allowed `approve` fills, the policy. Throws an
     * `ArgumentError` for a malformed actor, a non-string action or a bad `now`.
     */
    authorize(_case: CaseInput, actor: Actor, action: string, now?: Now | null): Decision;
    /**
     * The compile warnings (`unreachable_rule`, `unfillable_step`, `unused_queue`,
     * `limit_without_value`), each `{code, path, message}`: the same list as
     * `docket check` and the C library's `DOCKET_POLICY_INFO_WARNINGS`.
     */
    check(): Diagnostic[];
    /**
     * Evaluates one case (an object or JSON text) at `now`.
     */
    evaluateCase(_case: CaseInput, now?: Now | null): Outcome;
    /**
     * Columnar evaluation for large batches: typed arrays and a string table in, typed
     * arrays out (see the README, "Columnar batches"). With `into`, an earlier result of
     * this engine for a batch of the same `length`, its arrays are refilled in place and
     * it is returned (no new arrays per call).
     */
    evaluateColumns(batch: ColumnarCases, now?: Now | null, into?: ColumnarOutcomes | null): ColumnarOutcomes;
    /**
     * Evaluates every case at `now`; one outcome per case, in input order. A case that
     * is unusable (not an object, no `id`, `kind` or `opened_at`, text that is not JSON,
     * over a limit) gets an outcome with `error` and its `line`, its 1-based position in
     * `cases` (as in NDJSON); the rest of the batch is unaffected.
     */
    evaluate(cases: ReadonlyArray<CaseInput>, now?: Now | null): Outcome[];
    /**
     * Compiles a policy (an object or JSON text), with the default limits or those of
     * `options.limits`. Throws a `PolicyError` whose `errors` lists every problem with
     * its JSON path (`code` `invalid_policy`; `invalid_json` for text that is not JSON,
     * `limit_exceeded` for a policy over a limit: its size, an object nested deeper than
     * 127 levels, too many rules, windows or dates), or an `ArgumentError` when `policy`
     * is neither an object nor a string, is circular, holds a string that is not valid
     * Unicode or a value JSON cannot hold, or `options` are malformed.
     */
    constructor(policy: Policy | string, options?: EngineOptions | null);
    /**
     * The backlog report of a batch evaluated at `now`: per queue, open volume by band,
     * SLA attainment, breaches, oldest case, and the backlog controls that fire;
     * `by` (field names) splits every count of a queue by the values of those fields;
     * `flow` (`{since, bucket}`) adds the flow per day or week from `since` to `now`.
     */
    report(cases: ReadonlyArray<CaseInput>, now?: Now | null, by?: ReadonlyArray<string> | null, flow?: ReportFlowOptions | null): Report;
    /**
     * Ageing band names in policy order.
     */
    readonly bands: string[];
    /**
     * The dependencies cases may wait on, in policy order (the columnar `waiting`
     * arrays' inner dimension).
     */
    readonly dependencies: string[];
    /**
     * `sha256:` + hex of the policy's canonical form.
     */
    readonly fingerprint: string;
    /**
     * The limits in force: the defaults, or those given to the constructor.
     */
    readonly limits: Required<EngineLimits>;
    /**
     * SLA metric names in policy order.
     */
    readonly metrics: string[];
    /**
     * The policy's `name`.
     */
    readonly name: string;
    /**
     * Priority values routing can output (the columnar `priority` indexes refer to it).
     */
    readonly priorities: string[];
    /**
     * Queue names in policy order (the columnar `queue` indexes refer to it).
     */
    readonly queues: string[];
    /**
     * The policy's `version` label.
     */
    readonly version: string;
}

/**
 * Compares a policy change on a batch of cases: each case (an object or JSON text) is
 * evaluated at `now` under `old_engine` and `new_engine`. Returns `{old, new, now,
 * changed, summary}`: the cases whose decisions differ (queue, owner, priority, approval
 * steps, SLA targets, due, state, band, issues) with their `line` (1-based position in
 * `cases`), the aspects that changed and the values and deciding rules before and
 * after; and a summary (cases changed per aspect, queue from → to, backlog per queue
 * and approval steps per role before and after, the rules whose cases change, cases
 * that newly become unrouted, invalid, unusable or without authority). Names are
 * matched across the two policies by text. `cases` are held to `old_engine`'s limit on
 * cases per call; each case is read by each engine, within its own limits.
 */
export function diff(old_engine: Engine, new_engine: Engine, cases: ReadonlyArray<CaseInput>, now?: Now | null): Diff;
