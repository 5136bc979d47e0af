//! `Microsoft.Compute` as far as cluster capacity goes, read only: the family and vCPUs of the VM
//! sizes node pools use (resource SKUs, 2021-07-01) and the subscription's vCPU quotas in a region
//! (usages, 2024-07-01: the regional total `cores` and each family).

use serde_json::Value;
use std::collections::BTreeMap;

/// The `Microsoft.Compute` api-version of the resource SKU list (VM sizes, their family and vCPUs).
pub const SKUS_API_VERSION: &str = "2021-07-01";
/// The `Microsoft.Compute` api-version of the regional vCPU usages and quotas.
pub const USAGES_API_VERSION: &str = "2024-07-01";

/// The regional total's quota name.
pub const TOTAL: &str = "cores";

/// A region's vCPU quotas and the sizes they apply to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegionCapacity {
    /// VM size (lower-cased) to its family and vCPUs.
    pub sizes: BTreeMap<String, (String, u64)>,
    /// Quota name (`cores`, or a family) to vCPUs in use and the limit.
    pub quotas: BTreeMap<String, (u64, u64)>,
}

impl RegionCapacity {
    /// Reads the answers of the SKU list (one region's) and of the usages.
    pub fn from_bodies(skus: &Value, usages: &Value) -> Self {
        let mut out = Self::default();
        for sku in skus["value"].as_array().into_iter().flatten() {
            // A size restricted in the region (`NotAvailableForSubscription`) is not on offer there.
            let restricted = sku["restrictions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r["type"] == "Location");
            if sku["resourceType"] != "virtualMachines" || restricted {
                continue;
            }
            let (Some(name), Some(family)) = (sku["name"].as_str(), sku["family"].as_str()) else {
                continue;
            };
            let cpus = sku["capabilities"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| c["name"] == "vCPUs")
                .and_then(|c| c["value"].as_str())
                .and_then(|v| v.parse().ok());
            if let Some(cpus) = cpus {
                out.sizes
                    .insert(name.to_ascii_lowercase(), (family.to_owned(), cpus));
            }
        }
        for usage in usages["value"].as_array().into_iter().flatten() {
            if let (Some(name), Some(used), Some(limit)) = (
                usage["name"]["value"].as_str(),
                usage["currentValue"].as_u64(),
                usage["limit"].as_u64(),
            ) {
                out.quotas.insert(name.to_owned(), (used, limit));
            }
        }
        out
    }

    /// The family and vCPUs of `size`, when the region lists it.
    pub fn size(&self, size: &str) -> Option<&(String, u64)> {
        self.sizes.get(&size.to_ascii_lowercase())
    }
}

/// `location`'s VM sizes and vCPU quotas (two reads, at once); `None` when ARM does not say.
pub async fn capacity(
    arm: &super::ArmClient,
    location: &str,
) -> crate::Result<Option<RegionCapacity>> {
    let sub = arm.subscription_id();
    let skus_path = format!("/subscriptions/{sub}/providers/Microsoft.Compute/skus");
    let filter = format!("location eq '{location}'");
    let usages_path =
        format!("/subscriptions/{sub}/providers/Microsoft.Compute/locations/{location}/usages");
    let query = [("$filter", filter.as_str())];
    let (skus, usages) = futures::join!(
        arm.send(
            super::Method::Get,
            &skus_path,
            Some(SKUS_API_VERSION),
            &query,
            None,
        ),
        arm.get(&usages_path, USAGES_API_VERSION)
    );
    let (Some(skus), Some(usages)) = (skus?.body, usages?) else {
        return Ok(None);
    };
    Ok(Some(RegionCapacity::from_bodies(&skus, &usages)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_restricted_in_the_region_are_not_on_offer() {
        let skus = json!({ "value": [
            { "resourceType": "virtualMachines", "name": "Standard_D4ds_v5", "family": "standardDDSv5Family",
              "capabilities": [{ "name": "vCPUs", "value": "4" }], "restrictions": [] },
            { "resourceType": "virtualMachines", "name": "Standard_M64", "family": "standardMSFamily",
              "capabilities": [{ "name": "vCPUs", "value": "64" }],
              "restrictions": [{ "type": "Location", "reasonCode": "NotAvailableForSubscription", "values": ["westus"] }] },
            { "resourceType": "disks", "name": "Premium_LRS" }
        ]});
        let usages = json!({ "value": [
            { "unit": "Count", "currentValue": 12, "limit": 20, "name": { "value": "cores", "localizedValue": "Total Regional vCPUs" } }
        ]});
        let capacity = RegionCapacity::from_bodies(&skus, &usages);
        assert_eq!(
            capacity.size("standard_d4ds_v5"),
            Some(&("standardDDSv5Family".to_owned(), 4))
        );
        assert_eq!(capacity.size("Standard_M64"), None);
        assert_eq!(capacity.sizes.len(), 1);
        assert_eq!(capacity.quotas.get(TOTAL), Some(&(12, 20)));
    }
}
