//! What the in-process bus holds, for operators and the soak script: the figures
//! that show whether its memory stays bounded and whether a consumer falls behind.

use crate::memory::MemoryLimits;

/// A snapshot of the in-process bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusStats {
    /// Events published since the bus was made.
    pub published: u64,
    /// Events in the log now (at most `limits.max_msgs`).
    pub retained: usize,
    /// Approximate size of the retained events: the sum of their JSON sizes.
    pub retained_bytes: usize,
    pub limits: MemoryLimits,
    /// By name.
    pub consumers: Vec<ConsumerStats>,
}

/// One named consumer's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerStats {
    pub name: String,
    /// Retained events of its types it has not been handed yet: its lag.
    pub pending: usize,
    /// Handed to a subscriber and not answered yet.
    pub in_flight: usize,
    /// Negatively acknowledged or dropped, waiting to go again.
    pub redeliveries: usize,
    /// Events of its types trimmed before it got them, since the bus was made
    /// (each reported to it as [`crate::BusError::Lagged`]).
    pub missed: u64,
}
