//! Diagnostics: the SDK's validation findings and errors as tfplugin6 diagnostics with attribute paths.

use crate::proto::tfplugin6 as pb;
use bcdr::validate::{AttributePath, PathStep, Severity};

pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: pb::diagnostic::Severity::Error as i32,
        summary: summary.into(),
        detail: detail.into(),
        attribute: None,
    }
}

pub fn error_at(
    path: &[&str],
    summary: impl Into<String>,
    detail: impl Into<String>,
) -> pb::Diagnostic {
    let steps = path
        .iter()
        .map(|a| step(PathStep::Attribute((*a).to_owned())))
        .collect();
    pb::Diagnostic {
        attribute: Some(pb::AttributePath { steps }),
        ..error(summary, detail)
    }
}

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

pub fn from_sdk(d: &bcdr::Diagnostic) -> pb::Diagnostic {
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: d.summary.clone(),
        // The detail names the HCL path too: Terraform cannot point at a block element, only attributes.
        detail: format!("{}: {}", d.path, d.detail),
        attribute: Some(path(&d.path)),
    }
}

pub fn has_errors(diags: &[pb::Diagnostic]) -> bool {
    diags
        .iter()
        .any(|d| d.severity == pb::diagnostic::Severity::Error as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
