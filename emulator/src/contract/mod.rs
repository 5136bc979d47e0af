//! The ground floor: ARM's contract as every resource type shares it. What a request carries and
//! what is answered ([`request`]), errors ([`error`]), the store and its clock ([`store`]),
//! long-running operations ([`lro`]), the api-versions ([`versions`]), the regions ([`regions`]),
//! where they are ([`geo`]) and which are down ([`outage`]),
//! what every handler checks ([`resource`]) and how the emulator is configured ([`config`]).
//! Nothing here knows a resource type's own rules: those live in `rp`, one floor up.

pub mod config;
pub mod crud;
pub mod error;
pub mod geo;
pub mod list;
pub mod lro;
pub mod outage;
pub mod profile;
pub mod regions;
pub mod request;
pub mod resource;
pub mod store;
pub mod versions;
