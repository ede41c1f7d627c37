//! Business calendars (in progress).
