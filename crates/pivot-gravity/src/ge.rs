//! GE-PPML (placeholder, filled below).
