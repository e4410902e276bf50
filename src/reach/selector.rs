//! Label selectors as the API server applies them: `matchLabels` and `matchExpressions`
//! (`In`, `NotIn`, `Exists`, `DoesNotExist`), all of them ANDed; an empty selector selects
//! everything.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::model::Labels;

/// Whether `selector` selects an object with `labels`. An operator Kubernetes does not know
/// selects nothing (the API server would have refused the object).
pub fn matches(selector: &LabelSelector, labels: &Labels) -> bool {
    let by_labels = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(key, value)| labels.get(key) == Some(value));
    by_labels
        && selector.match_expressions.iter().flatten().all(|requirement| {
            let values = requirement.values.as_deref().unwrap_or_default();
            let value = labels.get(&requirement.key);
            match requirement.operator.as_str() {
                "In" => value.is_some_and(|v| values.contains(v)),
                "NotIn" => value.is_none_or(|v| !values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        })
}

/// Whether the selector is `{}`: everything.
pub fn is_empty(selector: &LabelSelector) -> bool {
    selector.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && selector.match_expressions.as_ref().is_none_or(|m| m.is_empty())
}

/// The labels of a typical object the selector names: `matchLabels`, the first value of each
/// `In`, an empty value for each `Exists`. Used to stand for pods and namespaces gen does not
/// render; the evaluator still decides whether they match, so a contradictory selector gives a
/// peer nothing can reach.
pub fn representative(selector: &LabelSelector) -> Labels {
    let mut labels: Labels = selector.match_labels.clone().unwrap_or_default();
    for requirement in selector.match_expressions.iter().flatten() {
        let first = requirement.values.as_deref().unwrap_or_default().first();
        match (requirement.operator.as_str(), first) {
            ("In", Some(value)) => {
                labels.entry(requirement.key.clone()).or_insert_with(|| value.clone());
            }
            ("Exists", _) => {
                labels.entry(requirement.key.clone()).or_default();
            }
            _ => {}
        }
    }
    labels
}

/// The one namespace a namespace selector names by its `kubernetes.io/metadata.name` label,
/// if it names exactly one.
pub fn named_namespace(selector: &LabelSelector) -> Option<String> {
    if let Some(name) = selector.match_labels.as_ref().and_then(|m| m.get(super::NAME_LABEL)) {
        return Some(name.clone());
    }
    selector.match_expressions.iter().flatten().find_map(|r| {
        let values = r.values.as_deref().unwrap_or_default();
        (r.key == super::NAME_LABEL && r.operator == "In" && values.len() == 1).then(|| values[0].clone())
    })
}

#[cfg(test)]
mod tests {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn expression(key: &str, operator: &str, values: &[&str]) -> LabelSelector {
        LabelSelector {
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: key.into(),
                operator: operator.into(),
                values: Some(values.iter().map(|v| (*v).to_owned()).collect()),
            }]),
            ..LabelSelector::default()
        }
    }

    #[test]
    fn each_operator_as_kubernetes_applies_it() {
        let prod = labels(&[("env", "prod")]);
        let dev = labels(&[("env", "dev")]);
        let none = labels(&[]);
        let cases = [
            (expression("env", "In", &["prod", "staging"]), [true, false, false]),
            (expression("env", "NotIn", &["prod"]), [false, true, true]),
            (expression("env", "Exists", &[]), [true, true, false]),
            (expression("env", "DoesNotExist", &[]), [false, false, true]),
            (expression("env", "Matches", &["prod"]), [false, false, false]),
        ];
        for (selector, expected) in cases {
            let got = [&prod, &dev, &none].map(|l| matches(&selector, l));
            assert_eq!(got, expected, "{selector:?}");
        }
    }

    #[test]
    fn match_labels_and_expressions_are_anded_and_empty_selects_all() {
        let mut selector = expression("tier", "Exists", &[]);
        selector.match_labels = Some(labels(&[("app", "api")]));
        assert!(matches(&selector, &labels(&[("app", "api"), ("tier", "x")])));
        assert!(!matches(&selector, &labels(&[("app", "api")])));
        assert!(!matches(&selector, &labels(&[("tier", "x")])));
        assert!(matches(&LabelSelector::default(), &labels(&[])));
        assert!(is_empty(&LabelSelector::default()));
    }

    #[test]
    fn a_representative_is_selected_by_its_selector() {
        let mut selector = expression("env", "In", &["prod", "dev"]);
        selector.match_labels = Some(labels(&[("app", "db")]));
        let typical = representative(&selector);
        assert_eq!(typical, labels(&[("app", "db"), ("env", "prod")]));
        assert!(matches(&selector, &typical));
        assert_eq!(
            named_namespace(&expression(super::super::NAME_LABEL, "In", &["a"])).as_deref(),
            Some("a")
        );
        assert_eq!(
            named_namespace(&expression(super::super::NAME_LABEL, "In", &["a", "b"])),
            None
        );
    }
}
