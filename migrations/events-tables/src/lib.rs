//! The two tables every service that publishes or consumes events owns, as
//! migrations create them: `outbox` (events waiting for, or done with, the relay)
//! and `processed_events` (the inbox: one row per event a consumer handled).
//!
//! A migration must be frozen in time: it runs on databases created years
//! later, and must create exactly what it created the day it shipped. So this is
//! not the event bus's code (which may change) but a versioned copy of the SQL:
//! [`v1`] never changes; a change to the tables is a `v2` module and a new
//! migration in each service that uses it.

pub mod v1;
