//! The api-versions the emulator serves, one per resource provider (see `shared/arm-specs/versions.json`).

pub const API_RESOURCES: &str = "2024-03-01";
pub const API_SUBSCRIPTIONS: &str = "2022-12-01";
pub const API_NETWORK: &str = "2024-03-01";
pub const API_AKS: &str = "2024-09-01";
pub const API_TRAFFIC_MANAGER: &str = "2022-04-01";
pub const API_AUTHORIZATION: &str = "2022-04-01";
pub const API_REGISTRY: &str = "2023-07-01";
pub const API_STORAGE: &str = "2023-05-01";
pub const API_CDN: &str = "2024-09-01";
pub const API_FRONT_DOOR_WAF: &str = "2024-02-01";
pub const API_COMPUTE_USAGES: &str = "2024-07-01";
pub const API_COMPUTE_SKUS: &str = "2021-07-01";
