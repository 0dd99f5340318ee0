//! pivot's measures (temporary header).

pub mod barbieri;
pub mod common;
pub mod concentration;
pub mod error;
pub mod gdp_dependence;
pub mod partner_share;
pub mod trade;
pub mod trade_intensity;
