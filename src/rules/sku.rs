//! Snapshot skus (`sku.*`).

use super::text::quoted;
use super::Violations;
use crate::models::SnapshotSkuName;

/// `options.sku`: a known snapshot sku (`sku.name`), and not `Premium_LRS` for an incremental
/// snapshot (`sku.incremental`).
pub(crate) fn check_sku(sku: &SnapshotSkuName, incremental: bool, v: &mut Violations) {
    match sku {
        SnapshotSkuName::PremiumLrs if incremental => v.add(
            "options.sku",
            "sku.incremental",
            "incremental snapshots are always stored on standard storage; Premium_LRS makes no sense for them \
             (use Standard_ZRS or Standard_LRS, or leave it out)",
        ),
        SnapshotSkuName::Other(s) => v.add(
            "options.sku",
            "sku.name",
            format!("unknown snapshot sku {}; use Standard_LRS, Standard_ZRS or Premium_LRS", quoted(s)),
        ),
        _ => {}
    }
}
