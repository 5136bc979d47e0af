//! The provider's diagnostics and attribute paths as tfplugin6 encodes them: the one place
//! [`Diagnostics`] become `pb::Diagnostic`.

use crate::diag::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
use crate::proto::tfplugin6 as pb;

fn step(s: PathStep) -> pb::attribute_path::Step {
    use pb::attribute_path::step::Selector;
    let selector = match s {
        PathStep::Attribute(a) => Selector::AttributeName(a),
        PathStep::Key(k) => Selector::ElementKeyString(k),
        PathStep::Index(i) => Selector::ElementKeyInt(i),
    };
    pb::attribute_path::Step {
        selector: Some(selector),
    }
}

/// `p` as Terraform's attribute path. Terraform places a diagnostic only at an attribute, not at a
/// block: one about a whole region block (an unknown or restricted region, say) points at that
/// block's `vnet_cidr`, the attribute every region block has, so that it lands in the right block
/// (its detail names the block itself).
pub fn path(p: &AttributePath) -> pb::AttributePath {
    let mut steps: Vec<PathStep> = p.0.clone();
    if matches!(steps.as_slice(), [PathStep::Attribute(a), PathStep::Key(_)] if a == "region") {
        steps.push(PathStep::Attribute("vnet_cidr".into()));
    }
    pb::AttributePath {
        steps: steps.into_iter().map(step).collect(),
    }
}

fn diagnostic(d: Diagnostic) -> pb::Diagnostic {
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: d.summary,
        detail: d.detail,
        attribute: d.attribute.as_ref().map(path),
    }
}

/// `diags` as Terraform receives them.
pub fn diagnostics(diags: impl Into<Diagnostics>) -> Vec<pb::Diagnostic> {
    diags.into().into_iter().map(diagnostic).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag;

    #[test]
    fn a_finding_about_a_region_block_lands_in_that_block() {
        let at = path(&AttributePath::region("westus", None));
        let names: Vec<String> = at
            .steps
            .iter()
            .map(|s| format!("{:?}", s.selector))
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names[2].contains("vnet_cidr"), "{names:?}");
        let kept = path(&AttributePath::region("westus", Some("mode")));
        assert_eq!(kept.steps.len(), 3, "an attribute path stays as it is");
    }

    #[test]
    fn severity_summary_detail_and_path_reach_the_wire() {
        let wire = diagnostics(vec![
            diag::warning("Unpaired", "no pair"),
            diag::error_at(
                &["backup", "redundancy"],
                "Invalid redundancy",
                "must be GRS",
            ),
        ]);
        assert_eq!(wire.len(), 2);
        assert_eq!(wire[0].severity, pb::diagnostic::Severity::Warning as i32);
        assert_eq!(
            (wire[0].summary.as_str(), wire[0].detail.as_str()),
            ("Unpaired", "no pair")
        );
        assert_eq!(wire[0].attribute, None);
        assert_eq!(wire[1].severity, pb::diagnostic::Severity::Error as i32);
        assert_eq!(wire[1].attribute.as_ref().map(|a| a.steps.len()), Some(2));
    }
}
