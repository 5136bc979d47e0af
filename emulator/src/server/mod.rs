//! The top floor: the HTTPS server, the route table that hands each ARM path to its resource type,
//! and what happens around every request (authentication, api-version, throttling, faults, regions
//! that are down, logs).

pub mod dispatch;
pub mod http;
pub mod outage;
pub mod routes;
pub mod throttle;
pub mod tls;
